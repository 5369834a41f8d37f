import type { CodeNode, CodedSegment, Span, TranscriptDoc } from './types'
import { assertSpanWithin, codePointLength, splitUnits, type UnitKind } from './units'

/** The 2×2 table of one code (or of all codes pooled) and the agreement statistics over it. */
export type AgreementCounts = {
  /** Units both coders coded. */
  a: number
  /** Units only coder A coded. */
  b: number
  /** Units only coder B coded. */
  c: number
  /** Units neither coder coded. */
  d: number
  /** (a + d) / N: NVivo's and QualCoder's "agree %", inflated when most text is uncoded. */
  percentAgreement: number
  /** Cohen's κ; null when undefined (chance agreement Pe = 1), with the reason in `reason`. */
  cohensKappa: number | null
  /** Brennan–Prediger κn with q = 2 categories (coded / not coded): 2·Po − 1. */
  brennanPrediger: number
  /** a / (a + b + c): agreement on the units either coder coded (MAXQDA's segment view, Jaccard); null when neither coded any. */
  codedOnlyAgreement: number | null
  /** Why a statistic is null, else null. */
  reason: string | null
}

export type CodeAgreement = AgreementCounts & {
  codeId: string
  /** N, the number of units (of all transcripts). */
  units: number
}

/**
 * Agreement over all codes at once, on the unit × category table: each unit gets from each coder
 * one category, the set of codes they applied to it (none, one code, or a combination), and the
 * coders agree on a unit when their sets are equal. `percentAgreement`, `cohensKappa` and
 * `brennanPrediger` are over this table (see codingAgreement); a, b, c, d are still the per-code
 * 2×2 tables summed, and `pooledCodeKappa` the per-code κ pooled, for comparison.
 */
export type OverallAgreement = AgreementCounts & {
  /** N, the number of units (of all transcripts). */
  units: number
  /** K, the number of codes (level 'code') compared. */
  codes: number
  /** K·N code-unit decisions that a, b, c and d add up to. */
  decisions: number
  /** Units on which both coders chose the same category (the same set of codes, or none). */
  agreedUnits: number
  /** q, the number of categories Brennan–Prediger's chance agreement 1/q is taken over: K codes + "not coded" + each combination of codes a coder used on one unit. */
  categories: number
  /** The per-code κ pooled by De Vries et al. (2008), (P̄o − P̄e)/(1 − P̄e): what this field reported before; null when undefined. */
  pooledCodeKappa: number | null
  /** The definition, for the methods section. */
  definition: string
}

export type Disagreement = {
  transcriptId: string
  participantCode: string
  codeId: string
  span: Span
  /** The coder who coded the unit with the code; the other did not. */
  codedBy: 'A' | 'B'
}

export type CodingAgreement = {
  unit: UnitKind
  perCode: CodeAgreement[]
  overall: OverallAgreement
  disagreements: Disagreement[]
}

export type CodingAgreementInput = {
  transcripts: TranscriptDoc[]
  /** The codebook; only nodes of level 'code' are compared (themes and categories are groupings). */
  codes: CodeNode[]
  codingsA: CodedSegment[]
  codingsB: CodedSegment[]
  unit: UnitKind
}

/**
 * Inter-coder agreement of two coders on fixed units (sentences or speaker turns), per code and
 * pooled over codes, with the list of disagreements to review.
 *
 * Units: every transcript is split by `splitUnits(text, unit)`. A unit counts as *coded with a
 * code by a coder* when any of that coder's codings of that code overlaps the unit by at least one
 * code point (coding start < unit end and unit start < coding end). Per code this gives the 2×2
 * table over the N units of all transcripts: a = both coded, b = only A, c = only B, d = neither.
 *
 * In words, per code:
 * - percent agreement Po = (a + d) / N;
 * - Cohen's κ = (Po − Pe) / (1 − Pe), with chance agreement
 *   Pe = [(a + b)(a + c) + (c + d)(b + d)] / N² (Cohen 1960) — computed here as the exact ratio
 *   [N(a + d) − E] / [N² − E] with E = (a + b)(a + c) + (c + d)(b + d), in integers. κ is undefined
 *   when Pe = 1, which happens when both coders coded every unit or neither coded any: null, with a
 *   reason;
 * - Brennan–Prediger κn = (Po − 1/q) / (1 − 1/q) with q = 2 categories (coded / not coded), i.e.
 *   2·Po − 1 (Brennan & Prediger 1981) — MAXQDA's choice where chance agreement is hard to define;
 * - coded-only agreement a / (a + b + c) (QualCoder's "agree coded only", MAXQDA segment level).
 *
 * Overall, on the unit × category table (the definition of Cohen 1960 and Brennan & Prediger 1981
 * with units as items, as MAXQDA's and Dedoose's code-assignment agreement): each coder puts each
 * unit in one category, the set of codes applied to it ("not coded" when none); Po = the share of
 * units in the same category, Cohen's κ = (Po − Pe)/(1 − Pe) with Pe = Σ_k p_A(k)·p_B(k),
 * Brennan–Prediger κ = (Po − 1/q)/(1 − 1/q) with q = K + 1 (+ each combination of codes used on one
 * unit). Summing the per-code 2×2 tables instead counts a unit K times, most of them as agreement
 * on "not coded", and overstates agreement (one transcript: 0.80 instead of 0.70, Brennan–Prediger
 * 0.60 instead of 0.55). a, b, c, d are still the summed tables, and `pooledCodeKappa` the codes' κ
 * pooled as (P̄o − P̄e)/(1 − P̄e) (De Vries, Elliott, Kanouse & Teleki 2008, Field Methods
 * 20(3):272–282), beside the per-code κ.
 *
 * Codings of nodes that are not level-'code' nodes of `codes` (a theme, a category, a deleted code)
 * are ignored. Who is coder A and who B is the caller's choice of the two lists; `coderId` is not
 * consulted.
 *
 * @throws {RangeError} no units (empty transcripts), no codes of level 'code', a coding of a
 *   transcript not given, or a coding span outside its transcript
 * @example
 * // One transcript "I was afraid. Then calm. Fine." (3 sentences), one code "fear":
 * // A codes sentences 1 and 2, B codes sentence 1: a = 1, b = 1, c = 0, d = 1, N = 3.
 * // Po = 2/3, Pe = (2·1 + 1·2)/9 = 4/9, κ = (2/3 − 4/9)/(1 − 4/9) = 0.4, κn = 1/3, coded-only 1/2.
 * codingAgreement({ transcripts, codes, codingsA, codingsB, unit: 'sentence' }).perCode[0]
 * // => { codeId: 'fear', a: 1, b: 1, c: 0, d: 1, units: 3, percentAgreement: 0.666…,
 * //      cohensKappa: 0.4, brennanPrediger: 0.333…, codedOnlyAgreement: 0.5, reason: null }
 */
export function codingAgreement(input: CodingAgreementInput): CodingAgreement {
  const { transcripts, unit } = input
  const codes = input.codes.filter((code) => code.level === 'code')
  if (codes.length === 0) throw new RangeError('Agreement needs at least one code of level "code" in the codebook.')

  const unitsByTranscript = new Map<string, { transcript: TranscriptDoc; units: Span[]; length: number }>()
  for (const transcript of transcripts) {
    unitsByTranscript.set(transcript.id, {
      transcript,
      units: splitUnits(transcript.text, unit),
      length: codePointLength(transcript.text),
    })
  }
  const totalUnits = [...unitsByTranscript.values()].reduce((sum, t) => sum + t.units.length, 0)
  if (totalUnits === 0) throw new RangeError(`There are no ${unit === 'sentence' ? 'sentences' : 'speaker turns'} to compare: the transcripts are empty.`)

  const codeIds = new Set(codes.map((code) => code.id))
  const markedA = markUnits(input.codingsA, 'A', codeIds, unitsByTranscript)
  const markedB = markUnits(input.codingsB, 'B', codeIds, unitsByTranscript)

  // The unit × category table: per unit, each coder's set of codes (in codebook order), '' for none.
  const categoryA: string[] = []
  const categoryB: string[] = []
  for (const { transcript, units } of unitsByTranscript.values()) {
    // Each code's marked units of this transcript, looked up once per transcript rather than per unit.
    const perCodeOf = (marked: Map<string, Set<number>>) => codes.map((code) => ({ id: code.id, marked: marked.get(key(transcript.id, code.id)) }))
    const perCodeA = perCodeOf(markedA)
    const perCodeB = perCodeOf(markedB)
    const setOf = (perCode: { id: string; marked: Set<number> | undefined }[], index: number) => JSON.stringify(perCode.filter((code) => code.marked?.has(index)).map((code) => code.id))
    units.forEach((_, index) => {
      categoryA.push(setOf(perCodeA, index))
      categoryB.push(setOf(perCodeB, index))
    })
  }
  const unitLevel = unitCategoryAgreement(categoryA, categoryB, codes.length)

  const perCode: CodeAgreement[] = []
  const disagreements: Disagreement[] = []
  let sumA = 0, sumB = 0, sumC = 0, sumD = 0
  // Sums over codes of N(a + d) − E and N² − E: P̄o − P̄e and 1 − P̄e times K·N².
  let pooledNumerator = 0
  let pooledDenominator = 0

  for (const code of codes) {
    let a = 0, b = 0, c = 0, d = 0
    for (const { transcript, units } of unitsByTranscript.values()) {
      const codedA = markedA.get(key(transcript.id, code.id))
      const codedB = markedB.get(key(transcript.id, code.id))
      units.forEach((span, index) => {
        const byA = codedA?.has(index) ?? false
        const byB = codedB?.has(index) ?? false
        if (byA && byB) a++
        else if (byA) b++
        else if (byB) c++
        else d++
        if (byA !== byB) {
          disagreements.push({
            transcriptId: transcript.id,
            participantCode: transcript.participantCode,
            codeId: code.id,
            span,
            codedBy: byA ? 'A' : 'B',
          })
        }
      })
    }
    const counts = agreementCounts(a, b, c, d)
    perCode.push({ codeId: code.id, ...counts, units: totalUnits })
    sumA += a; sumB += b; sumC += c; sumD += d
    const chance = (a + b) * (a + c) + (c + d) * (b + d)
    pooledNumerator += totalUnits * (a + d) - chance
    pooledDenominator += totalUnits * totalUnits - chance
  }

  const decisions = codes.length * totalUnits
  const pooledCodedOnly = sumA + sumB + sumC
  const overall: OverallAgreement = {
    a: sumA,
    b: sumB,
    c: sumC,
    d: sumD,
    percentAgreement: unitLevel.percentAgreement,
    cohensKappa: unitLevel.cohensKappa,
    brennanPrediger: unitLevel.brennanPrediger,
    codedOnlyAgreement: pooledCodedOnly === 0 ? null : sumA / pooledCodedOnly,
    reason: unitLevel.cohensKappa === null ? "Cohen's κ is undefined: both coders put every unit in the same single category, so Pe = 1." : null,
    units: totalUnits,
    codes: codes.length,
    decisions,
    agreedUnits: unitLevel.agreedUnits,
    categories: unitLevel.categories,
    pooledCodeKappa: pooledDenominator === 0 ? null : pooledNumerator / pooledDenominator,
    definition: UNIT_LEVEL_DEFINITION,
  }

  // Review order: transcript by transcript (as given), through the text, code by code.
  const transcriptOrder = new Map(transcripts.map((t, i) => [t.id, i]))
  const codeOrder = new Map(codes.map((code, i) => [code.id, i]))
  disagreements.sort(
    (x, y) =>
      transcriptOrder.get(x.transcriptId)! - transcriptOrder.get(y.transcriptId)! ||
      x.span.start - y.span.start ||
      codeOrder.get(x.codeId)! - codeOrder.get(y.codeId)!,
  )

  return { unit, perCode, overall, disagreements }
}

const UNIT_LEVEL_DEFINITION =
  "Units (sentences or speaker turns) are the items; each coder puts each unit in one category, the set of codes applied to it (or none). Percent agreement is the share of units in the same category; Cohen's κ = (Po − Pe)/(1 − Pe) with Pe = Σ p_A(k)·p_B(k) over the categories (Cohen 1960); Brennan–Prediger κ = (Po − 1/q)/(1 − 1/q) with q the number of categories (Brennan & Prediger 1981). Transcripts either coder coded are included; a unit one coder left uncoded is a disagreement wherever the other coded it."

/**
 * Agreement of two coders on nominal categories, one per unit (the unit × category table):
 * Po = share of units with the same category; Cohen's κ with Pe = Σ_k p_A(k)·p_B(k) (null when
 * Pe = 1); Brennan–Prediger with q = K + 1 + the number of code combinations used on one unit.
 */
function unitCategoryAgreement(categoryA: string[], categoryB: string[], codeCount: number): { percentAgreement: number; cohensKappa: number | null; brennanPrediger: number; agreedUnits: number; categories: number } {
  const n = categoryA.length
  const agreedUnits = categoryA.filter((category, i) => category === categoryB[i]).length
  const count = (list: string[]) => list.reduce((m, c) => m.set(c, (m.get(c) ?? 0) + 1), new Map<string, number>())
  const countA = count(categoryA)
  const countB = count(categoryB)
  // In integers: κ = (N·agreed − Σ n_A(k)·n_B(k)) / (N² − Σ n_A(k)·n_B(k)).
  let chance = 0
  for (const [category, nA] of countA) chance += nA * (countB.get(category) ?? 0)
  const combinations = new Set([...categoryA, ...categoryB].filter((c) => (JSON.parse(c) as string[]).length > 1)).size
  const categories = codeCount + 1 + combinations
  const percentAgreement = agreedUnits / n
  return {
    percentAgreement,
    cohensKappa: n * n === chance ? null : (n * agreedUnits - chance) / (n * n - chance),
    brennanPrediger: (percentAgreement - 1 / categories) / (1 - 1 / categories),
    agreedUnits,
    categories,
  }
}

/**
 * Agreement statistics of one 2×2 table: a = both coded, b = only A, c = only B, d = neither.
 * See `codingAgreement` for the formulas (percent agreement, Cohen's κ, Brennan–Prediger κn with
 * q = 2, coded-only agreement).
 *
 * @throws {RangeError} counts that are not non-negative integers, or all zero
 * @example
 * // The NVivo help's example: 1000 characters, 50 coded by both, 800 by neither.
 * agreementCounts(50, 100, 50, 800).percentAgreement // => 0.85
 */
export function agreementCounts(a: number, b: number, c: number, d: number): AgreementCounts {
  for (const [name, value] of [['a', a], ['b', b], ['c', c], ['d', d]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`Count ${name} = ${value} must be a non-negative integer.`)
  }
  const n = a + b + c + d
  if (n === 0) throw new RangeError('Agreement needs at least one unit (a + b + c + d = 0).')
  const observed = (a + d) / n
  // Cohen's κ = (Po − Pe)/(1 − Pe) multiplied through by N², so Pe = 1 is an exact integer test.
  const chance = (a + b) * (a + c) + (c + d) * (b + d)
  const kappaDenominator = n * n - chance
  const codedByEither = a + b + c
  const reasons: string[] = []
  if (kappaDenominator === 0) reasons.push(undefinedKappaReason(d))
  if (codedByEither === 0) reasons.push('Coded-only agreement is undefined: neither coder coded any unit with this code.')
  return {
    a,
    b,
    c,
    d,
    percentAgreement: observed,
    cohensKappa: kappaDenominator === 0 ? null : (n * (a + d) - chance) / kappaDenominator,
    brennanPrediger: 2 * observed - 1,
    codedOnlyAgreement: codedByEither === 0 ? null : a / codedByEither,
    reason: reasons.length === 0 ? null : reasons.join(' '),
  }
}

// ---------------------------------------------------------------------------------------------

function key(transcriptId: string, codeId: string): string {
  return JSON.stringify([transcriptId, codeId])
}

/** Pe = 1 only when b = c = 0 and one of a, d is 0: both coders coded every unit, or neither any. */
function undefinedKappaReason(d: number): string {
  const situation = d === 0 ? 'both coders coded every unit with this code' : 'neither coder coded any unit with this code'
  return `Cohen's κ is undefined: ${situation}, so chance agreement Pe = 1 and κ = 0/0.`
}

/**
 * For one coder: per transcript and code, the indexes of the units that any of the coder's codings
 * of that code overlaps by at least one code point.
 */
function markUnits(
  codings: CodedSegment[],
  coder: 'A' | 'B',
  codeIds: Set<string>,
  unitsByTranscript: Map<string, { units: Span[]; length: number }>,
): Map<string, Set<number>> {
  const marked = new Map<string, Set<number>>()
  for (const coding of codings) {
    const transcript = unitsByTranscript.get(coding.transcriptId)
    if (!transcript) {
      throw new RangeError(`Coder ${coder}'s coding ${coding.id} refers to transcript ${coding.transcriptId}, which is not among the transcripts.`)
    }
    assertSpanWithin(coding, transcript.length, `Coder ${coder}'s coding ${coding.id}`)
    if (!codeIds.has(coding.codeId)) continue
    const k = key(coding.transcriptId, coding.codeId)
    let set = marked.get(k)
    if (!set) marked.set(k, (set = new Set()))
    // Units are sorted and disjoint: from the first that ends after the coding starts, up to the first
    // that starts at or after its end. (An empty coding marks the unit it falls strictly inside.)
    const { units } = transcript
    for (let index = firstEndingAfter(units, coding.start); index < units.length && units[index]!.start < coding.end; index++) set.add(index)
  }
  return marked
}

/** The index of the first of the sorted, disjoint `units` that ends after `point` (units.length when none does). */
function firstEndingAfter(units: Span[], point: number): number {
  let low = 0
  let high = units.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (units[middle]!.end > point) high = middle
    else low = middle + 1
  }
  return low
}
