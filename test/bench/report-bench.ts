/**
 * The within-subject benchmark, in its own process so its peak memory is its own: a synthetic study of
 * `participants` × 4 instruments (PHQ-9, GAD-7, WHO-5, CBI) × 2 waves is imported from CSV, the cohort
 * report is computed, and the same rows are read from SQLite alone. Prints one JSON line.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../server/db/connection'
import { migrateToLatest } from '../../server/db/migrate'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { loadInstruments, shippedInstrumentsFolder } from '../../server/domain/instruments/registry'
import { cohortReport } from '../../server/domain/outcomes/report'
import { createCohort, createStudy } from '../../server/domain/staff/setup'

const participants = Number(process.argv[2] ?? 10_000)

/** A small deterministic generator (mulberry32), so every run imports the same data. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function syntheticCsv(n: number): string {
  const next = random(42)
  const pick = (values: number[]) => values[Math.floor(next() * values.length)]!
  const instruments: [string, string[], number[]][] = [
    ['phq-9', Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`), [0, 1, 2, 3]],
    ['gad-7', Array.from({ length: 7 }, (_, i) => `gad7_${i + 1}`), [0, 1, 2, 3]],
    ['who-5', Array.from({ length: 5 }, (_, i) => `who5_${i + 1}`), [0, 1, 2, 3, 4, 5]],
    ['cbi', [...Array.from({ length: 6 }, (_, i) => `cbi_p${i + 1}`), ...Array.from({ length: 7 }, (_, i) => `cbi_w${i + 1}`), ...Array.from({ length: 6 }, (_, i) => `cbi_c${i + 1}`)], [0, 25, 50, 75, 100]],
  ]
  const lines = ['participant,wave,instrument,item,value']
  for (let p = 1; p <= n; p++) {
    for (const wave of ['pre', 'post']) {
      for (const [id, items, values] of instruments) for (const item of items) lines.push(`P${p},${wave},${id},${item},${pick(values)}`)
    }
  }
  return `${lines.join('\n')}\n`
}

const dir = mkdtempSync(join(tmpdir(), 'balint-report-bench-'))
try {
  const dbPath = join(dir, 'bench.sqlite')
  const db = openDatabase(dbPath)
  await migrateToLatest(db)
  const deps = { db, instruments: loadInstruments([shippedInstrumentsFolder]), now: () => new Date() }
  const study = await createStudy(deps, { name: 'Benchmark' }, 'bench')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Synthetic cohort' }, 'bench')
  const csv = syntheticCsv(participants)

  let t0 = performance.now()
  const summary = await importCohortCsv(deps, { cohortId: cohort.id, csv }, 'bench')
  const importMs = performance.now() - t0

  t0 = performance.now()
  const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
  const reportMs = performance.now() - t0

  // The same rows the report reads, straight from SQLite with one prepared statement.
  const raw = new Database(dbPath, { readonly: true })
  t0 = performance.now()
  const rows = raw
    .prepare(
      `select r.id, r.participant_id, r.wave_id, r.instrument_id, r.answers, s.scale_id, s.score, s.band_index
       from response r left join scale_score s on s.response_id = r.id
       join wave w on w.id = r.wave_id where w.cohort_id = ? and r.status = 'complete'`,
    )
    .all(cohort.id)
  const sqliteMs = performance.now() - t0
  raw.close()
  await db.destroy()

  process.stdout.write(
    `${JSON.stringify({
      participants,
      csvRows: summary.rows,
      responses: summary.responses,
      scales: report.scales.length,
      importMs,
      reportMs,
      sqliteReadMs: sqliteMs,
      sqliteRows: rows.length,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
