/**
 * cohensDz against R 4.2.2. d_z = mean(d)/sd(d); the CI limits by R's noncentral t, pt(), and
 * uniroot at tol = 1e-12:
 *   tobs <- t.test(post, pre, paired = TRUE)$statistic; n <- length(post); df <- n - 1
 *   lo <- uniroot(function(l) pt(tobs, df, l) - 0.975, c(tobs - w, tobs + w), tol = 1e-12)$root / sqrt(n)
 *   hi <- uniroot(function(l) pt(tobs, df, l) - 0.025, c(tobs - w, tobs + w), tol = 1e-12)$root / sqrt(n)
 * with w = 100 unless noted. noncentralTCdf is a port of R's pt, so the limits are compared to a
 * relative tolerance of 1e-10 (|difference| ≤ 1e-10 · max(1, |R|)).
 */
import { describe, it, expect } from 'vitest'
import { cohensDz, cohensDzConfidenceInterval } from '../../../server/stats/cohens-dz'

const extra1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
const extra2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

/** |actual − expected| ≤ 1e-10 · max(1, |expected|) */
function expectCloseRelative(actual: number, expected: number, tolerance = 1e-10): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)))
}

describe('cohensDz', () => {
  it("matches R on the sleep data", () => {
    // R: (tobs = 4.0621276833820366, df = 9) d_z 1.2845575625910546, CI 0.41462775638012445 2.1180165139770613
    const result = cohensDz(extra2, extra1)
    expect(result.dz).toBeCloseTo(1.2845575625910546, 10)
    expectCloseRelative(result.ci95[0], 0.41462775638012445)
    expectCloseRelative(result.ci95[1], 2.1180165139770613)
  })

  it('matches R and the paper on the Lakens (2013) movie ratings (d_z = 1.50)', () => {
    // R: m1 <- c(9,7,8,9,8,9,9,10,9,9); m2 <- c(9,6,7,8,7,9,8,8,8,7)
    //    d_z 1.5, CI 0.56051415023799256 2.4034361869916077
    const result = cohensDz([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 8, 7])
    expect(result.dz).toBeCloseTo(1.5, 10)
    expectCloseRelative(result.ci95[0], 0.56051415023799256)
    expectCloseRelative(result.ci95[1], 2.4034361869916077)
  })

  it('is negative for an improvement on a symptom scale', () => {
    // R: post <- c(14, 9, 17, 6, 11, 12, 8, 15); pre <- c(16, 15, 18, 12, 10, 19, 14, 15)
    //    d_z -1.0532558217674168, CI -1.909916248296035 -0.1519542965964594
    const result = cohensDz([14, 9, 17, 6, 11, 12, 8, 15], [16, 15, 18, 12, 10, 19, 14, 15])
    expect(result.dz).toBeCloseTo(-1.0532558217674168, 10)
    expectCloseRelative(result.ci95[0], -1.909916248296035)
    expectCloseRelative(result.ci95[1], -0.1519542965964594)
  })

  it('matches R with n = 2 (df = 1, very heavy tails)', () => {
    // R: post <- c(3, 5); pre <- c(1, 2); w = 300
    //    d_z 3.5355339059327373, CI -0.45228518252955591 8.0814924633008562
    const result = cohensDz([3, 5], [1, 2])
    expect(result.dz).toBeCloseTo(3.5355339059327373, 10)
    expectCloseRelative(result.ci95[0], -0.45228518252955591)
    expectCloseRelative(result.ci95[1], 8.0814924633008562)
  })

  it('stays right where jStat.noncentralt.cdf fails (|noncentrality| > 20)', () => {
    // R: post <- c(10, 10, 9, 9, 10); pre <- c(15, 16, 14, 13, 15)   (tobs = -15.811388300841896)
    //    d_z -7.0710678118654746, CI -11.870797512048382 -2.3594964675887842
    const result = cohensDz([10, 10, 9, 9, 10], [15, 16, 14, 13, 15])
    expect(result.dz).toBeCloseTo(-7.0710678118654746, 10)
    expectCloseRelative(result.ci95[0], -11.870797512048382)
    expectCloseRelative(result.ci95[1], -2.3594964675887842)
  })

  it("uses R's normal approximation beyond |noncentrality| 37.62, so still equals R", () => {
    // R: post <- c(20, 20.1, 19.9, 20, 20.05); pre <- rep(10, 5); w = 1000   (tobs = 301.81285592233706)
    //    d_z 134.97481246513914, CI 33.00372523509219 220.07404813704366
    const result = cohensDz([20, 20.1, 19.9, 20, 20.05], [10, 10, 10, 10, 10])
    expect(result.dz).toBeCloseTo(134.97481246513914, 9)
    expectCloseRelative(result.ci95[0], 33.00372523509219)
    expectCloseRelative(result.ci95[1], 220.07404813704366)
  })

  it('keeps the lower limit on its side of the series range with 2 pairs and t in the thousands', () => {
    // Found by a methods review: the bracket spanned the series range, and its bisection stopped at
    // a root of the normal approximation below zero (−1799.06 for d_z = 2829).
    // R: tobs <- 4001; f <- function(p) function(l) pt(tobs, 1, l) - p
    //    sprintf("%.17g", uniroot(f(0.975), c(30, 200), tol = 1e-13)$root / sqrt(2))   # 26.602692934206939 (the join)
    //    sprintf("%.17g", uniroot(f(0.025), c(38, 1e6), tol = 1e-13)$root / sqrt(2))   # 6042.758869652168
    const { ci95, ciMethod } = cohensDzConfidenceInterval(4001, 2)
    expectCloseRelative(ci95[0], 26.602692934206939)
    expectCloseRelative(ci95[1], 6042.758869652168)
    expect(ciMethod).toBe('normal approximation')
    // The same on the other side.
    const negative = cohensDzConfidenceInterval(-4001, 2)
    expectCloseRelative(negative.ci95[0], -6042.758869652168)
    expectCloseRelative(negative.ci95[1], -26.602692934206939)
  })

  it('rejects n < 2, constant differences, NaN and unequal lengths', () => {
    expect(() => cohensDz([1], [2])).toThrow(RangeError)
    // R: t.test(c(2, 3, 4), c(1, 2, 3), paired = TRUE) -> Error: data are essentially constant
    expect(() => cohensDz([2, 3, 4], [1, 2, 3])).toThrow(/constant/)
    expect(() => cohensDz([1, 1], [1, 1])).toThrow(RangeError)
    expect(() => cohensDz([1, NaN, 3], [1, 2, 3])).toThrow(RangeError)
    expect(() => cohensDz([1, 2, 3], [1, 2])).toThrow(RangeError)
  })

  it('matches R to 1e-10 from n = 2 to 200 and d_z from 0 to ±100', () => {
    // R (4.2.2), for each n and d_z:
    //   tobs <- dz * sqrt(n); df <- n - 1; w <- 10 + abs(tobs)
    //   f <- function(p) function(l) pt(tobs, df, l) - p
    //   lo <- uniroot(f(0.975), c(tobs - w, tobs + w), extendInt = "downX", tol = 1e-13, maxiter = 5000)$root / sqrt(n)
    //   hi <- uniroot(f(0.025), c(tobs - w, tobs + w), extendInt = "downX", tol = 1e-13, maxiter = 5000)$root / sqrt(n)
    //   sprintf("%.17g", c(lo, hi))
    for (const [n, dz, lower, upper] of GRID) {
      const { ci95 } = cohensDzConfidenceInterval(dz * Math.sqrt(n), n)
      expectCloseRelative(ci95[0], lower)
      expectCloseRelative(ci95[1], upper)
    }
  })

  it("says when a limit rests on R's normal approximation (|δ| > 37.62)", () => {
    expect(cohensDzConfidenceInterval(1 * Math.sqrt(10), 10).ciMethod).toBe('series')
    expect(cohensDzConfidenceInterval(100 * Math.sqrt(10), 10).ciMethod).toBe('normal approximation')
    expect(cohensDz([20, 20.1, 19.9, 20, 20.05], [10, 10, 10, 10, 10]).ciMethod).toBe('normal approximation')
    expect(cohensDz(extra2, extra1).ciMethod).toBe('series')
  })
})

/** [n, d_z, lower, upper] from the R call in the test above. */
const GRID: [number, number, number, number][] = [
  [2, 0, -1.3859038243496777, 1.385903824349678],
  [2, 0.2, -1.2447543132062335, 1.5671196853870777],
  [2, -0.5, -1.928344886079433, 1.0865581840954128],
  [2, 1, -0.90503980707133014, 2.7450214796503571],
  [2, 3, -0.52006634166973753, 6.9084671801449353],
  [2, -10, -22.469992474826849, -0.061440559937096198],
  [2, 100, 3.1338758623752403, 213.59731178086022],
  [3, 0, -1.1315857340761717, 1.1315857340761719],
  [3, 0.2, -0.96812797241554838, 1.3240108161978794],
  [3, -0.5, -1.6721686185538509, 0.76660817739026377],
  [3, 1, -0.50887623423892958, 2.3921699278163389],
  [3, 3, 0.13593509551204244, 5.9425401188006148],
  [3, -10, -19.2616914208912, -1.4881312669975462],
  [3, 100, 15.901622996702201, 185.50473222252526],
  [5, 0, -0.87652254057658152, 0.87652254057658163],
  [5, 0.2, -0.69837404508587742, 1.0749654601648848],
  [5, -0.5, -1.41232432883559, 0.46397313530804762],
  [5, 1, -0.1377202867796147, 2.0665751796207505],
  [5, 3, 0.8175154901828513, 5.1652746081373513],
  [5, -10, -16.739440407922942, -3.4080616338628684],
  [5, 100, 24.449265388945609, 163.05073461105442],
  [10, 0, -0.61979503230456157, 0.61979503230456157],
  [10, 0.2, -0.43179614711793746, 0.82109391743820059],
  [10, -0.5, -1.1482357855244447, 0.17227906558661729],
  [10, 1, 0.21356636988611225, 1.7512739583051686],
  [10, 3, 1.4922583998643442, 4.4834394294892359],
  [10, -10, -14.383293319600439, -5.4295519413939264],
  [10, 100, 51.021270552840114, 143.42317389160436],
  [30, 0, -0.35783882874343143, 0.35783882874343148],
  [30, 0.2, -0.16317254850392474, 0.55980652910816586],
  [30, -0.5, -0.87626134145314283, -0.11610071000719675],
  [30, 1, 0.55414520743303997, 1.4343293052969888],
  [30, 3, 2.1475471836818718, 3.8420619706161543],
  [30, -10, -12.512110537985906, -7.3154756689106479],
  [30, 100, 73.399855446864919, 124.87600662210062],
  [100, 0, -0.1959963984540054, 0.19599639845400543],
  [100, 0.2, 0.0015438058797428299, 0.39746637803367491],
  [100, -0.5, -0.70684595298598241, -0.29090094715435233],
  [100, 1, 0.7579400861603216, 1.2386272098478321],
  [100, 3, 2.5373773621446749, 3.4593191734494608],
  [100, -10, -11.381355204617188, -8.5681397448777634],
  [100, 100, 85.817238340994223, 113.67771115395529],
  [200, 0, -0.13859038243496777, 0.1385903824349678],
  [200, 0.2, 0.059779014068567095, 0.33972818149368283],
  [200, -0.5, -0.64646671315524762, -0.35241079437793787],
  [200, 1, 0.82930023139915687, 1.1689862182991408],
  [200, 3, 2.6705404230808361, 3.321921888476953],
  [200, -10, -10.97960549451914, -8.9952688773401572],
  [200, 100, 90.04898264864994, 109.69976106994302],
]
