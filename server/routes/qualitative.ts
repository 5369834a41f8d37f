/**
 * The qualitative analyses over HTTP: Table 2 (JSON, CSV, Markdown), code frequencies by
 * participant, saturation, inter-coder agreement with the disagreements to resolve, the joint
 * display of a cohort, the REFI-QDA exports (.qdpx project, .qdc codebook) and imports (.qdc or
 * CSV codebook, .qdpx project), and the interviewer's notes and member-check answers to read.
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
import { importCodebookCsv, importQdc, importQdpx } from '../domain/qualitative/qda-import'
import { notesCsv, studyNotes } from '../domain/qualitative/notes'
import { codedSegments, retrieveSegments, searchStudyTranscripts, segmentsCsv, type SegmentQuery } from '../domain/qualitative/retrieval'
import { ApiError } from '../domain/errors'
import { studyAgreement, studySaturation } from '../domain/qualitative/analyses'
import { codeFrequenciesCsv, studyCodeFrequencies, studyTable2, table2Csv, table2Markdown } from '../domain/qualitative/table2'
import { staffOf, type StaffEnv } from '../http/auth'
import { bodyLimitOf } from '../http/body-limit'
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

const segmentsQuery = z.object({
  code: id.optional(),
  /** "false": the code's own segments only, not those of the codes below it. */
  children: z.enum(['true', 'false']).optional(),
  role: z.string().trim().min(1).max(200).optional(),
  change: z.enum(['improved', 'not_improved', 'no_pair']).optional(),
  instrument: z.string().min(1).max(100).optional(),
  scale: z.string().min(1).max(100).optional(),
  q: z.string().trim().max(200).optional(),
})

/** The query string as the retrieval takes it: `children` a boolean (true unless "false"). */
const segmentQuery = ({ children, ...query }: z.infer<typeof segmentsQuery>): SegmentQuery => ({ ...query, children: children !== 'false' })

const researcherOnly = ['researcher'] as const

/**
 * The largest .qdpx upload: the ZIP of a project whose project.qde and sources unpack to at most
 * 50 MB (refi-import.ts refuses more while unzipping); compressed, it is smaller than that.
 */
const maxProjectUploadBytes = 50 * 1024 * 1024

/** The .qdpx import's route, under /api: app.ts keeps it out of the global body limit by this path. */
export const projectImportPath = '/cohorts/:id/import.qdpx'

/** A file to download: never cached, since it holds what participants said. */
function download(file: QdaFile, disposition: 'attachment' | 'inline') {
  return {
    'content-type': file.contentType,
    'content-disposition': `${disposition}; filename="${file.fileName}"`,
    'cache-control': 'no-store',
  }
}

/**
 * An uploaded file's text. The body is the file itself (not JSON), read as UTF-8: bytes that are not
 * UTF-8 are refused rather than decoded into replacement characters that would shift every offset;
 * a NUL character is refused too (422 on `file`).
 */
async function uploadedText(body: ArrayBuffer): Promise<string> {
  if (body.byteLength === 0) throw new ApiError('validation_failed', 'file: the request body is empty; send the file as the body', [{ field: 'file', message: 'is empty' }])
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    throw new ApiError('validation_failed', 'file: is not UTF-8 text', [{ field: 'file', message: 'is not UTF-8 text' }])
  }
  // No code name or description holds a NUL, and PostgreSQL's text cannot store one (as JSON bodies).
  if (text.includes('\u0000')) throw new ApiError('validation_failed', 'file: must not contain the NUL character (U+0000)', [{ field: 'file', message: 'must not contain the NUL character (U+0000)' }])
  return text
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
    // Imports: the body is the file. A codebook goes into the study; a project into one cohort.
    .post('/studies/:id/codebook/import', pathParams(idParam), queryParams(z.object({ format: z.enum(['qdc', 'csv']) })), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, researcherOnly)
      const text = await uploadedText(await c.req.arrayBuffer())
      const report = c.req.valid('query').format === 'qdc' ? await importQdc(deps, study.id, text, `staff:${user.id}`) : await importCodebookCsv(deps, study.id, text, `staff:${user.id}`)
      return c.json(report, 200)
    })
    .post(
      projectImportPath,
      pathParams(idParam),
      // The researcher's role before the body's limit: only then may a body of up to 50 MiB be read
      // (app.ts keeps every other request, and this one until here, from reading any).
      async (c, next) => {
        await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
        await next()
      },
      bodyLimitOf(maxProjectUploadBytes),
      async (c) => {
        const { user } = staffOf(c)
        const { cohort } = await requireCohortRole(deps, user, c.req.valid('param').id, researcherOnly)
        const body = new Uint8Array(await c.req.arrayBuffer())
        if (body.byteLength === 0) throw new ApiError('validation_failed', 'file: the request body is empty; send the .qdpx as the body', [{ field: 'file', message: 'is empty' }])
        return c.json(await importQdpx(deps, cohort.id, body, user), 200)
      },
    )
    // The interviewer's notes and the participants' member-check answers, per transcript.
    .get('/studies/:id/notes', pathParams(idParam), queryParams(z.object({ transcript: id.optional() })), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      return c.json(await studyNotes(deps, study.id, { transcriptId: c.req.valid('query').transcript }), 200)
    })
    .get('/studies/:id/notes.csv', pathParams(idParam), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      return c.body(notesCsv(await studyNotes(deps, study.id)), 200, { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store' })
    })
    // Retrieval: the passages coded with a code and its children, across transcripts; text search.
    .get('/studies/:id/segments', pathParams(idParam), queryParams(segmentsQuery), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      // The role filter's choices come along, whatever the filter: the page needs no second request.
      return c.json(await retrieveSegments(deps, study.id, segmentQuery(c.req.valid('query'))), 200)
    })
    .get('/studies/:id/segments.csv', pathParams(idParam), queryParams(segmentsQuery), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      const segments = await codedSegments(deps, study.id, segmentQuery(c.req.valid('query')))
      return c.body(segmentsCsv(segments), 200, { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store' })
    })
    .get('/studies/:id/search', pathParams(idParam), queryParams(z.object({ q: z.string().trim().min(1, 'give words to search for').max(200) })), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, researcherOnly)
      return c.json(await searchStudyTranscripts(deps, study.id, c.req.valid('query').q), 200)
    })
    .get('/studies/:id/codebook.qdc', pathParams(idParam), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, researcherOnly)
      const file = await exportStudyQdc(deps, study.id, { actor: `staff:${user.id}`, destination: 'download' })
      return c.body(new TextDecoder().decode(file.bytes), 200, download(file, 'attachment'))
    })
}
