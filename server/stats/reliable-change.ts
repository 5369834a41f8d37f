/**
 * Reliable change and clinically significant change (Jacobson & Truax, 1991).
 *
 * Three small functions that belong together: the Reliable Change Index of one person, the cut-off
 * between the dysfunctional and functional populations, and the classification of a person's change
 * that combines them.
 *
 * Reference: Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical approach to
 * defining meaningful change in psychotherapy research. Journal of Consulting and Clinical
 * Psychology 59(1), 12–19. doi:10.1037/0022-006X.59.1.12
 */

/** Which way is better on the scale: PHQ-9, GAD-7 are 'higher-is-worse'; WHO-5 is 'higher-is-better'. */
export type ScaleDirection = 'higher-is-worse' | 'higher-is-better'

/** A population's mean and standard deviation on the scale. */
export type PopulationNorms = { mean: number; sd: number }

export type ChangeClass = 'recovered' | 'improved' | 'unchanged' | 'deteriorated'

/** J&T's threshold: change is reliable when |RCI| is larger than 1.96 (strictly). */
const RELIABLE_CHANGE_THRESHOLD = 1.96

/**
 * Reliable Change Index of one person (Jacobson & Truax, 1991).
 *
 * In words: the standard error of measurement is SE_m = SD·√(1 − r); the standard error of a
 * difference between two measurements is S_diff = √2·SE_m; RCI = (post − pre) / S_diff.
 * |RCI| > 1.96 is change unlikely (p < .05) to be measurement error alone. The sign follows
 * post − pre, so on a higher-is-worse scale an improvement is negative.
 *
 * Which SD and which reliability are the caller's choice and should be stored with the result:
 * J&T use the SD of the pre-treatment (or a normative/clinical) sample and test–retest reliability;
 * many use Cronbach's α from a normative sample instead.
 *
 * @param pre - the person's score at the earlier occasion
 * @param post - the person's score at the later occasion
 * @param params.sd - standard deviation of the reference sample, > 0
 * @param params.reliability - reliability coefficient r, 0 ≤ r < 1
 * @throws {RangeError} for non-finite scores, sd ≤ 0, or reliability outside [0, 1)
 * @example
 * // R: sd <- 5; r <- 0.84; (6 - 15) / (sqrt(2) * sd * sqrt(1 - r))   # -3.181981
 * reliableChangeIndex(15, 6, { sd: 5, reliability: 0.84 }) // => -3.18198...
 */
export function reliableChangeIndex(pre: number, post: number, params: { sd: number; reliability: number }): number {
  assertFinite(pre, 'pre')
  assertFinite(post, 'post')
  const { sd, reliability } = params
  if (!Number.isFinite(sd) || sd <= 0) throw new RangeError(`The reference SD must be a finite number > 0 (got ${sd}).`)
  if (!Number.isFinite(reliability) || reliability < 0 || reliability >= 1) {
    throw new RangeError(`The reliability must be at least 0 and below 1 (got ${reliability}); at 1 there is no measurement error and the RCI is undefined.`)
  }
  const standardErrorOfMeasurement = sd * Math.sqrt(1 - reliability)
  const standardErrorOfDifference = Math.sqrt(2) * standardErrorOfMeasurement
  return (post - pre) / standardErrorOfDifference
}

/**
 * The Jacobson–Truax cut-off for clinically significant change: the score that separates the
 * dysfunctional (clinical) population from the functional (normative) one.
 *
 * In words, with M₁, s₁ the clinical and M₀, s₀ the normative mean and SD:
 * - c = (s₀·M₁ + s₁·M₀) / (s₀ + s₁), the point equally far (in SDs) from both means, when both are
 *   known; J&T prefer it. The formula is the same for both scale directions.
 * - a = two SDs beyond the clinical mean towards the functional side (M₁ − 2s₁ when higher is worse,
 *   M₁ + 2s₁ when higher is better), when only clinical norms are known.
 * - b = two SDs from the normative mean towards the dysfunctional side (M₀ + 2s₀ when higher is
 *   worse, M₀ − 2s₀ when higher is better), when only normative norms are known.
 * - null when neither is given: there is then no cut-off and nobody can be "recovered".
 *
 * @param input.direction - which way is better on the scale
 * @param input.clinical - mean and SD of the dysfunctional population
 * @param input.normative - mean and SD of the functional population
 * @throws {RangeError} for non-finite means or SDs ≤ 0
 * @example
 * // R: s0 <- 4; M0 <- 3; s1 <- 5; M1 <- 15; (s0 * M1 + s1 * M0) / (s0 + s1)   # 8.333333
 * jacobsonTruaxCutoff({ direction: 'higher-is-worse', clinical: { mean: 15, sd: 5 }, normative: { mean: 3, sd: 4 } })
 * // => { value: 8.3333..., criterion: 'c' }
 */
export function jacobsonTruaxCutoff(input: {
  direction: ScaleDirection
  clinical?: PopulationNorms
  normative?: PopulationNorms
}): { value: number; criterion: 'a' | 'b' | 'c' } | null {
  const { direction, clinical, normative } = input
  assertDirection(direction)
  if (clinical !== undefined) assertNorms(clinical, 'clinical')
  if (normative !== undefined) assertNorms(normative, 'normative')
  const towardsBetter = direction === 'higher-is-worse' ? -1 : 1

  if (clinical !== undefined && normative !== undefined) {
    const value = (normative.sd * clinical.mean + clinical.sd * normative.mean) / (normative.sd + clinical.sd)
    return { value, criterion: 'c' }
  }
  if (clinical !== undefined) return { value: clinical.mean + towardsBetter * 2 * clinical.sd, criterion: 'a' }
  if (normative !== undefined) return { value: normative.mean - towardsBetter * 2 * normative.sd, criterion: 'b' }
  return null
}

/**
 * Classify one person's change as Jacobson & Truax (1991) do.
 *
 * - recovered: reliable improvement (|RCI| > 1.96 in the better direction) AND the person crossed
 *   the cut-off: at pre on the dysfunctional side, at post strictly on the functional side
 *   (post < cutoff when higher is worse, post > cutoff when higher is better);
 * - improved: reliable improvement without that crossing;
 * - deteriorated: reliable change in the worse direction;
 * - unchanged: |RCI| ≤ 1.96.
 *
 * Decisions (statistics.md A4 leaves them open):
 * - Thresholds are strict, as J&T's "larger than 1.96": RCI = ±1.96 exactly is unchanged, and a
 *   post score exactly on the cut-off is not functional.
 * - Recovery requires crossing. J&T define recovery for people who start dysfunctional; someone
 *   already on the functional side at pre (strictly below the cut-off on a higher-is-worse scale)
 *   who improves reliably is "improved", not "recovered". A pre score exactly on the cut-off counts
 *   as dysfunctional (the functional side is strict).
 * - Without a cut-off (null) nobody is recovered; reliable improvement is "improved".
 * - Crossing the cut-off without reliable change is "unchanged" (some reports call this
 *   "non-reliable recovery"; we do not add a class for it).
 *
 * @param input.pre - score at the earlier occasion
 * @param input.post - score at the later occasion
 * @param input.rci - the person's Reliable Change Index (reliableChangeIndex(pre, post, ...))
 * @param input.cutoff - the cut-off value (jacobsonTruaxCutoff(...)?.value), or null for none
 * @param input.direction - which way is better on the scale
 * @throws {RangeError} for non-finite numbers or an unknown direction
 * @example
 * // PHQ-9 15 → 6 with RCI −3.18 and cut-off 8.33: reliable improvement, crossed the cut-off
 * classifyChange({ pre: 15, post: 6, rci: -3.18, cutoff: 8.33, direction: 'higher-is-worse' }) // => 'recovered'
 */
export function classifyChange(input: { pre: number; post: number; rci: number; cutoff: number | null; direction: ScaleDirection }): ChangeClass {
  const { pre, post, rci, cutoff, direction } = input
  assertFinite(pre, 'pre')
  assertFinite(post, 'post')
  assertFinite(rci, 'rci')
  if (cutoff !== null) assertFinite(cutoff, 'cutoff')
  assertDirection(direction)

  const improvement = direction === 'higher-is-worse' ? -rci : rci
  if (improvement < -RELIABLE_CHANGE_THRESHOLD) return 'deteriorated'
  if (improvement <= RELIABLE_CHANGE_THRESHOLD) return 'unchanged'
  if (cutoff === null) return 'improved'
  return !isFunctional(pre, cutoff, direction) && isFunctional(post, cutoff, direction) ? 'recovered' : 'improved'
}

/** Whether a score lies on the functional side of the cut-off. (Not a closure: classifyChange runs for every participant of a report.) */
function isFunctional(score: number, cutoff: number, direction: ScaleDirection): boolean {
  return direction === 'higher-is-worse' ? score < cutoff : score > cutoff
}

function assertFinite(value: number, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number (got ${String(value)}).`)
}

function assertNorms(norms: PopulationNorms, name: string): void {
  assertFinite(norms.mean, `${name}.mean`)
  if (!Number.isFinite(norms.sd) || norms.sd <= 0) throw new RangeError(`${name}.sd must be a finite number > 0 (got ${norms.sd}).`)
}

function assertDirection(direction: string): void {
  if (direction !== 'higher-is-worse' && direction !== 'higher-is-better') {
    throw new RangeError(`direction must be 'higher-is-worse' or 'higher-is-better' (got ${String(direction)}).`)
  }
}
