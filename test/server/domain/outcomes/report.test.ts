/**
 * The cohort report on imported data, through the domain, the HTTP API (researcher and program lead)
 * and the CLI, against R 4.2.2 on the same pairs. The R session:
 *
 *   pre  <- c(14, 18, 9, 22, 12, 16, 11, 20); post  <- c(9, 15, 9, 13, 10, 17, 6, 12)   # PHQ-9 totals
 *   wpre <- c(10, 8, 15, 6, 12, 9, 14, 7);    wpost <- c(14, 9, 15, 13, 16, 8, 18, 12)  # WHO-5 raw
 *   options(digits = 15)
 *   t.test(post, pre, paired = TRUE); wilcox.test(post, pre, paired = TRUE)
 *   d <- post - pre; n <- length(d); tobs <- mean(d) / sd(d) * sqrt(n)
 *   uniroot(function(l) pt(tobs, n - 1, l) - 0.975, c(-50, 50), tol = 1e-12)$root / sqrt(n)   # d_z lower
 *   uniroot(function(l) pt(tobs, n - 1, l) - 0.025, c(-50, 50), tol = 1e-12)$root / sqrt(n)   # d_z upper
 *   mean(d) / ((sd(pre) + sd(post)) / 2) * (1 - 3 / (4 * 2 * n - 9))                          # g_av
 *   p.adjust(c(p_phq, p_who, p_who_pct), "holm")
 *   quantile(pre, c(.25, .5, .75))
 */
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../../server/cli/program'
import { migrateToLatest } from '../../../../server/db/migrate'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { cohortReport } from '../../../../server/domain/outcomes/report'
import { participantReport } from '../../../../server/domain/outcomes/own-report'
import { reportCsv, reportMarkdown } from '../../../../server/domain/outcomes/report-format'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testApp } from '../../../helpers/app'
import { signedInStaff } from '../../../helpers/staff'

const phqPre = [14, 18, 9, 22, 12, 16, 11, 20]
const phqPost = [9, 15, 9, 13, 10, 17, 6, 12]
const whoPre = [10, 8, 15, 6, 12, 9, 14, 7]
const whoPost = [14, 9, 15, 13, 16, 8, 18, 12]

/** Item answers that sum to `total`: as many maximal items as fit, then the remainder. */
function items(prefix: string, count: number, max: number, total: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(max, total - i * max)))
}

function csv(): string {
  const rows = ['participant,wave,instrument,item,value']
  phqPre.forEach((_, p) => {
    for (const [wave, phq, who] of [
      ['pre', phqPre[p]!, whoPre[p]!],
      ['post', phqPost[p]!, whoPost[p]!],
    ] as const) {
      items('phq9', 9, 3, phq).forEach((v, i) => rows.push(`P${p + 1},${wave},phq-9,phq9_${i + 1},${v}`))
      items('who5', 5, 5, who).forEach((v, i) => rows.push(`P${p + 1},${wave},who-5,who5_${i + 1},${v}`))
    }
  })
  return `${rows.join('\n')}\n`
}

async function importedCohort() {
  const { app, deps } = await testApp()
  const study = await createStudy(deps, { name: 'Re-analysis of a paper cohort' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group 2020' }, 'test')
  await importCohortCsv(deps, { cohortId: cohort.id, csv: csv() }, 'test')
  return { app, deps, study, cohort }
}

const close = (value: number | null | undefined, expected: number, digits = 9) => expect(value).toBeCloseTo(expected, digits)

describe('cohort report on imported data', () => {
  it('equals R for every scale', async () => {
    const { deps, cohort } = await importedCohort()
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    expect(report.funnel).toEqual({ enrolled: 8, consented: 8, completed: { pre: 8, post: 8 }, paired: 8, withdrawn: 0 })
    expect(report.scales.map((s) => `${s.instrument}/${s.scale}`)).toEqual(['phq-9/total', 'who-5/raw', 'who-5/percentage'])

    const [phq, who, whoPct] = report.scales
    expect(phq!.n).toBe(8)
    // t = -3.0759262152358668, p = 0.0179176372568833, CI -6.8539137754786523 -0.8960862245213470
    close(phq!.pairedT!.t, -3.0759262152358668)
    expect(phq!.pairedT!.df).toBe(7)
    close(phq!.pairedT!.p, 0.0179176372568833, 12)
    close(phq!.change.ci95![0], -6.8539137754786523)
    close(phq!.change.ci95![1], -0.896086224521347)
    close(phq!.change.mean, -3.875)
    // V = 1, p-value = 0.0342879679735918 (with ties and a zero: normal approximation)
    expect(phq!.wilcoxon).toEqual({ V: 1, p: expect.any(Number), method: 'normal', zeros: 1, nonZero: 7 })
    close(phq!.wilcoxon!.p, 0.0342879679735918, 12)
    // d_z = -1.0875041426113770 [-1.9549451099431738, -0.1751810584328696]; g_av = -0.8998987493378371
    close(phq!.effectSize!.dz, -1.087504142611377)
    close(phq!.effectSize!.dzCi95![0], -1.9549451099431738, 10)
    close(phq!.effectSize!.dzCi95![1], -0.1751810584328696, 10)
    close(phq!.effectSize!.gav, -0.8998987493378371)
    // quantile(pre, c(.25, .5, .75)): 11.75 15.00 18.50; median(post) = 11
    expect([phq!.pre.q1, phq!.pre.median, phq!.pre.q3, phq!.post.median]).toEqual([11.75, 15, 18.5, 11])

    // t = 3.1132471299766249, p = 0.0170037012891842; V = 26.5, p = 0.0406849087807448
    close(who!.pairedT!.t, 3.1132471299766249)
    close(who!.wilcoxon!.p, 0.0406849087807448, 12)
    expect(who!.wilcoxon!.V).toBe(26.5)
    close(who!.effectSize!.gav, 0.850535622912452)
    // WHO-5 percentage = raw × 4: the same t, a CI four times as wide: 2.8855642246022195 21.1144357753977800
    close(whoPct!.pairedT!.t, 3.1132471299766249)
    close(whoPct!.change.ci95![0], 2.8855642246022195)
    // WHO-5 percentage is raw × 4, the same test: it is not counted again (m = 2, not 3).
    // R: p.adjust(c(0.0179176372568833, 0.0170037012891842), "holm")   # 0.034007402578368401 (both)
    //    p.adjust(c(0.0179176372568833, 0.0170037012891842), "BH")     # 0.0179176372568833 (both)
    for (const s of report.scales) close(s.pHolm, 0.034007402578368401, 12)
    for (const s of report.scales) close(s.pBH, 0.0179176372568833, 12)
    expect(report.scales.map((s) => s.multiplicity.family)).toEqual(['secondary', 'secondary', 'same score'])
    expect(whoPct!.multiplicity).toMatchObject({ sameScoreAs: 'who-5/raw', m: 2 })
    // Wilcoxon p-values are adjusted the same way.
    // R: p.adjust(c(0.0342879679735918, 0.0406849087807448), "holm")   # 0.0685759359471836 (both)
    //    p.adjust(c(0.0342879679735918, 0.0406849087807448), "BH")     # 0.040684908780744801 (both)
    for (const s of report.scales) close(s.wilcoxonHolm, 0.0685759359471836, 12)
    for (const s of report.scales) close(s.wilcoxonBH, 0.040684908780744801, 12)
  })

  it('leaves the primary outcome unadjusted and adjusts the secondary family only', async () => {
    const { app, deps, study, cohort } = await importedCohort()
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const patch = (body: unknown) => app.request(`/api/studies/${study.id}`, { method: 'PATCH', headers: { ...researcher.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    // The percentage is not the score itself; an unknown scale is no outcome. Neither writes anything.
    const wrong = await patch({ primaryOutcomes: ['who-5/percentage'] })
    expect(wrong.status).toBe(422)
    expect((await wrong.json()).error).toMatchObject({ code: 'validation_failed', details: [{ field: 'primaryOutcomes' }] })
    expect((await patch({ primaryOutcomes: ['phq-9/nope'] })).status).toBe(422)
    expect((await patch({ primaryOutcomes: ['PHQ 9'] })).status).toBe(422)
    const ok = await patch({ primaryOutcomes: ['phq-9/total'] })
    expect(ok.status).toBe(200)
    expect((await ok.json()).primaryOutcomes).toEqual(['phq-9/total'])

    const [phq, who, whoPct] = (await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })).scales
    expect(phq!.multiplicity.family).toBe('primary')
    expect(phq!.pHolm).toBeNull()
    expect(phq!.unavailable.pHolm).toMatch(/primary outcome/)
    // The secondary family is WHO-5 alone: m = 1, p.adjust(0.0170037012891842, "holm") = 0.0170037012891842
    expect(who!.multiplicity).toMatchObject({ family: 'secondary', m: 1 })
    close(who!.pHolm, 0.0170037012891842, 12)
    close(whoPct!.pHolm, 0.0170037012891842, 12)
    close(who!.wilcoxonHolm, 0.0406849087807448, 12)
  })

  it('classifies reliable and clinically significant change from the instruments\' norms', async () => {
    const { deps, cohort } = await importedCohort()
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    const [phq, who] = report.scales
    // PHQ-9: S_diff = √2 · 6.25 · √(1 − 0.79) = 4.0505; c = (3.52·12.83 + 6.25·2.91)/(3.52 + 6.25) = 6.4840.
    // P4 22 → 13 (RCI −2.22) and P8 20 → 12 (RCI −1.975) improve reliably but stay above c.
    expect(phq!.rci!.sDiff).toBeCloseTo(Math.SQRT2 * 6.25 * Math.sqrt(0.21), 12)
    expect(phq!.cutoff!.criterion).toBe('c')
    expect(phq!.cutoff!.value).toBeCloseTo((3.52 * 12.83 + 6.25 * 2.91) / (3.52 + 6.25), 12)
    expect(phq!.reliableChange).toEqual({ recovered: 0, improved: 2, unchanged: 6, deteriorated: 0 })
    const p4 = report.participants.find((p) => p.code === 'P4')!.scales.find((s) => s.instrument === 'phq-9')!
    expect(p4).toMatchObject({ pre: 22, post: 13, change: -9, classification: 'improved', bandPre: 'Severe', bandPost: 'Moderate' })
    expect(p4.rci).toBeCloseTo(-9 / (Math.SQRT2 * 6.25 * Math.sqrt(0.21)), 12)
    // WHO-5 (higher is better): S_diff = √2 · 5.49 · √0.19 = 3.3843; c = (6.5·8.95 + 5.49·13.4)/11.99 = 10.988.
    // P4 6 → 13 (RCI +2.07) crosses c upwards: recovered.
    expect(who!.reliableChange).toEqual({ recovered: 1, improved: 0, unchanged: 7, deteriorated: 0 })
    expect(report.participants.find((p) => p.code === 'P4')!.scales.find((s) => s.scale === 'raw')!.classification).toBe('recovered')
  })

  it('serves the full report to researchers and no live report to program leads', async () => {
    const { app, deps, study, cohort } = await importedCohort()
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const lead = await signedInStaff(deps, [{ studyId: study.id, role: 'program_lead' }])

    const full = await app.request(`/api/cohorts/${cohort.id}/report?from=pre&to=post`, { headers: researcher.headers })
    expect(full.status).toBe(200)
    const body = await full.json()
    expect(body.view).toBe('researcher')
    expect(body.participants).toHaveLength(8)
    expect(body.scales[0].pairedT.t).toBeCloseTo(-3.0759262152358668, 9)

    // Program leads read released snapshots only (test/server/domain/outcomes/disclosure-attacks.test.ts).
    const live = await app.request(`/api/cohorts/${cohort.id}/report`, { headers: lead.headers })
    expect(live.status).toBe(403)
    expect((await live.json()).error.code).toBe('forbidden')
  })

  it('says why a statistic is missing instead of showing NaN', async () => {
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'Small' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Two people' }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    // One complete pair and one person with only a pre score.
    for (const [p, wave, total] of [['P1', 'pre', 10], ['P1', 'post', 5], ['P2', 'pre', 12]] as const) {
      items('phq9', 9, 3, total).forEach((v, i) => rows.push(`${p},${wave},phq-9,phq9_${i + 1},${v}`))
    }
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    const phq = report.scales[0]!
    expect(phq.n).toBe(1)
    expect(phq.pairedT).toBeNull()
    expect(phq.unavailable.pairedT).toMatch(/2/)
    expect(phq.pHolm).toBeNull()
    expect(phq.unavailable.pHolm).toBeTruthy()
    expect(JSON.stringify(report)).not.toMatch(/NaN/)
    expect(reportMarkdown(report)).toContain('## Not computed')
  })

  it('gives one participant across waves', async () => {
    const { deps, cohort } = await importedCohort()
    const participants = await deps.db.selectFrom('participant').select(['id', 'code']).where('cohort_id', '=', cohort.id).execute()
    const p4 = participants.find((p) => p.code === 'P4')!
    const report = await participantReport(deps, p4.id)
    expect(report.waves.map((w) => w.kind)).toEqual(['pre', 'post'])
    expect(report.waves[0]!.scores.find((s) => s.instrument === 'phq-9')).toMatchObject({ score: 22, band: 'Severe' })
    expect(report.changes).toHaveLength(1)
    expect(report.changes[0]!.scales.find((s) => s.instrument === 'phq-9')).toMatchObject({ change: -9, classification: 'improved' })
    // 22 = 3·7 + 1: item 9 answered 0, so no safety flag; P1 (14 = 3·4 + 2) has no item 9 either.
    expect(report.flags).toEqual([])
  })

  it('prints the report from the CLI as JSON, CSV and Markdown', async () => {
    const { deps, cohort } = await importedCohort()
    const out: string[] = []
    const err: string[] = []
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), deps: async () => deps, migrate: async () => (await migrateToLatest(deps.db), []), baseUrl: 'http://localhost:3000' }

    expect(await runCli(['report', '--cohort', cohort.id, '--format', 'json'], io)).toBe(0)
    const json = JSON.parse(out.pop()!)
    expect(json.scales[0].pairedT.t).toBeCloseTo(-3.0759262152358668, 9)

    expect(await runCli(['report', '--cohort', cohort.id, '--format', 'csv'], io)).toBe(0)
    const lines = out.pop()!.split('\n')
    expect(lines[0]).toMatch(/^instrument,scale,direction,n,pre_mean/)
    expect(lines[1]).toMatch(/^phq-9,total,higher-is-worse,8,/)
    expect(lines[1]).toContain(',-3.075926,7,')

    expect(await runCli(['report', '--cohort', cohort.id], io)).toBe(0)
    expect(out.pop()).toContain('| P4 | 0 | phq-9 total | 22 | 13 | -9 |')

    expect(await runCli(['report', '--cohort', 'nope'], io)).toBe(1)
    expect(err.pop()).toMatch(/No such cohort/)
    expect(reportCsv).toBeTypeOf('function')
  })

  it('computes d_av and g_av when every difference is equal, and says why d_z is missing', async () => {
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'Equal change' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Four' }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    const pre = [10, 12, 15, 9]
    const post = [8, 10, 13, 7]
    pre.forEach((total, p) => {
      items('phq9', 9, 3, total).forEach((v, i) => rows.push(`P${p + 1},pre,phq-9,phq9_${i + 1},${v}`))
      items('phq9', 9, 3, post[p]!).forEach((v, i) => rows.push(`P${p + 1},post,phq-9,phq9_${i + 1},${v}`))
    })
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const phq = (await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })).scales[0]!
    // R: pre <- c(10, 12, 15, 9); post <- c(8, 10, 13, 7); n <- 4
    //    dav <- mean(post - pre) / ((sd(pre) + sd(post)) / 2)   # -0.75592894601845451
    //    dav * (1 - 3 / (4 * 2 * n - 9))                        # -0.65732951827691
    close(phq.effectSize!.dav, -0.75592894601845451, 12)
    close(phq.effectSize!.gav, -0.75592894601845451 * (1 - 3 / 23), 12)
    expect(phq.effectSize!.dz).toBeNull()
    expect(phq.unavailable['effectSize.dz']).toMatch(/constant/)
    expect(phq.warnings.n).toMatch(/only 4 complete pairs/)
    expect(reportCsv({ scales: [phq] }).split('\n')[1]).toContain(',,,-0.7559289,-0.6573295,')
  })

  it('takes the SD of equal prorated scores as 0, as R does, so no change is called reliable', async () => {
    // Found by a methods review: 11 pre totals of 35/6 (GAD-7, 6 of 7 items answered, prorated)
    // had a sample SD of 9.3e-16 (simple-statistics' rounding residue; R: sd(rep(35/6, 11)) is 0),
    // so the reliable-change threshold was 1e-15 points and a change of 1.17 counted as deterioration.
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'Anxiety' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'GAD-7' }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    for (let p = 1; p <= 11; p++) {
      ;[1, 1, 1, 1, 1, 0].forEach((v, i) => rows.push(`P${p},pre,gad-7,gad7_${i + 1},${v}`))
      ;[1, 1, 1, 1, 1, 1, p % 3].forEach((v, i) => rows.push(`P${p},post,gad-7,gad7_${i + 1},${v}`))
    }
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    const gad = report.scales.find((s) => s.instrument === 'gad-7' && s.scale === 'total')!
    expect(gad.n).toBe(11)
    expect(gad.pre.mean).toBeCloseTo(35 / 6, 12)
    expect(gad.pre.sd).toBe(0)
    expect(gad.rci).toBeNull()
    expect(gad.unavailable.rci).toMatch(/^no SD/)
    expect(gad.reliableChange).toEqual({ recovered: null, improved: null, unchanged: null, deteriorated: null })
  })

  it('says "not assessable", never 0, where reliable change or recovery cannot be judged', async () => {
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'Burnout' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'CBI' }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    const personal = (p: number, wave: string, values: number[]) => values.forEach((v, i) => rows.push(`P${p},${wave},cbi,cbi_p${i + 1},${v}`))
    // Six people, personal burnout only; the CBI gives no norms (no cut-off) and no reliability (α from the sample).
    const preAnswers = [[100, 75, 100, 75, 100, 75], [50, 50, 25, 50, 50, 25], [75, 75, 75, 50, 75, 75], [25, 25, 0, 25, 25, 0], [100, 100, 75, 100, 100, 100], [50, 75, 50, 50, 75, 50]]
    const change = [-50, 0, -25, 25, -75, 0]
    preAnswers.forEach((answers, p) => {
      personal(p + 1, 'pre', answers)
      personal(p + 1, 'post', answers.map((v) => Math.max(0, Math.min(100, v + change[p]!))))
    })
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    const personalScale = report.scales.find((s) => s.scale === 'personal')!
    expect(personalScale.rci).not.toBeNull()
    expect(personalScale.cutoff).toBeNull()
    expect(personalScale.reliableChange.recovered).toBeNull()
    expect(personalScale.unavailable['reliableChange.recovered']).toMatch(/^not assessable: the instrument gives no clinical or normative/)
    const assessed = personalScale.reliableChange.improved! + personalScale.reliableChange.unchanged! + personalScale.reliableChange.deteriorated!
    expect(assessed).toBe(6)
    expect(personalScale.warnings.rci).toMatch(/this sample's SD and Cronbach's α from 6 paired participants; with fewer than 30/)
    // Work-related burnout was not answered at all: nothing to classify, so every count is not assessable.
    const work = report.scales.find((s) => s.scale === 'work')!
    expect(work.reliableChange).toEqual({ recovered: null, improved: null, unchanged: null, deteriorated: null })
    expect(work.unavailable.reliableChange).toMatch(/^not assessable: no SD/)

    const csvLines = reportCsv(report).split('\n')
    const header = csvLines[0]!.split(',')
    const workRow = csvLines.find((l) => l.startsWith('cbi,work,'))!.split(',')
    expect(['recovered', 'improved', 'unchanged', 'deteriorated'].map((c) => workRow[header.indexOf(c)])).toEqual(['NA', 'NA', 'NA', 'NA'])
    const md = reportMarkdown(report)
    expect(md).toContain('not assessable / not assessable / not assessable / not assessable')
    expect(md).toMatch(/Personal burnout[^\n]*\| not assessable \/ \d \/ \d \/ \d \|/)
    expect(md).not.toMatch(/\| 0 \/ 0 \/ 0 \/ 0 \|/)
  })

  it('states dropped zero differences, prorated scores, α at every wave and unconfirmed norms', async () => {
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'Presentation' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Five' }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    // PHQ-9 pre and post (P3 unchanged: one zero difference; P1's post misses item 9: prorated);
    // GAD-7 at pre only.
    const pre = [[2, 1, 1, 2, 0, 1, 2, 1, 1], [3, 2, 2, 3, 1, 2, 2, 2, 0], [1, 1, 0, 1, 0, 0, 1, 0, 0], [2, 2, 1, 1, 1, 2, 1, 1, 0], [3, 3, 2, 2, 2, 3, 2, 1, 0]]
    const post = [[1, 0, 1, 1, 0, 0, 1, 0, null], [2, 1, 1, 2, 1, 1, 1, 1, 0], [1, 1, 0, 1, 0, 0, 1, 0, 0], [1, 1, 1, 0, 1, 1, 0, 1, 0], [2, 2, 1, 1, 1, 2, 1, 1, 0]]
    pre.forEach((answers, p) => {
      answers.forEach((v, i) => rows.push(`P${p + 1},pre,phq-9,phq9_${i + 1},${v}`))
      post[p]!.forEach((v, i) => v !== null && rows.push(`P${p + 1},post,phq-9,phq9_${i + 1},${v}`))
      ;[p % 4, (p + 1) % 4, 1, 2, p % 3, 1, (p + 2) % 4].forEach((v, i) => rows.push(`P${p + 1},pre,gad-7,gad7_${i + 1},${v}`))
    })
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    const phq = report.scales.find((s) => s.instrument === 'phq-9')!
    expect(phq.wilcoxon).toMatchObject({ zeros: 1, nonZero: 4 })
    expect(phq.prorated).toEqual({ pre: 0, post: 1 })
    expect(report.participants.find((p) => p.code === 'P1')!.scales[0]).toMatchObject({ proratedPre: false, proratedPost: true })
    // PHQ-9's normative norms are marked unconfirmed in the instrument file and feed the cut-off.
    expect(phq.warnings.norms).toMatch(/unconfirmed norms[^]*normative mean 2.91/)
    // GAD-7 was given at pre only: its α is still reported.
    expect(report.singleWaveReliability).toEqual([expect.objectContaining({ instrument: 'gad-7', scale: 'total', wave: 'pre', alpha: expect.objectContaining({ n: 5, k: 7 }) })])
    const md = reportMarkdown(report)
    expect(md).toContain('1 zero difference dropped')
    expect(md).toContain("## Cronbach's α [95% CI, Feldt]")
    expect(md).toMatch(/Generalized Anxiety Disorder[^\n]*: pre -?\d/)
    expect(md).toContain('(prorated)')
    expect(md).toContain('## Read with care')
    const [header, row] = parse(reportCsv(report)) as string[][]
    expect(header).toEqual(expect.arrayContaining(['alpha_from', 'alpha_to', 'wilcoxon_zeros_dropped', 'prorated_post']))
    expect(row![header!.indexOf('wilcoxon_zeros_dropped')]).toBe('1')
    expect(row![header!.indexOf('prorated_post')]).toBe('1')
    expect(row![header!.indexOf('alpha_from')]).toMatch(/^-?\d/)
  })
})
