/**
 * Values and transactions behave the same on SQLite and PostgreSQL (issue 15). Runs on whichever
 * engine the run uses (`npm test`: SQLite; `npm run test:postgres`: PostgreSQL) and asserts the same.
 */
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { databaseEngine } from '../../../server/db/connection'
import { loadConfig } from '../../../server/config'
import { createStudy } from '../../../server/domain/staff/setup'
import { testDeps } from '../../helpers/app'
import { testEngine } from '../../helpers/test-database'

describe(`the ${testEngine} database`, () => {
  it('is the engine the run asked for', async () => {
    const { db } = await testDeps()
    expect(databaseEngine(db)).toBe(testEngine)
  })

  it('returns counts and sums as numbers, not strings', async () => {
    const deps = await testDeps()
    const { db } = deps
    for (const name of ['b', 'a', 'c']) await createStudy(deps, { name }, 'test')
    const row = await db
      .selectFrom('study')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('min_cell_size').as('total'), eb.fn.avg<number>('min_cell_size').as('mean')])
      .executeTakeFirstOrThrow()
    expect(row).toStrictEqual({ n: 3, total: 15, mean: 5 })
  })

  it('sorts and compares text byte by byte, as SQLite’s BINARY collation does', async () => {
    const deps = await testDeps()
    const { db } = deps
    const names = ['é', 'b', 'B', 'a', 'Z', 'ä', '10', '9', 'a b', 'ab']
    for (const name of names) await createStudy(deps, { name }, 'test')
    const sorted = (await db.selectFrom('study').select('name').orderBy('name').execute()).map((r) => r.name)
    // Code-point order is byte order in UTF-8.
    expect(sorted).toEqual([...names].sort())
    expect((await db.selectFrom('study').select('name').where('name', '>', 'Z').orderBy('name').execute()).map((r) => r.name)).toEqual(['a', 'a b', 'ab', 'b', 'ä', 'é'])
  })

  it('keeps a score to the last digit (an 8-byte float on both)', async () => {
    const deps = await testDeps()
    const { db } = deps
    const study = await createStudy(deps, { name: 'x' }, 'test')
    await db.insertInto('cohort').values({ id: 'c1', study_id: study.id, name: 'c', leader: null, co_leaders: '[]', created_at: '2026-01-01T00:00:00.000Z' }).execute()
    await db.insertInto('participant').values({ id: 'p1', cohort_id: 'c1', code: 'P1', status: 'active', source: 'link', created_at: '2026-01-01T00:00:00.000Z' }).execute()
    await db.insertInto('response').values({ id: 'r1', participant_id: 'p1', wave_id: null, instrument_id: 'x', instrument_version: '1', answers: '{}', status: 'complete', revision: 1, source: 'link', started_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' }).execute()
    const score = 0.1 + 0.2
    await db.insertInto('scale_score').values({ response_id: 'r1', scale_id: 'total', score, band_index: null, answered: 1, prorated: 0 }).execute()
    expect((await db.selectFrom('scale_score').select('score').executeTakeFirstOrThrow()).score).toBe(0.30000000000000004)
  })

  it('runs read-then-write transactions that overlap as if one after the other', { timeout: 60_000 }, async () => {
    const deps = await testDeps()
    const { db } = deps
    const study = await createStudy(deps, { name: 'counter' }, 'test')
    // Twenty transactions that each read the value and write it plus one, all at once: on PostgreSQL
    // they overlap on several connections, conflict, and are retried until each has counted once.
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction().execute(async (trx) => {
          const { min_cell_size } = await trx.selectFrom('study').select('min_cell_size').where('id', '=', study.id).executeTakeFirstOrThrow()
          await new Promise((resolve) => setTimeout(resolve, 5))
          await trx.updateTable('study').set({ min_cell_size: min_cell_size + 1 }).where('id', '=', study.id).execute()
        }),
      ),
    )
    const { min_cell_size } = await db.selectFrom('study').select('min_cell_size').where('id', '=', study.id).executeTakeFirstOrThrow()
    expect(min_cell_size).toBe(5 + 20)
  })

  it.skipIf(testEngine !== 'postgres')('refuses to read an integer above 2^53 rather than rounding it (PostgreSQL: SQLite has no bigint type to read)', async () => {
    const { db } = await testDeps()
    expect((await sql<{ n: number }>`select cast(9007199254740991 as bigint) as n`.execute(db)).rows[0]!.n).toBe(Number.MAX_SAFE_INTEGER)
    await expect(sql`select cast(9007199254740993 as bigint) as n`.execute(db)).rejects.toThrow(/too large to be read exactly/)
  })
})

describe('BALINT_DATABASE_URL', () => {
  it('selects PostgreSQL, and only a postgres:// address is accepted', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined()
    expect(loadConfig({ BALINT_DATABASE_URL: 'postgres://u:p@db:5432/balint' }).databaseUrl).toBe('postgres://u:p@db:5432/balint')
    expect(() => loadConfig({ BALINT_DATABASE_URL: 'mysql://u:secret@db/balint' })).toThrow('BALINT_DATABASE_URL must be a postgres:// address, not "mysql://u:***@db/balint"')
  })
})
