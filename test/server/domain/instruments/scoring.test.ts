import { describe, it, expect } from 'vitest'
import { loadInstruments, shippedInstrumentsFolder, type Instrument } from '../../../../server/domain/instruments/registry'
import type { Questionnaire } from '../../../../server/domain/instruments/schema'
import { scoreResponse, type ScaleScore } from '../../../../server/domain/instruments/scoring'

// The shipped files themselves, so a changed band, range or item name in a file shows up here.
const registry = loadInstruments([shippedInstrumentsFolder])

function questionnaire(id: string): Instrument & Questionnaire {
  const found = registry.questionnaire(id)
  if (!found) throw new Error(`shipped questionnaire ${id} not found`)
  return found
}

function instrument(id: string): Instrument {
  const found = registry.get(id)
  if (!found) throw new Error(`shipped instrument ${id} not found`)
  return found
}

/** Answers `${prefix}1`, `${prefix}2`, …; `null` leaves that item unanswered. */
function answers(prefix: string, values: (number | null)[]): Record<string, number> {
  const result: Record<string, number> = {}
  values.forEach((v, i) => {
    if (v !== null) result[`${prefix}${i + 1}`] = v
  })
  return result
}

/** Item values (each 0..max) over `count` items that add up to `total`, filling the first items first. */
function valuesSumming(total: number, count: number, max: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(max, total - i * max)))
}

function scale(result: { scales: ScaleScore[] }, id: string): ScaleScore {
  const found = result.scales.find((s) => s.scale === id)
  if (!found) throw new Error(`scale ${id} not in result`)
  return found
}

describe('PHQ-9', () => {
  const phq9 = questionnaire('phq-9')

  it('sums all nine items', () => {
    const total = scale(scoreResponse(phq9, answers('phq9_', [0, 1, 2, 3, 0, 1, 2, 3, 1])), 'total')
    // 0+1+2+3+0+1+2+3+1 = 13 → 10–14 "Moderate" (band 2)
    expect(total).toMatchObject({ score: 13, answered: 9, items: 9, prorated: false, missing: null })
    expect(total.band).toEqual({ index: 2, label: 'Moderate' })
  })

  it('ignores the unscored difficulty item', () => {
    const total = scale(scoreResponse(phq9, { ...answers('phq9_', [1, 1, 1, 1, 1, 1, 1, 1, 1]), phq9_difficulty: 3 }), 'total')
    // 9 × 1 = 9; phq9_difficulty is in no scale
    expect(total.score).toBe(9)
  })

  it('prorates with exactly 2 items missing (the NHS threshold)', () => {
    const total = scale(scoreResponse(phq9, answers('phq9_', [2, 2, 2, 2, 2, 2, 2, null, null])), 'total')
    // 7 answered, sum 14 → 14 × 9 / 7 = 18 → 15–19 "Moderately severe" (band 3)
    expect(total).toMatchObject({ score: 18, answered: 7, prorated: true, missing: null })
    expect(total.band?.index).toBe(3)
  })

  it('does not round a prorated total, and bands it by its exact value', () => {
    const total = scale(scoreResponse(phq9, answers('phq9_', [3, 3, 3, 0, 0, 0, 0, 0, null])), 'total')
    // 8 answered, sum 9 → 9 × 9 / 8 = 10.125 → band 2 (≥ 10), although the answered sum alone is 9
    expect(total.score).toBe(10.125)
    expect(total.band?.index).toBe(2)
    const low = scale(scoreResponse(phq9, answers('phq9_', [3, 1, 0, 0, 0, 0, 0, 0, null])), 'total')
    // 8 answered, sum 4 → 4 × 9 / 8 = 4.5 → still band 0 (below 5)
    expect(low.score).toBe(4.5)
    expect(low.band?.index).toBe(0)
  })

  it('gives no score with 3 items missing', () => {
    const total = scale(scoreResponse(phq9, answers('phq9_', [3, 3, 3, 3, 3, 3, null, null, null])), 'total')
    // 6 answered < minAnswered 7
    expect(total).toMatchObject({ score: null, band: null, answered: 6, prorated: false, missing: { reason: 'too_few_items', needed: 7 } })
  })

  it.each([
    // [total, band index]: Kroenke 2001 bands 0–4, 5–9, 10–14, 15–19, 20–27
    [0, 0],
    [4, 0],
    [5, 1],
    [9, 1],
    [10, 2],
    [14, 2],
    [15, 3],
    [19, 3],
    [20, 4],
    [27, 4],
  ])('puts a total of %i in band %i', (total, band) => {
    const result = scale(scoreResponse(phq9, answers('phq9_', valuesSumming(total, 9, 3))), 'total')
    expect(result.score).toBe(total)
    expect(result.band?.index).toBe(band)
  })

  it('raises the item 9 safety flag at 1 and above, not at 0 or when unanswered', () => {
    const at1 = scoreResponse(phq9, answers('phq9_', [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    expect(at1.flags).toEqual([
      { flag: 'phq9-item9', item: 'phq9_9', value: 1, severity: 'safety', label: expect.stringContaining('PHQ-9 item 9') },
    ])
    expect(scoreResponse(phq9, answers('phq9_', [0, 0, 0, 0, 0, 0, 0, 0, 3])).flags).toHaveLength(1)
    expect(scoreResponse(phq9, answers('phq9_', [3, 3, 3, 3, 3, 3, 3, 3, 0])).flags).toEqual([])
    expect(scoreResponse(phq9, answers('phq9_', [3, 3, 3, 3, 3, 3, 3, 3, null])).flags).toEqual([])
  })
})

describe('GAD-7', () => {
  const gad7 = questionnaire('gad-7')

  it('sums all seven items', () => {
    const total = scale(scoreResponse(gad7, answers('gad7_', [1, 2, 3, 0, 1, 2, 3])), 'total')
    // 1+2+3+0+1+2+3 = 12 → 10–14 "Moderate" (band 2)
    expect(total).toMatchObject({ score: 12, prorated: false, band: { index: 2, label: 'Moderate' } })
  })

  it('prorates with 1 item missing and gives no score with 2 missing', () => {
    const one = scale(scoreResponse(gad7, answers('gad7_', [2, 2, 2, 2, 2, 2, null])), 'total')
    // 6 answered, sum 12 → 12 × 7 / 6 = 14 → band 2
    expect(one).toMatchObject({ score: 14, answered: 6, prorated: true, band: { index: 2 } })
    const two = scale(scoreResponse(gad7, answers('gad7_', [3, 3, 3, 3, 3, null, null])), 'total')
    // 5 answered < minAnswered 6
    expect(two).toMatchObject({ score: null, band: null, missing: { reason: 'too_few_items', needed: 6 } })
  })

  it.each([
    // [total, band index]: Spitzer 2006 cut-points 5, 10, 15
    [0, 0],
    [4, 0],
    [5, 1],
    [9, 1],
    [10, 2],
    [14, 2],
    [15, 3],
    [21, 3],
  ])('puts a total of %i in band %i', (total, band) => {
    const result = scale(scoreResponse(gad7, answers('gad7_', valuesSumming(total, 7, 3))), 'total')
    expect(result.score).toBe(total)
    expect(result.band?.index).toBe(band)
  })

  it('raises no flags', () => {
    expect(scoreResponse(gad7, answers('gad7_', [3, 3, 3, 3, 3, 3, 3])).flags).toEqual([])
  })
})

describe('WHO-5', () => {
  const who5 = questionnaire('who-5')

  it('scores 12 as poor well-being and 13 as not (raw 12 = 48%, raw 13 = 52%)', () => {
    const twelve = scoreResponse(who5, answers('who5_', [3, 3, 2, 2, 2]))
    // 3+3+2+2+2 = 12 < 13 → band 0; 12 × 4 = 48 < 52 → band 0
    expect(scale(twelve, 'raw')).toMatchObject({ score: 12, band: { index: 0 } })
    expect(scale(twelve, 'percentage')).toMatchObject({ score: 48, band: { index: 0 } })
    const thirteen = scoreResponse(who5, answers('who5_', [3, 3, 3, 2, 2]))
    // 3+3+3+2+2 = 13 → band 1; 13 × 4 = 52 → band 1
    expect(scale(thirteen, 'raw')).toMatchObject({ score: 13, band: { index: 1, label: 'No indication of poor well-being' } })
    expect(scale(thirteen, 'percentage')).toMatchObject({ score: 52, band: { index: 1, label: 'No indication of poor well-being' } })
  })

  it.each([
    [[0, 0, 0, 0, 0], 0],
    [[5, 5, 5, 5, 5], 25],
    [[1, 2, 3, 4, 5], 15],
    [[4, 0, 3, 1, 2], 10],
  ])('gives percentage = raw × 4 for %j', (values, raw) => {
    const result = scoreResponse(who5, answers('who5_', values))
    expect(scale(result, 'raw').score).toBe(raw)
    expect(scale(result, 'percentage').score).toBe(raw * 4)
  })

  it('prorates with 1 item missing and gives no score with 2 missing', () => {
    const one = scoreResponse(who5, answers('who5_', [3, 3, 3, 3, null]))
    // 4 answered, sum 12 → 12 × 5 / 4 = 15 raw; 15 × 4 = 60%
    expect(scale(one, 'raw')).toMatchObject({ score: 15, prorated: true })
    expect(scale(one, 'percentage')).toMatchObject({ score: 60, prorated: true })
    const two = scoreResponse(who5, answers('who5_', [5, 5, 5, null, null]))
    // 3 answered < minAnswered 4, on both scales
    expect(scale(two, 'raw')).toMatchObject({ score: null, missing: { reason: 'too_few_items', needed: 4 } })
    expect(scale(two, 'percentage')).toMatchObject({ score: null, missing: { reason: 'too_few_items', needed: 4 } })
  })
})

describe('CBI', () => {
  const cbi = questionnaire('cbi')

  it('takes the mean of each scale', () => {
    const result = scoreResponse(cbi, {
      ...answers('cbi_p', [100, 75, 50, 25, 0, 50]),
      ...answers('cbi_c', [25, 25, 25, 25, 25, 25]),
    })
    // personal: (100+75+50+25+0+50) / 6 = 300 / 6 = 50 → "High burnout (≥ 50)" (band 1)
    expect(scale(result, 'personal')).toMatchObject({ score: 50, answered: 6, prorated: false, band: { index: 1 } })
    // patient: 6 × 25 / 6 = 25 → band 0
    expect(scale(result, 'patient')).toMatchObject({ score: 25, band: { index: 0, label: 'Below 50' } })
    // work: nothing answered
    expect(scale(result, 'work')).toMatchObject({ score: null, answered: 0, missing: { reason: 'too_few_items', needed: 4 } })
  })

  it('reverses the leisure-time energy item of the work scale', () => {
    const enough = scale(scoreResponse(cbi, answers('cbi_w', [50, 50, 50, 50, 50, 50, 100])), 'work')
    // w7 "Always" enough energy = 100 → reversed 0 + 100 − 100 = 0; (6 × 50 + 0) / 7 = 300 / 7 ≈ 42.857 → band 0
    expect(enough.score).toBeCloseTo(300 / 7, 10)
    expect(enough.band?.index).toBe(0)
    const none = scale(scoreResponse(cbi, answers('cbi_w', [50, 50, 50, 50, 50, 50, 0])), 'work')
    // w7 "Never/almost never" = 0 → reversed 100; (300 + 100) / 7 ≈ 57.143 → band 1
    expect(none.score).toBeCloseTo(400 / 7, 10)
    expect(none.band?.index).toBe(1)
    const partial = scale(scoreResponse(cbi, answers('cbi_w', [25, 25, 25, null, null, null, 25])), 'work')
    // w7 = 25 → reversed 75; (25 + 25 + 25 + 75) / 4 = 37.5
    expect(partial.score).toBeCloseTo(37.5, 10)
  })

  it('averages the answered items without prorating, and needs at least 3', () => {
    const three = scale(scoreResponse(cbi, answers('cbi_c', [100, 50, 75, null, null, null])), 'patient')
    // (100 + 50 + 75) / 3 = 75; a mean needs no prorating
    expect(three).toMatchObject({ score: 75, answered: 3, items: 6, prorated: false, missing: null, band: { index: 1 } })
    const two = scale(scoreResponse(cbi, answers('cbi_c', [100, 50, null, null, null, null])), 'patient')
    // 2 answered < minAnswered 3
    expect(two).toMatchObject({ score: null, band: null, answered: 2, missing: { reason: 'too_few_items', needed: 3 } })
  })

  it('puts exactly 50 in the high band and 37.5 below it', () => {
    const fifty = scale(scoreResponse(cbi, answers('cbi_p', [50, 50, 50, 50, 50, 50])), 'personal')
    // 6 × 50 / 6 = 50 → band 1 (≥ 50)
    expect(fifty.band?.index).toBe(1)
    const below = scale(scoreResponse(cbi, answers('cbi_p', [50, 50, 50, 50, 25, 0])), 'personal')
    // (4 × 50 + 25 + 0) / 6 = 225 / 6 = 37.5 → band 0
    expect(below.score).toBe(37.5)
    expect(below.band?.index).toBe(0)
  })
})

describe('missing-item rules and band edges of every shipped scale, at and past each threshold', () => {
  it('CBI work-related burnout needs at least 4 of its 7 items (the authors: "if less than four questions have been answered, the respondent is classified as non-responder")', () => {
    const cbi = questionnaire('cbi')
    // The case: w1 = 100, w2 = 100, w7 = 0 (reversed to 100) used to give 100, "High burnout".
    const three = scale(scoreResponse(cbi, answers('cbi_w', [100, 100, null, null, null, null, 0])), 'work')
    expect(three).toMatchObject({ score: null, band: null, answered: 3, missing: { reason: 'too_few_items', needed: 4 } })
    const four = scale(scoreResponse(cbi, answers('cbi_w', [100, 100, 50, null, null, null, 0])), 'work')
    // (100 + 100 + 50 + 100) / 4 = 87.5
    expect(four).toMatchObject({ score: 87.5, answered: 4, missing: null, band: { index: 1 } })
  })

  it('CBI personal and patient burnout need at least 3 of 6 (half)', () => {
    const cbi = questionnaire('cbi')
    for (const [prefix, id] of [['cbi_p', 'personal'], ['cbi_c', 'patient']] as const) {
      expect(scale(scoreResponse(cbi, answers(prefix, [50, 25, 0, null, null, null])), id)).toMatchObject({ score: 25, missing: null })
      expect(scale(scoreResponse(cbi, answers(prefix, [50, 25, null, null, null, null])), id)).toMatchObject({ score: null, missing: { needed: 3 } })
    }
  })

  it('PHQ-9: scored with 7 of 9 items, not with 6; bands change at 5, 10, 15 and 20', () => {
    const phq9 = questionnaire('phq-9')
    expect(scale(scoreResponse(phq9, answers('phq9_', [1, 1, 1, 1, 1, 1, 1, null, null])), 'total')).toMatchObject({ score: 9, prorated: true })
    expect(scale(scoreResponse(phq9, answers('phq9_', [1, 1, 1, 1, 1, 1, null, null, null])), 'total')).toMatchObject({ score: null, missing: { needed: 7 } })
    for (const [total, band] of [[4, 0], [5, 1], [9, 1], [10, 2], [14, 2], [15, 3], [19, 3], [20, 4], [27, 4]] as const) {
      expect(scale(scoreResponse(phq9, answers('phq9_', valuesSumming(total, 9, 3))), 'total').band?.index).toBe(band)
    }
  })

  it('GAD-7: scored with 6 of 7 items, not with 5; bands change at 5, 10 and 15', () => {
    const gad7 = questionnaire('gad-7')
    expect(scale(scoreResponse(gad7, answers('gad7_', [1, 1, 1, 1, 1, 1, null])), 'total')).toMatchObject({ score: 7, prorated: true })
    expect(scale(scoreResponse(gad7, answers('gad7_', [1, 1, 1, 1, 1, null, null])), 'total')).toMatchObject({ score: null, missing: { needed: 6 } })
    for (const [total, band] of [[4, 0], [5, 1], [9, 1], [10, 2], [14, 2], [15, 3], [21, 3]] as const) {
      expect(scale(scoreResponse(gad7, answers('gad7_', valuesSumming(total, 7, 3))), 'total').band?.index).toBe(band)
    }
  })

  it('WHO-5: scored with 4 of 5 items, not with 3; poor well-being below raw 13 (percentage 52)', () => {
    const who5 = questionnaire('who-5')
    const four = scoreResponse(who5, answers('who5_', [3, 3, 3, 3, null]))
    // 12 × 5 / 4 = 15; × 4 = 60
    expect(scale(four, 'raw')).toMatchObject({ score: 15, prorated: true })
    expect(scale(four, 'percentage')).toMatchObject({ score: 60, prorated: true })
    expect(scale(scoreResponse(who5, answers('who5_', [3, 3, 3, null, null])), 'raw')).toMatchObject({ score: null, missing: { needed: 4 } })
    for (const [total, band] of [[12, 0], [13, 1]] as const) {
      const result = scoreResponse(who5, answers('who5_', valuesSumming(total, 5, 5)))
      expect(scale(result, 'raw').band?.index).toBe(band)
      expect(scale(result, 'percentage')).toMatchObject({ score: total * 4, band: { index: band } })
    }
  })

  it('cites a source for every scale\'s missing-item rule and bands', () => {
    for (const id of ['phq-9', 'gad-7', 'who-5', 'cbi']) {
      for (const s of questionnaire(id).scoring.scales) {
        expect(s.missingRule.length).toBeGreaterThan(40)
        expect(s.bandsSource).toBeTruthy()
      }
    }
  })
})

describe('answer schemas', () => {
  it('reject an unknown question name', () => {
    const phq9 = instrument('phq-9')
    expect(phq9.draftSchema.safeParse({ phq9_1: 1, phq9_10: 1 }).success).toBe(false)
    expect(phq9.completeSchema.safeParse({ phq9_1: 1, phq9_10: 1 }).success).toBe(false)
  })

  it('reject a choice value that is not offered', () => {
    const phq9 = instrument('phq-9')
    expect(phq9.draftSchema.safeParse({ phq9_1: 4 }).success).toBe(false)
    expect(phq9.draftSchema.safeParse({ phq9_1: -1 }).success).toBe(false)
    // The stored value is the number 1, not the text or a string form of it.
    expect(phq9.draftSchema.safeParse({ phq9_1: '1' }).success).toBe(false)
    expect(instrument('cbi').draftSchema.safeParse({ cbi_p1: 60 }).success).toBe(false)
    expect(instrument('demographics').draftSchema.safeParse({ workplace: 'mars' }).success).toBe(false)
  })

  it('reject a value of the wrong type', () => {
    expect(instrument('phq-9').draftSchema.safeParse({ phq9_1: true }).success).toBe(false)
    expect(instrument('phq-9').draftSchema.safeParse({ phq9_1: [1] }).success).toBe(false)
    expect(instrument('demographics').draftSchema.safeParse({ age: '40' }).success).toBe(false)
  })

  it('accept whole-number ages within 18–90 only', () => {
    const demographics = instrument('demographics')
    expect(demographics.draftSchema.safeParse({ age: 40 }).success).toBe(true)
    expect(demographics.draftSchema.safeParse({ age: 40.5 }).success).toBe(false)
    expect(demographics.draftSchema.safeParse({ age: 17 }).success).toBe(false)
    expect(demographics.draftSchema.safeParse({ age: 91 }).success).toBe(false)
  })

  it('accept half years in practice but not quarter years', () => {
    const demographics = instrument('demographics')
    expect(demographics.draftSchema.safeParse({ years_in_practice: 12.5 }).success).toBe(true)
    expect(demographics.draftSchema.safeParse({ years_in_practice: 12.25 }).success).toBe(false)
    expect(demographics.draftSchema.safeParse({ sleep_hours: 6.5 }).success).toBe(true)
  })

  it('accept "other" with its comment on a showOtherItem question', () => {
    const demographics = instrument('demographics')
    expect(demographics.draftSchema.safeParse({ sex: 'other', 'sex-Comment': 'non-binary', role: 'other', 'role-Comment': 'midwife' }).success).toBe(true)
  })

  it('leave scored items optional even in a complete answer set, so skipped items can be prorated', () => {
    const phq9 = instrument('phq-9')
    expect(phq9.completeSchema.safeParse(answers('phq9_', [1, 1, 1, 1, 1, 1, 1, null, null])).success).toBe(true)
  })

  it('require the consent answer only in a complete consent form', () => {
    const consent = instrument('consent')
    expect(consent.draftSchema.safeParse({}).success).toBe(true)
    expect(consent.completeSchema.safeParse({}).success).toBe(false)
    expect(consent.completeSchema.safeParse({ consent: 'agree' }).success).toBe(true)
    expect(consent.completeSchema.safeParse({ consent: 'maybe' }).success).toBe(false)
  })
})
