/**
 * Why a released figure is not shown (server/domain/outcomes/release.ts), as a code with its numbers,
 * so that the page can say it in the reader's language; `withheldText` is the English sentence a
 * release also keeps in its JSON (`withheld`: what the API gives, and all that releases made before the
 * codes have). The release's CSV and Markdown files give no reasons.
 */
export type WithheldReason =
  /** Fewer complete pairs than the policy's minimum behind any statistic. */
  | { code: 'fewer_pairs'; minN: number }
  /** Median, quartiles, Wilcoxon V and reliable-change counts need more pairs (the policy's orderMinN). */
  | { code: 'order_statistics'; orderMinN: number }
  | { code: 'same_score' }
  | { code: 'not_computable' }
  | { code: 'mean_at_end' }
  | { code: 'same_change' }
  /**
   * A whole scale withheld because its scores are too alike to show: one wave's at the same score or
   * with its mean at an end of the scale, or everyone's change the same. Every figure of the scale
   * goes, since each of the others gives the withheld one back (the other wave's mean plus the mean
   * change), and the reason does not say which, since that alone tells something of everyone.
   */
  | { code: 'protect_individuals' }
  /** The same scores shown elsewhere in this release over a group that differs by `differing` people, fewer than minN. */
  | { code: 'overlapping_group'; differing: number; minN: number }
  /** Table 1: fewer answers than the policy's minimum. */
  | { code: 'fewer_answers'; minN: number }
  | { code: 'same_answer' }

export type WithheldCode = WithheldReason['code']

/**
 * The English sentence of a reason, as releases have always written it.
 *
 * @example
 * withheldText({ code: 'fewer_pairs', minN: 10 }) // => 'fewer than 10 complete pairs'
 */
export function withheldText(reason: WithheldReason): string {
  switch (reason.code) {
    case 'fewer_pairs':
      return `fewer than ${reason.minN} complete pairs`
    case 'order_statistics':
      return `median, quartiles, Wilcoxon V and counts of reliable change need at least ${reason.orderMinN} pairs: at small n they are single people's scores, ranks or directions of change`
    case 'same_score':
      return 'every participant had the same score'
    case 'not_computable':
      return 'not computable'
    case 'mean_at_end':
      return 'the mean is at an end of the scale: it would tell nearly every participant their score'
    case 'same_change':
      return 'every participant changed by the same amount'
    case 'protect_individuals':
      return 'withheld to protect individual participants'
    case 'overlapping_group':
      return `the same scores are shown above over a group that differs from this one by ${reason.differing} participant(s): fewer than ${reason.minN}`
    case 'fewer_answers':
      return `fewer than ${reason.minN} answers`
    case 'same_answer':
      return 'everyone gave the same answer'
  }
}
