/**
 * Corrections of stored answers and the audit-log viewer (issue 17). Researchers of the study only;
 * the log of every study is for administrators.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { auditQuery, correctionBody } from '../contracts/staff'
import { findResponseById } from '../db/repositories/responses'
import { requireParticipantRole, requireStudyRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import type { StaffUser } from '../db/repositories/staff'
import { correctAnswer, participantAnswers } from '../domain/participation/corrections'
import { auditLog, auditLogCsv, auditPageSize, type AuditFilter } from '../domain/staff/audit-log'
import { ApiError } from '../domain/errors'
import { staffOf, type StaffEnv } from '../http/auth'
import { jsonBody, pathParams, queryParams } from '../http/validate'

const idParam = z.object({ id: z.string().min(1).max(64) })

function filterOf(query: z.infer<typeof auditQuery>): AuditFilter {
  return { participantId: query.participant, userId: query.user, action: query.action, from: query.from, to: query.to }
}

const allAuditQuery = auditQuery.extend({ study: z.string().min(1).max(64).optional() })
const csvHeaders = { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="audit-log.csv"' }

function requireAdmin(user: StaffUser) {
  if (!user.isAdmin) throw new ApiError('forbidden', 'Only an administrator can read the audit log of every study.')
}

/** A researcher's view of their study's log; a participant filter must name one of the study's participants. */
async function studyAudit(deps: Deps, user: StaffUser, studyId: string, query: z.infer<typeof auditQuery>) {
  const { study } = await requireStudyRole(deps, user, studyId, ['researcher'])
  if (query.participant !== undefined) {
    const { cohort } = await requireParticipantRole(deps, user, query.participant, ['researcher'])
    if (cohort.studyId !== study.id) throw new ApiError('not_found', 'No such participant.')
  }
  return { study, filter: filterOf(query) }
}

export function correctionRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/participants/:id/answers', pathParams(idParam), async (c) => {
      const { participant } = await requireParticipantRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      return c.json({ participant: { id: participant.id, code: participant.code, cohortId: participant.cohortId }, responses: await participantAnswers(deps, participant.id, participant.cohortId) }, 200)
    })
    .post('/responses/:id/corrections', pathParams(idParam), jsonBody(correctionBody), async (c) => {
      const { user } = staffOf(c)
      const response = await findResponseById(deps.db, c.req.valid('param').id)
      if (!response) throw new ApiError('not_found', 'No such response.')
      try {
        await requireParticipantRole(deps, user, response.participantId, ['researcher'])
      } catch (error) {
        if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', 'No such response.')
        throw error
      }
      return c.json(await correctAnswer(deps, { responseId: response.id, ...c.req.valid('json') }, `staff:${user.id}`), 201)
    })
    .get('/studies/:id/audit', pathParams(idParam), queryParams(auditQuery), async (c) => {
      const { study, filter } = await studyAudit(deps, staffOf(c).user, c.req.valid('param').id, c.req.valid('query'))
      return c.json(await auditLog(deps, study.id, filter, { timeZone: study.timeZone, limit: auditPageSize }), 200)
    })
    .get('/studies/:id/audit.csv', pathParams(idParam), queryParams(auditQuery), async (c) => {
      const { study, filter } = await studyAudit(deps, staffOf(c).user, c.req.valid('param').id, c.req.valid('query'))
      return c.body(auditLogCsv(await auditLog(deps, study.id, filter, { timeZone: study.timeZone, limit: null })), 200, csvHeaders)
    })
    .get('/audit', queryParams(allAuditQuery), async (c) => {
      requireAdmin(staffOf(c).user)
      const query = c.req.valid('query')
      return c.json(await auditLog(deps, query.study ?? null, filterOf(query), { limit: auditPageSize }), 200)
    })
    .get('/audit.csv', queryParams(allAuditQuery), async (c) => {
      requireAdmin(staffOf(c).user)
      const query = c.req.valid('query')
      return c.body(auditLogCsv(await auditLog(deps, query.study ?? null, filterOf(query), { timeZone: 'UTC', limit: null })), 200, csvHeaders)
    })
}
