import { quantileSorted } from 'simple-statistics'
import { assertFiniteNumbers } from './assert-finite-numbers'

/**
 * Quartiles of a sample: the 25th, 50th and 75th percentiles by linear interpolation between order
 * statistics (Hyndman & Fan type 7, the default of R's `quantile` and of NumPy).
 *
 * In words: sort the n values; the p-quantile sits at 0-based position h = (n − 1)·p; if h falls
 * between two sorted values, interpolate linearly: x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎).
 * simple-statistics' `quantileSorted` implements exactly this (checked in its source and against
 * R), so it is used rather than rewritten. R writes the interpolation as (1 − f)·a + f·b, which can
 * differ in the last bit; the values agree to ~1e-15.
 *
 * Reference: Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages. The
 * American Statistician 50, 361–365 (definition 7).
 *
 * @param values - a sample of at least one finite number (order does not matter; not modified)
 * @throws {RangeError} for an empty sample or a non-finite value
 * @example
 * // R: quantile(c(1, 2, 4, 7, 11, 16), c(.25, .5, .75))   # 2.50 5.50 10.00
 * quartiles([1, 2, 4, 7, 11, 16]) // => { q1: 2.5, median: 5.5, q3: 10 }
 */
export function quartiles(values: number[]): { q1: number; median: number; q3: number } {
  assertFiniteNumbers(values, 'values')
  if (values.length === 0) throw new RangeError('Quartiles need at least one value (got none).')
  // A typed array sorts numerically in native code, with no comparator call per pair (issue 16: the
  // cohort report takes the quartiles of every scale at both waves); the order statistics are the same.
  const sorted = Float64Array.from(values).sort() as unknown as number[]
  return {
    q1: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    q3: quantileSorted(sorted, 0.75),
  }
}
