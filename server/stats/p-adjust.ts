/**
 * Adjusted p-values for multiple comparisons, equal to R's `p.adjust(p, method)` for "holm" and
 * "BH". Missing p-values (null, R's NA) are passed through and not counted: m is the number of
 * non-null p-values, as in R.
 *
 * In words, with the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎:
 * - Holm (step-down, controls the family-wise error rate): p̃₍ᵢ₎ = min(1, max_{j ≤ i} (m − j + 1)·p₍ⱼ₎),
 *   a running maximum from the smallest p upwards.
 * - Benjamini–Hochberg (step-up, controls the false discovery rate):
 *   p̃₍ᵢ₎ = min(1, min_{j ≥ i} (m / j)·p₍ⱼ₎), a running minimum from the largest p downwards.
 * Tied p-values get the same adjusted value whatever order they are sorted in. Results are returned
 * in the input order.
 *
 * References: Holm, S. (1979). A simple sequentially rejective multiple test procedure.
 * Scandinavian Journal of Statistics 6, 65–70. Benjamini, Y. & Hochberg, Y. (1995). Controlling
 * the false discovery rate. JRSS B 57, 289–300. R's `stats::p.adjust`.
 *
 * @param p - p-values in [0, 1], or null for a missing one
 * @param method - 'holm' or 'BH'
 * @throws {RangeError} for a p-value that is not a number in [0, 1] (NaN included: use null), or an
 *   unknown method
 * @example
 * // R: p.adjust(c(0.01, 0.04, NA, 0.03), "holm")   # 0.03 0.06   NA 0.06
 * pAdjust([0.01, 0.04, null, 0.03], 'holm') // => [0.03, 0.06, null, 0.06]
 * // R: p.adjust(c(0.01, 0.04, NA, 0.03), "BH")     # 0.03 0.04   NA 0.04
 * pAdjust([0.01, 0.04, null, 0.03], 'BH')   // => [0.03, 0.04, null, 0.04]
 */
export function pAdjust(p: (number | null)[], method: 'holm' | 'BH'): (number | null)[] {
  if (!Array.isArray(p)) throw new RangeError('p must be an array of p-values (or null).')
  if (method !== 'holm' && method !== 'BH') throw new RangeError(`method must be 'holm' or 'BH' (got ${String(method)}).`)
  p.forEach((value, i) => {
    if (value === null) return
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new RangeError(`p[${i}] must be a number between 0 and 1, or null for a missing p-value (got ${String(value)}).`)
    }
  })

  const present = p.flatMap((value, index) => (value === null ? [] : [{ value, index }]))
  const m = present.length
  const adjusted: (number | null)[] = p.map(() => null)
  // A stable sort, as R's order(): ties keep their input order (which does not change the result).
  const ascending = [...present].sort((a, b) => a.value - b.value)

  if (method === 'holm') {
    let runningMax = 0
    ascending.forEach(({ value, index }, i) => {
      runningMax = Math.max(runningMax, (m - i) * value) // (m + 1 − rank)·p with 1-based rank = i + 1
      adjusted[index] = Math.min(1, runningMax)
    })
  } else {
    let runningMin = Infinity
    for (let i = m - 1; i >= 0; i--) {
      const { value, index } = ascending[i] as { value: number; index: number }
      runningMin = Math.min(runningMin, (m / (i + 1)) * value)
      adjusted[index] = Math.min(1, runningMin)
    }
  }
  return adjusted
}
