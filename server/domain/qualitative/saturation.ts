/**
 * Code saturation in interview order: the new-code curve and Guest, Namey & Chen's (2020) base,
 * run and threshold assessment, with a sentence for the Methods section.
 */

export type SaturationInterview = {
  /** Position in the order the interviews were held; only used to sort. */
  order: number
  participantCode: string
  /** The codes applied in this interview (repeats are ignored). */
  codeIds: string[]
}

export type SaturationPoint = {
  /** 1-based position in interview order: "interview 5" is the fifth interview held. */
  interview: number
  order: number
  participantCode: string
  /** Codes first seen in this interview, in the order given. */
  newCodeIds: string[]
  newCount: number
  /** Unique codes seen in this and all earlier interviews. */
  cumulativeUnique: number
}

export type GuestParameters = {
  /** Base size: the first `base` interviews define the codes the runs are compared with. */
  base: number
  /** Run length: the number of consecutive interviews after the base whose new codes are counted. */
  run: number
  /** New-information threshold as a proportion (0.05 = 5%); saturation when ratio ≤ threshold. */
  threshold: number
}

export type GuestStep = {
  /** First and last interview of the run (1-based positions). */
  runStart: number
  runEnd: number
  /** Codes first seen in the run's interviews (new relative to every earlier interview). */
  newCodes: number
  /** newCodes / base codes. */
  ratio: number
}

export type GuestSaturation = {
  interviews: number
  /** Unique codes in the first `base` interviews: the fixed denominator. */
  baseCodes: number
  steps: GuestStep[]
  /** The last interview of the first run whose ratio ≤ threshold, or null. */
  saturatedAt: number | null
}

/**
 * Saturation curve: for each interview in the order held, the codes first seen in it, how many,
 * and the cumulative number of unique codes — the curve C(i) and n(i) = C(i) − C(i − 1) that
 * saturation is read from (Guest, Bunce & Johnson 2006, Field Methods 18(1):59–82; Guest, Namey &
 * Chen 2020).
 *
 * @throws {RangeError} two interviews with the same order, or an order that is not a finite number
 * @example
 * saturationCurve([
 *   { order: 2, participantCode: 'P2', codeIds: ['fear', 'alone'] },
 *   { order: 1, participantCode: 'P1', codeIds: ['fear'] },
 * ])
 * // => [{ interview: 1, order: 1, participantCode: 'P1', newCodeIds: ['fear'], newCount: 1, cumulativeUnique: 1 },
 * //     { interview: 2, order: 2, participantCode: 'P2', newCodeIds: ['alone'], newCount: 1, cumulativeUnique: 2 }]
 */
export function saturationCurve(interviews: SaturationInterview[]): SaturationPoint[] {
  const seenOrders = new Set<number>()
  for (const interview of interviews) {
    if (!Number.isFinite(interview.order)) throw new RangeError(`Interview ${interview.participantCode} has no valid order (${interview.order}).`)
    if (seenOrders.has(interview.order)) throw new RangeError(`Two interviews have order ${interview.order}: the interview order must be unambiguous.`)
    seenOrders.add(interview.order)
  }
  const sorted = [...interviews].sort((x, y) => x.order - y.order)
  const seen = new Set<string>()
  return sorted.map((interview, index) => {
    const newCodeIds: string[] = []
    for (const codeId of interview.codeIds) {
      if (!seen.has(codeId)) {
        seen.add(codeId)
        newCodeIds.push(codeId)
      }
    }
    return {
      interview: index + 1,
      order: interview.order,
      participantCode: interview.participantCode,
      newCodeIds,
      newCount: newCodeIds.length,
      cumulativeUnique: seen.size,
    }
  })
}

/**
 * Guest–Namey–Chen saturation assessment (Guest G, Namey E, Chen M. A simple method to assess and
 * report thematic saturation in qualitative research. PLOS ONE 2020;15(5):e0232076).
 *
 * In words: the base is the number of unique codes in the first `base` interviews. The first run
 * is the `run` interviews after the base; its new information is the number of codes first seen in
 * those interviews, and the saturation ratio is that number divided by the base count. If the
 * ratio is at most `threshold`, saturation is reached at the last interview of the run; otherwise
 * the run slides forward by one interview and the ratio is recomputed, until a run meets the
 * threshold or the interviews run out.
 *
 * This is the fixed-denominator reading: the denominator stays the base count of the first `base`
 * interviews as the run slides (it does not grow with the interviews passed), while "new" in a run
 * means new relative to every earlier interview, base and earlier runs alike. The paper's own
 * wording counts the run's interviews as confirming ones ("saturation at interview k, with r more
 * to confirm"); here `saturatedAt` is the last interview of the run, the number of interviews
 * needed to show it.
 *
 * @param curve - from `saturationCurve`, in interview order
 * @param params - base size (≥ 1), run length (≥ 1), threshold (a proportion 0..1)
 * @throws {RangeError} non-integer or < 1 base or run, a threshold outside 0..1, or a base with no codes
 * @example
 * // Base of 4 interviews with 12 codes; interviews 5 and 6 add none.
 * guestSaturation(curve, { base: 4, run: 2, threshold: 0.05 })
 * // => { interviews: 6, baseCodes: 12, steps: [{ runStart: 5, runEnd: 6, newCodes: 0, ratio: 0 }], saturatedAt: 6 }
 */
export function guestSaturation(curve: SaturationPoint[], params: GuestParameters): GuestSaturation {
  const { base, run, threshold } = params
  if (!Number.isInteger(base) || base < 1) throw new RangeError(`The base size must be a whole number of interviews ≥ 1 (got ${base}).`)
  if (!Number.isInteger(run) || run < 1) throw new RangeError(`The run length must be a whole number of interviews ≥ 1 (got ${run}).`)
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`The new-information threshold is a proportion between 0 and 1 (got ${threshold}).`)

  const interviews = curve.length
  if (interviews < base) return { interviews, baseCodes: curve.at(-1)?.cumulativeUnique ?? 0, steps: [], saturatedAt: null }
  const baseCodes = curve[base - 1]!.cumulativeUnique
  if (baseCodes === 0) throw new RangeError(`The first ${base} interviews have no codes, so the saturation ratio (new / base codes) is undefined.`)

  const steps: GuestStep[] = []
  for (let runStart = base + 1; runStart + run - 1 <= interviews; runStart++) {
    const runEnd = runStart + run - 1
    const newCodes = curve.slice(runStart - 1, runEnd).reduce((sum, point) => sum + point.newCount, 0)
    const ratio = newCodes / baseCodes
    steps.push({ runStart, runEnd, newCodes, ratio })
    if (ratio <= threshold) return { interviews, baseCodes, steps, saturatedAt: runEnd }
  }
  return { interviews, baseCodes, steps, saturatedAt: null }
}

/**
 * Methods sentence for a Guest–Namey–Chen assessment: the parameters, the deciding run and the
 * conclusion, ready to paste into a manuscript, including the honest variants when saturation was
 * not reached or could not be assessed.
 *
 * @example
 * methodsSentence(guestSaturation(curve, { base: 4, run: 2, threshold: 0.05 }), { base: 4, run: 2, threshold: 0.05 })
 * // => 'Saturation was assessed following Guest, Namey and Chen (2020) with a base size of 4 interviews,
 * //     a run length of 2 and a new-information threshold of 5%: the run of interviews 5–6 added 0 new
 * //     codes to the 12 identified in the base (0%), so saturation was reached after 6 interviews.'
 */
export function methodsSentence(result: GuestSaturation, params: GuestParameters): string {
  const opening =
    `Saturation was assessed following Guest, Namey and Chen (2020) with a base size of ${plural(params.base, 'interview')}, ` +
    `a run length of ${params.run} and a new-information threshold of ${percent(params.threshold)}`
  const lastStep = result.steps.at(-1)
  if (result.saturatedAt !== null && lastStep) {
    return (
      `${opening}: the run of ${runName(lastStep)} added ${plural(lastStep.newCodes, 'new code')} to the ` +
      `${result.baseCodes} identified in the base (${percent(lastStep.ratio)}), so saturation was reached after ` +
      `${plural(result.saturatedAt, 'interview')}.`
    )
  }
  if (!lastStep) {
    return (
      `${opening}: with ${plural(result.interviews, 'interview')} there were too few to complete a run of ` +
      `${params.run} after the base of ${params.base}, so saturation could not be assessed.`
    )
  }
  return (
    `${opening}: no run after the base added ${percent(params.threshold)} or less new codes relative to the ` +
    `${result.baseCodes} identified in the base (the last run, ${runName(lastStep)}, added ` +
    `${plural(lastStep.newCodes, 'new code')}, ${percent(lastStep.ratio)}), so saturation was not reached within ` +
    `${plural(result.interviews, 'interview')}.`
  )
}

function runName(step: GuestStep): string {
  return step.runStart === step.runEnd ? `interview ${step.runStart}` : `interviews ${step.runStart}–${step.runEnd}`
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** A proportion as a percentage with at most one decimal: 0.05 → "5%", 1/12 → "8.3%". */
function percent(proportion: number): string {
  return `${Number((proportion * 100).toFixed(1))}%`
}
