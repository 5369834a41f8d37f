/**
 * `withSmallPageCache` (server/db/page-cache.ts, issue 16): an import's long transaction runs with
 * SQLite's page cache made small, and the connection gets its own size back afterwards, also when
 * the work fails. On PostgreSQL the work simply runs.
 */
import { sql, type Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { databaseEngine, openDatabase } from '../../../server/db/connection'
import { withSmallPageCache } from '../../../server/db/page-cache'
import { testDeps } from '../../helpers/app'

const cacheSize = async (db: Kysely<any>) => (await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]!.cache_size

describe('withSmallPageCache', () => {
  it('makes the SQLite page cache 2 MiB for the work, then puts the size back, also after a failure', async () => {
    const db = openDatabase(':memory:') as unknown as Kysely<any>
    await sql`pragma cache_size = -16000`.execute(db)
    expect(await withSmallPageCache(db, 2048, () => cacheSize(db))).toBe(-2048)
    expect(await cacheSize(db)).toBe(-16000)
    await expect(
      withSmallPageCache(db, 2048, async () => {
        throw new Error('the work failed')
      }),
    ).rejects.toThrow('the work failed')
    expect(await cacheSize(db)).toBe(-16000)
    await db.destroy()
  })

  it('never makes a cache already smaller bigger', async () => {
    const db = openDatabase(':memory:') as unknown as Kysely<any>
    await sql`pragma cache_size = -500`.execute(db)
    expect(await withSmallPageCache(db, 2048, () => cacheSize(db))).toBe(-500)
    expect(await cacheSize(db)).toBe(-500)
    await db.destroy()
  })

  it('runs the work on the test database of either engine', async () => {
    const { db } = await testDeps()
    expect(await withSmallPageCache(db, 2048, async () => 'done')).toBe('done')
    if (databaseEngine(db) === 'sqlite') expect(await cacheSize(db)).not.toBe(-2048)
  })
})
