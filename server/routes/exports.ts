/**
 * Researcher exports: the long and wide CSV, the data dictionary and the R script of a cohort, each a
 * download of its own. Researchers only: these files hold every participant's answers.
 */
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { z } from 'zod'
import { requireCohortRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import { exportFileNames, exportFiles, exportSlug, recordExportDownload } from '../domain/outcomes/exports'
import { staffOf, type StaffEnv } from '../http/auth'
import { pathParams, queryParams } from '../http/validate'
import { utf8Bom } from '../domain/formats/csv'

const exportParams = z.object({ id: z.string().min(1).max(64), file: z.enum(exportFileNames) })

export function exportRoutes(deps: Deps) {
  // ?bom=1: UTF-8 with a byte-order mark, so Excel reads Persian and accented text as UTF-8.
  return new Hono<StaffEnv>().get('/cohorts/:id/exports/:file', pathParams(exportParams), queryParams(z.object({ bom: z.enum(['0', '1']).default('0') })), async (c) => {
    const { user } = staffOf(c)
    const params = c.req.valid('param')
    const bom = c.req.valid('query').bom === '1' && params.file.endsWith('.csv')
    const { cohort } = await requireCohortRole(deps, user, params.id, ['researcher'])
    const file = (await exportFiles(deps, cohort.id)).find((f) => f.name === params.file)!
    // Written before the first byte leaves: a download that fails half-way was still a download.
    await recordExportDownload(deps, cohort.id, file.name, `staff:${user.id}`)

    c.header('Content-Type', file.contentType)
    c.header('Content-Disposition', `attachment; filename="${exportSlug(cohort)}_${file.name}"`)
    // Personal data: no browser or proxy keeps a copy.
    c.header('Cache-Control', 'no-store')
    return stream(
      c,
      async (out) => {
        if (bom) await out.write(utf8Bom)
        for await (const chunk of file.generate()) {
          // The browser went away: stop reading the database.
          if (out.aborted) break
          await out.write(chunk)
        }
      },
      // The status line has gone already; all that is left is to log why the file is cut short.
      async (error) => console.error(`export ${file.name} of cohort ${cohort.id} failed:`, error),
    )
  })
}
