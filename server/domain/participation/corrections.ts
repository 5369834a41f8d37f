/**
 * Corrections of stored answers by the research team (issue 17): a paper form typed in wrong, an age
 * of 340. The participant's answer is never overwritten silently: the value it replaces goes to the
 * response's answer history like any answer that is no longer current, and the correction itself
 * (old value, new value, who, when, why) is kept in `answer_correction` and named in the audit log
 * (without the values: the log holds no answers). A completed questionnaire is scored again from the
 * corrected answers, on the server, by the same code that scored it first.
 */
import { ApiError, fieldProblems } from '../errors'
import { insertAnswerHistory, listCurrentAnswers, upsertCurrentAnswer, type StoredAnswer } from '../../db/repositories/answers'
import { insertAudit } from '../../db/repositories/audit'
import { insertCorrection, listCorrections, type AnswerCorrection } from '../../db/repositories/corrections'
import { findResponseById, listResponsesOfParticipant, replaceScores, updateResponseAnswersIfRevision } from '../../db/repositories/responses'
import { listWaves } from '../../db/repositories/studies'
import { raiseSafetyFlags } from './safety'
import { findStaffUser, listStaffUsers } from '../../db/repositories/staff'
import type { Kysely } from 'kysely'
import type { Database, WaveKind } from '../../db/schema'
import type { Deps } from '../deps'
import { questionTexts } from '../instruments/labels'
import { plainText } from '../instruments/text'
import { scoreResponse } from '../instruments/scoring'
import { answerRecord } from './answer-merge'
import { instrumentOfResponse } from './forms'

export type CorrectionInput = {
  responseId: string
  question: string
  /**
   * The value the researcher saw and is correcting (null: not answered). The correction is made only
   * while it is still the stored value: else 409 `conflict`, so nobody's correction replaces another
   * one they never saw.
   */
  oldValue: unknown
  /** The corrected value; null takes the answer away ("not answered"). */
  value: unknown
  reason: string
}

/**
 * `details` of the 409 `conflict` refusing a correction whose `oldValue` is no longer the stored
 * value: what is stored now, since when, and who put it there when it was a correction (the
 * researcher's name), so the researcher can look at it and correct again from it.
 */
export type CorrectionConflict = {
  question: string
  /** The value the refused correction said it corrects. */
  oldValue: unknown
  /** The value stored now (null: not answered). */
  currentValue: unknown
  /** When the current value was given or corrected; null when unknown. */
  changedAt: string | null
  /** The staff member whose correction it is; null when the participant (or an import) gave it. */
  correctedBy: string | null
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/** The 409 for a correction made against a value that is no longer stored. Values go in `details`, never in the message (messages may be logged). */
async function correctionConflict(trx: Kysely<Database>, question: string, sent: unknown, current: StoredAnswer | undefined): Promise<ApiError> {
  const staffId = current?.deviceId.match(/^correction:staff:(.+)$/)?.[1]
  const correctedBy = staffId === undefined ? null : ((await findStaffUser(trx, staffId))?.name ?? `staff:${staffId}`)
  const details: CorrectionConflict = { question, oldValue: sent ?? null, currentValue: current?.value ?? null, changedAt: current?.answeredAt ?? null, correctedBy }
  return new ApiError('conflict', `${question}: the stored answer changed after you loaded it${correctedBy ? ` (corrected by ${correctedBy})` : ''}; details.currentValue is the value stored now. Correct again from it if it is still wrong.`, details)
}

/**
 * Correct one stored answer. Refused with 409 `conflict` (details: `CorrectionConflict`), writing
 * nothing, when `oldValue` is not the value stored now: someone corrected it (or the participant
 * answered again) after the researcher loaded it. The check is on the question's value rather than on
 * the response's revision, so a correction of another question of the same form is no conflict, and
 * the refusal can show what the value is now. Refused with 422 when the value does not fit the
 * question (the same rule as at the participant's link), when a completed questionnaire would no
 * longer be complete, or when the value is the one already stored; 404 for an unknown response.
 * Everything in one transaction, whose write is conditional on the response's revision. A correction
 * racing another between reading and writing (PostgreSQL: SQLite runs one transaction at a time) gets
 * the 409 when the other changed this question; when the other changed only other questions of the
 * form, it is made again from the response as it is now (up to `correctionAttempts` times), so both
 * stand.
 *
 * @example
 * await correctAnswer(deps, { responseId, question: 'age', oldValue: 340, value: 34, reason: 'Paper form says 34; typed as 340' }, 'staff:u1')
 * // → { id, question: 'age', oldValue: 340, newValue: 34, reason, correctedBy: 'staff:u1', correctedAt }
 */
export async function correctAnswer(deps: Deps, input: CorrectionInput, actor: string): Promise<AnswerCorrection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction().execute((trx) => correctOnce(deps, trx, input, actor))
    } catch (error) {
      if (!(error instanceof FormMovedOn)) throw error
      if (attempt === correctionAttempts) throw new ApiError('conflict', 'The response kept changing while it was being corrected; load it again and retry.')
    }
  }
}

/**
 * How many times a correction is tried when other questions of its form keep changing under it
 * (each time the response is read again: see `correctAnswer`).
 */
export const correctionAttempts = 3

/** Thrown inside a correction's transaction (rolling it back) when another question of the form changed between its read and its write. */
class FormMovedOn extends Error {}

async function correctOnce(deps: Deps, trx: Kysely<Database>, input: CorrectionInput, actor: string): Promise<AnswerCorrection> {
  const stored = await findResponseById(trx, input.responseId)
  if (!stored) throw new ApiError('not_found', 'No such response.')
  const instrument = await instrumentOfResponse(deps, trx, stored)
  const question = instrument.questions.find((q) => q.name === input.question)
  if (!question) throw new ApiError('validation_failed', `question: "${input.question}" is not a question of ${instrument.id}`, [{ field: 'question', message: 'is not a question of this form' }])

  const now = deps.now()
  const at = now.toISOString()
  const current = new Map<string, StoredAnswer>()
  // Answers stored before they were kept one by one count as given when the response was last updated.
  for (const [name, value] of Object.entries(stored.answers)) current.set(name, { question: name, value, answeredAt: stored.updatedAt, deviceId: 'server', receivedAt: stored.updatedAt })
  for (const answer of await listCurrentAnswers(trx, stored.id)) current.set(answer.question, answer)

  const oldValue = stored.answers[input.question] ?? null
  const newValue = input.value ?? null
  if (!sameValue(input.oldValue, oldValue)) throw await correctionConflict(trx, input.question, input.oldValue, current.get(input.question))
  if (sameValue(oldValue, newValue)) {
    throw new ApiError('validation_failed', 'value: this is the value already stored', [{ field: 'value', message: 'is the value already stored' }])
  }
  const replaced = current.get(input.question)
  const correction: StoredAnswer = { question: input.question, value: newValue, answeredAt: at, deviceId: `correction:${actor}`, receivedAt: at }
  current.set(input.question, correction)
  const answers = answerRecord(current)
  const schema = stored.status === 'complete' ? instrument.completeSchema : instrument.draftSchema
  const parsed = schema.safeParse(answers)
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error.issues, 'value').map((p) => (p.field === `value.${input.question}` ? { ...p, field: 'value' } : p))
    throw new ApiError('validation_failed', `${problems[0]!.field}: ${problems[0]!.message}`, problems)
  }

  if (!(await updateResponseAnswersIfRevision(trx, stored.id, stored.revision, answers, now))) {
    // Changed between our read and our write (another correction committed meanwhile): read what is
    // there now, so this refusal shows the current value like the one above.
    const latest = (await listCurrentAnswers(trx, stored.id)).find((a) => a.question === input.question)
    if (latest && !sameValue(latest.value, oldValue)) throw await correctionConflict(trx, input.question, input.oldValue, latest)
    // Another question of the form changed: this one is still as the researcher saw it.
    throw new FormMovedOn()
  }
  if (replaced) await insertAnswerHistory(trx, stored.id, replaced, now)
  await upsertCurrentAnswer(trx, stored.id, correction)
  let flagsNoLongerMet: string[] = []
  if (stored.status === 'complete' && instrument.kind === 'questionnaire') {
    const score = scoreResponse(instrument, answers)
    // Kept: a flag the answers raised before stays until a researcher acknowledges it, as a re-score
    // leaves it (rescore.ts); its emails and the participant's support text go on as for any open flag.
    const flaggedBefore = await replaceScores(trx, stored.id, score, now, { keepFlags: true })
    // A safety flag the corrected answer raises is raised as a submitted one is (raiseSafetyFlags).
    const raised = score.flags.filter((f) => f.severity === 'safety' && !flaggedBefore.has(f.flag))
    flagsNoLongerMet = [...flaggedBefore].filter((flag) => !score.flags.some((f) => f.flag === flag))
    await raiseSafetyFlags(trx, stored, { raised, audited: raised.map((f) => f.flag), by: 'answer.correct' }, now)
  }
  const saved = await insertCorrection(trx, { responseId: stored.id, question: input.question, oldValue, newValue, reason: input.reason, correctedBy: actor, correctedAt: at })
  await insertAudit(trx, { actor, action: 'answer.correct', entity: 'response', entityId: stored.id, details: { participantId: stored.participantId, question: input.question, correctionId: saved.id, rescored: stored.status === 'complete' && instrument.kind === 'questionnaire', ...(flagsNoLongerMet.length > 0 ? { flagsKept: flagsNoLongerMet } : {}) } }, now)
  return saved
}

export type ParticipantAnswers = {
  responseId: string
  instrument: string
  version: string
  title: string
  /** The wave it belongs to; null for a form asked once (demographics). */
  wave: WaveKind | null
  status: 'draft' | 'complete'
  completedAt: string | null
  answers: {
    question: string
    title: string
    kind: 'choice' | 'choices' | 'number' | 'text' | 'boolean'
    value: unknown
    label: string | null
    /** The values a choice or boolean question can hold, with their labels (for the correction form). */
    options: { value: string | number | boolean; label: string }[]
    corrected: boolean
  }[]
  corrections: (AnswerCorrection & { correctedByName: string })[]
}

/**
 * Every stored response of a participant with its current answers, each marked when a researcher
 * corrected it, and the corrections with their reasons: the staff side's answers page.
 */
export async function participantAnswers(deps: Deps, participantId: string, cohortId: string): Promise<ParticipantAnswers[]> {
  const responses = await listResponsesOfParticipant(deps.db, participantId)
  const kindOf = new Map((await listWaves(deps.db, cohortId)).map((w) => [w.id, w.kind]))
  const corrections = await listCorrections(
    deps.db,
    responses.map((r) => r.id),
  )
  const staff = new Map((await listStaffUsers(deps.db)).map((u) => [u.id, u.name]))
  const out: ParticipantAnswers[] = []
  for (const response of responses) {
    const instrument = await instrumentOfResponse(deps, deps.db, response)
    const texts = questionTexts(instrument)
    const own = corrections.filter((c) => c.responseId === response.id)
    // A correction stays marked while its value is the current one: a later correction takes over.
    const lastCorrection = new Map(own.map((c) => [c.question, c]))
    out.push({
      responseId: response.id,
      instrument: instrument.id,
      version: response.instrumentVersion,
      title: plainText(instrument.title),
      wave: response.waveId ? (kindOf.get(response.waveId) ?? null) : null,
      status: response.status,
      completedAt: response.completedAt,
      answers: instrument.questions
        .filter((q) => response.answers[q.name] !== undefined || lastCorrection.has(q.name))
        .map((q) => {
          const value = response.answers[q.name] ?? null
          const text = texts.get(q.name)
          const label = text?.valueLabels.find((l) => String(l.value) === String(value))?.label ?? null
          const corrected = lastCorrection.has(q.name) && JSON.stringify(lastCorrection.get(q.name)!.newValue) === JSON.stringify(value)
          return { question: q.name, title: text?.title ?? q.name, kind: q.kind, value, label, options: text?.valueLabels ?? [], corrected }
        }),
      corrections: own.map((c) => ({ ...c, correctedByName: staff.get(c.correctedBy.replace(/^staff:/, '')) ?? c.correctedBy })),
    })
  }
  return out
}
