import type { Kysely } from 'kysely'

/**
 * Corrections of stored answers by the research team (issue 17): a paper form typed in wrong, an age
 * of 340. One row per correction: which answer, its value before and after (JSON text, null for "no
 * answer"), who corrected it, when and why. The value it replaced also goes to
 * `response_answer_history`, like any answer that is no longer current. Deleting the response (a
 * participant who withdraws and asks for deletion) deletes its corrections with it.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('answer_correction')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('response_id', 'text', (col) => col.notNull().references('response.id').onDelete('cascade'))
    .addColumn('question', 'text', (col) => col.notNull())
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('corrected_by', 'text', (col) => col.notNull())
    .addColumn('corrected_at', 'text', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('answer_correction_response_idx').on('answer_correction').columns(['response_id', 'question']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('answer_correction').execute()
}
