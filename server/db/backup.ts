/**
 * Backups of the SQLite database that are whole while the server runs, and restoring one.
 *
 * A copy of the database file with `cp` is not a backup: in WAL mode the newest transactions live in
 * the `-wal` file until a checkpoint, so the main file alone can be empty or stale and still pass
 * `integrity_check`. `VACUUM INTO` instead reads one consistent snapshot inside a read transaction
 * (which does not block writers in WAL mode) and writes it as a new, compact database file
 * (https://sqlite.org/lang_vacuum.html#vacuuminto). Everything committed before it began is in it.
 *
 * SQLite only: PostgreSQL has pg_dump for this.
 */
import SQLite from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, chmodSync } from 'node:fs'
import { createReadStream, createWriteStream } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { migrations } from '../../migrations/index'
import { busyTimeoutMs, closeDatabase, describeStorageError, openDatabase } from './connection'
import { findLiveLease } from './lease'
import { migrateToLatest } from './migrate'

/** A backup or restore that cannot be done; the message says why. */
export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BackupError'
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Write a consistent copy of the database at `sourcePath` to `outFile` (created 0600, its folder
 * 0700), while other processes keep writing. The copy is written beside the target under a
 * temporary name, synced, checked with `integrity_check`, and only then renamed into place, so an
 * interrupted backup never leaves a half-written file under the real name.
 *
 * @returns the file written and its size in bytes
 * @throws BackupError when the source is missing, the target exists as a folder, or the disk refuses
 * @example
 * await backupDatabase('data/balint.sqlite', 'backups/balint-2026-03-02.sqlite')
 * // => { file: '/…/backups/balint-2026-03-02.sqlite', bytes: 245760 }
 */
export async function backupDatabase(sourcePath: string, outFile: string): Promise<{ file: string; bytes: number }> {
  const source = resolve(sourcePath)
  const out = resolve(outFile)
  if (out === source) throw new BackupError('the backup cannot be written over the database itself')
  if (!existsSync(source)) throw new BackupError(`there is no database at ${sourcePath}`)
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 })
  const temporary = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.partial`)
  // VACUUM INTO accepts an empty existing file: creating it first gives it owner-only permissions.
  closeSync(openSync(temporary, 'wx', 0o600))
  const sqlite = new SQLite(source, { fileMustExist: true })
  try {
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`)
    sqlite.prepare('vacuum into ?').run(temporary)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw new BackupError(`the backup failed: ${describeStorageError(error)}`, { cause: error })
  } finally {
    sqlite.close()
  }
  checkDatabaseFile(temporary)
  fsyncFile(temporary)
  renameSync(temporary, out)
  return { file: out, bytes: statSync(out).size }
}

/**
 * Check that `file` is a whole SQLite database of this platform that this version can open:
 * `integrity_check` passes and every migration it has applied is one this version knows.
 *
 * @returns the names of the migrations the file has applied
 * @throws BackupError naming what is wrong
 */
export function checkDatabaseFile(file: string): string[] {
  let sqlite: SQLite.Database
  try {
    sqlite = new SQLite(file, { readonly: true, fileMustExist: true })
  } catch (error) {
    throw new BackupError(`cannot open ${file}: ${describeStorageError(error)}`, { cause: error })
  }
  try {
    const integrity = sqlite.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged: integrity_check says "${String(integrity)}"`)
    const hasMigrations = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get()
    if (!hasMigrations) throw new BackupError(`${file} is not a Balint Outcomes database (it has no migrations table)`)
    const applied = (sqlite.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name)
    const unknown = applied.filter((name) => !(name in migrations))
    if (unknown.length > 0) throw new BackupError(`${file} was written by a newer version of Balint Outcomes (migrations ${unknown.join(', ')}); update this installation first`)
    return applied
  } catch (error) {
    if (error instanceof BackupError) throw error
    throw new BackupError(`${file} is not a readable SQLite database: ${describeStorageError(error)}`, { cause: error })
  } finally {
    sqlite.close()
  }
}

/**
 * Put a backup back as the database at `dbPath`. The backup is checked first; the server must be
 * stopped (a live server lease refuses the restore). The current database, if any, is checkpointed
 * and kept beside it as `<db>.before-restore-<time>`, never deleted. The restored database is then
 * migrated to this version.
 *
 * @returns where the previous database was kept (null when there was none) and the migrations applied
 * @throws BackupError when the backup is invalid or a server is running on `dbPath`
 */
export async function restoreDatabase(backupFile: string, dbPath: string, now: Date = new Date()): Promise<{ database: string; previous: string | null; migrated: string[] }> {
  const backup = resolve(backupFile)
  const target = resolve(dbPath)
  if (backup === target) throw new BackupError('the backup is the database itself')
  checkDatabaseFile(backup)
  let previous: string | null = null
  if (existsSync(target)) {
    const current = openDatabase(target)
    try {
      const lease = await findLiveLease(current, now).catch(() => undefined)
      if (lease) throw new BackupError(`a server is running on ${dbPath} (process ${lease.pid} on ${lease.host}); stop it before restoring`)
    } catch (error) {
      await current.destroy()
      throw error
    }
    await closeDatabase(current)
    previous = `${target}.before-restore-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`
    renameSync(target, previous)
    for (const suffix of ['-wal', '-shm']) if (existsSync(target + suffix)) unlinkSync(target + suffix)
  }
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 })
  const temporary = `${target}.restoring`
  rmSync(temporary, { force: true })
  await pipeline(createReadStream(backup), createWriteStream(temporary, { flags: 'wx', mode: 0o600 }))
  chmodSync(temporary, 0o600)
  fsyncFile(temporary)
  renameSync(temporary, target)
  const db = openDatabase(target)
  try {
    const result = await migrateToLatest(db)
    return { database: target, previous, migrated: (result.results ?? []).map((r) => r.migrationName) }
  } finally {
    await closeDatabase(db)
  }
}

/** Backups written by the schedule are named `balint-<UTC time>.sqlite`, so their names sort by age. */
const scheduledName = /^balint-\d{8}T\d{6}Z\.sqlite$/

/**
 * Back the database up every `intervalMs` into `folder`, keeping the newest `keep` scheduled backups
 * (older ones are deleted; other files in the folder are left alone). The first backup is taken one
 * interval after start.
 *
 * @returns `stop()`, and `runNow()` for a backup at once (the server's start and tests)
 */
export function scheduleBackups(options: {
  dbPath: string
  folder: string
  intervalMs: number
  keep: number
  onBackup?: (result: { file: string; bytes: number }) => void
  onError?: (error: unknown) => void
  now?: () => Date
}) {
  const now = options.now ?? (() => new Date())
  let running: Promise<void> | undefined
  const runNow = async () => {
    const stamp = now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
    const result = await backupDatabase(options.dbPath, join(options.folder, `balint-${stamp}.sqlite`))
    const old = readdirSync(options.folder).filter((name) => scheduledName.test(name)).sort().reverse().slice(options.keep)
    for (const name of old) unlinkSync(join(options.folder, name))
    options.onBackup?.(result)
    return result
  }
  const timer = setInterval(() => {
    if (running) return // the previous backup is still being written
    running = runNow()
      .then(() => undefined, (error) => options.onError?.(error))
      .finally(() => (running = undefined))
  }, options.intervalMs)
  timer.unref()
  return {
    runNow,
    stop: async () => {
      clearInterval(timer)
      await running
    },
  }
}
