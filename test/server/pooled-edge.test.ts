/**
 * The pooled random-intercept model at the edge of what can be fitted: fewer pairs than cohorts +
 * predictors + 1, where nlme still fits, and designs where nlme returns a fit with 0 denominator
 * degrees of freedom or variances where its optimizer stopped, which the report gives as unavailable
 * and the exported R script must too. R 4.2.2, nlme 3.1-162:
 *
 *   library(nlme); options(digits = 17)
 *   ctl <- lmeControl(tolerance = 1e-14, msTol = 1e-14, niterEM = 0, msMaxIter = 1000, maxIter = 1000, opt = "nlminb")
 *   d113 <- data.frame(cohort = c("A", "B", "C", "C"), change = c(-8, 1, -3, -2), attended = c(6, 2, 5, 7))
 *   d1122 <- data.frame(cohort = c("A", "B", "C", "C", "D", "D"), change = c(-9, 2, -3, -6, 0, -1), attended = c(3, 5, 4, 7, 2, 6))
 *   fit <- lme(change ~ 1, random = ~ 1 | cohort, data = d113, method = "REML", control = ctl)
 *   summary(fit)$tTable; intervals(fit, which = "fixed")$fixed; as.numeric(VarCorr(fit)[, "Variance"]); coef(fit); logLik(fit)
 *   # and the same for d1122 with change ~ 1 and change ~ attended
 *
 * and the exact REML optimum by reml_exact() of test/server/stats/random-intercept-reml.test.ts
 * (uniroot on the REML score, tol 1e-15), with t = beta / se, p = 2 * pt(-abs(t), df) and
 * beta -/+ qt(0.975, df) * se on nlme's df. As there, nlme to 1e-5 and the exact optimum to 1e-10.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listGroupSessions } from '../../server/db/repositories/studies'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { pooledAnalysisScript } from '../../server/domain/outcomes/pooled-analysis-r'
import { pooledStudyReport } from '../../server/domain/outcomes/pooled-report'
import { createCohort, createStudy, recordAttendance } from '../../server/domain/staff/setup'
import { randomInterceptReml } from '../../server/stats/random-intercept-reml'
import { checkFit, near } from '../helpers/random-intercept'
import { testApp } from '../helpers/app'

const NLME = 1e-5
const EXACT = 1e-10


const d113 = { cohort: ['A', 'B', 'C', 'C'], change: [-8, 1, -3, -2], attended: [6, 2, 5, 7] }
const d1122 = { cohort: ['A', 'B', 'C', 'C', 'D', 'D'], change: [-9, 2, -3, -6, 0, -1], attended: [3, 5, 4, 7, 2, 6] }

describe('randomInterceptReml with fewer pairs than cohorts + predictors + 1, as nlme fits it', () => {
  it('cohorts of 1, 1 and 2 pairs: change ~ 1 (N = 4 < G + p + 1 = 5)', () => {
    const fit = randomInterceptReml(d113.change, d113.cohort)
    // nlme: tTable -3.1639128000145074 2.6089248568135828 DF 3 t -1.2127266876818985 p 0.31202028169244783;
    // intervals -11.46667607134372 5.1388504713147043; VarCorr 20.00013777104866008 0.50402756015459871;
    // coef -7.88112067998231680 0.89764387989527217 -2.50826159995647791; logLik -7.8266473919684856
    checkFit(
      fit,
      {
        fixed: [{ estimate: -3.1639128000145074, se: 2.6089248568135828, df: 3, t: -1.2127266876818985, p: 0.31202028169244783, lower: -11.46667607134372, upper: 5.1388504713147043 }],
        variances: [20.00013777104866008, 0.50402756015459871],
        logLik: -7.8266473919684856,
        intercepts: [-7.8811206799823168, 0.89764387989527217, -2.50826159995647791],
      },
      NLME,
    )
    // reml_exact(d113$change, cbind(rep(1, 4)), d113$cohort)
    checkFit(
      fit,
      {
        fixed: [{ estimate: -3.1639127999654164, se: 2.6089248490929329, df: 3, t: -1.2127266912519312, p: 0.31202028051073483, lower: -11.466676046724075, upper: 5.1388504467932421 }],
        variances: [20.000137645242514, 0.50402756612000099],
        logLik: -7.8266473919684838,
        intercepts: [-7.8811206778793048, 0.89764387808680635, -2.5082616001037525],
      },
      EXACT,
    )
  })

  it('cohorts of 1, 1, 2 and 2 pairs: change ~ 1, and change ~ attended with 1 residual df (N = 6 < G + p + 1 = 7)', () => {
    // nlme (d1122, change ~ 1): -2.9854410878696047 SE 2.3543905875336701 DF 4 t -1.2680313554077653 p 0.2735693007682623;
    // CI -9.522277310351221 3.5513951346120107; VarCorr 20.2529361886306845 2.5846652307040303; logLik -14.079718531478404
    // reml_exact(d1122$change, cbind(rep(1, 6)), d1122$cohort):
    checkFit(
      randomInterceptReml(d1122.change, d1122.cohort),
      {
        fixed: [{ estimate: -2.9854410570067298, se: 2.3543895859499178, df: 4, t: -1.268031881733882, p: 0.27356913115308895, lower: -9.5222744986460377, upper: 3.551392384632579 }],
        variances: [20.252914920507401, 2.5846685200402586],
        logLik: -14.079718531477198,
        intercepts: [-8.319295703840524, 1.4357672477866812, -4.409153224710944, -0.64908254726213244],
      },
      EXACT,
    )
    const withAttendance = randomInterceptReml(d1122.change, d1122.cohort, { attended: d1122.attended })
    // nlme (change ~ attended): (Intercept) -0.95086524805403982 SE 2.99196491473096637 DF 3 p 0.77146854111614915
    //   CI -10.4726329364780870 8.5709024403700074; attended -0.46582188461776486 SE 0.36467276708675439 DF 1
    //   t -1.27736953965347078 p 0.42284365306293192 CI -5.0994287249294148 4.1677849556938851;
    //   VarCorr 24.3327669502447641 1.6946656787107572; coef -7.1694391773924098 3.9853263082804320 -1.9047623541740442 1.2854142310698573
    //   logLik -13.462261098059313
    checkFit(
      withAttendance,
      {
        fixed: [
          { estimate: -0.95086524805403982, se: 2.99196491473096637, df: 3, t: -0.31780628287866819, p: 0.77146854111614915, lower: -10.472632936478087, upper: 8.5709024403700074 },
          { estimate: -0.46582188461776486, se: 0.36467276708675439, df: 1, t: -1.27736953965347078, p: 0.42284365306293192, lower: -5.0994287249294148, upper: 4.1677849556938851 },
        ],
        variances: [24.3327669502447641, 1.6946656787107572],
        logLik: -13.462261098059313,
        intercepts: [-7.1694391773924098, 3.985326308280432, -1.9047623541740442, 1.2854142310698573],
      },
      NLME,
    )
    // reml_exact(d1122$change, cbind(1, d1122$attended), d1122$cohort)
    checkFit(
      withAttendance,
      {
        fixed: [
          { estimate: -0.95086524833547958, se: 2.9919649147806506, df: 3, t: -0.31780628296745594, p: 0.77146854105506324, lower: -10.472632936917645, upper: 8.5709024402466838 },
          { estimate: -0.46582188455021267, se: 0.36467276725903447, df: 1, t: -1.2773695388647706, p: 0.42284365325372403, lower: -5.0994287270508885, upper: 4.1677849579504631 },
        ],
        variances: [24.332766940532427, 1.6946656803538767],
        logLik: -13.462261098059313,
        intercepts: [-7.1694391770460015, 3.9853263075064289, -1.9047623544986119, 1.2854142306962695],
      },
      EXACT,
    )
  })

  it('refuses, saying why, where nlme has 0 denominator df or no estimate to give', () => {
    // summary(lme(change ~ attended, random = ~ 1 | cohort, data = d113, method = "REML"))$tTable
    //   attended: DF 0, p-value NaN (warning "NaNs produced"); intervals(): NaN limits
    expect(() => randomInterceptReml(d113.change, d113.cohort, { attended: d113.attended })).toThrow(
      /attended varies within groups, but 4 observations in 3 groups leave no within-group degrees of freedom for it \(N − G − 1 = 0\): nlme gives 0 denominator degrees of freedom/,
    )
    // Three cohorts of one pair: lme(change ~ 1, ...) on data.frame(cohort = c("A", "B", "C"), change = c(-3, -1, -5))
    // returns VarCorr 3.50684931506849340 0.49315068493150671: any split of var(change) = 4 has the same
    // restricted likelihood, so nlme's is where its optimizer stopped, not an estimate.
    expect(() => randomInterceptReml([-3, -1, -5], ['A', 'B', 'C'])).toThrow(/Every one of the 3 groups has a single observation/)
    // attended 8, 1, 4, 7, 2, 3: within C and D change falls by exactly 1 a session, so σ² → 0 raises the
    // restricted likelihood without bound (ll(λ) at λ = 0, 1, 1e2, 1e4, 1e6:
    // -6.564395439 -7.031642741 -7.040769687 -4.826194426 -2.524521631); nlme stops at the local maximum τ² = 0.
    expect(() => randomInterceptReml(d1122.change, d1122.cohort, { attended: [8, 1, 4, 7, 2, 3] })).toThrow(/accounts exactly for all the variation within groups/)
  })
})

/** Item answers that sum to `total`: as many maximal items as fit, then the remainder. */
const items = (total: number) => Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))

/** d113 as three imported cohorts of PHQ-9 pairs with attendance. */
async function cohortsOf113() {
  const { deps } = await testApp()
  const study = await createStudy(deps, { name: 'Small groups' }, 'test')
  const groups = [
    { name: 'Group A', change: [-8], attended: [6] },
    { name: 'Group B', change: [1], attended: [2] },
    { name: 'Group C', change: [-3, -2], attended: [5, 7] },
  ]
  for (const g of groups) {
    const cohort = await createCohort(deps, { studyId: study.id, name: g.name, sessions: 8 }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    g.change.forEach((change, p) => {
      items(16).forEach((v, i) => rows.push(`P${p + 1},pre,phq-9,phq9_${i + 1},${v}`))
      items(16 + change).forEach((v, i) => rows.push(`P${p + 1},post,phq-9,phq9_${i + 1},${v}`))
    })
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const participants = await deps.db.selectFrom('participant').select(['id', 'code']).where('cohort_id', '=', cohort.id).execute()
    for (const [s, session] of (await listGroupSessions(deps.db, cohort.id)).entries()) {
      const marks = g.attended.map((attended, p) => ({ participantId: participants.find((x) => x.code === `P${p + 1}`)!.id, present: s < attended }))
      await recordAttendance(deps, session.id, marks, 'test')
    }
  }
  return { deps, study }
}

describe('pooled report of cohorts of 1, 1 and 2 pairs', () => {
  it('gives the pooled change as nlme fits it, and the attendance model as unavailable where nlme has 0 df', async () => {
    const { deps, study } = await cohortsOf113()
    const report = await pooledStudyReport(deps, study.id, { from: 'pre', to: 'post' })
    const phq = report.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!
    expect(phq).toMatchObject({ n: 4, cohorts: 3 })
    expect(phq.unavailable.pooled).toBeUndefined()
    // reml_exact (d113): -3.1639127999654164 SE 2.6089248490929329 DF 3, CI -11.466676046724075 5.1388504467932421;
    // tau2 20.000137645242514, sigma2 0.50402756612000099
    near(phq.pooled!.estimate, -3.1639127999654164, EXACT)
    near(phq.pooled!.standardError, 2.6089248490929329, EXACT)
    expect(phq.pooled!.df).toBe(3)
    near(phq.pooled!.ci95[0], -11.466676046724075, EXACT)
    near(phq.pooled!.ci95[1], 5.1388504467932421, EXACT)
    near(phq.betweenVariance, 20.000137645242514, EXACT)
    near(phq.withinVariance, 0.50402756612000099, EXACT)
    // coef(fit): -7.8811206778793048 0.89764387808680635 -2.5082616001037525 (exact)
    near(phq.cohortEstimates[2]!.predicted, -2.5082616001037525, EXACT)
    expect(phq.attendance).toBeNull()
    expect(phq.unavailable.attendance).toMatch(/no within-group degrees of freedom .* nlme gives 0 denominator degrees of freedom/)
  })

  it('exports an R script that says what the report says: the attendance model unavailable, and why', async () => {
    const { deps, study } = await cohortsOf113()
    const report = await pooledStudyReport(deps, study.id, { from: 'pre', to: 'post' })
    const phq = report.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!
    const script = pooledAnalysisScript(report)
    if (!existsSync('/usr/bin/Rscript')) return // .ci/run installs R and nlme; without them only the report is checked
    const folder = mkdtempSync(join(tmpdir(), 'balint-pooled-edge-'))
    try {
      writeFileSync(join(folder, 'pooled-analysis.R'), script)
      const out = execFileSync('/usr/bin/Rscript', ['pooled-analysis.R'], { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      expect(out).toContain(`change ~ attended: not available, as in the report: ${phq.unavailable.attendance}`)
      // nlme's tTable of change ~ attended (attended on DF 0, p NaN) is not printed.
      expect(out).not.toMatch(/^attended\s/m)
      expect(out).not.toContain('NaN')
      // change ~ 1 is printed, and equals the report (nlme to 1e-5).
      const line = out.split('\n').find((l) => l.startsWith('between-cohort variance'))!
      const [between, within, icc] = [...line.matchAll(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)].map((m) => Number(m[0]))
      near(between, phq.betweenVariance!, NLME)
      near(within, phq.withinVariance!, NLME)
      near(icc, phq.icc!, NLME)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
