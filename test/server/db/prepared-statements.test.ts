/**
 * `memoizePrepare` (server/db/connection.ts, issue 16): the SQLite handle behind Kysely prepares each
 * SQL text once, and never hands out a statement that is still iterating.
 */
import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { memoizePrepare, openDatabase } from '../../../server/db/connection'
import type { Kysely } from 'kysely'

describe('memoizePrepare', () => {
  it('returns the statement already prepared for the same SQL, a new one for other SQL', () => {
    const sqlite = memoizePrepare(new SQLite(':memory:'))
    const a = sqlite.prepare('select 1 as one')
    expect(sqlite.prepare('select 1 as one')).toBe(a)
    expect(sqlite.prepare('select 2 as two')).not.toBe(a)
    expect(a.get()).toEqual({ one: 1 })
  })

  it('gives a fresh statement while the cached one is still iterating, so a nested read works', () => {
    const sqlite = memoizePrepare(new SQLite(':memory:'))
    sqlite.exec('create table t (n integer); insert into t values (1), (2), (3)')
    const seen: number[] = []
    for (const row of sqlite.prepare('select n from t order by n').iterate() as IterableIterator<{ n: number }>) {
      seen.push(row.n + (sqlite.prepare('select n from t order by n').all() as { n: number }[]).length)
    }
    expect(seen).toEqual([4, 5, 6])
  })

  it('keeps at most `limit` statements, dropping the least recently used', () => {
    const sqlite = memoizePrepare(new SQLite(':memory:'), 2)
    const one = sqlite.prepare('select 1')
    const two = sqlite.prepare('select 2')
    expect(sqlite.prepare('select 1')).toBe(one)
    sqlite.prepare('select 3') // evicts "select 2", the least recently used
    expect(sqlite.prepare('select 1')).toBe(one)
    expect(sqlite.prepare('select 2')).not.toBe(two)
  })

  it('serves Kysely across schema changes: a statement prepared before a column was added returns it after', async () => {
    const db = openDatabase(':memory:') as unknown as Kysely<any>
    await db.schema.createTable('t').addColumn('a', 'integer').execute()
    await db.insertInto('t').values({ a: 1 }).execute()
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ a: 1 }])
    await db.schema.alterTable('t').addColumn('b', 'text').execute()
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ a: 1, b: null }])
    await db.destroy()
  })
})
