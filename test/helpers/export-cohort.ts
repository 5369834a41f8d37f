/**
 * A small cohort for the export tests, imported from a CSV written out here, with every case an
 * export must handle: demographics with an "other" text, a prorated score, a participant who withdrew
 * keeping their answers, one who withdrew deleting them, one with a link who never answered, and
 * attendance. Hand-computed scores:
 *
 * - P1 pre:  PHQ-9 2+1+1+1+1+1+1+·+0 = 8 over 8 items → 8 × 9 / 8 = 9, prorated (Mild); WHO-5 3×5 = 15 (× 4 = 60)
 * - P1 post: PHQ-9 0 (None–minimal);                                                   WHO-5 4×5 = 20 (80)
 * - P2 pre:  PHQ-9 3×9 = 27 (Severe);                                                  WHO-5 1×5 = 5 (20)
 * - P2 post: PHQ-9 1×8 + 0 = 8 (Mild);                                                 WHO-5 2×5 = 10 (40)
 * - P3 pre:  PHQ-9 1×9 = 9 (Mild), then withdraws and keeps the answers
 * - P4 pre:  PHQ-9 2×9 = 18, then withdraws and deletes them
 * - P10 pre: PHQ-9 0 (after P4 in code order, not after P1)
 * - P11: added with a link, never answered
 * - attendance: P1 at sessions 1 and 2, P2 at session 1
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { listParticipants } from '../../server/db/repositories/participants'
import { listGroupSessions } from '../../server/db/repositories/studies'
import type { Deps } from '../../server/domain/deps'
import type { ExportFile, ExportFileName } from '../../server/domain/outcomes/exports'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { checkInstrument, InstrumentRegistry, shippedInstrumentsFolder } from '../../server/domain/instruments/registry'
import { withdraw } from '../../server/domain/participation/journey'
import { addParticipants, createCohort, createStudy, recordAttendance } from '../../server/domain/staff/setup'
import { shippedInstruments } from './app'

/** Lines `code,wave,instrument,<prefix>N,value` for items 1…n; `null` is an item left unanswered. */
export function itemLines(code: string, wave: string, instrument: string, prefix: string, values: (number | null)[]): string[] {
  return values.map((v, i) => `${code},${wave},${instrument},${prefix}${i + 1},${v ?? ''}`)
}

export const smallCohortCsv = [
  'participant,wave,instrument,item,value',
  'P1,enrolment,demographics,age,34',
  'P1,enrolment,demographics,sex,female',
  'P1,enrolment,demographics,role,nurse',
  'P1,enrolment,demographics,years_in_practice,2.5',
  ...itemLines('P1', 'pre', 'phq-9', 'phq9_', [2, 1, 1, 1, 1, 1, 1, null, 0]),
  ...itemLines('P1', 'pre', 'who-5', 'who5_', [3, 3, 3, 3, 3]),
  ...itemLines('P1', 'post', 'phq-9', 'phq9_', [0, 0, 0, 0, 0, 0, 0, 0, 0]),
  ...itemLines('P1', 'post', 'who-5', 'who5_', [4, 4, 4, 4, 4]),
  'P2,enrolment,demographics,sex,other',
  'P2,enrolment,demographics,sex-Comment,"says ""they"", not he"',
  ...itemLines('P2', 'pre', 'phq-9', 'phq9_', [3, 3, 3, 3, 3, 3, 3, 3, 3]),
  ...itemLines('P2', 'pre', 'who-5', 'who5_', [1, 1, 1, 1, 1]),
  ...itemLines('P2', 'post', 'phq-9', 'phq9_', [1, 1, 1, 1, 1, 1, 1, 1, 0]),
  ...itemLines('P2', 'post', 'who-5', 'who5_', [2, 2, 2, 2, 2]),
  ...itemLines('P3', 'pre', 'phq-9', 'phq9_', [1, 1, 1, 1, 1, 1, 1, 1, 1]),
  ...itemLines('P4', 'pre', 'phq-9', 'phq9_', [2, 2, 2, 2, 2, 2, 2, 2, 2]),
  ...itemLines('P10', 'pre', 'phq-9', 'phq9_', [0, 0, 0, 0, 0, 0, 0, 0, 0]),
].join('\n')

export async function smallCohort(deps: Deps) {
  const study = await createStudy(deps, { name: 'Export study' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A — Tehran 2026' }, 'test')
  await importCohortCsv(deps, { cohortId: cohort.id, csv: smallCohortCsv }, 'test')
  const [invited] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
  const participants = await listParticipants(deps.db, cohort.id)
  const byCode = (code: string) => participants.find((p) => p.code === code)!
  await withdraw(deps, byCode('P3'), { keepData: true })
  await withdraw(deps, byCode('P4'), { keepData: false })
  const sessions = await listGroupSessions(deps.db, cohort.id)
  await recordAttendance(deps, sessions[0]!.id, [{ participantId: byCode('P1').id, present: true }, { participantId: byCode('P2').id, present: true }], 'test')
  await recordAttendance(deps, sessions[1]!.id, [{ participantId: byCode('P1').id, present: true }, { participantId: byCode('P2').id, present: false }], 'test')
  return { study, cohort, participants, byCode, invited: invited! }
}

/** The whole text of one export, read as a consumer would: chunk by chunk. */
export async function readExport(file: ExportFile): Promise<string> {
  let text = ''
  for await (const chunk of file.generate()) text += chunk
  return text
}

/** Every export of a cohort, by file name. */
export async function readExports(files: ExportFile[]): Promise<Record<ExportFileName, string>> {
  const entries = await Promise.all(files.map(async (f) => [f.name, await readExport(f)] as const))
  return Object.fromEntries(entries) as Record<ExportFileName, string>
}

/**
 * The shipped demographics form with the values an export must write exactly: a choice value that a
 * spreadsheet would run as a formula ("=cmd"), negative codes whose labels hold "; " and "=", a yes/no
 * and a checkbox. Registered in place of the shipped one, so a new study asks it.
 */
export function labelledDemographics(): InstrumentRegistry {
  const json = JSON.parse(readFileSync(join(shippedInstrumentsFolder, 'demographics.json'), 'utf8')) as { survey: { pages: { elements: Record<string, any>[] }[] } }
  const elements = json.survey.pages[0]!.elements
  elements.find((e) => e.name === 'workplace')!.choices.push({ value: '=cmd', text: 'Looks like a formula' })
  elements.push(
    {
      type: 'radiogroup',
      name: 'supported',
      title: 'I feel supported at work',
      choices: [
        { value: -2, text: 'Strongly disagree' },
        { value: -1, text: 'Disagree; somewhat' },
        { value: 0, text: 'Neither' },
        { value: 1, text: 'Agree = mostly' },
        { value: 2, text: 'Strongly agree' },
      ],
    },
    { type: 'boolean', name: 'supervises', title: 'Do you supervise trainees?' },
    { type: 'checkbox', name: 'settings', title: 'Where do you see patients?', choices: [{ value: 'ward', text: 'Ward' }, { value: 'clinic', text: 'Clinic' }] },
  )
  const checked = checkInstrument(json, 'test/labelled-demographics.json')
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return new InstrumentRegistry([...shippedInstruments().list().filter((i) => i.id !== 'demographics'), checked.instrument])
}

/** A Persian "other" text: it must come out of wide.csv and into R unchanged in any locale. */
export const persianOther = 'خودم توصیف می‌کنم'

/**
 * Two participants who answered `labelledDemographics` (deps must use it): P1 with the formula-like
 * workplace, −2, yes, both settings and a Persian "other" sex; P2 with empty sex and settings.
 */
export async function labelledCohort(deps: Deps) {
  const study = await createStudy(deps, { name: 'Labelled study' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group L' }, 'test')
  const csv = [
    'participant,wave,instrument,item,value',
    'P1,enrolment,demographics,sex,other',
    `P1,enrolment,demographics,sex-Comment,${persianOther}`,
    'P1,enrolment,demographics,workplace,=cmd',
    'P1,enrolment,demographics,supported,-2',
    'P1,enrolment,demographics,supervises,TRUE',
    'P1,enrolment,demographics,settings,ward;clinic',
    'P2,enrolment,demographics,age,40',
    'P2,enrolment,demographics,workplace,intensive_care',
    'P2,enrolment,demographics,supported,1',
    'P2,enrolment,demographics,supervises,false',
  ].join('\n')
  await importCohortCsv(deps, { cohortId: cohort.id, csv }, 'test')
  return { study, cohort }
}
