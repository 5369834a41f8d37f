/**
 * Table 1: who took part. Built from the demographics form the participants completed: every number
 * question (age, years in practice …) is summarised by n, mean, SD and range; every choice question
 * (sex, marital status, role …) and every yes/no question (SurveyJS boolean: its two answers, in the
 * order the question shows them, labelled as it labels them) by counts and percentages of those who
 * answered; every question that takes several choices (SurveyJS checkbox, tagbox: stored as an array
 * of values) by the number and percentage of those who answered it who chose each option —
 * percentages of respondents, which may sum past 100 %, and the table says so.
 *
 * A stored value that the form no longer offers (the study moved to a form version without that
 * choice, or a question lost its "Other" item) is counted where it belongs, as given: it is a level of
 * its own, labelled with the stored value and marked "(no longer offered)", after the form's own
 * choices. Dropping it would make the levels add up to less than the number answering, and folding it
 * into "Other" would claim an answer the participant did not give (CONSORT/STROBE: every participant
 * counted, none reclassified silently).
 */
import { stringifyCsv as stringify } from '../formats/csv'
import { max, mean, min } from 'simple-statistics'
import { sampleSd } from '../../stats'
import { ApiError } from '../errors'
import { listParticipants } from '../../db/repositories/participants'
import { listEnrolmentAnswers } from '../../db/repositories/responses'
import { findCohort, findStudy, listCohorts, type Study } from '../../db/repositories/studies'
import type { Deps } from '../deps'
import { formLanguages, studyDemographicsForm } from '../instruments/study-forms'
import { plainText, textsByLanguage } from '../instruments/text'
import { markdownCell, markdownInline } from '../formats/markdown'
import { suppressBreakdown, suppressCount } from './suppression'
import type { LocalizedText } from '../instruments/schema'
import type { ChoiceValue } from '../instruments/questions'
import { booleanAnswers, choiceDefaultTexts, specialChoices } from '../instruments/labels'

/** `label` is English (the CSV and Markdown files use it); `labels` has it in every language the form has. */
export type ContinuousRow = { variable: string; label: string; labels: Record<string, string>; n: number | null; mean: number | null; sd: number | null; min: number | null; max: number | null }
/** One level of a choice question: a choice of the form (`offered`) or a stored value it no longer has. */
export type CategoricalLevel = { value: string; label: string; labels: Record<string, string>; n: number | null; percent: number | null; offered: boolean }
export type CategoricalRow = {
  variable: string
  label: string
  labels: Record<string, string>
  /**
   * false: one choice each (radiogroup, dropdown, rating; boolean, whose levels are "false" and
   * "true"): the levels add up to `answered`. true:
   * several choices each (checkbox, tagbox): a level counts those who chose it, its percent is of
   * `answered` (who chose at least one), and the percentages may sum past 100.
   */
  multiple: boolean
  /** participants with an answer (for `multiple`, at least one value chosen) */
  answered: number | null
  levels: CategoricalLevel[]
}

export type Table1 = {
  cohort: { id: string; name: string }
  /** Participants who completed the demographics form (null when suppressed). */
  n: number | null
  continuous: ContinuousRow[]
  categorical: CategoricalRow[]
  /**
   * Set for program leads: counts from 1 to minCellSize − 1 are null, and so is the next smallest
   * count of a row where a single hidden count could be worked out from the row's total.
   */
  suppression: { minCellSize: number } | null
}

type SurveyElement = {
  type?: string
  name?: string
  title?: LocalizedText
  choices?: unknown[]
  rateValues?: unknown[]
  inputType?: string
  otherText?: LocalizedText
  noneText?: LocalizedText
  refuseText?: LocalizedText
  dontKnowText?: LocalizedText
  elements?: SurveyElement[]
}

function elementsOf(survey: unknown): SurveyElement[] {
  const pages = (survey as { pages: { elements?: SurveyElement[] }[] }).pages
  const walk = (els: SurveyElement[]): SurveyElement[] => els.flatMap((e) => (e.type === 'panel' ? walk(e.elements ?? []) : [e]))
  return walk(pages.flatMap((p) => p.elements ?? []))
}


/**
 * The levels the form offers, in its order: the values questions.ts allows for the question (listed
 * choices or rating values, then None / Refuse / Don't know and Other when the element shows them),
 * each with its text from the element (a rating without listed values is labelled by its number).
 */
function offeredChoices(element: SurveyElement, values: ChoiceValue[], languages: string[]): { value: string; label: string; labels: Record<string, string> }[] {
  const listed = (element.type === 'rating' ? element.rateValues : element.choices) ?? []
  const valueOf = (c: unknown) => String(typeof c === 'object' && c !== null ? (c as { value: unknown }).value : c)
  const textOf = (value: string): LocalizedText => {
    const choice = listed.find((c) => valueOf(c) === value)
    if (choice !== undefined) return typeof choice === 'object' && choice !== null ? ((choice as { text?: LocalizedText }).text ?? value) : value
    const special = specialChoices.find(([, v]) => v === value)
    if (special) return element[special[2]] ?? { ...choiceDefaultTexts[special[1]] }
    if (value === 'other') return element.otherText ?? { ...choiceDefaultTexts.other }
    return value
  }
  return values.map((v) => {
    const value = String(v)
    const text = textOf(value)
    return { value, label: plainText(text), labels: textsByLanguage(text, languages) }
  })
}

/**
 * The levels of a yes/no question, from labels.ts's booleanAnswers of its element: "false" and "true"
 * (the answer as stored, as a level key), in the order the question shows them, each labelled as the
 * form labels it or with SurveyJS's own Yes / No.
 */
function offeredBooleans(answers: ReturnType<typeof booleanAnswers>, languages: string[]): { value: string; label: string; labels: Record<string, string> }[] {
  return answers.map((a) => ({ value: String(a.value), label: plainText(a.text), labels: textsByLanguage(a.text, languages) }))
}

/**
 * The values one stored answer to a choice question holds, as the level keys Table 1 counts them by:
 * none for no answer (missing, null, "" or an empty array), one for a single choice, each distinct
 * value of an array for a question that takes several. Exported so that a release's differencing
 * check (release.ts) takes the same people as "answered" as the table counts.
 *
 * @example
 * chosenValues(['run', 'swim', 'run']) // => ['run', 'swim']
 * chosenValues(2) // => ['2']
 * chosenValues([]) // => []
 */
export function chosenValues(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return []
  if (Array.isArray(value)) return [...new Set(value.filter((v) => v !== undefined && v !== null && v !== '').map((v) => String(v)))]
  return [String(value)]
}

/** Whether a stored answer to a choice question counts as answered in Table 1 (see chosenValues). */
export function answeredChoice(value: unknown): boolean {
  return chosenValues(value).length > 0
}

/**
 * A choice question's levels with their counts: the form's choices, then each stored value it no
 * longer offers (sorted by value). For a single-choice question a stored array (the question once took
 * several) is one level, its values joined by ";" as the exports write them.
 */
function choiceCounts(given: unknown[], offered: { value: string; label: string; labels: Record<string, string> }[], multiple: boolean, languages: string[]) {
  const keysOf = (v: unknown) => (multiple ? chosenValues(v) : [chosenValues(v).join(';')])
  const counts = new Map<string, number>(offered.map((c) => [c.value, 0]))
  for (const v of given) for (const key of keysOf(v)) counts.set(key, (counts.get(key) ?? 0) + 1)
  const known = new Set(offered.map((c) => c.value))
  const stale = [...counts.keys()].filter((key) => !known.has(key)).sort()
  return [
    ...offered.map((c) => ({ ...c, offered: true, count: counts.get(c.value)! })),
    ...stale.map((value) => {
      const label = `${value} (no longer offered)`
      return { value, label, labels: Object.fromEntries(languages.map((language) => [language, label])), offered: false, count: counts.get(value)! }
    }),
  ]
}

/**
 * Table 1 of one cohort: its participants' answers to the study's demographics form, summarised on the
 * form as asked now (see the module comment). With `minCellSize` (program leads' live view) counts from
 * 1 to minCellSize − 1 are null, with secondary suppression per breakdown; for a question that takes
 * several choices each option is its own breakdown, chose it or not.
 *
 * @throws {ApiError} not_found without such a cohort or its study
 */
export async function cohortTable1(deps: Deps, cohortId: string, options: { minCellSize?: number } = {}): Promise<Table1> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  const study = await findStudy(deps.db, cohort.studyId)
  if (!study) throw new ApiError('not_found', 'No such study.')
  return table1Over(deps, study, [cohort.id], { id: cohort.id, name: cohort.name }, options)
}

/**
 * Table 1 of every cohort of a study together (issue 17): the same summary over the participants of
 * all its cohorts, each counted once (a participant belongs to one cohort). Its `cohort` names the study.
 *
 * @throws {ApiError} not_found without such a study
 */
export async function studyTable1(deps: Deps, studyId: string, options: { minCellSize?: number } = {}): Promise<Table1> {
  const study = await findStudy(deps.db, studyId)
  if (!study) throw new ApiError('not_found', 'No such study.')
  const cohorts = await listCohorts(deps.db, studyId)
  return table1Over(deps, study, cohorts.map((c) => c.id), { id: study.id, name: `all cohorts of ${study.name}` }, options)
}

/** The answers to the study's demographics form of the current members of these cohorts (of `study`), with whose they are. */
export async function enrolmentAnswersOf(deps: Deps, study: Pick<Study, 'demographicsInstrument'>, cohortIds: string[]): Promise<{ participantId: string; answers: Record<string, unknown> }[]> {
  const out: { participantId: string; answers: Record<string, unknown> }[] = []
  for (const cohortId of cohortIds) {
    const members = new Set((await listParticipants(deps.db, cohortId)).map((p) => p.id))
    out.push(...(await listEnrolmentAnswers(deps.db, cohortId, study.demographicsInstrument)).filter((a) => members.has(a.participantId)))
  }
  return out
}

async function table1Over(deps: Deps, study: Study, cohortIds: string[], scope: { id: string; name: string }, options: { minCellSize?: number }): Promise<Table1> {
  // The study's own demographics form, as asked now: choices the study added are counted by their labels.
  const instrument = await studyDemographicsForm(deps, deps.db, study)
  const languages = formLanguages(instrument)
  const answers = (await enrolmentAnswersOf(deps, study, cohortIds)).map((a) => a.answers)

  const k = options.minCellSize
  const suppress = (n: number) => (k === undefined ? n : suppressCount(n, k))
  const continuous: ContinuousRow[] = []
  const categorical: CategoricalRow[] = []
  for (const element of elementsOf(instrument.survey)) {
    if (!element.name) continue
    const title: LocalizedText = element.title ?? element.name
    const label = plainText(title)
    const labels = textsByLanguage(title, languages)
    const question = instrument.questions.find((q) => q.name === element.name)
    if (question?.kind === 'number') {
      const values = answers.map((a) => a[element.name!]).filter((v): v is number => typeof v === 'number')
      const hidden = k !== undefined && values.length < k
      continuous.push({
        variable: element.name,
        label,
        labels,
        n: suppress(values.length),
        mean: hidden || values.length === 0 ? null : mean(values),
        sd: hidden || values.length < 2 ? null : sampleSd(values),
        // The lowest and highest values are single people's answers: not for program leads.
        min: hidden || k !== undefined || values.length === 0 ? null : min(values),
        max: hidden || k !== undefined || values.length === 0 ? null : max(values),
      })
    } else if (question?.kind === 'choice' || question?.kind === 'choices' || question?.kind === 'boolean') {
      // A yes/no question is a single choice of two levels: counted, suppressed and released as one.
      const multiple = question.kind === 'choices'
      const offered = question.kind === 'boolean' ? offeredBooleans(booleanAnswers(element), languages) : offeredChoices(element, question.choices, languages)
      const given = answers.map((a) => a[element.name!]).filter(answeredChoice)
      const levels = choiceCounts(given, offered, multiple, languages)
      const counts = levels.map((l) => l.count)
      let shown: (number | null)[]
      if (k === undefined) shown = counts
      else if (suppress(given.length) === null) shown = counts.map((n) => suppress(n))
      // Several choices: each option is its own breakdown of those answering, chose it or not; a
      // small "did not choose" would give the option's count away as answered − n, so it hides it too.
      else if (multiple) shown = counts.map((n) => suppressBreakdown([n, given.length - n], k)[0]!)
      else shown = suppressBreakdown(counts, k)
      categorical.push({
        variable: element.name,
        label,
        labels,
        multiple,
        answered: suppress(given.length),
        levels: levels.map(({ count, ...level }, i) => ({
          ...level,
          n: shown[i] === null ? null : count,
          percent: shown[i] === null || given.length === 0 ? null : (100 * count) / given.length,
        })),
      })
    }
  }
  return { cohort: scope, n: suppress(answers.length), continuous, categorical, suppression: k === undefined ? null : { minCellSize: k } }
}

const fixed = (v: number | null, digits = 1) => (v === null ? '' : v.toFixed(digits))

/** The note a question that takes several choices carries in the CSV and Markdown. */
export const severalNote = 'several could be chosen; % of those answering who chose each; may sum past 100 %'

/**
 * Table 1 as CSV, one row per number question and per level of a choice question. A question that
 * takes several choices says so in its label; a level no longer offered by the form in its own.
 */
export function table1Csv(table: Table1): string {
  const rows: (string | number)[][] = [['variable', 'label', 'level', 'n', 'percent', 'mean', 'sd', 'min', 'max']]
  for (const c of table.continuous) rows.push([c.variable, c.label, '', c.n ?? '', '', fixed(c.mean, 2), fixed(c.sd, 2), c.min ?? '', c.max ?? ''])
  for (const c of table.categorical) {
    const label = c.multiple ? `${c.label} (${severalNote})` : c.label
    for (const l of c.levels) rows.push([c.variable, label, l.label, l.n ?? '', fixed(l.percent), '', '', '', ''])
  }
  return stringify(rows)
}

/** Table 1 in Markdown, with the notes a reader needs: suppression, several choices, values no longer offered. */
export function table1Markdown(table: Table1): string {
  const dash = '–'
  const lines = [`# Table 1. Participants of ${markdownInline(table.cohort.name)} (n = ${table.n ?? 'suppressed'})`, '', '| characteristic | value |', '| --- | --- |']
  for (const c of table.continuous) {
    const range = c.min === null ? '' : ` [${c.min}–${c.max}]`
    lines.push(`| ${markdownCell(c.label)}, mean (SD)${c.min === null ? '' : ' [range]'} | ${c.mean === null ? dash : `${fixed(c.mean)} (${fixed(c.sd)})${range}`}${c.n === null ? '' : `, n = ${c.n}`} |`)
  }
  for (const c of table.categorical) {
    lines.push(`| **${markdownCell(c.label)}**, n (%) of ${c.answered === null ? 'a suppressed number' : c.answered} answering${c.multiple ? ` (${severalNote})` : ''} | |`)
    // With nobody answering there is no percentage: "0 (–)", never "0 (%)".
    for (const l of c.levels) lines.push(`| ${markdownCell(l.label)} | ${l.n === null ? 'suppressed' : l.percent === null ? `${l.n} (–)` : `${l.n} (${fixed(l.percent)}%)`} |`)
  }
  const notes: string[] = []
  if (table.categorical.some((c) => c.levels.some((l) => !l.offered))) {
    notes.push('Levels marked "no longer offered" are stored answers with a value the current form no longer has; they are counted as given, under the stored value.')
  }
  if (table.suppression) {
    notes.push(`Counts of 1 to ${table.suppression.minCellSize - 1} participants are suppressed, with one more count where a single hidden count could be worked out from the total; ranges are not shown.`)
  }
  for (const note of notes) lines.push('', note)
  return `${lines.join('\n')}\n`
}
