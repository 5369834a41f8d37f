/**
 * Answers one by one: the current answer to each question of a response, and the values that lost
 * to a later answer. `response.answers` (responses.ts) holds the merged current values for readers.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../schema'
import { newId } from '../ids'
import { preparedQuery } from '../prepared'

/**
 * One answer as given on a device. `value` null: the participant cleared the answer. `answeredAt` is
 * the device's time clamped to the server's; `givenAt` the device's time as sent (absent where no
 * device gave it, and for answers stored before migration 0200).
 */
export type GivenAnswer = { question: string; value: unknown; answeredAt: string; deviceId: string; givenAt?: string }
export type StoredAnswer = GivenAnswer & { receivedAt: string }

const toAnswer = (r: { question: string; value: string | null; answered_at: string; device_id: string; received_at: string; given_at: string | null }): StoredAnswer => ({
  question: r.question,
  value: r.value === null ? null : (JSON.parse(r.value) as unknown),
  answeredAt: r.answered_at,
  deviceId: r.device_id,
  receivedAt: r.received_at,
  ...(r.given_at === null ? {} : { givenAt: r.given_at }),
})

/** The current answer to each question of a response that has one stored. */
export async function listCurrentAnswers(db: Kysely<Database>, responseId: string): Promise<StoredAnswer[]> {
  const rows = await db.selectFrom('response_answer').selectAll().where('response_id', '=', responseId).execute()
  return rows.map(toAnswer)
}

const currentAnswer = preparedQuery<{ responseId: string; question: string }>()((db, v) =>
  db.selectFrom('response_answer').selectAll().where('response_id', '=', v.responseId).where('question', '=', v.question),
)

/** The current answer to one question of a response, if one is stored (a save reads only the questions it brings). */
export async function findCurrentAnswer(db: Kysely<Database>, responseId: string, question: string): Promise<StoredAnswer | undefined> {
  const [row] = await currentAnswer(db, { responseId, question })
  return row && toAnswer(row)
}

/** Every value that lost to a later answer, oldest answer first. */
export async function listAnswerHistory(db: Kysely<Database>, responseId: string): Promise<(StoredAnswer & { supersededAt: string })[]> {
  const rows = await db.selectFrom('response_answer_history').selectAll().where('response_id', '=', responseId).orderBy('answered_at').execute()
  return rows.map((r) => ({ ...toAnswer(r), supersededAt: r.superseded_at }))
}

type AnswerColumns = { value: string | null; answered_at: string; device_id: string; received_at: string; given_at: string | null }
const answerColumns = (answer: StoredAnswer): AnswerColumns => ({
  value: answer.value === null || answer.value === undefined ? null : JSON.stringify(answer.value),
  answered_at: answer.answeredAt,
  device_id: answer.deviceId,
  received_at: answer.receivedAt,
  given_at: answer.givenAt ?? null,
})

const upsertAnswer = preparedQuery<AnswerColumns & { response_id: string; question: string }>()((db, v) => {
  const values = { value: v.value, answered_at: v.answered_at, device_id: v.device_id, received_at: v.received_at, given_at: v.given_at }
  return db
    .insertInto('response_answer')
    .values({ response_id: v.response_id, question: v.question, ...values })
    .onConflict((oc) => oc.columns(['response_id', 'question']).doUpdateSet(values))
})

/** Make `answer` the current answer to its question (insert, or replace the row that was current). Prepared once. */
export async function upsertCurrentAnswer(db: Kysely<Database>, responseId: string, answer: StoredAnswer): Promise<void> {
  await upsertAnswer(db, { response_id: responseId, question: answer.question, ...answerColumns(answer) })
}

const historyRow = preparedQuery<AnswerColumns & { id: string; response_id: string; question: string; superseded_at: string }>()((db, v) =>
  db.insertInto('response_answer_history').values({
    id: v.id,
    response_id: v.response_id,
    question: v.question,
    value: v.value,
    answered_at: v.answered_at,
    device_id: v.device_id,
    received_at: v.received_at,
    given_at: v.given_at,
    superseded_at: v.superseded_at,
  }),
)

/** Keep a value that is no longer, or never was, the current answer. Prepared once. */
export async function insertAnswerHistory(db: Kysely<Database>, responseId: string, answer: StoredAnswer, supersededAt: Date): Promise<void> {
  await historyRow(db, { id: newId(), response_id: responseId, question: answer.question, ...answerColumns(answer), superseded_at: supersededAt.toISOString() })
}
