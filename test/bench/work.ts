/**
 * One piece of benchmark work, in a process of its own so that its peak memory is its own (the
 * runner reads it with /usr/bin/time). Prints one JSON line; `ms` is the work alone, measured inside
 * the process (start-up and migrations excluded, as the floors' start-up is negligible).
 *
 *   work.ts csv <file> <participants>          write the synthetic long CSV
 *   work.ts import <db> <csv>                   a fresh database, a study and cohort, the streamed import
 *   work.ts report <db> <cohortId>              the cohort report, pre → post
 *   work.ts report-again <db> <cohortId>        the same report made twice in one process, the second timed
 *   work.ts own-report <db> <cohortId>          one participant's own report (the middle one)
 *   work.ts tracking <db> <cohortId>            the cohort's completion tracking (the participants tab)
 *   work.ts read <db> <cohortId>                the floor: the report's rows read with its statements on plain better-sqlite3
 *   work.ts export <db> <cohortId> <file> <out> an export file, streamed to <out>
 */
import Database from 'better-sqlite3'
import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { openDatabase, startReaderThread } from '../../server/db/connection'
import { migrateToLatest } from '../../server/db/migrate'
import { loadInstruments, shippedInstrumentsFolder } from '../../server/domain/instruments/registry'
import { exportFiles } from '../../server/domain/outcomes/exports'
import { importCohortCsv, startImportParser } from '../../server/domain/outcomes/import'
import { cohortReport, formsToRead } from '../../server/domain/outcomes/report'
import { reportStatements } from '../../server/db/repositories/report-data'
import { readerThreadMmapBytes } from '../../server/db/sqlite-reader'
import { listWaves } from '../../server/db/repositories/studies'
import { participantReport } from '../../server/domain/outcomes/own-report'
import { cohortTracking } from '../../server/domain/outcomes/tracking'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { writeSyntheticCsv } from './synthetic'

const [mode, ...args] = process.argv.slice(2)
const print = (result: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(result)}\n`)

async function deps(path: string) {
  const db = openDatabase(path)
  await migrateToLatest(db)
  return { db, instruments: loadInstruments([shippedInstrumentsFolder]), now: () => new Date() }
}

switch (mode) {
  case 'csv': {
    const lines = await writeSyntheticCsv(args[0]!, Number(args[1]))
    print({ lines })
    break
  }
  case 'import': {
    // As `balint import` does: the CSV parser's thread starts as the database is opened and migrated.
    const parser = startImportParser()
    const d = await deps(args[0]!)
    const study = await createStudy(d, { name: 'Benchmark' }, 'bench')
    const cohort = await createCohort(d, { studyId: study.id, name: 'Synthetic cohort' }, 'bench')
    const t0 = performance.now()
    const summary = await importCohortCsv(d, { cohortId: cohort.id, csv: createReadStream(args[1]!), parser }, 'bench')
    const ms = performance.now() - t0
    await d.db.destroy()
    print({ ms, cohortId: cohort.id, rows: summary.rows, responses: summary.responses })
    break
  }
  case 'report': {
    const d = await deps(args[0]!)
    // As in the server, whose SQLite reader thread starts with it (server/index.ts), long before a report.
    await startReaderThread(d.db)
    const t0 = performance.now()
    const report = await cohortReport(d, args[1]!, { from: 'pre', to: 'post' })
    const ms = performance.now() - t0
    await d.db.destroy()
    print({ ms, scales: report.scales.length, participants: report.participants.length, pairs: report.scales.map((s) => s.n) })
    break
  }
  case 'report-again': {
    // A running server's second report: its code compiled by V8 and SQLite's page cache warm, as a
    // researcher finds them once the server has made one. The first report (the figure judged) is
    // in a fresh process: the first a researcher asks for after the server starts.
    const d = await deps(args[0]!)
    await startReaderThread(d.db)
    await cohortReport(d, args[1]!, { from: 'pre', to: 'post' })
    const t0 = performance.now()
    const report = await cohortReport(d, args[1]!, { from: 'pre', to: 'post' })
    const ms = performance.now() - t0
    await d.db.destroy()
    print({ ms, scales: report.scales.length })
    break
  }
  case 'own-report': {
    const d = await deps(args[0]!)
    await startReaderThread(d.db)
    const ids = await d.db.selectFrom('participant').select('id').where('cohort_id', '=', args[1]!).orderBy('id').execute()
    const t0 = performance.now()
    const report = await participantReport(d, ids[Math.floor(ids.length / 2)]!.id)
    const ms = performance.now() - t0
    await d.db.destroy()
    print({ ms, changes: report.changes.length })
    break
  }
  case 'tracking': {
    const d = await deps(args[0]!)
    const t0 = performance.now()
    const tracking = await cohortTracking(d, args[1]!)
    const ms = performance.now() - t0
    await d.db.destroy()
    print({ ms, participants: tracking.participants.length })
    break
  }
  case 'read': {
    // The floor: the statements the report reads its rows with (the same SQL text: report-data's
    // reportStatements: the cohort's participants, consents and attendance, and a statement per
    // form), run one after the other on plain better-sqlite3 as arrays, with the reader thread's
    // settings; no JSON parsing, no objects, no statistics.
    const d = await deps(args[0]!)
    const waves = await listWaves(d.db, args[1]!)
    const post = waves.find((w) => w.kind === 'post')!
    const pre = waves.find((w) => w.kind === 'pre')!
    const statements = reportStatements(d.db, [args[1]!], formsToRead(d, waves, (w) => w, [pre.kind, post.kind])).map((s) => s.query.compile())
    await d.db.destroy()
    const raw = new Database(args[0]!, { readonly: true })
    // As the report's reader thread reads: through a memory map (sqlite-reader.ts).
    raw.pragma(`mmap_size = ${readerThreadMmapBytes}`)
    const t0 = performance.now()
    let rows = 0
    for (const s of statements) rows += raw.prepare(s.sql).raw(true).all(...s.parameters).length
    const ms = performance.now() - t0
    raw.close()
    print({ ms, rows })
    break
  }
  case 'export': {
    const d = await deps(args[0]!)
    const out = createWriteStream(args[3]!)
    const t0 = performance.now()
    const file = (await exportFiles(d, args[1]!)).find((f) => f.name === args[2])!
    for await (const chunk of file.generate()) if (!out.write(chunk)) await once(out, 'drain')
    out.end()
    await once(out, 'finish')
    const ms = performance.now() - t0
    await d.db.destroy()
    print({ ms })
    break
  }
  default:
    throw new Error(`unknown mode ${mode}`)
}
