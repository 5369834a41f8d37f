import { describe, it, expect } from 'vitest'
import { guestSaturation, methodsSentence, saturationCurve, type SaturationInterview } from '../../../../server/domain/qualitative/saturation'

/**
 * The reference study (virtual Balint group, n = 8, IPA; "after eight interviews, data saturation
 * was reached, and no new code was added"): its Table 2 codes with the participants whose meaning
 * units illustrate them, interviews taken in the order P1..P8. Table 2 shows one or two meaning
 * units per code, not every coding, so this is the curve of the table, not of the full analysis.
 */
const TABLE_2: Record<string, string[]> = {
  'Decrease of fear from patients': ['P2'],
  'Decrease of anger from patients': ['P4'],
  'Higher sympathy levels': ['P5'],
  'Clarity of different aspects of physicians-patients relationship': ['P4'],
  'Self-awareness': ['P2'],
  'Validation of emotions': ['P5'],
  'Not being alone': ['P3'],
  'Decreased unpleasant feelings': ['P2'],
  'Being discomfoted': ['P2'],
  Insecurity: ['P6'],
  'Being active': ['P1'],
  'Supporting and not judging': ['P3'],
  'Good interaction': ['P5'],
  'Absence of hierarchy': ['P5'],
  'Sense of traveling beyond borders': ['P1'],
  'Absence of the need for traveling': ['P2'],
  Security: ['P1'],
  'Unskillfulness and weak internet connections': ['P6', 'P8'],
  'Hiddenness of emotions': ['P4'],
  Seeing: ['P5', 'P8'],
  'Being seen': ['P2'],
}

function referenceStudy(): SaturationInterview[] {
  return [1, 2, 3, 4, 5, 6, 7, 8].map((order) => ({
    order,
    participantCode: `P${order}`,
    codeIds: Object.entries(TABLE_2)
      .filter(([, participants]) => participants.includes(`P${order}`))
      .map(([code]) => code),
  }))
}

/** Interviews whose codes are given as lists of letters per interview. */
function interviews(...codeLists: string[]): SaturationInterview[] {
  return codeLists.map((codes, index) => ({ order: index + 1, participantCode: `P${index + 1}`, codeIds: codes.split('') }))
}

describe('saturationCurve', () => {
  it('gives new and cumulative codes in interview order, whatever the input order', () => {
    const curve = saturationCurve([
      { order: 3, participantCode: 'P3', codeIds: ['c', 'a', 'd'] },
      { order: 1, participantCode: 'P1', codeIds: ['a', 'b', 'a'] },
      { order: 2, participantCode: 'P2', codeIds: [] },
    ])
    expect(curve).toEqual([
      { interview: 1, order: 1, participantCode: 'P1', newCodeIds: ['a', 'b'], newCount: 2, cumulativeUnique: 2 },
      { interview: 2, order: 2, participantCode: 'P2', newCodeIds: [], newCount: 0, cumulativeUnique: 2 },
      { interview: 3, order: 3, participantCode: 'P3', newCodeIds: ['c', 'd'], newCount: 2, cumulativeUnique: 4 },
    ])
  })

  it('matches the reference study: 21 codes, and the 8th interview adds none', () => {
    // By hand from Table 2: P1 3 new (Being active, Sense of traveling, Security), P2 6, P3 2,
    // P4 3, P5 5, P6 2, P7 0, P8 0 (its two codes were P6's and P5's).
    const curve = saturationCurve(referenceStudy())
    expect(curve.map((p) => p.newCount)).toEqual([3, 6, 2, 3, 5, 2, 0, 0])
    expect(curve.map((p) => p.cumulativeUnique)).toEqual([3, 9, 11, 14, 19, 21, 21, 21])
    expect(curve[7]!.newCodeIds).toEqual([])
  })

  it('rejects duplicate or invalid orders', () => {
    expect(() => saturationCurve([{ order: 1, participantCode: 'P1', codeIds: [] }, { order: 1, participantCode: 'P2', codeIds: [] }])).toThrow(RangeError)
    expect(() => saturationCurve([{ order: Number.NaN, participantCode: 'P1', codeIds: [] }])).toThrow(RangeError)
  })
})

describe('guestSaturation', () => {
  it('reaches saturation in the first run when it adds nothing (the documented example)', () => {
    // Base: interviews 1–4 with 12 unique codes; interviews 5 and 6 repeat old codes.
    const curve = saturationCurve(interviews('abcde', 'fgh', 'ij', 'kl', 'ab', 'kf'))
    const params = { base: 4, run: 2, threshold: 0.05 }
    const result = guestSaturation(curve, params)
    expect(result).toEqual({ interviews: 6, baseCodes: 12, steps: [{ runStart: 5, runEnd: 6, newCodes: 0, ratio: 0 }], saturatedAt: 6 })
    expect(methodsSentence(result, params)).toBe(
      'Saturation was assessed following Guest, Namey and Chen (2020) with a base size of 4 interviews, a run length of 2 ' +
        'and a new-information threshold of 5%: the run of interviews 5–6 added 0 new codes to the 12 identified in the base ' +
        '(0%), so saturation was reached after 6 interviews.',
    )
  })

  it('slides the run one interview at a time with a fixed denominator (the reference study)', () => {
    // Base 4 → 14 codes. Run 5–6: 5 + 2 = 7 new, 7/14 = 50% > 5%. Run 6–7: 2 + 0 = 2 (the codes
    // first seen in interview 6 count again: new relative to all earlier interviews), 2/14 = 14.3%.
    // Run 7–8: 0, 0% ≤ 5%: saturation after 8 interviews. The denominator stays 14.
    const params = { base: 4, run: 2, threshold: 0.05 }
    const result = guestSaturation(saturationCurve(referenceStudy()), params)
    expect(result.baseCodes).toBe(14)
    expect(result.steps).toEqual([
      { runStart: 5, runEnd: 6, newCodes: 7, ratio: 0.5 },
      { runStart: 6, runEnd: 7, newCodes: 2, ratio: 2 / 14 },
      { runStart: 7, runEnd: 8, newCodes: 0, ratio: 0 },
    ])
    expect(result.saturatedAt).toBe(8)
    expect(methodsSentence(result, params)).toBe(
      'Saturation was assessed following Guest, Namey and Chen (2020) with a base size of 4 interviews, a run length of 2 ' +
        'and a new-information threshold of 5%: the run of interviews 7–8 added 0 new codes to the 14 identified in the base ' +
        '(0%), so saturation was reached after 8 interviews.',
    )
  })

  it('says honestly when saturation was not reached', () => {
    // Base 6 of the reference study → 21 codes; run of 3: only 7–8 remain, too few for a run.
    const tooFew = guestSaturation(saturationCurve(referenceStudy()), { base: 6, run: 3, threshold: 0 })
    expect(tooFew).toEqual({ interviews: 8, baseCodes: 21, steps: [], saturatedAt: null })
    expect(methodsSentence(tooFew, { base: 6, run: 3, threshold: 0 })).toBe(
      'Saturation was assessed following Guest, Namey and Chen (2020) with a base size of 6 interviews, a run length of 3 ' +
        'and a new-information threshold of 0%: with 8 interviews there were too few to complete a run of 3 after the base ' +
        'of 6, so saturation could not be assessed.',
    )

    // Base 2 → 4 codes (ab, cd); every later interview adds one: runs 3–4, 4–5 add 2 each (50%).
    const params = { base: 2, run: 2, threshold: 0.05 }
    const notReached = guestSaturation(saturationCurve(interviews('ab', 'cd', 'e', 'f', 'g')), params)
    expect(notReached.steps).toEqual([
      { runStart: 3, runEnd: 4, newCodes: 2, ratio: 0.5 },
      { runStart: 4, runEnd: 5, newCodes: 2, ratio: 0.5 },
    ])
    expect(notReached.saturatedAt).toBeNull()
    expect(methodsSentence(notReached, params)).toBe(
      'Saturation was assessed following Guest, Namey and Chen (2020) with a base size of 2 interviews, a run length of 2 ' +
        'and a new-information threshold of 5%: no run after the base added 5% or less new codes relative to the 4 ' +
        'identified in the base (the last run, interviews 4–5, added 2 new codes, 50%), so saturation was not reached ' +
        'within 5 interviews.',
    )
  })

  it('accepts a ratio exactly at the threshold, and not just above it', () => {
    // Base of 20 codes; the run adds 1 = 5% exactly.
    const curve = saturationCurve(interviews('abcdefghij', 'klmnopqrst', 'u', 'a'))
    expect(guestSaturation(curve, { base: 2, run: 2, threshold: 0.05 })).toMatchObject({ saturatedAt: 4, steps: [{ newCodes: 1, ratio: 0.05 }] })
    expect(guestSaturation(curve, { base: 2, run: 2, threshold: 0.04 }).saturatedAt).toBeNull()
    // One new code of 12 with a singular noun and a decimal percentage in the sentence.
    const twelve = saturationCurve(interviews('abcdef', 'ghijkl', 'm', 'a'))
    const params = { base: 2, run: 2, threshold: 0.1 }
    expect(methodsSentence(guestSaturation(twelve, params), params)).toContain('the run of interviews 3–4 added 1 new code to the 12 identified in the base (8.3%)')
  })

  it('handles a run length of 1', () => {
    const params = { base: 1, run: 1, threshold: 0 }
    const result = guestSaturation(saturationCurve(interviews('ab', 'c', 'a')), params)
    expect(result.steps).toEqual([
      { runStart: 2, runEnd: 2, newCodes: 1, ratio: 0.5 },
      { runStart: 3, runEnd: 3, newCodes: 0, ratio: 0 },
    ])
    expect(methodsSentence(result, params)).toContain('a base size of 1 interview, a run length of 1')
    expect(methodsSentence(result, params)).toContain('the run of interview 3 added 0 new codes to the 2 identified in the base (0%), so saturation was reached after 3 interviews.')
  })

  it('rejects bad parameters and a base without codes', () => {
    const curve = saturationCurve(interviews('ab', 'c', 'a'))
    expect(() => guestSaturation(curve, { base: 0, run: 2, threshold: 0.05 })).toThrow(RangeError)
    expect(() => guestSaturation(curve, { base: 1.5, run: 2, threshold: 0.05 })).toThrow(RangeError)
    expect(() => guestSaturation(curve, { base: 1, run: 0, threshold: 0.05 })).toThrow(RangeError)
    expect(() => guestSaturation(curve, { base: 1, run: 1, threshold: 5 })).toThrow(/proportion/)
    expect(() => guestSaturation(curve, { base: 1, run: 1, threshold: Number.NaN })).toThrow(RangeError)
    expect(() => guestSaturation(saturationCurve(interviews('', 'a', 'b')), { base: 1, run: 1, threshold: 0.05 })).toThrow(/no codes/)
  })
})
