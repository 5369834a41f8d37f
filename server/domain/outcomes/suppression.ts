/**
 * Small-cell suppression for what program leads see: no figure built from fewer than `minCellSize`
 * participants (Balint group members feared being judged by their hospital).
 */

/** A count, or null when it is from 1 to minCellSize − 1. Zero is shown: it identifies nobody. */
export function suppressCount(n: number, minCellSize: number): number | null {
  return n > 0 && n < minCellSize ? null : n
}

/**
 * The counts of one breakdown whose total is shown (sex, or reliable-change classes). Small counts
 * are hidden; when only one is hidden it could be worked out as the total minus the others, so the
 * next smallest non-zero count is hidden too (secondary suppression).
 *
 * @example
 * suppressBreakdown([5, 1, 0], 5) // [null, null, 0]: 1 is small, and 5 would give it away
 */
export function suppressBreakdown(counts: number[], minCellSize: number): (number | null)[] {
  const hidden = counts.map((n) => suppressCount(n, minCellSize) === null)
  if (hidden.filter(Boolean).length === 1) {
    const next = counts
      .map((n, i) => ({ n, i }))
      .filter(({ n, i }) => n > 0 && !hidden[i])
      .sort((a, b) => a.n - b.n)[0]
    if (next) hidden[next.i] = true
  }
  return counts.map((n, i) => (hidden[i] ? null : n))
}
