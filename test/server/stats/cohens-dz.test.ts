/**
 * cohensDz against R 4.2.2. d_z = mean(d)/sd(d); the CI limits by R's noncentral t, pt(), and
 * uniroot at tol = 1e-12:
 *   tobs <- t.test(post, pre, paired = TRUE)$statistic; n <- length(post); df <- n - 1
 *   lo <- uniroot(function(l) pt(tobs, df, l) - 0.975, c(tobs - w, tobs + w), tol = 1e-12)$root / sqrt(n)
 *   hi <- uniroot(function(l) pt(tobs, df, l) - 0.025, c(tobs - w, tobs + w), tol = 1e-12)$root / sqrt(n)
 * with w = 100 unless noted. Our noncentral t distribution function is accurate to ~1e-8 (jStat's
 * incomplete beta), so the limits are compared to a relative tolerance of 1e-7.
 */
import { describe, it, expect } from 'vitest'
import { cohensDz } from '../../../server/stats/cohens-dz'

const extra1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
const extra2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

/** |actual − expected| ≤ 1e-7 · max(1, |expected|) */
function expectCloseRelative(actual: number, expected: number, tolerance = 1e-7): void {
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

  it('rejects n < 2, constant differences, NaN and unequal lengths', () => {
    expect(() => cohensDz([1], [2])).toThrow(RangeError)
    // R: t.test(c(2, 3, 4), c(1, 2, 3), paired = TRUE) -> Error: data are essentially constant
    expect(() => cohensDz([2, 3, 4], [1, 2, 3])).toThrow(/constant/)
    expect(() => cohensDz([1, 1], [1, 1])).toThrow(RangeError)
    expect(() => cohensDz([1, NaN, 3], [1, 2, 3])).toThrow(RangeError)
    expect(() => cohensDz([1, 2, 3], [1, 2])).toThrow(RangeError)
  })
})
