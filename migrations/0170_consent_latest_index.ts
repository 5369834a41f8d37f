import type { Kysely } from 'kysely'

/**
 * The participant's latest consent decision is read before every save (issue 16): `consent` had only
 * an index on `participant_id`, so each read sorted the participant's decisions in a temporary
 * B-tree (about 15 µs of a 200 µs save). With `decided_at` and `id` after the participant, the latest
 * is the index's last entry. It replaces the one-column index, which it covers.
 *
 * Plain columns, so the same index serves SQLite and PostgreSQL.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('consent_participant_decided_idx').on('consent').columns(['participant_id', 'decided_at', 'id']).execute()
  await db.schema.dropIndex('consent_participant_idx').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('consent_participant_idx').on('consent').column('participant_id').execute()
  await db.schema.dropIndex('consent_participant_decided_idx').execute()
}
