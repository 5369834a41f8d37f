/** A cohort's set-up and running: participants and their links, waves, group sessions, attendance, tracking. */
import { Hono } from 'hono'
import type { Context } from 'hono'
import { z } from 'zod'
import { addParticipantsBody, attendanceBody, waveBody } from '../contracts/staff'
import { findGroupSession, listGroupSessions, listWaves } from '../db/repositories/studies'
import { requireCohortRole, requireParticipantRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import { addParticipants, attendanceSheet, recordAttendance, reissueLink, revokeLink, setWave } from '../domain/staff/setup'
import { participantLink } from '../domain/participation/tokens'
import { cohortTracking } from '../domain/outcomes/tracking'
import { plainText } from '../domain/instruments/text'
import { waveWarnings } from '../domain/staff/wave-checks'
import { staffOf, type StaffEnv } from '../http/auth'
import { ApiError } from '../domain/errors'
import { jsonBody, pathParams } from '../http/validate'

const idParam = z.object({ id: z.string().min(1).max(64) })
const waveParams = z.object({ id: z.string().min(1).max(64), kind: z.enum(['pre', 'post', 'follow-up']) })
const anyRole = ['researcher', 'program_lead', 'group_leader', 'interviewer'] as const

/** Links point at BALINT_BASE_URL, the address participants use, never at how this request reached us. */
const origin = (c: Context<StaffEnv>) => c.get('client').baseUrl

export function cohortRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/instruments', (c) => {
      staffOf(c)
      const list = deps.instruments.list().map((i) => ({
        id: i.id,
        version: i.version,
        kind: i.kind,
        title: plainText(i.title),
        licence: i.licence.name,
        /** The languages its texts exist in, and where each translation comes from. */
        languages: i.languages,
        translations: (i.translations ?? []).map((t) => ({ language: t.language, source: t.source, validated: t.validated })),
        scales: i.kind === 'questionnaire' ? i.scoring.scales.map((s) => ({ id: s.id, label: plainText(s.label), direction: s.direction, range: s.range })) : [],
      }))
      return c.json(list, 200)
    })
    .get('/cohorts/:id', pathParams(idParam), async (c) => {
      const { cohort, study, roles } = await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, anyRole)
      const [sessions, waves] = await Promise.all([listGroupSessions(deps.db, cohort.id), listWaves(deps.db, cohort.id)])
      return c.json(
        {
          ...cohort,
          study: { id: study.id, name: study.name, minCellSize: study.minCellSize, language: study.language, timeZone: study.timeZone },
          roles,
          sessions,
          // Why a wave's dates are unusual for the group sessions (wave-checks.ts), shown beside it in set-up.
          waves: waves.map((w) => ({ ...w, warnings: waveWarnings(w, sessions, study.timeZone) })),
        },
        200,
      )
    })
    .get('/cohorts/:id/tracking', pathParams(idParam), async (c) => {
      const { cohort } = await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      return c.json(await cohortTracking(deps, cohort.id), 200)
    })
    .post('/cohorts/:id/participants', pathParams(idParam), jsonBody(addParticipantsBody), async (c) => {
      const { user } = staffOf(c)
      const { cohort } = await requireCohortRole(deps, user, c.req.valid('param').id, ['researcher'])
      const created = await addParticipants(deps, { cohortId: cohort.id, count: c.req.valid('json').count }, `staff:${user.id}`)
      // Links are shown now and never again: only their hashes are stored.
      return c.json(created.map((p) => ({ id: p.id, code: p.code, link: participantLink(origin(c), p.token) })), 201)
    })
    .put('/cohorts/:id/waves/:kind', pathParams(waveParams), jsonBody(waveBody), async (c) => {
      const { user } = staffOf(c)
      const params = c.req.valid('param')
      const { cohort } = await requireCohortRole(deps, user, params.id, ['researcher'])
      return c.json(await setWave(deps, { cohortId: cohort.id, kind: params.kind, ...c.req.valid('json') }, `staff:${user.id}`), 200)
    })
    .get('/cohorts/:id/sessions', pathParams(idParam), async (c) => {
      const { cohort } = await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher', 'group_leader'])
      // Codes only: a group leader marks attendance and sees nothing of anyone's answers. Withdrawn
      // participants are listed as such, with the sessions they can no longer be marked at.
      return c.json(await attendanceSheet(deps, cohort.id), 200)
    })
    .put('/sessions/:id/attendance', pathParams(idParam), jsonBody(attendanceBody), async (c) => {
      const { user } = staffOf(c)
      const session = await findGroupSession(deps.db, c.req.valid('param').id)
      if (!session) throw new ApiError('not_found', 'No such group session.')
      try {
        await requireCohortRole(deps, user, session.cohortId, ['researcher', 'group_leader'])
      } catch (error) {
        // Outside the study the session does not exist: the same 404 as for an unknown id.
        if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', 'No such group session.')
        throw error
      }
      await recordAttendance(deps, session.id, c.req.valid('json').attendance, `staff:${user.id}`)
      return c.json({ ok: true }, 200)
    })
    .post('/participants/:id/link', pathParams(idParam), async (c) => {
      const { participant } = await requireParticipantRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      const { code, token } = await reissueLink(deps, participant.id, `staff:${staffOf(c).user.id}`)
      return c.json({ id: participant.id, code, link: participantLink(origin(c), token) }, 201)
    })
    .delete('/participants/:id/link', pathParams(idParam), async (c) => {
      const { participant } = await requireParticipantRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      await revokeLink(deps, participant.id, `staff:${staffOf(c).user.id}`)
      return c.json({ ok: true }, 200)
    })
}
