import normalCdf from '@stdlib/stats-base-dists-normal-cdf'

/**
 * R's `pnorm(x)` below it is exactly 0, and above the next bound exactly 1 (R's `pnorm.c`: outside
 * −37.5193 < x < 8.2924 the lower tail is 0 or 1), where stdlib's CDF goes on into subnormal numbers
 * (at z = −37.75, 6.4e−312 against R's 0).
 */
const R_LOWER_TAIL_ZERO_AT = -37.5193
const R_LOWER_TAIL_ONE_AT = 8.2924

/**
 * The standard normal distribution function Φ(x), as R's `pnorm(x)` gives it (lower tail): stdlib's
 * @stdlib/stats-base-dists-normal-cdf, with R's underflow to exactly 0 and 1 in the far tails, so that
 * a p-value R prints as 0 is 0 here too.
 *
 * @example
 * pnorm(-1.959963984540054) // => 0.025 (R: pnorm(qnorm(0.025)))
 * pnorm(-37.76)             // => 0     (R: pnorm(-37.76) is 0)
 */
export function pnorm(x: number): number {
  if (x <= R_LOWER_TAIL_ZERO_AT) return 0
  if (x >= R_LOWER_TAIL_ONE_AT) return 1
  return normalCdf(x, 0, 1)
}
