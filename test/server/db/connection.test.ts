/**
 * The database connection as operators meet it: file permissions, other processes holding the write
 * lock, a second writer under load, a second server, and errors that name their cause.
 */
import { describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase, describeStorageError, openDatabase } from '../../../server/db/connection'
import { acquireWriterLease, LeaseHeldError, processHost } from '../../../server/db/lease'
import { migrateToLatest } from '../../../server/db/migrate'
import { insertAudit } from '../../../server/db/repositories/audit'
import { outsideWriter, runProcess, startServerProcess } from '../../helpers/processes'
import { lastAcked, saveLoad } from '../../helpers/save-load'
import { testEngine } from '../../helpers/test-database'

/** Skipped in the PostgreSQL run: SQLite's own file, lock, WAL and writer lease: tested by npm test; PostgreSQL has none of them (its servers share one database: two-servers.test.ts). */
const sqliteOnly = testEngine === 'postgres'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(sqliteOnly)('a new database', () => {
  it('is created 0600 in a folder created 0700, and its WAL gets 0600 too', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'balint-perm-')), 'data')
    const db = openDatabase(join(dir, 'balint.sqlite'))
    await migrateToLatest(db)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir, 'balint.sqlite')).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'balint.sqlite-wal')).mode & 0o777).toBe(0o600)
    await closeDatabase(db)
  })

  it('waits for the disk at every commit, on first opening and when opened again (a power cut loses no answer said to be saved)', async () => {
    // better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1: a file already in WAL mode opened
    // NORMAL, so a restarted server synced only at checkpoints, while a new file ran FULL.
    const path = join(mkdtempSync(join(tmpdir(), 'balint-sync-')), 'balint.sqlite')
    const synchronous = async (db: ReturnType<typeof openDatabase>) => (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]!.synchronous
    const first = openDatabase(path)
    await migrateToLatest(first)
    expect(await synchronous(first)).toBe(2)
    await closeDatabase(first)
    const again = openDatabase(path)
    expect(await synchronous(again)).toBe(2)
    await closeDatabase(again)
  })
})

describe.skipIf(sqliteOnly)('another process holding the write lock', () => {
  it('delays a read-then-write transaction instead of failing it', { timeout: 30_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'balint-lock-')), 'balint.sqlite')
    const db = openDatabase(file)
    await migrateToLatest(db)
    const holder = outsideWriter(file, 'hold', 2000)
    await holder.started
    const started = Date.now()
    // Reads first, then writes: a deferred transaction fails here at once with SQLITE_BUSY.
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('audit_log').select('id').execute()
      await insertAudit(trx, { actor: 'test', action: 'test.write', entity: 'test', entityId: 'x' }, new Date())
    })
    expect(Date.now() - started).toBeGreaterThan(1000)
    expect(await holder.exited).toBe(0)
    expect(await db.selectFrom('audit_log').select('action').where('action', '=', 'test.write').execute()).toHaveLength(1)
    await closeDatabase(db)
  })
})

describe.skipIf(sqliteOnly)('two writers on one database', () => {
  it('lose no save: the server under HTTP load while another process commits write transactions', { timeout: 60_000 }, async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'balint-writers-')), 'balint.sqlite')
    const server = await startServerProcess(dbPath, 10)
    try {
      const load = saveLoad(server.url, server.tokens)
      await sleep(200)
      const writer = outsideWriter(dbPath, 'churn', 2500)
      await writer.started
      expect(await writer.exited).toBe(0)
      // And an outside process holding the lock for two seconds in the middle of it.
      const holder = outsideWriter(dbPath, 'hold', 2000)
      await holder.started
      expect(await holder.exited).toBe(0)
      await sleep(200)
      await load.stop()
      expect(load.failures).toEqual([])
      expect(load.acks.length).toBeGreaterThan(20)
      expect(Number(/transactions (\d+)/.exec(writer.stdout())?.[1])).toBeGreaterThan(10)
      // Every acknowledged revision is the stored one.
      const last = lastAcked(load.acks)
      const res = await Promise.all(server.tokens.map((t) => fetch(`${server.url}/api/p/${t}`).then((r) => r.json())))
      const stored = res.map((state) => state.waves[0].forms[0].response.revision)
      expect(stored).toEqual(server.tokens.map((t) => last.get(t)))
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
  })
})

describe.skipIf(sqliteOnly)('a second server on the same database', () => {
  it('is refused at start with a clear message, and starts once the first has stopped', { timeout: 60_000 }, async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'balint-second-')), 'balint.sqlite')
    const first = await startServerProcess(dbPath)
    const second = await runProcess(['test/helpers/server-process.ts', dbPath], {})
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(new RegExp(`Cannot start: another Balint Outcomes server is already running on this database \\(process ${first.child.pid} on .*\\)\\. Stop it first`))
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    const third = await startServerProcess(dbPath)
    third.child.kill('SIGTERM')
    expect(await third.exited).toBe(0)
  })

  it('takes over the lease of a server that died (SIGKILL) on this machine', { timeout: 60_000 }, async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'balint-killed-')), 'balint.sqlite')
    const killed = await startServerProcess(dbPath)
    killed.child.kill('SIGKILL')
    await killed.exited
    const next = await startServerProcess(dbPath)
    next.child.kill('SIGTERM')
    expect(await next.exited).toBe(0)
  })

  it('is refused in one process too, and a lease left by a dead process is taken over', async () => {
    const db = openDatabase(':memory:')
    await migrateToLatest(db)
    const lease = await acquireWriterLease(db)
    await expect(acquireWriterLease(db)).rejects.toBeInstanceOf(LeaseHeldError)
    await lease.release()
    await db.insertInto('server_lease').values({ name: 'writer', holder: 'gone', host: processHost(), pid: 2 ** 22 + 12345, started_at: '2026-01-01T00:00:00Z', heartbeat_at: new Date().toISOString() }).execute()
    await expect(acquireWriterLease(db)).resolves.toMatchObject({ pid: process.pid })
    await db.destroy()
  })
})

describe.skipIf(sqliteOnly)('storage errors', () => {
  it('name their cause: a full disk inside a transaction is "the disk is full", not "cannot rollback"', async () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'balint-full-')), 'balint.sqlite'))
    await migrateToLatest(db)
    // A database that may not grow is what a full disk looks like to SQLite (SQLITE_FULL).
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db)
    await sql.raw(`pragma max_page_count = ${rows[0]!.page_count + 1}`).execute(db)
    const error = await db
      .transaction()
      .execute(async (trx) => {
        for (let i = 0; i < 200; i++) await insertAudit(trx, { actor: 'test', action: 'fill', entity: 'test', entityId: 'x'.repeat(2000) }, new Date())
      })
      .catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('SQLITE_FULL')
    expect(describeStorageError(error)).toMatch(/^the disk is full \(SQLITE_FULL/)
    await db.destroy()
  })

  it.each([
    [{ code: 'SQLITE_READONLY', message: 'attempt to write a readonly database' }, /^the database or its folder is read-only/],
    [{ code: 'SQLITE_BUSY', message: 'database is locked' }, /^another process holds the database lock/],
    [{ code: 'EACCES', message: 'permission denied' }, /^no permission/],
  ])('%j', (error, expected) => {
    expect(describeStorageError(Object.assign(new Error(error.message), { code: error.code }))).toMatch(expected)
  })
})
