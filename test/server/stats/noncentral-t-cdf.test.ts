/**
 * noncentralTCdf against R 4.2.2's pt(q, df, ncp). Accuracy is limited to about 1e-8 by jStat's
 * incomplete beta function, so values are compared to 8 decimals (|difference| < 5e-9).
 */
import { describe, it, expect } from 'vitest'
import jStat from 'jstat'
import { noncentralTCdf } from '../../../server/stats/noncentral-t-cdf'

describe('noncentralTCdf', () => {
  it('matches R in the ordinary range', () => {
    // R: pt(2.5, 9, 1.2)   # 0.8567581958770818
    expect(noncentralTCdf(2.5, 9, 1.2)).toBeCloseTo(0.8567581958770818, 8)
    // R: pt(-15.8, 4, -20.3)   # 0.83810913144857191
    expect(noncentralTCdf(-15.8, 4, -20.3)).toBeCloseTo(0.83810913144857191, 8)
  })

  it('matches R for |ncp| between 20 and 37.62, where jStat.noncentralt.cdf returns ~0', () => {
    // R: pt(38, 30, 30)   # 0.9419776787911327
    expect(noncentralTCdf(38, 30, 30)).toBeCloseTo(0.9419776787911327, 8)
    expect(jStat.noncentralt.cdf(38, 30, 30)).toBeLessThan(1e-30) // why we do not use it
  })

  it("uses R's normal approximation (Abramowitz & Stegun 26.7.10) for |ncp| > 37.62", () => {
    // R: pt(40, 10, 38.5)   # 0.52215206434178218
    expect(noncentralTCdf(40, 10, 38.5)).toBeCloseTo(0.52215206434178218, 12)
    // R: pt(294, 4, 250)   # 0.59735778320963673
    expect(noncentralTCdf(294, 4, 250)).toBeCloseTo(0.59735778320963673, 12)
  })

  it('reduces to the central t at ncp = 0', () => {
    // R: pt(1.7, 6)   # 0.9299801726875514
    expect(noncentralTCdf(1.7, 6, 0)).toBeCloseTo(0.9299801726875514, 10)
  })

  it('rejects bad parameters', () => {
    expect(() => noncentralTCdf(1, 0, 1)).toThrow(RangeError)
    expect(() => noncentralTCdf(NaN, 5, 1)).toThrow(RangeError)
    expect(() => noncentralTCdf(1, 5, Infinity)).toThrow(RangeError)
  })
})
