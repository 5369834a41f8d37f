/**
 * Reliable change (Jacobson & Truax 1991) against R 4.2.2:
 *   rci <- function(pre, post, sd, r) (post - pre) / (sqrt(2) * sd * sqrt(1 - r))
 * and the cut-offs a, b, c computed in R from their formulas. The classifications are the J&T rules
 * applied by hand to those numbers (explained beside each case).
 */
import { describe, it, expect } from 'vitest'
import { classifyChange, jacobsonTruaxCutoff, reliableChangeIndex } from '../../../server/stats/reliable-change'

// A WHO-5-like wellbeing scale (percentage score 0–100, higher is better), with illustrative norms:
// clinical mean 32 (SD 16), normative mean 68 (SD 18), reference SD 20, reliability 0.85.
const who5 = { sd: 20, reliability: 0.85 }
const who5Clinical = { mean: 32, sd: 16 }
const who5Normative = { mean: 68, sd: 18 }

describe('reliableChangeIndex', () => {
  it('matches R on a symptom scale (PHQ-9-like, improvement is negative)', () => {
    // R: rci(15, 6, 5, 0.84)   # -3.1819805153394638
    expect(reliableChangeIndex(15, 6, { sd: 5, reliability: 0.84 })).toBeCloseTo(-3.1819805153394638, 10)
  })

  it('matches R on a higher-is-better scale', () => {
    // R: rci(c(28, 52, 60, 40, 44), c(60, 84, 36, 56, 48), 20, 0.85)
    //    2.9211869733608857 2.9211869733608857 -2.1908902300206643 1.4605934866804429 0.36514837167011072
    expect(reliableChangeIndex(28, 60, who5)).toBeCloseTo(2.9211869733608857, 10)
    expect(reliableChangeIndex(60, 36, who5)).toBeCloseTo(-2.1908902300206643, 10)
    expect(reliableChangeIndex(40, 56, who5)).toBeCloseTo(1.4605934866804429, 10)
    expect(reliableChangeIndex(44, 48, who5)).toBeCloseTo(0.36514837167011072, 10)
  })

  it('allows reliability 0 (SE_m = SD)', () => {
    // R: rci(10, 20, 4, 0)   # 1.7677669529663687
    expect(reliableChangeIndex(10, 20, { sd: 4, reliability: 0 })).toBeCloseTo(1.7677669529663687, 10)
  })

  it('rejects reliability outside [0, 1), SD ≤ 0 and non-finite scores', () => {
    expect(() => reliableChangeIndex(10, 5, { sd: 5, reliability: 1 })).toThrow(RangeError)
    expect(() => reliableChangeIndex(10, 5, { sd: 5, reliability: -0.1 })).toThrow(RangeError)
    expect(() => reliableChangeIndex(10, 5, { sd: 5, reliability: NaN })).toThrow(RangeError)
    expect(() => reliableChangeIndex(10, 5, { sd: 0, reliability: 0.8 })).toThrow(RangeError)
    expect(() => reliableChangeIndex(NaN, 5, { sd: 5, reliability: 0.8 })).toThrow(RangeError)
  })
})

describe('jacobsonTruaxCutoff', () => {
  it('gives c when both populations are known (the same formula for both directions)', () => {
    // R: (4 * 15 + 5 * 3) / (4 + 5)   # 8.3333333333333339  (clinical 15 ± 5, normative 3 ± 4)
    const phq = jacobsonTruaxCutoff({ direction: 'higher-is-worse', clinical: { mean: 15, sd: 5 }, normative: { mean: 3, sd: 4 } })
    expect(phq?.criterion).toBe('c')
    expect(phq?.value).toBeCloseTo(8.3333333333333339, 10)
    // R: (18 * 32 + 16 * 68) / (18 + 16)   # 48.941176470588232
    const wellbeing = jacobsonTruaxCutoff({ direction: 'higher-is-better', clinical: who5Clinical, normative: who5Normative })
    expect(wellbeing?.criterion).toBe('c')
    expect(wellbeing?.value).toBeCloseTo(48.941176470588232, 10)
  })

  it('gives a (2 SD beyond the clinical mean, towards functional) with clinical norms only', () => {
    // R: 15 - 2 * 5   # 5
    expect(jacobsonTruaxCutoff({ direction: 'higher-is-worse', clinical: { mean: 15, sd: 5 } })).toEqual({ value: 5, criterion: 'a' })
    // R: 32 + 2 * 16   # 64
    expect(jacobsonTruaxCutoff({ direction: 'higher-is-better', clinical: who5Clinical })).toEqual({ value: 64, criterion: 'a' })
  })

  it('gives b (2 SD from the normative mean, towards dysfunctional) with normative norms only', () => {
    // R: 3 + 2 * 4   # 11
    expect(jacobsonTruaxCutoff({ direction: 'higher-is-worse', normative: { mean: 3, sd: 4 } })).toEqual({ value: 11, criterion: 'b' })
    // R: 68 - 2 * 18   # 32
    expect(jacobsonTruaxCutoff({ direction: 'higher-is-better', normative: who5Normative })).toEqual({ value: 32, criterion: 'b' })
  })

  it('gives null without norms', () => {
    expect(jacobsonTruaxCutoff({ direction: 'higher-is-worse' })).toBeNull()
  })

  it('rejects SD ≤ 0, non-finite means and an unknown direction', () => {
    expect(() => jacobsonTruaxCutoff({ direction: 'higher-is-worse', clinical: { mean: 15, sd: 0 } })).toThrow(RangeError)
    expect(() => jacobsonTruaxCutoff({ direction: 'higher-is-worse', normative: { mean: NaN, sd: 3 } })).toThrow(RangeError)
    expect(() => jacobsonTruaxCutoff({ direction: 'up' as 'higher-is-worse' })).toThrow(RangeError)
  })
})

describe('classifyChange', () => {
  const cutoff = 48.941176470588232 // WHO-5-like c from above

  it('classifies WHO-5-like (higher-is-better) change', () => {
    // 28 → 60: RCI 2.92 > 1.96, pre below c (dysfunctional), post above c (functional)
    expect(classifyChange({ pre: 28, post: 60, rci: reliableChangeIndex(28, 60, who5), cutoff, direction: 'higher-is-better' })).toBe('recovered')
    // 52 → 84: RCI 2.92, but already functional at pre: no crossing, so improved
    expect(classifyChange({ pre: 52, post: 84, rci: reliableChangeIndex(52, 84, who5), cutoff, direction: 'higher-is-better' })).toBe('improved')
    // 60 → 36: RCI −2.19 < −1.96 on a higher-is-better scale
    expect(classifyChange({ pre: 60, post: 36, rci: reliableChangeIndex(60, 36, who5), cutoff, direction: 'higher-is-better' })).toBe('deteriorated')
    // 40 → 56: crosses c but RCI 1.46 is not reliable: unchanged (no "non-reliable recovery" class)
    expect(classifyChange({ pre: 40, post: 56, rci: reliableChangeIndex(40, 56, who5), cutoff, direction: 'higher-is-better' })).toBe('unchanged')
  })

  it('classifies symptom-scale (higher-is-worse) change', () => {
    // PHQ-9-like 15 → 6: RCI −3.18, crosses c = 8.33 downwards
    expect(classifyChange({ pre: 15, post: 6, rci: -3.1819805153394638, cutoff: 8.3333333333333339, direction: 'higher-is-worse' })).toBe('recovered')
    // 20 → 10: reliable improvement but still above c
    expect(classifyChange({ pre: 20, post: 10, rci: -3.5, cutoff: 8.3333333333333339, direction: 'higher-is-worse' })).toBe('improved')
    // a positive RCI is deterioration on this scale
    expect(classifyChange({ pre: 6, post: 15, rci: 3.18, cutoff: 8.3333333333333339, direction: 'higher-is-worse' })).toBe('deteriorated')
  })

  it('uses strict thresholds: |RCI| = 1.96 is unchanged, post on the cut-off is not functional', () => {
    expect(classifyChange({ pre: 15, post: 6, rci: -1.96, cutoff: 8, direction: 'higher-is-worse' })).toBe('unchanged')
    expect(classifyChange({ pre: 6, post: 15, rci: 1.96, cutoff: 8, direction: 'higher-is-worse' })).toBe('unchanged')
    expect(classifyChange({ pre: 15, post: 8, rci: -2.5, cutoff: 8, direction: 'higher-is-worse' })).toBe('improved')
    expect(classifyChange({ pre: 30, post: 64, rci: 2.5, cutoff: 64, direction: 'higher-is-better' })).toBe('improved')
    // a pre score exactly on the cut-off counts as dysfunctional, so crossing from it is recovery
    expect(classifyChange({ pre: 8, post: 2, rci: -2.5, cutoff: 8, direction: 'higher-is-worse' })).toBe('recovered')
  })

  it('never gives recovered without a cut-off', () => {
    expect(classifyChange({ pre: 15, post: 2, rci: -4, cutoff: null, direction: 'higher-is-worse' })).toBe('improved')
  })

  it('rejects non-finite numbers and an unknown direction', () => {
    expect(() => classifyChange({ pre: 15, post: 6, rci: NaN, cutoff: 8, direction: 'higher-is-worse' })).toThrow(RangeError)
    expect(() => classifyChange({ pre: 15, post: 6, rci: -3, cutoff: NaN, direction: 'higher-is-worse' })).toThrow(RangeError)
    expect(() => classifyChange({ pre: 15, post: 6, rci: -3, cutoff: 8, direction: 'down' as 'higher-is-worse' })).toThrow(RangeError)
  })
})
