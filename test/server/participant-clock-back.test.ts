/**
 * A phone whose clock ran a day fast, set right (NTP) between two answers to one question: the real
 * client outbox (client/participant/outbox.ts) against the real app through app.request(). The server
 * orders two answers of one device by the device's own times as sent (answer-merge.ts), so the page
 * must never stamp an answer earlier than one it stamped before, or the participant's latest answer
 * loses to the one it replaced.
 */
import { describe, expect, it } from 'vitest'
import { memoryStore, Outbox } from '../../client/participant/outbox'
import { appTransport, consentedParticipant, storedAnswers } from '../helpers/outbox-app'

describe('a phone clock set back a day between two answers to one question', () => {
  it('stores the answer given after the clock went back (3), not the one it replaced (1)', async () => {
    const f = await consentedParticipant()
    // The phone's clock runs a day fast: at 09:00 (the server's) it reads 09:00 tomorrow.
    const phone = { time: new Date('2026-03-03T09:00:00.000Z') }
    const outbox = new Outbox({ store: memoryStore(true), transport: appTransport(f).transport, deviceId: 'phone-clock-back-01', debounceMs: 0, retryDelaysMs: [50], now: () => new Date(phone.time) })
    await outbox.ready
    await outbox.answer('pre', 'phq-9', 'phq9_1', 1)
    await outbox.flush()
    expect(await storedAnswers(f)).toEqual({ phq9_1: 1 })
    // NTP sets the clock right; ten seconds later the participant changes the answer to 3.
    f.clock.set('2026-03-02T09:00:10.000Z')
    phone.time = new Date('2026-03-02T09:00:10.000Z')
    await outbox.answer('pre', 'phq-9', 'phq9_1', 3)
    await outbox.flush()
    expect(outbox.status).toBe('saved')
    expect(await storedAnswers(f)).toEqual({ phq9_1: 3 })
  })

  it('stores the 3 when the page was reloaded between the two answers, with nothing left on the device but the last stamp', async () => {
    const f = await consentedParticipant()
    const device = memoryStore(true)
    const phone = { time: new Date('2026-03-03T09:00:00.000Z') }
    const options = { store: device, transport: appTransport(f).transport, deviceId: 'phone-clock-back-02', debounceMs: 0, retryDelaysMs: [50], now: () => new Date(phone.time) }
    const first = new Outbox(options)
    await first.ready
    await first.answer('pre', 'phq-9', 'phq9_1', 1)
    await first.flush()
    expect(device.answers.size).toBe(0)
    f.clock.set('2026-03-02T09:00:10.000Z')
    phone.time = new Date('2026-03-02T09:00:10.000Z')
    const reloaded = new Outbox(options)
    await reloaded.ready
    await reloaded.answer('pre', 'phq-9', 'phq9_1', 3)
    await reloaded.flush()
    expect(reloaded.status).toBe('saved')
    expect(await storedAnswers(f)).toEqual({ phq9_1: 3 })
  })
})
