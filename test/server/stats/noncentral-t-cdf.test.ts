/**
 * noncentralTCdf against R 4.2.2's pt(q, df, ncp), printed with sprintf("%.17g", ...). It is a port
 * of R's pnt (AS 243), so values agree to rounding: |difference| < 1e-14.
 */
import { describe, it, expect } from 'vitest'
import jStat from 'jstat'
import { noncentralTCdf, noncentralTMethod } from '../../../server/stats/noncentral-t-cdf'

const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(1e-14)

describe('noncentralTCdf', () => {
  it('matches R in the ordinary range', () => {
    close(noncentralTCdf(2.5, 9, 1.2), 0.8567581958770818) // R: pt(2.5, 9, 1.2)
    close(noncentralTCdf(-15.8, 4, -20.3), 0.83810913144857191) // R: pt(-15.8, 4, -20.3)
    close(noncentralTCdf(0.5, 1, 0.3), 0.53618768853035759) // R: pt(0.5, 1, 0.3)
    close(noncentralTCdf(1e-3, 50, 5), 2.881345996836192e-7) // R: pt(1e-3, 50, 5)
    close(noncentralTCdf(5, 3, -2), 0.99994316845994202) // R: pt(5, 3, -2)
    close(noncentralTCdf(-3, 2, -30), 1) // R: pt(-3, 2, -30)
  })

  it('matches R for |ncp| between 20 and 37.62, where jStat.noncentralt.cdf returns ~0', () => {
    close(noncentralTCdf(38, 30, 30), 0.9419776787911327) // R: pt(38, 30, 30)
    close(noncentralTCdf(40, 10, 37.5), 0.55210547931588927) // R: pt(40, 10, 37.5)
    // R: pt(150, 199, 37)   # 0.99999999999907319, with R's warning "full precision may not have been achieved"
    close(noncentralTCdf(150, 199, 37), 0.99999999999907319)
    expect(jStat.noncentralt.cdf(38, 30, 30)).toBeLessThan(1e-30) // why we do not use it
  })

  it("uses R's normal approximation (Abramowitz & Stegun 26.7.10) for |ncp| > 37.62 and says so", () => {
    close(noncentralTCdf(40, 10, 38.5), 0.52215206434178218) // R: pt(40, 10, 38.5)
    close(noncentralTCdf(294, 4, 250), 0.59735778320963673) // R: pt(294, 4, 250)
    expect(noncentralTMethod(40, 10, 38.5)).toBe('normal approximation')
    expect(noncentralTMethod(40, 10, 37.5)).toBe('series')
    expect(noncentralTMethod(2, 5e5, 1)).toBe('normal approximation')
  })

  it('reduces to the central t at ncp = 0', () => {
    close(noncentralTCdf(1.7, 6, 0), 0.9299801726875514) // R: pt(1.7, 6)
  })

  it('rejects bad parameters', () => {
    expect(() => noncentralTCdf(1, 0, 1)).toThrow(RangeError)
    expect(() => noncentralTCdf(NaN, 5, 1)).toThrow(RangeError)
    expect(() => noncentralTCdf(1, 5, Infinity)).toThrow(RangeError)
  })
})
