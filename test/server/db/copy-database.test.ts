/**
 * `balint copy-database --from <sqlite file> --to <postgres url>` (issue 15): a study moved from SQLite
 * to PostgreSQL is the same study, to the last digit of its cohort report.
 *
 * The copy itself needs a PostgreSQL server: it runs under `npm run test:postgres`. The pure parts
 * (the foreign-key order, the checksum) are checked on both runs.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../server/cli/program'
import { closeDatabase, openDatabase } from '../../../server/db/connection'
import { foreignKeyOrder, tableChecksum } from '../../../server/db/copy-database'
import { migrateToLatest } from '../../../server/db/migrate'
import { createDemo } from '../../../server/domain/demo/study'
import { cohortReport } from '../../../server/domain/outcomes/report'
import { shippedInstruments, testClock } from '../../helpers/app'
import { emptyPostgresDatabase, testEngine } from '../../helpers/test-database'

async function run(...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), deps: async () => { throw new Error('not used') }, migrate: async () => [], baseUrl: 'http://localhost:3000' })
  return { code, stdout: out.join('\n'), stderr: err.join('\n') }
}

/** A SQLite file holding the demo study: a completed cohort with answers, interviews, codings. */
async function demoFile() {
  const file = join(mkdtempSync(join(tmpdir(), 'balint-copy-')), 'balint.sqlite')
  const db = openDatabase(file)
  await migrateToLatest(db)
  const clock = testClock()
  const deps = { db, instruments: shippedInstruments(), now: clock.now }
  const demo = await createDemo(deps, 'test')
  const report = await cohortReport(deps, demo.completedCohort.id, { from: 'pre', to: 'post' })
  await closeDatabase(db)
  return { file, demo, report, clock }
}

describe('copy-database helpers', () => {
  it('orders tables so that a parent comes before the tables pointing to it, self-references aside', () => {
    const keys = new Map([
      ['participant', [{ table: 'cohort', from: 'cohort_id', to: 'id' }]],
      ['cohort', [{ table: 'study', from: 'study_id', to: 'id' }]],
      ['code', [{ table: 'code', from: 'parent_id', to: 'id' }, { table: 'study', from: 'study_id', to: 'id' }]],
    ])
    expect(foreignKeyOrder(['participant', 'code', 'cohort', 'study'], keys)).toEqual(['study', 'code', 'cohort', 'participant'])
  })

  it('gives the same checksum whatever the order of rows and keys, and another for any changed value', () => {
    const rows = [{ id: 'a', score: 1.5, note: null }, { id: 'b', score: 2, note: 'x' }]
    const same = [{ note: 'x', score: 2, id: 'b' }, { score: 1.5, id: 'a', note: null }]
    expect(tableChecksum(same)).toBe(tableChecksum(rows))
    expect(tableChecksum([{ ...rows[0]!, score: 1.5000000000000002 }, rows[1]!])).not.toBe(tableChecksum(rows))
  })
})

describe.skipIf(testEngine !== 'postgres')('copy-database from SQLite to PostgreSQL (needs the test cluster: npm run test:postgres)', () => {
  it('copies everything, checked by counts and checksums, and the cohort report is the same to the last digit', { timeout: 120_000 }, async () => {
    const { file, demo, report, clock } = await demoFile()
    const url = await emptyPostgresDatabase('copy')
    const copied = await run('copy-database', '--from', file, '--to', url, '--json')
    expect(copied.stderr).toBe('')
    expect(copied.code).toBe(0)
    const result = JSON.parse(copied.stdout) as { tables: { table: string; rows: number; sha256: string }[] }
    expect(result.tables.find((t) => t.table === 'response')!.rows).toBeGreaterThan(20)
    expect(result.tables.find((t) => t.table === 'coding')!.rows).toBeGreaterThan(10)

    const target = openDatabase(url)
    try {
      // Every table of the source, row for row.
      const source = openDatabase(file)
      for (const { table, rows } of result.tables) {
        const [{ n }] = (await (source as any).selectFrom(table).select((eb: any) => eb.fn.countAll().as('n')).execute()) as [{ n: number }]
        const [{ m }] = (await (target as any).selectFrom(table).select((eb: any) => eb.fn.countAll().as('m')).execute()) as [{ m: number }]
        expect([table, m]).toEqual([table, Number(n)])
        expect(rows).toBe(Number(n))
      }
      await source.destroy()
      const again = await cohortReport({ db: target, instruments: shippedInstruments(), now: clock.now }, demo.completedCohort.id, { from: 'pre', to: 'post' })
      // toStrictEqual compares every number exactly: the same to the last digit.
      expect(again).toStrictEqual(report)
      expect(JSON.stringify(again)).toBe(JSON.stringify(report))
    } finally {
      await target.destroy()
    }
  })

  it('refuses a target that is not empty, and leaves it as it was', { timeout: 120_000 }, async () => {
    const { file } = await demoFile()
    const url = await emptyPostgresDatabase('copy')
    expect((await run('copy-database', '--from', file, '--to', url)).code).toBe(0)
    const target = openDatabase(url)
    const responses = async () => (await target.selectFrom('response').select('id').execute()).length
    const before = await responses()
    const second = await run('copy-database', '--from', file, '--to', url)
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/the target is not empty \(\w+ has \d+ rows\)/)
    expect(await responses()).toBe(before)
    await target.destroy()
  })

  it('refuses a source that is not a SQLite file', async () => {
    const result = await run('copy-database', '--from', '/nonexistent/balint.sqlite', '--to', 'postgres://x@127.0.0.1:1/x')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('--from must be an existing SQLite database file')
  })
})
