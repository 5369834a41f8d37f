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
import { listStaffUsers, type StaffUser } from '../../db/repositories/staff'
import { stringifyCsv } from '../formats/csv'
import { ApiError } from '../errors'
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

export type AuditLogOptions = {
  /** The zone whose whole days `filter.from` and `filter.to` name; UTC when not given. */
  timeZone?: string
  /**
   * At most this many entries, newest first (the viewer: `auditPageSize`), or null for every match
   * (the CSV). Required, without a default: an export that forgot to say would get a page and look
   * whole (it did: 500 of 90,029 entries).
   */
  limit: number | null
}

/**
 * The audit log of one study (`studyId`), or of everything (null, administrators), newest first,
 * each entry with its actor's readable name: "Name <email>" for staff, the pseudonymous code for a
 * participant, the actor as written otherwise ("system", "cli", an erased participant).
 *
 * Three statements whatever the number of entries: the entries (participant codes joined in), the
 * staff, the actions.
 *
 * @throws RangeError when `limit` is neither null nor a whole number from 1.
 * @throws ApiError `validation_failed` naming `from` or `to` for a day before 1900 or a `to` of 9999-12-31.
 * @example
 * await auditLog(deps, studyId, { action: 'answer.correct', from: '2026-03-01' }, { timeZone: 'Asia/Tehran', limit: auditPageSize })
 * // → { entries: [{ id, at, actor: 'staff:…', actorName: 'Dr Rahimi <rahimi@example.org>', action: 'answer.correct', entity, entityId, details }], truncated: false, actions: [...] }
 * await auditLog(deps, null, {}, { limit: null }) // every entry of every study, truncated: false
 */
export async function auditLog(deps: Deps, studyId: string | null, filter: AuditFilter, options: AuditLogOptions): Promise<AuditLogView> {
  const { timeZone = 'UTC', limit } = options
  if (limit !== null && !(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`an audit page holds a whole number of entries from 1, not ${limit}`)
  const { from, to } = filter
  const query = {
    studyId,
    participantId: filter.participantId,
    actor: filter.userId === undefined ? undefined : `staff:${filter.userId}`,
    action: filter.action,
    fromAt: from === undefined ? undefined : dayBound('from', () => startOfDay(from, timeZone)),
    toAt: to === undefined ? undefined : dayBound('to', () => endOfDay(to, timeZone)),
  }
  // One more than the page, to know whether there were more.
  const rows = await listAuditEntries(deps.db, { ...query, limit: limit === null ? undefined : limit + 1 })
  const shown = limit === null ? rows : rows.slice(0, limit)
  const staff = new Map((await listStaffUsers(deps.db)).map((u) => [u.id, u]))
  return {
    entries: shown.map(({ actorParticipantCode, ...entry }) => ({ ...entry, actorName: actorName(entry.actor, actorParticipantCode, staff) })),
    truncated: limit !== null && rows.length > limit,
    actions: await listAuditActions(deps.db, studyId),
  }
}

/**
 * A filter day as the instant it starts or ends. A calendar day the server cannot store an instant of
 * (before 1900, or 9999-12-31 whose end is in the year 10000: see `dates.ts`) passes the query's
 * schema; it is the researcher's mistake, a 422 naming the field, not a 500.
 */
function dayBound(field: 'from' | 'to', bound: () => Date): string {
  try {
    return bound().toISOString()
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    // dates.ts says which bound was passed: "1899-12-31" is before 1900.
    const message = `${error.message}; use a day from 1900-01-01 to 9999-12-30`
    throw new ApiError('validation_failed', `${field}: ${message}`, [{ field, message }])
  }
}

/** A readable name: a staff member's name and email, a participant's pseudonymous code, else the actor itself. */
function actorName(actor: string, participantCode: string | null, staff: Map<string, StaffUser>): string {
  const [kind, id] = actor.split(':', 2)
  const user = kind === 'staff' && id ? staff.get(id) : undefined
  if (user) return `${user.name} <${user.email}>`
  return participantCode ?? actor
}

/**
 * The entries as CSV, a header and one line each: at, actor, actor_name, action, entity, entity_id,
 * details (JSON), newest first, cells formula-neutralised.
 *
 * @throws Error when `view` was cut to a page (`truncated`): an export that silently lacks entries
 * looks whole to whoever reads it, so ask `auditLog` for `limit: null`.
 * @example
 * auditLogCsv(await auditLog(deps, studyId, {}, { limit: null }))
 * // → 'at,actor,actor_name,action,entity,entity_id,details\n2026-03-02T09:00:00.000Z,participant:…,P1,consent.agree,participant,…,{}\n…'
 */
export function auditLogCsv(view: AuditLogView): string {
  if (view.truncated) throw new Error('an audit CSV holds every matching entry: read the log with limit null, not a page')
  return stringifyCsv([['at', 'actor', 'actor_name', 'action', 'entity', 'entity_id', 'details'], ...view.entries.map((e) => [e.at, e.actor, e.actorName, e.action, e.entity, e.entityId ?? '', JSON.stringify(e.details)])])
}
