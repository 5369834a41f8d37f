import { mean, sampleStandardDeviation } from 'simple-statistics'
import { pairedDifferences } from './paired-differences'
import { noncentralTCdf, noncentralTMethod, type NoncentralTMethod } from './noncentral-t-cdf'
import { bisectRoot } from './root-find'

/**
 * Cohen's d_z, the standardized mean change of paired data, with its 95% confidence interval by
 * the noncentral t method.
 *
 * In words: d_z is the mean of the differences post − pre divided by their standard deviation
 * (denominator n − 1); it equals t/√n of the paired t-test. For the CI, t_obs = d_z·√n follows a
 * noncentral t with n − 1 degrees of freedom and noncentrality δ = true d_z·√n. The lower limit is
 * the δ_L at which t_obs is the 97.5th percentile (P(T ≤ t_obs | δ_L) = 0.975) and the upper limit
 * the δ_U at which it is the 2.5th percentile (P(T ≤ t_obs | δ_U) = 0.025); both divided by √n.
 * The δ are found by bisection to full double precision inside a bracket around t_obs, widened
 * until it holds the root. Equal to MBESS / effectsize, and to R to 1e-10:
 *   tobs <- t.test(post, pre, paired = TRUE)$statistic; df <- n - 1
 *   uniroot(function(l) pt(tobs, df, l) - 0.975, c(-50, 50), tol = 1e-13)$root / sqrt(n)
 * because noncentralTCdf is a port of R's `pt`. Where a limit lies beyond |δ| = 37.62 (or n > 4·10⁵),
 * R's `pt`, and so this CI, rests on a normal approximation that is poor in the tails;
 * `ciMethod` is then 'normal approximation' and the report says so.
 *
 * The sign follows post − pre: on a symptom scale an improvement gives a negative d_z.
 * Differences that are (essentially) constant are rejected as in pairedTTest: d_z would be
 * infinite or a ratio of rounding errors.
 *
 * References: Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
 * science: a practical primer for t-tests and ANOVAs. Frontiers in Psychology 4:863.
 * Steiger, J. H. & Fouladi, R. T. (1997). Noncentrality interval estimation and the evaluation of
 * statistical models. In Harlow, Mulaik & Steiger (eds), What if there were no significance tests?
 * Cumming, G. & Finch, S. (2001). Educational and Psychological Measurement 61, 532–574.
 *
 * @param post - scores at the later occasion
 * @param pre - scores at the earlier occasion, same participant order
 * @throws {RangeError} unequal lengths, non-finite values, fewer than 2 pairs, constant differences
 * @example
 * // R: d <- with(sleep, extra[group == 2] - extra[group == 1]); mean(d) / sd(d)   # 1.284558
 * //    tobs <- t.test(d)$statistic   # 4.062128
 * //    uniroot(function(l) pt(tobs, 9, l) - 0.975, c(-50, 50), tol = 1e-12)$root / sqrt(10)  # 0.4146278
 * //    uniroot(function(l) pt(tobs, 9, l) - 0.025, c(-50, 50), tol = 1e-12)$root / sqrt(10)  # 2.118017
 * cohensDz(extra2, extra1) // => { dz: 1.28455..., ci95: [0.41462..., 2.11801...] }
 */
export function cohensDz(post: number[], pre: number[]): { dz: number; ci95: [number, number]; ciMethod: NoncentralTMethod } {
  const differences = pairedDifferences(post, pre)
  const n = differences.length
  if (n < 2) throw new RangeError(`Cohen's d_z needs at least 2 pairs (got ${n}).`)
  const meanDifference = mean(differences)
  const sdDifference = sampleStandardDeviation(differences)
  const standardError = sdDifference / Math.sqrt(n)
  if (sdDifference === 0 || standardError < 10 * Number.EPSILON * Math.abs(meanDifference)) {
    throw new RangeError("The differences post − pre are (essentially) constant, so Cohen's d_z is undefined.")
  }

  const dz = meanDifference / sdDifference
  return { dz, ...cohensDzConfidenceInterval(meanDifference / standardError, n) }
}

/**
 * The 95% confidence interval of d_z from the paired t statistic, by the noncentral t method (see
 * cohensDz): the δ with P(T_{n−1, δ} ≤ t) = 0.975 and 0.025, each divided by √n.
 *
 * @param tObserved - the paired t statistic, mean(d) / (sd(d)/√n)
 * @param n - the number of pairs, ≥ 2
 * @returns the limits and whether R's normal approximation was used at either of them
 * @throws {RangeError} for a non-finite t or n < 2
 * @example
 * // R: tobs <- 3 * sqrt(10)
 * //    uniroot(function(l) pt(tobs, 9, l) - 0.975, c(-50, 50), tol = 1e-13)$root / sqrt(10)  # 1.4922583998643442
 * cohensDzConfidenceInterval(3 * Math.sqrt(10), 10).ci95[0] // => 1.49225839986...
 */
export function cohensDzConfidenceInterval(tObserved: number, n: number): { ci95: [number, number]; ciMethod: NoncentralTMethod } {
  if (!Number.isFinite(tObserved)) throw new RangeError(`The t statistic must be finite (got ${tObserved}).`)
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`Cohen's d_z needs at least 2 pairs (got ${n}).`)
  const df = n - 1
  const lower = noncentralityWithCdf(tObserved, df, 0.975)
  const upper = noncentralityWithCdf(tObserved, df, 0.025)
  const approximated = [lower, upper].some((delta) => noncentralTMethod(tObserved, df, delta) === 'normal approximation')
  return { ci95: [lower / Math.sqrt(n), upper / Math.sqrt(n)], ciMethod: approximated ? 'normal approximation' : 'series' }
}

/** The largest |δ| at which R's pt, and noncentralTCdf, still use the AS 243 series. */
const SERIES_LIMIT = Math.sqrt(2 * Math.LN2 * 1021) * (1 - 1e-12)

/**
 * The noncentrality δ with P(T_{df, δ} ≤ t) = probability. The exact P(T ≤ t) falls as δ grows, and
 * the AS 243 series computes it accurately for |δ| ≤ 37.62, so a root there is searched first, over
 * the whole series range. Only when the root lies beyond it is the bracket walked out, on that side
 * of the range, in steps that double, starting at about four standard deviations of T (statistics.md
 * A3): R's normal approximation takes over there, which is not monotone in δ where it joins the
 * series, so a search across the join could stop at a spurious root. Where the approximation has no
 * root on that side, the root found is the join (|δ| = 37.62), as R's uniroot finds it.
 */
function noncentralityWithCdf(t: number, df: number, probability: number): number {
  const excess = (delta: number) => noncentralTCdf(t, df, delta) - probability
  const first = 4 * Math.sqrt(1 + (t * t) / (2 * df)) + 1
  let low = t - first
  let high = t + first
  if (df <= 4e5) {
    const atLowest = excess(-SERIES_LIMIT)
    const atHighest = excess(SERIES_LIMIT)
    if (atLowest >= 0 && atHighest <= 0) return bisectRoot(excess, -SERIES_LIMIT, SERIES_LIMIT, 0)
    // Beyond the series range, the search stays on the side of it where the root is: a bracket
    // across the range met the joins, and with 2 pairs and t in the thousands its bisection stopped
    // at a root of the approximation on the far side (a lower limit below zero for t = 4001).
    // Where the approximation has no root on its side, the root found is the join itself, as R's
    // uniroot finds it.
    if (atHighest > 0) {
      low = SERIES_LIMIT
      high = Math.max(high, SERIES_LIMIT + first)
    } else {
      high = -SERIES_LIMIT
      low = Math.min(low, -SERIES_LIMIT - first)
    }
  }
  let step = first
  for (let i = 0; excess(low) < 0; i++) {
    if (i > 60) throw new RangeError(`Could not bracket the lower noncentrality for t = ${t}, df = ${df}.`)
    step *= 2
    low = Math.min(t, high) - step
  }
  step = first
  for (let i = 0; excess(high) > 0; i++) {
    if (i > 60) throw new RangeError(`Could not bracket the upper noncentrality for t = ${t}, df = ${df}.`)
    step *= 2
    high = Math.max(t, low) + step
  }
  return bisectRoot(excess, low, high, 0)
}
