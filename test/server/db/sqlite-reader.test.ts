/**
 * The SQLite file's reader thread (server/db/sqlite-reader.ts) and the columns it turns rows into
 * (server/db/columns.mjs): the cohort report read there is the one read through the connection, a
 * failing statement fails its read without stopping the thread or the process, a checkpoint after an
 * erasure waits for the thread without holding the event loop, a closing database starts no thread,
 * and the columns keep every value's meaning (null, a number, an answer that is not a number).
 */
import { CompiledQuery, sql, type Kysely } from 'kysely'
import { mkdtempSync, renameSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { rowsByValue, toColumns } from '../../../server/db/columns.mjs'
import { closeDatabase, openDatabase, sqliteHandle, startReaderThread } from '../../../server/db/connection'
import { migrateToLatest } from '../../../server/db/migrate'
import { discardDeletedPages } from '../../../server/db/repositories/erasure'
import type { Database as Schema } from '../../../server/db/schema'
import { closeReaderThread, ReaderThreadError, ReaderThreadStopped, readerThreadMmapBytes, readOnReaderThread } from '../../../server/db/sqlite-reader'
import { readReport, type ReportFormRequest } from '../../../server/db/repositories/report-data'
import { loadInstruments, shippedInstrumentsFolder } from '../../../server/domain/instruments/registry'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { cohortReport, studyReport } from '../../../server/domain/outcomes/report'
import { createCohort, createStudy } from '../../../server/domain/staff/setup'
import { testEngine } from '../../helpers/test-database'

const opened: Kysely<Schema>[] = []
afterEach(async () => {
  for (const db of opened.splice(0)) await closeDatabase(db)
})

async function fileDatabase() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'balint-reader-')), 'balint.sqlite'))
  opened.push(db)
  await migrateToLatest(db)
  return { db, instruments: loadInstruments([shippedInstrumentsFolder]), now: () => new Date('2026-05-01T00:00:00.000Z') }
}

/** 30 participants, PHQ-9 and the CBI at pre and post from a fixed sequence; P4 has no post, P7 no CBI at pre, P9 leaves phq9_3 unanswered at post. */
function csv(): string {
  let seed = 11
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const forms: [string, string[], number[]][] = [
    ['phq-9', Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`), [0, 1, 2, 3]],
    ['cbi', [...Array.from({ length: 6 }, (_, i) => `cbi_p${i + 1}`), ...Array.from({ length: 7 }, (_, i) => `cbi_w${i + 1}`), ...Array.from({ length: 6 }, (_, i) => `cbi_c${i + 1}`)], [0, 25, 50, 75, 100]],
  ]
  const rows = ['participant,wave,instrument,item,value']
  for (let p = 1; p <= 30; p++) {
    for (const wave of ['pre', 'post']) {
      if (p === 4 && wave === 'post') continue
      const level = next()
      for (const [id, items, values] of forms) {
        if (p === 7 && id === 'cbi' && wave === 'pre') continue
        for (const item of items) {
          if (p === 9 && wave === 'post' && item === 'phq9_3') continue
          rows.push(`P${p},${wave},${id},${item},${values[Math.min(values.length - 1, Math.floor((level * 0.7 + next() * 0.3) * values.length))]}`)
        }
      }
    }
  }
  return `${rows.join('\n')}\n`
}

describe.skipIf(testEngine === 'postgres')("a SQLite file's reader thread", () => {
  it('gives the cohort report and the study-wide report read through the connection, number for number', async () => {
    const deps = await fileDatabase()
    await startReaderThread(deps.db)
    const study = await createStudy(deps, { name: 'Reader' }, 'test')
    const cohorts: { id: string }[] = []
    for (const name of ['A', 'B']) {
      const cohort = await createCohort(deps, { studyId: study.id, name }, 'test')
      await importCohortCsv(deps, { cohortId: cohort.id, csv: csv() }, 'test')
      cohorts.push(cohort)
    }
    const onThread = await cohortReport(deps, cohorts[0]!.id, { from: 'pre', to: 'post' })
    // Inside a transaction the report reads through it (a transaction must see its own writes), not on the thread.
    const throughConnection = await deps.db.transaction().execute((trx) => cohortReport({ ...deps, db: trx }, cohorts[0]!.id, { from: 'pre', to: 'post' }))
    expect(onThread).toEqual(throughConnection)
    expect(onThread.scales.map((s) => [s.instrument, s.scale, s.n])).toEqual([
      ['phq-9', 'total', 29],
      ['cbi', 'personal', 28],
      ['cbi', 'work', 28],
      ['cbi', 'patient', 28],
    ])
    // P9's PHQ-9 at post is prorated (an item unanswered): paired, but not a complete case for α.
    expect(onThread.scales[0]!.prorated).toEqual({ pre: 0, post: 1 })
    expect([onThread.scales[0]!.reliability.from?.n, onThread.scales[0]!.reliability.to?.n]).toEqual([30, 28])
    const studyOnThread = await studyReport(deps, study.id, { from: 'pre', to: 'post' })
    const studyThroughConnection = await deps.db.transaction().execute((trx) => studyReport({ ...deps, db: trx }, study.id, { from: 'pre', to: 'post' }))
    expect(studyOnThread).toEqual(studyThroughConnection)
    expect(studyOnThread.funnel.paired).toBe(2 * 28)
  })

  it('reads the file through a memory map as large as SQLite allows, and the main connection does not (issue 16)', async () => {
    const { db } = await fileDatabase()
    const sqlite = sqliteHandle(db)!
    const [setting] = readOnReaderThread(sqlite, [{ query: CompiledQuery.raw('pragma mmap_size'), kinds: [{ kind: 'numbers' }] }])!
    expect(Array.from((await setting!).columns[0] as Float64Array)).toEqual([readerThreadMmapBytes])
    expect(readerThreadMmapBytes).toBe(0x7fff0000)
    // The main connection, which writes, reads as before: its pages count against the export's and import's memory.
    expect(sqlite.pragma('mmap_size', { simple: true })).toBe(0)
  })

  it('fails a read whose statement fails, and the statements after it, then goes on reading', async () => {
    const { db } = await fileDatabase()
    const sqlite = sqliteHandle(db)!
    const kinds = [{ kind: 'values' as const }]
    const reads = readOnReaderThread(sqlite, [
      { query: CompiledQuery.raw('select id from study'), kinds },
      { query: CompiledQuery.raw('select no_such_column from study'), kinds },
      { query: CompiledQuery.raw('select 1'), kinds },
    ])!
    const [first, second, third] = await Promise.allSettled(reads)
    expect(first).toEqual({ status: 'fulfilled', value: { length: 0, columns: [[]] } })
    for (const failed of [second, third]) {
      expect(failed!.status).toBe('rejected')
      const reason = (failed as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(ReaderThreadError)
      expect(reason.message).toMatch(/no such column: no_such_column/)
      expect(reason.code).toBe('SQLITE_ERROR')
    }
    const [again] = readOnReaderThread(sqlite, [{ query: CompiledQuery.raw('select ? as x', [41]), kinds: [{ kind: 'numbers' }] }])!
    expect(Array.from((await again!).columns[0] as Float64Array)).toEqual([41])
  })

  it("lets a participant's deleted answers leave the WAL while a report reads, without the event loop waiting for the read", async () => {
    // Found in review: the reader thread's read transaction kept discardDeletedPages' checkpoint from
    // truncating the WAL (busy, unchecked) and SQLite's busy handler held the event loop meanwhile.
    const path = join(mkdtempSync(join(tmpdir(), 'balint-reader-')), 'balint.sqlite')
    const db = openDatabase(path)
    opened.push(db)
    await migrateToLatest(db)
    await startReaderThread(db)
    const sqlite = sqliteHandle(db)!
    sqlite.pragma('wal_autocheckpoint = 0')
    // A read of about a second on the thread (a large cohort's report).
    const slow = { query: CompiledQuery.raw('with recursive c(x) as (select 1 union all select x + 1 from c where x < 5000000) select count(*) from c, (select count(*) from participant)'), kinds: [{ kind: 'numbers' as const }] }
    const [reading] = readOnReaderThread(sqlite, [slow])!
    await new Promise((resolve) => setTimeout(resolve, 200))
    sqlite.exec("create table secret (v text); insert into secret values ('deleted answers'); delete from secret")
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0)
    // The longest the event loop went without running a timer, while the pages were discarded.
    let last = performance.now()
    let longestGap = 0
    const ticker = setInterval(() => {
      longestGap = Math.max(longestGap, performance.now() - last)
      last = performance.now()
    }, 5)
    await discardDeletedPages(db)
    // A tick after it, which sees a wait that happened inside it.
    await new Promise((resolve) => setTimeout(resolve, 30))
    clearInterval(ticker)
    expect(statSync(`${path}-wal`).size).toBe(0)
    expect(longestGap).toBeLessThan(200)
    // The read was let finish, and the thread reads again afterwards.
    expect(Array.from((await reading!).columns[0] as Float64Array)).toEqual([5000000])
    const [again] = readOnReaderThread(sqlite, [{ query: CompiledQuery.raw('select 2'), kinds: [{ kind: 'numbers' }] }])!
    expect(Array.from((await again!).columns[0] as Float64Array)).toEqual([2])
    // The slow read is CPU-bound: about a second on a quiet machine, seven seconds seen on a loaded one.
  }, 30_000)

  it('starts no thread for a database being closed, so none is left behind on a closed file', async () => {
    // Found in review: a read arriving while closeDatabase ended the thread started a new one that nothing ended.
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'balint-reader-')), 'balint.sqlite'))
    await migrateToLatest(db)
    await startReaderThread(db)
    const sqlite = sqliteHandle(db)!
    const closing = closeDatabase(db)
    await new Promise((resolve) => setImmediate(resolve))
    expect(readOnReaderThread(sqlite, [{ query: CompiledQuery.raw('select 1'), kinds: [{ kind: 'numbers' }] }])).toBeUndefined()
    await closing
    expect(sqlite.open).toBe(false)
    expect(readOnReaderThread(sqlite, [{ query: CompiledQuery.raw('select 1'), kinds: [{ kind: 'numbers' }] }])).toBeUndefined()
  })

  it('reads on the main connection when the thread cannot open the file (moved while the server runs), and the report still comes', async () => {
    // Found in review: every report failed once the thread could not open the file.
    const deps = await fileDatabase()
    const study = await createStudy(deps, { name: 'Moved' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'A' }, 'test')
    await importCohortCsv(deps, { cohortId: cohort.id, csv: csv() }, 'test')
    const before = await deps.db.transaction().execute((trx) => cohortReport({ ...deps, db: trx }, cohort.id, { from: 'pre', to: 'post' }))
    const sqlite = sqliteHandle(deps.db)!
    renameSync(sqlite.name, `${sqlite.name}.moved`)
    // The thread itself says why it stopped.
    const [direct] = readOnReaderThread(sqlite, [{ query: CompiledQuery.raw('select 1'), kinds: [{ kind: 'numbers' }] }])!
    await expect(direct).rejects.toBeInstanceOf(ReaderThreadStopped)
    expect(await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })).toEqual(before)
    // For a while no new thread is started to fail again at each report: reads go to the main connection.
    expect(readOnReaderThread(sqlite, [{ query: CompiledQuery.raw('select 1'), kinds: [{ kind: 'numbers' }] }])).toBeUndefined()
    expect(await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })).toEqual(before)
  })

  it("matches each response read on the main connection after the thread stopped with the participants the caller got from the thread, though one was erased meanwhile", async () => {
    const deps = await fileDatabase()
    const cohort = await createCohort(deps, { studyId: (await createStudy(deps, { name: 'Stopped' }, 'test')).id, name: 'A' }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    for (let p = 1; p <= 2000; p++) for (let i = 1; i <= 9; i++) rows.push(`P${p},pre,phq-9,phq9_${i},${(p + i) % 4}`)
    await importCohortCsv(deps, { cohortId: cohort.id, csv: `${rows.join('\n')}\n` }, 'test')
    const pre = (await deps.db.selectFrom('wave').select('id').where('cohort_id', '=', cohort.id).executeTakeFirstOrThrow()).id
    await startReaderThread(deps.db)
    // Many forms, so that the thread is still reading them when it stops.
    const request: ReportFormRequest = { waveId: pre, waveKind: 'pre', instrumentId: 'phq-9', scales: ['total'], items: [] }
    const read = readReport(deps.db, [cohort.id], Array.from({ length: 150 }, () => request))
    const { participants } = await read.participants
    // The first participant read is erased on the main connection, and the thread stops.
    const gone = participants[0]!.id
    await deps.db.deleteFrom('participant').where('id', '=', gone).execute()
    await closeReaderThread(sqliteHandle(deps.db)!)
    const forms = await Promise.all(read.forms)
    const stored = await sql<{ participant_id: string; score: number }>`select r.participant_id, s.score from response r join scale_score s on s.response_id = r.id and s.scale_id = 'total' where r.wave_id = ${pre}`.execute(deps.db)
    const scoreOf = new Map(stored.rows.map((r) => [r.participant_id, r.score]))
    // Read on the thread, a form still has the erased participant's response (its snapshot); read here, it has not.
    const readHere = forms.filter((f) => f.participantRows.length < participants.length)
    expect(readHere.length).toBeGreaterThan(0)
    for (const form of forms) {
      form.participantRows.forEach((row, r) => {
        const id = participants[row]!.id
        if (id !== gone) expect(form.scores[0]!.score[r]).toBe(scoreOf.get(id))
      })
    }
    // 150 forms of 2,000 responses, most read again here: 2.7 s on a quiet 2-core machine, past 5 s on a busy one.
  }, 30_000)

  it('is not used for a database in memory, which has no file to share', async () => {
    const db = openDatabase(':memory:')
    opened.push(db)
    expect(readOnReaderThread(sqliteHandle(db)!, [])).toBeUndefined()
  })
})

describe('rows turned into columns', () => {
  it('keeps null apart from every number, and takes from the answers only the numbers of the keys asked for', () => {
    const rows = [
      ['P1', 2.5, 0, '{"a":3,"b":"text","c":null}'],
      ['P2', null, null, '{"b":0}'],
      ['P3', 0, 1, null],
    ]
    const { length, columns } = toColumns(rows, [{ kind: 'values' }, { kind: 'numbers' }, { kind: 'integers' }, { kind: 'json', keys: ['a', 'b', 'c', 'd'] }])
    expect(length).toBe(3)
    expect(columns[0]).toEqual(['P1', 'P2', 'P3'])
    expect(Array.from(columns[1] as Float64Array)).toEqual([2.5, Number.NaN, 0])
    expect(Array.from(columns[2] as Int32Array)).toEqual([0, -1, 1])
    const [a, b, c, d] = columns[3] as Float64Array[]
    expect(Array.from(a!)).toEqual([3, Number.NaN, Number.NaN])
    expect(Array.from(b!)).toEqual([Number.NaN, 0, Number.NaN])
    expect(Array.from(c!)).toEqual([Number.NaN, Number.NaN, Number.NaN])
    expect(Array.from(d!)).toEqual([Number.NaN, Number.NaN, Number.NaN])
  })

  it("turns a participant id into that participant's row of an earlier statement, −1 for one not among them", () => {
    const participants = toColumns([['P1'], ['P2'], ['P3']], [{ kind: 'values' }])
    const lookups: number[] = []
    const rowOf = (of: number) => (lookups.push(of), rowsByValue(participants.columns[0] as unknown[]))
    const { columns } = toColumns([['P3', 1], ['P1', 2], ['P9', 3], ['P3', 4]], [{ kind: 'index', of: 0 }, { kind: 'numbers' }], rowOf)
    expect(Array.from(columns[0] as Int32Array)).toEqual([2, 0, -1, 2])
    expect(lookups).toEqual([0])
    // A value that repeats in the first column is found at its first row.
    expect(rowsByValue(['a', 'b', 'a']).get('a')).toBe(0)
  })
})
