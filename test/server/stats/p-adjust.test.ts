/**
 * pAdjust against R 4.2.2's p.adjust(p, method) for "holm" and "BH"; null plays NA.
 */
import { describe, it, expect } from 'vitest'
import { pAdjust } from '../../../server/stats/p-adjust'

function expectAdjusted(actual: (number | null)[], expected: (number | null)[]): void {
  expect(actual).toHaveLength(expected.length)
  expected.forEach((value, i) => {
    if (value === null) expect(actual[i]).toBeNull()
    else expect(actual[i]).toBeCloseTo(value, 10)
  })
}

describe('pAdjust', () => {
  it('passes NA through and counts only the non-missing p-values', () => {
    // R: p.adjust(c(0.01, 0.04, NA, 0.03), "holm")   # 0.03 0.06 NA 0.06
    expectAdjusted(pAdjust([0.01, 0.04, null, 0.03], 'holm'), [0.03, 0.06, null, 0.06])
    // R: p.adjust(c(0.01, 0.04, NA, 0.03), "BH")     # 0.03 0.04 NA 0.04
    expectAdjusted(pAdjust([0.01, 0.04, null, 0.03], 'BH'), [0.03, 0.04, null, 0.04])
  })

  it('handles tied p-values, several NAs and the cap at 1', () => {
    // R: p2 <- c(0.02, 0.001, 0.02, NA, 0.5, 0.02, 0.04, NA, 0.9)
    //    p.adjust(p2, "holm")   # 0.12 0.007 0.12 NA 1 0.12 0.12 NA 1
    const p2 = [0.02, 0.001, 0.02, null, 0.5, 0.02, 0.04, null, 0.9]
    expectAdjusted(pAdjust(p2, 'holm'), [0.12, 0.007, 0.12, null, 1, 0.12, 0.12, null, 1])
    //    p.adjust(p2, "BH")     # 0.035 0.007 0.035 NA 0.58333333333333337 0.035 0.055999999999999994 NA 0.9
    expectAdjusted(pAdjust(p2, 'BH'), [0.035, 0.007, 0.035, null, 0.58333333333333337, 0.035, 0.055999999999999994, null, 0.9])
  })

  it('makes Holm monotone (running maximum) and BH monotone (running minimum)', () => {
    // R: p.adjust(c(0.3, 0.6, 0.45), "holm")   # 0.89999999999999991 0.9 0.9
    expectAdjusted(pAdjust([0.3, 0.6, 0.45], 'holm'), [0.89999999999999991, 0.9, 0.9])
    // R: p.adjust(c(0.3, 0.6, 0.45), "BH")     # 0.6 0.6 0.6
    expectAdjusted(pAdjust([0.3, 0.6, 0.45], 'BH'), [0.6, 0.6, 0.6])
  })

  it('handles 0 and 1, one p-value, only NAs, and an empty list', () => {
    // R: p.adjust(c(0, 1, 0.049, 0.0101, 0.2), "holm")   # 0 1 0.147 0.0404 0.4
    expectAdjusted(pAdjust([0, 1, 0.049, 0.0101, 0.2], 'holm'), [0, 1, 0.14700000000000002, 0.040399999999999998, 0.40000000000000002])
    // R: p.adjust(c(0, 1, 0.049, 0.0101, 0.2), "BH")     # 0 1 0.081666666666666679 0.025249999999999998 0.25
    expectAdjusted(pAdjust([0, 1, 0.049, 0.0101, 0.2], 'BH'), [0, 1, 0.081666666666666679, 0.025249999999999998, 0.25])
    // R: p.adjust(0.0123, "holm"); p.adjust(0.0123, "BH")   # 0.0123 0.0123
    expectAdjusted(pAdjust([0.0123], 'holm'), [0.0123])
    expectAdjusted(pAdjust([0.0123], 'BH'), [0.0123])
    // R: p.adjust(c(NA, NA), "holm")   # NA NA
    expect(pAdjust([null, null], 'holm')).toEqual([null, null])
    expect(pAdjust([], 'BH')).toEqual([])
  })

  it('rejects p-values outside [0, 1], NaN and unknown methods', () => {
    expect(() => pAdjust([0.5, 1.2], 'holm')).toThrow(/p\[1\]/)
    expect(() => pAdjust([-0.01], 'BH')).toThrow(RangeError)
    expect(() => pAdjust([NaN], 'BH')).toThrow(RangeError)
    expect(() => pAdjust([0.1], 'bonferroni' as 'holm')).toThrow(RangeError)
  })
})
