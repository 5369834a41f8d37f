/**
 * The pooled study report on three imported cohorts of 4, 7 and 5 PHQ-9 pairs, against R. The
 * changes and sessions attended are those of test/server/stats/random-intercept-reml.test.ts (d3):
 *
 *   library(nlme); options(digits = 17)
 *   d <- data.frame(cohort = rep(c("A", "B", "C"), c(4, 7, 5)),
 *                   change = c(-6, -3, -8, -5, -1, 2, -2, 0, -4, 1, -3, -7, -10, -5, -9, -4),
 *                   attended = c(7, 5, 8, 6, 3, 6, 4, 2, 7, 1, 5, 8, 8, 6, 7, 5))
 *   fit <- lme(change ~ 1, random = ~ 1 | cohort, data = d)        # REML
 *   intervals(fit, which = "fixed")$fixed; VarCorr(fit); coef(fit)
 *   lme(change ~ attended, random = ~ 1 | cohort, data = d)
 *
 * Exact REML values (reml_exact in the stats test) to 1e-10; nlme's own values to 1e-5, as its
 * optimizer stops there. The exported script is run with Rscript and its figures compared.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listGroupSessions } from '../../../../server/db/repositories/studies'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { pooledStudyReport } from '../../../../server/domain/outcomes/pooled-report'
import { createCohort, createStudy, recordAttendance } from '../../../../server/domain/staff/setup'
import { testApp } from '../../../helpers/app'
import { signedInStaff } from '../../../helpers/staff'

const cohorts = [
  { name: 'Group A', change: [-6, -3, -8, -5], attended: [7, 5, 8, 6] },
  { name: 'Group B', change: [-1, 2, -2, 0, -4, 1, -3], attended: [3, 6, 4, 2, 7, 1, 5] },
  { name: 'Group C', change: [-7, -10, -5, -9, -4], attended: [8, 8, 6, 7, 5] },
]

/** Item answers that sum to `total`: as many maximal items as fit, then the remainder. */
const items = (total: number) => Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))

async function threeCohorts() {
  const { app, deps } = await testApp()
  const study = await createStudy(deps, { name: 'Three Balint groups' }, 'test')
  for (const c of cohorts) {
    const cohort = await createCohort(deps, { studyId: study.id, name: c.name, sessions: 8 }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    c.change.forEach((change, p) => {
      items(16).forEach((v, i) => rows.push(`P${p + 1},pre,phq-9,phq9_${i + 1},${v}`))
      items(16 + change).forEach((v, i) => rows.push(`P${p + 1},post,phq-9,phq9_${i + 1},${v}`))
    })
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const participants = await deps.db.selectFrom('participant').select(['id', 'code']).where('cohort_id', '=', cohort.id).execute()
    const sessions = await listGroupSessions(deps.db, cohort.id)
    for (const [s, session] of sessions.entries()) {
      const marks = c.attended.map((attended, p) => ({ participantId: participants.find((x) => x.code === `P${p + 1}`)!.id, present: s < attended }))
      await recordAttendance(deps, session.id, marks, 'test')
    }
  }
  // A fourth cohort without a post wave is listed and left out.
  const empty = await createCohort(deps, { studyId: study.id, name: 'Group D (starting)' }, 'test')
  return { app, deps, study, empty }
}

const near = (actual: number | null | undefined, expected: number, tolerance: number) =>
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)))

describe('pooled study report', () => {
  it('nests participants in their cohort and equals R', async () => {
    const { deps, study } = await threeCohorts()
    const report = await pooledStudyReport(deps, study.id, { from: 'pre', to: 'post' })
    expect(report.cohorts.map((c) => [c.name, c.included])).toEqual([['Group A', true], ['Group B', true], ['Group C', true], ['Group D (starting)', false]])
    const phq = report.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!
    expect(phq).toMatchObject({ n: 16, cohorts: 3 })
    // Exact REML (R, reml_exact): estimate -4.4567394112022543, SE 1.8310549269671679, df 13,
    // CI -8.4124930836838896 -0.50098573872061847; tau2 9.0472656367002102, sigma2 5.1415318519115338
    near(phq.pooled!.estimate, -4.4567394112022543, 1e-10)
    near(phq.pooled!.standardError, 1.8310549269671679, 1e-10)
    expect(phq.pooled!.df).toBe(13)
    near(phq.pooled!.ci95[0], -8.4124930836838896, 1e-10)
    near(phq.pooled!.ci95[1], -0.50098573872061847, 1e-10)
    near(phq.betweenVariance, 9.0472656367002102, 1e-10)
    near(phq.withinVariance, 5.1415318519115338, 1e-10)
    // nlme: intervals(fit)$fixed -8.4124930453114093 -4.4567394102439239 -0.50098577517643816;
    //       VarCorr 9.0472654436049549 5.1415318668614356
    near(phq.pooled!.estimate, -4.4567394102439239, 1e-5)
    near(phq.pooled!.ci95[0], -8.4124930453114093, 1e-5)
    near(phq.betweenVariance, 9.0472654436049549, 1e-5)
    // ICC = tau2 / (tau2 + sigma2); design effect 1 + (16/3 - 1) * ICC
    const icc = 9.0472656367002102 / (9.0472656367002102 + 5.1415318519115338)
    near(phq.icc, icc, 1e-10)
    near(phq.designEffect, 1 + (16 / 3 - 1) * icc, 1e-10)
    // Each cohort: its own mean with a t interval, and the model's prediction, R's coef(fit):
    // -5.3702182336067565 -1.25956353278649 -6.7404364672135131 (exact); nlme -5.3702182307317745 ...
    expect(phq.cohortEstimates.map((c) => [c.cohortName, c.n, c.mean])).toEqual([['Group A', 4, -5.5], ['Group B', 7, -1], ['Group C', 5, -7]])
    near(phq.cohortEstimates[0]!.predicted, -5.3702182336067565, 1e-10)
    near(phq.cohortEstimates[1]!.predicted, -1.25956353278649, 1e-10)
    near(phq.cohortEstimates[2]!.predicted, -6.7404364672135131, 1e-10)
    // R: t.test(c(-6, -3, -8, -5))$conf.int   # -8.812395134417855 -2.1876048655821445
    near(phq.cohortEstimates[0]!.ci95![0], -8.812395134417855, 1e-10)
    near(phq.cohortEstimates[0]!.ci95![1], -2.1876048655821445, 1e-10)
    // change ~ attended (exact): per session -0.94212073714588351, SE 0.27716903131987641, df 12,
    // CI -1.5460201785720682 -0.33822129571969894; nlme -0.94212113355574811
    near(phq.attendance!.perSession.estimate, -0.94212073714588351, 1e-10)
    near(phq.attendance!.perSession.standardError, 0.27716903131987641, 1e-10)
    expect(phq.attendance!.perSession.df).toBe(12)
    near(phq.attendance!.perSession.ci95[0], -1.5460201785720682, 1e-10)
    near(phq.attendance!.perSession.estimate, -0.94212113355574811, 1e-5)
    expect(phq.warnings.betweenVariance).toMatch(/only 3 cohorts/)
  })

  it('is served to researchers only, and its R script reproduces it', async () => {
    const { app, deps, study } = await threeCohorts()
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const lead = await signedInStaff(deps, [{ studyId: study.id, role: 'program_lead' }])
    const url = `/api/studies/${study.id}/pooled-report?from=pre&to=post`
    expect((await app.request(url, { headers: lead.headers })).status).toBe(403)
    const bad = await app.request(`/api/studies/${study.id}/pooled-report?from=pre&to=pre`, { headers: researcher.headers })
    expect(bad.status).toBe(422)
    expect((await bad.json()).error.code).toBe('validation_failed')
    const json = await (await app.request(url, { headers: researcher.headers })).json()
    near(json.scales[0].pooled.estimate, -4.4567394112022543, 1e-10)

    const script = await (await app.request(`${url}&format=r`, { headers: researcher.headers })).text()
    expect(script).toContain('lme(change ~ 1, random = ~ 1 | cohort')
    expect(script).not.toMatch(/Group D/)
    if (!existsSync('/usr/bin/Rscript')) return // .ci/run installs R and nlme; without them only the text is checked
    const folder = mkdtempSync(join(tmpdir(), 'balint-pooled-'))
    try {
      writeFileSync(join(folder, 'pooled-analysis.R'), script)
      const out = execFileSync('/usr/bin/Rscript', ['pooled-analysis.R'], { cwd: folder, encoding: 'utf8' })
      const line = out.split('\n').find((l) => l.startsWith('between-cohort variance'))!
      const [between, within, icc] = [...line.matchAll(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)].map((m) => Number(m[0]))
      near(between, json.scales[0].betweenVariance, 1e-5)
      near(within, json.scales[0].withinVariance, 1e-5)
      near(icc, json.scales[0].icc, 1e-5)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
