import { sql, type ExpressionBuilder, type Kysely } from 'kysely'
import type { Database, WaveKind } from '../schema'
import { newId } from '../ids'
import { batches } from '../batch'

export type AuditEntry = { actor: string; action: string; entity: string; entityId?: string | null; details?: Record<string, unknown> }

/** Append to the audit log. There is no update or delete: the table refuses both. */
export async function insertAudit(db: Kysely<Database>, entry: AuditEntry, at: Date): Promise<void> {
  await insertAudits(db, [entry], at)
}

/** Append entries to the audit log, all at `at`, in their order, in statements of a few hundred rows. */
export async function insertAudits(db: Kysely<Database>, entries: AuditEntry[], at: Date): Promise<void> {
  const when = at.toISOString()
  for (const batch of batches(entries, 500)) {
    await db
      .insertInto('audit_log')
      .values(
        batch.map((entry) => ({
          id: newId(),
          at: when,
          actor: entry.actor,
          action: entry.action,
          entity: entry.entity,
          entity_id: entry.entityId ?? null,
          details: JSON.stringify(entry.details ?? {}),
        })),
      )
      .execute()
  }
}

export type AuditRecord = { at: string; actor: string; action: string; entity: string; entityId: string | null; details: Record<string, unknown> }

export async function listAudit(db: Kysely<Database>, filter: { entityId?: string } = {}): Promise<AuditRecord[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('at').orderBy('id')
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId)
  const rows = await q.execute()
  return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entity_id, details: JSON.parse(r.details) }))
}

export type AuditQuery = {
  /** Only entries about this study's things (null: every entry, for administrators). */
  studyId: string | null
  /** Entries about this participant: their own actions, their responses and interview, or naming them. */
  participantId?: string
  /** "staff:<id>", "participant:<id>", "system", "cli" … */
  actor?: string
  action?: string
  /** ISO times: from inclusive, to exclusive. */
  fromAt?: string
  toAt?: string
  /** At most this many, newest first. */
  limit?: number
}

export type AuditListEntry = AuditRecord & { id: string }

/** An entry as listed, with the code of the participant who made it (null: no participant, or one no longer stored). */
export type AuditListRow = AuditListEntry & { actorParticipantCode: string | null }

const participantActor = 'participant:'

/**
 * Audit entries, newest first, filtered. A study's entries are those whose entity is the study or
 * one of its cohorts, waves, group sessions, participants, responses, interviews, transcripts, codes,
 * codings, memos or releases (what a participant does is about one of these: their consent, their
 * responses). Subqueries, not lists of ids,
 * so that a study of any size stays one statement (portable to PostgreSQL).
 *
 * Each entry made by a participant ("participant:<id>") carries that participant's code, looked up
 * in the same statement (one primary-key lookup per entry), so that naming the actors of 90,000
 * entries is not 10,000 more queries.
 *
 * @example
 * await listAuditEntries(db, { studyId, action: 'consent.agree', limit: 501 })
 * // → [{ id, at, actor: 'participant:…', actorParticipantCode: 'P12', action: 'consent.agree', entity: 'participant', entityId: '…', details: {} }, …]
 */
export async function listAuditEntries(db: Kysely<Database>, query: AuditQuery): Promise<AuditListRow[]> {
  let q = db
    .selectFrom('audit_log')
    .selectAll('audit_log')
    .select((eb) =>
      eb
        .selectFrom('participant')
        .select('participant.code')
        // substr, not "'participant:' || participant.id = actor": this way the lookup uses the primary key.
        .where('participant.id', '=', sql<string>`substr(${eb.ref('audit_log.actor')}, ${sql.lit(participantActor.length + 1)})`)
        // Not LIKE: SQLite's is blind to case, and "Participant:…" is no participant's entry.
        .where(sql<string>`substr(${eb.ref('audit_log.actor')}, 1, ${sql.lit(participantActor.length)})`, '=', participantActor)
        .as('actor_participant_code'),
    )
  const studyId = query.studyId
  if (studyId !== null) q = q.where((eb) => inStudy(eb, studyId))
  const participantId = query.participantId
  if (participantId !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb('actor', '=', `participant:${participantId}`),
        eb('entity_id', '=', participantId),
        eb('entity_id', 'in', eb.selectFrom('response').select('response.id').where('response.participant_id', '=', participantId)),
        eb('entity_id', 'in', eb.selectFrom('interview').select('interview.id').where('interview.participant_id', '=', participantId)),
        eb('details', 'like', `%"${participantId}"%`),
      ]),
    )
  }
  if (query.actor !== undefined) q = q.where('actor', '=', query.actor)
  if (query.action !== undefined) q = q.where('action', '=', query.action)
  if (query.fromAt !== undefined) q = q.where('at', '>=', query.fromAt)
  if (query.toAt !== undefined) q = q.where('at', '<', query.toAt)
  q = q.orderBy('audit_log.at', 'desc').orderBy('audit_log.id', 'desc')
  if (query.limit !== undefined) q = q.limit(query.limit)
  const rows = await q.execute()
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    details: JSON.parse(r.details) as Record<string, unknown>,
    actorParticipantCode: r.actor_participant_code ?? null,
  }))
}

/** Whether an audit entry is about one of the study's things (see listAuditEntries). */
function inStudy(eb: ExpressionBuilder<Database, 'audit_log'>, studyId: string) {
  const cohorts = eb.selectFrom('cohort').select('cohort.id').where('cohort.study_id', '=', studyId)
  const participants = eb.selectFrom('participant').innerJoin('cohort', 'cohort.id', 'participant.cohort_id').select('participant.id').where('cohort.study_id', '=', studyId)
  return eb.or([
    eb('entity_id', '=', studyId),
    eb('entity_id', 'in', cohorts),
    eb('entity_id', 'in', participants),
    eb('entity_id', 'in', eb.selectFrom('wave').select('wave.id').where('wave.cohort_id', 'in', cohorts)),
    eb('entity_id', 'in', eb.selectFrom('group_session').select('group_session.id').where('group_session.cohort_id', 'in', cohorts)),
    eb('entity_id', 'in', eb.selectFrom('response').select('response.id').where('response.participant_id', 'in', participants)),
    eb('entity_id', 'in', eb.selectFrom('interview').select('interview.id').where('interview.participant_id', 'in', participants)),
    eb('entity_id', 'in', eb.selectFrom('transcript').innerJoin('interview', 'interview.id', 'transcript.interview_id').select('transcript.id').where('interview.participant_id', 'in', participants)),
    eb('entity_id', 'in', eb.selectFrom('code').select('code.id').where('code.study_id', '=', studyId)),
    eb('entity_id', 'in', eb.selectFrom('coding').innerJoin('code', 'code.id', 'coding.code_id').select('coding.id').where('code.study_id', '=', studyId)),
    eb('entity_id', 'in', eb.selectFrom('memo').select('memo.id').where('memo.study_id', '=', studyId)),
    eb('entity_id', 'in', eb.selectFrom('program_lead_release').select('program_lead_release.id').where('program_lead_release.study_id', '=', studyId)),
  ])
}

/** The distinct actions in a study's entries (null: in every entry), sorted. */
export async function listAuditActions(db: Kysely<Database>, studyId: string | null): Promise<string[]> {
  let q = db.selectFrom('audit_log').select('action').distinct()
  if (studyId !== null) q = q.where((eb) => inStudy(eb, studyId))
  return (await q.orderBy('action').execute()).map((r) => r.action)
}

/** A response's scale scores replaced by a re-score (`response.rescore`, rescore.ts): whose, which form, which scales. */
export type Rescore = { /** The audit entry's id: this re-score's identity. */ id: string; participantId: string; /** Null for a form asked once. */ waveKind: WaveKind | null; instrumentId: string; scales: string[] }

/**
 * Every re-score of the study's stored responses, oldest first, from the audit log's
 * `response.rescore` entries (they name the scales, never a score): for a release's differencing
 * check (release.ts, `withCorrections`), which must see a re-scored person as another.
 */
export async function listRescoresInStudy(db: Kysely<Database>, studyId: string): Promise<Rescore[]> {
  const rows = await db
    .selectFrom('audit_log')
    .innerJoin('response', 'response.id', 'audit_log.entity_id')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .leftJoin('wave', 'wave.id', 'response.wave_id')
    .select(['audit_log.id', 'response.participant_id', 'wave.kind', 'response.instrument_id', 'audit_log.details'])
    .where('audit_log.action', '=', 'response.rescore')
    .where('audit_log.entity', '=', 'response')
    .where('cohort.study_id', '=', studyId)
    .orderBy('audit_log.at')
    .execute()
  return rows.map((r) => {
    const scales = (JSON.parse(r.details) as { scales?: unknown }).scales
    return { id: r.id, participantId: r.participant_id, waveKind: r.kind, instrumentId: r.instrument_id, scales: Array.isArray(scales) ? scales.map(String) : [] }
  })
}
