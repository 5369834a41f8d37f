/**
 * Adversarial review of 0a435bb (the outbox sends again, on their own, the answers of a batch a closed
 * wave refused that were given before the close). The split looks only at the close: an answer the
 * server refuses for its other bound (stamped before the consent it recorded, less an hour:
 * journey.ts deliveredLate) still takes down, with it, an answer given in time that the server would
 * take on its own.
 */
import { describe, expect, it } from 'vitest'
import { memoryStore, Outbox } from '../../../client/participant/outbox'
import { jsonRequest } from '../../helpers/app'
import { appTransport, consentedParticipant, storedAnswers } from '../../helpers/outbox-app'

describe('a batch a closed wave refused, split by givenAfter', () => {
  it('sends again on its own an answer given in time, even when another answer of the batch was stamped by a slow clock before the consent', async () => {
    const f = await consentedParticipant(['phq-9']) // agreed 2026-03-02T09:00Z by the server's clock
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { kind: string; closesAt: string }[] }
    const closes = Date.parse(state.waves.find((w) => w.kind === 'pre')!.closesAt)
    const at = (ms: number) => new Date(ms).toISOString()
    const store = memoryStore(true)
    const { transport, connection } = appTransport(f)
    let online = false
    connection.offline = true
    // The phone's clock runs 2 h slow at first (set by hand), later right again.
    let skew = -2 * 3600_000
    const page = new Outbox({ store, transport, deviceId: 'phone-slowclock-0001', debounceMs: 0, retryDelaysMs: [10], isOnline: () => online, now: () => new Date(f.clock.now().getTime() + skew) })
    await page.ready
    f.clock.set('2026-03-02T09:30:00.000Z')
    await page.answer('pre', 'phq-9', 'phq9_1', 1) // stamped 07:30, before consent − 1 h
    skew = 0
    f.clock.set(at(closes - 60_000))
    await page.answer('pre', 'phq-9', 'phq9_2', 2) // in time
    f.clock.set(at(closes + 60_000))
    await page.answer('pre', 'phq-9', 'phq9_3', 3) // after the close
    f.clock.set(at(closes + 20 * 60_000)) // well within the grace
    online = true
    connection.offline = false
    await page.flush()
    // phq9_2, given in time, is one the server takes on its own at this very moment …
    const alone = await f.app.request(
      `/api/p/${f.token}/forms/pre/phq-9/answers`,
      jsonRequest('PUT', { deviceId: 'probe-device-0001', answers: [{ question: 'phq9_4', value: 0, answeredAt: at(closes - 60_000) }] }),
    )
    expect(alone.status).toBe(200)
    // … yet the page keeps it, refused, with the early one.
    expect([...store.answers.values()].filter((a) => a.refused).map((a) => a.question).sort()).toEqual(['phq9_1', 'phq9_3'])
    expect(await storedAnswers(f)).toMatchObject({ phq9_2: 2 })
  })
})
