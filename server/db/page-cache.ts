import { sql, type Kysely } from 'kysely'
import { databaseEngine } from './connection'

/**
 * Run `work` with SQLite's page cache for this connection at most `kib` KiB, then put the cache size
 * back. For one long transaction that writes far more pages than any cache holds (an import): they
 * spill to the WAL either way, so a small cache costs no time, and better-sqlite3's default of
 * 16 MiB (`cache_size = -16000`) is memory the process keeps at its peak (issue 16: a 10k import
 * peaked 17 MiB lower with 2 MiB, and ran no slower). SQLite only: a PostgreSQL server keeps its
 * own buffers, outside this process, so there `work` simply runs. `db` must be the connection
 * (or the transaction) that does the work: the setting belongs to the SQLite connection.
 */
export async function withSmallPageCache<T>(db: Kysely<any>, kib: number, work: () => Promise<T>): Promise<T> {
  if (databaseEngine(db) !== 'sqlite') return work()
  const before = (await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]?.cache_size
  // A negative size is in KiB; a positive one in pages. Never grow a cache set smaller than this.
  const small = before !== undefined && before < 0 && -before <= kib
  if (!small) await sql.raw(`pragma cache_size = ${-Math.trunc(kib)}`).execute(db)
  try {
    return await work()
  } finally {
    if (!small && before !== undefined) await sql.raw(`pragma cache_size = ${Math.trunc(before)}`).execute(db)
  }
}
