/**
 * Corrections of stored answers (migration 0100): who changed which answer from what to what, when
 * and why. Rows are only ever added; the response's current answer lives in response_answer.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../schema'
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
