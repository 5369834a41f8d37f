/**
 * The qualitative analyses over HTTP: Table 2 (JSON, CSV, Markdown), code frequencies by
 * participant, saturation, inter-coder agreement with the disagreements to resolve, the joint
 * display of a cohort, and the REFI-QDA exports (.qdpx project, .qdc codebook).
 *
 * Researchers only: these hold what participants said and, in the joint display, their scores.
 * Program leads, group leaders and interviewers of the study are refused (403); anything of a study
 * the user has no role in is "not found" (404), with the same body as an id that does not exist.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { requireCohortRole, requireStudyRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import { cohortJointDisplay } from '../domain/qualitative/joint-display'
import { exportCohortQdpx, exportStudyQdc, type QdaFile } from '../domain/qualitative/qda-export'
import { studyAgreement, studySaturation } from '../domain/qualitative/analyses'
import { codeFrequenciesCsv, studyCodeFrequencies, studyTable2, table2Csv, table2Markdown } from '../domain/qualitative/table2'
import { staffOf, type StaffEnv } from '../http/auth'
import { pathParams, queryParams } from '../http/validate'

const id = z.string().min(1).max(64)
const idParam = z.object({ id })
const waveKind = z.enum(['pre', 'post', 'follow-up'])

/** A whole number of interviews from the query string: "4" → 4; "4.5", "-1", "four" are refused. */
const interviews = (fallback: number) => z.coerce.number<string>().int('must be a whole number of interviews').min(1, 'must be at least 1').default(fallback)

const saturationQuery = z.object({
  base: interviews(4),
  run: interviews(2),
  // A proportion, as Guest, Namey & Chen give it: 0.05 is "≤ 5% new information".
  threshold: z.coerce.number<string>().min(0, 'must be a proportion from 0 to 1').max(1, 'must be a proportion from 0 to 1').default(0.05),
})

const agreementQuery = z.object({ coderA: id, coderB: id, unit: z.enum(['sentence', 'turn']).default('sentence') })

const jointDisplayQuery = z.object({ instrument: z.string().min(1).max(100).optional(), scale: z.string().min(1).max(100).optional(), from: waveKind.default('pre'), to: waveKind.default('post') })

const researcherOnly = ['researcher'] as const

/** A file to download: never cached, since it holds what participants said. */
function download(file: QdaFile, disposition: 'attachment' | 'inline') {
  return {
    'content-type': file.contentType,
    'content-disposition': `${disposition}; filename="${file.fileName}"`,
    'cache-control': 'no-store',
  }
}

export function qualitativeRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/studies/:id/table2', pathParams(idParam), queryParams(z.object({ format: z.enum(['json', 'csv', 'md']).default('json') })), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      const table = await studyTable2(deps, study.id)
      const { format } = c.req.valid('query')
      if (format === 'csv') return c.body(table2Csv(table), 200, { 'content-type': 'text/csv; charset=utf-8' })
      if (format === 'md') return c.body(table2Markdown(table), 200, { 'content-type': 'text/markdown; charset=utf-8' })
      return c.json(table, 200)
    })
    .get('/studies/:id/code-frequencies', pathParams(idParam), queryParams(z.object({ coder: id.optional(), format: z.enum(['json', 'csv']).default('json') })), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      const query = c.req.valid('query')
      const table = await studyCodeFrequencies(deps, study.id, { coder: query.coder })
      if (query.format === 'csv') return c.body(codeFrequenciesCsv(table), 200, { 'content-type': 'text/csv; charset=utf-8' })
      return c.json(table, 200)
    })
    .get('/studies/:id/saturation', pathParams(idParam), queryParams(saturationQuery), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      return c.json(await studySaturation(deps, study.id, c.req.valid('query')), 200)
    })
    .get('/studies/:id/agreement', pathParams(idParam), queryParams(agreementQuery), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      return c.json(await studyAgreement(deps, study.id, c.req.valid('query')), 200)
    })
    .get('/cohorts/:id/joint-display', pathParams(idParam), queryParams(jointDisplayQuery), async (c) => {
      const { cohort } = await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      return c.json(await cohortJointDisplay(deps, cohort.id, c.req.valid('query')), 200)
    })
    .get('/cohorts/:id/project.qdpx', pathParams(idParam), async (c) => {
      const { user } = staffOf(c)
      const { cohort } = await requireCohortRole(deps, user, c.req.valid('param').id, researcherOnly)
      const file = await exportCohortQdpx(deps, cohort.id, { actor: `staff:${user.id}`, destination: 'download' })
      // A copy backed by a plain ArrayBuffer, the kind of bytes a Response body takes.
      return c.body(new Uint8Array(file.bytes), 200, download(file, 'attachment'))
    })
    .get('/studies/:id/codebook.qdc', pathParams(idParam), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, researcherOnly)
      const file = await exportStudyQdc(deps, study.id, { actor: `staff:${user.id}`, destination: 'download' })
      return c.body(new TextDecoder().decode(file.bytes), 200, download(file, 'attachment'))
    })
}
