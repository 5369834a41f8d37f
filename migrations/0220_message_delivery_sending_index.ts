import { sql, type Kysely } from 'kysely'

/**
 * The deliveries still "sending", indexed: the message runner looks for them on every look
 * (`listInterruptedDeliveries`: a run killed mid-send leaves its row "sending"), and without an index
 * each look read every delivery the study ever made. Partial (`where status = 'sending'`), so the
 * index holds only the few rows in flight and costs the other writes nothing. Both engines support
 * partial indexes with this syntax.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('message_delivery_sending_idx')
    .on('message_delivery')
    .columns(['created_at', 'id'])
    .where(sql.ref('status'), '=', 'sending')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('message_delivery_sending_idx').execute()
}
