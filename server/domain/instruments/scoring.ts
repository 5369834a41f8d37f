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
  scale.bands.forEach((b, index) => {
    if (score >= b.min) found = { index, label: b.label }
  })
  return found
}

/**
 * Score one scale.
 *
 * @example
 * // PHQ-9 with item 3 missing: 8 answered, sum 12, prorated to 12 × 9 / 8 = 13.5
 * scoreScale(phq9.scoring.scales[0], answers).score // 13.5
 */
export function scoreScale(scale: ScaleSpec, answers: Record<string, unknown>): ScaleScore {
  const values: number[] = []
  for (const item of scale.items) {
    const v = itemValue(answers, item)
    if (v === null) continue
    values.push(scale.reverse.includes(item) ? scale.itemRange.min + scale.itemRange.max - v : v)
  }
  const result = { scale: scale.id, answered: values.length, items: scale.items.length }
  if (values.length < scale.minAnswered) {
    return { ...result, score: null, band: null, prorated: false, missing: { reason: 'too_few_items', needed: scale.minAnswered } }
  }
  const sum = values.reduce((a, b) => a + b, 0)
  const prorated = scale.method === 'sum' && values.length < scale.items.length
  const raw = scale.method === 'mean' ? sum / values.length : prorated ? (sum * scale.items.length) / values.length : sum
  const score = scale.transform ? raw * scale.transform.multiply + scale.transform.add : raw
  return { ...result, score, band: bandOf(scale, score), prorated, missing: null }
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
