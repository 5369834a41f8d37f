import type { Kysely } from 'kysely'

/**
 * An index on `response.participant_id` (issue 16). The only indexes led by the participant were the
 * two partial unique ones (`wave_id is not null` / `is null`), which a query on participants alone
 * cannot use: each export page (`participant_id in (…)`) and each participant's own report scanned
 * the whole response table, so an export grew with the square of the cohort. With `status` second,
 * the "completed responses of these participants" pages are answered from the index. Also the
 * participant links' lookup of their participant's responses and a withdrawal's delete use it.
 *
 * Plain columns, so the same index serves SQLite and PostgreSQL.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('response_participant_idx').on('response').columns(['participant_id', 'status']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('response_participant_idx').execute()
}
