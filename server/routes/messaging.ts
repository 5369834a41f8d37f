/** Invitations and reminders: the study's schedule, participants' contact details, messages to send by hand. Researchers only. */
import { Hono } from 'hono'
import type { Context } from 'hono'
import { z } from 'zod'
import { contactBody, messagingSettingsBody, waveMessageBody } from '../contracts/safety'
import { requireCohortRole, requireParticipantRole, requireStudyRole } from '../domain/staff/access'
import type { Deps } from '../domain/deps'
import { ApiError } from '../domain/errors'
import { messagesView, prepareMessages, updateContact, updateMessagingSettings } from '../domain/messaging/invitations'
import { staffOf, type StaffEnv } from '../http/auth'
import { jsonBody, pathParams } from '../http/validate'

const idParam = z.object({ id: z.string().min(1).max(64) })

/** Links point at BALINT_BASE_URL, the address participants use. */
const origin = (c: Context<StaffEnv>) => c.get('client').baseUrl

export function messagingRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/cohorts/:id/messages', pathParams(idParam), async (c) => {
      const { cohort } = await requireCohortRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      return c.json(await messagesView(deps, cohort.id), 200)
    })
    .post('/cohorts/:id/messages', pathParams(idParam), jsonBody(waveMessageBody), async (c) => {
      const { user } = staffOf(c)
      const { cohort } = await requireCohortRole(deps, user, c.req.valid('param').id, ['researcher'])
      // Links are shown now and never again: only their hashes are stored.
      return c.json(await prepareMessages(deps, { cohortId: cohort.id, ...c.req.valid('json') }, user.id, origin(c)), 201)
    })
    .put('/studies/:id/messaging', pathParams(idParam), jsonBody(messagingSettingsBody), async (c) => {
      const { user } = staffOf(c)
      const { study } = await requireStudyRole(deps, user, c.req.valid('param').id, ['researcher'])
      return c.json(await updateMessagingSettings(deps, study.id, c.req.valid('json'), user.id), 200)
    })
    .put('/participants/:id/contact', pathParams(idParam), jsonBody(contactBody), async (c) => {
      const { participant } = await requireParticipantRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      if (participant.status === 'withdrawn') throw new ApiError('withdrawn', 'This participant has withdrawn: no contact details are kept.')
      return c.json(await updateContact(deps, participant.id, c.req.valid('json'), staffOf(c).user.id), 200)
    })
    .post('/participants/:id/message', pathParams(idParam), jsonBody(waveMessageBody), async (c) => {
      const { participant } = await requireParticipantRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher'])
      const [message] = await prepareMessages(deps, { cohortId: participant.cohortId, participantId: participant.id, ...c.req.valid('json') }, staffOf(c).user.id, origin(c))
      return c.json(message!, 201)
    })
}
