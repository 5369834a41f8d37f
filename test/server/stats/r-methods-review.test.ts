/**
 * Methods review (biostatistics): edge cases that test/server/stats/r-edge-review.test.ts does not
 * cover — the pooled random-intercept model with small, unbalanced, identical and confounded
 * cohorts; reliable/clinically significant change classes at the thresholds in both scale
 * directions with prorated scores; d_z's noncentral-t CI with 2–5 pairs; BH with ties; pnorm.
 * Every expected value was computed with R 4.2.2 (nlme 3.1-162, Debian), the call pasted beside it.
 *
 * The nlme fits use the tight control of random-intercept-reml.test.ts and are compared to 1e-5
 * (relative above 1) for the same reason given there (nlme's optimizer stops near, not at, the REML
 * optimum); degrees of freedom are compared exactly.
 *
 *   library(nlme); options(digits = 17)
 *   ctl <- lmeControl(tolerance = 1e-14, msTol = 1e-14, niterEM = 0, msMaxIter = 1000, maxIter = 1000, opt = "nlminb")
 *   fit <- lme(change ~ 1, random = ~ 1 | cohort, data = d, method = "REML", control = ctl)
 *   summary(fit)$tTable; intervals(fit, which = "fixed")$fixed; as.numeric(VarCorr(fit)[, "Variance"]); coef(fit)
 */
import { describe, expect, it } from 'vitest'
import { randomInterceptReml, type RandomInterceptFit } from '../../../server/stats/random-intercept-reml'
import { classifyChange, cohensDz, pAdjust, reliableChangeIndex, type ScaleDirection } from '../../../server/stats'
import { pnorm } from '../../../server/stats/pnorm'

const near = (actual: number, expected: number, tolerance: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)))
const NLME = 1e-5
const rep = (labels: string[], sizes: number[]) => labels.flatMap((label, i) => Array<string>(sizes[i]!).fill(label))

type Fixed = { estimate: number; se: number; df: number; t: number; p: number; lower?: number; upper?: number }
function check(fit: RandomInterceptFit, fixed: Fixed[], variances: [number, number], intercepts?: number[]) {
  fixed.forEach((e, k) => {
    const f = fit.fixed[k]!
    expect(f.df).toBe(e.df)
    near(f.estimate, e.estimate, NLME)
    near(f.standardError, e.se, NLME)
    near(f.t, e.t, NLME)
    near(f.p, e.p, NLME)
    if (e.lower !== undefined) near(f.ci95[0], e.lower, NLME)
    if (e.upper !== undefined) near(f.ci95[1], e.upper, NLME)
  })
  near(fit.betweenVariance, variances[0], NLME)
  near(fit.withinVariance, variances[1], NLME)
  intercepts?.forEach((value, j) => near(fit.groupCoefficients[j]!.intercept, value, NLME))
}

describe('pooled analysis: randomInterceptReml against nlme::lme with small and odd cohorts', () => {
  it('many cohorts of 1–2 pairs, change ~ 1: the intercept df is nlme\'s max(G, N − G) = 3, not N − G = 2', () => {
    // d <- data.frame(cohort = rep(c("A", "B", "C"), c(1, 2, 2)), change = c(-6, -1, 2, -4, -7))
    const fit = randomInterceptReml([-6, -1, 2, -4, -7], rep(['A', 'B', 'C'], [1, 2, 2]))
    check(
      fit,
      [{ estimate: -3.5479380435759755, se: 2.1301618358911196, df: 3, t: -1.6655720630220341, p: 0.19438841646193095, lower: -10.327063707864029, upper: 3.231187620712078 }],
      [10.7522194263932533, 4.4028397511612338],
    )
  })

  it('cohorts of 1, 1, 2, 2, 2 with attendance: intercept df max(G − 1 − 0, N − G − 1) = 4, attended df 2', () => {
    // d <- data.frame(cohort = rep(c("A", "B", "C", "D", "E"), c(1, 1, 2, 2, 2)), change = c(-6, 1, -1, 2, -4, -7, 0, -3),
    //                 attended = c(7, 2, 3, 5, 8, 6, 4, 1))
    // fit <- lme(change ~ attended, random = ~ 1 | cohort, data = d, method = "REML", control = ctl)
    const fit = randomInterceptReml([-6, 1, -1, 2, -4, -7, 0, -3], rep(['A', 'B', 'C', 'D', 'E'], [1, 1, 2, 2, 2]), { attended: [7, 2, 3, 5, 8, 6, 4, 1] })
    check(
      fit,
      [
        { estimate: -7.6344554062381738, se: 2.79697750490977937, df: 4, t: -2.729537650137245, p: 0.052467974495298733, lower: -15.40010990909326694, upper: 0.13119909661692031 },
        { estimate: 1.1855019903325901, se: 0.17736085179081904, df: 2, t: 6.6841243620705075, p: 0.021658126837073237, lower: 0.42237983722413286, upper: 1.94862414344104717 },
      ],
      [35.73951920379025182, 0.27287513365857607],
    )
  })

  it('a restricted likelihood with two local maxima: the global one (nlme\'s, τ² = 35.7), not the boundary τ² = 0', () => {
    // Same data as above. logLik(fit)   # -17.302700585223796; coef(fit)[, 1]
    // The profile has a second, lower local maximum on the boundary (X, Z as in the singular-fit test below):
    //   sapply(c(0, 1, 10, 35.7, 60), function(t2) -optimize(function(s) -ll(t2, s), c(.001, 100))$objective)
    //   # -18.09477 -18.13351 -18.49525 -17.3027 -17.52173
    const fit = randomInterceptReml([-6, 1, -1, 2, -4, -7, 0, -3], rep(['A', 'B', 'C', 'D', 'E'], [1, 1, 2, 2, 2]), { attended: [7, 2, 3, 5, 8, 6, 4, 1] })
    expect(fit.boundary).toBe(false)
    near(fit.logLik, -17.302700585223796, 1e-10)
    near(fit.betweenVariance, 35.73951920379025182, NLME)
    near(fit.fixed[1]!.estimate, 1.1855019903325901, NLME)
    ;[-14.2480186543975442, -1.4184637560109126, -4.2549095621974482, -13.7750717938377143, -4.4758132647472308].forEach((v, j) => near(fit.groupCoefficients[j]!.intercept, v, NLME))
  })

  it('a cohort of a single pair among cohorts of 6 and 5', () => {
    // d <- data.frame(cohort = rep(c("A", "B", "C"), c(1, 6, 5)), change = c(-9, -1, 2, -2, 0, -4, 1, -3, -7, -10, -5, -6),
    //                 attended = c(8, 3, 6, 4, 2, 7, 1, 5, 8, 8, 6, 7))
    const change = [-9, -1, 2, -2, 0, -4, 1, -3, -7, -10, -5, -6]
    const cohort = rep(['A', 'B', 'C'], [1, 6, 5])
    check(
      randomInterceptReml(change, cohort),
      [{ estimate: -4.9875211662059566, se: 2.4260661867210231, df: 9, t: -2.0558058941280972, p: 0.069953448645397098, lower: -10.475664167919447, upper: 0.50062183550753314 }],
      [15.3559520933251434, 5.5734412956042192],
      [-7.93148765401701894, -0.91313312297873761, -6.11794272162211339],
    )
    // lme(change ~ attended, ...)
    check(
      randomInterceptReml(change, cohort, { attended: [8, 3, 6, 4, 2, 7, 1, 5, 8, 8, 6, 7] }),
      [
        { estimate: 0.7146032094291862, se: 2.36002434802118444, df: 8, t: 0.30279484617536312, p: 0.76977003712550107 },
        { estimate: -0.90615279607471866, se: 0.32927702627126987, df: 8, t: -2.75194660962529003, p: 0.02498366546601042 },
      ],
      [3.8314542136051095, 4.4350166088455145],
    )
  })

  it('two cohorts of 2 pairs and one of 7', () => {
    // d <- data.frame(cohort = rep(c("A", "B", "C"), c(2, 2, 7)), change = c(-9, -6, 1, 2, -2, 0, -4, 1, -3, -5, -1))
    check(
      randomInterceptReml([-9, -6, 1, 2, -2, 0, -4, 1, -3, -5, -1], rep(['A', 'B', 'C'], [2, 2, 7])),
      [{ estimate: -2.6494283353999735, se: 2.554687271428596, df: 8, t: -1.0370851904383576, p: 0.33002387040762171, lower: -8.5405477474677625, upper: 3.241691076667816 }],
      [18.023542277856439, 4.150896955394014],
      [-6.9991235281566162, 1.07152451947672, -2.0206859975200282],
    )
  })

  it('identical cohorts: τ² on the boundary 0 (nlme: 2.2e-9), the same pooled mean, SE and CI', () => {
    // d <- data.frame(cohort = rep(c("A", "B"), c(4, 4)), change = c(-3, -1, -4, 0, -3, -1, -4, 0))
    const fit = randomInterceptReml([-3, -1, -4, 0, -3, -1, -4, 0], rep(['A', 'B'], [4, 4]))
    expect(fit.boundary).toBe(true)
    expect(fit.betweenVariance).toBe(0)
    check(
      fit,
      [{ estimate: -2, se: 0.59761430558969197, df: 6, t: -3.3466401009703288, p: 0.01548370645178803, lower: -3.4623095267611879, upper: -0.53769047323881147 }],
      [2.2051852914168506e-9, 2.8571428571428572],
      [-2, -2],
    )
  })

  it('balanced cohorts (4, 4, 4)', () => {
    // d <- data.frame(cohort = rep(c("A", "B", "C"), c(4, 4, 4)), change = c(-3, -1, -4, 0, 2, -1, 1, 0, -2, -5, -1, -6))
    check(
      randomInterceptReml([-3, -1, -4, 0, 2, -1, 1, 0, -2, -5, -1, -6], rep(['A', 'B', 'C'], [4, 4, 4])),
      [{ estimate: -1.6666666666666667, se: 1.1666654775282801, df: 9, t: -1.4285728846607331, p: 0.18689881711254783, lower: -4.3058473332466534, upper: 0.9725139999133201 }],
      [3.1944357178079823, 3.5555571662435468],
      [-1.927437460931846758, 0.028343496057004147, -3.100906035125156723],
    )
  })

  it('attendance constant within each of 3 cohorts: attended is a cohort-level term with df G − 2 = 1', () => {
    // d <- data.frame(cohort = rep(c("A", "B", "C"), c(4, 5, 3)), change = c(-3, -1, -4, 0, 2, -1, 1, 0, 3, -2, -5, -1),
    //                 attended = rep(c(6, 3, 5), c(4, 5, 3)))
    // fit <- lme(change ~ attended, random = ~ 1 | cohort, data = d, method = "REML", control = ctl)
    check(
      randomInterceptReml([-3, -1, -4, 0, 2, -1, 1, 0, 3, -2, -5, -1], rep(['A', 'B', 'C'], [4, 5, 3]), { attended: [6, 6, 6, 6, 3, 3, 3, 3, 3, 5, 5, 5] }),
      [
        { estimate: 4.0637036961890605, se: 2.73700217367830412, df: 9, t: 1.4847279754724416, p: 0.17177410011901956 },
        { estimate: -1.1190476190476195, se: 0.57407898648396261, df: 1, t: -1.9492920754710137, p: 0.30175699948742768 },
      ],
      [0.83015893101323757, 3.18518514761195837],
    )
  })

  it('singular fit: attendance constant within each of only 2 cohorts is confounded with the cohort — not fitted', () => {
    // d <- data.frame(cohort = rep(c("A", "B"), c(4, 5)), change = c(-3, -1, -4, 0, 2, -1, 1, 0, 3), attended = rep(c(6, 3), c(4, 5)))
    // summary(lme(change ~ attended, random = ~ 1 | cohort, data = d, method = "REML", control = ctl))$tTable
    //   attended: DF 0, p-value NaN (warning "NaNs produced"); VarCorr τ² 4.5149911816578499
    // The restricted likelihood does not depend on τ² at all here (X spans the cohort indicators):
    //   X <- cbind(1, d$attended); Z <- outer(rep(1:2, c(4, 5)), 1:2, "==") * 1
    //   ll <- function(tau2, s2) { V <- s2 * diag(9) + tau2 * Z %*% t(Z); Vi <- solve(V)
    //     b <- solve(t(X) %*% Vi %*% X, t(X) %*% Vi %*% d$change); r <- d$change - X %*% b
    //     -0.5 * (determinant(V)$modulus + determinant(t(X) %*% Vi %*% X)$modulus + t(r) %*% Vi %*% r + 7 * log(2 * pi)) }
    //   sapply(c(0, 1, 4.515, 100), function(t2) -optimize(function(s) -ll(t2, s), c(.01, 100))$objective)
    //   # -16.20343 -16.20343 -16.20343 -16.20343
    // so τ², and with it every standard error, is arbitrary (we gave τ² = 0 and SE(attended) 0.378 with
    // df 0, nlme 1.07). It must not be reported.
    const change = [-3, -1, -4, 0, 2, -1, 1, 0, 3]
    const cohort = rep(['A', 'B'], [4, 5])
    expect(() => randomInterceptReml(change, cohort, { attended: [6, 6, 6, 6, 3, 3, 3, 3, 3] })).toThrow(RangeError)
    expect(() => randomInterceptReml(change, cohort, { attended: [6, 6, 6, 6, 3, 3, 3, 3, 3] })).toThrow(/constant within every group/)
    // change ~ 1 on the same data is identifiable and equals nlme
    check(
      randomInterceptReml(change, cohort),
      [{ estimate: -0.4761904756217209, se: 1.4998110079379061, df: 7, t: -0.31750032044133103, p: 0.76012494943202991, lower: -4.0226799577975116, upper: 3.0702990065540701 }],
      [3.8571427611652789, 2.8571428656741982],
      [-1.76190475621720122, 0.80952380497376042],
    )
  })
})

describe('reliable and clinically significant change classes (Jacobson & Truax) against R', () => {
  // R transcription of the documented rules (strict > 1.96, strictly functional side at post, pre on the cut-off is dysfunctional):
  //   cls <- function(pre, post, sd, r, cutoff, dir) { rci <- (post - pre) / (sqrt(2) * sd * sqrt(1 - r)); imp <- if (dir == "worse") -rci else rci
  //     fun <- function(s) if (dir == "worse") s < cutoff else s > cutoff
  //     ifelse(imp < -1.96, "deteriorated", ifelse(imp <= 1.96, "unchanged", ifelse(!fun(pre) & fun(post), "recovered", "improved"))) }
  const classes = (pre: number[], post: number[], sd: number, reliability: number, cutoff: number, direction: ScaleDirection) =>
    pre.map((a, i) => classifyChange({ pre: a, post: post[i]!, rci: reliableChangeIndex(a, post[i]!, { sd, reliability }), cutoff, direction }))
  const counts = (cls: string[]) => Object.fromEntries(['recovered', 'improved', 'unchanged', 'deteriorated'].map((c) => [c, cls.filter((x) => x === c).length]))

  it('higher is better (0–100), sd 25, r .5: a change of ±49 is RCI ±1.96 (R: 1.9599999999999997) and unchanged; cut-off 50 exactly at pre', () => {
    // (11 - 60) / (sqrt(2) * 25 * sqrt(1 - .5))   # -1.9599999999999997
    // pre <- c(20, 20, 40, 60, 28, 50, 52, 70, 1, 11); post <- c(69, 68, 90, 11, 77, 99, 100, 21, 50, 60)
    // cls(pre, post, 25, .5, 50, "better")
    expect(reliableChangeIndex(60, 11, { sd: 25, reliability: 0.5 })).toBe(-1.9599999999999997)
    const pre = [20, 20, 40, 60, 28, 50, 52, 70, 1, 11]
    const post = [69, 68, 90, 11, 77, 99, 100, 21, 50, 60]
    const got = classes(pre, post, 25, 0.5, 50, 'higher-is-better')
    expect(got).toEqual(['unchanged', 'unchanged', 'recovered', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'])
    // table(factor(cls(...), levels = c("recovered", "improved", "unchanged", "deteriorated")))   # 1 0 9 0
    expect(counts(got)).toEqual({ recovered: 1, improved: 0, unchanged: 9, deteriorated: 0 })
  })

  it('higher is better: post exactly on the cut-off is not functional (improved), pre exactly on it can recover, reliable loss deteriorates', () => {
    // cls(c(0, 50, 60, 45, 0, 55), c(50, 100, 10, 96, 49, 100), 25, .5, 50, "better")
    // # "improved" "recovered" "deteriorated" "recovered" "unchanged" "unchanged"
    expect(classes([0, 50, 60, 45, 0, 55], [50, 100, 10, 96, 49, 100], 25, 0.5, 50, 'higher-is-better')).toEqual(['improved', 'recovered', 'deteriorated', 'recovered', 'unchanged', 'unchanged'])
  })

  it('higher is worse (PHQ-9 style) with prorated totals (× 9/8) and a cut-off of 9.5 met exactly', () => {
    // pre <- c(18, 9.5, 9*13/8, 10, 20, 5, 9.5, 14); post <- c(9.5, 3, 9*5/8, 4, 9*3/8, 12, 9*21/8, 8)
    // cls(pre, post, 5, .84, 9.5, "worse")
    // # "improved" "recovered" "recovered" "recovered" "recovered" "deteriorated" "deteriorated" "recovered"
    // (post - pre) / (sqrt(2) * 5 * sqrt(1 - .84))
    // # -3.0052038200428268 -2.2980970388562794 -3.1819805153394638 -2.1213203435596424 -5.8778251186131758  2.4748737341529163  4.9939416421299914 -2.1213203435596424
    const pre = [18, 9.5, (9 * 13) / 8, 10, 20, 5, 9.5, 14]
    const post = [9.5, 3, (9 * 5) / 8, 4, (9 * 3) / 8, 12, (9 * 21) / 8, 8]
    const rci = [-3.0052038200428268, -2.2980970388562794, -3.1819805153394638, -2.1213203435596424, -5.8778251186131758, 2.4748737341529163, 4.9939416421299914, -2.1213203435596424]
    pre.forEach((a, i) => near(reliableChangeIndex(a, post[i]!, { sd: 5, reliability: 0.84 }), rci[i]!, 1e-14))
    expect(classes(pre, post, 5, 0.84, 9.5, 'higher-is-worse')).toEqual(['improved', 'recovered', 'recovered', 'recovered', 'recovered', 'deteriorated', 'deteriorated', 'recovered'])
  })
})

describe("Cohen's d_z noncentral-t CI with 2–5 pairs", () => {
  // ci <- function(post, pre) { d <- post - pre; n <- length(d); tobs <- mean(d) / (sd(d) / sqrt(n)); df <- n - 1
  //   c(mean(d) / sd(d), uniroot(function(l) pt(tobs, df, l) - 0.975, c(-37, 37), tol = 1e-13)$root / sqrt(n),
  //     uniroot(function(l) pt(tobs, df, l) - 0.025, c(-37, 37), tol = 1e-13)$root / sqrt(n)) }
  const cases = [
    { post: [10, 7], pre: [14, 12], r: [-6.3639610306789276, -14.3519801308885118, 0.1827278930164391] }, // ci(c(10, 7), c(14, 12))
    { post: [3, 5, 4, 6, 2], pre: [9, 8, 12, 7, 10], r: [-1.6696193775766326, -3.0548784703387537, -0.2226988833918993] }, // ci(c(3, 5, 4, 6, 2), c(9, 8, 12, 7, 10))
    { post: [15, 12.375, 9, 6.75], pre: [14.625, 11, 10.125, 6], r: [0.3235294117647059, -0.71073027516369147, 1.3103303309539136] }, // ci(c(15, 12.375, 9, 6.75), c(14.625, 11, 10.125, 6)), prorated
  ]
  it.each(cases)('d_z and CI equal R to 1e-10 (n = $post.length)', ({ post, pre, r }) => {
    const { dz, ci95 } = cohensDz(post, pre)
    near(dz, r[0]!, 1e-12)
    near(ci95[0], r[1]!, 1e-10)
    near(ci95[1], r[2]!, 1e-10)
  })
})

describe('BH adjustment with ties and NA against p.adjust', () => {
  it('tied p-values get the same adjusted value', () => {
    // p.adjust(c(0.02, 0.02, 0.02, 0.04, NA, 0.04, 0.001, 1, 0.5, 0.5), "BH")
    // # 0.045 0.045 0.045 0.06 NA 0.06 0.009 1 0.5625 0.5625
    const got = pAdjust([0.02, 0.02, 0.02, 0.04, null, 0.04, 0.001, 1, 0.5, 0.5], 'BH')
    ;[0.045, 0.045, 0.045, 0.06, null, 0.06, 0.009, 1, 0.5625, 0.5625].forEach((e, i) => (e === null ? expect(got[i]).toBeNull() : near(got[i]!, e, 1e-15)))
    // p.adjust(c(0.05, 0.05, 0.05, 0.05), "BH")            # 0.05 0.05 0.05 0.05
    expect(pAdjust([0.05, 0.05, 0.05, 0.05], 'BH')).toEqual([0.05, 0.05, 0.05, 0.05])
    // p.adjust(c(0.01, 0.04, 0.04, 0.03, 0.03), "BH")      # 0.04 0.04 0.04 0.04 0.04
    pAdjust([0.01, 0.04, 0.04, 0.03, 0.03], 'BH').forEach((v) => near(v!, 0.04, 1e-15))
  })
})

describe('pnorm (no test of its own before) against R', () => {
  it("equals R's pnorm, underflow bounds included", () => {
    // pnorm(c(-37.519, -37.5193, -37.52, -20, -8.3, -1.959963984540054, 0, 0.5, 3, 8.29, 8.2924, 9))
    const x = [-37.519, -37.5193, -37.52, -20, -8.3, -1.959963984540054, 0, 0.5, 3, 8.29, 8.2924, 9]
    const r = [2.2569921139856015e-308, 0, 0, 2.7536241186062337e-89, 5.2055697448902552e-17, 2.5000000000000012e-2, 0.5, 0.69146246127401301, 0.9986501019683699, 0.99999999999999989, 1, 1]
    x.forEach((v, i) => (r[i] === 0 ? expect(pnorm(v)).toBe(0) : expect(Math.abs(pnorm(v) - r[i]!) / r[i]!).toBeLessThan(1e-12)))
  })
})
