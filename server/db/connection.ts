import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Database } from './schema'

/**
 * Open the SQLite database at `path` (":memory:" for tests), with write-ahead logging so readers do
 * not block the writer, foreign keys enforced, and `secure_delete` so that deleted content (a
 * withdrawn participant's answers and words) is overwritten with zeros rather than left readable in
 * free pages.
 */
export function openDatabase(path: string): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('secure_delete = ON')
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
}
