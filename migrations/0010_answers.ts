import type { Kysely } from 'kysely'

/**
 * Answers, not drafts, are the unit of sync between a participant's devices and the server.
 *
 * `response_answer` holds the current answer to each question of a response, with when it was given
 * on the device and by which device, so answers from several devices and several loads of the page
 * merge question by question. `response_answer_history` keeps every value that lost: one that a later
 * answer replaced, or one that arrived after a later answer was already stored. `response.answers`
 * stays the merged set of current values, which every reader (reports, exports) reads as before.
 *
 * Portable SQL: text columns, a composite primary key and cascading foreign keys (SQLite enforces the
 * cascade only with `PRAGMA foreign_keys = ON`, which the connection sets).
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('response_answer')
    .addColumn('response_id', 'text', (c) => c.notNull().references('response.id').onDelete('cascade'))
    .addColumn('question', 'text', (c) => c.notNull())
    // JSON text; null: the participant cleared the answer.
    .addColumn('value', 'text')
    .addColumn('answered_at', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('response_answer_pk', ['response_id', 'question'])
    .execute()

  await db.schema
    .createTable('response_answer_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('response_id', 'text', (c) => c.notNull().references('response.id').onDelete('cascade'))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('answered_at', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    // When it stopped being (or arrived never having been) the current answer.
    .addColumn('superseded_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('response_answer_history_idx').on('response_answer_history').columns(['response_id', 'question']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('response_answer_history').execute()
  await db.schema.dropTable('response_answer').execute()
}
