/**
 * Answers kept on the device by an earlier visit, sent again by a page whose storage was slow to open
 * (it starts from memory under a temporary device id, and takes the device's store when it opens):
 * the real client outbox against the real app through app.request(). The server recognises a retry
 * only under the device id the answer was first sent under (answer-merge.ts, sameGiving).
 */
import { describe, expect, it, vi } from 'vitest'
import { memoryStore, Outbox } from '../../client/participant/outbox'
import { jsonRequest } from '../helpers/app'
import { appTransport, consentedParticipant, storedAnswers } from '../helpers/outbox-app'

describe('a retry from a store that opened late', () => {
  it('is sent under the device id its answers were given under, so the server knows it as a retry, not as answers come too late', async () => {
    const f = await consentedParticipant()
    const device = Object.assign(memoryStore(true), { deviceId: 'phone-device-0001' })
    const control = { offline: false, loseReplies: true }
    // Visit 1: the phone answers the whole PHQ-9; the server stores it, but the reply is lost in a tunnel.
    const visit = new Outbox({ store: device, transport: appTransport(f, control).transport, deviceId: device.deviceId, debounceMs: 0, retryDelaysMs: [50], isOnline: () => !control.offline, now: () => f.clock.now() })
    await visit.ready
    for (let i = 1; i <= 9; i++) await visit.answer('pre', 'phq-9', `phq9_${i}`, 1)
    await visit.answer('pre', 'phq-9', 'phq9_difficulty', 0)
    await visit.flush()
    expect(device.answers.size).toBe(10)
    // The participant submits the questionnaire on their laptop.
    f.clock.set('2026-03-02T09:05:00.000Z')
    expect((await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { clientId: 'laptopclient0001' }))).status).toBe(200)
    // Visit 2 on the phone: its storage is slow, so the page starts from memory under a temporary id.
    control.offline = false
    control.loseReplies = false
    const again = new Outbox({ store: memoryStore(), transport: appTransport(f, control).transport, deviceId: 'temporary-page-0001', debounceMs: 0, retryDelaysMs: [50], isOnline: () => !control.offline })
    await again.ready
    again.awaitStore(Promise.resolve(device))
    // Done once the device's store has been read and nothing waits to be sent.
    await vi.waitFor(() => expect(again.pending() || again.status === 'saving').toBe(false))
    // The server held every one of these answers already: nothing is "not added", and nothing is left on the phone.
    expect(again.refusals).toEqual([])
    expect(again.hasNotStored()).toBe(false)
    expect(again.status).toBe('saved')
    expect(device.answers.size).toBe(0)
  })

  it('an answer kept by an earlier visit does not replace the later one this page gave to the same question before the store opened (a phone clock running fast)', async () => {
    const f = await consentedParticipant()
    const device = Object.assign(memoryStore(true), { deviceId: 'phone-device-0002' })
    // The phone's clock runs five minutes fast. Visit 1, offline: item 1 answered "1", kept on the phone.
    const phone = { time: new Date('2026-03-02T09:05:00.000Z') }
    const control = { offline: true, loseReplies: false }
    const visit = new Outbox({ store: device, transport: appTransport(f, control).transport, deviceId: device.deviceId, debounceMs: 0, retryDelaysMs: [50], isOnline: () => !control.offline, now: () => new Date(phone.time) })
    await visit.ready
    await visit.answer('pre', 'phq-9', 'phq9_1', 1)
    // Visit 2, a minute later, online; storage slow: the form shows item 1 blank, and the participant answers "2".
    f.clock.set('2026-03-02T09:01:00.000Z')
    phone.time = new Date('2026-03-02T09:06:00.000Z')
    control.offline = false
    const again = new Outbox({ store: memoryStore(), transport: appTransport(f, control).transport, deviceId: 'temporary-page-0002', debounceMs: 0, retryDelaysMs: [50], isOnline: () => !control.offline, now: () => new Date(phone.time) })
    await again.ready
    await again.answer('pre', 'phq-9', 'phq9_1', 2)
    await again.flush()
    // The store opens ten seconds later, with the "1" of visit 1 in it.
    f.clock.set('2026-03-02T09:01:10.000Z')
    again.awaitStore(Promise.resolve(device))
    await vi.waitFor(() => expect(again.pending() || again.status === 'saving').toBe(false))
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { forms: { instrument: { id: string }; response: { answers: Record<string, unknown> } | null }[] }[] }
    expect(state.waves[0]!.forms.find((x) => x.instrument.id === 'phq-9')!.response?.answers).toEqual({ phq9_1: 2 })
    expect(device.answers.size).toBe(0)
  })
})
