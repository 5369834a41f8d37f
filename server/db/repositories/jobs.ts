/**
 * The job table: work to be done at a time (migration 0090). A job is claimed with a conditional
 * update, which is atomic on SQLite and PostgreSQL alike: of several runners that try at once,
 * exactly one sees one affected row.
 */
import type { Kysely } from 'kysely'
import type { Database, JobStatus } from '../schema'
import { newId } from '../ids'

export type Job = {
  id: string
  kind: string
  studyId: string
  ref: string
  dedupeKey: string
  dueAt: string
  status: JobStatus
  attempts: number
  claimedBy: string | null
  finishedAt: string | null
  lastError: string | null
  details: Record<string, unknown>
}

type Row = Awaited<ReturnType<typeof selectJobs>>[number]
const selectJobs = (db: Kysely<Database>) => db.selectFrom('job').selectAll().execute()

function toJob(r: Row): Job {
  return {
    id: r.id,
    kind: r.kind,
    studyId: r.study_id,
    ref: r.ref,
    dedupeKey: r.dedupe_key,
    dueAt: r.due_at,
    status: r.status,
    attempts: r.attempts,
    claimedBy: r.claimed_by,
    finishedAt: r.finished_at,
    lastError: r.last_error,
    details: JSON.parse(r.details) as Record<string, unknown>,
  }
}

/**
 * Schedule a job once: a second call with the same `dedupeKey` changes the due time of a job that has
 * not run yet (and brings back a cancelled one), and leaves a job that ran alone.
 */
export async function scheduleJob(
  db: Kysely<Database>,
  job: { kind: string; studyId: string; ref: string; dedupeKey: string; dueAt: string; details?: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await db
    .insertInto('job')
    .values({ id: newId(), kind: job.kind, study_id: job.studyId, ref: job.ref, dedupe_key: job.dedupeKey, due_at: job.dueAt, status: 'pending', details: JSON.stringify(job.details ?? {}), created_at: now.toISOString() })
    .onConflict((oc) =>
      oc
        .column('dedupe_key')
        .doUpdateSet({ due_at: job.dueAt, status: 'pending', details: JSON.stringify(job.details ?? {}) })
        .where('job.status', 'in', ['pending', 'cancelled']),
    )
    .execute()
}

/** Cancel the pending jobs about `ref` whose keys are not in `keep`. */
export async function cancelPendingJobs(db: Kysely<Database>, ref: string, keep: string[]): Promise<void> {
  let q = db.updateTable('job').set({ status: 'cancelled' }).where('ref', '=', ref).where('status', '=', 'pending')
  if (keep.length > 0) q = q.where('dedupe_key', 'not in', keep)
  await q.execute()
}

/** Pending jobs due by `now`, oldest first. */
export async function listDueJobs(db: Kysely<Database>, now: Date, limit = 20): Promise<Job[]> {
  const rows = await db.selectFrom('job').selectAll().where('status', '=', 'pending').where('due_at', '<=', now.toISOString()).orderBy('due_at').orderBy('id').limit(limit).execute()
  return rows.map(toJob)
}

export async function listJobsOfRefs(db: Kysely<Database>, refs: string[]): Promise<Job[]> {
  if (refs.length === 0) return []
  const rows = await db.selectFrom('job').selectAll().where('ref', 'in', refs).orderBy('due_at').execute()
  return rows.map(toJob)
}

export async function findJobByKey(db: Kysely<Database>, dedupeKey: string): Promise<Job | undefined> {
  const row = await db.selectFrom('job').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst()
  return row && toJob(row)
}

/**
 * Claim a pending job for `claimedBy`: true for exactly one caller, however many try at once. The
 * `status = 'pending'` condition makes the update itself the check.
 */
export async function claimJob(db: Kysely<Database>, id: string, claimedBy: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('job')
    .set({ status: 'running', claimed_by: claimedBy, claimed_at: now.toISOString(), attempts: (eb) => eb('attempts', '+', 1) })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Close a pending job without running it (done by hand): true when this call closed it. */
export async function closePendingJob(db: Kysely<Database>, id: string, closedBy: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('job')
    .set({ status: 'done', claimed_by: closedBy, claimed_at: now.toISOString(), finished_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * The claimed job ran: done, failed for good, or back to pending at `retryAt` (with its count of
 * attempts started again when `resetAttempts`: it got somewhere, so its tries are not used up).
 */
export async function finishJob(
  db: Kysely<Database>,
  id: string,
  claimedBy: string,
  outcome: { status: 'done' | 'failed' } | { status: 'pending'; retryAt: string; resetAttempts?: boolean },
  error: string | null,
  now: Date,
): Promise<void> {
  await db
    .updateTable('job')
    .set({
      status: outcome.status,
      attempts: outcome.status === 'pending' && outcome.resetAttempts ? 0 : undefined,
      finished_at: outcome.status === 'pending' ? null : now.toISOString(),
      due_at: outcome.status === 'pending' ? outcome.retryAt : undefined,
      claimed_by: outcome.status === 'pending' ? null : claimedBy,
      last_error: error,
    })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('claimed_by', '=', claimedBy)
    .execute()
}

/**
 * Jobs claimed before `cutoff` and never finished (their runner stopped mid-way) go back to pending.
 * What they had already sent is in `message_delivery` and is not sent again; an email they were
 * sending when they stopped is marked unknown (recoverInterruptedDeliveries). Returns how many.
 */
export async function releaseStaleJobs(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const result = await db.updateTable('job').set({ status: 'pending', claimed_by: null }).where('status', '=', 'running').where('claimed_at', '<', cutoff.toISOString()).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** The runners that hold a claimed job now (`claimed_by` of the jobs `running`), each once. */
export async function listRunningClaimants(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('job').select('claimed_by').distinct().where('status', '=', 'running').where('claimed_by', 'is not', null).execute()
  return rows.map((r) => r.claimed_by!)
}

/**
 * The jobs these runners claimed and never finished go back to pending at once: their runners are
 * known to be gone (a process on this machine that no longer exists). Returns how many.
 */
export async function releaseJobsOfRunners(db: Kysely<Database>, runnerIds: string[]): Promise<number> {
  if (runnerIds.length === 0) return 0
  const result = await db.updateTable('job').set({ status: 'pending', claimed_by: null }).where('status', '=', 'running').where('claimed_by', 'in', runnerIds).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Delete every job about these responses, whatever its state (a participant's deletion): a safety
 * job's `ref` is `<response id>/<flag id>`, so a job left behind would still say that a deleted
 * response raised that flag, and when.
 */
export async function deleteJobsOfResponses(db: Kysely<Database>, responseIds: readonly string[]): Promise<void> {
  for (let i = 0; i < responseIds.length; i += 200) {
    const slice = responseIds.slice(i, i + 200)
    await db.deleteFrom('job').where((eb) => eb.or(slice.map((id) => eb('ref', 'like', `${id}/%`)))).execute()
  }
}
