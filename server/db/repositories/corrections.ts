/**
 * Corrections of stored answers (migration 0100): who changed which answer from what to what, when
 * and why. Rows are only ever added; the response's current answer lives in response_answer.
 */
import type { Kysely } from 'kysely'
import type { Database, WaveKind } from '../schema'
import { newId } from '../ids'

export type AnswerCorrection = {
  id: string
  responseId: string
  question: string
  /** The value before and after; null: no answer. */
  oldValue: unknown
  newValue: unknown
  reason: string
  /** "staff:<id>". */
  correctedBy: string
  correctedAt: string
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value))

export async function insertCorrection(db: Kysely<Database>, c: Omit<AnswerCorrection, 'id'>): Promise<AnswerCorrection> {
  const id = newId()
  await db
    .insertInto('answer_correction')
    .values({ id, response_id: c.responseId, question: c.question, old_value: json(c.oldValue), new_value: json(c.newValue), reason: c.reason, corrected_by: c.correctedBy, corrected_at: c.correctedAt })
    .execute()
  return { id, ...c }
}

/** Every correction of the given responses, oldest first. */
export async function listCorrections(db: Kysely<Database>, responseIds: readonly string[]): Promise<AnswerCorrection[]> {
  if (responseIds.length === 0) return []
  const rows = await db.selectFrom('answer_correction').selectAll().where('response_id', 'in', responseIds).orderBy('corrected_at').orderBy('id').execute()
  return rows.map((r) => ({
    id: r.id,
    responseId: r.response_id,
    question: r.question,
    oldValue: r.old_value === null ? null : (JSON.parse(r.old_value) as unknown),
    newValue: r.new_value === null ? null : (JSON.parse(r.new_value) as unknown),
    reason: r.reason,
    correctedBy: r.corrected_by,
    correctedAt: r.corrected_at,
  }))
}

/**
 * How often one question of one participant's form was corrected (`countCorrectionsInStudy`), and the
 * id of its last correction: what the answer is now, as an identity (a later correction, even back to
 * a value it had between, has another id).
 */
export type CorrectionCount = { participantId: string; /** Null for a form asked once (demographics). */ waveKind: WaveKind | null; instrumentId: string; question: string; corrections: number; lastCorrectionId: string }

/**
 * Per participant, form (wave kind and instrument) and question, how many corrections the study's
 * stored answers have had, where they left a value other than the one the first correction found (a
 * correction undone, yes → no → yes, leaves the answer as it was: not counted): for a release's
 * differencing check (release.ts, `withCorrections`), which must see a corrected person as another.
 * Counts only, never a value.
 */
export async function countCorrectionsInStudy(db: Kysely<Database>, studyId: string): Promise<CorrectionCount[]> {
  const rows = await db
    .selectFrom('answer_correction')
    .innerJoin('response', 'response.id', 'answer_correction.response_id')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .leftJoin('wave', 'wave.id', 'response.wave_id')
    .select(['answer_correction.id', 'response.participant_id', 'wave.kind', 'response.instrument_id', 'answer_correction.response_id', 'answer_correction.question', 'answer_correction.old_value', 'answer_correction.new_value'])
    .where('cohort.study_id', '=', studyId)
    .orderBy('answer_correction.corrected_at')
    .orderBy('answer_correction.id')
    .execute()
  const byAnswer = new Map<string, { count: CorrectionCount; first: string | null; last: string | null }>()
  for (const r of rows) {
    const key = JSON.stringify([r.response_id, r.question])
    const seen = byAnswer.get(key)
    if (seen) {
      seen.count.corrections++
      seen.count.lastCorrectionId = r.id
      seen.last = r.new_value
    } else {
      byAnswer.set(key, { count: { participantId: r.participant_id, waveKind: r.kind, instrumentId: r.instrument_id, question: r.question, corrections: 1, lastCorrectionId: r.id }, first: r.old_value, last: r.new_value })
    }
  }
  return [...byAnswer.values()].filter((a) => a.first !== a.last).map((a) => a.count)
}
