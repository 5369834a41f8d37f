/**
 * Reports. Researchers see everything; program leads see cohort aggregates with small cells
 * suppressed, never a participant.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { requireCohortRole, requireStudyRole } from '../domain/access'
import type { Deps } from '../domain/deps'
import { aggregateReport, cohortReport, participantReport } from '../domain/report'
import { findParticipant } from '../db/repositories/participants'
import { findCohort } from '../db/repositories/studies'
import { staffOf, type StaffEnv } from '../http/auth'
import { ApiError, parseOr422 } from '../http/errors'
import { pathParams } from '../http/validate'

const waveKind = z.enum(['pre', 'post', 'follow-up'])
const reportQuery = z.object({ from: waveKind.default('pre'), to: waveKind.default('post') })
const idParam = z.object({ id: z.string().min(1).max(64) })

export function reportRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/cohorts/:id/report', pathParams(idParam), async (c) => {
      const staff = staffOf(c)
      const { cohort, study, roles } = await requireCohortRole(deps, staff.user, c.req.valid('param').id, ['researcher', 'program_lead'])
      const query = parseOr422(reportQuery, c.req.query())
      const report = await cohortReport(deps, cohort.id, query)
      if (roles.includes('researcher')) return c.json({ ...report, view: 'researcher' as const }, 200)
      return c.json({ ...aggregateReport(report, study.minCellSize), view: 'aggregate' as const }, 200)
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
