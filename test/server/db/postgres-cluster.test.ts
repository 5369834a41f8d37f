/**
 * The tests' throw-away PostgreSQL clusters do not pile up: a cluster whose test run was killed is
 * stopped and removed by the next start; a running run's cluster is left alone.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { postgresBinDir, startPostgresCluster, sweepStaleClusters } from '../../helpers/postgres-cluster'

/** Whether something accepts connections on 127.0.0.1:port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })

/** The id of a process that has ended. */
const deadPid = () => spawnSync('true').pid!

describe.skipIf(!postgresBinDir())('throw-away PostgreSQL clusters', () => {
  it('stops and removes a cluster whose owner has gone, and leaves a live owner’s cluster running', async () => {
    const stale = await startPostgresCluster({ maxConnections: 20 })
    const live = await startPostgresCluster({ maxConnections: 20 })
    try {
      // The stale cluster's run "was killed": its owner is a process that has ended.
      const [staleDir, liveDir] = [stale.folder, live.folder]
      writeFileSync(join(staleDir, 'owner.pid'), `${deadPid()}\n`)
      expect(await listening(stale.port)).toBe(true)

      const removed = sweepStaleClusters()
      expect(removed).toContain(staleDir)
      expect(removed).not.toContain(liveDir)
      expect(existsSync(staleDir)).toBe(false)
      expect(await listening(stale.port)).toBe(false)
      expect(existsSync(liveDir)).toBe(true)
      expect(await listening(live.port)).toBe(true)
    } finally {
      live.stop()
    }
    // Two initdb runs and two server starts: seconds on a busy 2-core machine (CI timed out at 5 s).
  }, 60_000)

  it('leaves alone a folder that names no owner', () => {
    const folder = mkdtempSync(join(tmpdir(), 'balint-pg-'))
    try {
      expect(sweepStaleClusters()).not.toContain(folder)
      expect(existsSync(folder)).toBe(true)
      writeFileSync(join(folder, 'owner.pid'), `${deadPid()}\n`)
      expect(sweepStaleClusters()).toContain(folder)
      expect(existsSync(folder)).toBe(false)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
