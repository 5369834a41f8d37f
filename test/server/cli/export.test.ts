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
import { rString } from '../../../server/domain/outcomes/exports'
import { cohortReport } from '../../../server/domain/outcomes/report'
import { createCohort, createStudy } from '../../../server/domain/staff/setup'
import { testClock, testDeps } from '../../helpers/app'
import { cliRunner } from '../../helpers/cli'
import { itemLines, labelledCohort, labelledDemographics, persianOther, smallCohort } from '../../helpers/export-cohort'

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

/**
 * Eight participants whose changes put each scale in one branch of the Wilcoxon test:
 * - PHQ-9 post − pre −1, −2, 3, −4, −5, −6, −7, −8: no ties, no zeros (exact in R and the report);
 * - GAD-7 −2, −2, −3, −1, 1, −4, −5, −6: ties (|−2| twice, |±1| twice), no zero;
 * - WHO-5 raw 4, 1, 0, 7, 3, −2, 5, 6: a zero, no ties (and its percentage, × 4, the same).
 */
async function wilcoxonCohort(deps: Awaited<ReturnType<typeof testDeps>>) {
  const scales = [
    { instrument: 'phq-9', prefix: 'phq9_', count: 9, max: 3, pre: [14, 18, 9, 22, 12, 16, 11, 20], change: [-1, -2, 3, -4, -5, -6, -7, -8] },
    { instrument: 'gad-7', prefix: 'gad7_', count: 7, max: 3, pre: [10, 12, 8, 15, 9, 11, 7, 14], change: [-2, -2, -3, -1, 1, -4, -5, -6] },
    { instrument: 'who-5', prefix: 'who5_', count: 5, max: 5, pre: [10, 8, 15, 6, 12, 9, 14, 7], change: [4, 1, 0, 7, 3, -2, 5, 6] },
  ]
  const lines = ['participant,wave,instrument,item,value']
  for (const s of scales) {
    s.pre.forEach((pre, p) => {
      lines.push(...itemLines(`P${p + 1}`, 'pre', s.instrument, s.prefix, items(s.count, s.max, pre)))
      lines.push(...itemLines(`P${p + 1}`, 'post', s.instrument, s.prefix, items(s.count, s.max, pre + s.change[p]!)))
    })
  }
  const study = await createStudy(deps, { name: 'Ties and zeros' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group W' }, 'test')
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
  it('writes the six files to a new folder, prints their paths and audits who and when', async () => {
    const c = await cli()
    const { cohort } = await smallCohort(c.deps)
    const folder = join(tempFolder(), 'nested', 'exports')
    const result = await c.run('export', '--cohort', cohort.id, '--out', folder)
    expect(result).toMatchObject({ code: 0, err: [] })
    const names = ['answers_long.csv', 'scores_long.csv', 'wide.csv', 'dictionary.csv', 'value_labels.csv', 'analysis.R']
    expect(result.out).toEqual([names.map((n) => join(folder, n)).join('\n')])
    expect(readdirSync(folder).sort()).toEqual([...names].sort())
    expect(readFileSync(join(folder, 'scores_long.csv'), 'utf8')).toMatch(/\nP1,pre,phq-9,1\.0\.0,total,9,Mild,1,[^,]+,import,\n/)

    const audit = (await listAudit(c.deps.db, { entityId: cohort.id })).filter((a) => a.action.startsWith('export.'))
    expect(audit).toEqual([{ at: '2026-03-02T09:00:00.000Z', actor: 'cli', action: 'export.write', entity: 'cohort', entityId: cohort.id, details: { files: names, folder } }])
  })

  it('prints JSON with --json, and fails clearly for an unknown cohort', async () => {
    const c = await cli()
    const { cohort } = await smallCohort(c.deps)
    const folder = tempFolder()
    const result = await c.run('export', '--cohort', cohort.id, '--out', folder, '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ cohortId: cohort.id, folder, files: ['answers_long.csv', 'scores_long.csv', 'wide.csv', 'dictionary.csv', 'value_labels.csv', 'analysis.R'].map((n) => join(folder, n)) })

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

  it.skipIf(!hasR)('tells wilcox.test exact = FALSE exactly where the report uses the normal approximation (ties or zeros), whatever R version runs it', async () => {
    const c = await cli()
    const cohort = await wilcoxonCohort(c.deps)
    const folder = tempFolder()
    expect((await c.run('export', '--cohort', cohort.id, '--out', folder)).code).toBe(0)
    // R 4.6 tests ties and zeros below 50 pairs exactly unless told exact = FALSE; R 4.2 does not, so
    // what the script passes is traced rather than inferred from the p-value.
    const trace = 'trace(stats:::wilcox.test.default, quote(cat("exact:", deparse(exact), "\\n")), print = FALSE)'
    const output = execFileSync(rscript, ['-e', `${trace}; source("analysis.R")`], { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    expect(output.split('\n').filter((l) => l.startsWith('exact:')).map((l) => l.trim())).toEqual(['exact: NULL', 'exact: FALSE', 'exact: FALSE', 'exact: FALSE'])

    const report = await cohortReport(c.deps, cohort.id, { from: 'pre', to: 'post' })
    const table = printedTable(output)
    expect(Object.keys(table)).toEqual(['phq9_total', 'gad7_total', 'who5_raw', 'who5_percentage'])
    expect(report.scales.map((s) => [s.instrument, s.scale, s.wilcoxon!.method])).toEqual([
      ['phq-9', 'total', 'exact'],
      ['gad-7', 'total', 'normal'],
      ['who-5', 'raw', 'normal'],
      ['who-5', 'percentage', 'normal'],
    ])
    for (const scale of report.scales) {
      const row = table[`${scale.instrument.replace(/-/g, '')}_${scale.scale}`]!
      expect(Number(row.V)).toBe(scale.wilcoxon!.V)
      expect(Math.abs(Number(row.p_wilcoxon) - scale.wilcoxon!.p)).toBeLessThan(1e-6)
    }
  })

  it.skipIf(!hasR)('reads wide.csv as written in any locale, with or without the byte-order mark: Persian text, NA for empty cells, TRUE/FALSE as logical, factors of guarded values', async () => {
    const c = await cli()
    const deps = { ...c.deps, instruments: labelledDemographics() }
    const { cohort } = await labelledCohort(deps)
    const run = cliRunner(deps)
    const checks = [
      'source("analysis.R")',
      `checks <- c(
        first_name = identical(names(wide)[1], "participant"),
        persian = identical(wide$sex_other[1], ${rString(persianOther)}),
        empty_text_is_na = is.na(wide$sex_other[2]),
        empty_choice_is_na = is.na(wide$sex[2]) && identical(as.character(wide$sex[1]), "Another / prefer to self-describe"),
        empty_multiple_is_na = identical(wide$settings, c("ward;clinic", NA)),
        numbers = identical(wide$age, c(NA, 40L)),
        negative_codes = identical(as.character(wide$supported), c("Strongly disagree", "Agree = mostly")),
        logical = identical(wide$supervises, c(TRUE, FALSE)),
        guarded_factor = identical(as.character(wide$workplace), c("Looks like a formula", "Intensive care"))
      )`,
      'for (n in names(checks)) cat(n, checks[[n]], "\\n")',
    ].join('\n')
    for (const bom of [true, false]) {
      const folder = tempFolder()
      expect((await run('export', '--cohort', cohort.id, '--out', folder, ...(bom ? ['--bom'] : []))).code).toBe(0)
      expect(readFileSync(join(folder, 'wide.csv'), 'utf8').startsWith('\uFEFF')).toBe(bom)
      // LC_ALL=C: a locale that cannot hold Persian text, as on a server or in a minimal container.
      const output = execFileSync(rscript, ['-e', checks], { cwd: folder, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] })
      const results = Object.fromEntries(output.split('\n').filter((l) => /^\w+ (TRUE|FALSE)\s*$/.test(l)).map((l) => l.trim().split(' ')))
      expect({ bom, ...results }).toEqual({
        bom,
        first_name: 'TRUE',
        persian: 'TRUE',
        empty_text_is_na: 'TRUE',
        empty_choice_is_na: 'TRUE',
        empty_multiple_is_na: 'TRUE',
        numbers: 'TRUE',
        negative_codes: 'TRUE',
        logical: 'TRUE',
        guarded_factor: 'TRUE',
      })
    }
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
