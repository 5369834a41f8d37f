/**
 * Root of a continuous function by bisection inside a bracket [lower, upper] where the function
 * changes sign.
 *
 * Bisection is slow (one bit per step: about 40 evaluations from a width of 100 to 1e-10) but it
 * cannot fail once a sign change is bracketed, and it tolerates a function that is only accurate to
 * about 1e-8 (jStat's incomplete beta), where faster methods can wander. It halves the bracket until
 * it is narrower than `tolerance`, or until the midpoint can no longer be told apart from an end in
 * double precision.
 *
 * Reference: Press, Teukolsky, Vetterling & Flannery (2007), Numerical Recipes, 3rd ed., §9.1.
 *
 * @param f - the function whose zero is wanted
 * @param lower - one end of the bracket
 * @param upper - the other end; f(lower) and f(upper) must differ in sign (or one be 0)
 * @param tolerance - absolute width of the final bracket (default 1e-10)
 * @returns x with f(x) = 0 to within the bracket width
 * @throws {RangeError} when the bracket does not enclose a sign change or f returns NaN
 * @example
 * // R: uniroot(function(x) x^2 - 2, c(0, 2), tol = 1e-12)$root  # 1.414214
 * bisectRoot((x) => x * x - 2, 0, 2) // => 1.4142135623...
 */
export function bisectRoot(f: (x: number) => number, lower: number, upper: number, tolerance = 1e-10): number {
  let low = lower
  let high = upper
  let fLow = f(low)
  const fHigh = f(high)
  if (Number.isNaN(fLow) || Number.isNaN(fHigh)) throw new RangeError('bisectRoot: the function returned NaN at an end of the bracket.')
  if (fLow === 0) return low
  if (fHigh === 0) return high
  if (Math.sign(fLow) === Math.sign(fHigh)) {
    throw new RangeError(`bisectRoot: f(${lower}) and f(${upper}) have the same sign, so [${lower}, ${upper}] does not bracket a root.`)
  }
  for (;;) {
    const middle = low + (high - low) / 2
    if (Math.abs(high - low) <= tolerance || middle === low || middle === high) return middle
    const fMiddle = f(middle)
    if (Number.isNaN(fMiddle)) throw new RangeError(`bisectRoot: the function returned NaN at ${middle}.`)
    if (fMiddle === 0) return middle
    if (Math.sign(fMiddle) === Math.sign(fLow)) {
      low = middle
      fLow = fMiddle
    } else {
      high = middle
    }
  }
}
