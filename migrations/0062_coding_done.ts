import type { Kysely } from 'kysely'

/**
 * A coder's "done" mark on a transcript (issue 18): one row per transcript and coder who has finished
 * coding it; taking the mark back deletes the row.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('coding_done')
    .addColumn('transcript_id', 'text', (col) => col.notNull())
    .addColumn('coder_id', 'text', (col) => col.notNull())
    .addColumn('done_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('coding_done_pk', ['transcript_id', 'coder_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('coding_done').execute()
}
