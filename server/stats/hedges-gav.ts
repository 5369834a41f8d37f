import { cohensDav } from './cohens-dav'

/**
 * Hedges's g_av: Cohen's d_av with Hedges's small-sample bias correction, as Lakens (2013) computes
 * it.
 *
 * In words: d_av × (1 − 3 / (4·(n₁ + n₂) − 9)) with n₁ = n₂ = N, the number of pairs, i.e.
 * d_av × (1 − 3 / (8N − 9)). Lakens takes the correction factor of the between-subjects formula
 * with both "groups" of size N (so does pingouin). This is a convention, not the only one: a
 * correction with df = N − 1, 1 − 3/(4(N − 1) − 1), is also in use and corrects more strongly.
 * With the paper's movie-rating example (N = 10, reconstructed from its reported means, SDs and
 * t(9) = 4.74) this gives d_av = 1.13 and g_av = 1.08, the values the paper reports; the df = N − 1
 * factor would give 1.03.
 *
 * References: Lakens, D. (2013). Frontiers in Psychology 4:863 (section on d_av and g_av);
 * Hedges, L. V. & Olkin, I. (1985). Statistical Methods for Meta-Analysis, ch. 5.
 *
 * @param post - scores at the later occasion
 * @param pre - scores at the earlier occasion, same participant order
 * @throws {RangeError} as cohensDav
 * @example
 * // R: m1 <- c(9,7,8,9,8,9,9,10,9,9); m2 <- c(9,6,7,8,7,9,8,8,8,7); N <- 10
 * //    mean(m1 - m2) / ((sd(m1) + sd(m2)) / 2) * (1 - 3 / (4 * 2 * N - 9))   # 1.081005
 * hedgesGav([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]) // => 1.08100...
 */
export function hedgesGav(post: number[], pre: number[]): number {
  const dav = cohensDav(post, pre) // validates the pairs
  const pairs = post.length
  return dav * (1 - 3 / (4 * (pairs + pairs) - 9))
}
