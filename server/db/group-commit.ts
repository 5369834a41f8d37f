/**
 * Group commit for SQLite (issue 16): the participants' saves that arrive together are written in one
 * transaction, each inside a savepoint of its own, and each is answered only after that transaction
 * has committed. A commit is the dearest step of a save (SQLite writes the WAL and waits for the disk:
 * about 90 µs of a 200 µs save, with the event loop blocked meanwhile); fifty phones saving at once
 * then share a few commits instead of queueing for fifty. The technique is the one PostgreSQL's
 * `commit_delay` and most databases' group commit use, without a delay: a batch is simply what
 * arrived while the previous one was being written.
 *
 * Each piece of work runs as if alone, in arrival order, seeing the writes of the ones before it:
 * SQLite has one connection, and the batch holds it throughout. A piece of work that throws is rolled
 * back to its savepoint, so it writes nothing, and its caller gets its error; the others are not
 * touched. If the shared transaction itself fails (`BEGIN` finds the file locked past the busy
 * timeout, a full disk or an I/O error makes SQLite roll everything back, `COMMIT` fails), nothing of
 * it was stored: each piece is then run again in a transaction of its own, so that one save too big
 * for the disk's last pages fails alone rather than taking the others with it on every retry.
 *
 * A batch is started with `setImmediate`, so a transaction begun later in the same turn (a
 * withdrawal, a revoked link) may commit before the saves queued ahead of it: HTTP never promised an
 * order between requests in flight together. Tests with fake timers must leave `setImmediate` real.
 *
 * PostgreSQL has a pool of connections and commits concurrently on its own: there the work is an
 * ordinary (serialisable, retried) transaction.
 */
import { CompiledQuery, type Kysely } from 'kysely'
import { databaseEngine } from './connection'
import type { Database } from './schema'

type Job = { work: (trx: Kysely<Database>) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }

/** At most this many pieces of work share one transaction; the rest wait for the next. */
export const maxGroupCommitBatch = 64

const queues = new WeakMap<Kysely<Database>, { jobs: Job[]; scheduled: boolean }>()

/**
 * Run `work` in a transaction, shared with the other work queued on `db` in the same turn of the
 * event loop (SQLite), or its own (PostgreSQL). Resolves with `work`'s result once it is committed;
 * rejects with `work`'s error (nothing it wrote is kept) or with the transaction's.
 *
 * `work` must read and write only through the `trx` it is given, must not start a transaction of its
 * own, and must not use `trx` after its promise has settled: unlike a Kysely `Transaction`, the handle
 * is the batch's connection, which does not refuse a late query (it would run in whatever transaction
 * holds the connection then). Using `db` inside `work` waits for the connection the batch holds: it
 * never returns, as inside `db.transaction()`.
 */
export function inGroupCommit<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (databaseEngine(db) === 'postgres') return db.transaction().execute(work)
  let queue = queues.get(db)
  if (!queue) {
    queue = { jobs: [], scheduled: false }
    queues.set(db, queue)
  }
  const promise = new Promise<T>((resolve, reject) => queue.jobs.push({ work, resolve: resolve as (value: unknown) => void, reject }))
  if (!queue.scheduled) {
    queue.scheduled = true
    // After the current turn's I/O callbacks: every request that arrived with this one joins it.
    setImmediate(() => void flush(db, queue))
  }
  return promise
}

async function flush(db: Kysely<Database>, queue: { jobs: Job[]; scheduled: boolean }): Promise<void> {
  const batch = queue.jobs.splice(0, maxGroupCommitBatch)
  if (queue.jobs.length > 0) setImmediate(() => void flush(db, queue))
  else queue.scheduled = false
  if (batch.length === 0) return
  const results: { job: Job; ok: boolean; value: unknown }[] = []
  try {
    await db.connection().execute(async (connection) => {
      await run(connection, 'begin immediate')
      try {
        for (const job of batch) {
          await run(connection, 'savepoint save')
          try {
            const value = await job.work(connection)
            await run(connection, 'release save')
            results.push({ job, ok: true, value })
          } catch (error) {
            results.push({ job, ok: false, value: error })
            try {
              await run(connection, 'rollback to save')
              await run(connection, 'release save')
            } catch {
              // SQLite has already rolled the whole transaction back (an I/O error, a full disk):
              // nothing of the batch is stored, and the batch is run again, each piece alone (below).
              throw error
            }
          }
        }
        await run(connection, 'commit')
      } catch (error) {
        await run(connection, 'rollback').catch(() => undefined)
        throw error
      }
    })
  } catch (error) {
    if (batch.length === 1) batch[0]!.reject(error)
    // Nothing was stored: each alone, so that only the work that cannot be stored fails.
    else for (const job of batch) db.transaction().execute(job.work).then(job.resolve, job.reject)
    return
  }
  for (const { job, ok, value } of results) (ok ? job.resolve : job.reject)(value)
}

function run(db: Kysely<Database>, statement: string) {
  return db.executeQuery(CompiledQuery.raw(statement))
}
