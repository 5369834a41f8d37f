import { mean } from 'simple-statistics'
import { sampleSd } from './sample-sd'
import { pairedDifferences } from './paired-differences'
import { isConstant } from './is-constant'

/**
 * Cohen's d_av: the mean change standardized by the average of the two occasions' standard
 * deviations, the repeated-measures effect size that Lakens (2013) recommends for comparing with
 * between-subjects designs because it ignores the pre–post correlation.
 *
 * In words: mean of (post − pre) divided by ((SD_pre + SD_post) / 2), both SDs with denominator
 * n − 1. This is Lakens's arithmetic mean of the two SDs; Cumming (2012) and pingouin use the root
 * mean square √((SD_pre² + SD_post²)/2) instead, which gives a slightly smaller d when the SDs differ.
 * The sign follows post − pre.
 *
 * Reference: Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
 * science: a practical primer for t-tests and ANOVAs. Frontiers in Psychology 4:863.
 *
 * @param post - scores at the later occasion
 * @param pre - scores at the earlier occasion, same participant order
 * @throws {RangeError} unequal lengths, non-finite values, fewer than 2 pairs, or both occasions
 *   without any spread (SD_pre + SD_post = 0)
 * @example
 * // Lakens (2013) movie ratings (movie 1 as post, movie 2 as pre); paper: d_av = 1.13
 * // R: m1 <- c(9,7,8,9,8,9,9,10,9,9); m2 <- c(9,6,7,8,7,9,8,8,8,7)
 * //    mean(m1 - m2) / ((sd(m1) + sd(m2)) / 2)   # 1.128696
 * cohensDav([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]) // => 1.12869...
 */
export function cohensDav(post: number[], pre: number[]): number {
  const differences = pairedDifferences(post, pre)
  const n = differences.length
  if (n < 2) throw new RangeError(`Cohen's d_av needs at least 2 pairs (got ${n}).`)
  if (isConstant(pre) && isConstant(post)) {
    throw new RangeError("Both occasions have zero standard deviation, so Cohen's d_av is undefined.")
  }
  const averageSd = (sampleSd(pre) + sampleSd(post)) / 2
  return mean(differences) / averageSd
}
