import SQLite from 'better-sqlite3'
import { CompiledQuery, Kysely, PostgresAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type SqliteDialectConfig } from 'kysely'
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Config } from '../config'
import { isPostgresUrl, openPostgres } from './postgres'
import { closeReaderThread, startReaderThread as startSqliteReaderThread } from './sqlite-reader'
import type { Database } from './schema'

/** The two engines the platform runs on. */
export type Engine = 'sqlite' | 'postgres'

/** Which engine `db` talks to: for the few things that differ (backups, pragmas, full-text search). */
export function databaseEngine(db: Kysely<any>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/**
 * The database the settings name: PostgreSQL when `BALINT_DATABASE_URL` is set, else the SQLite file
 * `BALINT_DB`. The one entry used by the server and the CLI.
 */
export function openDatabaseFromConfig(config: Pick<Config, 'dbPath' | 'databaseUrl'>): Kysely<Database> {
  return openDatabase(config.databaseUrl ?? config.dbPath)
}

/** Where the settings keep the data, for messages: the SQLite file, or the PostgreSQL URL without its password. */
export function describeLocation(location: string): string {
  if (!isPostgresUrl(location)) return location
  const url = new URL(location)
  if (url.password) url.password = '***'
  return url.toString()
}

/**
 * How long a write waits for another process's write lock (a second process, a `sqlite3` shell, a
 * backup) before failing: long enough for a few seconds of someone else's transaction, short enough
 * that a request does not hang for ever. better-sqlite3 waits synchronously, so the event loop waits too.
 */
export const busyTimeoutMs = 10_000

/** After a checkpoint SQLite truncates the WAL back to this size, so it cannot grow without bound. */
export const journalSizeLimitBytes = 64 * 1024 * 1024

/**
 * Kysely's SQLite driver with three changes:
 *
 * - Transactions begin `IMMEDIATE`: they take the write lock at `BEGIN`, where `busy_timeout` applies.
 *   A deferred transaction that reads first and writes later fails at once with SQLITE_BUSY when
 *   another process wrote in between, whatever the busy timeout (https://sqlite.org/lang_transaction.html).
 * - A rollback after SQLite has already rolled back by itself (disk full, I/O error) does nothing, so
 *   the caller sees the real cause ("database or disk is full") instead of "cannot rollback - no
 *   transaction is active".
 * - Closing it also ends the database's reader thread (`sqlite-reader.ts`), if a large read started one.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
  ) {
    super(config)
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.sqlite.inTransaction) return
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  override async destroy(): Promise<void> {
    await closeReaderThread(this.sqlite)
    await super.destroy()
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: sqlite })
  }

  override createDriver() {
    return new ImmediateSqliteDriver({ database: this.sqlite }, this.sqlite)
  }
}

/**
 * Open the database at `path`: a PostgreSQL URL (`postgres://…`, see `./postgres.ts`), or a SQLite
 * file (":memory:" for tests). For SQLite: write-ahead logging so readers do not
 * block the writer, every commit synced to the disk (`synchronous = FULL`), foreign keys enforced, a busy timeout for other processes' locks, a bounded WAL,
 * and `secure_delete`, so deleted content does not stay readable in free pages. A new database file is created readable by its owner only (0600, and its folder 0700): it
 * holds health data. SQLite gives the WAL and shared-memory files the main file's permissions.
 *
 * Throws `DatabaseOpenError` naming the cause (read-only, disk full, not a database, locked).
 */
export function openDatabase(path: string): Kysely<Database> {
  if (isPostgresUrl(path)) return openPostgres<Database>(path)
  const sqlite = memoizePrepare(openSqlite(path))
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(sqlite) })
  sqliteHandles.set(db, sqlite)
  return db
}

const sqliteHandles = new WeakMap<Kysely<any>, SQLite.Database>()

/**
 * Start the reader thread of a SQLite file (`sqlite-reader.ts`) now, as the server does at start-up,
 * rather than at the first large read (starting a thread takes about a tenth of a second): settled
 * once the thread has the file open. Nothing on PostgreSQL or in memory.
 */
export function startReaderThread(db: Kysely<any>): Promise<void> {
  const sqlite = sqliteHandles.get(db)
  return sqlite ? startSqliteReaderThread(sqlite) : Promise.resolve()
}

/**
 * The better-sqlite3 handle behind a Kysely opened by `openDatabase`, for a read too large for
 * Kysely's object per row (the cohort report reads 80,000 rows at 10,000 participants: issue 16).
 * Undefined on PostgreSQL and inside a transaction (a transaction's Kysely is another object): the
 * caller then goes through Kysely. Read on it only while holding the connection
 * (`db.connection().execute(…)`): another request's transaction may be open on it meanwhile.
 */
export function sqliteHandle(db: Kysely<any>): SQLite.Database | undefined {
  return sqliteHandles.get(db)
}

/** How many distinct statements `memoizePrepare` keeps; the least recently used beyond this are dropped. */
export const preparedStatementCacheSize = 500

/**
 * Make `sqlite.prepare` return the statement already prepared for the same SQL text (issue 16: a
 * participant's save ran nine statements, each prepared anew, a fifth of its CPU). Kysely compiles
 * the same query to the same text with `?` placeholders, so the domain code and the query builder
 * stay as they are, and PostgreSQL, whose driver prepares on its own, is untouched: this is the
 * SQLite connection's business only. A statement still iterating (a streamed read) is busy and is
 * not shared: a second use of its text gets a fresh one. SQL whose text varies (`in (?, ?, …)` lists
 * of every length) is bounded by the least-recently-used limit. Schema changes are safe: SQLite
 * re-prepares a statement whose schema changed on its next run.
 */
export function memoizePrepare(sqlite: SQLite.Database, limit = preparedStatementCacheSize): SQLite.Database {
  const prepare = sqlite.prepare.bind(sqlite)
  const cache = new Map<string, SQLite.Statement>()
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source)
    if (cached && !cached.busy) {
      // Map order is insertion order: re-inserting marks it the most recently used.
      cache.delete(source)
      cache.set(source, cached)
      return cached
    }
    const statement = prepare(source)
    if (!cached) {
      cache.set(source, statement)
      if (cache.size > limit) cache.delete(cache.keys().next().value!)
    }
    return statement
  }) as typeof sqlite.prepare
  return sqlite
}

/** The better-sqlite3 handle behind `openDatabase`, for the few things Kysely does not do (backups). */
export function openSqlite(path: string, options: { readonly?: boolean } = {}): SQLite.Database {
  try {
    if (path !== ':memory:' && !options.readonly) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      if (!existsSync(path)) closeSync(openSync(path, 'wx', 0o600))
    }
    const sqlite = new SQLite(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false })
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`)
    if (!options.readonly) sqlite.pragma('journal_mode = WAL')
    // Every commit waits until the WAL is on the disk, so an answer the page calls saved survives a
    // power cut. Said explicitly: better-sqlite3's build opens a file already in WAL mode with
    // NORMAL (synced only at checkpoints), so a restarted server was less durable than a new one.
    // The cost is shared by the saves committed together (group-commit.ts).
    sqlite.pragma('synchronous = FULL')
    sqlite.pragma(`journal_size_limit = ${journalSizeLimitBytes}`)
    sqlite.pragma('foreign_keys = ON')
    // Deleted content (a withdrawn participant's answers and words) is overwritten with zeros rather
    // than left readable in free pages.
    sqlite.pragma('secure_delete = ON')
    return sqlite
  } catch (error) {
    throw new DatabaseOpenError(path, error)
  }
}

/** The database could not be opened; the message names the cause in words an operator can act on. */
export class DatabaseOpenError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot open the database ${path}: ${describeStorageError(cause)}`, { cause })
    this.name = 'DatabaseOpenError'
  }
}

/**
 * A storage error in words: SQLite's and the file system's codes turned into their cause, for the
 * start-up message and the error log. Unknown errors keep their own message.
 *
 * @example
 * describeStorageError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))
 * // => 'the disk is full (SQLITE_FULL: database or disk is full)'
 */
export function describeStorageError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : ''
  const message = error instanceof Error ? error.message : String(error)
  const causes: [RegExp, string][] = [
    [/^(SQLITE_FULL|ENOSPC)/, 'the disk is full'],
    [/^(SQLITE_READONLY|EROFS)/, 'the database or its folder is read-only'],
    [/^(EACCES|EPERM|SQLITE_CANTOPEN)/, 'no permission to open the file or its folder'],
    [/^(SQLITE_BUSY|SQLITE_LOCKED)/, 'another process holds the database lock'],
    [/^(SQLITE_NOTADB|SQLITE_CORRUPT)/, 'the file is not a valid SQLite database'],
    [/^SQLITE_IOERR/, 'an input/output error from the disk'],
  ]
  const cause = causes.find(([pattern]) => pattern.test(code))?.[1]
  return cause ? `${cause} (${code}: ${message})` : message
}

/**
 * Close the database cleanly. PostgreSQL: close the pool. SQLite: end the reader thread, copy the WAL into the main file and truncate it (so the main file alone
 * is a whole database, as a file copy or a restore expects), then close.
 */
export async function closeDatabase(db: Kysely<Database>): Promise<void> {
  if (databaseEngine(db) === 'postgres') return db.destroy()
  // The reader thread first: its read transaction would keep the checkpoint from truncating the WAL.
  const sqlite = sqliteHandles.get(db)
  if (sqlite) await closeReaderThread(sqlite)
  try {
    await db.executeQuery(CompiledQuery.raw('pragma wal_checkpoint(TRUNCATE)'))
  } finally {
    await db.destroy()
  }
}
