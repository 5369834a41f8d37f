/**
 * Table 1's choice questions: a stored value the form no longer offers, and questions that take
 * several choices (SurveyJS checkbox, stored as an array).
 *
 * The participants answer demographics 1.0.1, a copy of the shipped form with a checkbox "support"
 * (peer consultation, supervision, personal therapy, and SurveyJS's None). The study then runs on
 * 1.1.0, which no longer offers the workplace "covid19_ward" nor the support "therapy": Table 1 is
 * drawn up on the form as asked now, over answers given on the older one.
 *
 * The counts and percentages, in R:
 *
 *   workplace <- c("covid19_ward", "covid19_ward", "intensive_care", "intensive_care",
 *                  "emergency_department", "primary_care", "intensive_care", NA)
 *   table(workplace); 100 * table(workplace) / sum(!is.na(workplace))
 *   #   covid19_ward 2 (28.571428571428573), emergency_department 1 (14.285714285714286),
 *   #   intensive_care 3 (42.857142857142854), primary_care 1 (14.285714285714286)
 *   support <- list(c("peer", "therapy"), "peer", c("supervision", "peer"), "none", "therapy", NULL,
 *                   c("peer", "supervision"), "peer")
 *   answered <- sum(lengths(support) > 0)                      # 7
 *   table(unlist(support)); 100 * table(unlist(support)) / answered
 *   #   none 1 (14.285714285714286), peer 5 (71.428571428571431),
 *   #   supervision 2 (28.571428571428573), therapy 2 (28.571428571428573)
 *   sum(100 * table(unlist(support)) / answered)               # 142.85714285714286
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { checkInstrument, InstrumentRegistry, type Instrument } from '../../server/domain/instruments/registry'
import { applyTranslation } from '../../server/domain/instruments/translations'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { previewRelease } from '../../server/domain/outcomes/release'
import { chosenValues, cohortTable1, table1Csv, table1Markdown } from '../../server/domain/outcomes/table1'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { shippedInstruments, testDeps } from '../helpers/app'

type Element = { name: string; choices?: { value: string; text: string }[] } & Record<string, unknown>

const shipped = JSON.parse(readFileSync(new URL('../../instruments/demographics.json', import.meta.url), 'utf8'))

/** A version of the shipped demographics form, changed by `edit`. */
function demographics(version: string, edit: (elements: Element[]) => void): Instrument {
  const json = structuredClone(shipped)
  json.version = version
  edit(json.survey.pages[0].elements)
  const checked = checkInstrument(json, `test/demographics-${version}.json`)
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return checked.instrument
}

const withSupport = (elements: Element[]) =>
  elements.push({
    type: 'checkbox',
    name: 'support',
    title: 'Support outside the group',
    choices: [
      { value: 'peer', text: 'Peer consultation' },
      { value: 'supervision', text: 'Supervision' },
      { value: 'therapy', text: 'Personal therapy' },
    ],
    showNoneItem: true,
  })
const answeredOn = demographics('1.0.1', withSupport)
const askedNow = demographics('1.1.0', (elements) => {
  withSupport(elements)
  const drop = (name: string, value: string) => {
    const element = elements.find((e) => e.name === name)!
    element.choices = element.choices!.filter((c) => c.value !== value)
  }
  drop('workplace', 'covid19_ward')
  drop('support', 'therapy')
})

/** A cohort whose participants answered 1.0.1, and deps whose registry then asks 1.1.0. */
async function cohortOf(people: { workplace?: string; support?: string }[]) {
  const base = await testDeps()
  const then = { ...base, instruments: new InstrumentRegistry([...shippedInstruments().list(), answeredOn]) }
  const now = { ...base, instruments: new InstrumentRegistry([...shippedInstruments().list(), answeredOn, askedNow]) }
  const study = await createStudy(then, { name: 'Changed form' }, 'test')
  const cohort = await createCohort(then, { studyId: study.id, name: 'Group' }, 'test')
  const rows = ['participant,wave,instrument,item,value']
  people.forEach((p, i) => {
    rows.push(`P${i + 1},enrolment,demographics,age,${30 + i}`)
    if (p.workplace) rows.push(`P${i + 1},enrolment,demographics,workplace,${p.workplace}`)
    if (p.support) rows.push(`P${i + 1},enrolment,demographics,support,${p.support}`)
  })
  await importCohortCsv(then, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
  return { deps: now, cohort }
}

const eight = [
  { workplace: 'covid19_ward', support: 'peer;therapy' },
  { workplace: 'covid19_ward', support: 'peer' },
  { workplace: 'intensive_care', support: 'supervision;peer' },
  { workplace: 'intensive_care', support: 'none' },
  { workplace: 'emergency_department', support: 'therapy' },
  { workplace: 'primary_care' },
  { workplace: 'intensive_care', support: 'peer;supervision' },
  { support: 'peer' },
]

describe('Table 1: choice values the form no longer offers', () => {
  it('counts each in a level of its own, labelled with the stored value, so the levels add up to those answering', async () => {
    const { deps, cohort } = await cohortOf(eight)
    const table = await cohortTable1(deps, cohort.id)
    const workplace = table.categorical.find((c) => c.variable === 'workplace')!
    expect(workplace.answered).toBe(7)
    expect(workplace.levels.reduce((sum, l) => sum + l.n!, 0)).toBe(7)
    expect(workplace.levels.map((l) => [l.value, l.n, l.offered])).toEqual([
      ['intensive_care', 3, true],
      ['emergency_department', 1, true],
      ['other_hospital_ward', 0, true],
      ['outpatient_clinic', 0, true],
      ['primary_care', 1, true],
      ['other', 0, true],
      ['covid19_ward', 2, false],
    ])
    const stale = workplace.levels.at(-1)!
    expect(stale.label).toBe('covid19_ward (no longer offered)')
    // 100 * table(workplace) / sum(!is.na(workplace)): covid19_ward 28.571428571428573, intensive_care 42.857142857142854
    expect(stale.percent).toBeCloseTo(28.571428571428573, 12)
    expect(workplace.levels[0]!.percent).toBeCloseTo(42.857142857142854, 12)
    const md = table1Markdown(table)
    expect(md).toContain('| covid19_ward (no longer offered) | 2 (28.6%) |')
    expect(md).toContain('Levels marked "no longer offered" are stored answers with a value the current form no longer has')
    expect(table1Csv(table)).toContain('workplace,Where do you mainly work?,covid19_ward (no longer offered),2,28.6')
  })
})

describe('Table 1: questions that take several choices', () => {
  it('gives, per option, the number and percentage of those answering who chose it, and says the percentages may sum past 100', async () => {
    const { deps, cohort } = await cohortOf(eight)
    const table = await cohortTable1(deps, cohort.id)
    const support = table.categorical.find((c) => c.variable === 'support')!
    expect(support).toMatchObject({ multiple: true, answered: 7, label: 'Support outside the group' })
    // table(unlist(support)): peer 5, supervision 2, none 1, therapy 2 (no longer offered)
    expect(support.levels.map((l) => [l.value, l.label, l.n, l.offered])).toEqual([
      ['peer', 'Peer consultation', 5, true],
      ['supervision', 'Supervision', 2, true],
      ['none', 'None', 1, true],
      ['therapy', 'therapy (no longer offered)', 2, false],
    ])
    // 100 * table(unlist(support)) / answered: 71.428571428571431 28.571428571428573 14.285714285714286 28.571428571428573
    const expected = [71.428571428571431, 28.571428571428573, 14.285714285714286, 28.571428571428573]
    support.levels.forEach((l, i) => expect(l.percent).toBeCloseTo(expected[i]!, 12))
    // sum(100 * table(unlist(support)) / answered)   # 142.85714285714286
    expect(support.levels.reduce((sum, l) => sum + l.percent!, 0)).toBeCloseTo(142.85714285714286, 12)
    // A single-choice question is not marked.
    expect(table.categorical.find((c) => c.variable === 'workplace')!.multiple).toBe(false)

    const md = table1Markdown(table)
    expect(md).toContain('| **Support outside the group**, n (%) of 7 answering (several could be chosen; % of those answering who chose each; may sum past 100 %) | |')
    expect(md).toContain('| Peer consultation | 5 (71.4%) |')
    expect(table1Csv(table)).toContain('support,Support outside the group (several could be chosen; % of those answering who chose each; may sum past 100 %),Peer consultation,5,71.4')
  })

  it('takes an empty selection as no answer, as the release check does', () => {
    expect(chosenValues([])).toEqual([])
    expect(chosenValues(['peer', 'peer', 'none'])).toEqual(['peer', 'none'])
    expect(chosenValues(null)).toEqual([])
    expect(chosenValues(3)).toEqual(['3'])
  })

  it('suppresses small counts option by option, and a count whose "did not choose" is small', async () => {
    const { deps, cohort } = await cohortOf(eight)
    const table = await cohortTable1(deps, cohort.id, { minCellSize: 2 })
    const support = table.categorical.find((c) => c.variable === 'support')!
    expect(support.answered).toBe(7)
    // none (1) is below 2; the others, and those who did not choose them (2, 5, 5), are not.
    expect(support.levels.map((l) => [l.value, l.n])).toEqual([
      ['peer', 5],
      ['supervision', 2],
      ['none', null],
      ['therapy', 2],
    ])
    expect(support.levels[2]!.percent).toBeNull()
    // At 3, peer's 5 is hidden too: 7 − 5 = 2 did not choose it, a small count it would give away.
    const strict = (await cohortTable1(deps, cohort.id, { minCellSize: 3 })).categorical.find((c) => c.variable === 'support')!
    expect(strict.levels.map((l) => l.n)).toEqual([null, null, null, null])
  })

  it('is released to program leads under the same rules as every breakdown: counts of 7 or fewer, and options nearly everyone chose, withheld', async () => {
    // 20 answer: 12 peer (released 10, 50 %), 16 supervision (4 did not: withheld), 4 therapy (withheld), none 0 (withheld).
    const people = Array.from({ length: 20 }, (_, i) => ({ support: i < 12 ? 'peer;supervision' : i < 16 ? 'supervision' : 'therapy' }))
    const { deps, cohort } = await cohortOf(people)
    const preview = await previewRelease(deps, cohort.id)
    const support = preview.content.table1.categorical.find((c) => c.variable === 'support')!
    expect(support.multiple).toBe(true)
    expect(support.answered).toBe(20)
    // releaseBreakdown([12, 16, 0, 4], 20, policyFloor): 12 → round(12 / 5) * 5 = 10, round(100 * 10 / 20) = 50
    expect(support.levels.map((l) => [l.value, l.n, l.percent, l.offered])).toEqual([
      ['peer', 10, 50, true],
      ['supervision', null, null, true],
      ['none', null, null, true],
      ['therapy', null, null, false],
    ])
  })
})

describe("Table 1: SurveyJS's extra choices in the participants' languages", () => {
  it("labels None, Refuse to answer, Don't know and Other that the form gives no text for with survey-core's own words, in English and Persian", async () => {
    const { surveyLocalization } = await import('survey-core')
    await import('survey-core/i18n/persian')
    const words = (locale: string, key: string) => (surveyLocalization.locales as Record<string, Record<string, string>>)[locale]![key]!
    // The shipped form with its Persian, as the registry merges it, and two questions without texts for the extra choices.
    const json = applyTranslation(structuredClone(shipped), JSON.parse(readFileSync(new URL('../../instruments/demographics.fa.json', import.meta.url), 'utf8'))) as typeof shipped
    json.version = '1.2.0'
    const elements: Element[] = json.survey.pages[0].elements
    withSupport(elements)
    elements.push({
        type: 'radiogroup',
        name: 'stance',
        title: 'Would you join another group?',
        choices: [{ value: 'yes', text: 'Yes' }],
        showRefuseItem: true,
        showDontKnowItem: true,
        showOtherItem: true,
      })
    const checked = checkInstrument(json, 'test/demographics-1.2.0.json')
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    const withStance = checked.instrument
    const base = await testDeps()
    const deps = { ...base, instruments: new InstrumentRegistry([...shippedInstruments().list(), answeredOn, withStance]) }
    const study = await createStudy(deps, { name: 'Extra choices' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    const csv = ['participant,wave,instrument,item,value', 'P1,enrolment,demographics,age,31', 'P1,enrolment,demographics,support,none', 'P1,enrolment,demographics,stance,dontknow']
    await importCohortCsv(deps, { cohortId: cohort.id, csv: csv.join('\n') }, 'test')
    const table = await cohortTable1(deps, cohort.id)
    const labelsOf = (variable: string) => Object.fromEntries(table.categorical.find((c) => c.variable === variable)!.levels.map((l) => [l.value, l.labels]))
    expect(labelsOf('support').none).toEqual({ en: words('en', 'noneItemText'), fa: words('fa', 'noneItemText') })
    const stance = labelsOf('stance')
    expect(stance.refused).toEqual({ en: words('en', 'refuseItemText'), fa: words('fa', 'refuseItemText') })
    expect(stance.dontknow).toEqual({ en: words('en', 'dontKnowItemText'), fa: words('fa', 'dontKnowItemText') })
    // survey-core's "Other (describe)" / "دیگر(توضیح)" name the level without the prompt in brackets.
    expect(words('en', 'otherItemText')).toBe('Other (describe)')
    expect(words('fa', 'otherItemText')).toBe('دیگر(توضیح)')
    expect(stance.other).toEqual({ en: 'Other', fa: 'دیگر' })
    // A text the form gives is kept as it is: the shipped role question's own "Other" and its Persian.
    expect(labelsOf('role').other).toEqual({ en: 'Other', fa: 'دیگر' })
  })
})
