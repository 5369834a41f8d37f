/**
 * The free text participants wrote beside "Other" in the demographics form, tabulated for the
 * researchers of a cohort: for each choice question with an "Other" choice, each text and how many gave
 * it. It tells a research team which choices its study is missing (add them: study-forms.ts).
 *
 * Researchers only. The texts are participants' own words, often naming a rare occupation that points
 * at one person, so they are never part of Table 1 as program leads get it, nor of a released snapshot
 * (release.ts builds those from `cohortTable1` alone).
 */
import { ApiError } from '../errors'
import { listParticipants } from '../../db/repositories/participants'
import { listEnrolmentAnswers } from '../../db/repositories/responses'
import { findCohort, findStudy } from '../../db/repositories/studies'
import type { Deps } from '../deps'
import { studyDemographicsForm } from '../instruments/study-forms'
import { plainText } from '../instruments/text'
import type { LocalizedText } from '../instruments/schema'

export type OtherAnswers = {
  cohort: { id: string; name: string }
  questions: {
    variable: string
    label: string
    /** Participants who chose "Other". */
    other: number
    /** Each text given, with how many gave it (texts that differ only in case or spacing are one), most often first. */
    answers: { text: string; n: number }[]
  }[]
}

/** One text, however it was spaced or capitalised: "  Nurse  anaesthetist" and "nurse anaesthetist" are one. */
const textKey = (text: string) => text.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase()

/**
 * Tabulate the "Other" texts of the cohort's demographics answers (completed forms).
 *
 * @example
 * await cohortOtherAnswers(deps, cohortId)
 * // { questions: [{ variable: 'role', label: 'Your role', other: 3, answers: [{ text: 'Nurse anaesthetist', n: 2 }, { text: 'General physician', n: 1 }] }] }
 */
export async function cohortOtherAnswers(deps: Deps, cohortId: string): Promise<OtherAnswers> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  const form = await studyDemographicsForm(deps, deps.db, (await findStudy(deps.db, cohort.studyId))!)
  const members = new Set((await listParticipants(deps.db, cohortId)).map((p) => p.id))
  const answers = (await listEnrolmentAnswers(deps.db, cohortId, form.id)).filter((a) => members.has(a.participantId)).map((a) => a.answers)
  const titles = new Map<string, string>()
  const walk = (elements: unknown): void => {
    if (!Array.isArray(elements)) return
    for (const e of elements as { name?: string; title?: LocalizedText; elements?: unknown }[]) {
      if (e.name && e.title) titles.set(e.name, plainText(e.title))
      walk(e.elements)
    }
  }
  for (const page of (form.survey as { pages: { elements?: unknown }[] }).pages) walk(page.elements)

  const questions: OtherAnswers['questions'] = []
  for (const q of form.questions) {
    if ((q.kind !== 'choice' && q.kind !== 'choices') || !q.otherComment) continue
    const choseOther = answers.filter((a) => (Array.isArray(a[q.name]) ? (a[q.name] as unknown[]).includes('other') : a[q.name] === 'other'))
    const counts = new Map<string, { text: string; n: number }>()
    for (const a of choseOther) {
      const text = a[`${q.name}-Comment`]
      if (typeof text !== 'string' || text.trim() === '') continue
      const key = textKey(text)
      const seen = counts.get(key)
      if (seen) seen.n += 1
      else counts.set(key, { text: text.replace(/\s+/g, ' ').trim(), n: 1 })
    }
    questions.push({
      variable: q.name,
      label: titles.get(q.name) ?? q.name,
      other: choseOther.length,
      answers: [...counts.values()].sort((a, b) => b.n - a.n || a.text.localeCompare(b.text)),
    })
  }
  return { cohort: { id: cohort.id, name: cohort.name }, questions }
}
