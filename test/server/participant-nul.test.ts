/**
 * A NUL character (U+0000) in what a participant's page sends (found by the review of the day's
 * commits): the edge's new refusal of NUL named the field by its place in the request
 * (`answers.1.value`), which the page could not match to a question, so it marked nothing refused
 * and sent the same batch again at once, for ever: none of that form's answers were saved and the
 * page said "Saving…". Now a NUL in an answer's text is taken out (it is no part of what was said),
 * and the page treats any refusal naming none of the answers it sent as a refusal of the batch.
 */
import { describe, expect, it } from 'vitest'
import { memoryStore, Outbox, type Transport } from '../../client/participant/outbox'
import { jsonRequest } from '../helpers/app'
import { appTransport, consentedParticipant, storedAnswers } from '../helpers/outbox-app'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'

/** The page, over the real app, counting its requests and stopping a runaway loop at 200. */
async function countingPage(transport: Transport, f: Awaited<ReturnType<typeof consentedParticipant>>) {
  const counter = { requests: 0 }
  const counting: Transport = {
    complete: transport.complete,
    saveAnswers: async (...args) => {
      if (++counter.requests > 200) throw new Error('a runaway loop of requests')
      return transport.saveAnswers(...args)
    },
  }
  const page = new Outbox({ store: memoryStore(true), transport: counting, deviceId: 'nul-device-0001', debounceMs: 0, retryDelaysMs: [50], now: () => f.clock.now() })
  await page.ready
  return { page, counter }
}

const settled = (page: Outbox) => Promise.race([page.flush().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1500))])

describe('a NUL character in a participant’s answers', () => {
  it('does not make the page resend its form in a loop, nor hold back the form’s other answers', async () => {
    const f = await consentedParticipant()
    const { transport } = appTransport(f)
    const { page, counter } = await countingPage(transport, f)
    await page.answer('pre', 'phq-9', 'phq9_1', 2)
    await page.answer('pre', 'phq-9', 'phq9_2', 'pasted\u0000text')
    await settled(page)
    expect(counter.requests).toBeLessThan(5)
    expect((await storedAnswers(f)).phq9_1).toBe(2)
    // The answer that is no answer to the question is refused by name, kept on the device, and said.
    expect(page.refusals.map((r) => r.question)).toEqual(['phq9_2'])
  })

  it('is taken out of a text answer, which is stored without it', async () => {
    const f = await consentedParticipant()
    const [other] = await addParticipants(f.deps, { cohortId: (await f.deps.db.selectFrom('cohort').select('id').executeTakeFirstOrThrow()).id, count: 1 }, 'test')
    const res = await f.app.request(`/api/p/${other!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree\u0000' } }))
    expect(res.status).toBe(200)
    const stored = await f.deps.db.selectFrom('consent').select(['participant_id', 'decision']).where('participant_id', '=', other!.id).execute()
    expect(stored.map((c) => c.decision)).toEqual(['agree'])
  })
})

describe('a refusal that names none of the answers sent', () => {
  it('marks the batch refused once instead of sending it again and again', async () => {
    const f = await consentedParticipant()
    const { transport, connection } = appTransport(f)
    let refusedOnce = false
    connection.intercept = (kind) => {
      if (kind !== 'answers' || refusedOnce) return undefined
      refusedOnce = true
      return { ok: false, kind: 'rejected', code: 'validation_failed', message: 'answers.1.value: not accepted', fields: ['1'] }
    }
    const { page, counter } = await countingPage(transport, f)
    await page.answer('pre', 'phq-9', 'phq9_1', 2)
    await settled(page)
    expect(counter.requests).toBeLessThan(5)
    expect(page.refusals).toHaveLength(1)
    expect(page.status).not.toBe('saved')
  })
})
