/**
 * One server per database. Two servers writing to one SQLite file fight over its lock, and each
 * believes its own in-process state (sessions it extends, scheduled backups it runs) is the only one.
 * The server therefore takes a lease, a row in `server_lease`, at start and renews it while it runs.
 * The state lives in the database, not in a lock file, so it works the same on PostgreSQL and for
 * servers on different machines sharing one database.
 *
 * A lease is live while its holder renews it (every `renewMs`). A holder on this machine whose
 * process is gone (killed with SIGKILL, a crash) is taken over at once; one on another machine once
 * it has not renewed for `staleMs`. "This machine" is `processHost()`: the host name, and on Linux the
 * boot and the process-id namespace too.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, readlinkSync } from 'node:fs'
import { hostname } from 'node:os'
import type { Kysely } from 'kysely'
import type { Database } from './schema'

export const leaseRenewMs = 5_000
export const leaseStaleMs = 30_000

export type Lease = { holder: string; host: string; pid: number; startedAt: string }

/** Another server holds the database. The message says which and what to do. */
export class LeaseHeldError extends Error {
  constructor(readonly current: Lease) {
    super(
      `another Balint Outcomes server is already running on this database (process ${current.pid} on ${current.host}, started ${current.startedAt}). ` +
        'Stop it first, or give this server its own BALINT_DB.',
    )
    this.name = 'LeaseHeldError'
  }
}

/** Whether a process with this id exists on this machine (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

let host: string | undefined

/**
 * Where this process's id means something: the host name, and on Linux a short digest of the boot
 * (`/proc/sys/kernel/random/boot_id`) and of the process-id namespace (`/proc/self/ns/pid`), as
 * `<host name>/<12 hex digits>`; the host name alone where /proc cannot be read. The host name alone
 * is not enough: machines cloned from one image can share a host name (and a database), and so can
 * containers started from one image (and a volume with the SQLite file), each with process ids of
 * its own; a live server's process id read there could look gone here, and its lease or its jobs be
 * taken while it runs. Ids from two places with different `processHost()`s are never compared: their
 * holder waits for its heartbeat to go stale (after a reboot too, which changes the boot), the safe
 * side. Worked out once per process.
 *
 * @example
 * processHost() // => 'app-1/3fa2b1c09d1e' on Linux; 'app-1' elsewhere
 */
export function processHost(): string {
  if (host === undefined) {
    try {
      const digest = createHash('sha256').update(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()).update('\0').update(readlinkSync('/proc/self/ns/pid')).digest('hex')
      host = `${hostname()}/${digest.slice(0, 12)}`
    } catch {
      host = hostname()
    }
  }
  return host
}

/**
 * Take the writer lease, or throw `LeaseHeldError` when a live server holds it. Returns the lease
 * with `renew()` (called on a timer by the caller) and `release()` (on shutdown).
 */
export async function acquireWriterLease(db: Kysely<Database>, now: () => Date = () => new Date()) {
  const me: Lease = { holder: randomBytes(12).toString('hex'), host: processHost(), pid: process.pid, startedAt: now().toISOString() }
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('server_lease').selectAll().where('name', '=', 'writer').executeTakeFirst()
    if (row) {
      const current: Lease = { holder: row.holder, host: row.host, pid: row.pid, startedAt: row.started_at }
      const fresh = now().getTime() - new Date(row.heartbeat_at).getTime() < leaseStaleMs
      const live = row.host === me.host ? processAlive(row.pid) && fresh : fresh
      if (live) throw new LeaseHeldError(current)
      await trx.deleteFrom('server_lease').where('name', '=', 'writer').execute()
    }
    const at = now().toISOString()
    await trx.insertInto('server_lease').values({ name: 'writer', holder: me.holder, host: me.host, pid: me.pid, started_at: me.startedAt, heartbeat_at: at }).execute()
  })
  return {
    ...me,
    /** Say this server is still alive. */
    renew: async () => {
      await db.updateTable('server_lease').set({ heartbeat_at: now().toISOString() }).where('name', '=', 'writer').where('holder', '=', me.holder).execute()
    },
    /** Give the lease up (on shutdown). */
    release: async () => {
      await db.deleteFrom('server_lease').where('name', '=', 'writer').where('holder', '=', me.holder).execute()
    },
  }
}

/** The live lease, if a server holds one: used by `restore`, which must not replace a database in use. */
export async function findLiveLease(db: Kysely<Database>, now: Date = new Date()): Promise<Lease | undefined> {
  const row = await db.selectFrom('server_lease').selectAll().where('name', '=', 'writer').executeTakeFirst()
  if (!row) return undefined
  const fresh = now.getTime() - new Date(row.heartbeat_at).getTime() < leaseStaleMs
  const live = row.host === processHost() ? processAlive(row.pid) && fresh : fresh
  return live ? { holder: row.holder, host: row.host, pid: row.pid, startedAt: row.started_at } : undefined
}
