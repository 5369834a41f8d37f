import { describe, it, expect } from 'vitest'
import { agreementCounts, codingAgreement } from '../../../../server/domain/qualitative/agreement'
import { splitUnits, toCodePointOffset } from '../../../../server/domain/qualitative/units'
import type { CodeNode, CodedSegment, Span, TranscriptDoc } from '../../../../server/domain/qualitative/types'

const SENTENCES = [
  'Before the group I was afraid of patients.', // s1
  'I thought I would get infected.', // s2
  'Later I grew braver.', // s3
  'I am not angry with them any longer.', // s4
  'The leaders were active.', // s5
  'They protected me.', // s6
  'Nobody judged me.', // s7
  'I could join from my room.', // s8
  'My internet kept dropping.', // s9
  'It was a good experience.', // s10
]

function transcript(id: string, participantCode: string, text: string, interviewOrder = 1): TranscriptDoc {
  return { id, participantCode, interviewOrder, text, createdAt: '2024-05-01T10:00:00.000Z' }
}

function code(id: string, level: CodeNode['level'] = 'code', parentId: string | null = null): CodeNode {
  return { id, parentId, level, name: id, description: null }
}

let counter = 0
function coding(t: TranscriptDoc, codeId: string, coderId: string, span: Span): CodedSegment {
  return { id: `k${++counter}`, transcriptId: t.id, codeId, coderId, start: span.start, end: span.end, text: [...t.text].slice(span.start, span.end).join(''), createdAt: '2024-05-02T10:00:00.000Z' }
}

/** The span of sentences first..last (1-based) of the transcript. */
function sentences(t: TranscriptDoc, first: number, last = first): Span {
  const units = splitUnits(t.text, 'sentence')
  return { start: units[first - 1]!.start, end: units[last - 1]!.end }
}

describe('codingAgreement: a hand-worked example of 10 sentences', () => {
  const p1 = transcript('t1', 'P1', SENTENCES.join(' '))
  const codes = [code('theme', 'theme'), code('fear', 'code', 'theme'), code('leaders', 'code', 'theme'), code('unused', 'code', 'theme')]
  const s = (k: number) => sentences(p1, k)

  // fear:    A codes s1–s3, B codes s1, s3, s4.
  // leaders: A codes s5–s7, B codes s5–s6.
  // unused:  nobody.
  const codingsA = [
    // One selection from the middle of s1 into s2 marks both sentences (overlap ≥ 1 code point).
    coding(p1, 'fear', 'alice', { start: s(1).start + 10, end: s(2).start + 1 }),
    coding(p1, 'fear', 'alice', s(3)),
    // Whitespace only (between s3 and s4), and a selection ending where s4 starts: neither marks s4.
    coding(p1, 'fear', 'alice', { start: s(3).end, end: s(4).start }),
    coding(p1, 'fear', 'alice', { start: s(3).end - 1, end: s(4).start }),
    coding(p1, 'leaders', 'alice', sentences(p1, 5, 7)),
    // A coding of the theme is not a code-level decision: ignored.
    coding(p1, 'theme', 'alice', s(10)),
  ]
  const codingsB = [
    coding(p1, 'fear', 'bob', s(1)),
    coding(p1, 'fear', 'bob', { start: s(3).start, end: s(4).end }),
    coding(p1, 'leaders', 'bob', s(5)),
    coding(p1, 'leaders', 'bob', s(6)),
    // Two codings in one unit count once.
    coding(p1, 'leaders', 'bob', { start: s(6).start, end: s(6).start + 4 }),
  ]

  const result = codingAgreement({ transcripts: [p1], codes, codingsA, codingsB, unit: 'sentence' })

  it('has the ten units', () => {
    expect(splitUnits(p1.text, 'sentence')).toHaveLength(10)
    expect(result.unit).toBe('sentence')
  })

  it('computes the code "fear" as worked by hand', () => {
    // a = {s1, s3} = 2, b = {s2} = 1, c = {s4} = 1, d = 10 − 4 = 6.
    // Po = (2 + 6)/10 = 0.8
    // Pe = [(a+b)(a+c) + (c+d)(b+d)]/N² = [3·3 + 7·7]/100 = 0.58
    // κ = (0.8 − 0.58)/(1 − 0.58) = 0.22/0.42 = 0.523809…
    // Brennan–Prediger (q = 2) = (0.8 − 0.5)/0.5 = 0.6; coded-only = 2/(2 + 1 + 1) = 0.5.
    // R: A <- c(1,1,1,0,0,0,0,0,0,0); B <- c(1,0,1,1,0,0,0,0,0,0)
    //    tab <- table(factor(A, 0:1), factor(B, 0:1))
    //    po <- sum(diag(tab)) / sum(tab); pe <- sum(rowSums(tab) * colSums(tab)) / sum(tab)^2
    //    (po - pe) / (1 - pe)   # 0.52380952380952395
    const fear = result.perCode.find((c) => c.codeId === 'fear')!
    expect(fear).toMatchObject({ a: 2, b: 1, c: 1, d: 6, units: 10, reason: null })
    expect(fear.percentAgreement).toBeCloseTo(0.8, 14)
    expect(fear.cohensKappa).toBeCloseTo(0.52380952380952395, 14)
    expect(fear.brennanPrediger).toBeCloseTo(0.6, 14)
    expect(fear.codedOnlyAgreement).toBe(0.5)
  })

  it('computes the code "leaders" as worked by hand', () => {
    // a = {s5, s6} = 2, b = {s7} = 1, c = 0, d = 7.
    // Po = 0.9; Pe = [3·2 + 7·8]/100 = 0.62; κ = 0.28/0.38 = 0.736842…; κn = 0.8; coded-only = 2/3.
    // R: A2 <- c(0,0,0,0,1,1,1,0,0,0); B2 <- c(0,0,0,0,1,1,0,0,0,0)  (same calls)   # 0.73684210526315796
    const leaders = result.perCode.find((c) => c.codeId === 'leaders')!
    expect(leaders).toMatchObject({ a: 2, b: 1, c: 0, d: 7, units: 10, reason: null })
    expect(leaders.percentAgreement).toBeCloseTo(0.9, 14)
    expect(leaders.cohensKappa).toBeCloseTo(0.73684210526315796, 14)
    expect(leaders.brennanPrediger).toBeCloseTo(0.8, 14)
    expect(leaders.codedOnlyAgreement).toBeCloseTo(2 / 3, 14)
  })

  it('returns null κ with a reason for a code neither coder used (Pe = 1)', () => {
    const unused = result.perCode.find((c) => c.codeId === 'unused')!
    expect(unused).toMatchObject({ a: 0, b: 0, c: 0, d: 10, percentAgreement: 1, cohensKappa: null, brennanPrediger: 1, codedOnlyAgreement: null })
    expect(unused.reason).toMatch(/neither coder coded any unit/)
    expect(unused.reason).toMatch(/Pe = 1/)
  })

  it('compares only level-"code" nodes, in codebook order', () => {
    expect(result.perCode.map((c) => c.codeId)).toEqual(['fear', 'leaders', 'unused'])
  })

  it('computes the overall agreement on the unit × category table', () => {
    // Categories per sentence, A: fear fear fear – leaders leaders leaders – – –
    //                           B: fear –    fear fear leaders leaders –  – – –
    // 7 of 10 units agree. q = 3 codes + "not coded" = 4.
    // R: agree <- function(A, B, q) { lev <- union(A, B); tab <- table(factor(A, lev), factor(B, lev)); n <- sum(tab)
    //      po <- sum(diag(tab)) / n; pe <- sum(rowSums(tab) * colSums(tab)) / n^2
    //      c(po = po, kappa = (po - pe) / (1 - pe), bp = (po - 1 / q) / (1 - 1 / q)) }
    //    agree(c("fear","fear","fear","none","leaders","leaders","leaders","none","none","none"),
    //          c("fear","none","fear","fear","leaders","leaders","none","none","none","none"), 4)
    //    # po 0.69999999999999996, kappa 0.53846153846153844, bp 0.59999999999999998
    expect(result.overall).toMatchObject({ a: 4, b: 2, c: 1, d: 23, units: 10, codes: 3, decisions: 30, agreedUnits: 7, categories: 4, reason: null })
    expect(result.overall.percentAgreement).toBeCloseTo(0.69999999999999996, 14)
    expect(result.overall.cohensKappa).toBeCloseTo(0.53846153846153844, 14)
    expect(result.overall.brennanPrediger).toBeCloseTo(0.59999999999999998, 14)
    expect(result.overall.codedOnlyAgreement).toBeCloseTo(4 / 7, 14)
  })

  it('keeps the per-code κ pooled by De Vries et al. (2008) beside it', () => {
    // P̄o = (0.8 + 0.9 + 1)/3 = 0.9, P̄e = (0.58 + 0.62 + 1)/3 = 0.7333…, κ_pooled = 0.625, also without the unused code.
    // R: pob <- mean(c(0.8, 0.9, 1)); peb <- mean(c(0.58, 0.62, 1)); (pob - peb) / (1 - peb)   # 0.62500000000000011
    expect(result.overall.pooledCodeKappa).toBeCloseTo(0.625, 14)
    // Not κ of the summed table, which would be (27/30 − Pe)/(1 − Pe) with Pe from a = 4, b = 2, c = 1, d = 23.
    const summed = agreementCounts(4, 2, 1, 23).cohensKappa!
    expect(Math.abs(summed - 0.625)).toBeGreaterThan(0.01)

    const withoutUnused = codingAgreement({ transcripts: [p1], codes: codes.slice(0, 3), codingsA, codingsB, unit: 'sentence' })
    expect(withoutUnused.overall.pooledCodeKappa).toBeCloseTo(0.625, 14)
    // An unused code changes q, not the observed agreement: R agree(..., 3) bp 0.54999999999999993
    expect(withoutUnused.overall.percentAgreement).toBeCloseTo(0.7, 14)
    expect(withoutUnused.overall.brennanPrediger).toBeCloseTo(0.54999999999999993, 14)
  })

  it('lists the disagreements in text order with who coded', () => {
    expect(result.disagreements).toEqual([
      { transcriptId: 't1', participantCode: 'P1', codeId: 'fear', span: s(2), codedBy: 'A' },
      { transcriptId: 't1', participantCode: 'P1', codeId: 'fear', span: s(4), codedBy: 'B' },
      { transcriptId: 't1', participantCode: 'P1', codeId: 'leaders', span: s(7), codedBy: 'A' },
    ])
  })
})

describe('codingAgreement: the documented example', () => {
  it('gives κ = 0.4 on three sentences', () => {
    const t = transcript('t', 'P1', 'I was afraid. Then calm. Fine.')
    const result = codingAgreement({
      transcripts: [t],
      codes: [code('fear')],
      codingsA: [coding(t, 'fear', 'alice', sentences(t, 1, 2))],
      codingsB: [coding(t, 'fear', 'bob', sentences(t, 1))],
      unit: 'sentence',
    })
    expect(result.perCode[0]).toMatchObject({ codeId: 'fear', a: 1, b: 1, c: 0, d: 1, units: 3, codedOnlyAgreement: 0.5, reason: null })
    expect(result.perCode[0]!.percentAgreement).toBeCloseTo(2 / 3, 14)
    expect(result.perCode[0]!.cohensKappa).toBeCloseTo(0.4, 14)
    expect(result.perCode[0]!.brennanPrediger).toBeCloseTo(1 / 3, 14)
  })
})

describe('agreementCounts', () => {
  it('gives the NVivo help example: 50 both + 800 neither of 1000 → 85%', () => {
    // 1000 characters; A and B both coded 50; 150 were coded by one of them (split 100/50 here).
    const counts = agreementCounts(50, 100, 50, 800)
    expect(counts.percentAgreement).toBe(0.85)
    // The split of the 150 does not change percent agreement.
    expect(agreementCounts(50, 75, 75, 800).percentAgreement).toBe(0.85)
    expect(agreementCounts(50, 0, 150, 800).percentAgreement).toBe(0.85)
  })

  it('matches R on a larger table', () => {
    // R: a <- 37; b <- 9; c <- 14; d <- 240; N <- a + b + c + d
    //    po <- (a + d) / N; pe <- ((a + b) * (a + c) + (c + d) * (b + d)) / N^2
    //    (po - pe) / (1 - pe)   # 0.71730580137659783
    expect(agreementCounts(37, 9, 14, 240).cohensKappa).toBeCloseTo(0.71730580137659783, 14)
  })

  it('is 1 for perfect agreement, 0 for chance-level, and negative below chance', () => {
    expect(agreementCounts(3, 0, 0, 7).cohensKappa).toBe(1)
    // Independent coders: Po = Pe.
    expect(agreementCounts(1, 1, 1, 1).cohensKappa).toBe(0)
    // One coder never codes while the other does: κ = 0 (not undefined).
    expect(agreementCounts(0, 0, 4, 6).cohensKappa).toBe(0)
    // Complete disagreement: κ = −1, Brennan–Prediger = −1.
    expect(agreementCounts(0, 5, 5, 0)).toMatchObject({ cohensKappa: -1, brennanPrediger: -1, codedOnlyAgreement: 0 })
  })

  it('returns null κ with a reason when both coders coded every unit', () => {
    const all = agreementCounts(10, 0, 0, 0)
    expect(all).toMatchObject({ percentAgreement: 1, cohensKappa: null, brennanPrediger: 1, codedOnlyAgreement: 1 })
    expect(all.reason).toMatch(/both coders coded every unit/)
  })

  it('rejects impossible counts', () => {
    expect(() => agreementCounts(0, 0, 0, 0)).toThrow(RangeError)
    expect(() => agreementCounts(-1, 0, 0, 5)).toThrow(RangeError)
    expect(() => agreementCounts(1.5, 0, 0, 5)).toThrow(RangeError)
  })
})

describe('codingAgreement on speaker turns over several transcripts', () => {
  const p2 = transcript('t2', 'P2', 'Interviewer: How was the first session?\nP2: In the first session I was anxious 😟.\nIt was hard to talk.\nInterviewer: And later?\nP2: Later I felt secure.', 2)
  const p5 = transcript('t5', 'P5', 'مصاحبه‌گر: تجربه شما چه بود؟\nP5: همه چهره‌ها را دیدم 🙂 و راحت‌تر بودم.\nمصاحبه‌گر: ممنون.', 5)
  const codes = [code('insecurity'), code('seeing')]
  const turn = (t: TranscriptDoc, k: number) => splitUnits(t.text, 'turn')[k - 1]!

  it('counts turns of all transcripts as the units', () => {
    expect(splitUnits(p2.text, 'turn')).toHaveLength(4)
    expect(splitUnits(p5.text, 'turn')).toHaveLength(3)
    // The browser's offset of "anxious" (UTF-16, after an emoji-free prefix here) in code points.
    const start = toCodePointOffset(p2.text, p2.text.indexOf('anxious'))
    const result = codingAgreement({
      transcripts: [p2, p5],
      codes,
      // A selects only "anxious" (inside P2's first answer turn); B selects the whole turn.
      codingsA: [coding(p2, 'insecurity', 'alice', { start, end: start + 7 }), coding(p5, 'seeing', 'alice', turn(p5, 2))],
      codingsB: [coding(p2, 'insecurity', 'bob', turn(p2, 2)), coding(p2, 'insecurity', 'bob', turn(p2, 4)), coding(p5, 'seeing', 'bob', turn(p5, 2))],
      unit: 'turn',
    })
    expect(result.overall.units).toBe(7)
    // insecurity: a = 1 (P2 turn 2), b = 0, c = 1 (P2 turn 4), d = 5.
    // Po = 6/7; Pe = (1·2 + 6·5)/49 = 32/49; κ = (42/49 − 32/49)/(17/49) = 10/17.
    const insecurity = result.perCode[0]!
    expect(insecurity).toMatchObject({ a: 1, b: 0, c: 1, d: 5, units: 7 })
    expect(insecurity.cohensKappa).toBeCloseTo(10 / 17, 14)
    // seeing: a = 1, d = 6: perfect.
    expect(result.perCode[1]).toMatchObject({ a: 1, b: 0, c: 0, d: 6, cohensKappa: 1, codedOnlyAgreement: 1 })
    expect(result.disagreements).toEqual([{ transcriptId: 't2', participantCode: 'P2', codeId: 'insecurity', span: turn(p2, 4), codedBy: 'B' }])
  })

  it('rejects codings of unknown transcripts or outside the text, no codes, and no units', () => {
    const base = { transcripts: [p2], codes, codingsB: [] as CodedSegment[], unit: 'turn' as const }
    expect(() => codingAgreement({ ...base, codingsA: [coding(p5, 'seeing', 'alice', { start: 0, end: 2 })] })).toThrow(/not among the transcripts/)
    expect(() => codingAgreement({ ...base, codingsA: [{ ...coding(p2, 'seeing', 'alice', { start: 0, end: 2 }), end: 10_000 }] })).toThrow(RangeError)
    expect(() => codingAgreement({ ...base, codingsA: [], codes: [code('theme', 'theme')] })).toThrow(/at least one code/)
    expect(() => codingAgreement({ ...base, codingsA: [], transcripts: [transcript('t0', 'P0', '  \n ')] })).toThrow(/no speaker turns/)
  })

  it('returns a null κ with a reason when no code was used by anyone', () => {
    const result = codingAgreement({ transcripts: [p2], codes, codingsA: [], codingsB: [], unit: 'sentence' })
    expect(result.overall.cohensKappa).toBeNull()
    expect(result.overall.pooledCodeKappa).toBeNull()
    expect(result.overall.reason).toMatch(/κ is undefined/)
    expect(result.overall.percentAgreement).toBe(1)
    expect(result.disagreements).toEqual([])
  })
})

describe('overall agreement: the issue\'s transcript, where summing per-code tables overstated it', () => {
  it('gives 0.70 and Brennan–Prediger 0.55, not 0.80 and 0.60', () => {
    const t = transcript('t9', 'P9', SENTENCES.join(' '))
    const s = (k: number) => sentences(t, k)
    const codes = [code('x'), code('y')]
    // A: x x y y – – – – x y;  B: x x y x – – y – – y
    const codingsA = [coding(t, 'x', 'a', s(1)), coding(t, 'x', 'a', s(2)), coding(t, 'y', 'a', s(3)), coding(t, 'y', 'a', s(4)), coding(t, 'x', 'a', s(9)), coding(t, 'y', 'a', s(10))]
    const codingsB = [coding(t, 'x', 'b', s(1)), coding(t, 'x', 'b', s(2)), coding(t, 'y', 'b', s(3)), coding(t, 'x', 'b', s(4)), coding(t, 'y', 'b', s(7)), coding(t, 'y', 'b', s(10))]
    const result = codingAgreement({ transcripts: [t], codes, codingsA, codingsB, unit: 'sentence' })
    // Summed per-code tables: Σ(a + d) / (K·N) = 16/20 = 0.80, 2·0.8 − 1 = 0.60 (the old figures).
    expect((result.overall.a + result.overall.d) / result.overall.decisions).toBeCloseTo(0.8, 14)
    // R: agree(c("x","x","y","y","none","none","none","none","x","y"),
    //          c("x","x","y","x","none","none","y","none","none","y"), 3)
    //    # po 0.69999999999999996, kappa 0.54545454545454541, bp 0.54999999999999993
    expect(result.overall.percentAgreement).toBeCloseTo(0.69999999999999996, 14)
    expect(result.overall.cohensKappa).toBeCloseTo(0.54545454545454541, 14)
    expect(result.overall.brennanPrediger).toBeCloseTo(0.54999999999999993, 14)
  })

  it('counts a unit with two codes as its own category', () => {
    const t = transcript('t8', 'P8', SENTENCES.slice(0, 4).join(' '))
    const s = (k: number) => sentences(t, k)
    const codes = [code('x'), code('y')]
    // A: {x,y} x – –;  B: {x,y} x y –: 3 of 4 agree; q = 2 + 1 + 1 combination = 4.
    const result = codingAgreement({
      transcripts: [t],
      codes,
      codingsA: [coding(t, 'x', 'a', s(1)), coding(t, 'y', 'a', s(1)), coding(t, 'x', 'a', s(2))],
      codingsB: [coding(t, 'x', 'b', s(1)), coding(t, 'y', 'b', s(1)), coding(t, 'x', 'b', s(2)), coding(t, 'y', 'b', s(3))],
      unit: 'sentence',
    })
    // R: agree(c("xy", "x", "none", "none"), c("xy", "x", "y", "none"), 4)   # po 0.75, kappa 0.66666666666666663, bp 0.66666666666666663
    expect(result.overall).toMatchObject({ agreedUnits: 3, categories: 4 })
    expect(result.overall.cohensKappa).toBeCloseTo(0.66666666666666663, 14)
    expect(result.overall.brennanPrediger).toBeCloseTo(0.66666666666666663, 14)
  })
})

describe('codingAgreement marks the units a coding overlaps, whatever the coding', () => {
  /** Every unit against every coding: the definition of "coded", plainly. */
  function referenceCounts(t: TranscriptDoc, codeIds: string[], codingsA: CodedSegment[], codingsB: CodedSegment[], unit: 'sentence' | 'turn') {
    const coded = (list: CodedSegment[], codeId: string, span: Span) => list.some((c) => c.codeId === codeId && c.start < span.end && span.start < c.end)
    return codeIds.map((codeId) => {
      const counts = { codeId, a: 0, b: 0, c: 0, d: 0 }
      for (const span of splitUnits(t.text, unit)) {
        const [byA, byB] = [coded(codingsA, codeId, span), coded(codingsB, codeId, span)]
        if (byA && byB) counts.a++
        else if (byA) counts.b++
        else if (byB) counts.c++
        else counts.d++
      }
      return counts
    })
  }

  it('agrees with every coding checked against every unit: empty spans, whitespace between units, the whole text, emoji and Persian', () => {
    const text = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `P${i}: من از بیماران می‌ترسیدم 😀.` : i % 3 === 1 ? 'I was afraid 👍🏽 of patients!  Later calmer.' : 'Interviewer: 👩‍👩‍👧 and then?')).join('\n')
    const t = transcript('long', 'P1', text)
    const length = [...text].length
    const units = splitUnits(text, 'sentence')
    let state = 3
    const random = (n: number) => (state = (state * 1103515245 + 12345) % 2147483648) % n
    const spans: Span[] = [
      { start: 0, end: 0 },
      { start: length, end: length },
      { start: 0, end: length },
      // Empty at a unit's start, inside it and at its end; whitespace only between two units.
      { start: units[5]!.start, end: units[5]!.start },
      { start: units[5]!.start + 2, end: units[5]!.start + 2 },
      { start: units[7]!.end, end: units[7]!.end },
      { start: units[8]!.end, end: units[9]!.start },
    ]
    for (let k = 0; k < 400; k++) {
      const start = random(length + 1)
      spans.push({ start, end: Math.min(length, start + random(k % 10 === 0 ? 1 : 150)) })
    }
    const codes = [code('fear'), code('calm'), code('family')]
    const codingsA = spans.filter((_, k) => k % 2 === 0).map((span, k) => coding(t, codes[k % 3]!.id, 'alice', span))
    const codingsB = spans.filter((_, k) => k % 2 === 1).map((span, k) => coding(t, codes[(k + 1) % 3]!.id, 'bob', span))
    for (const unit of ['sentence', 'turn'] as const) {
      const result = codingAgreement({ transcripts: [t], codes, codingsA, codingsB, unit })
      expect(result.perCode.map(({ codeId, a, b, c, d }) => ({ codeId, a, b, c, d }))).toEqual(referenceCounts(t, codes.map((c) => c.id), codingsA, codingsB, unit))
    }
  })
})
