/**
 * `npm run bench`: prints what a participant's phone downloads on a first visit; how fast the server
 * saves answers under 50 participants at once, next to a bare Hono + better-sqlite3 insert measured
 * in the same run; and how long a 10,000-participant study takes to import and report, next to
 * reading the same rows from SQLite alone (BENCH_PARTICIPANTS changes the size). Numbers only;
 * nothing here passes or fails.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { launchBrowser } from '../e2e/helpers/browser'

const concurrency = 50
const savesPerParticipant = 40
const here = new URL('.', import.meta.url).pathname

/** Start a benchmark server in its own process and read the first line it prints. */
async function startChild(script: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)))
  })
  return { child, line }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** 50 workers, each saving a growing PHQ-9 draft `savesPerParticipant` times, one request at a time. */
async function load(urlFor: (worker: number) => string, bodyFor: (worker: number, i: number) => unknown) {
  const latencies: number[] = []
  let failures = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; i < savesPerParticipant; i++) {
        const t0 = performance.now()
        const response = await fetch(urlFor(worker), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bodyFor(worker, i)) })
        await response.arrayBuffer()
        latencies.push(performance.now() - t0)
        if (!response.ok) failures++
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { requests: latencies.length, failures, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}

/** A draft that grows one PHQ-9 item per save (the bare server stores it whole). */
function draft(i: number) {
  const answers: Record<string, number> = {}
  for (let item = 1; item <= Math.min(9, (i % 9) + 1); item++) answers[`phq9_${item}`] = (i + item) % 4
  return { answers, revision: i + 1 }
}

/** One answer per save, as the participant's outbox sends an answer given on its own. */
function oneAnswer(i: number) {
  return { deviceId: 'bench-device-01', answers: [{ question: `phq9_${(i % 9) + 1}`, value: i % 4, answeredAt: new Date().toISOString() }] }
}

async function transferSize(baseUrl: string, token: string) {
  const browser = await launchBrowser()
  const context = await browser.newContext()
  const page = await context.newPage()
  const sizes: { url: string; bytes: number }[] = []
  page.on('requestfinished', async (request) => {
    const s = await request.sizes()
    sizes.push({ url: request.url(), bytes: s.responseBodySize + s.responseHeadersSize })
  })
  await page.goto(`${baseUrl}/p/${token}`, { waitUntil: 'networkidle' })
  await browser.close()
  const library = (url: string) => /vendor-(react|surveyjs)/.test(url)
  const sum = (list: typeof sizes) => list.reduce((a, b) => a + b.bytes, 0)
  return { ours: sum(sizes.filter((s) => !library(s.url))), libraries: sum(sizes.filter((s) => library(s.url))), requests: sizes.length, detail: sizes }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

const dir = mkdtempSync(join(tmpdir(), 'balint-bench-'))
const children: ChildProcess[] = []
try {
  const platform = await startChild('platform-server.ts', [join(dir, 'platform.sqlite'), String(concurrency)])
  children.push(platform.child)
  const { port, tokens } = JSON.parse(platform.line) as { port: number; tokens: string[] }
  const baseUrl = `http://127.0.0.1:${port}`

  const size = await transferSize(baseUrl, tokens[0]!)
  console.log('Participant page, first visit (gzip on the wire, headers included):')
  console.log(`  our code (HTML, participant bundle, CSS, API state): ${kib(size.ours)}`)
  console.log(`  React + SurveyJS:                                   ${kib(size.libraries)}`)
  console.log(`  total:                                              ${kib(size.ours + size.libraries)} in ${size.requests} requests`)
  for (const d of size.detail) console.log(`    ${kib(d.bytes).padStart(10)}  ${new URL(d.url).pathname.replace(/\/p\/[^/]+$/, '/p/<token>').replace(/\/api\/p\/[^/]+$/, '/api/p/<token>')}`)

  const bare = await startChild('bare-server.ts', [join(dir, 'bare.sqlite')])
  children.push(bare.child)
  const barePort = Number(bare.line)

  // Warm both up, then measure each in turn so they do not compete for the two cores.
  await load((w) => `http://127.0.0.1:${barePort}/save/w${w}`, (_, i) => draft(i))
  const bareResult = await load((w) => `http://127.0.0.1:${barePort}/save/w${w}`, (_, i) => draft(i))
  const platformResult = await load(
    (w) => `${baseUrl}/api/p/${tokens[w]}/forms/pre/phq-9/answers`,
    (_, i) => oneAnswer(i),
  )
  console.log(`\nSaving answers, ${concurrency} participants at once, ${savesPerParticipant} saves each:`)
  const row = (name: string, r: Awaited<ReturnType<typeof load>>) =>
    console.log(`  ${name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(6)} saves/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   failures ${r.failures}/${r.requests}`)
  row('platform (validate, transaction)', platformResult)
  row('bare Hono + better-sqlite3 insert', bareResult)

  const cohortSize = Number(process.env.BENCH_PARTICIPANTS ?? 10_000)
  const within = await startChild('report-bench.ts', [String(cohortSize)])
  children.push(within.child)
  const r = JSON.parse(within.line) as Record<string, number>
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  console.log(`\nWithin-subject report, synthetic study: ${r.participants} participants × 4 instruments × 2 waves (${r.csvRows} CSV rows, ${r.responses} responses):`)
  console.log(`  import from CSV (validate, score, one transaction): ${seconds(r.importMs!)}`)
  console.log(`  cohort report (${r.scales} scales, all statistics):     ${seconds(r.reportMs!)}`)
  console.log(`  the same ${r.sqliteRows} rows read from SQLite alone:  ${seconds(r.sqliteReadMs!)}`)
  console.log(`  peak memory of that process (RSS):                 ${r.peakRssMiB!.toFixed(0)} MiB`)
} finally {
  for (const child of children) child.kill()
  rmSync(dir, { recursive: true, force: true })
}
