/**
 * Reports. Researchers see everything, computed live. Program leads never reach these: they read
 * the snapshots researchers release (routes/releases.ts).
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { requireCohortRole, requireStudyRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import { cohortReport, studyReport, type CohortReport } from '../domain/outcomes/report'
import { participantReport } from '../domain/outcomes/own-report'
import { reportCsv, reportMarkdown } from '../domain/outcomes/report-format'
import { pooledStudyReport } from '../domain/outcomes/pooled-report'
import { pooledAnalysisScript } from '../domain/outcomes/pooled-analysis-r'
import { cohortTable1, studyTable1, table1Csv, table1Markdown } from '../domain/outcomes/table1'
import { findParticipant } from '../db/repositories/participants'
import { findCohort } from '../db/repositories/studies'
import { staffOf, type StaffEnv } from '../http/auth'
import { ApiError, parseOr422 } from '../domain/errors'
import { pathParams, queryParams } from '../http/validate'

const waveKind = z.enum(['pre', 'post', 'follow-up'])
const format = z.enum(['json', 'csv', 'md']).default('json')
const reportQuery = z.object({ from: waveKind.default('pre'), to: waveKind.default('post'), format })
const idParam = z.object({ id: z.string().min(1).max(64) })
const pooledQuery = z.object({ from: waveKind.default('pre'), to: waveKind.default('post'), format: z.enum(['json', 'r']).default('json') })

/** The report as served: researchers only (program leads see released snapshots, outcomes/release.ts). */
type ReportView = CohortReport & { view: 'researcher' }
const researcherView = (report: CohortReport): ReportView => ({ ...report, view: 'researcher' })

export function reportRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/cohorts/:id/report', pathParams(idParam), queryParams(reportQuery), async (c) => {
      const staff = staffOf(c)
      const { cohort } = await requireCohortRole(deps, staff.user, c.req.valid('param').id, ['researcher'])
      const query = c.req.valid('query')
      const view = researcherView(await cohortReport(deps, cohort.id, query))
      if (query.format === 'csv') return c.body(reportCsv(view), 200, { 'content-type': 'text/csv; charset=utf-8' })
      if (query.format === 'md') return c.body(reportMarkdown(view), 200, { 'content-type': 'text/markdown; charset=utf-8' })
      return c.json(view, 200)
    })
    .get('/cohorts/:id/table1', pathParams(idParam), queryParams(z.object({ format })), async (c) => {
      const staff = staffOf(c)
      const { cohort } = await requireCohortRole(deps, staff.user, c.req.valid('param').id, ['researcher'])
      const { format: as } = c.req.valid('query')
      const table = await cohortTable1(deps, cohort.id)
      if (as === 'csv') return c.body(table1Csv(table), 200, { 'content-type': 'text/csv; charset=utf-8' })
      if (as === 'md') return c.body(table1Markdown(table), 200, { 'content-type': 'text/markdown; charset=utf-8' })
      return c.json(table, 200)
    })
    // The same report and Table 1 over every cohort of the study at once (issue 17): researchers, live.
    // Program leads read a study-wide release instead (routes/releases.ts).
    .get('/studies/:id/report', pathParams(idParam), queryParams(reportQuery), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      const query = c.req.valid('query')
      const report = await studyReport(deps, study.id, query)
      const view = { ...researcherView(report), cohorts: report.cohorts }
      if (query.format === 'csv') return c.body(reportCsv(view), 200, { 'content-type': 'text/csv; charset=utf-8' })
      if (query.format === 'md') return c.body(reportMarkdown(view), 200, { 'content-type': 'text/markdown; charset=utf-8' })
      return c.json(view, 200)
    })
    .get('/studies/:id/table1', pathParams(idParam), queryParams(z.object({ format })), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      const { format: as } = c.req.valid('query')
      const table = await studyTable1(deps, study.id)
      if (as === 'csv') return c.body(table1Csv(table), 200, { 'content-type': 'text/csv; charset=utf-8' })
      if (as === 'md') return c.body(table1Markdown(table), 200, { 'content-type': 'text/markdown; charset=utf-8' })
      return c.json(table, 200)
    })
    // The pooled report of all the study's cohorts: researchers only (it lists every cohort's own
    // estimate and the script holds each participant's change; program leads get cohort aggregates).
    .get('/studies/:id/pooled-report', pathParams(idParam), queryParams(pooledQuery), async (c) => {
      const staff = staffOf(c)
      const { study } = await requireStudyRole(deps, staff.user, c.req.valid('param').id, ['researcher'])
      const query = c.req.valid('query')
      const report = await pooledStudyReport(deps, study.id, query)
      if (query.format === 'r') return c.body(pooledAnalysisScript(report), 200, { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'attachment; filename="pooled-analysis.R"' })
      return c.json(report, 200)
    })
    .get('/participants/:id/report', pathParams(idParam), async (c) => {
      const staff = staffOf(c)
      const participant = await findParticipant(deps.db, c.req.valid('param').id)
      const cohort = participant && (await findCohort(deps.db, participant.cohortId))
      if (!participant || !cohort) throw new ApiError('not_found', 'No such participant.')
      try {
        await requireStudyRole(deps, staff.user, cohort.studyId, ['researcher'])
      } catch (error) {
        // Outside the study, a participant does not exist.
        if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', 'No such participant.')
        throw error
      }
      return c.json(await participantReport(deps, participant.id), 200)
    })
}
