/**
 * The audit-log viewer (issue 17): a study's researchers read what was done in their study, by whom
 * and when; administrators read every entry. Filters: participant, staff user, action, dates. The
 * same entries export as CSV (csv.ts: csv-stringify, with formula-neutralised cells, since details
 * can carry names typed by staff).
 *
 * The log itself holds no answers, scores or tokens (see insertAudit's callers), so what is shown
 * here is what was written; names of staff and codes of participants are looked up for reading.
 */
import { listAuditActions, listAuditEntries, type AuditListEntry } from '../../db/repositories/audit'
import { findParticipant } from '../../db/repositories/participants'
import { listStaffUsers } from '../../db/repositories/staff'
import { stringifyCsv } from '../csv'
import { endOfDay, startOfDay } from '../dates'
import type { Deps } from '../deps'

export type AuditFilter = {
  participantId?: string
  userId?: string
  action?: string
  /** YYYY-MM-DD, whole days in `timeZone`. */
  from?: string
  to?: string
}

export type AuditLogView = {
  entries: (AuditListEntry & { actorName: string })[]
  /** More entries matched than were returned (the CSV has them all). */
  truncated: boolean
  /** The actions found in the scope, for the filter's choices. */
  actions: string[]
}

/** How many entries the page shows; the CSV has every match. */
export const auditPageSize = 500

/**
 * The audit log of one study (`studyId`), or of everything (null, administrators), newest first.
 *
 * @example
 * await auditLog(deps, studyId, { action: 'answer.correct', from: '2026-03-01' }, 'Asia/Tehran')
 * // → { entries: [{ at, actor: 'staff:…', actorName: 'Dr Rahimi', action: 'answer.correct', … }], truncated: false, actions: [...] }
 */
export async function auditLog(deps: Deps, studyId: string | null, filter: AuditFilter, timeZone = 'UTC', limit: number | undefined = auditPageSize): Promise<AuditLogView> {
  const query = {
    studyId,
    participantId: filter.participantId,
    actor: filter.userId === undefined ? undefined : `staff:${filter.userId}`,
    action: filter.action,
    fromAt: filter.from === undefined ? undefined : startOfDay(filter.from, timeZone).toISOString(),
    toAt: filter.to === undefined ? undefined : endOfDay(filter.to, timeZone).toISOString(),
  }
  const rows = await listAuditEntries(deps.db, { ...query, limit: limit === undefined ? undefined : limit + 1 })
  const names = await actorNames(deps, rows)
  const shown = limit === undefined ? rows : rows.slice(0, limit)
  return {
    entries: shown.map((e) => ({ ...e, actorName: names.get(e.actor) ?? e.actor })),
    truncated: limit !== undefined && rows.length > limit,
    actions: await listAuditActions(deps.db, studyId),
  }
}

/** Readable names: a staff member's name and email, a participant's pseudonymous code. */
async function actorNames(deps: Deps, entries: AuditListEntry[]): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  const staff = new Map((await listStaffUsers(deps.db)).map((u) => [u.id, u]))
  for (const actor of new Set(entries.map((e) => e.actor))) {
    const [kind, id] = actor.split(':', 2)
    if (kind === 'staff' && id && staff.has(id)) names.set(actor, `${staff.get(id)!.name} <${staff.get(id)!.email}>`)
    if (kind === 'participant' && id) {
      const participant = await findParticipant(deps.db, id)
      if (participant) names.set(actor, participant.code)
    }
  }
  return names
}

/** The entries as CSV, one line each: at, actor, actor_name, action, entity, entity_id, details (JSON). */
export function auditLogCsv(view: AuditLogView): string {
  return stringifyCsv([['at', 'actor', 'actor_name', 'action', 'entity', 'entity_id', 'details'], ...view.entries.map((e) => [e.at, e.actor, e.actorName, e.action, e.entity, e.entityId ?? '', JSON.stringify(e.details)])])
}
