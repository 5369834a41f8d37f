import type { ExpressionBuilder, Kysely } from 'kysely'
import type { Database, DataSource, ParticipantLinkPurpose, ParticipantStatus } from '../schema'
import { newId } from '../ids'
import { preparedQuery } from '../prepared'
import { batches } from '../batch'
import { appendTo } from '../../domain/collections'
import { databaseEngine } from '../connection'

export type Participant = {
  id: string
  cohortId: string
  code: string
  status: ParticipantStatus
  source: DataSource
  createdAt: string
  withdrawnAt: string | null
}

function toParticipant(r: Database['participant']): Participant {
  return { id: r.id, cohortId: r.cohort_id, code: r.code, status: r.status, source: r.source, createdAt: r.created_at, withdrawnAt: r.withdrawn_at }
}

/** The next free number for codes P1, P2 … in a cohort. */
async function nextCodeNumber(db: Kysely<Database>, cohortId: string): Promise<number> {
  const codes = await db.selectFrom('participant').select('code').where('cohort_id', '=', cohortId).execute()
  const numbers = codes.map((c) => /^P(\d+)$/.exec(c.code)).map((m) => (m ? Number(m[1]) : 0))
  return Math.max(0, ...numbers) + 1
}

/** Add participants with the next codes, or with the given codes (imports keep the codes of the file). */
export async function insertParticipants(
  db: Kysely<Database>,
  cohortId: string,
  spec: ({ count: number } | { codes: string[] }) & { source: DataSource; status?: 'invited' | 'active' },
  now: Date,
): Promise<Participant[]> {
  let codes: string[]
  if ('codes' in spec) codes = spec.codes
  else {
    const first = await nextCodeNumber(db, cohortId)
    codes = Array.from({ length: spec.count }, (_, i) => `P${first + i}`)
  }
  const rows = codes.map((code) => ({
    id: newId(),
    cohort_id: cohortId,
    code,
    // Imported participants gave their answers elsewhere: they are active from the start.
    status: spec.status ?? ('invited' as const),
    source: spec.source,
    created_at: now.toISOString(),
    withdrawn_at: null,
  }))
  // In slices: one statement may bind only so many values (SQLite: 32,766; PostgreSQL: 65,535).
  for (let i = 0; i < rows.length; i += 1000) await db.insertInto('participant').values(rows.slice(i, i + 1000)).execute()
  return rows.map(toParticipant)
}

export async function findParticipant(db: Kysely<Database>, id: string): Promise<Participant | undefined> {
  const r = await db.selectFrom('participant').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toParticipant(r)
}

const collatedOrder = new Intl.Collator('en', { numeric: true }).compare
/** Participant codes in natural order, P2 before P10; codes it holds equal (P01, P1) by their characters. */
export const naturalOrder = (a: string, b: string): number => collatedOrder(a, b) || (a < b ? -1 : a > b ? 1 : 0)

export async function listParticipants(db: Kysely<Database>, cohortId: string): Promise<Participant[]> {
  const rows = await db.selectFrom('participant').selectAll().where('cohort_id', '=', cohortId).execute()
  // Natural order: P2 before P10. One collator for the whole sort: localeCompare with options builds
  // one per comparison, a tenth of a 10,000-participant report's time.
  return rows.map(toParticipant).sort((a, b) => naturalOrder(a.code, b.code))
}

const linkByTokenHash = preparedQuery<{ tokenHash: string }>()((db, v) =>
  db
    .selectFrom('participant_link')
    .innerJoin('participant', 'participant.id', 'participant_link.participant_id')
    .selectAll('participant')
    .select(['participant_link.revoked_at as link_revoked_at', 'participant_link.expires_at as link_expires_at'])
    .where('participant_link.token_hash', '=', v.tokenHash),
)

/**
 * The link with this token hash and its participant, whether or not it still works: the caller
 * tells a revoked link (`revokedAt`) and a replaced message link past its time (`expiresAt`) apart.
 * Every request of a participant starts here: prepared once.
 */
export async function findLinkByTokenHash(db: Kysely<Database>, tokenHash: string): Promise<{ participant: Participant; revokedAt: string | null; expiresAt: string | null } | undefined> {
  const [r] = await linkByTokenHash(db, { tokenHash })
  return r && { participant: toParticipant(r), revokedAt: r.link_revoked_at, expiresAt: r.link_expires_at }
}

export async function insertLink(db: Kysely<Database>, participantId: string, tokenHash: string, now: Date, purpose: ParticipantLinkPurpose = 'staff'): Promise<void> {
  await insertLinks(db, [{ participantId, tokenHash }], now, purpose)
}

/** Add a link per entry (a participant and their token's hash), of one purpose, in statements of a few hundred rows. */
export async function insertLinks(db: Kysely<Database>, links: { participantId: string; tokenHash: string }[], now: Date, purpose: ParticipantLinkPurpose): Promise<void> {
  const at = now.toISOString()
  for (const batch of batches(links, 500)) {
    await db
      .insertInto('participant_link')
      .values(batch.map((l) => ({ id: newId(), participant_id: l.participantId, token_hash: l.tokenHash, purpose, created_at: at, revoked_at: null, expires_at: null })))
      .execute()
  }
}

/** A link that works at `at` (ISO): not revoked, and not past its end (the rule journey.ts's participantOfLink applies). */
const worksAt = (eb: ExpressionBuilder<Database, 'participant_link'>, at: string) => eb.and([eb('revoked_at', 'is', null), eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)])])

/**
 * Give each of these participants' live message links an end, as a newer one is added: each
 * participant's `keep` newest work until `until` (or their earlier end), any older ones end `now`.
 * Links issued by staff are never touched. With `among` (the ids of the links that worked when a newer
 * link was added first: an email's, rotated once it has left), only those are: a link minted meanwhile
 * (a message prepared by hand while the email was being sent) is newer, and keeps working. Ids, not
 * creation times: a link's time is read before it is written, so times need not follow the writes.
 * A statement per few thousand participants and one update per end given (a wave's letters at
 * 10,000 participants ran four statements per participant, holding the database's write lock for
 * 2.6 s; issue 16). Returns how many links were given an end.
 */
export async function expireMessageLinksOf(db: Kysely<Database>, participantIds: string[], options: { keep: number; until: Date; now: Date; among?: readonly string[] }): Promise<number> {
  if (options.among?.length === 0) return 0
  const now = options.now.toISOString()
  const until = options.until.toISOString()
  /** The links to give each end, by the end. */
  const ending = new Map<string, string[]>()
  for (const ids of batches(participantIds)) {
    const live = await db
      .selectFrom('participant_link')
      .select(['id', 'participant_id', 'expires_at'])
      .where('participant_id', 'in', ids)
      .where('purpose', '=', 'message')
      .where((eb) => worksAt(eb, now))
      .$if(options.among !== undefined, (q) => q.where('id', 'in', options.among!))
      .orderBy('participant_id')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute()
    // Each participant's live links, newest first: the first `keep` of each get the grace.
    let newer = 0
    live.forEach((link, i) => {
      newer = i > 0 && live[i - 1]!.participant_id === link.participant_id ? newer + 1 : 0
      const end = newer < options.keep ? until : now
      if (link.expires_at !== null && link.expires_at <= end) return
      appendTo(ending, end, link.id)
    })
  }
  let changed = 0
  for (const [end, ids] of ending) {
    for (const batch of batches(ids)) {
      await db.updateTable('participant_link').set({ expires_at: end }).where('id', 'in', batch).execute()
      changed += batch.length
    }
  }
  return changed
}

/** The ids of a participant's message links that work at `now` (see expireMessageLinksOf's `among`). */
export async function listWorkingMessageLinkIds(db: Kysely<Database>, participantId: string, now: Date): Promise<string[]> {
  const rows = await db.selectFrom('participant_link').select('id').where('participant_id', '=', participantId).where('purpose', '=', 'message').where((eb) => worksAt(eb, now.toISOString())).execute()
  return rows.map((r) => r.id)
}

/** Revoke one link by its token's hash (a message link whose email never left). */
export async function revokeLinkByTokenHash(db: Kysely<Database>, tokenHash: string, now: Date): Promise<void> {
  await db.updateTable('participant_link').set({ revoked_at: now.toISOString() }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute()
}

/**
 * End every working link of a participant now, without revoking it: a link past its end answers
 * `link_replaced` (journey.ts), so a page still open under it keeps the answers it holds unsent, for
 * the participant's newer link to take over on the same device (client/participant/device-store.ts),
 * where a revoked link's `link_not_found` is final and the page lets them go. For a link that is
 * replaced (reissueLink); a link taken away with no other (revokeLinks) is revoked. Returns how many
 * links it ended.
 */
export async function endLinks(db: Kysely<Database>, participantId: string, now: Date): Promise<number> {
  const at = now.toISOString()
  const result = await db
    .updateTable('participant_link')
    .set({ expires_at: at })
    .where('participant_id', '=', participantId)
    .where((eb) => worksAt(eb, at))
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Revoke every live link of a participant. */
export async function revokeLinks(db: Kysely<Database>, participantId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('participant_link')
    .set({ revoked_at: now.toISOString() })
    .where('participant_id', '=', participantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export async function updateParticipantStatus(db: Kysely<Database>, id: string, status: ParticipantStatus, now: Date): Promise<void> {
  await db
    .updateTable('participant')
    .set({ status, ...(status === 'withdrawn' ? { withdrawn_at: now.toISOString() } : {}) })
    .where('id', '=', id)
    .execute()
}

export type ConsentRecord = { instrumentId: string; instrumentVersion: string; decision: 'agree' | 'decline'; decidedAt: string }

export async function insertConsent(
  db: Kysely<Database>,
  consent: { participantId: string; instrumentId: string; instrumentVersion: string; decision: 'agree' | 'decline'; answers: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await db
    .insertInto('consent')
    .values({
      id: newId(),
      participant_id: consent.participantId,
      instrument_id: consent.instrumentId,
      instrument_version: consent.instrumentVersion,
      decision: consent.decision,
      answers: JSON.stringify(consent.answers),
      decided_at: now.toISOString(),
    })
    .execute()
}

/**
 * Why nothing more may be stored for a participant, in words that follow their code, or null when
 * it may: they withdrew, or they declined at their link and have not agreed since (`declining`, ids,
 * from `listDecliningParticipantIds`). The one rule of both imports, the answers' long CSV and a
 * REFI-QDA project's transcripts.
 *
 * @example
 * nothingStoredFor(participant, declining) // => 'has withdrawn from the study: nothing more is stored for them'
 */
export function nothingStoredFor(participant: Pick<Participant, 'id' | 'status'>, declining: ReadonlySet<string>): string | null {
  if (participant.status === 'withdrawn') return 'has withdrawn from the study: nothing more is stored for them'
  // Their refusal stands until they agree at their link: answers on paper, or an interview held elsewhere, are no consent.
  if (declining.has(participant.id)) return 'declined to take part at their link: nothing is stored for them unless they agree there first'
  return null
}

/**
 * The participants of a cohort who declined at their link and have not agreed since (a participant
 * may agree after declining, never decline after agreeing: `recordConsent`), by id. Their answers
 * are not imported (`nothingStoredFor`), nor counted as consenting (report-data's consent rule).
 */
export async function listDecliningParticipantIds(db: Kysely<Database>, cohortId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('participant')
    .select('participant.id')
    .where('participant.cohort_id', '=', cohortId)
    .where((eb) => eb.exists(eb.selectFrom('consent').select('consent.id').whereRef('consent.participant_id', '=', 'participant.id').where('consent.decision', '=', 'decline')))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('consent').select('consent.id').whereRef('consent.participant_id', '=', 'participant.id').where('consent.decision', '=', 'agree'))))
    .execute()
  return new Set(rows.map((r) => r.id))
}

const latestConsent = preparedQuery<{ participantId: string }>()((db, v) =>
  db
    .selectFrom('consent')
    .select(['instrument_id', 'instrument_version', 'decision', 'decided_at'])
    .where('participant_id', '=', v.participantId)
    .orderBy('decided_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1),
)

/** The participant's most recent consent decision, if any (checked before every save: prepared once). */
export async function findLatestConsent(db: Kysely<Database>, participantId: string): Promise<ConsentRecord | undefined> {
  const [r] = await latestConsent(db, { participantId })
  return r && { instrumentId: r.instrument_id, instrumentVersion: r.instrument_version, decision: r.decision, decidedAt: r.decided_at }
}

/** The participants of a cohort who have a live (not revoked) link. */
export async function listLinkState(db: Kysely<Database>, cohortId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('participant_link')
    .innerJoin('participant', 'participant.id', 'participant_link.participant_id')
    .select('participant.id')
    .where('participant.cohort_id', '=', cohortId)
    .where('participant_link.revoked_at', 'is', null)
    .execute()
  return new Set(rows.map((r) => r.id))
}

/** A participant's withdrawal as the database records it: when, and whether their data were deleted. */
export type WithdrawalRecord = { participantId: string; withdrawnAt: string | null; deleted: boolean }

/**
 * Every withdrawn participant, with whether they asked for deletion (at once, or later: the audit
 * log's `participant.withdraw` with `keepData: false`, or `participant.delete_data`). For making the
 * withdrawals again in a restored backup (cli `restore`).
 */
export async function listWithdrawals(db: Kysely<Database>): Promise<WithdrawalRecord[]> {
  const withdrawn = await db.selectFrom('participant').select(['id', 'withdrawn_at']).where('status', '=', 'withdrawn').execute()
  const deleted = await listDeletedParticipantIds(db)
  return withdrawn.map((p) => ({ participantId: p.id, withdrawnAt: p.withdrawn_at, deleted: deleted.has(p.id) }))
}

/**
 * The participants (of all, or of `participantIds` only: one id or several) whose data were deleted
 * at their request (`dataDeletionsQuery`). Given no ids (an empty list), reads nothing.
 */
export async function listDeletedParticipantIds(db: Kysely<Database>, participantIds?: string | readonly string[]): Promise<Set<string>> {
  const ids = typeof participantIds === 'string' ? [participantIds] : participantIds
  if (ids?.length === 0) return new Set()
  const query = dataDeletionsQuery(db).$if(ids !== undefined, (q) => q.where('audit_log.entity_id', 'in', [...new Set(ids)]))
  return new Set((await query.execute()).flatMap((d) => (d.entity_id === null ? [] : [d.entity_id])))
}

/**
 * The audit log's entries saying that a participant's data were deleted at their request, the one
 * place this rule is written (`listDeletedParticipantIds`, and the attendance count's rule in
 * report-data.ts): `participant.withdraw` with `keepData: false`, or a later
 * `participant.delete_data` (both kept by the erasure). Selects `audit_log.entity_id`, the
 * participant's id, once per entry (a participant may have two).
 */
export function dataDeletionsQuery(db: Kysely<Database>) {
  return db
    .selectFrom('audit_log')
    .select('audit_log.entity_id')
    .where('audit_log.entity', '=', 'participant')
    .where((eb) =>
      eb.or([eb('audit_log.action', '=', 'participant.delete_data'), eb.and([eb('audit_log.action', '=', 'participant.withdraw'), eb('audit_log.details', 'like', '%"keepData":false%')])]),
    )
}

/**
 * Lock these participants' rows until the transaction ends, and return them as they are then, in id
 * order (an id of no participant is left out). On PostgreSQL, `SELECT … FOR UPDATE`: a withdrawal and
 * an attendance save of the same participant take this lock before they read anything they decide
 * on, so the later waits for the earlier to commit, and then, its transaction being serialisable,
 * fails and is run again by the retry (db/postgres.ts) reading what the earlier wrote. Rows are locked
 * in id order, so two transactions locking some of the same participants cannot deadlock. On SQLite a
 * plain read: one transaction writes at a time (`begin immediate`), which already orders them. Call
 * it inside a transaction; outside one the lock ends with the statement.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   const [participant] = await lockParticipants(trx, [id]) // a withdrawal of `id` now waits for this transaction
 * })
 */
export async function lockParticipants(db: Kysely<Database>, ids: readonly string[]): Promise<Participant[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('participant')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .orderBy('id')
    .$if(databaseEngine(db) === 'postgres', (q) => q.forUpdate())
    .execute()
  return rows.map(toParticipant)
}
