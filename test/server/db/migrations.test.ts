/**
 * Migrations that change data, not only the schema: run on a database brought to the migration
 * before, with rows written as the code of that time wrote them, on either engine.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Migrator, sql, type Kysely } from 'kysely'
import { migrations } from '../../../migrations/index'
import { openDatabase } from '../../../server/db/connection'
import { openPostgres } from '../../../server/db/postgres'
import { migrateToLatest } from '../../../server/db/migrate'
import { searchTranscripts } from '../../../server/db/repositories/interviews'
import { shippedInstruments, testClock } from '../../helpers/app'
import { codingStudy } from '../../helpers/qualitative'
import { leftovers, traces, transcriptWith } from '../../helpers/search-index'
import { emptyPostgresDatabase, testEngine } from '../../helpers/test-database'

async function databaseAt(migration: string, sqliteFile = ':memory:'): Promise<Kysely<any>> {
  const db: Kysely<any> = testEngine === 'postgres' ? openPostgres(await emptyPostgresDatabase('m'), { poolSize: 2, idleMs: 1_000 }) : openDatabase(sqliteFile)
  const result = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateTo(migration)
  if (result.error) throw result.error
  return db
}

describe('0180: group sessions on their days in the study time zone', () => {
  it('moves sessions stored at midnight UTC, or at the moment of creation, to midnight of the same day where the study is', async () => {
    const db = await databaseAt('0170_consent_latest_index')
    const at = '2026-02-01T10:00:00.000Z'
    for (const [study, zone] of [['ny', 'America/New_York'], ['teh', 'Asia/Tehran'], ['utc', 'UTC']]) {
      await db.insertInto('study').values({ id: study, name: study, created_at: at, time_zone: zone }).execute()
      await db.insertInto('cohort').values({ id: `c-${study}`, study_id: study, name: 'Group', co_leaders: '[]', created_at: at }).execute()
    }
    const sessions = [
      // A first day given: 9 March, stored at midnight UTC (the evening of the 8th in New York).
      ['ny-1', 'c-ny', '2026-03-09T00:00:00.000Z'],
      // No first day: the moment the cohort was made, 02:00 UTC on the 9th: still the 8th in New York.
      ['ny-2', 'c-ny', '2026-03-09T02:00:00.000Z'],
      ['teh-1', 'c-teh', '2026-03-09T00:00:00.000Z'],
      // 22:00 UTC on the 9th is the 10th in Tehran.
      ['teh-2', 'c-teh', '2026-03-09T22:00:00.000Z'],
      ['utc-1', 'c-utc', '2026-03-09T00:00:00.000Z'],
    ]
    for (const [id, cohort, startsAt] of sessions) await db.insertInto('group_session').values({ id, cohort_id: cohort, seq: Number(id!.at(-1)), starts_at: startsAt }).execute()

    await migrateToLatest(db)
    const after = await db.selectFrom('group_session').select(['id', 'starts_at']).orderBy('id').execute()
    expect(Object.fromEntries(after.map((s) => [s.id, s.starts_at]))).toEqual({
      // Midnight in New York on 9 March (summer time began on the 8th: −04:00): 04:00 UTC.
      'ny-1': '2026-03-09T04:00:00.000Z',
      'ny-2': '2026-03-08T05:00:00.000Z',
      // Midnight in Tehran (+03:30): 20:30 UTC the day before.
      'teh-1': '2026-03-08T20:30:00.000Z',
      'teh-2': '2026-03-09T20:30:00.000Z',
      'utc-1': '2026-03-09T00:00:00.000Z',
    })
    await db.destroy()
  })

  it('upgrades a database holding a session before 1900 (stored by a request for day 0000-01-01), leaving that session as it is', async () => {
    // The migration once used the server's startOfDay, which later came to refuse days before 1900:
    // such a database could no longer be upgraded, and the server would not start. A migration is frozen.
    const db = await databaseAt('0170_consent_latest_index')
    const at = '2026-02-01T10:00:00.000Z'
    await db.insertInto('study').values({ id: 'teh', name: 'teh', created_at: at, time_zone: 'Asia/Tehran' }).execute()
    await db.insertInto('cohort').values({ id: 'c-teh', study_id: 'teh', name: 'Group', co_leaders: '[]', created_at: at }).execute()
    await db.insertInto('group_session').values({ id: 'old', cohort_id: 'c-teh', seq: 1, starts_at: '0000-01-01T00:00:00.000Z' }).execute()
    await db.insertInto('group_session').values({ id: 'new', cohort_id: 'c-teh', seq: 2, starts_at: '2026-03-09T00:00:00.000Z' }).execute()

    await migrateToLatest(db)
    const after = await db.selectFrom('group_session').select(['id', 'starts_at']).orderBy('id').execute()
    expect(Object.fromEntries(after.map((s) => [s.id, s.starts_at]))).toEqual({ new: '2026-03-08T20:30:00.000Z', old: '0000-01-01T00:00:00.000Z' })
    await db.destroy()
  })
})

/** Skipped in the PostgreSQL run: the FTS5 index is SQLite's (migration 0052), and on PostgreSQL 0190 does nothing. */
describe.skipIf(testEngine === 'postgres')('0190: secure delete in the transcript search index', () => {
  it('purges the words of transcripts deleted before it from the file and the index, and search still finds the rest', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'balint-0190-'))
    try {
      const path = join(folder, 'balint.sqlite')
      const db = await databaseAt('0180_group_sessions_in_study_zone', path)
      const deps = { db, instruments: shippedInstruments(), now: testClock().now }
      const study = await codingStudy(deps, [transcriptWith('Zorblaxquint', 1), transcriptWith('Mirvendoplex', 2)])
      // Deleted as the code before 0190 deleted: the row alone, the trigger adding FTS5's 'delete' marker.
      await db.deleteFrom('transcript').where('id', '=', study.transcripts[0]!.transcriptId).execute()
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
      expect(await leftovers(db, path, traces('Zorblaxquint'))).not.toEqual([])

      await migrateToLatest(db)

      expect(await leftovers(db, path, traces('Zorblaxquint'))).toEqual([])
      expect(await searchTranscripts(db, study.study.id, ['mirvendoplex'])).toEqual({ engine: 'fts5', transcriptIds: [study.transcripts[1]!.transcriptId] })
      expect((await searchTranscripts(db, study.study.id, ['zorblaxquint'])).transcriptIds).toEqual([])
      expect((await sql<{ v: number }>`select v from transcript_fts_config where k = 'secure-delete'`.execute(db)).rows).toEqual([{ v: 1 }])
      await db.destroy()
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
