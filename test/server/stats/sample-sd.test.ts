import { describe, it, expect } from 'vitest'
import { sampleStandardDeviation } from 'simple-statistics'
import { sampleSd } from '../../../server/stats/sample-sd'

describe('sampleSd', () => {
  it('is exactly 0 for equal non-integer values, as R gives, where simple-statistics leaves a residue', () => {
    // R: sd(rep(35/6, 11))   # 0;   sd(rep(0.1, 3))   # 0
    expect(sampleStandardDeviation(Array(11).fill(35 / 6))).toBeGreaterThan(0)
    expect(sampleSd(Array(11).fill(35 / 6))).toBe(0)
    expect(sampleSd([0.1, 0.1, 0.1])).toBe(0)
  })

  it("is simple-statistics' sample SD otherwise", () => {
    // R: sprintf("%.17g", sd(c(2, 4, 4, 4, 5, 5, 7, 9)))   # 2.1380899352993952
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.1380899352993952, 14)
  })
})
