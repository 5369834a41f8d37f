/**
 * Paired differences: d_i = post_i − pre_i, one per pair, after checking that the two arrays are
 * pairs at all.
 *
 * Every paired statistic in this folder starts here, so they all reject the same inputs in the same
 * words. Incomplete pairs are deliberately NOT dropped (R's `t.test(paired = TRUE)` and
 * `wilcox.test(paired = TRUE)` drop them silently via `complete.cases`): which pairs are complete is
 * a decision the caller must make and report, so a missing value here is an error.
 *
 * @param post - scores at the later occasion
 * @param pre - scores at the earlier occasion, in the same participant order
 * @returns post[i] − pre[i] for every i
 * @throws {RangeError} when the lengths differ, any value is not a finite number, or a difference
 *   overflows (beyond ±1.8e308)
 * @example
 * pairedDifferences([5, 7, 4], [6, 4, 4]) // => [-1, 3, 0]
 */
export function pairedDifferences(post: readonly number[], pre: readonly number[]): number[] {
  if (!Array.isArray(post) || !Array.isArray(pre)) {
    throw new RangeError('post and pre must both be arrays of numbers.')
  }
  if (post.length !== pre.length) {
    throw new RangeError(`post and pre must have the same length (got ${post.length} and ${pre.length}); pair the scores by participant first.`)
  }
  return post.map((after, i) => {
    const before = pre[i]
    if (typeof after !== 'number' || !Number.isFinite(after)) {
      throw new RangeError(`post[${i}] is not a finite number (${String(after)}); drop incomplete pairs before calling.`)
    }
    if (typeof before !== 'number' || !Number.isFinite(before)) {
      throw new RangeError(`pre[${i}] is not a finite number (${String(before)}); drop incomplete pairs before calling.`)
    }
    const difference = after - before
    // R stops here too (t.test: "missing value where TRUE/FALSE needed"); a NaN statistic would
    // otherwise reach the p-value adjustment of every scale.
    if (!Number.isFinite(difference)) throw new RangeError(`post[${i}] − pre[${i}] is too large to compute (${after} − ${before}).`)
    return difference
  })
}
