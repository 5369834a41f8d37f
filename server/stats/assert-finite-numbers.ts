/**
 * Assert that every value is a finite number (not NaN, ±Infinity, null or a string), so that a
 * statistic never quietly propagates NaN. Throws the house error, a RangeError naming the first
 * offending position.
 *
 * @param values - the values to check
 * @param name - what the values are called in the message, e.g. "values" or "rows[3]"
 * @throws {RangeError} when `values` is not an array or holds a non-finite entry
 * @example
 * assertFiniteNumbers([1, 2, 3], 'values') // passes
 * assertFiniteNumbers([1, NaN], 'values')  // throws RangeError: values[1] is not a finite number (NaN).
 */
export function assertFiniteNumbers(values: readonly unknown[], name: string): asserts values is number[] {
  if (!Array.isArray(values)) throw new RangeError(`${name} must be an array of numbers.`)
  values.forEach((value, i) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`${name}[${i}] is not a finite number (${String(value)}).`)
    }
  })
}
