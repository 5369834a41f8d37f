/**
 * pairedTTest against R 4.2.2's t.test(post, pre, paired = TRUE). Every expected number was printed
 * by the R call in the comment above it (sprintf("%.17g", ...)).
 */
import { describe, it, expect } from 'vitest'
import { pairedTTest } from '../../../server/stats/paired-t-test'

// R: sleep$extra[sleep$group == 1]; sleep$extra[sleep$group == 2]
const extra1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
const extra2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

describe('pairedTTest', () => {
  it("matches R on the sleep data (group 2 as post, group 1 as pre)", () => {
    // R: r <- with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE))
    //    r$statistic 4.0621276833820366, r$parameter 9, r$p.value 0.0028328901973842702
    //    r$conf.int 0.70011423672301754 2.4598857632769824, r$estimate 1.5800000000000001
    //    r$stderr 0.3889587238883952; sd(extra2 - extra1) 1.2299954832798732
    const result = pairedTTest(extra2, extra1)
    expect(result.n).toBe(10)
    expect(result.df).toBe(9)
    expect(result.t).toBeCloseTo(4.0621276833820366, 10)
    expect(result.p).toBeCloseTo(0.0028328901973842702, 10)
    expect(result.ci95[0]).toBeCloseTo(0.70011423672301754, 10)
    expect(result.ci95[1]).toBeCloseTo(2.4598857632769824, 10)
    expect(result.meanDifference).toBeCloseTo(1.5800000000000001, 10)
    expect(result.standardError).toBeCloseTo(0.3889587238883952, 10)
    expect(result.sdDifference).toBeCloseTo(1.2299954832798732, 10)
  })

  it('keeps the sign of post − pre: swapping the occasions negates t and the CI', () => {
    // R: t.test(extra1, extra2, paired = TRUE): t = -4.0621, CI -2.4598858 -0.7001142, same p
    const result = pairedTTest(extra1, extra2)
    expect(result.t).toBeCloseTo(-4.0621276833820366, 10)
    expect(result.ci95[0]).toBeCloseTo(-2.4598857632769824, 10)
    expect(result.ci95[1]).toBeCloseTo(-0.70011423672301754, 10)
    expect(result.p).toBeCloseTo(0.0028328901973842702, 10)
  })

  it('matches R on a symptom scale where post − pre < 0 is improvement', () => {
    // R: t.test(c(14, 9, 17, 6, 11, 12, 8, 15), c(16, 15, 18, 12, 10, 19, 14, 15), paired = TRUE)
    //    t -2.9790573355838008, df 7, p 0.02054228543222341,
    //    CI -6.0539034080680763 -0.69609659193192353, mean -3.375, stderr 1.1329087089687071
    const result = pairedTTest([14, 9, 17, 6, 11, 12, 8, 15], [16, 15, 18, 12, 10, 19, 14, 15])
    expect(result.t).toBeCloseTo(-2.9790573355838008, 10)
    expect(result.df).toBe(7)
    expect(result.p).toBeCloseTo(0.02054228543222341, 10)
    expect(result.ci95[0]).toBeCloseTo(-6.0539034080680763, 10)
    expect(result.ci95[1]).toBeCloseTo(-0.69609659193192353, 10)
    expect(result.meanDifference).toBe(-3.375)
    expect(result.standardError).toBeCloseTo(1.1329087089687071, 10)
  })

  it('matches R with n = 2 (df = 1)', () => {
    // R: t.test(c(3, 5), c(1, 2), paired = TRUE)
    //    t 5, df 1, p 0.12566591637800234, CI -3.8531023680873471 8.8531023680873471, stderr 0.5
    const result = pairedTTest([3, 5], [1, 2])
    expect(result.n).toBe(2)
    expect(result.t).toBeCloseTo(5, 10)
    expect(result.df).toBe(1)
    expect(result.p).toBeCloseTo(0.12566591637800234, 10)
    expect(result.ci95[0]).toBeCloseTo(-3.8531023680873471, 10)
    expect(result.ci95[1]).toBeCloseTo(8.8531023680873471, 10)
    expect(result.standardError).toBeCloseTo(0.5, 10)
    expect(result.sdDifference).toBeCloseTo(0.70710678118654757, 10)
  })

  it('matches R on the Lakens (2013) movie ratings', () => {
    // R: t.test(c(9,7,8,9,8,9,9,10,9,9), c(9,6,7,8,7,9,8,8,8,7), paired = TRUE)
    //    t 4.7434164902525691, df 9, p 0.0010538712570165528, CI 0.5230953960195569 1.4769046039804432
    //    (the paper reports t(9) = 4.74)
    const result = pairedTTest([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 8, 7])
    expect(result.t).toBeCloseTo(4.7434164902525691, 10)
    expect(result.p).toBeCloseTo(0.0010538712570165528, 10)
    expect(result.ci95[0]).toBeCloseTo(0.5230953960195569, 10)
    expect(result.ci95[1]).toBeCloseTo(1.4769046039804432, 10)
  })

  it('rejects fewer than 2 pairs', () => {
    // R: t.test(1, 2, paired = TRUE) -> Error: not enough 'x' observations
    expect(() => pairedTTest([1], [2])).toThrow(RangeError)
    expect(() => pairedTTest([], [])).toThrow(RangeError)
  })

  it('rejects constant differences, as R does ("data are essentially constant")', () => {
    // R: t.test(c(2, 3, 4), c(1, 2, 3), paired = TRUE) -> Error: data are essentially constant
    expect(() => pairedTTest([2, 3, 4], [1, 2, 3])).toThrow(RangeError)
    expect(() => pairedTTest([2, 3, 4], [1, 2, 3])).toThrow(/constant/)
    // All differences zero: R returns t = NaN; we throw.
    expect(() => pairedTTest([5, 6, 7], [5, 6, 7])).toThrow(RangeError)
    // Differences equal up to rounding (0.2 in decimal, 0.19999999999999998/96/73 in binary):
    // R: t.test(c(0.3, 1.3, 2.3), c(0.1, 1.1, 2.1), paired = TRUE) -> Error: data are essentially constant
    expect(() => pairedTTest([0.3, 1.3, 2.3], [0.1, 1.1, 2.1])).toThrow(RangeError)
  })

  it('rejects NaN, null, infinite values and unequal lengths rather than dropping pairs', () => {
    expect(() => pairedTTest([1, 2, NaN], [1, 1, 1])).toThrow(RangeError)
    expect(() => pairedTTest([1, 2, 3], [1, null as unknown as number, 1])).toThrow(/pre\[1\]/)
    expect(() => pairedTTest([1, 2, Infinity], [1, 1, 1])).toThrow(RangeError)
    expect(() => pairedTTest([1, 2, 3], [1, 2])).toThrow(/same length/)
  })
})
