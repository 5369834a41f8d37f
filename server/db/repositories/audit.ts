import type { Kysely } from 'kysely'
import type { Database } from '../schema'
import { newId } from '../ids'

export type AuditEntry = { actor: string; action: string; entity: string; entityId?: string | null; details?: Record<string, unknown> }

/** Append to the audit log. There is no update or delete: the table refuses both. */
export async function insertAudit(db: Kysely<Database>, entry: AuditEntry, at: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      at: at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute()
}

export type AuditRecord = { at: string; actor: string; action: string; entity: string; entityId: string | null; details: Record<string, unknown> }

export async function listAudit(db: Kysely<Database>, filter: { entityId?: string } = {}): Promise<AuditRecord[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('at').orderBy('id')
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId)
  const rows = await q.execute()
  return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entity_id, details: JSON.parse(r.details) }))
}
