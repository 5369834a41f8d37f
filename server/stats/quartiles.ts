import { assertFiniteNumbers } from './assert-finite-numbers'

/**
 * Quartiles of a sample: the 25th, 50th and 75th percentiles by linear interpolation between order
 * statistics (Hyndman & Fan type 7, the default of R's `quantile` and of NumPy).
 *
 * In words: sort the n values; the p-quantile sits at 0-based position h = (n − 1)·p; if h falls
 * between two sorted values a = x₍⌊h⌋₎ and b = x₍⌊h⌋+1₎, interpolate linearly: (1 − f)·a + f·b with
 * f = h − ⌊h⌋, and take a itself when b = a. That is R's own arithmetic (quantile.default, type 7),
 * so the quartiles equal R's to the last bit. simple-statistics' `quantileSorted` (used before)
 * writes it a + f·(b − a): the same number in exact arithmetic, but 0.4 where R gives
 * 0.39999999999999997 (median of 0.1 and 0.7), and ±Infinity where b − a overflows.
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
  const sorted = Float64Array.from(values).sort()
  return { q1: quantileType7(sorted, 0.25), median: quantileType7(sorted, 0.5), q3: quantileType7(sorted, 0.75) }
}

/** R's type 7 quantile of sorted values, in R's arithmetic (see `quartiles`). */
function quantileType7(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p
  const lo = Math.floor(h)
  const a = sorted[lo]!
  const b = sorted[Math.ceil(h)]!
  const f = h - lo
  return f > 0 && b !== a ? (1 - f) * a + f * b : a
}
