import { describe, expect, it } from 'vitest'
import { suppressBreakdown, suppressCount } from '../../../../server/domain/outcomes/suppression'

describe('small-cell suppression', () => {
  it('hides counts from 1 to k − 1 and shows zero', () => {
    expect([0, 1, 4, 5, 12].map((n) => suppressCount(n, 5))).toEqual([0, null, null, 5, 12])
  })

  it('hides a second count where a single hidden one could be worked out from the total', () => {
    // total 6 shown: 5 + ? = 6 would reveal the 1, so the 5 goes too.
    expect(suppressBreakdown([5, 1, 0], 5)).toEqual([null, null, 0])
    // Two small counts already hide each other.
    expect(suppressBreakdown([7, 2, 3], 5)).toEqual([7, null, null])
    // The smallest non-zero shown count is the one hidden.
    expect(suppressBreakdown([9, 6, 1], 5)).toEqual([9, null, null])
    // Nothing small: nothing hidden.
    expect(suppressBreakdown([5, 6, 0], 5)).toEqual([5, 6, 0])
  })
})
