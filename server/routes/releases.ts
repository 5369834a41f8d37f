/**
 * Program-lead releases. Researchers preview and release a cohort's program-lead report; program
 * leads list and read released snapshots only — never a live query, never a choice of waves.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { requireCohortRole, requireStudyRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import { listReleases, listStudyWideReleases, previewRelease, previewStudyRelease, readRelease, releaseCohort, releaseStudy, setStudyPolicy, studyPolicy } from '../domain/outcomes/release'
import { releaseCsv, releaseMarkdown } from '../domain/outcomes/release-format'
import { policyFloor } from '../domain/outcomes/disclosure'
import { disclosurePolicyBody } from '../contracts/releases'
import { ApiError } from '../domain/errors'
import { staffOf, type StaffEnv } from '../http/auth'
import { jsonBody, pathParams, queryParams } from '../http/validate'

const idParam = z.object({ id: z.string().min(1).max(64) })
const format = z.object({ format: z.enum(['json', 'csv', 'md']).default('json') })

export function releaseRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/studies/:id/disclosure-policy', pathParams(idParam), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher', 'program_lead'])
      return c.json({ policy: await studyPolicy(deps, study), floor: policyFloor }, 200)
    })
    .put('/studies/:id/disclosure-policy', pathParams(idParam), jsonBody(disclosurePolicyBody), async (c) => {
      const user = staffOf(c).user
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      return c.json({ policy: await setStudyPolicy(deps, study, c.req.valid('json'), user), floor: policyFloor }, 200)
    })
    .get('/cohorts/:id/releases', pathParams(idParam), async (c) => {
      const { cohort } = await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher', 'program_lead'])
      return c.json(await listReleases(deps, cohort.id), 200)
    })
    .get('/cohorts/:id/release-preview', pathParams(idParam), async (c) => {
      const { cohort } = await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      return c.json(await previewRelease(deps, cohort.id), 200)
    })
    .post('/cohorts/:id/releases', pathParams(idParam), async (c) => {
      const user = staffOf(c).user
      const { cohort } = await requireCohortRole(deps, user, c.req.valid('param').id, ['researcher'])
      return c.json(await releaseCohort(deps, cohort.id, { id: user.id, name: user.name }), 201)
    })
    // Study-wide releases (all cohorts together, issue 17): made and checked like a cohort's, against
    // every release of the study; program leads list and read them as they do a cohort's.
    .get('/studies/:id/releases', pathParams(idParam), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher', 'program_lead'])
      return c.json(await listStudyWideReleases(deps, study.id), 200)
    })
    .get('/studies/:id/release-preview', pathParams(idParam), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      return c.json(await previewStudyRelease(deps, study.id), 200)
    })
    .post('/studies/:id/releases', pathParams(idParam), async (c) => {
      const user = staffOf(c).user
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      return c.json(await releaseStudy(deps, study.id, { id: user.id, name: user.name }), 201)
    })
    .get('/releases/:id', pathParams(idParam), queryParams(format), async (c) => {
      const user = staffOf(c).user
      const release = await readRelease(deps, c.req.valid('param').id).catch(() => null)
      if (!release) throw new ApiError('not_found', 'No such release.')
      try {
        if (release.cohortId === null) await requireStudyRole(deps, user, release.content.study.id, ['researcher', 'program_lead'])
        else await requireCohortRole(deps, user, release.cohortId, ['researcher', 'program_lead'])
      } catch (error) {
        // Outside the study, a release does not exist.
        if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', 'No such release.')
        throw error
      }
      const as = c.req.valid('query').format
      if (as === 'csv') return c.body(releaseCsv(release), 200, { 'content-type': 'text/csv; charset=utf-8' })
      if (as === 'md') return c.body(releaseMarkdown(release), 200, { 'content-type': 'text/markdown; charset=utf-8' })
      return c.json(release, 200)
    })
}
