/**
 * The participant's API, reached only through their personal link's token. HTTP only: parsing and
 * status codes here, the rules in domain/participant-journey.ts.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { completeBody, consentBody, draftBody, waveSlot, withdrawBody } from '../contracts/participant'
import type { Deps } from '../domain/deps'
import { completeForm, participantByToken, participantState, recordConsent, saveDraft, withdraw } from '../domain/participant-journey'
import { jsonBody, pathParams } from '../http/validate'

const tokenParam = z.object({ token: z.string() })
const formParams = z.object({ token: z.string(), slot: waveSlot, instrument: z.string().regex(/^[a-z][a-z0-9-]*$/) })

export function participantRoutes(deps: Deps) {
  return new Hono()
    .get('/:token', pathParams(tokenParam), async (c) => {
      const participant = await participantByToken(deps, c.req.valid('param').token)
      return c.json(await participantState(deps, participant), 200)
    })
    .post('/:token/consent', pathParams(tokenParam), jsonBody(consentBody), async (c) => {
      const participant = await participantByToken(deps, c.req.valid('param').token)
      await recordConsent(deps, participant, c.req.valid('json'))
      return c.json(await participantState(deps, await participantByToken(deps, c.req.valid('param').token)), 200)
    })
    .put('/:token/forms/:slot/:instrument/draft', pathParams(formParams), jsonBody(draftBody), async (c) => {
      const { token, slot, instrument } = c.req.valid('param')
      const participant = await participantByToken(deps, token)
      return c.json(await saveDraft(deps, participant, slot, instrument, c.req.valid('json')), 200)
    })
    .post('/:token/forms/:slot/:instrument/complete', pathParams(formParams), jsonBody(completeBody), async (c) => {
      const { token, slot, instrument } = c.req.valid('param')
      const participant = await participantByToken(deps, token)
      return c.json(await completeForm(deps, participant, slot, instrument, c.req.valid('json')), 200)
    })
    .post('/:token/withdraw', pathParams(tokenParam), jsonBody(withdrawBody), async (c) => {
      const participant = await participantByToken(deps, c.req.valid('param').token)
      return c.json(await withdraw(deps, participant, c.req.valid('json')), 200)
    })
}
