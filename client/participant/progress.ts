/**
 * How far the participant is through a wave, and how long what is left takes: the numbers of the
 * progress header and of the break between questionnaires.
 */
import { surveyQuestions } from '../../server/contracts/answer-rules'
import type { FormState } from '../../server/contracts/participant'

/**
 * Seconds one item takes on a phone, for the time estimate. Short self-report items (PHQ-9, GAD-7,
 * WHO-5, CBI) take about 5–10 s each once read (the instruments' own reports give 2–5 minutes for
 * 9–20 items); 10 s errs on the long side, so the estimate is not a promise broken.
 */
export const secondsPerQuestion = 10

/** The questions a form asks of everyone (conditional ones, shown only after some answers, are not counted). */
export function questionCount(form: FormState): number {
  return surveyQuestions(form.instrument.survey as { pages: Record<string, unknown>[] }).filter((q) => !q.conditional).length
}

/** The questions of a form still without an answer, from what the server and this device hold. */
export function questionsLeftIn(form: FormState, answered: Record<string, unknown> = {}): number {
  const given = { ...(form.response?.answers ?? {}), ...answered }
  return surveyQuestions(form.instrument.survey as { pages: Record<string, unknown>[] }).filter((q) => !q.conditional && (given[q.name] === undefined || given[q.name] === null)).length
}

/**
 * Whole minutes for `questions` questions, never less than 1.
 *
 * @example
 * minutesFor(23) // 4 (23 × 10 s = 3 min 50 s, rounded up)
 */
export function minutesFor(questions: number): number {
  return Math.max(1, Math.ceil((questions * secondsPerQuestion) / 60))
}

/** A text from an instrument file (a string, or SurveyJS's `{ default, fa }`) in `language`. */
export function localText(value: unknown, language: string): string {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object') {
    const texts = value as Record<string, unknown>
    const text = texts[language] ?? texts.default ?? texts.en
    if (typeof text === 'string') return text
  }
  return ''
}
