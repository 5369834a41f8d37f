/**
 * The job runner: one per server process, polling the job table (migration 0090). Jobs live in the
 * database, so a restart forgets nothing; each is claimed with a conditional update, so with several
 * runners over one database (two app servers on PostgreSQL, say) each job runs once.
 *
 * A job that throws is tried again later (after 1, 2, 4 … minutes, five times in all), then marked
 * failed with its error. A job whose runner stopped mid-way goes back to pending: at once when that
 * runner was a process on this machine that no longer exists (the server killed and started again,
 * as the writer lease in server/db/lease.ts does), else after 15 minutes without finishing. What it
 * had already sent is recorded in `message_delivery` and is not sent again; an email it was sending
 * when it stopped is marked unknown, not sent again (recoverInterruptedDeliveries).
 */
import { randomUUID } from 'node:crypto'
import { processAlive, processHost } from '../../db/lease'
import { claimJob, finishJob, listDueJobs, listRunningClaimants, releaseJobsOfRunners, releaseStaleJobs, type Job } from '../../db/repositories/jobs'
import type { Deps } from '../deps'
import { runSafetyJob, safetyJobKinds } from '../participation/safety'
import { MailRefused, type Mailer } from './mailer'
import { recoverInterruptedDeliveries, runWaveMessageJob, waveJobKinds } from './invitations'

/** What a job needs: the app's dependencies, the mailer, and the address links are built on. */
export type JobContext = Deps & { mailer: Mailer; baseUrl: string }

/**
 * Runs one claimed job; returns a time to run it again instead of finishing it. `progress`: it did
 * part of its work and stopped (to let other jobs run, or on a passing trouble, `error`), so its
 * count of tries starts again.
 */
export type JobOutcome = { retryAt: string; progress?: boolean; error?: string }
type Handler = (ctx: JobContext, job: Job) => Promise<void | JobOutcome>

const handlers: Record<string, Handler> = {
  [safetyJobKinds.notify]: runSafetyJob,
  [safetyJobKinds.renotify]: runSafetyJob,
  [waveJobKinds.invitation]: runWaveMessageJob,
  [waveJobKinds.reminder]: runWaveMessageJob,
}

const maxAttempts = 5
/** The longest wait between two tries of a failed job. */
const maxRetryDelayMs = 30 * 60_000
/**
 * Kinds of job that never give up while they have something to do: a safety flag's email goes on
 * being tried (at most `maxRetryDelayMs` apart) until it is sent or the flag is acknowledged, which
 * ends it (runSafetyJob). A safety contact must hear of a participant at risk however long the SMTP
 * server is down; found by a review: it was marked failed after five tries, about a quarter of an hour.
 */
const tryUntilDone: ReadonlySet<string> = new Set([safetyJobKinds.notify, safetyJobKinds.renotify])
const staleAfterMs = 15 * 60_000

/**
 * A runner's id, saying where it runs: `runner:<process id>@<host>:<random UUID>`, `<host>` being
 * `processHost()` (the host name, and on Linux a digest of the boot and process-id namespace). A
 * job's claim then tells whether its runner is gone: one on this machine whose process no longer
 * exists (killed, crashed) is, at once; one of another machine or container, even of the same host
 * name, only when its claim goes stale. The random part keeps two runners of one process apart.
 *
 * @example
 * newRunnerId() // => 'runner:4121@app-1/3fa2b1c09d1e:6f1c…'
 * newRunnerId(4121, 'app-1') // => 'runner:4121@app-1:…' (for tests: a runner of another process)
 */
export function newRunnerId(pid: number = process.pid, host: string = processHost()): string {
  return `runner:${pid}@${host}:${randomUUID()}`
}

const runnerIdPattern = /^runner:(\d+)@(.+):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Is this runner known to be gone: an id from newRunnerId of this machine whose process no longer
 * exists? Any other id (another machine's, or one a caller chose) is not known to be gone: its
 * jobs wait for `staleAfterMs`. A process id taken again by another process reads as alive: the
 * same safe side.
 */
function runnerGone(runnerId: string): boolean {
  const match = runnerIdPattern.exec(runnerId)
  return match !== null && match[2] === processHost() && !processAlive(Number(match[1]))
}

/**
 * Claim and run the jobs due now. Returns how many this runner ran; jobs another runner claimed
 * first are skipped. First, jobs whose runner stopped are released (see the file's comment) and
 * the emails those runners were sending marked unknown.
 *
 * @example
 * await runDueJobs({ ...deps, mailer, baseUrl: 'https://balint.example' }, newRunnerId()) // => 2
 */
export async function runDueJobs(ctx: JobContext, runnerId: string): Promise<number> {
  await releaseStaleJobs(ctx.db, new Date(ctx.now().getTime() - staleAfterMs))
  await releaseJobsOfRunners(ctx.db, (await listRunningClaimants(ctx.db)).filter(runnerGone))
  await recoverInterruptedDeliveries(ctx)
  let ran = 0
  for (const job of await listDueJobs(ctx.db, ctx.now())) {
    if (!(await claimJob(ctx.db, job.id, runnerId, ctx.now()))) continue
    ran++
    const handler = handlers[job.kind]
    try {
      if (!handler) throw new Error(`no handler for jobs of kind "${job.kind}"`)
      const outcome = await handler(ctx, job)
      await finishJob(ctx.db, job.id, runnerId, outcome ? { status: 'pending', retryAt: outcome.retryAt, resetAttempts: outcome.progress === true } : { status: 'done' }, outcome?.error ?? null, ctx.now())
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      const attempts = job.attempts + 1
      // 1, 2, 4, 8 … minutes, at most maxRetryDelayMs.
      const retryAt = new Date(ctx.now().getTime() + Math.min(60_000 * 2 ** (attempts - 1), maxRetryDelayMs)).toISOString()
      // An address refused for good stays refused: a safety contact's too (the Safety settings must be
      // mended), rather than tried every half hour for ever with nothing shown as failed.
      const givesUp = !handler || error instanceof MailRefused || (attempts >= maxAttempts && !tryUntilDone.has(job.kind))
      await finishJob(ctx.db, job.id, runnerId, givesUp ? { status: 'failed' } : { status: 'pending', retryAt }, message, ctx.now())
    }
  }
  return ran
}

export type JobRunner = { id: string; stop: () => Promise<void>; runNow: () => Promise<number> }

/**
 * Poll the job table every `intervalMs` (default 15 s) until stopped, starting at once: on a
 * server's start-up, its first look takes back what a killed predecessor on this machine left
 * running. The timer only wakes the runner; what is due is always read from the database.
 */
export function startJobRunner(ctx: JobContext, options: { intervalMs?: number; id?: string; onError?: (error: unknown) => void } = {}): JobRunner {
  const id = options.id ?? newRunnerId()
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<number> = Promise.resolve(0)
  const runNow = () =>
    (running = running.then(
      () => runDueJobs(ctx, id),
      () => runDueJobs(ctx, id),
    ))
  const tick = () => {
    if (stopped) return
    runNow()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs ?? 15_000)
      })
  }
  timer = setTimeout(tick, 0)
  return {
    id,
    runNow,
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await running.catch(() => 0)
    },
  }
}
