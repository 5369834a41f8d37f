/**
 * pairedDifferences: the shared input check of the paired statistics. R equivalent of the
 * arithmetic: post - pre.
 */
import { describe, it, expect } from 'vitest'
import { pairedDifferences } from '../../../server/stats/paired-differences'
import { pairedTTest } from '../../../server/stats/paired-t-test'

describe('pairedDifferences', () => {
  it('returns post − pre in participant order', () => {
    // R: c(5, 7, 4) - c(6, 4, 4)   # -1 3 0
    expect(pairedDifferences([5, 7, 4], [6, 4, 4])).toEqual([-1, 3, 0])
    expect(pairedDifferences([], [])).toEqual([])
  })

  it('refuses to drop incomplete pairs silently', () => {
    expect(() => pairedDifferences([1, NaN], [1, 2])).toThrow(/post\[1\].*drop incomplete pairs/)
    expect(() => pairedDifferences([1, 2], [null as unknown as number, 2])).toThrow(/pre\[0\]/)
    expect(() => pairedDifferences([1, '2' as unknown as number], [1, 2])).toThrow(RangeError)
    expect(() => pairedDifferences([1, -Infinity], [1, 2])).toThrow(RangeError)
  })

  it('rejects a difference too large for a double, as R stops, rather than give NaN statistics', () => {
    // R: t.test(c(1e308, 1.5e308, 1.7e308), c(-1e308, -1.2e308, -1.1e308), paired = TRUE)
    //    Error in if (stderr < 10 * .Machine$double.eps * abs(mx)) stop(...): missing value where TRUE/FALSE needed
    expect(() => pairedDifferences([1e308, 1.5e308, 1.7e308], [-1e308, -1.2e308, -1.1e308])).toThrow(/post\[0\] − pre\[0\] is too large/)
    expect(() => pairedTTest([1e308, 1.5e308, 1.7e308], [-1e308, -1.2e308, -1.1e308])).toThrow(RangeError)
  })

  it('rejects unequal lengths and non-arrays', () => {
    expect(() => pairedDifferences([1, 2, 3], [1, 2])).toThrow(/same length \(got 3 and 2\)/)
    expect(() => pairedDifferences(undefined as unknown as number[], [])).toThrow(RangeError)
  })
})
