import type { Kysely } from 'kysely'

/**
 * Each answer keeps the time its device gave it, as the device sent it (`given_at`), beside the
 * time the merge orders answers of different devices by (`answered_at`, clamped to the server's
 * clock so that a device whose clock runs fast cannot win every later conflict). Answers of one
 * device are ordered by the device's own times: on a phone whose clock ran five minutes fast, an
 * answer delivered late (a stalled request) was clamped to the moment it arrived and replaced the
 * later answer stored before it; and a retry of a clamped answer was taken for a new one. Null for
 * answers stored before, and for those no device gave (a submit's, an import's). Both engines.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('response_answer').addColumn('given_at', 'text').execute()
  await db.schema.alterTable('response_answer_history').addColumn('given_at', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('response_answer_history').dropColumn('given_at').execute()
  await db.schema.alterTable('response_answer').dropColumn('given_at').execute()
}
