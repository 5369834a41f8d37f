/**
 * `balint export`, run in-process with `runCli(argv, io)` over a freshly migrated in-memory database,
 * writing to a temporary folder. The content of each file is tested in
 * test/server/domain/outcomes/exports.test.ts; here, what the command writes, prints and audits, and that the
 * R script it writes, run by R itself, gives the report's paired tests.
 *
 * The cohort is that of test/server/domain/outcomes/report.test.ts, whose statistics are checked against R
 * 4.2.2 there: PHQ-9 t = -3.0759262152358668, p = 0.0179176372568833.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listAudit } from '../../../server/db/repositories/audit'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { cohortReport } from '../../../server/domain/outcomes/report'
import { createCohort, createStudy } from '../../../server/domain/staff/setup'
import { testClock, testDeps } from '../../helpers/app'
import { cliRunner } from '../../helpers/cli'
import { itemLines, smallCohort } from '../../helpers/export-cohort'

const rscript = '/usr/bin/Rscript'
const hasR = existsSync(rscript)

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'balint-export-'))
  folders.push(folder)
  return folder
}

async function cli() {
  const deps = await testDeps(testClock('2026-03-02T09:00:00.000Z'))
  const run = cliRunner(deps)
  return { deps, run }
}

/** Items summing to `total`: as many maximal items as fit, then the remainder (as in report.test.ts). */
function items(count: number, max: number, total: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(max, total - i * max)))
}

/** The eight participants of report.test.ts: PHQ-9 totals and WHO-5 raw scores, pre and post. */
async function reportCohort(deps: Awaited<ReturnType<typeof testDeps>>) {
  const phqPre = [14, 18, 9, 22, 12, 16, 11, 20]
  const phqPost = [9, 15, 9, 13, 10, 17, 6, 12]
  const whoPre = [10, 8, 15, 6, 12, 9, 14, 7]
  const whoPost = [14, 9, 15, 13, 16, 8, 18, 12]
  const lines = ['participant,wave,instrument,item,value']
  phqPre.forEach((_, p) => {
    for (const [wave, phq, who] of [
      ['pre', phqPre[p]!, whoPre[p]!],
      ['post', phqPost[p]!, whoPost[p]!],
    ] as const) {
      lines.push(...itemLines(`P${p + 1}`, wave, 'phq-9', 'phq9_', items(9, 3, phq)))
      lines.push(...itemLines(`P${p + 1}`, wave, 'who-5', 'who5_', items(5, 5, who)))
    }
  })
  const study = await createStudy(deps, { name: 'Re-analysis of a paper cohort' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group 2020' }, 'test')
  await importCohortCsv(deps, { cohortId: cohort.id, csv: lines.join('\n') }, 'test')
  return cohort
}

/** The table analysis.R prints, one object per scale, read by the column names of its header line. */
function printedTable(output: string): Record<string, Record<string, string>> {
  const lines = output.split('\n')
  const start = lines.findIndex((l) => l.startsWith('Paired tests'))
  const header = lines[start + 1]!.trim().split(/\s+/)
  const rows: Record<string, Record<string, string>> = {}
  for (const line of lines.slice(start + 2)) {
    if (line.trim() === '') break
    const cells = line.trim().split(/\s+/)
    rows[cells[0]!] = Object.fromEntries(header.map((h, i) => [h, cells[i]!]))
  }
  return rows
}

describe('export', () => {
  it('writes the five files to a new folder, prints their paths and audits who and when', async () => {
    const c = await cli()
    const { cohort } = await smallCohort(c.deps)
    const folder = join(tempFolder(), 'nested', 'exports')
    const result = await c.run('export', '--cohort', cohort.id, '--out', folder)
    expect(result).toMatchObject({ code: 0, err: [] })
    const names = ['answers_long.csv', 'scores_long.csv', 'wide.csv', 'dictionary.csv', 'analysis.R']
    expect(result.out).toEqual([names.map((n) => join(folder, n)).join('\n')])
    expect(readdirSync(folder).sort()).toEqual([...names].sort())
    expect(readFileSync(join(folder, 'scores_long.csv'), 'utf8')).toContain('P1,pre,phq-9,1.0.0,total,9,Mild,1\n')

    const audit = (await listAudit(c.deps.db, { entityId: cohort.id })).filter((a) => a.action.startsWith('export.'))
    expect(audit).toEqual([{ at: '2026-03-02T09:00:00.000Z', actor: 'cli', action: 'export.write', entity: 'cohort', entityId: cohort.id, details: { files: names, folder } }])
  })

  it('prints JSON with --json, and fails clearly for an unknown cohort', async () => {
    const c = await cli()
    const { cohort } = await smallCohort(c.deps)
    const folder = tempFolder()
    const result = await c.run('export', '--cohort', cohort.id, '--out', folder, '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ cohortId: cohort.id, folder, files: ['answers_long.csv', 'scores_long.csv', 'wide.csv', 'dictionary.csv', 'analysis.R'].map((n) => join(folder, n)) })

    const unknown = await c.run('export', '--cohort', 'nope', '--out', join(folder, 'other'))
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/There is no cohort "nope"/)
    expect(existsSync(join(folder, 'other'))).toBe(false)
  })

  it.skipIf(!hasR)(`runs analysis.R with R and gets the report's paired tests (needs ${rscript}; CI installs it)`, async () => {
    const c = await cli()
    const cohort = await reportCohort(c.deps)
    const folder = tempFolder()
    expect((await c.run('export', '--cohort', cohort.id, '--out', folder)).code).toBe(0)

    const output = execFileSync(rscript, ['analysis.R'], { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    expect(output).toContain('Read 8 participants from wide.csv')
    const table = printedTable(output)
    const report = await cohortReport(c.deps, cohort.id, { from: 'pre', to: 'post' })
    expect(Object.keys(table)).toEqual(['phq9_total', 'who5_raw', 'who5_percentage'])
    for (const scale of report.scales) {
      const row = table[`${scale.instrument.replace(/-/g, '')}_${scale.scale}`]!
      expect(Number(row.n)).toBe(scale.n)
      expect(Number(row.mean_change)).toBeCloseTo(scale.change.mean!, 6)
      expect(Math.abs(Number(row.t) - scale.pairedT!.t)).toBeLessThan(1e-6)
      expect(Math.abs(Number(row.p) - scale.pairedT!.p)).toBeLessThan(1e-6)
      expect(Number(row.df)).toBe(scale.pairedT!.df)
      expect(Number(row.V)).toBe(scale.wilcoxon!.V)
      expect(Math.abs(Number(row.p_wilcoxon) - scale.wilcoxon!.p)).toBeLessThan(1e-6)
    }
    // And the values R 4.2.2 gave in report.test.ts, so a script and a report wrong together still fail.
    expect(Number(table.phq9_total!.t)).toBeCloseTo(-3.0759262152358668, 6)
    expect(Number(table.phq9_total!.p)).toBeCloseTo(0.0179176372568833, 6)
  })

  it.skipIf(!hasR)('runs analysis.R on a cohort with withdrawals, missing scores and factors, without error', async () => {
    const c = await cli()
    const { cohort } = await smallCohort(c.deps)
    const folder = tempFolder()
    expect((await c.run('export', '--cohort', cohort.id, '--out', folder)).code).toBe(0)
    // Print the labelled factors after the script, in the same R session.
    const output = execFileSync(rscript, ['-e', 'source("analysis.R"); print(table(wide$sex)); print(levels(wide$status)); print(is.numeric(wide$pre_phq9_total))'], {
      cwd: folder,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const table = printedTable(output)
    // P1 and P2 have both waves: PHQ-9 9 → 0 and 27 → 8; two pairs, mean change (−9 − 19) / 2 = −14.
    expect(table.phq9_total).toMatchObject({ n: '2', mean_change: '-14' })
    expect(output).toMatch(/Female\s+Male\s+Prefer not to say\s+Another \/ prefer to self-describe\s*\n\s*1\s+0\s+0\s+1/)
    expect(output).toContain('"Invited"   "Consented" "Active"    "Withdrawn"')
    expect(output).toContain('[1] TRUE')
  })
})

if (!hasR) console.warn(`test/server/cli/export.test.ts: ${rscript} not found; the tests that run analysis.R with R are skipped.`)
