import type { Kysely } from 'kysely'

/**
 * Personal links made for messages stop piling up (issue 17). Each invitation or reminder carries a
 * newly minted link (only hashes are stored, so an earlier one cannot be sent again); before this,
 * every one of them stayed valid for ever.
 *
 * - `purpose`: 'staff' for a link a researcher issued on the Participants tab (and every link issued
 *   before this migration, which may be in participants' hands: those keep working), 'message' for
 *   one minted for a message.
 * - `expires_at`: set on a participant's earlier message links when a newer one is minted
 *   (`server/domain/messaging/invitations.ts` says for how long); null while a link is the newest.
 *
 * Plain columns with a constant default, so the same migration serves SQLite and PostgreSQL.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('participant_link').addColumn('purpose', 'text', (c) => c.notNull().defaultTo('staff')).execute()
  await db.schema.alterTable('participant_link').addColumn('expires_at', 'text').execute()
  await db.schema.createIndex('participant_link_participant_idx').on('participant_link').columns(['participant_id', 'purpose']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('participant_link_participant_idx').execute()
  await db.schema.alterTable('participant_link').dropColumn('expires_at').execute()
  await db.schema.alterTable('participant_link').dropColumn('purpose').execute()
}
