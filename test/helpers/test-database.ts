/**
 * The database a test runs on. `npm test` gives each test a fresh in-memory SQLite database;
 * `npm run test:postgres` (BALINT_TEST_DATABASE=postgres) gives each a fresh PostgreSQL database in
 * the throw-away cluster that `postgres-global-setup.ts` started, copied from a template that is
 * already migrated (CREATE DATABASE … TEMPLATE copies files, far faster than running the migrations
 * again). Databases are named after the vitest worker, so workers never share one.
 */
import { Kysely, sql } from 'kysely'
import { databaseEngine, openDatabase, type Engine } from '../../server/db/connection'
import { migrateToLatest } from '../../server/db/migrate'
import { openPostgres } from '../../server/db/postgres'
import type { Database } from '../../server/db/schema'
import { databaseUrl } from './postgres-cluster'

/** The engine this test run uses. */
export const testEngine: Engine = process.env.BALINT_TEST_POSTGRES_URL ? 'postgres' : 'sqlite'

/** The migrated template every test database is copied from. */
export const templateDatabase = 'balint_template'

let admin: Kysely<any> | undefined
let counter = 0

/** A name no other test database of this run has. */
export function newDatabaseName(prefix = 't'): string {
  const worker = process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? String(process.pid)
  return `${prefix}_${worker}_${process.pid}_${++counter}`
}

/** The URL of a new, empty PostgreSQL database in the test cluster (no migrations run). */
export async function emptyPostgresDatabase(prefix = 'e'): Promise<string> {
  const url = process.env.BALINT_TEST_POSTGRES_URL
  if (!url) throw new Error('no test PostgreSQL cluster: run with npm run test:postgres')
  admin ??= openPostgres(url, { poolSize: 2, idleMs: 1_000 })
  const name = newDatabaseName(prefix)
  await sql`create database ${sql.id(name)} template template0 encoding 'UTF8' locale 'C'`.execute(admin)
  return databaseUrl(url, name)
}

/** A fresh, migrated database: in-memory SQLite, or a copy of the PostgreSQL template. */
export async function freshTestDatabase(): Promise<Kysely<Database>> {
  const url = process.env.BALINT_TEST_POSTGRES_URL
  if (!url) {
    const db = openDatabase(':memory:')
    await migrateToLatest(db)
    return db
  }
  admin ??= openPostgres(url, { poolSize: 2, idleMs: 1_000 })
  const name = newDatabaseName()
  await sql`create database ${sql.id(name)} template ${sql.id(templateDatabase)}`.execute(admin)
  // Small pools that close when idle: a test run opens hundreds of databases.
  return openPostgres<Database>(databaseUrl(url, name), { poolSize: 4, idleMs: 2_000 })
}

/**
 * The names of the tables of `db`, sorted, on either engine: without SQLite's and Kysely's own
 * (unless `withMigrations`) and without SQLite's full-text index and its shadow tables, which are
 * SQLite's bookkeeping, not data.
 */
export async function listTables(db: Kysely<any>, options: { withMigrations?: boolean } = {}): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: options.withMigrations ?? false })
  return tables
    .map((t) => t.name)
    .filter((name) => !name.startsWith('sqlite_') && !name.startsWith('transcript_fts'))
    .sort()
}

/**
 * Make the database refuse inserts into `table` where `condition` (SQL over `new`) holds, failing
 * with `message`: a test's way of making the last write of a transaction fail. Trigger syntax differs
 * between the engines, so both are here; `allowInsert` takes it away again.
 */
export async function refuseInsert(db: Kysely<any>, table: string, condition: string, message: string): Promise<void> {
  const name = `refuse_insert_${table}`
  if (databaseEngine(db) === 'sqlite') {
    await sql`create trigger ${sql.id(name)} before insert on ${sql.id(table)} when ${sql.raw(condition)} begin select raise(abort, ${sql.lit(message)}); end`.execute(db)
    return
  }
  await sql`create function ${sql.id(name)}() returns trigger language plpgsql as ${sql.lit(`begin if ${condition} then raise exception '%', ${quote(message)}; end if; return new; end`)}`.execute(db)
  await sql`create trigger ${sql.id(name)} before insert on ${sql.id(table)} for each row execute function ${sql.id(name)}()`.execute(db)
}

export async function allowInsert(db: Kysely<any>, table: string): Promise<void> {
  const name = `refuse_insert_${table}`
  if (databaseEngine(db) === 'sqlite') {
    await sql`drop trigger ${sql.id(name)}`.execute(db)
    return
  }
  await sql`drop trigger ${sql.id(name)} on ${sql.id(table)}`.execute(db)
  await sql`drop function ${sql.id(name)}()`.execute(db)
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}
