/**
 * Table 1: who took part. Built from the demographics form the participants completed: every number
 * question (age, years in practice …) is summarised by n, mean, SD and range; every choice question
 * (sex, marital status, role …) by counts and percentages of those who answered.
 */
import { stringifyCsv as stringify } from '../csv'
import { max, mean, min } from 'simple-statistics'
import { sampleSd } from '../../stats'
import { ApiError } from '../errors'
import { listParticipants } from '../../db/repositories/participants'
import { listEnrolmentAnswers } from '../../db/repositories/responses'
import { findCohort, findStudy, listCohorts, type Study } from '../../db/repositories/studies'
import type { Deps } from '../deps'
import { formLanguages, studyDemographicsForm } from '../instruments/study-forms'
import { plainText, textsByLanguage } from '../instruments/text'
import { suppressBreakdown, suppressCount } from './suppression'
import type { LocalizedText } from '../instruments/schema'

/** `label` is English (the CSV and Markdown files use it); `labels` has it in every language the form has. */
export type ContinuousRow = { variable: string; label: string; labels: Record<string, string>; n: number | null; mean: number | null; sd: number | null; min: number | null; max: number | null }
export type CategoricalRow = {
  variable: string
  label: string
  labels: Record<string, string>
  answered: number | null
  levels: { value: string; label: string; labels: Record<string, string>; n: number | null; percent: number | null }[]
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

type SurveyElement = { type?: string; name?: string; title?: LocalizedText; choices?: unknown[]; inputType?: string; otherText?: LocalizedText; showOtherItem?: boolean; elements?: SurveyElement[] }

function elementsOf(survey: unknown): SurveyElement[] {
  const pages = (survey as { pages: { elements?: SurveyElement[] }[] }).pages
  const walk = (els: SurveyElement[]): SurveyElement[] => els.flatMap((e) => (e.type === 'panel' ? walk(e.elements ?? []) : [e]))
  return walk(pages.flatMap((p) => p.elements ?? []))
}

function choiceLabels(element: SurveyElement, languages: string[]): { value: string; label: string; labels: Record<string, string> }[] {
  const labelled = (value: string, text: LocalizedText) => ({ value, label: plainText(text), labels: textsByLanguage(text, languages) })
  const choices = (element.choices ?? []).map((c) =>
    typeof c === 'object' && c !== null ? labelled(String((c as { value: unknown }).value), ((c as { text?: LocalizedText }).text ?? String((c as { value: unknown }).value)) as LocalizedText) : labelled(String(c), String(c)),
  )
  if (element.showOtherItem) choices.push(labelled('other', element.otherText ?? 'Other'))
  return choices
}

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
    } else if (question?.kind === 'choice') {
      const given = answers.map((a) => a[element.name!]).filter((v) => v !== undefined && v !== null && v !== '')
      const choices = choiceLabels(element, languages)
      const counts = choices.map((choice) => given.filter((v) => String(v) === choice.value).length)
      const shown = k === undefined || suppress(given.length) === null ? counts.map((n) => suppress(n)) : suppressBreakdown(counts, k)
      const hidden = shown.map((n) => n === null)
      categorical.push({
        variable: element.name,
        label,
        labels,
        answered: suppress(given.length),
        levels: choices.map((choice, i) => ({
          ...choice,
          n: hidden[i] ? null : counts[i]!,
          percent: hidden[i] || given.length === 0 ? null : (100 * counts[i]!) / given.length,
        })),
      })
    }
  }
  return { cohort: scope, n: suppress(answers.length), continuous, categorical, suppression: k === undefined ? null : { minCellSize: k } }
}

const fixed = (v: number | null, digits = 1) => (v === null ? '' : v.toFixed(digits))

export function table1Csv(table: Table1): string {
  const rows: (string | number)[][] = [['variable', 'label', 'level', 'n', 'percent', 'mean', 'sd', 'min', 'max']]
  for (const c of table.continuous) rows.push([c.variable, c.label, '', c.n ?? '', '', fixed(c.mean, 2), fixed(c.sd, 2), c.min ?? '', c.max ?? ''])
  for (const c of table.categorical) for (const l of c.levels) rows.push([c.variable, c.label, l.label, l.n ?? '', fixed(l.percent), '', '', '', ''])
  return stringify(rows)
}

export function table1Markdown(table: Table1): string {
  const dash = '–'
  const lines = [`# Table 1. Participants of ${table.cohort.name} (n = ${table.n ?? 'suppressed'})`, '', '| characteristic | value |', '| --- | --- |']
  for (const c of table.continuous) {
    const range = c.min === null ? '' : ` [${c.min}–${c.max}]`
    lines.push(`| ${c.label}, mean (SD)${c.min === null ? '' : ' [range]'} | ${c.mean === null ? dash : `${fixed(c.mean)} (${fixed(c.sd)})${range}`}${c.n === null ? '' : `, n = ${c.n}`} |`)
  }
  for (const c of table.categorical) {
    lines.push(`| **${c.label}**, n (%) of ${c.answered === null ? 'a suppressed number' : c.answered} answering | |`)
    // With nobody answering there is no percentage: "0 (–)", never "0 (%)".
    for (const l of c.levels) lines.push(`| ${l.label} | ${l.n === null ? 'suppressed' : l.percent === null ? `${l.n} (–)` : `${l.n} (${fixed(l.percent)}%)`} |`)
  }
  if (table.suppression) {
    lines.push('', `Counts of 1 to ${table.suppression.minCellSize - 1} participants are suppressed, with one more count where a single hidden count could be worked out from the total; ranges are not shown.`)
  }
  return `${lines.join('\n')}\n`
}
