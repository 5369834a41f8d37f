/**
 * How a p-value is printed, on every surface (reports, CSV notes, staff pages): shared by the server
 * and the client, so the rule lives in one place.
 *
 * - p < 0.001: "< 0.001" (APA 7, §6.36);
 * - 0.001 ≤ p < 0.1: three significant digits (0.0499, 0.0120, 0.00314), with more digits where
 *   rounding would carry it across 0.05, 0.01 or 0.001 (0.04996 stays 0.04996, never "0.0500");
 * - p ≥ 0.1: two decimals as APA suggests (0.12, 0.87), and "> 0.99" above 0.99 (p is never 1.00).
 *
 * @param p - a probability in [0, 1]
 * @param format - how to print a number with a given count of decimals (the client passes a
 *   localized one); the default is `toFixed`
 * @throws {RangeError} for p outside [0, 1] or NaN
 * @example
 * formatPValue(0.0499)  // => "0.0499"
 * formatPValue(0.04996) // => "0.04996"
 * formatPValue(0.2345)  // => "0.23"
 * formatPValue(0.0004)  // => "< 0.001"
 */
export function formatPValue(p: number, format: (value: number, fractionDigits: number) => string = (value, digits) => value.toFixed(digits)): string {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`A p-value must be in [0, 1] (got ${p}).`)
  if (p < 0.001) return `< ${format(0.001, 3)}`
  if (p > 0.99) return `> ${format(0.99, 2)}`
  if (p >= 0.1) return format(p, 2)
  let digits = 3 - 1 - Math.floor(Math.log10(p))
  // Never round across a conventional threshold: add digits until the printed value is on p's side.
  while (digits < 15 && [0.05, 0.01].some((threshold) => p < threshold && Number(p.toFixed(digits)) >= threshold)) digits++
  return format(p, digits)
}
