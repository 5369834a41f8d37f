/**
 * Moving a study from SQLite to PostgreSQL (issue 15): `balint copy-database --from <sqlite file>
 * --to <postgres url>`.
 *
 * Both databases are first brought to the latest schema by the same migrations, so the tables and
 * columns are the same. The target must be empty. Every row of every table is then copied inside ONE
 * transaction on the target: tables in foreign-key order (a parent before the rows that point to it;
 * a column pointing into its own table, such as `code.parent_id`, is filled in once the whole table is
 * there), in batches that stay under PostgreSQL's 65,535 bind parameters per statement. Before
 * committing, every table is read back and compared with the source by its row count and a SHA-256
 * of its rows (each row as JSON with sorted keys, the rows sorted): a mismatch rolls everything back
 * and nothing is left half-copied. Kysely's own migration tables and SQLite's full-text index (which
 * PostgreSQL replaces with its own, migration 0120) are not data and are not copied.
 *
 * Engine-specific on purpose: the source is SQLite, read with `pragma foreign_key_list`.
 */
import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { maxBindParameters } from './batch'
import { databaseEngine } from './connection'
import { migrateToLatest } from './migrate'
import type { Database } from './schema'

/** Per table: rows copied and the checksum both sides agree on. */
export type CopyReport = { tables: { table: string; rows: number; sha256: string }[] }

/** Why a copy was refused or rolled back, in words for the operator. */
export class CopyDatabaseError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CopyDatabaseError'
  }
}

type ForeignKey = { table: string; from: string; to: string }

/** The data tables of the source, skipping Kysely's and SQLite's own (and FTS5 shadow tables). */
async function sourceTables(source: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and name not like 'kysely\\_%' escape '\\' and name not like 'transcript\\_fts%' escape '\\' order by name`.execute(source)
  return rows.map((r) => r.name)
}

async function foreignKeys(source: Kysely<any>, table: string): Promise<ForeignKey[]> {
  const { rows } = await sql<{ table: string; from: string; to: string }>`select "table", "from", "to" from pragma_foreign_key_list(${table})`.execute(source)
  return rows
}

/** Tables ordered so that every table comes after the tables its foreign keys point to (self-references aside). */
export function foreignKeyOrder(tables: string[], keys: Map<string, ForeignKey[]>): string[] {
  const ordered: string[] = []
  const placed = new Set<string>()
  const visit = (table: string, path: string[]) => {
    if (placed.has(table)) return
    if (path.includes(table)) throw new CopyDatabaseError(`foreign keys form a cycle: ${[...path, table].join(' → ')}`)
    for (const key of keys.get(table) ?? []) if (key.table !== table && tables.includes(key.table)) visit(key.table, [...path, table])
    placed.add(table)
    ordered.push(table)
  }
  for (const table of [...tables].sort()) visit(table, [])
  return ordered
}

/** A table's rows as one checksum: each row as JSON with its keys sorted, the lines sorted. */
export function tableChecksum(rows: Record<string, unknown>[]): string {
  const lines = rows.map((row) => JSON.stringify(Object.keys(row).sort().map((key) => [key, row[key]]))).sort()
  const hash = createHash('sha256')
  for (const line of lines) hash.update(line).update('\n')
  return hash.digest('hex')
}

/**
 * Copy every row of the SQLite database `source` into the PostgreSQL database `target`, in one
 * transaction, checked by counts and checksums. Throws `CopyDatabaseError` when the target is not
 * empty, a table is missing there, or the copy does not read back the same (nothing is committed then).
 */
export async function copyDatabase(source: Kysely<Database>, target: Kysely<Database>): Promise<CopyReport> {
  if (databaseEngine(source) !== 'sqlite') throw new CopyDatabaseError('--from must be a SQLite database file')
  if (databaseEngine(target) !== 'postgres') throw new CopyDatabaseError('--to must be a PostgreSQL database (postgres://…)')
  await migrateToLatest(source)
  await migrateToLatest(target)
  const s = source as Kysely<any>
  const tables = await sourceTables(s)
  const keys = new Map<string, ForeignKey[]>()
  for (const table of tables) keys.set(table, await foreignKeys(s, table))
  const targetTables = new Set((await target.introspection.getTables()).map((t) => t.name))
  const missing = tables.filter((t) => !targetTables.has(t))
  if (missing.length > 0) throw new CopyDatabaseError(`the target has no table ${missing.join(', ')}: are both at the same version of Balint Outcomes?`)

  return target.transaction().execute(async (trx) => {
    const t = trx as Kysely<any>
    for (const table of tables) {
      const [{ n }] = (await t.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).execute()) as [{ n: number }]
      if (Number(n) > 0) throw new CopyDatabaseError(`the target is not empty (${table} has ${n} rows); copy into a new, empty database`)
    }
    const report: CopyReport = { tables: [] }
    for (const table of foreignKeyOrder(tables, keys)) {
      const rows = (await s.selectFrom(table).selectAll().execute()) as Record<string, unknown>[]
      const selfColumns = (keys.get(table) ?? []).filter((k) => k.table === table).map((k) => k.from)
      if (rows.length > 0) {
        const columns = Object.keys(rows[0]!)
        const batch = Math.max(1, Math.floor(maxBindParameters / columns.length))
        for (let i = 0; i < rows.length; i += batch) {
          const slice = rows.slice(i, i + batch).map((row) => ({ ...row, ...Object.fromEntries(selfColumns.map((c) => [c, null])) }))
          await t.insertInto(table).values(slice).execute()
        }
        // Self-references once every row of the table exists, so no row points to one not yet copied.
        const primaryKey = await primaryKeyOf(s, table)
        for (const row of rows) {
          const set = Object.fromEntries(selfColumns.filter((c) => row[c] !== null).map((c) => [c, row[c]]))
          if (Object.keys(set).length === 0) continue
          let update = t.updateTable(table).set(set)
          for (const column of primaryKey) update = update.where(column, '=', row[column])
          await update.execute()
        }
      }
      const copied = (await t.selectFrom(table).selectAll().execute()) as Record<string, unknown>[]
      const expected = tableChecksum(rows)
      const actual = tableChecksum(copied)
      if (copied.length !== rows.length || actual !== expected) {
        throw new CopyDatabaseError(`${table} did not read back the same (${rows.length} rows in the source, ${copied.length} copied; checksums ${expected.slice(0, 12)} and ${actual.slice(0, 12)}): nothing was copied`)
      }
      report.tables.push({ table, rows: rows.length, sha256: actual })
    }
    return report
  })
}

async function primaryKeyOf(source: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${table}) where pk > 0 order by pk`.execute(source)
  if (rows.length === 0) throw new CopyDatabaseError(`${table} has no primary key, so its self-references cannot be copied`)
  return rows.map((r) => r.name)
}
