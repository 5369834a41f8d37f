/**
 * Table 1's yes/no questions (SurveyJS `boolean`): a categorical row of two levels, in the order the
 * question shows them (No, Yes; Yes, No when it sets `swapOrder`), each labelled by the form's
 * `labelFalse` / `labelTrue` in every language of the form, or by SurveyJS's own "Yes" / "No" (and its
 * Persian "بله" / "خیر") when the form gives none.
 *
 * The study asks a team's own demographics form, "team-profile", in English and Persian: "supervises"
 * with SurveyJS's labels, "night_shifts" with labels of its own shown Yes first, and "on_call" with
 * labels of its own in SurveyJS's order. The counts and percentages, in R:
 *
 *   supervises <- c(TRUE, TRUE, FALSE, TRUE, NA, FALSE, TRUE)
 *   table(supervises); 100 * table(supervises) / sum(!is.na(supervises))
 *   #   FALSE 2 (33.333333333333336), TRUE 4 (66.666666666666671)
 *   night <- c(TRUE, FALSE, FALSE, NA, NA, FALSE, TRUE)
 *   table(night); 100 * table(night) / sum(!is.na(night))
 *   #   FALSE 3 (60), TRUE 2 (40)
 *   oncall <- c(TRUE, FALSE, TRUE, TRUE, FALSE, NA, NA)
 *   table(oncall); 100 * table(oncall) / sum(!is.na(oncall))
 *   #   FALSE 2 (40), TRUE 3 (60)
 */
import { describe, expect, it } from 'vitest'
import { findResponse, updateResponseAnswersIfRevision } from '../../server/db/repositories/responses'
import { listParticipants } from '../../server/db/repositories/participants'
import { booleanAnswers } from '../../server/domain/instruments/labels'
import { checkInstrument, InstrumentRegistry } from '../../server/domain/instruments/registry'
import { chooseDemographicsForm } from '../../server/domain/instruments/study-forms'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { releaseCohort } from '../../server/domain/outcomes/release'
import { releaseCsv, releaseMarkdown } from '../../server/domain/outcomes/release-format'
import { cohortTable1, table1Csv, table1Markdown, type Table1 } from '../../server/domain/outcomes/table1'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { shippedInstruments, testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

/** A team's own demographics form with three yes/no questions (see the module comment). */
function teamProfile() {
  const checked = checkInstrument(
    {
      id: 'team-profile',
      version: '1.0.0',
      kind: 'demographics',
      title: { default: 'About your work', fa: 'دربارهٔ کار شما' },
      languages: ['en', 'fa'],
      citation: 'Written by the study team for this test.',
      licence: { name: "Study team's own", itemTextMayBeReproduced: true, source: 'This test' },
      survey: {
        pages: [
          {
            name: 'work',
            elements: [
              { type: 'boolean', name: 'supervises', title: { default: 'Do you supervise trainees?', fa: 'آیا بر کار دستیاران نظارت می‌کنید؟' } },
              {
                type: 'boolean',
                name: 'night_shifts',
                title: { default: 'Shifts', fa: 'نوبت کاری' },
                labelTrue: { default: 'Works night shifts', fa: 'نوبت شب دارد' },
                labelFalse: { default: 'Day shifts only', fa: 'تنها نوبت روز' },
                swapOrder: true,
              },
              {
                type: 'boolean',
                name: 'on_call',
                title: { default: 'On call this month?', fa: 'این ماه کشیک دارید؟' },
                labelTrue: { default: 'On call', fa: 'کشیک دارد' },
                labelFalse: { default: 'Not on call', fa: 'کشیک ندارد' },
              },
            ],
          },
        ],
      },
    },
    'test/team-profile.json',
  )
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return checked.instrument
}

type Person = { supervises?: boolean; nightShifts?: boolean; onCall?: boolean }

/** A cohort of a study that asks team-profile at enrolment, its people's answers imported (TRUE / FALSE, as R writes them). */
async function cohortOf(people: Person[]) {
  const base = await testDeps()
  const deps = { ...base, instruments: new InstrumentRegistry([...shippedInstruments().list(), teamProfile()]) }
  const study = await createStudy(deps, { name: 'Yes and no' }, 'test')
  await chooseDemographicsForm(deps, study.id, 'team-profile', 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
  const rows = ['participant,wave,instrument,item,value']
  people.forEach((p, i) => {
    const answers: [string, boolean | undefined][] = [['supervises', p.supervises], ['night_shifts', p.nightShifts], ['on_call', p.onCall]]
    for (const [item, value] of answers) if (value !== undefined) rows.push(`P${i + 1},enrolment,team-profile,${item},${value ? 'TRUE' : 'FALSE'}`)
  })
  await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
  return { deps, study, cohort }
}

const seven: Person[] = [
  { supervises: true, nightShifts: true, onCall: true },
  { supervises: true, nightShifts: false, onCall: false },
  { supervises: false, nightShifts: false, onCall: true },
  { supervises: true, onCall: true },
  { onCall: false },
  { supervises: false, nightShifts: false },
  { supervises: true, nightShifts: true },
]

const rowOf = (table: Table1, variable: string) => table.categorical.find((c) => c.variable === variable)!

describe('Table 1: yes/no questions', () => {
  it('is a row of two levels in the order the question shows them, labelled by the form in each of its languages', async () => {
    const { deps, cohort } = await cohortOf(seven)
    const table = await cohortTable1(deps, cohort.id)
    expect(table.n).toBe(7)
    // SurveyJS's own words, No first as SurveyJS shows them (survey-core 3.0.0: booleanUncheckedLabel,
    // booleanCheckedLabel, and their Persian in i18n/persian.js).
    expect(rowOf(table, 'supervises')).toMatchObject({
      label: 'Do you supervise trainees?',
      labels: { en: 'Do you supervise trainees?', fa: 'آیا بر کار دستیاران نظارت می‌کنید؟' },
      multiple: false,
      levels: [
        { value: 'false', label: 'No', labels: { en: 'No', fa: 'خیر' }, offered: true },
        { value: 'true', label: 'Yes', labels: { en: 'Yes', fa: 'بله' }, offered: true },
      ],
    })
    // The form's own labels, localized, Yes first because the question swaps the order.
    expect(rowOf(table, 'night_shifts')).toMatchObject({
      levels: [
        { value: 'true', label: 'Works night shifts', labels: { en: 'Works night shifts', fa: 'نوبت شب دارد' } },
        { value: 'false', label: 'Day shifts only', labels: { en: 'Day shifts only', fa: 'تنها نوبت روز' } },
      ],
    })
    // The form's own labels, localized, in SurveyJS's order (No first).
    expect(rowOf(table, 'on_call')).toMatchObject({
      levels: [
        { value: 'false', label: 'Not on call', labels: { en: 'Not on call', fa: 'کشیک ندارد' } },
        { value: 'true', label: 'On call', labels: { en: 'On call', fa: 'کشیک دارد' } },
      ],
    })
  })

  it("labels a question without labels of its own with SurveyJS's words, those of survey-core itself in English and Persian", async () => {
    const { surveyLocalization } = await import('survey-core')
    await import('survey-core/i18n/persian')
    const words = (locale: string, key: 'booleanUncheckedLabel' | 'booleanCheckedLabel') => (surveyLocalization.locales as Record<string, Record<string, string>>)[locale]![key]
    expect(booleanAnswers({ type: 'boolean', name: 'supervises' })).toEqual([
      { value: false, text: { en: words('en', 'booleanUncheckedLabel'), fa: words('fa', 'booleanUncheckedLabel') } },
      { value: true, text: { en: words('en', 'booleanCheckedLabel'), fa: words('fa', 'booleanCheckedLabel') } },
    ])
  })

  it('gives counts and percentages of those answering; who did not answer is missing from the row', async () => {
    const { deps, cohort } = await cohortOf(seven)
    const table = await cohortTable1(deps, cohort.id)
    expect(rowOf(table, 'supervises').answered).toBe(6)
    // 100 * table(supervises) / sum(!is.na(supervises)): FALSE 33.333333333333336, TRUE 66.666666666666671
    const supervises = rowOf(table, 'supervises').levels
    expect(supervises.map((l) => l.n)).toEqual([2, 4])
    expect(supervises[0]!.percent).toBeCloseTo(33.333333333333336, 12)
    expect(supervises[1]!.percent).toBeCloseTo(66.666666666666671, 12)
    // night: TRUE 2 (40), FALSE 3 (60), Yes first
    const night = rowOf(table, 'night_shifts')
    expect(night.answered).toBe(5)
    expect(night.levels.map((l) => [l.n, l.percent])).toEqual([
      [2, 40],
      [3, 60],
    ])

    const md = table1Markdown(table)
    expect(md).toContain('| **Do you supervise trainees?**, n (%) of 6 answering | |\n| No | 2 (33.3%) |\n| Yes | 4 (66.7%) |')
    expect(md).toContain('| **Shifts**, n (%) of 5 answering | |\n| Works night shifts | 2 (40.0%) |\n| Day shifts only | 3 (60.0%) |')
    const csv = table1Csv(table)
    expect(csv).toContain('supervises,Do you supervise trainees?,No,2,33.3,,,,\nsupervises,Do you supervise trainees?,Yes,4,66.7,,,,\n')
    expect(csv).toContain('night_shifts,Shifts,Works night shifts,2,40.0,,,,\nnight_shifts,Shifts,Day shifts only,3,60.0,,,,\n')
  })

  it('suppresses small counts as every single-choice breakdown is, the other level with them', async () => {
    const { deps, cohort } = await cohortOf(seven)
    const table = await cohortTable1(deps, cohort.id, { minCellSize: 3 })
    // suppressBreakdown([2, 4], 3): 2 is small, and 4 would give it away as 6 − 4.
    expect(rowOf(table, 'supervises').levels.map((l) => [l.n, l.percent])).toEqual([
      [null, null],
      [null, null],
    ])
  })

  it('counts a stored value other than true or false as a level the form does not offer, so the levels add up to those answering', async () => {
    const { deps, cohort } = await cohortOf(seven)
    const onCall = async () => rowOf(await cohortTable1(deps, cohort.id), 'on_call')
    // oncall: FALSE 2 (40), TRUE 3 (60)
    expect((await onCall()).levels.map((l) => [l.label, l.n, l.percent])).toEqual([
      ['Not on call', 2, 40],
      ['On call', 3, 60],
    ])
    // Written straight into the database: no path of the platform stores it.
    const participants = await listParticipants(deps.db, cohort.id)
    const response = (await findResponse(deps.db, participants.find((p) => p.code === 'P1')!.id, null, 'team-profile'))!
    expect(await updateResponseAnswersIfRevision(deps.db, response.id, response.revision, { ...response.answers, on_call: 'yes' }, deps.now())).toBe(true)
    const row = await onCall()
    expect(row.answered).toBe(5)
    expect(row.levels.map((l) => [l.value, l.n, l.percent, l.offered])).toEqual([
      ['false', 2, 40, true],
      ['true', 2, 40, true],
      ['yes', 1, 20, false],
    ])
  })

  it("refuses a form whose yes/no question sets valueTrue / valueFalse: SurveyJS would record values nobody's answer could be saved with", () => {
    for (const key of ['valueTrue', 'valueFalse']) {
      const checked = checkInstrument(
        {
          id: 'team-yes-no',
          version: '1.0.0',
          kind: 'demographics',
          title: 'Yes and no',
          languages: ['en'],
          citation: 'Written by the study team for this test.',
          licence: { name: "Study team's own", itemTextMayBeReproduced: true, source: 'This test' },
          survey: { pages: [{ name: 'p', elements: [{ type: 'boolean', name: 'on_call', title: 'On call?', [key]: 'yes' }] }] },
        },
        'test/team-yes-no.json',
      )
      expect(checked.ok).toBe(false)
      expect(JSON.stringify(checked)).toContain(key)
    }
  })

  it('is released to program leads as every breakdown is: rounded counts, and a level nearly everyone gave withheld with the other', async () => {
    // 23 people; supervises: 9 no, 13 yes, 1 missing; night shifts: 17 yes, 5 no, 1 missing (who answered only on call).
    const people: Person[] = Array.from({ length: 23 }, (_, i) => (i < 22 ? { supervises: i >= 9, nightShifts: i < 17 } : { onCall: true }))
    const { deps, study, cohort } = await cohortOf(people)
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const release = await releaseCohort(deps, cohort.id, { id: researcher.user.id, name: researcher.user.name })
    const released = (variable: string) => release.content.table1.categorical.find((c) => c.variable === variable)!
    // The one who answered neither is in n (23 → 25), not among those answering them (22 → 20).
    expect(release.content.table1.n).toBe(25)
    // releaseBreakdown([9, 13], 22, policyFloor): total round(22 / 5) * 5 = 20; 9 → 10, 50 %; 13 → 15, round(100 * 15 / 20) = 75 %
    expect(released('supervises')).toMatchObject({ answered: 20, multiple: false })
    expect(released('supervises').levels.map((l) => [l.value, l.label, l.labels, l.n, l.percent])).toEqual([
      ['false', 'No', { en: 'No', fa: 'خیر' }, 10, 50],
      ['true', 'Yes', { en: 'Yes', fa: 'بله' }, 15, 75],
    ])
    // releaseBreakdown([17, 5], 22, policyFloor): 5 is redacted (7 or fewer), and so is 17, everyone but 5.
    expect(released('night_shifts').levels.map((l) => [l.value, l.n, l.percent])).toEqual([
      ['true', null, null],
      ['false', null, null],
    ])

    const csv = releaseCsv(release)
    expect(csv).toContain('table1,,,supervises,false n,10\ntable1,,,supervises,false percent,50\ntable1,,,supervises,true n,15\ntable1,,,supervises,true percent,75\n')
    expect(csv).toContain('table1,,,night_shifts,true n,\ntable1,,,night_shifts,true percent,\ntable1,,,night_shifts,false n,\ntable1,,,night_shifts,false percent,\n')

    // The Markdown a program lead downloads carries the same Table 1, and the participants' funnel, as the CSV.
    const md = releaseMarkdown(release)
    expect(md).toContain(`## Participants\n\n| | n |\n| --- | --- |\n| enrolled | ${release.content.funnel.enrolled} |\n`)
    expect(md).toContain('## Table 1 (n = 25)\n\n| characteristic | value |\n| --- | --- |\n')
    expect(md).toContain('| **Do you supervise trainees?**, n (%) of 20 answering | |\n| No | 10 (50%) |\n| Yes | 15 (75%) |\n')
    expect(md).toContain('| **Shifts**, n (%) of 20 answering | |\n| Works night shifts | – |\n| Day shifts only | – |\n')
  })
})
