/**
 * Importing a long CSV of earlier answers into a cohort. Every test builds its own study and cohort
 * on a fresh in-memory database, imports a file written out in the test, and reads the rows back.
 * Expected scores are worked out by hand in the comments.
 */
import { describe, it, expect, vi } from 'vitest'
import { sql } from 'kysely'
import { ApiError } from '../../../../server/domain/errors'
import { importCohortCsv, type ImportProblem, type ImportSource } from '../../../../server/domain/outcomes/import'
import { checkInstrument, InstrumentRegistry, type Instrument } from '../../../../server/domain/instruments/registry'
import { addParticipants, createCohort, createStudy, setWave } from '../../../../server/domain/staff/setup'
import { findParticipant, insertConsent } from '../../../../server/db/repositories/participants'
import { exportFiles } from '../../../../server/domain/outcomes/exports'
import { recordConsent } from '../../../../server/domain/participation/journey'
import { shippedInstruments, testDeps } from '../../../helpers/app'
import { readExport } from '../../../helpers/export-cohort'
import { allowInsert, listTables, refuseInsert } from '../../../helpers/test-database'

type Deps = Awaited<ReturnType<typeof testDeps>>

const header = 'participant,wave,instrument,item,value'
const importedAt = '2026-03-02T09:00:00.000Z'

async function fixture(deps?: Deps) {
  const d = deps ?? (await testDeps())
  const study = await createStudy(d, { name: 'Balint pilot on paper' }, 'test')
  const cohort = await createCohort(d, { studyId: study.id, name: 'Group A', sessions: 0 }, 'test')
  return { deps: d, db: d.db, cohortId: cohort.id }
}

/** A CSV from data lines, header first. */
function csvOf(lines: string[]): string {
  return [header, ...lines].join('\n') + '\n'
}

/** Lines `code,wave,instrument,prefixN,value` for items 1…n; `null` writes an empty value (not answered). */
function itemLines(code: string, wave: string, instrument: string, prefix: string, values: (number | null)[]): string[] {
  return values.map((v, i) => `${code},${wave},${instrument},${prefix}${i + 1},${v ?? ''}`)
}

/**
 * Three participants, pre and post, PHQ-9 then GAD-7: 3 × 2 × (9 + 7) = 96 lines. Hand-computed totals:
 * - P1 pre:  PHQ-9 2+2+1+1+0+1+2+1+0 = 10 (Moderate, band 2);  GAD-7 1+1+2+0+1+1+0 = 6 (Mild, 1)
 * - P1 post: PHQ-9 1+1+0+0+0+1+1+0+0 = 4 (None–minimal, 0);    GAD-7 0+1+1+0+0+1+0 = 3 (Minimal, 0)
 * - P2 pre:  PHQ-9 items 3 and 7 empty: 3+2+2+1+2+1+1 = 12 over 7 items → 12 × 9 / 7 = 15.428… (Moderately severe, 3),
 *            item 9 = 1 raises the safety flag;                 GAD-7 2+2+2+1+1+2+1 = 11 (Moderate, 2)
 * - P2 post: PHQ-9 1×8 + 0 = 8 (Mild, 1);                       GAD-7 1×7 = 7 (Mild, 1)
 * - P3 pre:  PHQ-9 0 (None–minimal, 0);                         GAD-7 3×7 = 21 (Severe, 3)
 * - P3 post: PHQ-9 3×8 + 0 = 24 (Severe, 4);                    GAD-7 item 7 empty: 2×6 = 12 over 6 → 12 × 7 / 6 = 14 (Moderate, 2)
 */
function threeParticipantsFile(): string {
  return csvOf([
    ...itemLines('P1', 'pre', 'phq-9', 'phq9_', [2, 2, 1, 1, 0, 1, 2, 1, 0]),
    ...itemLines('P1', 'pre', 'gad-7', 'gad7_', [1, 1, 2, 0, 1, 1, 0]),
    ...itemLines('P1', 'post', 'phq-9', 'phq9_', [1, 1, 0, 0, 0, 1, 1, 0, 0]),
    ...itemLines('P1', 'post', 'gad-7', 'gad7_', [0, 1, 1, 0, 0, 1, 0]),
    ...itemLines('P2', 'pre', 'phq-9', 'phq9_', [3, 2, null, 2, 1, 2, null, 1, 1]),
    ...itemLines('P2', 'pre', 'gad-7', 'gad7_', [2, 2, 2, 1, 1, 2, 1]),
    ...itemLines('P2', 'post', 'phq-9', 'phq9_', [1, 1, 1, 1, 1, 1, 1, 1, 0]),
    ...itemLines('P2', 'post', 'gad-7', 'gad7_', [1, 1, 1, 1, 1, 1, 1]),
    ...itemLines('P3', 'pre', 'phq-9', 'phq9_', [0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ...itemLines('P3', 'pre', 'gad-7', 'gad7_', [3, 3, 3, 3, 3, 3, 3]),
    ...itemLines('P3', 'post', 'phq-9', 'phq9_', [3, 3, 3, 3, 3, 3, 3, 3, 0]),
    ...itemLines('P3', 'post', 'gad-7', 'gad7_', [2, 2, 2, 2, 2, 2, null]),
  ])
}

/** Row counts of every table in the database, migrations' own bookkeeping included. */
async function tableCounts(db: Deps['db']): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const name of await listTables(db, { withMigrations: true })) {
    const result = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(db)
    counts[name] = result.rows[0]!.n
  }
  return counts
}

/** Run an import that must fail with validation_failed; returns the error. */
async function importError(deps: Deps, cohortId: string, csv: ImportSource, dryRun = false): Promise<ApiError & { details: ImportProblem[] }> {
  const error = await importCohortCsv(deps, { cohortId, csv, dryRun }, 'test').then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ApiError)
  const apiError = error as ApiError
  expect(apiError.code).toBe('validation_failed')
  return apiError as ApiError & { details: ImportProblem[] }
}

async function storedScores(db: Deps['db']) {
  return db
    .selectFrom('scale_score')
    .innerJoin('response', 'response.id', 'scale_score.response_id')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .leftJoin('wave', 'wave.id', 'response.wave_id')
    .select(['participant.code', 'wave.kind', 'response.instrument_id', 'scale_score.score', 'scale_score.answered', 'scale_score.prorated', 'scale_score.band_index'])
    .orderBy('participant.code')
    // 'pre' before 'post': the imported waves open at the same instant, so their dates cannot order them.
    .orderBy('wave.kind', 'desc')
    .orderBy('response.instrument_id')
    .execute()
}

describe('importing a valid file', () => {
  it('creates the participants, the waves and completed, scored responses', async () => {
    const { deps, db, cohortId } = await fixture()
    const summary = await importCohortCsv(deps, { cohortId, csv: threeParticipantsFile() }, 'cli')

    // 96 lines, 3 of them empty (not answered): 93 answers in 12 forms.
    expect(summary).toEqual({
      cohortId,
      rows: 96,
      participants: { existing: 0, created: 3 },
      waves: { existing: 0, created: 2 },
      responses: 12,
      answers: 93,
      emptyForms: 0,
      safetyFlags: 1,
      dryRun: false,
    })

    const participants = await db.selectFrom('participant').select(['code', 'status', 'source', 'cohort_id']).orderBy('code').execute()
    expect(participants).toEqual(['P1', 'P2', 'P3'].map((code) => ({ code, status: 'active', source: 'import', cohort_id: cohortId })))
    // No links: imported participants have no page to open.
    expect(await db.selectFrom('participant_link').selectAll().execute()).toEqual([])

    // Open and closed at the moment of the import: never open to anyone.
    const waves = await db.selectFrom('wave').select(['kind', 'opens_at', 'closes_at', 'source']).orderBy('kind', 'desc').execute()
    expect(waves).toEqual([
      { kind: 'pre', opens_at: importedAt, closes_at: importedAt, source: 'import' },
      { kind: 'post', opens_at: importedAt, closes_at: importedAt, source: 'import' },
    ])
    const waveInstruments = await db
      .selectFrom('wave_instrument')
      .innerJoin('wave', 'wave.id', 'wave_instrument.wave_id')
      .select(['wave.kind', 'wave_instrument.position', 'wave_instrument.instrument_id'])
      .orderBy('wave.kind', 'desc')
      .orderBy('position')
      .execute()
    expect(waveInstruments).toEqual([
      { kind: 'pre', position: 0, instrument_id: 'phq-9' },
      { kind: 'pre', position: 1, instrument_id: 'gad-7' },
      { kind: 'post', position: 0, instrument_id: 'phq-9' },
      { kind: 'post', position: 1, instrument_id: 'gad-7' },
    ])

    const responses = await db.selectFrom('response').selectAll().execute()
    expect(responses).toHaveLength(12)
    for (const r of responses) {
      expect(r).toMatchObject({ status: 'complete', source: 'import', completed_at: importedAt, instrument_version: '1.0.0', client_id: null, revision: 1 })
    }

    // Answers are stored as the browser sends them: numbers for PHQ-9's numeric choices, and an
    // unanswered item is absent, not null.
    const p2 = await db.selectFrom('participant').select('id').where('code', '=', 'P2').executeTakeFirstOrThrow()
    const p2Pre = await db
      .selectFrom('response')
      .innerJoin('wave', 'wave.id', 'response.wave_id')
      .select('answers')
      .where('participant_id', '=', p2.id)
      .where('wave.kind', '=', 'pre')
      .where('instrument_id', '=', 'phq-9')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(p2Pre.answers)).toEqual({ phq9_1: 3, phq9_2: 2, phq9_4: 2, phq9_5: 1, phq9_6: 2, phq9_8: 1, phq9_9: 1 })

    const scores = await storedScores(db)
    const row = (code: string, kind: string, instrument: string, score: number, answered: number, band: number, prorated = 0) => ({
      code,
      kind,
      instrument_id: instrument,
      score,
      answered,
      prorated,
      band_index: band,
    })
    expect(scores).toEqual([
      row('P1', 'pre', 'gad-7', 6, 7, 1),
      row('P1', 'pre', 'phq-9', 10, 9, 2),
      row('P1', 'post', 'gad-7', 3, 7, 0),
      row('P1', 'post', 'phq-9', 4, 9, 0),
      row('P2', 'pre', 'gad-7', 11, 7, 2),
      row('P2', 'pre', 'phq-9', (12 * 9) / 7, 7, 3, 1),
      row('P2', 'post', 'gad-7', 7, 7, 1),
      row('P2', 'post', 'phq-9', 8, 9, 1),
      row('P3', 'pre', 'gad-7', 21, 7, 3),
      row('P3', 'pre', 'phq-9', 0, 9, 0),
      row('P3', 'post', 'gad-7', 14, 6, 2, 1),
      row('P3', 'post', 'phq-9', 24, 9, 4),
    ])
    expect(scores.find((s) => s.code === 'P2' && s.kind === 'pre' && s.instrument_id === 'phq-9')!.score).toBeCloseTo(15.428571, 5)

    // The same flags as a browser submit: PHQ-9 item 9 above 0, for P2 before the groups.
    const flags = await db.selectFrom('response_flag').select(['flag_id', 'item', 'value', 'severity']).execute()
    expect(flags).toEqual([{ flag_id: 'phq9-item9', item: 'phq9_9', value: 1, severity: 'safety' }])

    // One audit entry, with counts and never answers.
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'import.csv').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor: 'cli', entity: 'cohort', entity_id: cohortId })
    expect(JSON.parse(audit[0]!.details)).toEqual({
      rows: 96,
      participants: { existing: 0, created: 3 },
      waves: { existing: 0, created: 2 },
      responses: 12,
      answers: 93,
      emptyForms: 0,
      safetyFlags: 1,
    })
    expect(audit[0]!.details).not.toMatch(/phq9_|gad7_/)
  })

  it('refuses to import the same file twice: the answers are already completed', async () => {
    const { deps, db, cohortId } = await fixture()
    await importCohortCsv(deps, { cohortId, csv: threeParticipantsFile() }, 'test')
    const before = await tableCounts(db)

    const error = await importError(deps, cohortId, threeParticipantsFile())
    // One problem per form, at the form's first line: P1 pre PHQ-9 starts on line 2, its GAD-7 on line 11…
    expect(error.details).toHaveLength(12)
    expect(error.details[0]).toEqual({ line: 2, column: 'participant', message: expect.stringContaining('P1 already completed phq-9 in the pre wave') })
    expect(error.details[1]).toEqual({ line: 11, column: 'participant', message: expect.stringContaining('P1 already completed gad-7 in the pre wave') })
    expect(error.message).toBe(`line 2, column participant: ${error.details[0]!.message}`)
    expect(error.message).toContain('already completed')
    expect(await tableCounts(db)).toEqual(before)
  })

  it('with a dry run, checks everything, returns the same counts and writes nothing', async () => {
    const { deps, db, cohortId } = await fixture()
    const before = await tableCounts(db)
    const dry = await importCohortCsv(deps, { cohortId, csv: threeParticipantsFile(), dryRun: true }, 'test')
    expect(await tableCounts(db)).toEqual(before)

    const real = await importCohortCsv(deps, { cohortId, csv: threeParticipantsFile() }, 'test')
    expect(dry).toEqual({ ...real, dryRun: true })

    // A dry run of a file already imported finds the same problems a real run would.
    const error = await importError(deps, cohortId, threeParticipantsFile(), true)
    expect(error.details).toHaveLength(12)
  })

  it('tolerates a byte order mark, spaces around the header, Windows line ends and blank lines', async () => {
    const { deps, db, cohortId } = await fixture()
    const csv = `\uFEFF participant, wave ,instrument,item,value \r\n\r\nP1,pre,gad-7,gad7_1, 2 \r\n,,,,\r\nP1,pre,gad-7,gad7_2,"1"\r\n\r\n`
    const summary = await importCohortCsv(deps, { cohortId, csv }, 'test')
    expect(summary).toMatchObject({ rows: 2, responses: 1, answers: 2 })
    const response = await db.selectFrom('response').select('answers').executeTakeFirstOrThrow()
    expect(JSON.parse(response.answers)).toEqual({ gad7_1: 2, gad7_2: 1 })
    // 2 of 7 answered: below GAD-7's minimum of 6, so no score.
    expect(await storedScores(db)).toEqual([{ code: 'P1', kind: 'pre', instrument_id: 'gad-7', score: null, answered: 2, prorated: 0, band_index: null }])
  })

  it('stores demographics once, without a wave, typed as the form types them', async () => {
    const { deps, db, cohortId } = await fixture()
    const csv = csvOf([
      'P1,enrolment,demographics,age,34',
      'P1,enrolment,demographics,sex,other',
      'P1,enrolment,demographics,sex-Comment,"non-binary, prefers ""they"""',
      'P1,enrolment,demographics,years_in_practice,2.5',
      'P1,enrolment,demographics,workplace,intensive_care',
      'P1,enrolment,demographics,sleep_hours,',
    ])
    const summary = await importCohortCsv(deps, { cohortId, csv }, 'test')
    expect(summary).toMatchObject({ participants: { existing: 0, created: 1 }, waves: { existing: 0, created: 0 }, responses: 1, answers: 5 })
    const response = await db.selectFrom('response').selectAll().executeTakeFirstOrThrow()
    expect(response).toMatchObject({ wave_id: null, instrument_id: 'demographics', status: 'complete', source: 'import' })
    expect(JSON.parse(response.answers)).toEqual({
      age: 34,
      sex: 'other',
      'sex-Comment': 'non-binary, prefers "they"',
      years_in_practice: 2.5,
      workplace: 'intensive_care',
    })
    expect(await db.selectFrom('wave').selectAll().execute()).toEqual([])
    expect(await db.selectFrom('scale_score').selectAll().execute()).toEqual([])
  })

  it('reuses a participant code already in the cohort and adds to an existing wave', async () => {
    const { deps, db, cohortId } = await fixture()
    const [, p2] = await addParticipants(deps, { cohortId, count: 2 }, 'test')
    const pre = await setWave(deps, { cohortId, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
    const csv = csvOf([...itemLines('P2', 'pre', 'gad-7', 'gad7_', [1, 1, 1, 1, 1, 1, 1]), ...itemLines('P3', 'pre', 'gad-7', 'gad7_', [0, 0, 0, 0, 0, 0, 0])])

    const summary = await importCohortCsv(deps, { cohortId, csv }, 'test')
    expect(summary).toMatchObject({ participants: { existing: 1, created: 1 }, waves: { existing: 1, created: 0 }, responses: 2 })

    const participants = await db.selectFrom('participant').select(['id', 'code', 'status', 'source']).orderBy('code').execute()
    expect(participants.map((p) => p.code)).toEqual(['P1', 'P2', 'P3'])
    // P2 is the same participant, with their link; their answers are in, so they are active.
    expect(participants[1]).toEqual({ id: p2!.id, code: 'P2', status: 'active', source: 'link' })
    expect(participants[2]).toMatchObject({ code: 'P3', status: 'active', source: 'import' })
    expect(await db.selectFrom('participant_link').select('participant_id').where('participant_id', '=', p2!.id).execute()).toHaveLength(1)
    const gad7 = await db.selectFrom('response').select(['participant_id', 'wave_id']).execute()
    expect(gad7).toContainEqual({ participant_id: p2!.id, wave_id: pre.id })

    // The existing wave keeps its dates and source; GAD-7 is added after PHQ-9.
    expect(await db.selectFrom('wave').select(['id', 'opens_at', 'closes_at', 'source']).execute()).toEqual([
      { id: pre.id, opens_at: pre.opensAt, closes_at: pre.closesAt, source: 'link' },
    ])
    expect(await db.selectFrom('wave_instrument').select(['position', 'instrument_id']).orderBy('position').execute()).toEqual([
      { position: 0, instrument_id: 'phq-9' },
      { position: 1, instrument_id: 'gad-7' },
    ])
  })

  it('makes a participant added with a link active once their paper answers are imported, in wide.csv too', async () => {
    const { deps, db, cohortId } = await fixture()
    const [, p2] = await addParticipants(deps, { cohortId, count: 3 }, 'test')
    await db.updateTable('participant').set({ status: 'consented' }).where('id', '=', p2!.id).execute()
    const statuses = async () => (await db.selectFrom('participant').select(['code', 'status']).orderBy('code').execute()).map((p) => [p.code, p.status])
    // P3's form came back blank: nothing of theirs is stored, so they have not begun.
    const csv = csvOf([
      ...itemLines('P1', 'pre', 'gad-7', 'gad7_', [1, 1, 1, 1, 1, 1, 1]),
      ...itemLines('P2', 'pre', 'gad-7', 'gad7_', [0, 1, 0, 1, 0, 1, 0]),
      ...itemLines('P3', 'pre', 'gad-7', 'gad7_', [null, null, null, null, null, null, null]),
    ])

    // A dry run is rolled back whole: statuses as they were.
    await importCohortCsv(deps, { cohortId, csv, dryRun: true }, 'test')
    expect(await statuses()).toEqual([['P1', 'invited'], ['P2', 'consented'], ['P3', 'invited']])

    await importCohortCsv(deps, { cohortId, csv }, 'test')
    expect(await statuses()).toEqual([['P1', 'active'], ['P2', 'active'], ['P3', 'invited']])
    const wide = await readExport((await exportFiles(deps, cohortId)).find((f) => f.name === 'wide.csv')!)
    expect(wide.split('\n').slice(1, 4).map((line) => line.split(',').slice(0, 2))).toEqual([['P1', 'active'], ['P2', 'active'], ['P3', 'invited']])

    // P1 then agrees at their link (found by a review: consenting set "consented", "has not begun",
    // over an active participant's status, as it did after a new consent text for one who had answered).
    const p1 = await db.selectFrom('participant').select('id').where('cohort_id', '=', cohortId).where('code', '=', 'P1').executeTakeFirstOrThrow()
    await recordConsent(deps, (await findParticipant(db, p1.id))!, { version: deps.instruments.get('consent')!.version, answers: { consent: 'agree' } })
    expect(await statuses()).toEqual([['P1', 'active'], ['P2', 'active'], ['P3', 'invited']])
  })

  it('stores nothing for a form with every item empty, but counts it', async () => {
    const { deps, db, cohortId } = await fixture()
    const csv = csvOf([...itemLines('P1', 'pre', 'gad-7', 'gad7_', [1, 1, 1, 1, 1, 1, 1]), ...itemLines('P1', 'post', 'gad-7', 'gad7_', [null, null, null, null, null, null, null])])
    const summary = await importCohortCsv(deps, { cohortId, csv }, 'test')
    expect(summary).toMatchObject({ rows: 14, responses: 1, emptyForms: 1, waves: { existing: 0, created: 2 } })
    expect(await db.selectFrom('response').selectAll().execute()).toHaveLength(1)
  })

  it('imports a 2,000-line file in one transaction', async () => {
    const { deps, db, cohortId } = await fixture()
    // 125 participants × (9 PHQ-9 + 7 GAD-7 lines) = 2,000 lines.
    const lines: string[] = []
    for (let p = 1; p <= 125; p++) {
      lines.push(...itemLines(`P${p}`, 'pre', 'phq-9', 'phq9_', [1, 1, 1, 1, 1, 1, 1, 1, 0]))
      lines.push(...itemLines(`P${p}`, 'pre', 'gad-7', 'gad7_', [2, 2, 2, 2, 2, 2, 2]))
    }
    expect(lines).toHaveLength(2000)

    // First, prove that every write is in the one transaction: when the very last write (the audit
    // entry) fails, nothing at all is left behind.
    const before = await tableCounts(db)
    await refuseInsert(db, 'audit_log', `new.action = 'import.csv'`, 'refused by test')
    await expect(importCohortCsv(deps, { cohortId, csv: csvOf(lines) }, 'test')).rejects.toThrow('refused by test')
    await allowInsert(db, 'audit_log')
    expect(await tableCounts(db)).toEqual(before)

    const transaction = vi.spyOn(deps.db, 'transaction')
    const summary = await importCohortCsv(deps, { cohortId, csv: csvOf(lines) }, 'test')
    expect(transaction).toHaveBeenCalledTimes(1)
    transaction.mockRestore()
    expect(summary).toMatchObject({ rows: 2000, participants: { existing: 0, created: 125 }, responses: 250, answers: 2000 })
    expect(await db.selectFrom('response').select('id').execute()).toHaveLength(250)
    // PHQ-9 8 and GAD-7 14 for everyone.
    const totals = await db.selectFrom('scale_score').select('score').distinct().orderBy('score').execute()
    expect(totals).toEqual([{ score: 8 }, { score: 14 }])
  })
})

describe('a file read as it arrives', () => {
  /**
   * P1's PHQ-9 at pre split: items 1–5 first, then 600 other participants' forms (more than one batch
   * of writes, in a chunk of their own), then items 6–9. Total 2+2+1+1+0+1+2+1+0 = 10.
   */
  async function* splitForm() {
    const p1 = itemLines('P1', 'pre', 'phq-9', 'phq9_', [2, 2, 1, 1, 0, 1, 2, 1, 0])
    const others: string[] = []
    for (let p = 2; p <= 601; p++) others.push(...itemLines(`P${p}`, 'pre', 'gad-7', 'gad7_', [1, 1, 1, 1, 1, 1, 1]))
    yield csvOf(p1.slice(0, 5))
    yield `${others.join('\n')}\n`
    yield `${p1.slice(5).join('\n')}\n`
  }

  it('writes forms while reading, and reads back a written form whose lines come again later', async () => {
    const { deps, db, cohortId } = await fixture()
    // The split form is written in the first batch, read back when its lines return, and stored once, whole.
    const summary = await importCohortCsv(deps, { cohortId, csv: splitForm() }, 'test')
    expect(summary).toMatchObject({ rows: 9 + 600 * 7, participants: { existing: 0, created: 601 }, responses: 601, answers: 9 + 600 * 7, emptyForms: 0 })
    const p1Responses = await db
      .selectFrom('response')
      .innerJoin('participant', 'participant.id', 'response.participant_id')
      .innerJoin('scale_score', 'scale_score.response_id', 'response.id')
      .select(['response.answers', 'scale_score.score'])
      .where('participant.code', '=', 'P1')
      .execute()
    expect(p1Responses).toHaveLength(1)
    expect(p1Responses[0]!.score).toBe(10)
    expect(Object.keys(JSON.parse(p1Responses[0]!.answers) as object)).toHaveLength(9)
    expect(await db.selectFrom('response').select('id').execute()).toHaveLength(601)
  })

  it('in a dry run, writes and reads back a split form as an import does, inside a transaction it then rolls back', async () => {
    const { deps, db, cohortId } = await fixture()
    const before = await tableCounts(db)
    const dry = await importCohortCsv(deps, { cohortId, csv: splitForm(), dryRun: true }, 'test')
    expect(dry).toMatchObject({ rows: 9 + 600 * 7, participants: { existing: 0, created: 601 }, waves: { existing: 0, created: 1 }, responses: 601, answers: 9 + 600 * 7, dryRun: true })
    expect(await tableCounts(db)).toEqual(before)
    // The import that follows finds nothing left behind by the dry run, and counts the same.
    expect(await importCohortCsv(deps, { cohortId, csv: splitForm() }, 'test')).toEqual({ ...dry, dryRun: false })
  })

  it('reports a form split across the file once, with an item given twice across the split', async () => {
    const { deps, db, cohortId } = await fixture()
    const before = await tableCounts(db)
    const others: string[] = []
    for (let p = 2; p <= 601; p++) others.push(...itemLines(`P${p}`, 'pre', 'gad-7', 'gad7_', [1, 1, 1, 1, 1, 1, 1]))
    async function* chunks() {
      yield csvOf(itemLines('P1', 'pre', 'phq-9', 'phq9_', [2, 2, 1, 1, 0, 1, 2, 1, 0]))
      yield `${others.join('\n')}\n`
      yield 'P1,pre,phq-9,phq9_3,0\n'
    }
    const error = await importError(deps, cohortId, chunks())
    expect(error.details).toEqual([{ line: 4211, column: 'item', message: '"phq9_3" of P1, pre, phq-9 is given twice: on lines 4 and 4211' }])
    expect(await tableCounts(db)).toEqual(before)
  })

  it('names the right earlier line of a written form whose items were not one a line in order (a blank line, items swapped)', async () => {
    const { deps, db, cohortId } = await fixture()
    const before = await tableCounts(db)
    const others: string[] = []
    for (let p = 2; p <= 601; p++) others.push(...itemLines(`P${p}`, 'pre', 'gad-7', 'gad7_', [1, 1, 1, 1, 1, 1, 1]))
    const p1 = itemLines('P1', 'pre', 'phq-9', 'phq9_', [2, 2, 1, 1, 0, 1, 2, 1, 0])
    // Lines 2–3: items 1 and 2; line 4 blank; lines 5–6: items 4 and 3 (swapped); lines 7–11: items 5–9.
    const first = [...p1.slice(0, 2), '', p1[3]!, p1[2]!, ...p1.slice(4)]
    async function* chunks() {
      yield csvOf(first)
      yield `${others.join('\n')}\n`
      yield 'P1,pre,phq-9,phq9_3,0\nP1,pre,phq-9,phq9_4,0\nP1,pre,phq-9,phq9_9,1\n'
    }
    const error = await importError(deps, cohortId, chunks())
    const last = 11 + 600 * 7
    expect(error.details).toEqual([
      { line: last + 1, column: 'item', message: `"phq9_3" of P1, pre, phq-9 is given twice: on lines 6 and ${last + 1}` },
      { line: last + 2, column: 'item', message: `"phq9_4" of P1, pre, phq-9 is given twice: on lines 5 and ${last + 2}` },
      { line: last + 3, column: 'item', message: `"phq9_9" of P1, pre, phq-9 is given twice: on lines 11 and ${last + 3}` },
    ])
    expect(await tableCounts(db)).toEqual(before)
  })
})

describe('a file with problems', () => {
  it('names the line and column of every problem, and writes nothing at all', async () => {
    const { deps, db, cohortId } = await fixture()
    const csv = csvOf([
      /* 2 */ 'P1,pre,phq-9,phq9_1,1',
      /* 3 */ 'P1,during,phq-9,phq9_2,1',
      /* 4 */ 'P1,pre,phq-99,phq9_3,1',
      /* 5 */ 'P1,pre,phq-9,phq9_10,1',
      /* 6 */ 'P1,pre,phq-9,phq9_4,4',
      /* 7 */ 'P1,pre,phq-9,phq9_5,two',
      /* 8 */ 'P1,pre,phq-9,phq9_1,2',
      /* 9 */ 'P1,enrolment,demographics,age,17',
      /* 10 */ 'P1,pre,phq-9,phq9_6,0',
    ])
    const before = await tableCounts(db)
    const error = await importError(deps, cohortId, csv)
    expect(error.details).toEqual([
      { line: 3, column: 'wave', message: expect.stringContaining('"during" is not a wave') },
      { line: 4, column: 'instrument', message: expect.stringContaining('"phq-99" is not a loaded instrument') },
      { line: 5, column: 'item', message: '"phq9_10" is not a question of phq-9' },
      { line: 6, column: 'value', message: 'must be one of 0, 1, 2, 3 (the file has "4")' },
      { line: 7, column: 'value', message: '"two" is not a number; it must be one of 0, 1, 2, 3' },
      { line: 8, column: 'item', message: '"phq9_1" of P1, pre, phq-9 is given twice: on lines 2 and 8' },
      { line: 9, column: 'value', message: expect.stringMatching(/18.*\(the file has "17"\)$/) },
    ])
    expect(error.message).toBe(`line 3, column wave: ${error.details[0]!.message}`)
    expect(await tableCounts(db)).toEqual(before)

    // A dry run reports exactly the same.
    expect((await importError(deps, cohortId, csv, true)).details).toEqual(error.details)
  })

  it('refuses a participant code with a line break, a tab or another control character in it, and writes nothing', async () => {
    // A code is written into every export (CSV, SPSS syntax, REFI-QDA's XML) and shown on the staff
    // pages: a line break inside a quoted code would split a row there. Line 2's record spans lines 2–3.
    const { deps, db, cohortId } = await fixture()
    const csv = csvOf([
      /* 2–3 */ '"P\n1",pre,phq-9,phq9_1,1',
      /* 4 */ '"P\t2",pre,phq-9,phq9_1,1',
      /* 5 */ '"P3\u0000",pre,phq-9,phq9_1,1',
      /* 6 */ '"P4\u0085",pre,phq-9,phq9_1,1',
      /* 7 */ 'P5,pre,phq-9,phq9_1,1',
    ])
    const before = await tableCounts(db)
    const error = await importError(deps, cohortId, csv)
    // The message shows the code with the character escaped (U+0085 and U+2028 would break its line).
    const refused = (shown: string, point: string) => `${shown} holds a line break, tab or other control character (${point}): a participant code is letters, digits and punctuation on one line`
    expect(error.details).toEqual([
      { line: 2, column: 'participant', message: refused('"P\\n1"', 'U+000A') },
      { line: 4, column: 'participant', message: refused('"P\\t2"', 'U+0009') },
      { line: 5, column: 'participant', message: refused('"P3\\u0000"', 'U+0000') },
      { line: 6, column: 'participant', message: refused('"P4\\u0085"', 'U+0085') },
    ])
    expect(await tableCounts(db)).toEqual(before)
  })

  it('refuses a code that only looks like a withdrawn participant\'s, and writes nothing', async () => {
    // Found by a review: P2 withdrew, and a row for "P2" with a zero-width space after it made a new
    // participant who looks exactly like P2 on every page and export, holding P2's answers again.
    const { deps, db, cohortId } = await fixture()
    const [, p2] = await addParticipants(deps, { cohortId, count: 2 }, 'test')
    await db.updateTable('participant').set({ status: 'withdrawn', withdrawn_at: '2026-03-01T10:00:00.000Z' }).where('id', '=', p2!.id).execute()
    const before = await tableCounts(db)
    const hidden = (shown: string, point: string) => `${shown} holds ${point}, a character nobody sees (zero-width, formatting or direction): the code would look like another one`
    const looksLikeP2 = (shown: string) => `${shown} looks the same as "P2" (the cohort) but is written with other characters (letters or digits of another script or form that look alike): use one spelling`
    const error = await importError(
      deps,
      cohortId,
      csvOf([
        /* 2 */ 'P2\u200B,enrolment,demographics,age,40',
        /* 3 */ 'P2\u2060,enrolment,demographics,age,40',
        /* 4 */ 'P\u00AD2,enrolment,demographics,age,40',
        /* 5 */ 'P2\u200E,enrolment,demographics,age,40',
        /* 6 */ 'P\u202E2,enrolment,demographics,age,40',
        /* 7 */ 'P2\u{E0041},enrolment,demographics,age,40',
        /* 8 */ 'P2\u0301,enrolment,demographics,age,40',
        /* 9 */ 'P\uFFFE2,enrolment,demographics,age,40',
        /* 10 */ 'P\u00A02,enrolment,demographics,age,40',
        /* 11 */ '\uFF30\uFF12,enrolment,demographics,age,40',
        /* 12 */ '\u04202,enrolment,demographics,age,40',
        /* 13 */ 'p2,enrolment,demographics,age,40',
        // A byte-order mark or no-break space around the code is trimmed: that is P2 itself.
        /* 14 */ '"\u00A0P2\uFEFF",enrolment,demographics,age,40',
        // Found by a second review: a joiner at the end, a blank Braille pattern, P with a Persian two.
        /* 15 */ 'P2\u200C,enrolment,demographics,age,40',
        /* 16 */ 'P2\u2800,enrolment,demographics,age,40',
        /* 17 */ 'P\u06F2,enrolment,demographics,age,40',
      ]),
    )
    expect(error.details).toEqual([
      { line: 2, column: 'participant', message: hidden('"P2\\u200B"', 'U+200B') },
      { line: 3, column: 'participant', message: hidden('"P2\\u2060"', 'U+2060') },
      { line: 4, column: 'participant', message: hidden('"P\\u00AD2"', 'U+00AD') },
      { line: 5, column: 'participant', message: hidden('"P2\\u200E"', 'U+200E') },
      { line: 6, column: 'participant', message: hidden('"P\\u202E2"', 'U+202E') },
      { line: 7, column: 'participant', message: hidden('"P2\\u{E0041}"', 'U+E0041') },
      { line: 8, column: 'participant', message: '"P2\\u0301" holds a combining mark (U+0301) with no letter of its own: the code would look like another one' },
      { line: 9, column: 'participant', message: '"P\\uFFFE2" holds U+FFFE, which is not a character (unassigned, private use, a noncharacter or half of an emoji)' },
      { line: 10, column: 'participant', message: '"P\\u00A02" holds U+00A0, a space other than the ordinary one (U+0020): the code would look like another one' },
      { line: 11, column: 'participant', message: looksLikeP2('"\uFF30\uFF12"') },
      { line: 12, column: 'participant', message: looksLikeP2('"\u04202"') },
      { line: 13, column: 'participant', message: '"p2" differs from "P2" (the cohort) only in upper and lower case: use one spelling' },
      { line: 14, column: 'participant', message: 'P2 has withdrawn from the study: nothing more is stored for them' },
      {
        line: 15,
        column: 'participant',
        message: '"P2\\u200C" holds U+200C, a zero-width joiner or non-joiner, where it joins no two letters of Persian or Arabic script: there nobody sees it',
      },
      { line: 16, column: 'participant', message: hidden('"P2\\u2800"', 'U+2800') },
      { line: 17, column: 'participant', message: looksLikeP2('"P\u06F2"') },
    ])
    expect(await tableCounts(db)).toEqual(before)
  })

  it('takes a code as one participant however its letters are encoded, and refuses a Persian code typed with Arabic letters', async () => {
    const { deps, db, cohortId } = await fixture()
    const [p1, p2] = await addParticipants(deps, { cohortId, count: 2 }, 'test')
    // Codes a team gave on paper: "Café" (é as one character) and "علی۱" (Persian yeh).
    await db.updateTable('participant').set({ code: 'Caf\u00E9' }).where('id', '=', p1!.id).execute()
    await db.updateTable('participant').set({ code: '\u0639\u0644\u06CC\u06F1' }).where('id', '=', p2!.id).execute()
    const before = await tableCounts(db)

    // Written with an Arabic yeh (U+064A), as an Arabic keyboard types it: it looks the same.
    const error = await importError(deps, cohortId, csvOf(['\u0639\u0644\u064A\u06F1,enrolment,demographics,age,40']))
    expect(error.details).toEqual([
      {
        line: 2,
        column: 'participant',
        message: '"\u0639\u0644\u064A\u06F1" looks the same as "\u0639\u0644\u06CC\u06F1" (the cohort) but is written with other characters (letters or digits of another script or form that look alike): use one spelling',
      },
    ])
    expect(await tableCounts(db)).toEqual(before)

    // "Cafe" and a combining accent (as macOS writes names) is Café; a ZWNJ in a Persian code is kept.
    const persian = '\u0645\u06CC\u200C\u0631\u0648\u06F2'
    const report = await importCohortCsv(deps, { cohortId, csv: csvOf(['Cafe\u0301,enrolment,demographics,age,40', `${persian},enrolment,demographics,age,41`]) }, 'test')
    expect(report.participants).toEqual({ existing: 1, created: 1 })
    const codes = (await db.selectFrom('participant').select('code').where('cohort_id', '=', cohortId).orderBy('code').execute()).map((r) => r.code)
    expect(codes).toEqual(['Caf\u00E9', '\u0639\u0644\u06CC\u06F1', persian].sort())
  })

  it('refuses a Persian code with its digit before its letters, which a left-to-right page shows as a withdrawn participant\'s', async () => {
    // Found by a security review: "۲علی" (digit first) and "علی۲" are both drawn ۲یلع in a
    // left-to-right page (the Unicode Bidirectional Algorithm reorders them), and the row made a new
    // participant who looks like the withdrawn one.
    const { deps, db, cohortId } = await fixture()
    const [, p2] = await addParticipants(deps, { cohortId, count: 2 }, 'test')
    await db
      .updateTable('participant')
      .set({ code: '\u0639\u0644\u06CC\u06F2', status: 'withdrawn', withdrawn_at: '2026-03-01T10:00:00.000Z' })
      .where('id', '=', p2!.id)
      .execute()
    const before = await tableCounts(db)

    const error = await importError(deps, cohortId, csvOf(['\u06F2\u0639\u0644\u06CC,enrolment,demographics,age,40']))
    expect(error.details).toEqual([
      {
        line: 2,
        column: 'participant',
        message:
          '"\u06F2\u0639\u0644\u06CC" looks the same as "\u0639\u0644\u06CC\u06F2" (the cohort) but holds the same characters in another order (a page reorders text that mixes right-to-left and left-to-right): use one spelling',
      },
    ])
    expect(await tableCounts(db)).toEqual(before)
  })

  it('counts a code\'s length in characters, so that an emoji is one', async () => {
    const { deps, cohortId } = await fixture()
    const longest = '\u{1F600}'.repeat(64)
    const report = await importCohortCsv(deps, { cohortId, csv: csvOf([`${longest},enrolment,demographics,age,40`]), dryRun: true }, 'test')
    expect(report.participants).toEqual({ existing: 0, created: 1 })
    const error = await importError(deps, cohortId, csvOf([`${longest}x,enrolment,demographics,age,40`]))
    expect(error.details).toEqual([{ line: 2, column: 'participant', message: `"${longest}x" is 65 characters long; a participant code has at most 64` }])
  })

  it('refuses a file whose header is not participant,wave,instrument,item,value, and reads no further', async () => {
    const { deps, db, cohortId } = await fixture()
    const before = await tableCounts(db)
    const renamed = await importError(deps, cohortId, 'participant,wave,scale,item,value\nP1,pre,phq-9,phq9_1,1\n')
    expect(renamed.details).toEqual([{ line: 1, column: 'instrument', message: expect.stringContaining('column 3 is "scale", not "instrument"') }])

    const short = await importError(deps, cohortId, 'participant,wave,instrument,item\nP1,pre,phq-9,phq9_1\n')
    expect(short.details).toEqual([{ line: 1, column: 'value', message: expect.stringContaining('"value" is missing') }])

    const empty = await importError(deps, cohortId, '')
    expect(empty.details).toEqual([{ line: 1, column: 'participant', message: expect.stringContaining('the file is empty') }])

    const headerOnly = await importError(deps, cohortId, `${header}\n`)
    expect(headerOnly.details).toEqual([{ line: 2, column: 'participant', message: 'the file has a header but no data lines' }])
    expect(await tableCounts(db)).toEqual(before)
  })

  it('reports a line with too few or too many fields, or a stray quote, and goes on to the next', async () => {
    const { deps, cohortId } = await fixture()
    const csv = csvOf([
      /* 2 */ 'P1,pre,phq-9,phq9_1',
      /* 3 */ 'P1,pre,phq-9,phq9_2,1,extra',
      /* 4 */ 'P1,pre,phq-9,phq9_3,1"',
      /* 5 */ 'P1,pre,phq-9,phq9_4,9',
    ])
    const error = await importError(deps, cohortId, csv)
    expect(error.details).toEqual([
      { line: 2, column: 'value', message: expect.stringContaining('is missing: the line has 4 fields') },
      { line: 3, column: 'value', message: expect.stringContaining('the line has 6 fields, not 5') },
      { line: 4, column: 'value', message: expect.stringMatching(/quote/i) },
      { line: 5, column: 'value', message: 'must be one of 0, 1, 2, 3 (the file has "9")' },
    ])
  })

  it('refuses forms that do not belong where the file puts them', async () => {
    const { deps, cohortId } = await fixture()
    const csv = csvOf([
      /* 2 */ 'P1,pre,demographics,age,40',
      /* 3 */ 'P1,enrolment,phq-9,phq9_1,1',
      /* 4 */ 'P1,pre,consent,consent,agree',
      /* 5 */ ',pre,phq-9,phq9_1,1',
      /* 6 */ 'P1,,phq-9,phq9_1,1',
      /* 7 */ 'P1,pre,gad-7,gad7_1,NA',
    ])
    const error = await importError(deps, cohortId, csv)
    expect(error.details).toEqual([
      { line: 2, column: 'wave', message: '"demographics" is asked once, not in a wave: use the wave "enrolment"' },
      { line: 3, column: 'instrument', message: expect.stringContaining('"phq-9" is not an enrolment form') },
      { line: 4, column: 'instrument', message: expect.stringContaining('consent form') },
      { line: 5, column: 'participant', message: expect.stringContaining('is empty') },
      { line: 6, column: 'wave', message: expect.stringContaining('is empty') },
      { line: 7, column: 'value', message: expect.stringContaining('leave the value empty for an unanswered item') },
    ])
  })

  it('lists at most 100 problems, in line order, and says how many there were', async () => {
    const { deps, cohortId } = await fixture()
    const lines = Array.from({ length: 150 }, (_, i) => `P${i + 1},pre,phq-9,phq9_1,7`)
    const error = await importError(deps, cohortId, csvOf(lines))
    expect(error.details).toHaveLength(100)
    expect(error.details.map((p) => p.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2))
    expect(error.message).toContain('150 problems in all')
  })

  it('refuses to overwrite a form begun or completed at a link, or to add to a withdrawn participant', async () => {
    const { deps, db, cohortId } = await fixture()
    const [p1, p2] = await addParticipants(deps, { cohortId, count: 2 }, 'test')
    const pre = await setWave(deps, { cohortId, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
    const at = '2026-03-01T10:00:00.000Z'
    await db
      .insertInto('response')
      .values({ id: 'draft-1', participant_id: p1!.id, wave_id: pre.id, instrument_id: 'phq-9', instrument_version: '1.0.0', answers: '{"phq9_1":1}', status: 'draft', revision: 1, client_id: null, source: 'link', started_at: at, updated_at: at, completed_at: null })
      .execute()
    await db.updateTable('participant').set({ status: 'withdrawn', withdrawn_at: at }).where('id', '=', p2!.id).execute()
    const before = await tableCounts(db)

    const error = await importError(deps, cohortId, csvOf(['P1,pre,phq-9,phq9_1,2', 'P2,pre,phq-9,phq9_1,2', 'p3,pre,phq-9,phq9_1,2', 'P3,pre,phq-9,phq9_1,2']))
    expect(error.details).toEqual([
      { line: 2, column: 'participant', message: expect.stringContaining('P1 has begun phq-9 in the pre wave') },
      { line: 3, column: 'participant', message: 'P2 has withdrawn from the study: nothing more is stored for them' },
      { line: 5, column: 'participant', message: '"P3" differs from "p3" (line 4) only in upper and lower case: use one spelling' },
    ])
    expect(await tableCounts(db)).toEqual(before)
  })

  it('imports for a participant who declined at their link and agreed there later', async () => {
    const { deps, db, cohortId } = await fixture()
    const [p1] = await addParticipants(deps, { cohortId, count: 1 }, 'test')
    const consent = { participantId: p1!.id, instrumentId: 'consent', instrumentVersion: '1', answers: {} }
    await insertConsent(db, { ...consent, decision: 'decline' }, new Date('2026-03-01T10:00:00Z'))
    await expect(importCohortCsv(deps, { cohortId, csv: csvOf(['P1,pre,phq-9,phq9_1,2']) }, 'test')).rejects.toMatchObject({
      details: [{ line: 2, column: 'participant', message: 'P1 declined to take part at their link: nothing is stored for them unless they agree there first' }],
    })
    await insertConsent(db, { ...consent, decision: 'agree' }, new Date('2026-03-02T10:00:00Z'))
    expect(await importCohortCsv(deps, { cohortId, csv: csvOf(['P1,pre,phq-9,phq9_1,2']) }, 'test')).toMatchObject({ responses: 1 })
  })

  it('refuses an unknown cohort', async () => {
    const deps = await testDeps()
    await expect(importCohortCsv(deps, { cohortId: 'no-such-cohort', csv: threeParticipantsFile() }, 'test')).rejects.toMatchObject({ code: 'not_found' })
  })
})

describe('the answers stored (issue 16: zod is not run on forms it surely accepts)', () => {
  it('stores exactly what completeSchema gives: its items in its order, whatever the file order, typed as the form types them', async () => {
    const { deps, db, cohortId } = await fixture()
    const phq9 = itemLines('P1', 'pre', 'phq-9', 'phq9_', [2, 2, 1, 1, 0, 1, 2, 1, 0])
    const lines = [
      // Reversed, and the optional difficulty item first.
      'P1,pre,phq-9,phq9_difficulty,1',
      ...phq9.reverse(),
      // Item 3 left empty and item 7 not in the file at all (both optional), the rest shuffled.
      ...itemLines('P2', 'pre', 'phq-9', 'phq9_', [3, 2, null, 1, 2, 1, 1, 0, 1]).filter((l) => !l.includes('phq9_7,')).sort(),
      ...itemLines('P1', 'pre', 'gad-7', 'gad7_', [1, 1, 2, 0, 1, 1, 0]),
    ]
    await importCohortCsv(deps, { cohortId, csv: csvOf(lines) }, 'test')
    const stored = await db.selectFrom('response').innerJoin('participant', 'participant.id', 'response.participant_id').select(['participant.code', 'response.instrument_id', 'response.answers']).orderBy('participant.code').orderBy('response.instrument_id').execute()
    expect(stored.map((r) => [r.code, r.instrument_id])).toEqual([['P1', 'gad-7'], ['P1', 'phq-9'], ['P2', 'phq-9']])
    for (const r of stored) {
      const given = JSON.parse(r.answers) as Record<string, unknown>
      // The same text completeSchema gives back for these answers: its keys in its order.
      expect(r.answers).toBe(JSON.stringify(deps.instruments.get(r.instrument_id)!.completeSchema.parse(given)))
    }
    expect(JSON.parse(stored[1]!.answers)).toEqual({ phq9_1: 2, phq9_2: 2, phq9_3: 1, phq9_4: 1, phq9_5: 0, phq9_6: 1, phq9_7: 2, phq9_8: 1, phq9_9: 0, phq9_difficulty: 1 })
    expect(Object.keys(JSON.parse(stored[1]!.answers) as object)[0]).toBe('phq9_1')
    expect(JSON.parse(stored[2]!.answers)).toEqual({ phq9_1: 3, phq9_2: 2, phq9_4: 1, phq9_5: 2, phq9_6: 1, phq9_8: 0, phq9_9: 1 })
  })

  it('still refuses, with zod\'s message and the line, a choice that is not one, once it has accepted others for the same item', async () => {
    const { deps, cohortId } = await fixture()
    const lines = [...itemLines('P1', 'pre', 'phq-9', 'phq9_', [2, 2, 1, 1, 0, 1, 2, 1, 0]), ...itemLines('P2', 'pre', 'phq-9', 'phq9_', [2, 2, 7, 1, 0, 1, 2, 1, 0])]
    const error = await importError(deps, cohortId, csvOf(lines))
    expect(error.details).toEqual([{ line: 13, column: 'value', message: 'must be one of 0, 1, 2, 3 (the file has "7")' }])
  })
})

describe('value conversion', () => {
  /** A team's own questionnaire with a checkbox, a yes/no and a scored rating. */
  function habits(): Instrument {
    const result = checkInstrument(
      {
        id: 'habits',
        version: '1.0.0',
        kind: 'questionnaire',
        title: 'Habits',
        citation: 'test',
        licence: { name: 'test', itemTextMayBeReproduced: true, source: 'test' },
        survey: {
          pages: [
            {
              name: 'p',
              elements: [
                { type: 'rating', name: 'energy', rateMin: 1, rateMax: 5 },
                { type: 'checkbox', name: 'sports', choices: ['run', 'swim', 'cycle'] },
                { type: 'boolean', name: 'smoker' },
              ],
            },
          ],
        },
        scoring: {
          scales: [{ id: 'energy', label: 'Energy', items: ['energy'], itemRange: { min: 1, max: 5 }, method: 'sum', range: { min: 1, max: 5 }, minAnswered: 1, prorate: false, missingRule: 'one item', direction: 'higher-is-better' }],
        },
      },
      'habits.json',
    )
    if (!result.ok) throw new Error(JSON.stringify(result.problems))
    return result.instrument
  }

  async function habitsDeps() {
    const deps = await testDeps()
    const instruments = new InstrumentRegistry([...shippedInstruments().list(), habits()])
    return fixture({ ...deps, instruments })
  }

  it('splits checkbox values on ";" and reads true and false in any case', async () => {
    const { deps, db, cohortId } = await habitsDeps()
    const csv = csvOf(['P1,pre,habits,energy,4', 'P1,pre,habits,sports,run; cycle', 'P1,pre,habits,smoker,FALSE', 'P2,pre,habits,smoker,true'])
    await importCohortCsv(deps, { cohortId, csv }, 'test')
    const rows = await db.selectFrom('response').innerJoin('participant', 'participant.id', 'response.participant_id').select(['code', 'answers']).orderBy('code').execute()
    expect(rows.map((r) => [r.code, JSON.parse(r.answers)])).toEqual([
      ['P1', { energy: 4, sports: ['run', 'cycle'], smoker: false }],
      ['P2', { smoker: true }],
    ])
    // NULLs sort first on SQLite and last on PostgreSQL unless the query says.
    expect(await db.selectFrom('scale_score').select(['score', 'answered']).orderBy('score', (ob) => ob.asc().nullsFirst()).execute()).toEqual([
      { score: null, answered: 0 },
      { score: 4, answered: 1 },
    ])
  })

  it('refuses a checkbox value that is not a choice and a yes/no that is neither true nor false', async () => {
    const { deps, cohortId } = await habitsDeps()
    const error = await importError(deps, cohortId, csvOf(['P1,pre,habits,sports,run;ski', 'P1,pre,habits,smoker,yes', 'P1,pre,habits,energy,6']))
    expect(error.details).toEqual([
      { line: 2, column: 'value', message: expect.stringContaining('each value must be one of "run", "swim", "cycle"') },
      { line: 3, column: 'value', message: 'must be true or false, not "yes"' },
      { line: 4, column: 'value', message: 'must be one of 1, 2, 3, 4, 5 (the file has "6")' },
    ])
  })
})

describe('importing a streamed file (issue 16)', () => {
  /** The text cut into small byte chunks, as a file stream delivers it: CRLFs and UTF-8 characters split across chunks. */
  async function* chunked(text: string, size = 7): AsyncGenerator<Buffer> {
    const bytes = Buffer.from(text, 'utf8')
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
  }

  it('imports what the same text imports, read as it arrives in chunks', async () => {
    const whole = await fixture()
    const streamed = await fixture()
    const csv = threeParticipantsFile().replace(/\n/g, '\r\n')
    const a = await importCohortCsv(whole.deps, { cohortId: whole.cohortId, csv }, 'test')
    const b = await importCohortCsv(streamed.deps, { cohortId: streamed.cohortId, csv: chunked(csv) }, 'test')
    expect(b).toEqual({ ...a, cohortId: streamed.cohortId })
    expect(await storedScores(streamed.db)).toEqual(await storedScores(whole.db))
  })

  it('names the line and column of an error deep in a large streamed file, and writes nothing', async () => {
    const { deps, db, cohortId } = await fixture()
    const lines: string[] = []
    for (let p = 1; p <= 400; p++) lines.push(...itemLines(`P${p}`, 'pre', 'phq-9', 'phq9_', [1, 2, 0, 1, 2, 3, 0, 1, 0]))
    // Data line 2,500 is line 2,501 of the file (the header is line 1).
    lines[2499] = lines[2499]!.replace(/,\d$/, ',9')
    const error = await importCohortCsv(deps, { cohortId, csv: chunked(csvOf(lines), 4096) }, 'test').then(
      () => undefined,
      (e: unknown) => e as ApiError & { details: ImportProblem[] },
    )
    expect(error?.code).toBe('validation_failed')
    expect(error?.details).toEqual([expect.objectContaining({ line: 2501, column: 'value' })])
    expect(await db.selectFrom('participant').select('id').execute()).toEqual([])
    expect(await db.selectFrom('response').select('id').execute()).toEqual([])
    expect(await db.selectFrom('wave').select('id').execute()).toEqual([])
  })
})
