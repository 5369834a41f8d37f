/**
 * Backups while the server runs, restoring one, and a clean shutdown, with the real server in its
 * own process under real HTTP load, and the CLI in another, as an operator would run them.
 */
import { describe, expect, it } from 'vitest'
import SQLite from 'better-sqlite3'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashToken } from '../../../server/domain/participation/tokens'
import { backupDatabase, checkDatabaseFile, scheduleBackups } from '../../../server/db/backup'
import { runCliProcess, startServerProcess } from '../../helpers/processes'
import { lastAcked, saveLoad } from '../../helpers/save-load'
import { testEngine } from '../../helpers/test-database'

/** Skipped in the PostgreSQL run: backups of the SQLite file: tested by npm test; PostgreSQL is backed up with pg_dump (README, Multi-site deployment). */
const sqliteOnly = testEngine === 'postgres'

/** The stored revision of each token's PHQ-9 response, read from a database file alone (no WAL beside it). */
function storedRevisions(file: string, tokens: string[]): Map<string, number> {
  const db = new SQLite(file, { readonly: true, fileMustExist: true })
  try {
    const read = db.prepare(
      `select r.revision from response r join participant_link l on l.participant_id = r.participant_id
       where l.token_hash = ? and r.instrument_id = 'phq-9'`,
    )
    return new Map(tokens.map((t) => [t, (read.get(hashToken(t)) as { revision: number } | undefined)?.revision ?? 0]))
  } finally {
    db.close()
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(sqliteOnly)('balint backup under write load, then balint restore', () => {
  it('keeps every answer acknowledged before the backup began; SIGTERM leaves a whole main file; restore brings the backup back', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'balint-backup-'))
    const dbPath = join(dir, 'data', 'balint.sqlite')
    const server = await startServerProcess(dbPath, 12)
    const load = saveLoad(server.url, server.tokens)
    await sleep(700)

    const backupStarted = performance.now()
    const backup = await runCliProcess(dbPath, 'backup', '--out', join(dir, 'backups', 'balint-backup.sqlite'))
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    await sleep(300)
    await load.stop()

    // Writes went on during the backup, none failed.
    expect(load.failures).toEqual([])
    expect(load.acks.filter((a) => a.at > backupStarted).length).toBeGreaterThan(0)

    // Graceful shutdown on SIGTERM: exit 0, WAL checkpointed into the main file.
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    const mainFileOnly = join(dir, 'main-file-only.sqlite')
    copyFileSync(dbPath, mainFileOnly)
    const final = lastAcked(load.acks)
    const inMainFile = storedRevisions(mainFileOnly, server.tokens)
    for (const token of server.tokens) expect(inMainFile.get(token)).toBe(final.get(token))

    // The backup has every answer acknowledged before it began (and nothing from the future).
    const backupFile = join(dir, 'backups', 'balint-backup.sqlite')
    expect(statSync(backupFile).mode & 0o777).toBe(0o600)
    const beforeBackup = lastAcked(load.acks, backupStarted)
    const inBackup = storedRevisions(backupFile, server.tokens)
    for (const token of server.tokens) {
      expect(inBackup.get(token)).toBeGreaterThanOrEqual(beforeBackup.get(token) ?? 0)
      expect(inBackup.get(token)).toBeLessThanOrEqual(final.get(token)!)
    }

    // Restore over the stopped server's database: the old one is kept, the backup's answers are back.
    const restored = await runCliProcess(dbPath, 'restore', backupFile)
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    expect(readdirSync(join(dir, 'data')).some((f) => f.startsWith('balint.sqlite.before-restore-'))).toBe(true)
    expect(storedRevisions(dbPath, server.tokens)).toEqual(inBackup)

    // And the server starts on it.
    const again = await startServerProcess(dbPath)
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)
  })

  it('refuses to restore while a server runs on the database, and refuses a file that is not a backup', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'balint-restore-'))
    const dbPath = join(dir, 'balint.sqlite')
    const server = await startServerProcess(dbPath)
    try {
      const backupFile = join(dir, 'backup.sqlite')
      expect((await runCliProcess(dbPath, 'backup', '--out', backupFile)).code).toBe(0)
      const refused = await runCliProcess(dbPath, 'restore', backupFile)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/a server is running on .*stop it before restoring/)
      writeFileSync(join(dir, 'notes.txt'), 'not a database at all, just text that is long enough to be read as a header')
      const bad = await runCliProcess(dbPath, 'restore', join(dir, 'notes.txt'))
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/not a (readable SQLite|valid SQLite)|not a database/i)
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
  })
})

describe.skipIf(sqliteOnly)('scheduled backups', () => {
  it('write balint-<time>.sqlite into the folder and keep the newest N', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'balint-schedule-'))
    const dbPath = join(dir, 'balint.sqlite')
    const db = new SQLite(dbPath)
    db.exec('create table kysely_migration (name text primary key, timestamp text)')
    db.close()
    let clock = Date.parse('2026-03-02T09:00:00Z')
    const schedule = scheduleBackups({ dbPath, folder: join(dir, 'backups'), intervalMs: 3600_000, keep: 3, now: () => new Date(clock) })
    writeFileSync(join(dir, 'unrelated.txt'), 'x')
    for (let i = 0; i < 5; i++) {
      await schedule.runNow()
      clock += 3600_000
    }
    await schedule.stop()
    expect(readdirSync(join(dir, 'backups')).sort()).toEqual(['balint-20260302T110000Z.sqlite', 'balint-20260302T120000Z.sqlite', 'balint-20260302T130000Z.sqlite'])
    expect(checkDatabaseFile(join(dir, 'backups', 'balint-20260302T130000Z.sqlite'))).toEqual([])
  })

  it('refuse to write over the database, and name a missing source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'balint-backup-errors-'))
    await expect(backupDatabase(join(dir, 'missing.sqlite'), join(dir, 'out.sqlite'))).rejects.toThrow(/there is no database/)
    const dbPath = join(dir, 'db.sqlite')
    new SQLite(dbPath).close()
    await expect(backupDatabase(dbPath, dbPath)).rejects.toThrow(/over the database itself/)
    expect(existsSync(join(dir, 'out.sqlite'))).toBe(false)
  })
})
