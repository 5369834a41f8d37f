/**
 * hedgesGav against R 4.2.2: d_av · (1 − 3/(4·2N − 9)), N pairs (Lakens 2013).
 */
import { describe, it, expect } from 'vitest'
import { hedgesGav } from '../../../server/stats/hedges-gav'

const extra1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
const extra2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

describe('hedgesGav', () => {
  it('matches R and the paper on the Lakens (2013) movie ratings (g_av = 1.08)', () => {
    // R: m1 <- c(9,7,8,9,8,9,9,10,9,9); m2 <- c(9,6,7,8,7,9,8,8,8,7)
    //    mean(m1 - m2) / ((sd(m1) + sd(m2)) / 2) * (1 - 3 / (4 * 2 * 10 - 9))   # 1.0810048699942665
    const gav = hedgesGav([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 8, 7])
    expect(gav).toBeCloseTo(1.0810048699942665, 10)
    expect(gav.toFixed(2)).toBe('1.08')
  })

  it('matches R on the sleep data', () => {
    // R: mean(extra2 - extra1) / ((sd(extra2) + sd(extra1)) / 2) * (1 - 3 / (4 * 2 * 10 - 9))   # 0.79827818604597045
    expect(hedgesGav(extra2, extra1)).toBeCloseTo(0.79827818604597045, 10)
  })

  it('matches R on a symptom scale and with n = 2', () => {
    // R: post <- c(14, 9, 17, 6, 11, 12, 8, 15); pre <- c(16, 15, 18, 12, 10, 19, 14, 15)
    //    mean(post - pre) / ((sd(post) + sd(pre)) / 2) * (1 - 3 / (4 * 2 * 8 - 9))   # -0.95384439805579457
    expect(hedgesGav([14, 9, 17, 6, 11, 12, 8, 15], [16, 15, 18, 12, 10, 19, 14, 15])).toBeCloseTo(-0.95384439805579457, 10)
    // R: mean(c(3,5) - c(1,2)) / ((sd(c(3,5)) + sd(c(1,2))) / 2) * (1 - 3 / (4 * 2 * 2 - 9))   # 1.3468700594029475
    expect(hedgesGav([3, 5], [1, 2])).toBeCloseTo(1.3468700594029475, 10)
  })

  it('rejects what cohensDav rejects', () => {
    expect(() => hedgesGav([1], [2])).toThrow(RangeError)
    expect(() => hedgesGav([4, 4], [2, 2])).toThrow(RangeError)
    expect(() => hedgesGav([1, NaN], [1, 2])).toThrow(RangeError)
    expect(() => hedgesGav([1, 2], [1])).toThrow(RangeError)
  })
})
