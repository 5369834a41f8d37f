/**
 * Scoring: one pure function from an instrument and a stored answer set to scale scores, bands and
 * flags. The server scores only from stored answers; a score sent by a browser is never read.
 */
import type { FlagSpec, LocalizedText, Questionnaire, ScaleSpec } from './schema'

export type ScaleScore = {
  scale: string
  /** The score, or null when too few items were answered (see `missing`). Prorated scores are not rounded. */
  score: number | null
  /** Index into the scale's bands and its label, or null when there is no score or the scale has no bands. */
  band: { index: number; label: LocalizedText } | null
  answered: number
  items: number
  prorated: boolean
  missing: null | { reason: 'too_few_items'; needed: number }
}

export type RaisedFlag = { flag: string; item: string; value: number; severity: FlagSpec['severity']; label: LocalizedText }

export type ResponseScore = { scales: ScaleScore[]; flags: RaisedFlag[] }

const compare: Record<FlagSpec['when']['op'], (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
}

/** A numeric item value, or null when unanswered. Choice values may be numbers stored as strings. */
function itemValue(answers: Record<string, unknown>, item: string): number | null {
  const raw = answers[item]
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw)
  return null
}

/** The band a score falls in: the last band whose lower bound it reaches. */
export function bandOf(scale: Pick<ScaleSpec, 'bands'>, score: number): ScaleScore['band'] {
  let found: ScaleScore['band'] = null
  const bands = scale.bands
  for (let index = 0; index < bands.length; index++) if (score >= bands[index]!.min) found = { index, label: bands[index]!.label }
  return found
}

/** Per scale, whether each of its items (by place in `items`) is scored in reverse: worked out once, not per response (issue 16: an import scores 140,000 scales at 10,000 participants). */
const reversedItems = new WeakMap<ScaleSpec, boolean[]>()

/**
 * Score one scale: the sum of the answered items (each reversed item v as itemRange.min +
 * itemRange.max − v), added in the order of `items`; for `method: 'mean'` that sum over the number
 * answered; for a sum with items unanswered, prorated (sum × items ÷ answered); then `transform`.
 * Null, with `missing`, when fewer than `minAnswered` items were answered.
 *
 * @example
 * // PHQ-9 with item 3 missing: 8 answered, sum 12, prorated to 12 × 9 / 8 = 13.5
 * scoreScale(phq9.scoring.scales[0], answers).score // 13.5
 */
export function scoreScale(scale: ScaleSpec, answers: Record<string, unknown>): ScaleScore {
  let reversed = reversedItems.get(scale)
  if (!reversed) reversedItems.set(scale, (reversed = scale.items.map((item) => scale.reverse.includes(item))))
  const flip = scale.itemRange.min + scale.itemRange.max
  const items = scale.items
  let answered = 0
  let sum = 0
  for (let i = 0; i < items.length; i++) {
    const v = itemValue(answers, items[i]!)
    if (v === null) continue
    answered++
    sum += reversed[i] ? flip - v : v
  }
  if (answered < scale.minAnswered) {
    return { scale: scale.id, answered, items: items.length, score: null, band: null, prorated: false, missing: { reason: 'too_few_items', needed: scale.minAnswered } }
  }
  const prorated = scale.method === 'sum' && answered < items.length
  const raw = scale.method === 'mean' ? sum / answered : prorated ? (sum * items.length) / answered : sum
  const score = scale.transform ? raw * scale.transform.multiply + scale.transform.add : raw
  return { scale: scale.id, answered, items: items.length, score, band: bandOf(scale, score), prorated, missing: null }
}

/** Score every scale of a questionnaire and raise its item flags. */
export function scoreResponse(instrument: Pick<Questionnaire, 'scoring'>, answers: Record<string, unknown>): ResponseScore {
  const scales = instrument.scoring.scales.map((scale) => scoreScale(scale, answers))
  const flags: RaisedFlag[] = []
  for (const flag of instrument.scoring.flags) {
    const value = itemValue(answers, flag.item)
    if (value !== null && compare[flag.when.op](value, flag.when.value)) {
      flags.push({ flag: flag.id, item: flag.item, value, severity: flag.severity, label: flag.label })
    }
  }
  return { scales, flags }
}
