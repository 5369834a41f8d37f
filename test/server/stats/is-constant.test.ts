import { describe, it, expect } from 'vitest'
import { isConstant } from '../../../server/stats/is-constant'

describe('isConstant', () => {
  it('compares exactly, so a constant decimal sample is constant even though its variance is not 0', () => {
    // R: var(rep(0.1, 3))   # 0 (R's mean corrects rounding; a plain sum/n mean does not)
    expect(isConstant([0.1, 0.1, 0.1])).toBe(true)
    expect(isConstant([1, 1, 2])).toBe(false)
    expect(isConstant([])).toBe(true)
  })
})
