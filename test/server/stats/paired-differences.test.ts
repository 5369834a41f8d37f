/**
 * pairedDifferences: the shared input check of the paired statistics. R equivalent of the
 * arithmetic: post - pre.
 */
import { describe, it, expect } from 'vitest'
import { pairedDifferences } from '../../../server/stats/paired-differences'

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

  it('rejects unequal lengths and non-arrays', () => {
    expect(() => pairedDifferences([1, 2, 3], [1, 2])).toThrow(/same length \(got 3 and 2\)/)
    expect(() => pairedDifferences(undefined as unknown as number[], [])).toThrow(RangeError)
  })
})
