/**
 * Answers one by one: the current answer to each question of a response, and the values that lost
 * to a later answer. `response.answers` (responses.ts) holds the merged current values for readers.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../schema'
import { newId } from '../ids'

/** One answer as given on a device. `value` null: the participant cleared the answer. */
export type GivenAnswer = { question: string; value: unknown; answeredAt: string; deviceId: string }
export type StoredAnswer = GivenAnswer & { receivedAt: string }

const toAnswer = (r: { question: string; value: string | null; answered_at: string; device_id: string; received_at: string }): StoredAnswer => ({
  question: r.question,
  value: r.value === null ? null : (JSON.parse(r.value) as unknown),
  answeredAt: r.answered_at,
  deviceId: r.device_id,
  receivedAt: r.received_at,
})

/** The current answer to each question of a response that has one stored. */
export async function listCurrentAnswers(db: Kysely<Database>, responseId: string): Promise<StoredAnswer[]> {
  const rows = await db.selectFrom('response_answer').selectAll().where('response_id', '=', responseId).execute()
  return rows.map(toAnswer)
}

/** Every value that lost to a later answer, oldest answer first. */
export async function listAnswerHistory(db: Kysely<Database>, responseId: string): Promise<(StoredAnswer & { supersededAt: string })[]> {
  const rows = await db.selectFrom('response_answer_history').selectAll().where('response_id', '=', responseId).orderBy('answered_at').execute()
  return rows.map((r) => ({ ...toAnswer(r), supersededAt: r.superseded_at }))
}

/** Make `answer` the current answer to its question (insert, or replace the row that was current). */
export async function upsertCurrentAnswer(db: Kysely<Database>, responseId: string, answer: StoredAnswer): Promise<void> {
  const values = {
    value: answer.value === null || answer.value === undefined ? null : JSON.stringify(answer.value),
    answered_at: answer.answeredAt,
    device_id: answer.deviceId,
    received_at: answer.receivedAt,
  }
  await db
    .insertInto('response_answer')
    .values({ response_id: responseId, question: answer.question, ...values })
    .onConflict((oc) => oc.columns(['response_id', 'question']).doUpdateSet(values))
    .execute()
}

/** Keep a value that is no longer, or never was, the current answer. */
export async function insertAnswerHistory(db: Kysely<Database>, responseId: string, answer: StoredAnswer, supersededAt: Date): Promise<void> {
  await db
    .insertInto('response_answer_history')
    .values({
      id: newId(),
      response_id: responseId,
      question: answer.question,
      value: answer.value === null || answer.value === undefined ? null : JSON.stringify(answer.value),
      answered_at: answer.answeredAt,
      device_id: answer.deviceId,
      received_at: answer.receivedAt,
      superseded_at: supersededAt.toISOString(),
    })
    .execute()
}
