/**
 * "This machine", for telling whether a lease's or a job's holder is gone by its process id
 * (`processHost`, server/db/lease.ts). Containers started from one image share a host name, each
 * with process ids of its own: a live server's id, read in another container, can name no process
 * there, and its writer lease (or its messaging jobs) would be taken while it runs. Here a second
 * process runs in a process-id namespace of its own (`unshare`, as a container does; root only)
 * under the same host name.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../server/db/connection'
import { acquireWriterLease, leaseStaleMs, LeaseHeldError, processHost } from '../../../server/db/lease'
import { migrateToLatest } from '../../../server/db/migrate'
import { newRunnerId } from '../../../server/domain/messaging/jobs'

const canUnshare = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0

/** `processHost()` as a process in a new process-id namespace, with the same host name, works it out. */
function processHostInAnotherContainer(): string {
  const script = "import('./server/db/lease.ts').then((m) => process.stdout.write(m.processHost()))"
  return execFileSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, '--import', 'tsx', '-e', script], { cwd: new URL('../../..', import.meta.url).pathname, encoding: 'utf8' })
}

describe('processHost', () => {
  it('is the host name and, on Linux, a digest of the boot and process-id namespace; the same all through one process', () => {
    expect(processHost()).toBe(processHost())
    if (process.platform === 'linux') expect(processHost()).toMatch(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9a-f]{12}$`))
    expect(newRunnerId()).toContain(`@${processHost()}:`)
  })

  it.skipIf(!canUnshare)('differs in another process-id namespace under the same host name, so its lease is not taken by a process id that means nothing here', async () => {
    const there = processHostInAnotherContainer()
    expect(there.split('/')[0]).toBe(hostname())
    expect(there).not.toBe(processHost())

    // That container's server holds the lease, as process 4194305 of its namespace: no such process here.
    const db = openDatabase(':memory:')
    await migrateToLatest(db)
    const gone = 2 ** 22 + 1
    const heartbeat = new Date()
    await db.insertInto('server_lease').values({ name: 'writer', holder: 'other-container', host: there, pid: gone, started_at: heartbeat.toISOString(), heartbeat_at: heartbeat.toISOString() }).execute()
    const error = await acquireWriterLease(db, () => new Date(heartbeat.getTime() + 1_000)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LeaseHeldError)
    expect((error as LeaseHeldError).message).toContain(`process ${gone} on ${there}`)
    // Once it has stopped renewing for leaseStaleMs, it is taken over.
    await expect(acquireWriterLease(db, () => new Date(heartbeat.getTime() + leaseStaleMs + 1))).resolves.toMatchObject({ pid: process.pid, host: processHost() })
    await db.destroy()
  })
})
