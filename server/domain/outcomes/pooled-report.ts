/**
 * The pooled study report: several cohorts (Balint groups) of one study analysed together, with
 * participants nested in their group. Members of one group share its leader, its sessions and each
 * other, so their changes are not independent; pooling them as one sample would understate the
 * standard error. For every scale given at both waves in at least two cohorts, change (to − from) is
 * modelled with a random intercept per cohort, fitted by REML as R's
 * `nlme::lme(change ~ 1, random = ~ 1 | cohort)`: the pooled mean change with its CI, the
 * between-cohort variance, the intra-class correlation and the design effect, each cohort's own
 * estimate for the forest plot, and, with attendance (sessions attended) as covariate,
 * `lme(change ~ attended, random = ~ 1 | cohort)`.
 *
 * The pairs, scores and attendance are those of each cohort's report (cohortReport), so the pooled
 * report and the cohort reports never disagree about who counts.
 */
import { mean } from 'simple-statistics'
import tQuantile from '@stdlib/stats-base-dists-t-quantile'
import { ApiError } from '../errors'
import { groupBy } from '../collections'
import { findStudy, listCohorts } from '../../db/repositories/studies'
import type { WaveKind } from '../../db/schema'
import { randomInterceptReml, sampleSd, type RandomInterceptFixedEffect } from '../../stats'
import type { Deps } from '../deps'
import { cohortReport, type CohortReport, SMALL_SAMPLE } from './report'

export type CohortEstimate = {
  cohortId: string
  cohortName: string
  /** complete pairs in this cohort */
  n: number
  /** the cohort's own mean change and its 95% t interval (null below 2 pairs or with no spread) */
  mean: number
  sd: number | null
  ci95: [number, number] | null
  /** the model's prediction for this cohort: pooled mean + its predicted random intercept (R's coef(fit)); null without a model */
  predicted: number | null
}

export type PooledScale = {
  instrument: string
  instrumentTitle: string
  scale: string
  label: string
  direction: 'higher-is-worse' | 'higher-is-better'
  /** participants with both scores, over all cohorts */
  n: number
  /** cohorts with at least one pair */
  cohorts: number
  /** the pooled mean change (REML intercept of change ~ 1) with nlme's df */
  pooled: RandomInterceptFixedEffect | null
  /** τ², the variance of the cohorts' true mean changes */
  betweenVariance: number | null
  /** σ², the variance of change within a cohort */
  withinVariance: number | null
  /** τ² / (τ² + σ²): how alike two members of one cohort are, relative to two members of different cohorts */
  icc: number | null
  /** 1 + (m̄ − 1)·ICC with m̄ = n / cohorts (Kish 1965): by how much nesting inflates the variance of a mean */
  designEffect: number | null
  /** true when τ² is estimated as 0 (the cohorts do not differ more than chance) */
  boundary: boolean
  /** change ~ attended: the change per session attended, with the model's intercept (change at 0 sessions) */
  attendance: { perSession: RandomInterceptFixedEffect; intercept: RandomInterceptFixedEffect; betweenVariance: number; withinVariance: number } | null
  cohortEstimates: CohortEstimate[]
  /** why a figure is null */
  unavailable: Record<string, string>
  /** figures to read with care */
  warnings: Record<string, string>
}

export type PooledReport = {
  study: { id: string; name: string }
  from: WaveKind
  to: WaveKind
  generatedAt: string
  /** every cohort of the study, and why one is left out */
  cohorts: { id: string; name: string; included: boolean; reason: string | null }[]
  scales: PooledScale[]
  /** one row per participant with a change, for the exported R script: pseudonymous code only */
  rows: { cohortId: string; cohort: string; code: string; instrument: string; scale: string; change: number; attended: number }[]
}

/** Fewer cohorts than this give a between-cohort variance with very few degrees of freedom. */
const FEW_COHORTS = 5

/**
 * The pooled, nested report of a study's cohorts from one wave to another.
 *
 * @throws {ApiError} not_found for an unknown study; validation_failed when from = to
 */
export async function pooledStudyReport(deps: Deps, studyId: string, waves: { from: WaveKind; to: WaveKind }): Promise<PooledReport> {
  const study = await findStudy(deps.db, studyId)
  if (!study) throw new ApiError('not_found', 'No such study.')
  if (waves.from === waves.to) throw new ApiError('validation_failed', 'to: must be a different wave from "from"', [{ field: 'to', message: 'must differ from "from"' }])

  const cohorts = await listCohorts(deps.db, studyId)
  const reports: { id: string; name: string; report: CohortReport }[] = []
  const listed: PooledReport['cohorts'] = []
  for (const cohort of cohorts) {
    try {
      reports.push({ id: cohort.id, name: cohort.name, report: await cohortReport(deps, cohort.id, waves) })
      listed.push({ id: cohort.id, name: cohort.name, included: true, reason: null })
    } catch (error) {
      // A cohort without one of the two waves has nothing to pool; say so rather than fail.
      if (error instanceof ApiError && error.code === 'not_found') listed.push({ id: cohort.id, name: cohort.name, included: false, reason: error.message })
      else throw error
    }
  }

  // Scales in the order they first appear; one row per participant and scale with a change.
  const rows: PooledReport['rows'] = []
  const scaleInfo = new Map<string, CohortReport['scales'][number]>()
  for (const { id, name, report } of reports) {
    for (const s of report.scales) if (!scaleInfo.has(`${s.instrument}/${s.scale}`)) scaleInfo.set(`${s.instrument}/${s.scale}`, s)
    for (const p of report.participants) {
      for (const s of p.scales) if (s.change !== null) rows.push({ cohortId: id, cohort: name, code: p.code, instrument: s.instrument, scale: s.scale, change: s.change, attended: p.attended })
    }
  }

  const scales: PooledScale[] = []
  // Grouped once, not filtered per scale and cohort (issue 16: scales × cohorts passes over every row).
  const rowsOfScale = groupBy(rows, (r) => `${r.instrument}/${r.scale}`)
  for (const [key, info] of scaleInfo) {
    const data = rowsOfScale.get(key) ?? []
    const unavailable: Record<string, string> = {}
    const warnings: Record<string, string> = {}
    const changesOf = groupBy(data, (r) => r.cohortId)
    const cohortIds = [...changesOf.keys()]
    const cohortEstimates: CohortEstimate[] = reports
      .filter(({ id }) => changesOf.has(id))
      .map(({ id, name }) => {
        const changes = changesOf.get(id)!.map((r) => r.change)
        const sd = changes.length > 1 ? sampleSd(changes) : null
        const m = mean(changes)
        const half = sd !== null && sd > 0 ? tQuantile(0.975, changes.length - 1) * (sd / Math.sqrt(changes.length)) : null
        return { cohortId: id, cohortName: name, n: changes.length, mean: m, sd, ci95: half === null ? null : [m - half, m + half], predicted: null }
      })

    let pooled: PooledScale['pooled'] = null
    let fit: ReturnType<typeof randomInterceptReml> | null = null
    try {
      fit = randomInterceptReml(
        data.map((r) => r.change),
        data.map((r) => r.cohortId),
      )
      pooled = fit.fixed[0]!
      fit.groupCoefficients.forEach((g) => {
        const estimate = cohortEstimates.find((c) => c.cohortId === g.group)
        if (estimate) estimate.predicted = g.intercept
      })
    } catch (error) {
      if (!(error instanceof RangeError)) throw error
      unavailable.pooled = error.message
    }

    let attendance: PooledScale['attendance'] = null
    try {
      const withAttendance = randomInterceptReml(
        data.map((r) => r.change),
        data.map((r) => r.cohortId),
        { attended: data.map((r) => r.attended) },
      )
      attendance = { intercept: withAttendance.fixed[0]!, perSession: withAttendance.fixed[1]!, betweenVariance: withAttendance.betweenVariance, withinVariance: withAttendance.withinVariance }
    } catch (error) {
      if (!(error instanceof RangeError)) throw error
      unavailable.attendance = error.message
    }

    const averageSize = cohortIds.length > 0 ? data.length / cohortIds.length : 0
    if (fit && cohortIds.length < FEW_COHORTS) {
      warnings.betweenVariance = `only ${cohortIds.length} cohorts: the between-cohort variance and the ICC rest on ${cohortIds.length - 1} degree${cohortIds.length === 2 ? '' : 's'} of freedom and are very imprecise`
    }
    if (fit?.boundary) warnings.boundary = 'the between-cohort variance is estimated as 0: the cohorts differ no more than chance would make them (nlme reports a tiny positive value instead)'
    if (data.length < SMALL_SAMPLE) warnings.n = `only ${data.length} participants with both scores: with fewer than ${SMALL_SAMPLE}, confidence intervals are too wide to mean much`

    scales.push({
      instrument: info.instrument,
      instrumentTitle: info.instrumentTitle,
      scale: info.scale,
      label: info.label,
      direction: info.direction,
      n: data.length,
      cohorts: cohortIds.length,
      pooled,
      betweenVariance: fit?.betweenVariance ?? null,
      withinVariance: fit?.withinVariance ?? null,
      icc: fit?.icc ?? null,
      designEffect: fit ? 1 + (averageSize - 1) * fit.icc : null,
      boundary: fit?.boundary ?? false,
      attendance,
      cohortEstimates,
      unavailable,
      warnings,
    })
  }

  return { study: { id: study.id, name: study.name }, from: waves.from, to: waves.to, generatedAt: deps.now().toISOString(), cohorts: listed, scales, rows }
}
