/**
 * Whether all values are exactly equal (true for an empty array).
 *
 * Tested by equality rather than by "variance = 0" on purpose: the variance of a constant
 * non-integer sample is often a rounding residue such as 3e-34 rather than 0 (the mean of
 * [0.1, 0.1, 0.1] is 0.10000000000000002 in doubles), and dividing by it gives nonsense
 * instead of an error.
 *
 * @param values - the values to compare
 * @example
 * isConstant([0.1, 0.1, 0.1]) // => true
 * isConstant([1, 2]) // => false
 */
export function isConstant(values: readonly number[] | Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== values[0]) return false
  return true
}
