import { sql, type Kysely } from 'kysely'

/**
 * A coder's own coding and a consensus coding of the same code on the same span may both exist, even
 * when the researcher who recorded the consensus is that coder (issue 18: resolving a disagreement in
 * favour of one's own span failed on the unique index of 0003). The "once per coder" rule now holds
 * within each set: the index gains the `consensus` column. Partial indexes work on SQLite and
 * PostgreSQL alike.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('coding_live_uq').execute()
  await db.schema
    .createIndex('coding_live_uq')
    .unique()
    .on('coding')
    .columns(['transcript_id', 'code_id', 'coder_id', 'start_offset', 'end_offset', 'consensus'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('coding_live_uq').execute()
  await db.schema
    .createIndex('coding_live_uq')
    .unique()
    .on('coding')
    .columns(['transcript_id', 'code_id', 'coder_id', 'start_offset', 'end_offset'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute()
}
