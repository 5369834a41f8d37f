import betainc from '@stdlib/math-base-special-betainc'
import gammaln from '@stdlib/math-base-special-gammaln'
import expm1 from '@stdlib/math-base-special-expm1'
import { pnorm } from './pnorm'
import tCdf from '@stdlib/stats-base-dists-t-cdf'

/**
 * R switches to a normal approximation when δ² > 2·ln 2·1021 (|δ| > 37.62), because the series
 * starts from e^(−δ²/2), which underflows there (R's `pnt.c`: `del*del > 2*M_LN2*(-(DBL_MIN_EXP))`,
 * DBL_MIN_EXP = −1021), and when df > 4·10⁵.
 */
const NORMAL_APPROXIMATION_ABOVE_NCP_SQUARED = 2 * Math.LN2 * 1021
const NORMAL_APPROXIMATION_ABOVE_DF = 4e5

/** AS 243's stopping rule: the bound on the truncation error (R: errmax = 1e-12, itrmax = 1000). */
const ERROR_MAX = 1e-12
const ITERATIONS_MAX = 1000

const LN_SQRT_PI = 0.5 * Math.log(Math.PI)
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI)

/**
 * How P(T ≤ x) was computed: by AS 243's series (accurate to its error bound 1e-12), or by
 * Abramowitz & Stegun's normal approximation 26.7.10, which R also uses for |δ| > 37.62 or
 * df > 4·10⁵ and which is known to be poor in the tails (errors of 1e-3 and more for small df).
 */
export type NoncentralTMethod = 'series' | 'normal approximation'

/**
 * Whether R's `pt(x, df, ncp)`, and so noncentralTCdf, uses the normal approximation for these
 * arguments rather than the AS 243 series.
 *
 * @example
 * noncentralTMethod(2.5, 9, 1.2) // => 'series'
 * noncentralTMethod(40, 10, 38.5) // => 'normal approximation'
 */
export function noncentralTMethod(x: number, df: number, ncp: number): NoncentralTMethod {
  if (ncp === 0 || !Number.isFinite(x)) return 'series'
  const delta = x >= 0 ? ncp : -ncp
  if (x < 0 && ncp > 40) return 'series' // R returns 0 at once (Φ(−ncp) < 1e-300 bounds it)
  return df > NORMAL_APPROXIMATION_ABOVE_DF || delta * delta > NORMAL_APPROXIMATION_ABOVE_NCP_SQUARED ? 'normal approximation' : 'series'
}

/**
 * Noncentral t distribution function: P(T ≤ x) for T = (Z + ncp) / √(χ²_df / df), with Z standard
 * normal independent of χ²_df. A line-by-line port of R's `pnt` (src/nmath/pnt.c, R 4.2), which is
 * Lenth's algorithm AS 243 with Frick's (1990) and R's later corrections, so it equals R's
 * `pt(x, df, ncp)` to rounding (about 1e-15; R sums in long double, we in double).
 *
 * In words: for x ≥ 0, with y = x²/(x² + df) and λ = δ², the probability is Φ(−δ) plus the twin
 * Poisson series of Guenther (1978),
 *   Σ_j [ p_j · I_y(j + ½, df/2) + q_j · I_y(j + 1, df/2) ],
 * p_j = ½e^(−λ/2)(λ/2)^j / j!, q_j = δ·e^(−λ/2)(λ/2)^j / (√2·Γ(j + 3/2)), the incomplete beta
 * functions updated by recurrence from one evaluation each, until the error bound
 * 2·s·(I_y(j + ½) − g) falls below 1e-12 (s the Poisson mass not yet summed). For x < 0,
 * P(T ≤ x; δ) = 1 − P(T ≤ −x; −δ). For |δ| > 37.62 or df > 4·10⁵ it uses, exactly as R does,
 * Abramowitz & Stegun 26.7.10: Φ((x(1 − s) − δ) / √(1 + 2x²s)) with s = 1/(4·df); see
 * noncentralTMethod to tell which was used.
 *
 * References: Lenth, R. V. (1989). Algorithm AS 243: Cumulative distribution function of the
 * non-central t distribution. Applied Statistics 38, 185–189. Frick, H. (1990). AS R84. Applied
 * Statistics 39, 311–312. Guenther, W. C. (1978). Evaluation of probabilities for the noncentral
 * distributions and the difference of two t variables with a desk calculator. Journal of Statistical
 * Computation and Simulation 6, 199–206. Abramowitz & Stegun (1964), 26.7.10. R Core Team, pnt.c.
 *
 * @param x - the quantile
 * @param df - degrees of freedom, > 0
 * @param ncp - noncentrality parameter δ
 * @returns P(T ≤ x)
 * @throws {RangeError} for NaN arguments, df ≤ 0 or a non-finite ncp
 * @example
 * // R: sprintf("%.17g", pt(2.5, 9, 1.2))  # 0.85675819587708183
 * noncentralTCdf(2.5, 9, 1.2) // => 0.8567581958770818
 */
export function noncentralTCdf(x: number, df: number, ncp: number): number {
  if (Number.isNaN(x)) throw new RangeError('noncentralTCdf: x is NaN.')
  if (!(df > 0)) throw new RangeError(`noncentralTCdf: df must be > 0 (got ${df}).`)
  if (!Number.isFinite(ncp)) throw new RangeError(`noncentralTCdf: ncp must be a finite number (got ${ncp}).`)
  if (ncp === 0) return tCdf(x, df)
  if (x === Infinity) return 1
  if (x === -Infinity) return 0

  let negated: boolean
  let t: number
  let delta: number
  if (x >= 0) {
    negated = false
    t = x
    delta = ncp
  } else {
    // R: pt(q, df, ncp) ≤ pt(0, df, ncp) = Φ(−ncp) < 1e-300 here.
    if (ncp > 40) return 0
    negated = true
    t = -x
    delta = -ncp
  }

  if (df > NORMAL_APPROXIMATION_ABOVE_DF || delta * delta > NORMAL_APPROXIMATION_ABOVE_NCP_SQUARED) {
    const s = 1 / (4 * df)
    const z = (t * (1 - s) - delta) / Math.sqrt(1 + t * t * 2 * s)
    return negated ? pnorm(-z) : pnorm(z)
  }

  let y = x * x
  y = y / (y + df)
  let tnc = 0
  if (y > 0) {
    const lambda = delta * delta
    let p = 0.5 * Math.exp(-0.5 * lambda)
    if (p === 0) return negated ? 1 : 0 // cannot happen below the switch above; R returns 0 too
    let q = SQRT_2_OVER_PI * p * delta
    let s = 0.5 - p
    if (s < 1e-7) s = -0.5 * expm1(-0.5 * lambda)
    let a = 0.5
    const b = 0.5 * df
    // (1 − y)^b computed as (df / (x² + df))^b, accurately when x² ≪ df.
    const rxb = Math.pow(df / (x * x + df), b)
    const logBeta = LN_SQRT_PI + gammaln(b) - gammaln(0.5 + b)
    let xodd = betainc(y, a, b)
    let godd = 2 * rxb * Math.exp(a * Math.log(y) - logBeta)
    const bx = b * y
    let xeven = bx < Number.EPSILON ? bx : 1 - rxb
    let geven = bx * rxb
    tnc = p * xodd + q * xeven
    for (let it = 1; it <= ITERATIONS_MAX; it++) {
      a += 1
      xodd -= godd
      xeven -= geven
      godd *= (y * (a + b - 1)) / a
      geven *= (y * (a + b - 0.5)) / (a + 0.5)
      p *= lambda / (2 * it)
      q *= lambda / (2 * it + 1)
      tnc += p * xodd + q * xeven
      s -= p
      // R 2.4.0: rounding error has eaten the remaining mass (R warns "full precision may not
      // have been achieved"); stop where R stops.
      if (s < -1e-10) break
      if (s <= 0 && it > 1) break
      const errorBound = 2 * s * (xodd - godd)
      if (Math.abs(errorBound) < ERROR_MAX) break
    }
  }
  tnc += pnorm(-delta)
  const value = Math.min(tnc, 1)
  return negated ? 0.5 - value + 0.5 : value
}
