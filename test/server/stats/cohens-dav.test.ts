/**
 * cohensDav against R 4.2.2: mean(post - pre) / ((sd(post) + sd(pre)) / 2) (Lakens 2013).
 */
import { describe, it, expect } from 'vitest'
import { cohensDav } from '../../../server/stats/cohens-dav'

const extra1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
const extra2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

describe('cohensDav', () => {
  it('matches R and the paper on the Lakens (2013) movie ratings (d_av = 1.13)', () => {
    // R: m1 <- c(9,7,8,9,8,9,9,10,9,9); m2 <- c(9,6,7,8,7,9,8,8,8,7)
    //    mean(m1 - m2) / ((sd(m1) + sd(m2)) / 2)   # 1.1286962613175429
    expect(cohensDav([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 8, 7])).toBeCloseTo(1.1286962613175429, 10)
  })

  it('matches R on the sleep data', () => {
    // R: mean(extra2 - extra1) / ((sd(extra2) + sd(extra1)) / 2)   # 0.83349634131270445
    expect(cohensDav(extra2, extra1)).toBeCloseTo(0.83349634131270445, 10)
  })

  it('is negative for an improvement on a symptom scale', () => {
    // R: post <- c(14, 9, 17, 6, 11, 12, 8, 15); pre <- c(16, 15, 18, 12, 10, 19, 14, 15)
    //    mean(post - pre) / ((sd(post) + sd(pre)) / 2)   # -1.0088738825590136
    expect(cohensDav([14, 9, 17, 6, 11, 12, 8, 15], [16, 15, 18, 12, 10, 19, 14, 15])).toBeCloseTo(-1.0088738825590136, 10)
  })

  it('matches R with n = 2, and when one occasion has no spread', () => {
    // R: mean(c(3,5) - c(1,2)) / ((sd(c(3,5)) + sd(c(1,2))) / 2)   # 2.3570226039551581
    expect(cohensDav([3, 5], [1, 2])).toBeCloseTo(2.3570226039551581, 10)
    // R: mean(c(3,5) - c(2,2)) / ((sd(c(3,5)) + sd(c(2,2))) / 2)   # 2.8284271247461898
    expect(cohensDav([3, 5], [2, 2])).toBeCloseTo(2.8284271247461898, 10)
  })

  it('rejects n < 2, no spread at either occasion, NaN and unequal lengths', () => {
    expect(() => cohensDav([1], [2])).toThrow(RangeError)
    expect(() => cohensDav([4, 4, 4], [2, 2, 2])).toThrow(/zero standard deviation/)
    expect(() => cohensDav([0.7, 0.7, 0.7], [0.1, 0.1, 0.1])).toThrow(/zero standard deviation/)
    expect(() => cohensDav([1, NaN], [1, 2])).toThrow(RangeError)
    expect(() => cohensDav([1, 2], [1, 2, 3])).toThrow(RangeError)
  })
})
