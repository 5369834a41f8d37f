/**
 * The participant's API, reached only through their personal link's token. HTTP only: parsing and
 * status codes here, the rules in domain/participation/journey.ts and, for checking the quotations
 * from their interview (member checking), domain/qualitative/coding.ts.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { answersBody, completeBody, consentBody, quoteAnswerBody, waveSlot, withdrawBody } from '../contracts/participant'
import { participantQuotes, recordMemberCheck } from '../domain/qualitative/coding'
import type { Deps } from '../domain/deps'
import { chooseReminders, completeForm, participantByToken, participantState, recordConsent, saveAnswers, withdraw } from '../domain/participation/journey'
import { reminderPreferenceBody } from '../contracts/safety'
import { jsonBody, pathParams } from '../http/validate'
import { sized } from '../http/sized'

const tokenParam = z.object({ token: z.string() })
const formParams = z.object({ token: z.string(), slot: waveSlot, instrument: z.string().regex(/^[a-z][a-z0-9-]*$/) })
const quoteParams = z.object({ token: z.string(), codingId: z.string().min(1).max(64) })

export function participantRoutes(deps: Deps) {
  return new Hono()
    .get('/:token', pathParams(tokenParam), async (c) => {
      const participant = await participantByToken(deps, c.req.valid('param').token)
      return c.json(await participantState(deps, participant), 200)
    })
    .post('/:token/consent', pathParams(tokenParam), jsonBody(consentBody, { nulInValues: 'strip' }), async (c) => {
      const participant = await participantByToken(deps, c.req.valid('param').token)
      await recordConsent(deps, participant, c.req.valid('json'))
      return c.json(await participantState(deps, await participantByToken(deps, c.req.valid('param').token)), 200)
    })
    .put('/:token/forms/:slot/:instrument/answers', pathParams(formParams), jsonBody(answersBody, { nulInValues: 'strip' }), async (c) => {
      const { token, slot, instrument } = c.req.valid('param')
      const saved = await saveAnswers(deps, token, slot, instrument, c.req.valid('json'))
      return c.json(saved, 200, sized(saved))
    })
    .post('/:token/forms/:slot/:instrument/complete', pathParams(formParams), jsonBody(completeBody, { nulInValues: 'strip' }), async (c) => {
      const { token, slot, instrument } = c.req.valid('param')
      const participant = await participantByToken(deps, token)
      return c.json(await completeForm(deps, participant, slot, instrument, c.req.valid('json')), 200)
    })
    .post('/:token/withdraw', pathParams(tokenParam), jsonBody(withdrawBody), async (c) => {
      const participant = await participantByToken(deps, c.req.valid('param').token)
      const { withdrawnAt, deletedResponses } = await withdraw(deps, participant, c.req.valid('json'))
      return c.json({ withdrawnAt, deletedResponses }, 200)
    })
    .put('/:token/reminders', pathParams(tokenParam), jsonBody(reminderPreferenceBody), async (c) => {
      const participant = await participantByToken(deps, c.req.valid('param').token)
      return c.json(await chooseReminders(deps, participant, c.req.valid('json')), 200)
    })
    // Member checking: the quotations from their interview chosen for the findings, and their answers.
    .get('/:token/quotes', pathParams(tokenParam), async (c) => {
      const participant = await participantByToken(deps, c.req.valid('param').token)
      return c.json({ quotes: await participantQuotes(deps, participant) }, 200)
    })
    .post('/:token/quotes/:codingId', pathParams(quoteParams), jsonBody(quoteAnswerBody), async (c) => {
      const { token, codingId } = c.req.valid('param')
      const participant = await participantByToken(deps, token)
      const { created } = await recordMemberCheck(deps, participant, { codingId, ...c.req.valid('json') })
      const quote = (await participantQuotes(deps, participant)).find((q) => q.codingId === codingId)!
      // The same answer sent again (a double tap, a retry after a lost response) records nothing new.
      if (created) return c.json(quote, 201)
      return c.json(quote, 200)
    })
}
