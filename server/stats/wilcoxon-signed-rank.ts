import { pnorm } from './pnorm'
import signrankCdf from '@stdlib/stats-base-dists-signrank-cdf'
import { pairedDifferences } from './paired-differences'

export type WilcoxonSignedRank = {
  /** sum of the ranks of |post − pre| over the pairs with post > pre (R's statistic V) */
  V: number
  /** two-sided p-value */
  p: number
  /** exact null distribution, or normal approximation with tie and continuity correction */
  method: 'exact' | 'normal'
  /** number of pairs with post ≠ pre (the n of the test) */
  nonZero: number
  /** number of pairs with post = pre, dropped before ranking */
  zeros: number
  /** whether any |post − pre| values are tied among the non-zero differences */
  ties: boolean
  /** the continuity-corrected z of the normal approximation; null for the exact method */
  z: number | null
}

/**
 * Wilcoxon signed-rank test for paired data, two-sided, as R ≤ 4.5 computes it
 * (`wilcox.test(post, pre, paired = TRUE)` with its defaults, checked on R 4.2.2).
 *
 * In words: take the differences d = post − pre and drop those equal to zero; rank the remaining
 * |d| from 1 (smallest) with tied values sharing their average rank; V is the sum of the ranks of
 * the positive differences. With n' non-zero differences:
 * - exact, when n' < 50 and there are no ties and no zeros: p = 2·P(V* ≤ V) if V ≤ n'(n'+1)/4,
 *   otherwise 2·P(V* ≥ V), capped at 1, where V* is the signed-rank null distribution
 *   (P(V* ≥ V) is computed as P(V* ≤ n'(n'+1)/2 − V) by symmetry, so small p stay accurate);
 * - otherwise the normal approximation: z = (V − n'(n'+1)/4 − ½·sign(V − n'(n'+1)/4)) / σ with
 *   σ² = n'(n'+1)(2n'+1)/24 − Σ(t³ − t)/48 over the groups of t tied |d|, and
 *   p = 2·min(Φ(z), 1 − Φ(z)).
 * The exact distribution comes from @stdlib/stats-base-dists-signrank-cdf (exact integer counts).
 * R 4.6 changed the exact branch when there are zeros or ties (Pratt ranks, conditional exact
 * distribution; shared/reference/statistics.md A2.2), so with zeros or ties below 50 pairs R 4.6
 * gives other p-values; this follows R 4.2–4.5 (A2.1), the R the project checks against.
 *
 * Edge cases, decided here: at least one non-zero difference is required. All differences zero
 * (R gives V = 0 and p-value NA, with warnings) throws RangeError, as do empty arrays (R: "not enough (non-missing)
 * 'x' observations"). A single non-zero difference is allowed, as in R, and gives p = 1.
 * Incomplete pairs are an error, not dropped (see pairedDifferences).
 *
 * References: Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin
 * 1, 80–83. Hollander, M., Wolfe, D. A. & Chicken, E. (2014). Nonparametric Statistical Methods,
 * 3rd ed., ch. 3. R's `stats:::wilcox.test.default`.
 *
 * @param post - scores at the later occasion
 * @param pre - scores at the earlier occasion, same participant order
 * @throws {RangeError} unequal lengths, non-finite values, no pairs, or all differences zero
 * @example
 * // R: with(sleep, wilcox.test(extra[group == 2], extra[group == 1], paired = TRUE))
 * //    V = 45, p-value = 0.009091 (normal: there is a zero and ties)
 * wilcoxonSignedRank(extra2, extra1) // => { V: 45, p: 0.009090..., method: 'normal', nonZero: 9, zeros: 1, ties: true, z: 2.60862... }
 */
export function wilcoxonSignedRank(post: number[], pre: number[]): WilcoxonSignedRank {
  const differences = pairedDifferences(post, pre)
  if (differences.length === 0) throw new RangeError('The Wilcoxon signed-rank test needs at least 1 pair (got 0).')
  const nonZeroDifferences = differences.filter((d) => d !== 0)
  const nonZero = nonZeroDifferences.length
  const zeros = differences.length - nonZero
  if (nonZero === 0) {
    throw new RangeError('All differences post − pre are zero, so the Wilcoxon signed-rank test is undefined.')
  }

  const { V, tieGroupSizes } = positiveRankSum(nonZeroDifferences)
  const ties = tieGroupSizes.some((size) => size > 1)
  const expected = (nonZero * (nonZero + 1)) / 4

  if (nonZero < 50 && !ties && zeros === 0) {
    const maximum = (nonZero * (nonZero + 1)) / 2
    const tail = V > expected ? signrankCdf(maximum - V, nonZero) : signrankCdf(V, nonZero)
    return { V, p: Math.min(1, 2 * tail), method: 'exact', nonZero, zeros, ties, z: null }
  }

  const tieCorrection = tieGroupSizes.reduce((sum, t) => sum + (t * t * t - t), 0) / 48
  const sigma = Math.sqrt((nonZero * (nonZero + 1) * (2 * nonZero + 1)) / 24 - tieCorrection)
  const continuityCorrection = 0.5 * Math.sign(V - expected)
  const z = (V - expected - continuityCorrection) / sigma
  const p = Math.min(1, 2 * Math.min(pnorm(z), pnorm(-z)))
  return { V, p, method: 'normal', nonZero, zeros, ties, z }
}

/**
 * V = Σ rank(|d|) over the positive d, with tied |d| sharing their average rank (R's `rank`,
 * ties.method = "average", exact double equality), and the sizes of the groups of tied |d|.
 */
function positiveRankSum(differences: number[]): { V: number; tieGroupSizes: number[] } {
  // Every |d| and the positive d's |d|, each sorted in native code (typed arrays, no object per
  // difference: issue 16); walking both together gives each group of tied |d| its size and how many
  // of it are positive, group by group from the smallest, as sorting (|d|, sign) pairs did.
  const sizes = new Float64Array(differences.length)
  let positiveCount = 0
  for (let i = 0; i < differences.length; i++) {
    sizes[i] = Math.abs(differences[i]!)
    if (differences[i]! > 0) positiveCount++
  }
  const positiveSizes = new Float64Array(positiveCount)
  for (let i = 0, j = 0; i < differences.length; i++) if (differences[i]! > 0) positiveSizes[j++] = differences[i]!
  sizes.sort()
  positiveSizes.sort()
  const tieGroupSizes: number[] = []
  let V = 0
  let ranksUsed = 0
  let p = 0
  for (let i = 0; i < sizes.length; ) {
    const size = sizes[i]!
    let count = 0
    while (i < sizes.length && sizes[i] === size) {
      count++
      i++
    }
    let positives = 0
    while (p < positiveSizes.length && positiveSizes[p] === size) {
      positives++
      p++
    }
    V += positives * (ranksUsed + (count + 1) / 2) // the group holds ranks ranksUsed+1 .. ranksUsed+count
    ranksUsed += count
    tieGroupSizes.push(count)
  }
  return { V, tieGroupSizes }
}
