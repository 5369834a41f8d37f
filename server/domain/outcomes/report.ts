/**
 * The cohort report: each participant's scores at one wave against their own scores at another.
 * For every scale given at both waves it has the paired tests, effect sizes and reliable and
 * clinically significant change, plus the attrition funnel and a row per participant.
 *
 * Change is always `to − from` (post − pre). A statistic that cannot be computed is null, and
 * `unavailable` says why. Nothing is shown as NaN.
 */
import { mean } from 'simple-statistics'
import { ApiError } from '../errors'
import { placeParticipants, readReport, type ReportForm, type ReportFormRequest, type ScoredResponse } from '../../db/repositories/report-data'
import { listParticipants } from '../../db/repositories/participants'
import { findCohort, findStudy, listCohorts, listWaves, type Cohort, type Study, type Wave } from '../../db/repositories/studies'
import type { WaveKind } from '../../db/schema'
import {
  classifyChange,
  cohensDav,
  cohensDz,
  cronbachAlpha,
  cronbachAlphaOfColumns,
  hedgesGav,
  jacobsonTruaxCutoff,
  pAdjust,
  pairedTTest,
  quartiles,
  reliableChangeIndex,
  sampleSd,
  wilcoxonSignedRank,
  type ChangeClass,
} from '../../stats'
import type { Deps } from '../deps'
import type { Instrument } from '../instruments/registry'
import type { Questionnaire, ScaleSpec } from '../instruments/schema'
import { plainText, textsByLanguage } from '../instruments/text'
import { formLanguages } from '../instruments/study-forms'

export type Summary = { n: number | null; mean: number | null; sd: number | null; median: number | null; q1: number | null; q3: number | null }

export type AlphaSummary = { alpha: number; ci95: [number, number]; n: number; k: number; items: { item: string; correctedItemTotal: number | null; alphaIfDeleted: number | null }[] }

export type ScaleReport = {
  instrument: string
  /** In English (the CSV, Markdown and R files use it); `instrumentTitles` and `labels` in every language the form has (team-supplied translations included). */
  instrumentTitle: string
  instrumentTitles: Record<string, string>
  scale: string
  label: string
  labels: Record<string, string>
  direction: ScaleSpec['direction']
  range: { min: number; max: number }
  /** Complete pairs; null where suppressed for a program lead. */
  n: number | null
  pre: Summary
  post: Summary
  change: { mean: number | null; sd: number | null; ci95: [number, number] | null }
  pairedT: { t: number; df: number; p: number } | null
  /** V, p, method; `zeros` differences of 0 were dropped before ranking (R's wilcox.test does the same), leaving `nonZero`. */
  wilcoxon: { V: number; p: number; method: 'exact' | 'normal'; zeros?: number; nonZero?: number } | null
  /** How many of the paired scores were prorated (items missing, sum scaled up by the missing-item rule). */
  prorated?: { pre: number; post: number }
  /**
   * Effect sizes: each is computed whenever it can be (d_av and g_av exist when every difference is
   * equal, d_z then does not); a null one has its reason in `unavailable` ('effectSize.dz',
   * 'effectSize.dav'). `dzCiMethod` is 'normal approximation' where R's pt, and so the CI, leaves
   * the AS 243 series (|δ| > 37.62): the CI is then approximate, and `warnings` says so.
   */
  effectSize: { dz: number | null; dzCi95: [number, number] | null; dzCiMethod: 'series' | 'normal approximation' | null; dav: number | null; gav: number | null } | null
  /** The paired t-test's p adjusted within the secondary family (Holm; Benjamini–Hochberg); null for a primary outcome. */
  pHolm: number | null
  pBH: number | null
  /** The Wilcoxon test's p adjusted the same way, within the family of the secondary scales' Wilcoxon tests. */
  wilcoxonHolm: number | null
  wilcoxonBH: number | null
  /**
   * The multiplicity family of this scale's tests. 'primary': named by the study as a primary outcome,
   * not adjusted. 'secondary': adjusted across the m secondary scales. 'same score': another metric of
   * `sameScoreAs` (WHO-5 percentage = raw × 4), the same test, so not counted again: it carries that
   * scale's adjusted p-values.
   */
  multiplicity: { family: 'primary' | 'secondary' | 'same score'; sameScoreAs: string | null; m: number | null; description: string }
  /** What the reliable change index of this scale rests on. */
  rci: null | { sd: number; sdSource: 'instrument' | 'sample pre SD'; reliability: number; reliabilitySource: string; sDiff: number; reliableChangePoints: number }
  cutoff: { value: number; criterion: 'a' | 'b' | 'c' } | null
  /**
   * Counts per classification. Null where it cannot be assessed (no reliability or SD: all four; no
   * cut-off: recovered), with the reason in `unavailable.reliableChange` or
   * `unavailable['reliableChange.recovered']`, and where suppressed for a program lead. Never 0 for
   * "not assessable".
   */
  reliableChange: Record<ChangeClass, number | null>
  reliability: { from: AlphaSummary | null; to: AlphaSummary | null }
  /** Why a statistic is null. */
  unavailable: Record<string, string>
  /** Figures that are shown but should be read with care, keyed like `unavailable` (e.g. 'effectSize.dz', 'n'). */
  warnings: Record<string, string>
}

export type ParticipantScale = {
  instrument: string
  scale: string
  pre: number | null
  post: number | null
  change: number | null
  rci: number | null
  classification: ChangeClass | null
  bandPre: string | null
  bandPost: string | null
  /** Whether the score was prorated from fewer items than the scale has. */
  proratedPre?: boolean
  proratedPost?: boolean
}

export type CohortReport = {
  cohort: { id: string; name: string; studyId: string; studyName: string }
  from: WaveKind
  to: WaveKind
  generatedAt: string
  /** Counts of participants; null where suppressed for a program lead. */
  funnel: { enrolled: number; consented: number | null; completed: Partial<Record<WaveKind, number | null>>; paired: number | null; withdrawn: number | null }
  scales: ScaleReport[]
  participants: { id: string; code: string; attended: number; withdrawn: boolean; scales: ParticipantScale[] }[]
  /**
   * Questionnaires submitted at a link outside their wave's dates (begun while it was open and
   * finished after it closed, or dates changed afterwards): counted in the figures, flagged for the
   * researcher to judge. Imported answers carry the import's time, not the answering's, and are not checked.
   */
  outsideWave?: { participantId: string; code: string; wave: WaveKind; instrument: string; completedAt: string; opensAt: string; closesAt: string }[]
  /** Cronbach's α of the scales of instruments given at only one of the two waves (the scales above have theirs in `reliability`). */
  singleWaveReliability?: { instrument: string; instrumentTitle: string; scale: string; label: string; wave: WaveKind; alpha: AlphaSummary | null; reason: string | null }[]
}

function summary(values: number[]): Summary {
  if (values.length === 0) return { n: 0, mean: null, sd: null, median: null, q1: null, q3: null }
  const q = quartiles(values)
  return { n: values.length, mean: mean(values), sd: values.length > 1 ? sampleSd(values) : null, median: q.median, q1: q.q1, q3: q.q3 }
}

/** Run a statistic; on bad input record why it is missing instead of failing the whole report. */
function attempt<T>(name: string, unavailable: Record<string, string>, compute: () => T): T | null {
  try {
    return compute()
  } catch (error) {
    if (error instanceof RangeError) {
      unavailable[name] = error.message
      return null
    }
    throw error
  }
}

/** An item column a form did not read: every response's answer missing. */
const noColumn = new Float64Array(0)

/**
 * The responses of a placed form, in participant order, as (part, row) pairs: of the participants at
 * `only`'s places when given. (Each of these helpers takes typed arrays and numbers only, so that the
 * JIT compiles each once: the report calls them over every response of a wave, for scales of
 * different shapes; issue 16.)
 */
function responsesOf(form: PlacedForm | undefined, only: Uint8Array | null): { of: Int32Array; at: Int32Array } {
  const n = form?.part.length ?? 0
  const of = new Int32Array(n)
  const at = new Int32Array(n)
  let m = 0
  for (let person = 0; person < n; person++) {
    const p = form!.part[person]!
    if (p < 0 || (only && !only[person])) continue
    of[m] = p
    at[m++] = form!.row[person]!
  }
  return { of: of.subarray(0, m), at: at.subarray(0, m) }
}

/** Clear `isComplete[j]` where response j (row `at[j]` of part `of[j]`) has no number in its part's column (`columns[part]`) of an item. */
function markIncomplete(isComplete: Uint8Array, columns: Float64Array[], of: Int32Array, at: Int32Array): void {
  for (let j = 0; j < of.length; j++) {
    const column = columns[of[j]!]!
    const r = at[j]!
    if (r >= column.length || Number.isNaN(column[r]!)) isComplete[j] = 0
  }
}

/** One item's answers of the complete cases, in order, reversed (`flip − answer`) when `flip` is given. */
function gather(columns: Float64Array[], of: Int32Array, at: Int32Array, isComplete: Uint8Array, complete: number, flip: number | null): Float64Array {
  const column = new Float64Array(complete)
  for (let j = 0, c = 0; j < of.length; j++) {
    if (!isComplete[j]) continue
    const v = columns[of[j]!]![at[j]!]!
    column[c++] = flip === null ? v : flip - v
  }
  return column
}

/**
 * Cronbach's α of a scale at one wave, over the complete cases of its items: the responses of a
 * placed form, in participant order (the report's, P2 before P10: the row order of wide.csv, which R
 * reads, so α sums its rows in the same order every time), only those at `only`'s places when given.
 */
function alphaOf(scale: ScaleSpec, form: PlacedForm | undefined, only: Uint8Array | null, unavailable: Record<string, string>, name: string): AlphaSummary | null {
  const k = scale.items.length
  const flip = scale.itemRange.min + scale.itemRange.max
  // Who is a complete case, one item column at a time: participant i's response is row `at[j]` of
  // part `of[j]` (typed arrays, no object or array per response: this runs over every response of a wave).
  const { of, at } = responsesOf(form, only)
  // Each part's column of each of the scale's items (an empty column where the part did not read it).
  const parts = form?.parts ?? []
  const byItem = scale.items.map((item) => parts.map((part) => part.items[part.request.items.indexOf(item)] ?? noColumn))
  const isComplete = new Uint8Array(of.length).fill(1)
  for (const columns of byItem) markIncomplete(isComplete, columns, of, at)
  const complete = isComplete.reduce((n, c) => n + c, 0)
  const columns = byItem.map((itemColumns, i) => gather(itemColumns, of, at, isComplete, complete, scale.reverse.includes(scale.items[i]!) ? flip : null))
  const result = attempt(name, unavailable, () =>
    k >= 2 ? cronbachAlphaOfColumns(columns) : cronbachAlpha(Array.from({ length: complete }, (_, person) => columns.map((column) => column[person]!))),
  )
  if (!result) return null
  const constant = result.items.flatMap((it, i) => (Number.isNaN(it.correctedItemTotal) ? [scale.items[i]!] : []))
  if (constant.length > 0) unavailable[`${name}.correctedItemTotal`] = `item${constant.length > 1 ? 's' : ''} ${constant.join(', ')} had the same answer from everyone, so ${constant.length > 1 ? 'they do' : 'it does'} not correlate with the total`
  return {
    alpha: result.alpha,
    ci95: result.ci95,
    n: result.n,
    k: result.k,
    items: result.items.map((it, i) => ({ item: scale.items[i]!, correctedItemTotal: Number.isNaN(it.correctedItemTotal) ? null : it.correctedItemTotal, alphaIfDeleted: it.alphaIfDeleted })),
  }
}

const emptyCounts = (): Record<ChangeClass, number> => ({ recovered: 0, improved: 0, unchanged: 0, deteriorated: 0 })
const changeClassNames = ['recovered', 'improved', 'unchanged', 'deteriorated'] as const

/** Below this many pairs a 95% CI is too wide to mean much, and the report warns (statistics.md). */
export const SMALL_SAMPLE = 10
/** Below this many pairs an SD and α estimated from the sample make a poor reliable-change threshold. */
export const SMALL_SAMPLE_RCI = 30

/** The instruments asked at both waves, in the order of the first. */
export function sharedInstruments(from: Wave, to: Wave): string[] {
  return from.instruments.filter((id) => to.instruments.includes(id))
}

export type StoredScaleScore = ScoredResponse['scores'][number]

/**
 * Each participant's stored score of one scale at one wave, by their place, as columns (issue 16: no
 * object per participant and scale): `has[i]` is 1 when participant i has a stored score row of the
 * scale (its score may still be null, when the scale could not be scored: NaN in `score`), `band[i]`
 * the band's index (−1 for none) and `prorated[i]` 1 when the score was prorated.
 */
export type PlacedScaleScores = { has: Uint8Array; score: Float64Array; band: Int32Array; prorated: Uint8Array }

/** The complete pairs of one scale (both scores present), in participant order: each pair's place and its two scores. */
export function completePairs(preOf: PlacedScaleScores, postOf: PlacedScaleScores): { places: number[]; pre: number[]; post: number[] } {
  const places: number[] = []
  const pre: number[] = []
  const post: number[] = []
  for (let i = 0; i < preOf.score.length; i++) {
    const a = preOf.score[i]!
    const b = postOf.score[i]!
    if (Number.isNaN(a) || Number.isNaN(b)) continue
    places.push(i)
    pre.push(a)
    post.push(b)
  }
  return { places, pre, post }
}

/**
 * What a scale's reliable change index rests on, after Jacobson & Truax (1991): the instrument's
 * published SD and reliability where it gives them, else the sample's pre SD and Cronbach's α at the
 * first wave, and the report says which. Both sample figures come from the same people, the complete
 * pairs: α from every first-wave answer but the SD from the paired ones mixed two samples.
 *
 * `pairedPre` are the complete pairs' first-wave scores, in participant order, and `pairedAlpha`
 * computes Cronbach's α of their first-wave responses (`alphaOf` over the same people); neither is
 * looked at when the instrument gives both figures. Returns the basis, or null with the reason
 * (`unavailable`), and a warning when it rests on the sample.
 */
export function reliableChangeBasis(
  spec: ScaleSpec,
  pairedPre: number[],
  pairedAlpha: () => AlphaSummary | null,
  fromKind: WaveKind,
): { rci: ScaleReport['rci']; unavailable: string | null; warning: string | null } {
  const psy = spec.psychometrics
  const sd = psy.sd?.value ?? (pairedPre.length > 1 ? sampleSd(pairedPre) : null)
  const alpha = psy.reliability ? null : pairedAlpha()
  const reliabilityValue = psy.reliability?.value ?? alpha?.alpha ?? null
  if (sd === null || sd === 0) return { rci: null, unavailable: 'no SD: the instrument gives none and fewer than 2 paired pre scores vary', warning: null }
  if (spec.items.length < 2 && !psy.reliability) return { rci: null, unavailable: "no reliability: the instrument gives none, and Cronbach's α needs at least 2 items", warning: null }
  if (reliabilityValue === null || reliabilityValue <= 0 || reliabilityValue >= 1) {
    return {
      rci: null,
      unavailable: `no usable reliability: the instrument gives none and Cronbach's α of the paired participants at ${fromKind} ${reliabilityValue === null ? 'cannot be computed' : `is ${reliabilityValue.toFixed(3)}, not between 0 and 1`}`,
      warning: null,
    }
  }
  const n = pairedPre.length
  const warning =
    !psy.sd || !psy.reliability
      ? `the reliable-change threshold rests on this sample's ${[!psy.sd && 'SD', !psy.reliability && "Cronbach's α"].filter(Boolean).join(' and ')} from ${n} paired participants${n < SMALL_SAMPLE_RCI ? `; with fewer than ${SMALL_SAMPLE_RCI} they are imprecise, so the threshold (and who counts as reliably changed) may be far off` : ''}`
      : null
  const sDiff = Math.sqrt(2) * sd * Math.sqrt(1 - reliabilityValue)
  return {
    rci: {
      sd,
      sdSource: psy.sd ? 'instrument' : 'sample pre SD',
      reliability: reliabilityValue,
      reliabilitySource: psy.reliability ? `instrument (${psy.reliability.kind}; ${psy.reliability.source})` : `sample Cronbach's α at ${fromKind}`,
      sDiff,
      reliableChangePoints: 1.96 * sDiff,
    },
    unavailable: null,
    warning,
  }
}

/** Whether a scale's reliable change can be computed without the cohort: the instrument gives its SD and reliability. */
export const rciNeedsSample = (spec: ScaleSpec): boolean => !spec.psychometrics.sd || !spec.psychometrics.reliability

/**
 * One participant's row for one scale: scores, change, RCI and classification (Jacobson & Truax),
 * bands. Undefined when they have neither score.
 */
export function participantScale(
  instrumentId: string,
  spec: ScaleSpec,
  preScore: StoredScaleScore | undefined,
  postScore: StoredScaleScore | undefined,
  rci: ScaleReport['rci'],
  cutoff: ScaleReport['cutoff'],
): ParticipantScale | undefined {
  if (!preScore && !postScore) return undefined
  return scaleRow(rowContext(instrumentId, spec, rci, cutoff), preScore?.score ?? null, postScore?.score ?? null, preScore?.bandIndex ?? null, postScore?.bandIndex ?? null, preScore?.prorated ?? false, postScore?.prorated ?? false)
}

/**
 * What every participant's row of one scale shares, made once per scale (issue 16: the rows are
 * built for every participant and scale of a report, and one shape of object here, whatever the
 * scale's, lets the JIT compile `scaleRow` once).
 */
type RowContext = {
  instrumentId: string
  scaleId: string
  direction: ScaleSpec['direction']
  /** Each band's label, by index. */
  bandLabels: string[]
  /** The RCI's SD and reliability; null without an RCI. */
  rci: { sd: number; reliability: number } | null
  cutoff: number | null
}

function rowContext(instrumentId: string, spec: ScaleSpec, rci: ScaleReport['rci'], cutoff: ScaleReport['cutoff']): RowContext {
  return {
    instrumentId,
    scaleId: spec.id,
    direction: spec.direction,
    bandLabels: spec.bands.map((band) => plainText(band.label)),
    rci: rci ? { sd: rci.sd, reliability: rci.reliability } : null,
    cutoff: cutoff?.value ?? null,
  }
}

/**
 * Every participant's row of one scale, by place (undefined for someone with neither score), from
 * two placed score columns, and how many fall in each class of change.
 */
function placedScaleRows(context: RowContext, preOf: PlacedScaleScores, postOf: PlacedScaleScores): { rows: (ParticipantScale | undefined)[]; counts: Record<ChangeClass, number> } {
  const counts = emptyCounts()
  const n = preOf.score.length
  const rows = new Array<ParticipantScale | undefined>(n)
  for (let i = 0; i < n; i++) {
    if (!preOf.has[i] && !postOf.has[i]) continue
    const a = preOf.score[i]!
    const b = postOf.score[i]!
    const bandA = preOf.band[i]!
    const bandB = postOf.band[i]!
    const row = scaleRow(context, Number.isNaN(a) ? null : a, Number.isNaN(b) ? null : b, bandA < 0 ? null : bandA, bandB < 0 ? null : bandB, preOf.prorated[i] === 1, postOf.prorated[i] === 1)
    if (row.classification) counts[row.classification]++
    rows[i] = row
  }
  return { rows, counts }
}

function scaleRow(c: RowContext, a: number | null, b: number | null, bandA: number | null, bandB: number | null, proratedPre: boolean, proratedPost: boolean): ParticipantScale {
  const change = a !== null && b !== null ? b - a : null
  const index = change !== null && c.rci ? reliableChangeIndex(a!, b!, c.rci) : null
  const classification = index !== null ? classifyChange({ pre: a!, post: b!, rci: index, cutoff: c.cutoff, direction: c.direction }) : null
  return {
    instrument: c.instrumentId,
    scale: c.scaleId,
    pre: a,
    post: b,
    change,
    rci: index,
    classification,
    bandPre: bandA === null ? null : c.bandLabels[bandA]!,
    bandPost: bandB === null ? null : c.bandLabels[bandB]!,
    proratedPre,
    proratedPost,
  }
}

export async function cohortReport(deps: Deps, cohortId: string, waves: { from: WaveKind; to: WaveKind }): Promise<CohortReport> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  const study = (await findStudy(deps.db, cohort.studyId))!
  return reportOver(deps, study, [cohort], { id: cohort.id, name: cohort.name }, waves)
}

/** The study-wide report: a cohort report over every cohort, with the cohorts it includes. */
export type StudyReport = CohortReport & { cohorts: { id: string; name: string }[] }

/**
 * The whole study at once (issue 17): the cohort report's computation over the participants of every
 * cohort of the study together, each participant's scores taken from their own cohort's wave of each
 * kind. Its statistics are those of one cohort holding the same people. A participant belongs to one
 * cohort (participant.cohort_id), so nobody is counted twice; a person enrolled in two cohorts has
 * two pseudonymous records that nothing links, and is counted as two. Codes are per cohort (each has
 * its P1), so rows are named "cohort · code". Members of one group are not independent: the pooled
 * report models that, this one does not.
 *
 * @throws {ApiError} not_found without such a study, or when no cohort has one of the two waves
 */
export async function studyReport(deps: Deps, studyId: string, waves: { from: WaveKind; to: WaveKind }): Promise<StudyReport> {
  const study = await findStudy(deps.db, studyId)
  if (!study) throw new ApiError('not_found', 'No such study.')
  const cohorts = await listCohorts(deps.db, studyId)
  const report = await reportOver(deps, study, cohorts, { id: study.id, name: `All cohorts of ${study.name}` }, waves)
  const cohortName = new Map(cohorts.map((c) => [c.id, c.name]))
  const cohortOf = new Map<string, string>()
  for (const c of cohorts) for (const p of await listParticipants(deps.db, c.id)) cohortOf.set(p.id, c.id)
  const named = (id: string, code: string) => `${cohortName.get(cohortOf.get(id) ?? '') ?? ''} · ${code}`
  return {
    ...report,
    participants: report.participants.map((p) => ({ ...p, code: named(p.id, p.code) })),
    outsideWave: report.outsideWave?.map((o) => ({ ...o, code: named(o.participantId, o.code) })),
    cohorts: cohorts.map((c) => ({ id: c.id, name: c.name })),
  }
}

/**
 * The report over the participants of several cohorts of a study together, as `studyReport` makes it
 * over all of them (for a release's judgement of other cohorts than the one released: release.ts).
 * Participants by cohort, in `cohorts`' order, then in natural order of their codes.
 */
export async function cohortsReport(deps: Deps, study: Study, cohorts: Cohort[], waves: { from: WaveKind; to: WaveKind }): Promise<CohortReport> {
  return reportOver(deps, study, cohorts, { id: study.id, name: study.name }, waves)
}

/**
 * The report over the participants of `cohorts`. Over one cohort each wave is its own slot; over
 * several, a participant's wave of each kind (one per cohort) goes into that kind's slot, whose
 * questionnaires are those any cohort asked at it, and completing it means completing one's own
 * cohort's wave.
 */
async function reportOver(deps: Deps, study: Study, cohorts: Cohort[], scope: { id: string; name: string }, waves: { from: WaveKind; to: WaveKind }): Promise<CohortReport> {
  if (waves.from === waves.to) throw new ApiError('validation_failed', 'to: must be a different wave from "from"', [{ field: 'to', message: 'must differ from "from"' }])
  const wavesOfCohort = await Promise.all(cohorts.map((c) => listWaves(deps.db, c.id)))
  const allWaves = wavesOfCohort.flat()
  const single = cohorts.length === 1
  const slotWaves: Wave[] = single ? allWaves : kindSlots(allWaves)
  const from = slotWaves.find((w) => w.kind === waves.from)
  const to = slotWaves.find((w) => w.kind === waves.to)
  if (!from || !to) throw new ApiError('not_found', `This ${single ? 'cohort' : 'study'} has no ${!from ? waves.from : waves.to} wave.`)

  // Every form is asked for at once and read in the background (on a SQLite file, on its reader
  // thread), the two forms of each instrument compared first and in the order they are computed, so
  // that one instrument is computed while the next is read.
  const shared = sharedInstruments(from, to)
  // Computed (and so read) the instrument with the most scales first, so that the last to arrive is
  // one of the quickest to compute; the report lists them in `shared`'s order all the same.
  const scaleCount = (id: string) => deps.instruments.questionnaire(id)?.scoring.scales.length ?? 0
  const computeOrder = shared.map((id, k) => ({ id, k })).sort((a, b) => scaleCount(b.id) - scaleCount(a.id) || a.k - b.k).map((x) => x.id)
  const slotKind = (request: ReportFormRequest) => (single ? request.waveId : `kind:${request.waveKind}`)
  const comparedRank = (request: ReportFormRequest) => {
    const k = 'instrumentId' in request && (slotKind(request) === from.id || slotKind(request) === to.id) ? computeOrder.indexOf(request.instrumentId) : -1
    return k < 0 ? shared.length : k
  }
  const inOrder = formsToRead(deps, allWaves, single ? (w) => w : (w) => slotWaves.find((s) => s.kind === w.kind)!, [from.kind, to.kind])
  const readOrder = inOrder.map((_, i) => i).sort((a, b) => comparedRank(inOrder[a]!) - comparedRank(inOrder[b]!) || a - b)
  const requests = readOrder.map((i) => inOrder[i]!)
  const cohortIds = cohorts.map((c) => c.id)
  const read = readReport(deps.db, cohortIds, requests)
  const reading = read.forms

  const asRead = await read.participants
  const { ordered, placeOfRow } = placeParticipants(asRead.participants, cohortIds)
  const participants = Array.from(ordered, (r) => asRead.participants[r]!)

  // The rows grouped with integer keys as they arrive: for each wave and instrument, each
  // participant's response by their place in `participants`.
  const placed = new Map<string, Map<string, PlacedForm>>()
  const isPlaced = new Uint8Array(requests.length)
  /** Wait for the forms of `instrumentId` in the slot `slot` (any, when null) and place them. */
  const arrive = async (slot: string | null, instrumentId: string | null) => {
    const wanted = requests.flatMap((r, i) => (!isPlaced[i] && (slot === null || (slotKind(r) === slot && 'instrumentId' in r && r.instrumentId === instrumentId)) ? [i] : []))
    const forms = await Promise.all(wanted.map((i) => reading[i]!))
    wanted.forEach((i, j) => {
      isPlaced[i] = 1
      placeForm(placed, forms[j]!, placeOfRow, participants.length, slotKind(forms[j]!.request))
    })
  }
  const formOf = (wave: Wave, instrumentId: string) => placed.get(wave.id)?.get(instrumentId)

  // Per instrument, its scales and each scale's row per participant (by place; undefined for someone with neither score).
  const computed = new Map<string, { scales: ScaleReport[]; rows: (ParticipantScale | undefined)[][] }>()

  for (const instrumentId of computeOrder) {
    const instrument = deps.instruments.questionnaire(instrumentId) as (Instrument & Questionnaire) | undefined
    if (!instrument) continue
    const scales: ScaleReport[] = []
    const rows: (ParticipantScale | undefined)[][] = []
    computed.set(instrumentId, { scales, rows })
    await arrive(from.id, instrumentId)
    const fromForm = formOf(from, instrumentId)
    // α at the first wave needs its form alone: computed while the second is read (issue 16). Its
    // reasons join the scale's `unavailable` where they always have, after the tests'.
    const fromReliability = instrument.scoring.scales.map((spec) => {
      const why: Record<string, string> = {}
      return { alpha: alphaOf(spec, fromForm, null, why, 'reliability.from'), why }
    })
    await arrive(to.id, instrumentId)
    const toForm = formOf(to, instrumentId)
    for (const [scaleIndex, spec] of instrument.scoring.scales.entries()) {
      const unavailable: Record<string, string> = {}
      // Each participant's stored score of this scale at each wave, by their place: one pass.
      const preOf = placedScores(fromForm, scaleIndex, participants.length)
      const postOf = placedScores(toForm, scaleIndex, participants.length)
      const pairs = completePairs(preOf, postOf)
      const { pre, post } = pairs
      const diffs = post.map((b, j) => b - pre[j]!)

      const warnings: Record<string, string> = {}
      const t = attempt('pairedT', unavailable, () => pairedTTest(post, pre))
      const w = attempt('wilcoxon', unavailable, () => wilcoxonSignedRank(post, pre))
      const dz = attempt('effectSize.dz', unavailable, () => cohensDz(post, pre))
      const dav = attempt('effectSize.dav', unavailable, () => cohensDav(post, pre))
      const gav = attempt('effectSize.gav', unavailable, () => hedgesGav(post, pre))
      if (pre.length < 2) unavailable.change = `${pre.length} complete pair${pre.length === 1 ? '' : 's'}: at least 2 are needed`
      else if (pre.length < SMALL_SAMPLE) warnings.n = `only ${pre.length} complete pairs: with fewer than ${SMALL_SAMPLE}, confidence intervals are too wide to mean much`
      if (dz?.ciMethod === 'normal approximation') {
        warnings['effectSize.dz'] = "the d_z confidence interval lies beyond |δ| = 37.62, where R's pt (and this report) use the normal approximation of Abramowitz & Stegun 26.7.10, known to be poor in the tails: treat its limits as approximate"
      }

      Object.assign(unavailable, fromReliability[scaleIndex]!.why)
      const reliability = {
        from: fromReliability[scaleIndex]!.alpha,
        to: alphaOf(spec, toForm, null, unavailable, 'reliability.to'),
      }

      // α of the complete pairs: the first wave's own when everyone who answered it is paired (the usual case).
      const basis = reliableChangeBasis(spec, pre, () => pairedAlpha(spec, fromForm, pairs.places, reliability.from), from.kind)
      const rci = basis.rci
      if (basis.unavailable) unavailable.rci = basis.unavailable
      if (basis.warning) warnings.rci = basis.warning
      const psy = spec.psychometrics
      const cutoff = jacobsonTruaxCutoff({ direction: spec.direction, clinical: psy.clinical, normative: psy.normative })
      if (!cutoff) unavailable.cutoff = 'the instrument gives no clinical or normative mean and SD'
      // Norms the instrument file marks unconfirmed are flagged wherever they are used.
      const unconfirmed = [
        rci && psy.sd?.unconfirmed ? `SD ${psy.sd.value} (${psy.sd.source})` : null,
        rci && psy.reliability?.unconfirmed ? `reliability ${psy.reliability.value} (${psy.reliability.source})` : null,
        cutoff && psy.clinical?.unconfirmed ? `clinical mean ${psy.clinical.mean}, SD ${psy.clinical.sd} (${psy.clinical.source})` : null,
        cutoff && psy.normative?.unconfirmed ? `normative mean ${psy.normative.mean}, SD ${psy.normative.sd} (${psy.normative.source})` : null,
      ].filter((x): x is string => x !== null)
      if (unconfirmed.length > 0) warnings.norms = `unconfirmed norms (not checked against a primary source) are used for reliable change or the cut-off: ${unconfirmed.join('; ')}`

      const placedRows = placedScaleRows(rowContext(instrumentId, spec, rci, cutoff), preOf, postOf)
      const counts: Record<ChangeClass, number | null> = placedRows.counts
      rows.push(placedRows.rows)

      // Not assessable is not zero: without an RCI nobody can be classified, without a cut-off nobody recovered.
      if (!rci) {
        for (const c of changeClassNames) counts[c] = null
        unavailable.reliableChange = `not assessable: ${unavailable.rci}`
      } else if (!cutoff) {
        counts.recovered = null
        unavailable['reliableChange.recovered'] = `not assessable: ${unavailable.cutoff}, so "recovered" (reliable improvement across the cut-off) cannot be judged; reliable improvement counts as improved`
      }

      scales.push({
        instrument: instrumentId,
        instrumentTitle: plainText(instrument.title),
        instrumentTitles: textsByLanguage(instrument.title, formLanguages(instrument)),
        scale: spec.id,
        label: plainText(spec.label),
        labels: textsByLanguage(spec.label, formLanguages(instrument)),
        direction: spec.direction,
        range: spec.range,
        n: pre.length,
        pre: summary(pre),
        post: summary(post),
        change: {
          mean: diffs.length > 0 ? mean(diffs) : null,
          sd: diffs.length > 1 ? sampleSd(diffs) : null,
          ci95: t?.ci95 ?? null,
        },
        pairedT: t && { t: t.t, df: t.df, p: t.p },
        wilcoxon: w && { V: w.V, p: w.p, method: w.method, zeros: w.zeros, nonZero: w.nonZero },
        prorated: { pre: countAt(preOf.prorated, pairs.places), post: countAt(postOf.prorated, pairs.places) },
        effectSize: dz || dav !== null || gav !== null ? { dz: dz?.dz ?? null, dzCi95: dz?.ci95 ?? null, dzCiMethod: dz?.ciMethod ?? null, dav, gav } : null,
        pHolm: null,
        pBH: null,
        wilcoxonHolm: null,
        wilcoxonBH: null,
        multiplicity: { family: 'secondary', sameScoreAs: spec.sameScoreAs ? `${instrumentId}/${spec.sameScoreAs}` : null, m: null, description: '' },
        rci,
        cutoff,
        reliableChange: counts,
        reliability,
        unavailable,
        warnings,
      })
    }
  }

  // In the report's order: instruments as asked at the first wave, scales as each lists them.
  const ofShared = shared.flatMap((id) => computed.get(id) ?? [])
  const scales = ofShared.flatMap((c) => c.scales)
  const scaleRows = ofShared.flatMap((c) => c.rows)
  const perParticipant = byParticipant(scaleRows, participants.length)
  adjustForMultiplicity(scales, study.primaryOutcomes)

  // The rest of the forms: the funnel needs every wave's, and the answers outside their wave every form.
  await arrive(null, null)
  // In formsToRead's order, as the answers outside their wave are listed.
  const forms = new Array<ReportForm>(requests.length)
  for (const [k, form] of (await Promise.all(reading)).entries()) forms[readOrder[k]!] = form
  // The questionnaires of each participant's own wave of a kind (over one cohort, the wave's).
  const ownInstruments = new Map(cohorts.map((c, k) => [c.id, new Map(wavesOfCohort[k]!.map((w) => [w.kind, w.instruments]))]))
  const completed: Partial<Record<WaveKind, number>> = {}
  const completedSets = new Map<WaveKind, Uint8Array>()
  for (const w of slotWaves) {
    const parts = w.instruments.map((id) => formOf(w, id)?.part ?? null)
    const done = single
      ? completedAll(parts, participants.length)
      : completedOwn(
          participants.map((p) => (ownInstruments.get(p.cohortId)?.get(w.kind) ?? []).map((id) => w.instruments.indexOf(id))),
          parts,
        )
    completedSets.set(w.kind, done)
    completed[w.kind] = done.reduce((n, d) => n + d, 0)
  }
  const fromDone = completedSets.get(from.kind)!
  const toDone = completedSets.get(to.kind)!
  const paired = fromDone.reduce((n, d, i) => n + (d & toDone[i]!), 0)

  // α for the instruments given at one of the two waves only: a reviewer asks for it at every wave.
  const singleWaveReliability: NonNullable<CohortReport['singleWaveReliability']> = []
  for (const wave of [from, to]) {
    for (const instrumentId of wave.instruments.filter((id) => !shared.includes(id))) {
      const instrument = deps.instruments.questionnaire(instrumentId) as (Instrument & Questionnaire) | undefined
      if (!instrument) continue
      for (const spec of instrument.scoring.scales) {
        const why: Record<string, string> = {}
        const alpha = alphaOf(spec, formOf(wave, instrumentId), null, why, 'alpha')
        singleWaveReliability.push({ instrument: instrumentId, instrumentTitle: plainText(instrument.title), scale: spec.id, label: plainText(spec.label), wave: wave.kind, alpha, reason: why.alpha ?? null })
      }
    }
  }

  return {
    cohort: { id: scope.id, name: scope.name, studyId: study.id, studyName: study.name },
    from: from.kind,
    to: to.kind,
    generatedAt: deps.now().toISOString(),
    funnel: { enrolled: participants.length, consented: asRead.consented.reduce((n, c) => n + c, 0), completed, paired, withdrawn: participants.filter((p) => p.status === 'withdrawn').length },
    scales,
    singleWaveReliability,
    outsideWave: answersOutsideWaves(forms, allWaves, asRead.participants),
    participants: participants.flatMap((p, i) =>
      perParticipant[i]!.length > 0 ? [{ id: p.id, code: p.code, attended: asRead.attended[ordered[i]!]!, withdrawn: p.status === 'withdrawn', scales: perParticipant[i]! }] : [],
    ),
  }
}

/** Each participant's rows, by place, from each scale's rows by place (in the scales' order). */
function byParticipant(scaleRows: (ParticipantScale | undefined)[][], participantCount: number): ParticipantScale[][] {
  const perParticipant = Array.from({ length: participantCount }, (): ParticipantScale[] => [])
  for (const rows of scaleRows) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]
      if (row) perParticipant[i]!.push(row)
    }
  }
  return perParticipant
}

/** Who completed a wave (1 by place): a response to every one of its questionnaires (`parts`: each one's placed responses; null for none). */
function completedAll(parts: (Int32Array | null)[], participantCount: number): Uint8Array {
  const done = new Uint8Array(participantCount).fill(parts.length > 0 ? 1 : 0)
  for (const part of parts) {
    if (!part) return new Uint8Array(participantCount)
    for (let i = 0; i < participantCount; i++) if (part[i]! < 0) done[i] = 0
  }
  return done
}

/** Over several cohorts: who completed their own cohort's wave of a kind, each participant's own questionnaires given by their index in `parts`. */
function completedOwn(own: number[][], parts: (Int32Array | null)[]): Uint8Array {
  const done = new Uint8Array(own.length)
  own.forEach((indexes, i) => {
    if (indexes.length > 0 && indexes.every((k) => k >= 0 && (parts[k]?.[i] ?? -1) >= 0)) done[i] = 1
  })
  return done
}

/**
 * What the report reads of each wave (issue 16: only what it uses). Every wave's completed responses
 * of every instrument, for the funnel and the answers outside their wave; the stored scores of the
 * instruments' scales and the answers only at the two waves compared (`compared`: their kinds), the
 * answers for Cronbach's α. Each instrument of the wave's slot (over several cohorts, every cohort's
 * instruments of that kind) is a form; the responses to any other instrument come in one more.
 */
export function formsToRead(deps: Pick<Deps, 'instruments'>, waves: Wave[], slotOf: (wave: Wave) => Wave, compared: WaveKind[]): ReportFormRequest[] {
  return waves.flatMap((wave) => {
    const slot = slotOf(wave)
    const isCompared = compared.includes(wave.kind)
    const forms: ReportFormRequest[] = slot.instruments.map((instrumentId) => {
      const instrument = isCompared ? (deps.instruments.questionnaire(instrumentId) as (Instrument & Questionnaire) | undefined) : undefined
      return { waveId: wave.id, waveKind: wave.kind, instrumentId, scales: instrument?.scoring.scales.map((s) => s.id) ?? [], items: instrument ? scaleItems(instrument) : [] }
    })
    return [...forms, { waveId: wave.id, waveKind: wave.kind, otherThan: slot.instruments, scales: [], items: [] }]
  })
}

/**
 * One wave per kind standing for every cohort's wave of that kind (pre, post, follow-up in that
 * order): its questionnaires are those any cohort asked, in order of first use; its dates are the
 * first cohort's and are not used (answers outside a wave are checked against their own wave).
 */
function kindSlots(waves: Wave[]): Wave[] {
  const order: WaveKind[] = ['pre', 'post', 'follow-up']
  return order.flatMap((kind) => {
    const ofKind = waves.filter((w) => w.kind === kind)
    if (ofKind.length === 0) return []
    return [{ ...ofKind[0]!, id: `kind:${kind}`, instruments: [...new Set(ofKind.flatMap((w) => w.instruments))] }]
  })
}

/** Responses submitted at a link before their wave opened or after it closed (see CohortReport.outsideWave); `participants` as read (the forms' `participantRows`). */
function answersOutsideWaves(forms: ReportForm[], waves: Wave[], participants: { id: string; code: string }[]): NonNullable<CohortReport['outsideWave']> {
  const waveOf = new Map(waves.map((w) => [w.id, w]))
  const outside: NonNullable<CohortReport['outsideWave']> = []
  for (const form of forms) {
    const wave = waveOf.get(form.request.waveId)
    if (!wave) continue
    form.linkCompletedAt.forEach((completedAt, r) => {
      // Only a response submitted at a link has a completion time to check.
      if (completedAt === null) return
      const at = Date.parse(completedAt)
      if (at >= Date.parse(wave.opensAt) && at < Date.parse(wave.closesAt)) return
      const participant = participants[form.participantRows[r]!]
      if (!participant) return
      const instrument = 'instrumentId' in form.request ? form.request.instrumentId : form.instrumentIds![r]!
      outside.push({ participantId: participant.id, code: participant.code, wave: wave.kind, instrument, completedAt, opensAt: wave.opensAt, closesAt: wave.closesAt })
    })
  }
  return outside
}

/**
 * The responses to one instrument in one slot (a wave; over several cohorts, every cohort's wave of
 * a kind), by participant place: `part[i]` is the form (of `parts`) holding participant i's response
 * and `row[i]` its entry there, −1 for none.
 */
export type PlacedForm = { parts: ReportForm[]; part: Int32Array; row: Int32Array }

/**
 * Place every form of one instrument (not the `otherThan` ones) in its slot, in one pass over its
 * responses: `placeOfRow[r]` is the place of the participant read at row r (`placeParticipants`).
 */
export function placeForms(forms: ReportForm[], placeOfRow: Int32Array, participantCount: number, slotOf: (form: ReportForm) => string): Map<string, Map<string, PlacedForm>> {
  const slots = new Map<string, Map<string, PlacedForm>>()
  for (const form of forms) placeForm(slots, form, placeOfRow, participantCount, slotOf(form))
  return slots
}

/** Place one form in `slots` (see `placeForms`); an `otherThan` form is left out. */
function placeForm(slots: Map<string, Map<string, PlacedForm>>, form: ReportForm, placeOfRow: Int32Array, participantCount: number, slot: string): void {
  if (!('instrumentId' in form.request)) return
  let byInstrument = slots.get(slot)
  if (!byInstrument) slots.set(slot, (byInstrument = new Map()))
  let placedForm = byInstrument.get(form.request.instrumentId)
  if (!placedForm) byInstrument.set(form.request.instrumentId, (placedForm = { parts: [], part: new Int32Array(participantCount).fill(-1), row: new Int32Array(participantCount).fill(-1) }))
  const p = placedForm.parts.push(form) - 1
  const rows = form.participantRows
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]! < 0 ? -1 : placeOfRow[rows[r]!]!
    if (i < 0) continue
    placedForm.part[i] = p
    placedForm.row[i] = r
  }
}

/** Each participant's stored score of the `scaleIndex`th scale of a placed form, by place (see `PlacedScaleScores`). */
export function placedScores(form: PlacedForm | undefined, scaleIndex: number, participantCount: number): PlacedScaleScores {
  const placed: PlacedScaleScores = { has: new Uint8Array(participantCount), score: new Float64Array(participantCount).fill(Number.NaN), band: new Int32Array(participantCount).fill(-1), prorated: new Uint8Array(participantCount) }
  if (!form) return placed
  for (let i = 0; i < participantCount; i++) {
    const p = form.part[i]!
    if (p < 0) continue
    const r = form.row[i]!
    const s = form.parts[p]!.scores[scaleIndex]
    // No stored score row of the scale (a left join's nulls): as if no response.
    if (!s || s.prorated[r]! < 0) continue
    placed.has[i] = 1
    placed.prorated[i] = s.prorated[r]!
    placed.score[i] = s.score[r]!
    placed.band[i] = s.bandIndex[r]!
  }
  return placed
}

/** How many of `places` have a 1 in `column`. */
function countAt(column: Uint8Array, places: number[]): number {
  let n = 0
  for (const i of places) n += column[i]!
  return n
}

/**
 * Holm and Benjamini–Hochberg within the secondary family, for the paired t-tests and, separately,
 * the Wilcoxon tests (each family holds one test per distinct hypothesis). Primary outcomes, named by
 * the study, stand unadjusted (a confirmatory test has its own α; Bender & Lange 2001, J Clin
 * Epidemiol 54:343–349). A scale marked `sameScoreAs` is the same test in another metric: it is not
 * counted (WHO-5's percentage would otherwise enter the family twice, m = 7 for 6 tests) and gets
 * the adjusted p of its scale. Equal to R's p.adjust(p, "holm") and p.adjust(p, "BH") on the
 * secondary family's p-values. Mutates `scales`.
 */
function adjustForMultiplicity(scales: ScaleReport[], primaryOutcomes: string[]): void {
  const key = (s: ScaleReport) => `${s.instrument}/${s.scale}`
  const primary = new Set(primaryOutcomes)
  for (const s of scales) {
    s.multiplicity.family = s.multiplicity.sameScoreAs ? 'same score' : primary.has(key(s)) ? 'primary' : 'secondary'
  }
  const secondary = scales.filter((s) => s.multiplicity.family === 'secondary')
  const tHolm = pAdjust(secondary.map((s) => s.pairedT?.p ?? null), 'holm')
  const tBH = pAdjust(secondary.map((s) => s.pairedT?.p ?? null), 'BH')
  const wHolm = pAdjust(secondary.map((s) => s.wilcoxon?.p ?? null), 'holm')
  const wBH = pAdjust(secondary.map((s) => s.wilcoxon?.p ?? null), 'BH')
  const mT = secondary.filter((s) => s.pairedT).length
  const mW = secondary.filter((s) => s.wilcoxon).length
  secondary.forEach((s, i) => {
    s.pHolm = tHolm[i] ?? null
    s.pBH = tBH[i] ?? null
    s.wilcoxonHolm = wHolm[i] ?? null
    s.wilcoxonBH = wBH[i] ?? null
    s.multiplicity.m = mT
    s.multiplicity.description = `secondary outcome: Holm and Benjamini–Hochberg across the ${mT} secondary paired t-test${mT === 1 ? '' : 's'} (and the ${mW} Wilcoxon test${mW === 1 ? '' : 's'})${primary.size > 0 ? '' : '; the study names no primary outcome'}`
    if (s.pHolm === null) s.unavailable.pHolm = 'no paired t-test p-value for this scale'
    if (s.wilcoxonHolm === null) s.unavailable.wilcoxonHolm = 'no Wilcoxon p-value for this scale'
  })
  for (const s of scales) {
    if (s.multiplicity.family === 'primary') {
      s.multiplicity.description = 'primary outcome named by the study: its p-values are not adjusted'
      s.unavailable.pHolm = 'primary outcome: not adjusted for multiplicity'
    }
    if (s.multiplicity.family === 'same score') {
      const of = scales.find((o) => key(o) === s.multiplicity.sameScoreAs)
      s.pHolm = of?.pHolm ?? null
      s.pBH = of?.pBH ?? null
      s.wilcoxonHolm = of?.wilcoxonHolm ?? null
      s.wilcoxonBH = of?.wilcoxonBH ?? null
      s.multiplicity.m = of?.multiplicity.m ?? null
      s.multiplicity.description = `another metric of ${s.multiplicity.sameScoreAs} (the same test): not counted in the family; adjusted p-values are those of ${s.multiplicity.sameScoreAs}${of?.multiplicity.family === 'primary' ? ', a primary outcome' : ''}`
      if (s.pHolm === null) s.unavailable.pHolm = of?.multiplicity.family === 'primary' ? 'primary outcome: not adjusted for multiplicity' : `no adjusted p-value for ${s.multiplicity.sameScoreAs}`
    }
  }
}

/**
 * Cronbach's α of the first-wave responses of the participants at `places` (the complete pairs'), in
 * participant order. When everyone who answered there is paired (the usual case) that is the very
 * same α as the wave's, `fromAlpha`, which is not computed again.
 */
export function pairedAlpha(spec: ScaleSpec, fromForm: PlacedForm | undefined, places: number[], fromAlpha?: AlphaSummary | null): AlphaSummary | null {
  const participantCount = fromForm?.part.length ?? 0
  const isPaired = new Uint8Array(participantCount)
  for (const i of places) isPaired[i] = 1
  let answered = 0
  let paired = 0
  for (let i = 0; i < participantCount; i++) {
    if (fromForm!.part[i]! < 0) continue
    answered++
    paired += isPaired[i]!
  }
  if (fromAlpha !== undefined && paired === answered) return fromAlpha
  return alphaOf(spec, fromForm, isPaired, {}, 'rci')
}

/** The items whose answers α needs: every scale's, each once, in the order the scales list them. */
export function scaleItems(instrument: Questionnaire): string[] {
  return [...new Set(instrument.scoring.scales.flatMap((s) => s.items))]
}
