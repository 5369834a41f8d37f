/** Studies, their settings and their staff; cohorts are created within a study. */
import { Hono } from 'hono'
import { z } from 'zod'
import { createCohortBody, createStaffUserBody, createStudyBody, grantRoleBody, staffRole, studySettingsBody } from '../contracts/staff'
import { grantRole, listRolesInStudy, listRolesOfUser, listStaffUsers, revokeRole } from '../db/repositories/staff'
import { listCohorts, listStudies, listStudyWaveKinds } from '../db/repositories/studies'
import { insertAudit } from '../db/repositories/audit'
import { grantStudyRole, requireStudyRole } from '../domain/staff/access'
import { createStaffUser } from '../domain/staff/auth'
import type { Deps } from '../domain/deps'
import { createCohort, createStudy, updateStudySettings } from '../domain/staff/setup'
import { createDemo } from '../domain/demo/study'
import { participantLink } from '../domain/participation/tokens'
import { staffOf, type StaffEnv } from '../http/auth'
import { ApiError } from '../domain/errors'
import { jsonBody, pathParams } from '../http/validate'

const idParam = z.object({ id: z.string().min(1).max(64) })
const anyRole = ['researcher', 'program_lead', 'group_leader', 'interviewer'] as const

function requireAdmin(isAdmin: boolean) {
  if (!isAdmin) throw new ApiError('forbidden', 'Only an administrator can do this.')
}

export function studyRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/studies', async (c) => {
      const { user } = staffOf(c)
      const roles = await listRolesOfUser(deps.db, user.id)
      const studies = (await listStudies(deps.db)).filter((s) => roles.some((r) => r.studyId === s.id))
      return c.json(studies.map((s) => ({ id: s.id, name: s.name, roles: roles.filter((r) => r.studyId === s.id).map((r) => r.role) })), 200)
    })
    .post('/studies', jsonBody(createStudyBody), async (c) => {
      const { user } = staffOf(c)
      requireAdmin(user.isAdmin)
      const study = await createStudy(deps, c.req.valid('json'), `staff:${user.id}`)
      // Whoever creates a study leads its research.
      await grantRole(deps.db, { studyId: study.id, userId: user.id, role: 'researcher' }, deps.now())
      return c.json(study, 201)
    })
    .get('/studies/:id', pathParams(idParam), async (c) => {
      const { user } = staffOf(c)
      const { study, roles } = await requireStudyRole(deps, user, c.req.valid('param').id, anyRole)
      const [cohorts, waveKinds] = await Promise.all([listCohorts(deps.db, study.id), listStudyWaveKinds(deps.db, study.id)])
      // The kinds of wave its cohorts have: what the study-wide report can compare.
      return c.json({ ...study, roles, cohorts, waveKinds }, 200)
    })
    .patch('/studies/:id', pathParams(idParam), jsonBody(studySettingsBody), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      return c.json(await updateStudySettings(deps, study.id, c.req.valid('json'), `staff:${user.id}`), 200)
    })
    .post('/studies/:id/cohorts', pathParams(idParam), jsonBody(createCohortBody), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      const body = c.req.valid('json')
      const cohort = await createCohort(
        deps,
        { studyId: study.id, name: body.name, leader: body.leader, coLeaders: body.coLeaders, firstSession: body.firstSession, sessions: body.sessions },
        `staff:${user.id}`,
      )
      return c.json(cohort, 201)
    })
    .get('/studies/:id/staff', pathParams(idParam), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      const users = new Map((await listStaffUsers(deps.db)).map((u) => [u.id, u]))
      const roles = await listRolesInStudy(deps.db, study.id)
      return c.json(roles.map((r) => ({ userId: r.userId, email: users.get(r.userId)?.email ?? '', name: users.get(r.userId)?.name ?? '', role: r.role })), 200)
    })
    .post('/studies/:id/staff', pathParams(idParam), jsonBody(grantRoleBody), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      const body = c.req.valid('json')
      return c.json(await grantStudyRole(deps, { studyId: study.id, email: body.email, role: body.role }, `staff:${user.id}`), 201)
    })
    .delete('/studies/:id/staff/:userId/:role', pathParams(z.object({ id: z.string(), userId: z.string(), role: staffRole })), async (c) => {
      const { user } = staffOf(c)
      const params = c.req.valid('param')
      const { study } = await requireStudyRole(deps, user, params.id, ['researcher'])
      if (params.userId === user.id && params.role === 'researcher') throw new ApiError('conflict', 'You cannot remove your own researcher role.')
      // Revoking a role nobody holds changes nothing: a 404, and nothing in the audit log.
      if (!(await revokeRole(deps.db, { studyId: study.id, userId: params.userId, role: params.role }))) throw new ApiError('not_found', 'This person does not hold this role in this study.')
      await insertAudit(deps.db, { actor: `staff:${user.id}`, action: 'role.revoke', entity: 'study', entityId: study.id, details: { userId: params.userId, role: params.role } }, deps.now())
      return c.json({ ok: true }, 200)
    })
    // First run: a demo study with invented, completed data, so a newcomer sees real reports at once.
    .post('/demo', async (c) => {
      const { user } = staffOf(c)
      requireAdmin(user.isAdmin)
      const demo = await createDemo(deps, `staff:${user.id}`)
      await grantRole(deps.db, { studyId: demo.study.id, userId: user.id, role: 'researcher' }, deps.now())
      // The links of the cohort to try are shown this once, like any new links.
      const origin = c.get('client').baseUrl
      return c.json(
        { studyId: demo.study.id, completedCohortId: demo.completedCohort.id, cohortId: demo.cohort.id, participants: demo.participants.map((p) => ({ id: p.id, code: p.code, link: participantLink(origin, p.token) })) },
        201,
      )
    })
    .get('/staff-users', async (c) => {
      requireAdmin(staffOf(c).user.isAdmin)
      return c.json(await listStaffUsers(deps.db), 200)
    })
    .post('/staff-users', jsonBody(createStaffUserBody), async (c) => {
      const { user } = staffOf(c)
      requireAdmin(user.isAdmin)
      return c.json(await createStaffUser(deps, c.req.valid('json'), `staff:${user.id}`), 201)
    })
}

