/** Safety flags of a study: the Safety view, acknowledgements and the study's safety settings. Researchers only. */
import { Hono } from 'hono'
import { z } from 'zod'
import { acknowledgeBody, safetySettingsBody } from '../contracts/safety'
import { requireStudyRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import { acknowledgeSafetyFlag, safetyView, updateSafetySettings } from '../domain/participation/safety'
import { staffOf, type StaffEnv } from '../http/auth'
import { jsonBody, pathParams } from '../http/validate'

const idParam = z.object({ id: z.string().min(1).max(64) })
const flagParams = z.object({ id: z.string().min(1).max(64), responseId: z.string().min(1).max(64), flagId: z.string().min(1).max(100) })

export function safetyRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/studies/:id/safety', pathParams(idParam), async (c) => {
      const { study } = await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      return c.json(await safetyView(deps, study.id), 200)
    })
    .put('/studies/:id/safety/settings', pathParams(idParam), jsonBody(safetySettingsBody), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      return c.json(await updateSafetySettings(deps, study.id, c.req.valid('json'), user.id), 200)
    })
    .post('/studies/:id/safety/flags/:responseId/:flagId/acknowledge', pathParams(flagParams), jsonBody(acknowledgeBody), async (c) => {
      const { user } = staffOf(c)
      const params = c.req.valid('param')
      const { study } = await requireStudyRole(deps, user, params.id, ['researcher'])
      return c.json(await acknowledgeSafetyFlag(deps, study.id, { responseId: params.responseId, flagId: params.flagId, action: c.req.valid('json').action }, user.id), 200)
    })
}
