import { mean, sampleStandardDeviation } from 'simple-statistics'
import tCdf from '@stdlib/stats-base-dists-t-cdf'
import tQuantile from '@stdlib/stats-base-dists-t-quantile'
import { pairedDifferences } from './paired-differences'

export type PairedTTest = {
  /** number of pairs */
  n: number
  /** mean of post − pre */
  meanDifference: number
  /** standard deviation of post − pre (denominator n − 1) */
  sdDifference: number
  /** sdDifference / √n (R's `$stderr`) */
  standardError: number
  t: number
  /** n − 1 */
  df: number
  /** two-sided p-value */
  p: number
  /** 95% confidence interval of the mean difference */
  ci95: [number, number]
}

/**
 * Paired t-test (Student's t-test for dependent samples), on the differences post − pre, two-sided,
 * against a mean difference of 0.
 *
 * In words: take each participant's change d = post − pre; t is the mean change divided by its
 * standard error (the SD of the changes, denominator n − 1, over √n); the p-value is twice the upper
 * tail of Student's t with n − 1 degrees of freedom beyond |t|; the 95% CI is
 * (t ± t_{0.975, n−1}) · SE, i.e. mean ± t_{0.975, n−1} · SE, computed in R's order.
 * Equal to R's `t.test(post, pre, paired = TRUE)`.
 *
 * Differences from R, on purpose: incomplete pairs are an error rather than dropped (see
 * pairedDifferences), and where R returns t = NaN for differences that are all zero, this throws.
 *
 * Reference: Student (1908), The probable error of a mean, Biometrika 6, 1–25; R's
 * `stats:::t.test.default`.
 *
 * @param post - scores at the later occasion
 * @param pre - scores at the earlier occasion, same participant order
 * @throws {RangeError} unequal lengths, non-finite values, fewer than 2 pairs, or differences that
 *   are constant (R: "data are essentially constant": SE < 10·ε·|mean|, or SD = 0)
 * @example
 * // R: with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE))
 * //    t = 4.0621, df = 9, p-value = 0.002833, 95% CI 0.7001142 2.4598858, mean difference 1.58
 * const extra1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
 * const extra2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
 * pairedTTest(extra2, extra1) // => { n: 10, meanDifference: 1.58, t: 4.0621..., df: 9, p: 0.002832890..., ... }
 */
export function pairedTTest(post: number[], pre: number[]): PairedTTest {
  const differences = pairedDifferences(post, pre)
  const n = differences.length
  if (n < 2) throw new RangeError(`A paired t-test needs at least 2 pairs (got ${n}).`)

  const meanDifference = mean(differences)
  const sdDifference = sampleStandardDeviation(differences)
  const standardError = sdDifference / Math.sqrt(n)
  // R's test, t.test.default: stderr < 10 * .Machine$double.eps * abs(mx)
  if (sdDifference === 0 || standardError < 10 * Number.EPSILON * Math.abs(meanDifference)) {
    throw new RangeError('The differences post − pre are (essentially) constant, so the paired t-test is undefined.')
  }

  const t = meanDifference / standardError
  const df = n - 1
  const p = 2 * tCdf(-Math.abs(t), df)
  const criticalValue = tQuantile(0.975, df)
  const ci95: [number, number] = [(t - criticalValue) * standardError, (t + criticalValue) * standardError]
  return { n, meanDifference, sdDifference, standardError, t, df, p, ci95 }
}
