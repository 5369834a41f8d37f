/**
 * Releases: what program leads see of a cohort is a frozen snapshot that a researcher released, not
 * a query over current data. A release holds, for the first wave against each later wave, every
 * scale's figures under the study's disclosure-control policy (./disclosure.ts), the funnel and
 * Table 1, each figure rounded or withheld with the reason.
 *
 * A new release is refused (409 `disclosure_risk`) while any of its figures was computed from a group
 * of participants that differs from the group behind the same figure in an earlier release by fewer
 * than the policy's `minN` people: subtracting the two would tell about those few. The refusal says,
 * figure by figure, what to wait for.
 */
import { ApiError } from '../errors'
import { groupBy } from '../collections'
import { cohortReport, cohortsReport, studyReport, type CohortReport, type ScaleReport } from './report'
import { answeredChoice, cohortTable1, enrolmentAnswersOf, studyTable1 } from './table1'
import { derivedGroup, derivedGroupBudget, differenceTooSmall, givesGroup, effectivePolicy, policyFloor, releaseBreakdown, releaseCount, releaseP, roundTo, scoreDecimals, type DisclosurePolicy, type ReleasedP } from './disclosure'
import { findDisclosurePolicy, findRelease, findStudyRelease, insertRelease, insertStudyRelease, listAllReleasesOfStudy, listReleasesOfCohort, listStudyReleases, upsertDisclosurePolicy, type StoredRelease, type StoredStudyRelease } from '../../db/repositories/releases'
import { listParticipants } from '../../db/repositories/participants'
import { findCohort, findStudy, listCohorts, listWaves, type Cohort, type Study } from '../../db/repositories/studies'
import { insertAudit, listRescoresInStudy } from '../../db/repositories/audit'
import { countCorrectionsInStudy } from '../../db/repositories/corrections'
import type { WaveKind } from '../../db/schema'
import { sampleSd, type ChangeClass } from '../../stats'
import { mean } from 'simple-statistics'
import type { Deps } from '../deps'
import { withheldText, type WithheldReason } from '../../contracts/withheld'

/** A mean, SD or quantile as released: rounded, or null with the reason in `withheld`. */
export type ReleasedSummary = { mean: number | null; sd: number | null; median: number | null; q1: number | null; q3: number | null }

export type ReleasedScale = {
  instrument: string
  instrumentTitle: string
  scale: string
  label: string
  /** The title and label in each language of the form, for the reader's (absent in releases made before they were kept). */
  instrumentTitles?: Record<string, string>
  labels?: Record<string, string>
  direction: ScaleReport['direction']
  range: { min: number; max: number }
  /** Complete pairs, redacted and rounded like every count. */
  n: number | null
  pre: ReleasedSummary
  post: ReleasedSummary
  /** Mean change (to − from) with its 95 % CI, and the SD of change; in the scale's points. */
  change: { mean: number | null; sd: number | null; ci95: [number, number] | null }
  pairedT: { t: number; p: ReleasedP } | null
  pHolm: ReleasedP | null
  effectSize: { dz: number | null; gav: number | null } | null
  /** The signed-rank test's p; V (a sum of ranks, at its ends a direction of everyone's change) only in releases made before it was withheld. */
  wilcoxon: { V?: number; p: ReleasedP } | null
  reliableChange: Record<ChangeClass, number | null> | null
  /** Figure (or group of figures) → why it is not shown, in English (the release's JSON; its CSV and Markdown files give no reasons). */
  withheld: Record<string, string>
  /** The same reasons as codes with their numbers, for the page to say in the reader's language (absent in releases made before they were kept). */
  why?: Record<string, WithheldReason>
}

export type ReleasedComparison = { from: WaveKind; to: WaveKind; paired: number | null; scales: ReleasedScale[] }

export type ReleasedTable1 = {
  n: number | null
  /** `labels`: the label in each language of the form (absent in releases made before they were kept). */
  continuous: { variable: string; label: string; labels?: Record<string, string>; n: number | null; mean: number | null; sd: number | null; withheld: string | null; why?: WithheldReason | null }[]
  /**
   * `multiple`: a question that takes several choices, whose levels' percentages are of those answering
   * and may sum past 100; `offered: false`, a stored value the form no longer offers (both absent in
   * releases made before Table 1 had them).
   */
  categorical: {
    variable: string
    label: string
    labels?: Record<string, string>
    multiple?: boolean
    answered: number | null
    levels: { value: string; label: string; labels?: Record<string, string>; offered?: boolean; n: number | null; percent: number | null }[]
  }[]
}

/** Everything a program lead sees of one release. */
export type ReleaseContent = {
  /** The cohort released; for a study-wide release (all cohorts together), null. */
  cohort: { id: string; name: string } | null
  study: { id: string; name: string }
  /** A study-wide release: the cohorts it is over. */
  cohorts?: { id: string; name: string }[]
  policy: DisclosurePolicy
  funnel: { enrolled: number | null; consented: number | null; completed: Partial<Record<WaveKind, number | null>>; withdrawn: number | null }
  comparisons: ReleasedComparison[]
  table1: ReleasedTable1
}

/** A release as listed and read: when, by whom, and its content. `cohortId` is null for a study-wide release. */
export type Release = { id: string; cohortId: string | null; releasedAt: string; releasedBy: { id: string; name: string }; content: ReleaseContent }

/** Why a release is refused: one figure whose group differs too little from an earlier release's. */
/** A figure the differencing check compares across releases: a scale's scores at one wave of a comparison, or a Table 1 row. */
export type CheckedFigure =
  | { kind: 'scores'; instrument: string; scale: string; label: string; labels?: Record<string, string>; wave: WaveKind; from: WaveKind; to: WaveKind }
  | { kind: 'table1'; variable: string; label: string; labels?: Record<string, string> }

/**
 * Why a release cannot be made yet, figure by figure. `figure` and `wait` say it in English (the 409's
 * message); `about`, `rule` and `minN` say the same as data, for the page to say in the reader's
 * language: `difference`, this figure's group differs from an earlier release's by `differing`
 * people, fewer than minN; `combination`, adding and subtracting three or more releases would give
 * the total of `differing` people, fewer than minN (1: one participant's value; 0: too many
 * combinations to rule that out, `derivedGroupBudget`).
 */
export type ReleaseRefusal = {
  figure: string
  about: CheckedFigure
  /** difference: two groups differ by too few; combination: several give too few. (A figure that would give a group whose own figure is withheld as too alike is withheld instead: withoutFigures.) */
  rule: 'difference' | 'combination'
  minN: number
  earlierRelease: { id: string; releasedAt: string }
  participantsThen: number
  participantsNow: number
  differing: number
  wait: string
}

/**
 * What a release made now would show (`content`), why it cannot be made yet (`refusals`), and the
 * figures it withholds because answers behind them were corrected or re-scored since an earlier
 * release (`withheldAfterChanges`: shown, they would give that change; the release itself says only
 * "withheld to protect individual participants").
 */
export type ReleasePreview = { content: ReleaseContent; refusals: ReleaseRefusal[]; allowed: boolean; withheldAfterChanges: CheckedFigure[] }

/** A release as built: its content, and per figure the differencing check compares, the participants behind it (`basis`) and what it is (`about`). */
type Built = { content: ReleaseContent; basis: Record<string, string[]>; about: Record<string, CheckedFigure> }

/** A checked figure's name in English, as refusals give it: "PHQ-9 total at pre (pre→post)", "Table 1: age". */
function figureName(about: CheckedFigure): string {
  return about.kind === 'table1' ? `Table 1: ${about.variable}` : `${about.label} at ${about.wave} (${about.from}→${about.to})`
}

const toRelease = (r: StoredRelease<ReleaseContent> | StoredStudyRelease<ReleaseContent>): Release => ({ id: r.id, cohortId: r.cohortId, releasedAt: r.releasedAt, releasedBy: r.releasedBy, content: r.content })

/** The study's policy in force (its own thresholds raised to the floors). */
export async function studyPolicy(deps: Deps, study: Study): Promise<DisclosurePolicy> {
  return effectivePolicy(await findDisclosurePolicy(deps.db, study.id), study.minCellSize)
}

/**
 * Set a study's thresholds. A threshold below its floor is a 422 naming it: the floors are the
 * defaults, and a study may only be stricter.
 */
export async function setStudyPolicy(deps: Deps, study: Study, policy: DisclosurePolicy, actor: { id: string }): Promise<DisclosurePolicy> {
  const low = (Object.keys(policyFloor) as (keyof DisclosurePolicy)[]).filter((k) => policy[k] < policyFloor[k])
  if (low.length > 0) throw new ApiError('validation_failed', `${low.join(', ')}: below the floor`, low.map((k) => ({ field: k, message: `must be at least ${policyFloor[k]}` })))
  if (policy.orderMinN < policy.minN) throw new ApiError('validation_failed', 'orderMinN: must be at least minN', [{ field: 'orderMinN', message: 'must be at least minN' }])
  await deps.db.transaction().execute(async (trx) => {
    await upsertDisclosurePolicy(trx, study.id, policy, actor.id, deps.now())
    await insertAudit(trx, { actor: `staff:${actor.id}`, action: 'disclosure_policy.set', entity: 'study', entityId: study.id, details: policy }, deps.now())
  })
  return studyPolicy(deps, study)
}

const nothing: ReleasedSummary = { mean: null, sd: null, median: null, q1: null, q3: null }

/**
 * Whether an SD says everyone had (nearly) the same value: 0, or so small against the scale's range
 * that it is rounding in the last bits (a CBI score is a mean of items: equal changes of 12.5 come out
 * as 12.5 and 12.500000000000004, an SD of 2e-15), or 0 as it would be shown at `digits` decimals
 * (found by a review: below orderMinN, eleven post scores of 15 and one of 16 were shown as "mean 15,
 * SD 0", which told that every score lay within 14–16 and most were one value).
 */
const noSpread = (sd: number | null, range: { min: number; max: number }, digits: number): boolean =>
  sd !== null && (sd <= 1e-9 * Math.max(1, range.max - range.min) || roundTo(sd, digits) === 0)

/**
 * Whether a Table 1 number is too alike to show: at least minN answered it, and everyone gave the
 * same number (no spread at the decimals it would be shown with). Its own release withholds and
 * guards it (buildScope), and every other release guards it too (cohortGuards).
 */
const table1TooAlike = (c: { n: number | null; mean: number | null; sd: number | null }, policy: DisclosurePolicy): boolean =>
  (c.n ?? 0) >= policy.minN && c.mean !== null && noSpread(c.sd, { min: 0, max: 0 }, scoreDecimals(c.n ?? 0, policy))

/** What the too-alike rule reads of a scale's scores over its pairs: each wave's mean and SD, the change's SD, and the scale's range. */
type Spread = { pre: { mean: number | null; sd: number | null }; post: { mean: number | null; sd: number | null }; change: { sd: number | null }; range: { min: number; max: number } }

/**
 * The waves of a scale whose scores are too alike to show (releaseScale withholds the whole scale):
 * 'pre' or 'post' (the comparison's from and to) where everyone had the same score or the mean, as it
 * would be shown, is at an end of the scale; 'post' too where everyone changed by the same amount
 * (the change's total needs both waves' totals, so guarding one keeps it). No other figure may give
 * these waves' totals over the same people (refusalsAgainst), whatever their number.
 */
function tooAlikeWaves(s: Spread, pairs: number, policy: DisclosurePolicy): ('pre' | 'post')[] {
  if (pairs < policy.minN) return []
  const digits = scoreDecimals(pairs, policy)
  const alike = (x: Spread['pre']) => noSpread(x.sd, s.range, digits) || (x.mean !== null && (roundTo(x.mean, digits) <= s.range.min || roundTo(x.mean, digits) >= s.range.max))
  const waves = (['pre', 'post'] as const).filter((w) => alike(s[w]))
  if (noSpread(s.change.sd, s.range, digits) && !waves.includes('post')) waves.push('post')
  return waves
}

/**
 * One scale's figures for program leads, from the researcher's scale report and the participants
 * of its pairs. `conflict` is set when the same scores were already shown over a group differing by
 * fewer than minN people (within this release), and `alike` lists the waves too alike to show
 * (tooAlikeWaves): in either case nothing is shown.
 */
function releaseScale(s: ScaleReport, pairs: number, policy: DisclosurePolicy, conflict: WithheldReason | null, alike: readonly ('pre' | 'post')[]): ReleasedScale {
  const base = { instrument: s.instrument, instrumentTitle: s.instrumentTitle, scale: s.scale, label: s.label, instrumentTitles: s.instrumentTitles, labels: s.labels, direction: s.direction, range: s.range, n: releaseCount(pairs, policy) }
  const all = (reason: WithheldReason) => withheldScale(base, reason)
  if (conflict) return all(conflict)
  if (pairs < policy.minN) return all({ code: 'fewer_pairs', minN: policy.minN })

  const why: Record<string, WithheldReason> = {}
  const digits = scoreDecimals(pairs, policy)
  const round = (x: number | null) => (x === null ? null : roundTo(x, digits))
  const orderAllowed = pairs >= policy.orderMinN
  if (!orderAllowed) why.order = { code: 'order_statistics', orderMinN: policy.orderMinN }
  const summaryOf = (wave: 'pre' | 'post'): ReleasedSummary => {
    const x = s[wave]
    // (A wave at one score, or with its mean at an end of the scale, withheld the scale above.)
    if (x.mean === null || x.sd === null) {
      why[wave] = { code: 'not_computable' }
      return nothing
    }
    const mean = round(x.mean)!
    // Three quarters or more at one end of the scale (q1 at its top, q3 at its bottom): the quartiles
    // would say so, and everyone else is a handful of people (class disclosure, as releaseBreakdown's rule).
    const atAnEnd = x.q1 !== null && x.q3 !== null && (x.q1 >= s.range.max || x.q3 <= s.range.min)
    if (orderAllowed && atAnEnd) why[`${wave}.order`] = { code: 'protect_individuals' }
    const order = orderAllowed && !atAnEnd
    return { mean, sd: round(x.sd), median: order ? round(x.median) : null, q1: order ? round(x.q1) : null, q3: order ? round(x.q3) : null }
  }
  // Scores too alike to show in one figure are too alike in all: the other wave's mean plus the mean
  // change gives a withheld wave's mean back, and the two means give a withheld change (found by an
  // adversarial review: everyone 3 points worse, read off 14.2 − 11.2). The whole scale goes, the
  // same change for everyone included, so every figure below has a spread.
  if (alike.length > 0) return all({ code: 'protect_individuals' })
  const pre = summaryOf('pre')
  const post = summaryOf('post')
  const change =
    s.change.mean === null ? { mean: null, sd: null, ci95: null } : { mean: round(s.change.mean), sd: round(s.change.sd), ci95: s.change.ci95 ? ([round(s.change.ci95[0])!, round(s.change.ci95[1])!] as [number, number]) : null }
  const effectDigits = orderAllowed ? 2 : 1
  return {
    ...base,
    pre,
    post,
    change,
    pairedT: s.pairedT ? { t: roundTo(s.pairedT.t, 1), p: releaseP(s.pairedT.p) } : null,
    pHolm: s.pHolm !== null ? releaseP(s.pHolm) : null,
    effectSize: s.effectSize ? { dz: s.effectSize.dz === null ? null : roundTo(s.effectSize.dz, effectDigits), gav: s.effectSize.gav === null ? null : roundTo(s.effectSize.gav, effectDigits) } : null,
    // V alone is a sum of ranks: at its ends (0, n(n+1)/2) it says every change had one sign. Its p is the test.
    wilcoxon: orderAllowed && s.wilcoxon ? { p: releaseP(s.wilcoxon.p) } : null,
    reliableChange: orderAllowed ? releaseChangeClasses(s.reliableChange, policy) : null,
    withheld: Object.fromEntries(Object.entries(why).map(([figure, reason]) => [figure, withheldText(reason)])),
    why,
  }
}

/** What a released scale is, without any of its figures. */
type ScaleIdentity = Pick<ReleasedScale, 'instrument' | 'instrumentTitle' | 'scale' | 'label' | 'instrumentTitles' | 'labels' | 'direction' | 'range' | 'n'>

/** A scale of which no figure is shown (its pairs' count aside), and why. */
function withheldScale(identity: ScaleIdentity, reason: WithheldReason): ReleasedScale {
  const { instrument, instrumentTitle, scale, label, instrumentTitles, labels, direction, range, n } = identity
  return {
    ...{ instrument, instrumentTitle, scale, label, instrumentTitles, labels, direction, range, n },
    ...{ pre: nothing, post: nothing, change: { mean: null, sd: null, ci95: null }, pairedT: null, pHolm: null, effectSize: null, wilcoxon: null, reliableChange: null },
    withheld: { all: withheldText(reason) },
    why: { all: reason },
  }
}

/**
 * Counts of reliable change for a program lead, as Table 1's categories (releaseBreakdown): each
 * redacted or rounded, and a class not shown when everyone else together is a count that would be
 * redacted ("20 of 20 deteriorated" tells it of each). A class that could not be assessed stays null.
 */
function releaseChangeClasses(counts: Record<ChangeClass, number | null>, policy: DisclosurePolicy): Record<ChangeClass, number | null> {
  const assessed = (Object.entries(counts) as [ChangeClass, number | null][]).filter((e): e is [ChangeClass, number] => e[1] !== null)
  const released = releaseBreakdown(
    assessed.map(([, n]) => n),
    assessed.reduce((total, [, n]) => total + n, 0),
    policy,
  )
  const shown = new Map(assessed.map(([k], i) => [k, released[i]!.n]))
  return Object.fromEntries((Object.keys(counts) as ChangeClass[]).map((k) => [k, shown.get(k) ?? null])) as Record<ChangeClass, number | null>
}

/** The ids of the participants with both scores of a scale in a report. */
function pairsOf(report: CohortReport, s: ScaleReport): string[] {
  return report.participants.filter((p) => p.scales.some((x) => x.instrument === s.instrument && x.scale === s.scale && x.pre !== null && x.post !== null)).map((p) => p.id)
}

/** The checked figure of a scale's scores at one wave of a comparison (`about` of its basis key). */
function scoresFigure(s: Pick<ScaleReport, 'instrument' | 'scale' | 'label' | 'labels'>, wave: WaveKind, comparison: { from: WaveKind; to: WaveKind }): CheckedFigure {
  return { kind: 'scores', instrument: s.instrument, scale: s.scale, label: s.label, labels: s.labels, wave, from: comparison.from, to: comparison.to }
}

/** The checked figure of a Table 1 row (`about` of its basis key). */
function table1Figure(row: { variable: string; label: string; labels?: Record<string, string> }): CheckedFigure {
  return { kind: 'table1', variable: row.variable, label: row.label, ...(row.labels ? { labels: row.labels } : {}) }
}

/** Wave kinds in the order a release compares them: the first against each later one. */
const waveKindOrder: WaveKind[] = ['pre', 'post', 'follow-up']

/** What a release is of: one cohort, or every cohort of the study together. */
type Scope = { cohort: Cohort } | { cohorts: Cohort[] }

/**
 * A release of `scope` as built (buildScope), its basis holding besides the groups guarded in every
 * cohort of the study that the release is not of alone (cohortGuards, `guarded:…#cohort:<id>` keys):
 * a cohort's figure too alike to show is guarded by whichever release comes first, whatever the order
 * (found by a review: released B, then the study, gave A's withheld value before A was ever released,
 * as A's figure was guarded only once A's own release was built). Each cohort is judged by the rule
 * its own release applies, from the data as it is now; a release made before guards existed is
 * covered too.
 */
async function buildRelease(deps: Deps, study: Study, scope: Scope, policy: DisclosurePolicy): Promise<Built> {
  const built = await buildScope(deps, study, scope, policy)
  const others = (await listCohorts(deps.db, study.id)).filter((c) => !('cohort' in scope && c.id === scope.cohort.id))
  const guards = await cohortGuards(deps, study, others, policy)
  return withCorrections(deps, study, { ...built, basis: { ...built.basis, ...guards.basis }, about: { ...built.about, ...guards.about } })
}

/**
 * The groups of `built.basis` with each participant whose answers behind a figure were corrected, or
 * whose score behind it was re-scored (`balint instruments rescore --apply`, rescore.ts), written as
 * `<id>@<change>+<change>…`, a change per corrected question (`c:<id of its last correction>`) and
 * per re-score (`r:<id of its audit entry>`); everyone else as `<id>`. Changes are named by what they
 * are, not counted (found by a review: two corrections undone and two others made left the count at
 * 2, and two releases over "the same" group showed different means). A correction changes a
 * figure over the same people (found by a review: 12 yes and 18 no released, one answer typed wrong
 * corrected, then 15 and 15 over the same 30, which gave a program lead who knew whose form it was
 * that person's answer). To the differencing check a person before and after a correction are two,
 * one leaving the group and one joining it, so its rules hold: refused while 1 to minN − 1 differ.
 * The answers behind a figure: for a scale's scores at a wave kind, that wave's form of the
 * instrument, its scale's items (any item where the scale is not known); for a Table 1 row, the
 * demographics form's question of that name. Stored with the release, the groups hold ids (of
 * participants, corrections and audit entries), never a value.
 */
async function withCorrections(deps: Deps, study: Study, built: Built): Promise<Built> {
  const counts = await countCorrectionsInStudy(deps.db, study.id)
  const rescores = await listRescoresInStudy(deps.db, study.id)
  if (counts.length === 0 && rescores.length === 0) return built
  const ofForm = groupBy(counts, (c) => `${c.waveKind ?? ''}|${c.instrumentId}`)
  const rescoresOfForm = groupBy(rescores, (r) => `${r.waveKind ?? ''}|${r.instrumentId}`)
  // Per figure, each changed participant's member name: `<id>@<change>+<change>…`.
  const changedBehind = new Map<string, Map<string, string>>()
  const behind = (figure: string): Map<string, string> => {
    const known = changedBehind.get(figure)
    if (known) return known
    const [kind, ...rest] = figure.split(':')
    const changes = new Map<string, string[]>()
    const add = (participantId: string, change: string) => changes.set(participantId, [...(changes.get(participantId) ?? []), change])
    if (kind === 'table1') {
      const variable = rest.join(':')
      for (const c of ofForm.get(`|${study.demographicsInstrument}`) ?? []) if (c.question === variable) add(c.participantId, `c:${c.lastCorrectionId}`)
    } else if (kind === 'scores') {
      const [wave, instrument, ...scaleParts] = rest
      const scale = scaleParts.join(':')
      const items = deps.instruments.questionnaire(instrument!)?.scoring.scales.find((x) => x.id === scale)?.items
      for (const c of ofForm.get(`${wave}|${instrument}`) ?? []) if (items === undefined || items.includes(c.question)) add(c.participantId, `c:${c.lastCorrectionId}`)
      for (const r of rescoresOfForm.get(`${wave}|${instrument}`) ?? []) if (r.scales.includes(scale)) add(r.participantId, `r:${r.id}`)
    }
    const named = new Map([...changes].map(([id, list]) => [id, `${id}@${[...list].sort().join('+')}`]))
    changedBehind.set(figure, named)
    return named
  }
  const basis = Object.fromEntries(
    Object.entries(built.basis).map(([key, ids]) => {
      const changed = behind(figureOf(key))
      return [key, changed.size === 0 ? ids : ids.map((id) => changed.get(id) ?? id)]
    }),
  )
  return { ...built, basis }
}

/** The mark of a guarded key that is another cohort's, judged by a release not of it alone: `guarded:<figure>#<to>#cohort:<id>`. */
const cohortMark = '#cohort:'

/**
 * The groups each of `cohorts` would guard in its own release (buildScope: a scale's wave too alike
 * to show, tooAlikeWaves; a Table 1 number with no spread), as `guarded:…#cohort:<id>` keys. The
 * scales are judged from one report over all of `cohorts` together, each cohort's pairs taken from
 * it in the order its own report has them (so the same sums), not from a report per cohort (found by
 * a review: 30 cohorts made every release build 30 reports, seconds inside its transaction); its
 * comparisons are those of the study's first wave kind. Table 1 is each cohort's own.
 */
async function cohortGuards(deps: Deps, study: Study, cohorts: Cohort[], policy: DisclosurePolicy): Promise<Pick<Built, 'basis' | 'about'>> {
  const basis: Record<string, string[]> = {}
  const about: Record<string, CheckedFigure> = {}
  if (cohorts.length === 0) return { basis, about }
  const waves = (await Promise.all(cohorts.map((c) => listWaves(deps.db, c.id)))).flat()
  const kinds = waveKindOrder.filter((k) => waves.some((w) => w.kind === k))
  const cohortOf = new Map<string, string>()
  for (const c of cohorts) for (const p of await listParticipants(deps.db, c.id)) cohortOf.set(p.id, c.id)
  for (const to of kinds.slice(1)) {
    const report = await cohortsReport(deps, study, cohorts, { from: kinds[0]!, to })
    // Each cohort's participants once, in the report's order (its own report's).
    const membersOf = groupBy(report.participants, (p) => cohortOf.get(p.id) ?? '')
    for (const s of report.scales.filter((x) => x.multiplicity.sameScoreAs === null)) {
      for (const cohort of cohorts) {
        const ids: string[] = []
        const pre: number[] = []
        const post: number[] = []
        const change: number[] = []
        for (const p of membersOf.get(cohort.id) ?? []) {
          const x = p.scales.find((y) => y.instrument === s.instrument && y.scale === s.scale)
          if (!x || x.pre === null || x.post === null || x.change === null) continue
          ids.push(p.id)
          pre.push(x.pre)
          post.push(x.post)
          change.push(x.change)
        }
        const spreadOf = (values: number[]) => ({ mean: values.length > 0 ? mean(values) : null, sd: values.length > 1 ? sampleSd(values) : null })
        const alike = tooAlikeWaves({ pre: spreadOf(pre), post: spreadOf(post), change: { sd: spreadOf(change).sd }, range: s.range }, ids.length, policy)
        for (const wave of alike) {
          const key = `${guardedPrefix}scores:${wave === 'pre' ? report.from : report.to}:${s.instrument}:${s.scale}#${to}${cohortMark}${cohort.id}`
          basis[key] = ids
          about[key] = scoresFigure(s, wave === 'pre' ? report.from : report.to, report)
        }
      }
    }
  }
  for (const cohort of cohorts) {
    const table = await cohortTable1(deps, cohort.id)
    const answers = await enrolmentAnswersOf(deps, study, [cohort.id])
    for (const c of table.continuous) {
      if (!table1TooAlike(c, policy)) continue
      const key = `${guardedPrefix}table1:${c.variable}${cohortMark}${cohort.id}`
      basis[key] = answers.filter((a) => typeof a.answers[c.variable] === 'number').map((a) => a.participantId)
      about[key] = table1Figure(c)
    }
  }
  return { basis, about }
}

/** The figures of a release of `scope` and the groups behind them (`Built`), guarding its own figures withheld as too alike. */
async function buildScope(deps: Deps, study: Study, scope: Scope, policy: DisclosurePolicy): Promise<Built> {
  const cohorts = 'cohort' in scope ? [scope.cohort] : scope.cohorts
  const reportOf = (waves: { from: WaveKind; to: WaveKind }) => ('cohort' in scope ? cohortReport(deps, scope.cohort.id, waves) : studyReport(deps, study.id, waves))
  const basis: Record<string, string[]> = {}
  const about: Record<string, CheckedFigure> = {}
  // Within one release, the same wave's scores shown over two groups (pre in pre→post and in
  // pre→follow-up) must differ by nobody or by at least minN people.
  const within = (key: string, ids: string[]): WithheldReason | null => {
    for (const [k, earlier] of Object.entries(basis)) {
      if (baseOf(k) !== key) continue
      const d = differenceTooSmall(new Set(earlier), new Set(ids), policy.minN)
      if (d) return { code: 'overlapping_group', differing: d.onlyFirst + d.onlySecond, minN: policy.minN }
    }
    return null
  }
  const waves = (await Promise.all(cohorts.map((c) => listWaves(deps.db, c.id)))).flat()
  const kinds = waveKindOrder.filter((k) => waves.some((w) => w.kind === k))
  const comparisons: ReleasedComparison[] = []
  let funnelSource: CohortReport | null = null
  for (const to of kinds.slice(1)) {
    const report = await reportOf({ from: kinds[0]!, to })
    funnelSource ??= report
    // A scale that is another metric of one shown (WHO-5 percentage = raw × 4) is left out: the same
    // score again, it would give the other's mean and SD to a finer grain than the rounding allows.
    const scales = report.scales.filter((s) => s.multiplicity.sameScoreAs === null).map((s) => {
      const ids = pairsOf(report, s)
      const keys = [`scores:${report.from}:${s.instrument}:${s.scale}`, `scores:${report.to}:${s.instrument}:${s.scale}`]
      const conflict = ids.length >= policy.minN ? (keys.map((k) => within(k, ids)).find((c) => c !== null) ?? null) : null
      const alike = conflict ? [] : tooAlikeWaves(s, ids.length, policy)
      const released = releaseScale(s, ids.length, policy, conflict, alike)
      if (!conflict && ids.length >= policy.minN) {
        keys.forEach((k, i) => {
          // A scale withheld as too alike shows nothing; the waves that were too alike are guarded.
          const key = alike.length === 0 ? `${k}#${to}` : alike.includes(i === 0 ? 'pre' : 'post') ? `${guardedPrefix}${k}#${to}` : null
          if (key === null) return
          basis[key] = ids
          about[key] = scoresFigure(s, i === 0 ? report.from : report.to, report)
        })
      }
      return released
    })
    comparisons.push({ from: report.from, to: report.to, paired: releaseCount(report.funnel.paired ?? 0, policy), scales })
  }

  const participants = (await Promise.all(cohorts.map((c) => listParticipants(deps.db, c.id)))).flat()
  const count = (n: number | null | undefined) => releaseCount(n ?? 0, policy)
  const funnel: ReleaseContent['funnel'] = funnelSource
    ? {
        enrolled: count(funnelSource.funnel.enrolled),
        consented: count(funnelSource.funnel.consented),
        completed: Object.fromEntries(Object.entries(funnelSource.funnel.completed).map(([k, v]) => [k, count(v)])),
        withdrawn: count(funnelSource.funnel.withdrawn),
      }
    : { enrolled: count(participants.length), consented: null, completed: {}, withdrawn: count(participants.filter((p) => p.status === 'withdrawn').length) }

  // Table 1: the researcher's table, then each figure released under the policy.
  const table = 'cohort' in scope ? await cohortTable1(deps, scope.cohort.id) : await studyTable1(deps, study.id)
  const answers = await enrolmentAnswersOf(deps, study, cohorts.map((c) => c.id))
  const answeredBy = (variable: string, numeric: boolean) =>
    // The people a row is computed from, exactly as Table 1 counts them (an empty checkbox answer is not
    // an answer there, so it must not be in the group the differencing check compares either).
    answers.filter((a) => (numeric ? typeof a.answers[variable] === 'number' : answeredChoice(a.answers[variable]))).map((a) => a.participantId)
  const table1Key = (row: { variable: string; label: string; labels?: Record<string, string> }, ids: string[]): string | null => {
    const key = `table1:${row.variable}`
    basis[key] = ids
    about[key] = table1Figure(row)
    return key
  }
  const table1: ReleasedTable1 = {
    n: count(table.n),
    continuous: table.continuous.map((c) => {
      const n = c.n ?? 0
      const ids = answeredBy(c.variable, true)
      const withheld = (why: WithheldReason) => ({ variable: c.variable, label: c.label, labels: c.labels, n: count(n), mean: null, sd: null, withheld: withheldText(why), why })
      if (n < policy.minN || c.mean === null || c.sd === null) return withheld({ code: 'fewer_answers', minN: policy.minN })
      if (table1TooAlike(c, policy)) {
        // Everyone gave the same number: withheld, and guarded, so no other release gives it back by subtraction.
        basis[`${guardedPrefix}table1:${c.variable}`] = ids
        about[`${guardedPrefix}table1:${c.variable}`] = table1Figure(c)
        return withheld({ code: 'protect_individuals' })
      }
      table1Key(c, ids)
      const digits = scoreDecimals(n, policy)
      return { variable: c.variable, label: c.label, labels: c.labels, n: count(n), mean: roundTo(c.mean, digits), sd: roundTo(c.sd, digits), withheld: null, why: null }
    }),
    categorical: table.categorical.map((c) => {
      const answered = c.answered ?? 0
      const shown = releaseBreakdown(
        c.levels.map((l) => l.n ?? 0),
        answered,
        policy,
      )
      if (shown.some((l) => l.n !== null)) table1Key(c, answeredBy(c.variable, false))
      // A question that takes several choices is released as its options, each as a breakdown of those
      // answering (chose it or not): releaseBreakdown redacts a small count and a count whose complement
      // (answered − n) is small, level by level, which is exactly that.
      return {
        variable: c.variable,
        label: c.label,
        labels: c.labels,
        multiple: c.multiple,
        answered: count(answered),
        levels: c.levels.map((l, i) => ({ value: l.value, label: l.label, labels: l.labels, offered: l.offered, ...shown[i]! })),
      }
    }),
  }

  return {
    content: {
      cohort: 'cohort' in scope ? { id: scope.cohort.id, name: scope.cohort.name } : null,
      study: { id: study.id, name: study.name },
      ...('cohorts' in scope ? { cohorts: scope.cohorts.map((c) => ({ id: c.id, name: c.name })) } : {}),
      policy,
      funnel,
      comparisons,
      table1,
    },
    basis,
    about,
  }
}

/** An earlier release as the differencing check sees it: which participants each figure was computed from. */
type EarlierBasis = { id: string; releasedAt: string; basis: Record<string, string[]> }

/**
 * The prefix of a basis key whose figure was withheld as too alike (everyone the same, a mean at an
 * end): its group is guarded, not shown. No figures shown may add and subtract to its total
 * (refusalsAgainst), since its total is everyone's value times their number.
 */
const guardedPrefix = 'guarded:'
const isGuarded = (key: string) => key.startsWith(guardedPrefix)

/** A basis key's base: the figure it is of, whatever its comparison (`scores:pre:phq-9:total#post` → `scores:pre:phq-9:total`) or guarded cohort. */
const baseOf = (key: string) => key.split('#')[0]!

/**
 * A group's members as the checks count them: `<id>` for a participant as first stored, and for one
 * marked `<id>@<change>+<change>…` (withCorrections) `<id>` and each change, `<id>@<change>`. (Releases
 * made before changes were named stored `<id>@<n>`, n corrections and re-scores: `<id>` and `<id>@1` …
 * `<id>@<n>`, which no named change equals, so a figure over them counts as changed since.) A person's
 * value after changes is their first value plus those changes,
 * so a group holds the changes it includes: one person's change, read by adding and subtracting
 * releases (the study's release minus its cohorts', one answer corrected between them: found by a
 * review), is then a group of one, which the combination check (derivedGroup) looks for as it looks
 * for any small group; and two releases over the same people before and after a change differ by
 * that one change, fewer than minN.
 *
 * @example
 * atomsOf(['p1', 'p2@c:x7+r:k2']) // => Set { 'p1', 'p2', 'p2@c:x7', 'p2@r:k2' }
 * atomsOf(['p3@2']) // => Set { 'p3', 'p3@1', 'p3@2' } (as stored before changes were named)
 */
function atomsOf(ids: readonly string[]): Set<string> {
  const atoms = new Set<string>()
  for (const id of ids) {
    // Participant ids hold no '@' (ids.ts): the first one starts the changes.
    const at = id.indexOf('@')
    const rest = at < 0 ? '' : id.slice(at + 1)
    if (rest === '') {
      atoms.add(id)
      continue
    }
    const person = id.slice(0, at)
    atoms.add(person)
    if (/^\d+$/.test(rest)) for (let k = 1; k <= Number(rest); k++) atoms.add(`${person}@${k}`)
    else for (const change of rest.split('+')) atoms.add(`${person}@${change}`)
  }
  return atoms
}

/**
 * The groups of bases as sets, each made once however often it is asked for (issue 16: rebuilt per
 * figure and earlier release, a preview at 10,000 participants with 32 earlier releases took 5.6 s):
 * `of(basis, base)`, the groups of every key of that base in one release's basis.
 */
function basisSets() {
  const sets = new Map<string[], Set<string>>()
  const setOf = (ids: string[]) => sets.get(ids) ?? sets.set(ids, atomsOf(ids)).get(ids)!
  const of = (basis: Record<string, string[]>, base: string) => Object.entries(basis).filter(([k]) => baseOf(k) === base).map(([, ids]) => setOf(ids))
  return { setOf, of }
}

/** The figure a key is of, guarded or not: `guarded:table1:sleep_hours#cohort:x` → `table1:sleep_hours`. */
const figureOf = (key: string) => {
  const base = baseOf(key)
  return isGuarded(base) ? base.slice(guardedPrefix.length) : base
}

/**
 * Whether a reader can take a key's group into differencing: a figure shown; or a guarded group the
 * reader knows to be too alike, a release's own (it withholds the figure, saying why) or one a
 * suppression told of (`#told:`; found by a review: B's varied sleep withheld "to protect individual
 * participants" said that never-released cohort A was all alike), since one person more or less
 * beside a group of one value gives that person's value. Not another cohort's copy (`#cohort:`),
 * which nothing shows.
 */
const differenced = (key: string) => !isGuarded(key) || !key.includes(cohortMark)

/** A group's ids as one string, the same for the same people in any order. */
const groupKey = (ids: Iterable<string>) => [...ids].sort().join('\n')

/**
 * Compare a release about to be made with every earlier release of the study — of this cohort, of
 * its other cohorts, and study-wide — figure by figure. Across releases a figure is the same when its
 * key is (the scores of one scale at one wave kind, or one Table 1 variable): a participant has one
 * wave of each kind, their own cohort's, so a study-wide release over cohorts A and B and a release
 * of A differ by B's people, and subtracting them must not tell about fewer than minN.
 */
function refusalsAgainst(built: Built, earlier: EarlierBasis[], policy: DisclosurePolicy): { refusals: ReleaseRefusal[]; changesOnly: Set<string> } {
  const refusals: ReleaseRefusal[] = []
  const changesOnly = new Set<string>()
  // The same wave's scores in another comparison (pre in pre→post and in pre→follow-up) count too:
  // figures are matched by their key's base.
  const { setOf } = basisSets()
  const earlierFigures = groupBy(
    earlier.flatMap((release) => Object.entries(release.basis).filter(([key]) => differenced(key)).map(([key, ids]) => ({ figure: figureOf(key), guarded: isGuarded(key), ids, release }))),
    (f) => f.figure,
  )
  for (const [key, ids] of Object.entries(built.basis)) {
    if (!differenced(key)) continue
    const now = setOf(ids)
    for (const { ids: then, release, guarded } of earlierFigures.get(figureOf(key)) ?? []) {
      // Two groups both withheld as too alike show nothing to subtract.
      if (guarded && isGuarded(key)) continue
      // People, not members: one person's nine corrected items and a re-score are one person who
      // differs (found by a review: counted as ten members, they passed minN = 10, and the two
      // releases gave that person's change of total).
      const differing = differingPeople(setOf(then), now)
      if (differing === 0 || differing >= policy.minN) continue
      if (!isGuarded(key) && onlyChangesDiffer(setOf(then), now)) changesOnly.add(figureOf(key))
      refusals.push({
        figure: figureName(built.about[key]!),
        about: built.about[key]!,
        rule: 'difference',
        minN: policy.minN,
        earlierRelease: { id: release.id, releasedAt: release.releasedAt },
        participantsThen: then.length,
        participantsNow: ids.length,
        differing,
        wait: `${differing} participant(s) differ from the release of ${release.releasedAt.slice(0, 10)}; wait until at least ${policy.minN - differing} more have completed it (at least ${policy.minN} in all differing), or release when the group is the same again`,
      })
    }
  }
  // Beyond pairs: adding and subtracting three or more releases must not give the total of fewer
  // than minN people either (one person's value, or a few whose sum each of them can subtract from).
  const refused = new Set(refusals.map((r) => r.figure))
  const last = earlier.at(-1)
  // One budget for the whole release: its checks run inside the release's transaction.
  const budget = { left: derivedGroupBudget }
  const figures = new Set(Object.keys(built.basis).filter(differenced).map(figureOf))
  const ofFigure = (basis: Record<string, string[]>, figure: string) => Object.entries(basis).filter(([k]) => differenced(k) && figureOf(k) === figure).map(([, ids]) => setOf(ids))
  for (const base of figures) {
    const before = earlier.flatMap((r) => ofFigure(r.basis, base))
    const key = Object.keys(built.basis).find((k) => differenced(k) && figureOf(k) === base)!
    const figure = figureName(built.about[key]!)
    // Three groups or more in all: one earlier and the two this release shows of the same wave (pre
    // in pre→post and pre→follow-up) combine as well as three releases do (found by a review: the
    // check once counted the earlier groups alone).
    if (!last || before.length + ofFigure(built.basis, base).length < 3 || refused.has(figure)) continue
    // A group the earlier releases alone already give (made before this check) is not this release's
    // doing, and does not stop the check: only what this release adds is refused.
    // derivedGroup counts members; a person whose answers changed is several (atomsOf). A group of
    // fewer than minN people is then fewer than minN × (the most members one person has) members: it
    // is looked for up to there, and a group found of minN members or more, which may still be fewer
    // people, is refused as one the check could not rule out.
    const groups = [...before, ...ofFigure(built.basis, base)]
    const derived = derivedGroup(groups, policy.minN * membersPerPerson(groups), { known: before.length, budget })
    if (derived === null) continue
    const unsure = derived !== 'undecided' && derived.size >= policy.minN
    // One change alone (derivedGroup names one member of the group it finds: a larger group may hold
    // people too, and stays refused). builtAndChecked withholds it only where this release shows it.
    if (derived !== 'undecided' && derived.size === 1 && isChange(derived.member)) changesOnly.add(base)
    refusals.push({
      figure,
      about: built.about[key]!,
      rule: 'combination',
      minN: policy.minN,
      earlierRelease: { id: last.id, releasedAt: last.releasedAt },
      participantsThen: last.basis[key]?.length ?? 0,
      participantsNow: built.basis[key]!.length,
      differing: derived === 'undecided' || unsure ? 0 : derived.size,
      wait:
        derived === 'undecided' || unsure
          ? `adding and subtracting this release and earlier ones could not be checked for groups smaller than ${policy.minN} within the check's limit (they combine in too many ways); it is refused to be safe`
          : derived.size === 1
            ? `adding and subtracting this release and earlier ones would give one participant's value; wait until at least ${policy.minN} more have completed it`
            : `adding and subtracting this release and earlier ones would give the total of ${derived.size} participants, fewer than ${policy.minN}; wait until at least ${policy.minN - derived.size} more have completed it`,
    })
  }
  return { refusals, changesOnly }
}

/** A member of a group that is a change of a person's answers (`<id>@<k>`, atomsOf), not a person. */
const isChange = (atom: string) => atom.includes('@')

/** The person a member of a group (atomsOf) is, or is a change of. */
const personOf = (atom: string) => {
  const at = atom.indexOf('@')
  return at < 0 ? atom : atom.slice(0, at)
}

/** How many people two groups (atomsOf) differ by: the people behind the members in one and not the other, each once however many of their changes differ. */
function differingPeople(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const people = new Set<string>()
  for (const atom of a) if (!b.has(atom)) people.add(personOf(atom))
  for (const atom of b) if (!a.has(atom)) people.add(personOf(atom))
  return people.size
}

/** The most members (atomsOf) one person has in `groups` together, themselves and each change: 1 where no one's answers changed. */
function membersPerPerson(groups: readonly ReadonlySet<string>[]): number {
  const changes = new Map<string, Set<string>>()
  for (const group of groups) for (const atom of group) if (isChange(atom)) (changes.get(personOf(atom)) ?? changes.set(personOf(atom), new Set()).get(personOf(atom))!).add(atom)
  let most = 1
  for (const set of changes.values()) most = Math.max(most, 1 + set.size)
  return most
}

/** Whether two groups hold the same people, and differ only by changes of their answers (corrections, re-scores: atomsOf). */
function onlyChangesDiffer(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const atom of a) if (!b.has(atom) && !isChange(atom)) return false
  for (const atom of b) if (!a.has(atom) && !isChange(atom)) return false
  return true
}

/**
 * The figures of a release (their keys' bases, `scores:<wave>:<instrument>:<scale>` or
 * `table1:<variable>`) that, added and subtracted with the same figures of earlier releases and of
 * this one, would give the total of a guarded group: one whose own figure is withheld as too alike
 * (a cohort whose 12 members all sleep 4 hours, read off the study's release minus the other
 * cohort's), whatever its size (`givesGroup`, exact). A group the earlier releases alone already
 * give is not this release's doing.
 */
function figuresGivingGuarded(built: Built, earlier: EarlierBasis[]): Map<string, Set<string>[]> {
  const { of } = basisSets()
  const giving = new Map<string, Set<string>[]>()
  for (const base of new Set(Object.keys(built.basis).filter((k) => !isGuarded(k)).map(baseOf))) {
    // Each guarded group once, however many releases hold it.
    const guarded = new Map<string, Set<string>>()
    for (const group of [...earlier.flatMap((r) => of(r.basis, `${guardedPrefix}${base}`)), ...of(built.basis, `${guardedPrefix}${base}`)]) guarded.set(groupKey(group), group)
    if (guarded.size === 0) continue
    const earlierShown = earlier.flatMap((r) => of(r.basis, base))
    const shown = [...earlierShown, ...of(built.basis, base)]
    const given = [...guarded.values()].filter((group) => givesGroup(shown, group) && !givesGroup(earlierShown, group))
    if (given.length > 0) giving.set(base, given)
  }
  return giving
}

/**
 * The release with the figures of `bases` (figuresGivingGuarded) withheld, "to protect individual
 * participants", and taken out of its basis (secondary suppression, as statistical agencies do: the
 * release is made without them, rather than refused for as long as the groups stand). A scale's
 * scores at a wave go with the whole scale in each comparison that shows that wave, as a wave's
 * figures with the other wave's and the change would give each other back (releaseScale).
 */
function withoutFigures(built: Built, giving: ReadonlyMap<string, Set<string>[]>): Built {
  const reason: WithheldReason = { code: 'protect_individuals' }
  const bases = new Set(giving.keys())
  const basis = { ...built.basis }
  const about = { ...built.about }
  // The withholding tells the reader that the groups it protects are too alike: they are kept as told
  // (`#told:`), and differenced as such by later releases (refusalsAgainst).
  for (const [base, groups] of giving) {
    const of = Object.keys(built.about).find((k) => baseOf(k) === base)!
    groups.forEach((group, i) => {
      basis[`${guardedPrefix}${base}#told:${i}`] = [...group]
      about[`${guardedPrefix}${base}#told:${i}`] = built.about[of]!
    })
  }
  const scoreKey = (wave: WaveKind, s: { instrument: string; scale: string }) => `scores:${wave}:${s.instrument}:${s.scale}`
  const comparisons = built.content.comparisons.map((c) => ({
    ...c,
    scales: c.scales.map((s) => {
      if (!bases.has(scoreKey(c.from, s)) && !bases.has(scoreKey(c.to, s))) return s
      delete basis[`${scoreKey(c.from, s)}#${c.to}`]
      delete basis[`${scoreKey(c.to, s)}#${c.to}`]
      return withheldScale(s, reason)
    }),
  }))
  const table1 = built.content.table1
  const hidden = (variable: string) => bases.has(`table1:${variable}`) && (delete basis[`table1:${variable}`], true)
  return {
    content: {
      ...built.content,
      comparisons,
      table1: {
        ...table1,
        continuous: table1.continuous.map((c) => (hidden(c.variable) ? { ...c, mean: null, sd: null, withheld: withheldText(reason), why: reason } : c)),
        categorical: table1.categorical.map((c) => (hidden(c.variable) ? { ...c, levels: c.levels.map((l) => ({ ...l, n: null, percent: null })) } : c)),
      },
    },
    basis,
    about,
  }
}

/**
 * The release without the copies of other cohorts' guarded groups (`#cohort:`) that an earlier
 * release already holds, group for group (found by a review: 31 releases over 30 cohorts stored 310
 * copies of 10 groups, and every later check went through each).
 */
function withoutStoredCopies(built: Built, earlier: EarlierBasis[]): Built {
  const stored = new Set(earlier.flatMap((r) => Object.entries(r.basis).filter(([k]) => isGuarded(k)).map(([k, ids]) => `${figureOf(k)}|${groupKey(ids)}`)))
  const basis = Object.fromEntries(Object.entries(built.basis).filter(([k, ids]) => !(isGuarded(k) && k.includes(cohortMark) && stored.has(`${figureOf(k)}|${groupKey(ids)}`))))
  return { ...built, basis }
}

/**
 * Build a release of `scope` and check it against every release of the study: first withholding
 * each figure that would give a guarded group (withoutFigures, until none does: each round takes a
 * figure out, so it ends), then the differencing and combination checks (refusalsAgainst) on what
 * is left. A figure refused only because answers behind it were corrected or re-scored since an
 * earlier release (its groups hold the same people, and differ by changes alone) is withheld "to
 * protect individual participants" instead, and the rest checked again (each round takes a figure
 * out): waiting would not help, since no one joins a finished cohort, and one corrected typing
 * error would otherwise stop every later release of it. The reason shown is the general one, so
 * that the release does not tell a program lead that someone's answer was corrected; the researcher's
 * preview names the figures (`withheldAfterChanges`). A refusal where people differ as well (one
 * more completed it) stays a refusal: waiting for more does help there.
 */
async function builtAndChecked(deps: Deps, study: Study, scope: Scope, policy: DisclosurePolicy): Promise<{ built: Built; refusals: ReleaseRefusal[]; withheldAfterChanges: CheckedFigure[] }> {
  const earlier = await listAllReleasesOfStudy(deps.db, study.id)
  let built = withoutStoredCopies(await buildRelease(deps, study, scope, policy), earlier)
  for (let giving = figuresGivingGuarded(built, earlier); giving.size > 0; giving = figuresGivingGuarded(built, earlier)) built = withoutFigures(built, giving)
  const withheldAfterChanges: CheckedFigure[] = []
  for (let checked = refusalsAgainst(built, earlier, policy); ; checked = refusalsAgainst(built, earlier, policy)) {
    // Only figures this release shows are withheld: one it holds only as a guarded group is withheld
    // already, and stays refused (found by a review: withholding it again removed nothing, and the
    // check looped for ever). Each round takes out what it withholds, so it ends; a round that would
    // take out nothing ends it, with the refusals as they stand.
    const shownKeys = Object.keys(built.basis).filter((k) => !isGuarded(k) && checked.changesOnly.has(figureOf(k)))
    if (shownKeys.length === 0) return { built: withoutAdjustmentsOverWithheld(built), refusals: checked.refusals, withheldAfterChanges }
    const bases = new Set(shownKeys.map(figureOf))
    for (const base of bases) withheldAfterChanges.push(built.about[shownKeys.find((k) => figureOf(k) === base)!]!)
    built = withoutFigures(built, new Map([...bases].map((base) => [base, []])))
  }
}

/**
 * The release with every Holm-adjusted p (`pHolm`) of a comparison withheld when any scale of that
 * comparison is withheld whole: the adjustment runs over the whole secondary family of the report
 * (adjustForMultiplicity in report.ts), the withheld scale's p included, so another scale's adjusted
 * p would tell about it (found by a review: GAD-7's pHolm went from 0.04 to 0.02, over the same people
 * and answers, after one PHQ-9 answer was corrected and the PHQ-9 withheld: max(2·p_PHQ, p_GAD)).
 * The unadjusted p of each scale shown stays.
 */
function withoutAdjustmentsOverWithheld(built: Built): Built {
  const reason: WithheldReason = { code: 'protect_individuals' }
  const comparisons = built.content.comparisons.map((c) => {
    if (!c.scales.some((s) => s.why?.all !== undefined) || !c.scales.some((s) => s.pHolm !== null)) return c
    return {
      ...c,
      scales: c.scales.map((s) =>
        s.pHolm === null ? s : { ...s, pHolm: null, withheld: { ...s.withheld, pHolm: withheldText(reason) }, why: { ...s.why, pHolm: reason } },
      ),
    }
  })
  return { ...built, content: { ...built.content, comparisons } }
}

async function cohortAndStudy(deps: Deps, cohortId: string): Promise<{ cohort: Cohort; study: Study }> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  return { cohort, study: (await findStudy(deps.db, cohort.studyId))! }
}

/** What a release made now would show, and whether it may be made (for the researcher). */
export async function previewRelease(deps: Deps, cohortId: string): Promise<ReleasePreview> {
  const { cohort, study } = await cohortAndStudy(deps, cohortId)
  return previewOf(deps, study, { cohort })
}

async function previewOf(deps: Deps, study: Study, scope: Scope): Promise<ReleasePreview> {
  const { built, refusals, withheldAfterChanges } = await builtAndChecked(deps, study, scope, await studyPolicy(deps, study))
  return { content: built.content, refusals, allowed: refusals.length === 0, withheldAfterChanges }
}

/**
 * Build a release in the transaction `deps.db` and check it against every release of the study.
 * Read in the transaction: on PostgreSQL it is serialisable, so two releases made at once (of a
 * cohort and of the study) cannot both pass a check that each would have failed after the other.
 *
 * @throws {ApiError} 409 `disclosure_risk` with the refusals as details
 */
async function checkedRelease(deps: Deps, study: Study, scope: Scope): Promise<{ built: Built; policy: DisclosurePolicy }> {
  const policy = await studyPolicy(deps, study)
  const { built, refusals } = await builtAndChecked(deps, study, scope, policy)
  if (refusals.length > 0) {
    throw new ApiError('disclosure_risk', `Not released: ${refusals.length} figure(s) would let a reader subtract an earlier release and learn about fewer than ${policy.minN} participants. ${refusals[0]!.wait}.`, refusals)
  }
  return { built, policy }
}

/**
 * Release the cohort's program-lead report now, frozen.
 *
 * @throws {ApiError} 409 `disclosure_risk` with the refusals as details, writing nothing
 */
export async function releaseCohort(deps: Deps, cohortId: string, by: { id: string; name: string }): Promise<Release> {
  const { cohort, study } = await cohortAndStudy(deps, cohortId)
  return deps.db.transaction().execute(async (trx) => {
    const { built, policy } = await checkedRelease({ ...deps, db: trx }, study, { cohort })
    const now = deps.now()
    const stored = await insertRelease(trx, { studyId: study.id, cohortId: cohort.id, releasedBy: by, policy, content: built.content, basis: built.basis }, now)
    await insertAudit(trx, { actor: `staff:${by.id}`, action: 'release.create', entity: 'cohort', entityId: cohort.id, details: { releaseId: stored.id } }, now)
    return toRelease(stored)
  })
}

/** The cohort's releases, newest first, without their content. */
export async function listReleases(deps: Deps, cohortId: string): Promise<Omit<Release, 'content'>[]> {
  return (await listReleasesOfCohort<ReleaseContent>(deps.db, cohortId)).reverse().map(({ id, cohortId: c, releasedAt, releasedBy }) => ({ id, cohortId: c, releasedAt, releasedBy }))
}

/** A cohort's or a study-wide release by id. */
export async function readRelease(deps: Deps, releaseId: string): Promise<Release> {
  const stored = (await findRelease<ReleaseContent>(deps.db, releaseId)) ?? (await findStudyRelease<ReleaseContent>(deps.db, releaseId))
  if (!stored) throw new ApiError('not_found', 'No such release.')
  return toRelease(stored)
}

async function studyAndCohorts(deps: Deps, studyId: string): Promise<{ study: Study; cohorts: Cohort[] }> {
  const study = await findStudy(deps.db, studyId)
  if (!study) throw new ApiError('not_found', 'No such study.')
  return { study, cohorts: await listCohorts(deps.db, studyId) }
}

/**
 * What a study-wide release (all cohorts together, issue 17) made now would show, and whether it may
 * be made: the same figures, policy and checks as a cohort's, against every release of the study.
 */
export async function previewStudyRelease(deps: Deps, studyId: string): Promise<ReleasePreview> {
  const { study, cohorts } = await studyAndCohorts(deps, studyId)
  return previewOf(deps, study, { cohorts })
}

/**
 * Release the study-wide program-lead report now, frozen.
 *
 * @throws {ApiError} 409 `disclosure_risk` with the refusals as details, writing nothing: for
 *   example when a cohort of fewer than minN people is all that separates it from a released cohort
 */
export async function releaseStudy(deps: Deps, studyId: string, by: { id: string; name: string }): Promise<Release> {
  const { study, cohorts } = await studyAndCohorts(deps, studyId)
  return deps.db.transaction().execute(async (trx) => {
    const { built, policy } = await checkedRelease({ ...deps, db: trx }, study, { cohorts })
    const now = deps.now()
    const stored = await insertStudyRelease(trx, { studyId: study.id, releasedBy: by, policy, content: built.content, basis: built.basis }, now)
    await insertAudit(trx, { actor: `staff:${by.id}`, action: 'release.create', entity: 'study', entityId: study.id, details: { releaseId: stored.id } }, now)
    return toRelease(stored)
  })
}

/** The study-wide releases, newest first, without their content. */
export async function listStudyWideReleases(deps: Deps, studyId: string): Promise<Omit<Release, 'content'>[]> {
  return (await listStudyReleases<ReleaseContent>(deps.db, studyId)).reverse().map(({ id, cohortId, releasedAt, releasedBy }) => ({ id, cohortId, releasedAt, releasedBy }))
}
