/**
 * quartiles against R 4.2.2's quantile(x, c(.25, .5, .75)) (type 7, the default).
 */
import { describe, it, expect } from 'vitest'
import { quartiles } from '../../../server/stats/quartiles'

function expectQuartiles(values: number[], [q1, median, q3]: [number, number, number]): void {
  const result = quartiles(values)
  expect(result.q1).toBeCloseTo(q1, 10)
  expect(result.median).toBeCloseTo(median, 10)
  expect(result.q3).toBeCloseTo(q3, 10)
}

describe('quartiles', () => {
  it("equals R to the last bit, in R's arithmetic, and does not overflow", () => {
    // R: q <- function(x) sprintf("%.17g", quantile(x, c(.25, .5, .75), names = FALSE))
    //    q(c(0.1, 0.7))      # 0.25 0.39999999999999997 0.54999999999999993
    //    q(c(0.7, 1.9))      # 0.99999999999999989 1.2999999999999998 1.5999999999999999
    //    q(c(-1e308, 1e308)) # -5.0000000000000001e+307 0 5.0000000000000001e+307
    expect(quartiles([0.1, 0.7])).toEqual({ q1: 0.25, median: 0.39999999999999997, q3: 0.54999999999999993 })
    expect(quartiles([0.7, 1.9])).toEqual({ q1: 0.99999999999999989, median: 1.2999999999999998, q3: 1.5999999999999999 })
    expect(quartiles([-1e308, 1e308])).toEqual({ q1: -5.0000000000000001e307, median: 0, q3: 5.0000000000000001e307 })
  })

  it('interpolates like R type 7 for even and odd n', () => {
    // R: quantile(c(1, 2, 4, 7, 11, 16), c(.25, .5, .75))   # 2.5 5.5 10
    expectQuartiles([1, 2, 4, 7, 11, 16], [2.5, 5.5, 10])
    // R: quantile(c(7, 3, 9, 1, 5), c(.25, .5, .75))   # 3 5 7
    expectQuartiles([7, 3, 9, 1, 5], [3, 5, 7])
  })

  it('handles n = 1 and n = 2', () => {
    // R: quantile(42, c(.25, .5, .75))   # 42 42 42
    expectQuartiles([42], [42, 42, 42])
    // R: quantile(c(5, 2), c(.25, .5, .75))   # 2.75 3.5 4.25
    expectQuartiles([5, 2], [2.75, 3.5, 4.25])
  })

  it('handles ties, negative and fractional values', () => {
    // R: quantile(c(3, 3, 3, 8, 8, 1, 1), c(.25, .5, .75))   # 2 3 5.5
    expectQuartiles([3, 3, 3, 8, 8, 1, 1], [2, 3, 5.5])
    // R: quantile(c(-2.5, 0.1, 3.3, -7.75, 12.6, 0.3, 4.4, 9.05), c(.25, .5, .75))
    //    -0.55000000000000004 1.7999999999999998 5.5625
    expectQuartiles([-2.5, 0.1, 3.3, -7.75, 12.6, 0.3, 4.4, 9.05], [-0.55000000000000004, 1.7999999999999998, 5.5625])
    // R: quantile(c(0.1, 0.2, 0.3, 0.4), c(.25, .5, .75))   # 0.17500000000000002 0.25 0.32499999999999996
    expectQuartiles([0.1, 0.2, 0.3, 0.4], [0.17500000000000002, 0.25, 0.32499999999999996])
  })

  it('does not reorder the caller’s array', () => {
    const values = [7, 3, 9, 1, 5]
    quartiles(values)
    expect(values).toEqual([7, 3, 9, 1, 5])
  })

  it('rejects an empty sample and non-finite values', () => {
    expect(() => quartiles([])).toThrow(RangeError)
    expect(() => quartiles([1, NaN, 3])).toThrow(/values\[1\]/)
    expect(() => quartiles([1, Infinity])).toThrow(RangeError)
  })
})
