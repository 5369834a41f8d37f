import jStat from 'jstat'
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'
import tCdf from '@stdlib/stats-base-dists-t-cdf'

/**
 * R switches to a normal approximation when δ² > 2·ln 2·1021 (|δ| > 37.62), because its series
 * starts from e^(−δ²/2), which underflows there (R's `pnt.c`: `del*del > 2*M_LN2*(-(DBL_MIN_EXP))`,
 * DBL_MIN_EXP = −1021). We copy the switch, not the reason, so that our numbers equal R's `pt`.
 */
const NORMAL_APPROXIMATION_ABOVE_NCP_SQUARED = 2 * Math.LN2 * 1021

/** Terms of the Poisson mixture smaller than this (weights sum to 1) are left out. */
const NEGLIGIBLE_WEIGHT = 1e-20

/**
 * Noncentral t distribution function: P(T ≤ x) for T = (Z + ncp) / √(χ²_df / df), with Z standard
 * normal independent of χ²_df. Equal to R's `pt(x, df, ncp)` to about 1e-8 (the accuracy of jStat's
 * incomplete beta function, which it uses).
 *
 * In words: for x ≥ 0 the probability is Φ(−δ) plus half a Poisson(δ²/2)-weighted sum of
 * incomplete beta functions at y = x²/(x² + df),
 *   P(T ≤ x) = Φ(−δ) + ½ Σ_j [ P_j · I_y(j + ½, df/2) + sign(δ) · Q_j · I_y(j + 1, df/2) ],
 * with P_j = e^(−λ) λ^j / j! and Q_j = e^(−λ) λ^(j+½) / Γ(j + 3/2), λ = δ²/2; for x < 0,
 * P(T ≤ x; δ) = 1 − P(T ≤ −x; −δ). The sum starts at the largest Poisson weight (j = ⌊λ⌋) and runs
 * outwards in both directions until the weights are negligible (Benton & Krishnamoorthy 2003), so
 * it stays accurate for large δ. For |δ| > 37.62 or df > 4·10⁵ it uses, exactly as R does,
 * Abramowitz & Stegun 26.7.10: Φ((x(1 − s) − δ) / √(1 + 2x²s)) with s = 1/(4·df).
 *
 * Why not `jStat.noncentralt.cdf`: it sums the same series from j = 0 and stops after 200 terms once
 * a term is below 1e-14, so for |ncp| above about 20 it stops before the Poisson weights (which peak
 * at j ≈ δ²/2) have begun, and returns 0 or 1 where R's `pt` gives e.g. 0.94 (checked:
 * `pt(38, 30, 30)` = 0.942, jStat 2e-40). A d_z CI for five pairs with very consistent change
 * needs exactly that range.
 *
 * References: Lenth, R. V. (1989). Algorithm AS 243: Cumulative distribution function of the
 * non-central t distribution. Applied Statistics 38, 185–189. Benton, D. & Krishnamoorthy, K.
 * (2003). Computing discrete mixtures of continuous distributions: noncentral chisquare, noncentral t
 * and the distribution of the square of the sample multiple correlation coefficient. Computational
 * Statistics & Data Analysis 43, 249–267. Abramowitz & Stegun (1964), 26.7.10.
 *
 * @param x - the quantile
 * @param df - degrees of freedom, > 0
 * @param ncp - noncentrality parameter δ
 * @returns P(T ≤ x)
 * @throws {RangeError} for NaN arguments, df ≤ 0 or a non-finite ncp
 * @example
 * // R: pt(2.5, 9, 1.2)  # 0.8567582
 * noncentralTCdf(2.5, 9, 1.2) // => 0.85675819...
 */
export function noncentralTCdf(x: number, df: number, ncp: number): number {
  if (Number.isNaN(x)) throw new RangeError('noncentralTCdf: x is NaN.')
  if (!(df > 0)) throw new RangeError(`noncentralTCdf: df must be > 0 (got ${df}).`)
  if (!Number.isFinite(ncp)) throw new RangeError(`noncentralTCdf: ncp must be a finite number (got ${ncp}).`)
  if (ncp === 0) return tCdf(x, df)
  if (x === Infinity) return 1
  if (x === -Infinity) return 0

  // Work with x ≥ 0 and take the complement for x < 0, as R does.
  const negated = x < 0
  // R's shortcut: P(T ≤ x) ≤ P(T ≤ 0) = Φ(−ncp) < 1e-300 for x < 0 and ncp > 40.
  if (negated && ncp > 40) return 0
  const t = Math.abs(x)
  const delta = negated ? -ncp : ncp

  if (df > 4e5 || delta * delta > NORMAL_APPROXIMATION_ABOVE_NCP_SQUARED) {
    const s = 1 / (4 * df)
    const z = (t * (1 - s) - delta) / Math.sqrt(1 + t * t * 2 * s)
    return negated ? normalCdf(-z, 0, 1) : normalCdf(z, 0, 1)
  }

  const upToT = Math.min(1, poissonMixtureCdf(t, df, delta))
  return negated ? 0.5 - upToT + 0.5 : upToT
}

/** P(T ≤ t) for t ≥ 0 by the Poisson mixture, summed outwards from its largest weight. */
function poissonMixtureCdf(t: number, df: number, delta: number): number {
  const base = normalCdf(-delta, 0, 1)
  const y = (t * t) / (t * t + df)
  if (y === 0) return base
  const lambda = (delta * delta) / 2
  if (lambda === 0) return tCdf(t, df) // δ so small that δ² underflows: the central t
  const logLambda = Math.log(lambda)
  const sign = Math.sign(delta)
  const halfDf = df / 2

  const term = (j: number): { weight: number; value: number } => {
    const poisson = Math.exp(-lambda + j * logLambda - jStat.gammaln(j + 1))
    const halfStep = Math.exp(-lambda + (j + 0.5) * logLambda - jStat.gammaln(j + 1.5))
    return {
      weight: poisson + halfStep,
      value: poisson * jStat.beta.cdf(y, j + 0.5, halfDf) + sign * halfStep * jStat.beta.cdf(y, j + 1, halfDf),
    }
  }

  const mode = Math.floor(lambda)
  let sum = 0
  for (let j = mode; j <= mode + 100_000; j++) {
    const { weight, value } = term(j)
    sum += value
    if (weight < NEGLIGIBLE_WEIGHT) break
  }
  for (let j = mode - 1; j >= 0; j--) {
    const { weight, value } = term(j)
    sum += value
    if (weight < NEGLIGIBLE_WEIGHT) break
  }
  return base + sum / 2
}
