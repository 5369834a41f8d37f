/**
 * Adversarial tests of the participant side's promises: nothing a participant answers is lost, and
 * the page never says "saved" when the server does not hold the answer. Each test asserts the SAFE
 * behaviour, so a failing test is a defect found.
 *
 * The outbox tests run the real client outbox (client/participant/outbox.ts) against the real app
 * through app.request(), with a store shared the way two tabs of one browser share IndexedDB.
 */
import { describe, expect, it } from 'vitest'
import { memoryStore, Outbox } from '../../client/participant/outbox'
import { jsonRequest } from '../helpers/app'
import { appTransport, consentedParticipant, storedAnswers } from '../helpers/outbox-app'
import { outcomeOf } from '../../client/participant/outcome'

const answersUrl = (token: string) => `/api/p/${token}/forms/pre/phq-9/answers`

/** A device clock that moves a second each time it is read, from `start`. */
function deviceClock(start = '2026-03-02T08:50:00.000Z') {
  let t = new Date(start).getTime()
  return { now: () => new Date((t += 1000)) }
}

describe('answer order on the server, from a device whose clock runs fast', () => {
  it('keeps the newer answer when an older one from the same device is delivered late', async () => {
    const f = await consentedParticipant(['phq-9', 'gad-7'])
    // The phone's clock runs 5 minutes fast. At 09:00:00 (real) the participant taps "1" on item 1;
    // that request is held up (stalled on a mobile link, the phone gives up after 8 s).
    const older = { deviceId: 'phone-fast-clock-01', answers: [{ question: 'phq9_1', value: 1, answeredAt: '2026-03-02T09:05:00.000Z' }] }
    // At 09:00:10 they change their mind to "2", which reaches the server at once.
    f.clock.set('2026-03-02T09:00:10.000Z')
    const newer = { deviceId: 'phone-fast-clock-01', answers: [{ question: 'phq9_1', value: 2, answeredAt: '2026-03-02T09:05:10.000Z' }] }
    expect((await f.app.request(answersUrl(f.token), jsonRequest('PUT', newer))).status).toBe(200)
    // At 09:00:30 the stalled first request is finally delivered.
    f.clock.set('2026-03-02T09:00:30.000Z')
    expect((await f.app.request(answersUrl(f.token), jsonRequest('PUT', older))).status).toBe(200)
    // The answer given last on that phone (by its own clock, 10 s after the first) must win.
    expect(await storedAnswers(f)).toEqual({ phq9_1: 2 })
  })
  it('recognises a retry of a clamped answer after the form was submitted, rather than calling it late', async () => {
    const f = await consentedParticipant(['phq-9', 'gad-7'])
    // The phone's clock runs 5 minutes fast: every answer is clamped to the server's time as it arrives.
    const all = Array.from({ length: 9 }, (_, i) => ({ question: `phq9_${i + 1}`, value: 1, answeredAt: '2026-03-02T09:05:00.000Z' }))
    const batch = { deviceId: 'phone-fast-clock-02', answers: [...all, { question: 'phq9_difficulty', value: 0, answeredAt: '2026-03-02T09:05:00.000Z' }] }
    const first = await f.app.request(answersUrl(f.token), jsonRequest('PUT', batch))
    expect(first.status, await first.clone().text()).toBe(200)
    f.clock.set('2026-03-02T09:00:20.000Z')
    expect((await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { clientId: 'fastclockclient0001' }))).status).toBe(200)
    // The first save's reply was lost; the phone sends the same batch again, now clamped to a later time.
    f.clock.set('2026-03-02T09:00:40.000Z')
    const retry = await f.app.request(answersUrl(f.token), jsonRequest('PUT', batch))
    expect(retry.status).toBe(200)
  })
})

describe('two tabs of the same link (one IndexedDB, two outboxes)', () => {
  it('a tab does not say "saved" while answers given in the other tab wait on the device, unsent', async () => {
    const f = await consentedParticipant(['phq-9', 'gad-7'])
    const store = memoryStore(true)
    const a = appTransport(f)
    const b = appTransport(f)
    const online = { a: true, b: true }
    const tabA = new Outbox({ store, transport: a.transport, deviceId: 'browser-device-0001', debounceMs: 0, retryDelaysMs: [50], isOnline: () => online.a, now: deviceClock().now })
    await tabA.ready
    // Item 1 answered in tab A and confirmed.
    await tabA.answer('pre', 'phq-9', 'phq9_1', 1)
    await tabA.flush()
    expect(tabA.status).toBe('saved')
    // Tab B (opened again from the e-mail) answers items 2–4 with no connection, then is closed.
    const tabB = new Outbox({ store, transport: b.transport, deviceId: 'browser-device-0001', debounceMs: 0, retryDelaysMs: [50], isOnline: () => online.b, now: deviceClock('2026-03-02T08:55:00.000Z').now })
    await tabB.ready
    online.b = false
    b.connection.offline = true
    await tabB.answer('pre', 'phq-9', 'phq9_2', 2)
    await tabB.answer('pre', 'phq-9', 'phq9_3', 2)
    await tabB.answer('pre', 'phq-9', 'phq9_4', 2)
    expect(tabB.status).toBe('kept')
    // Tab B closed. Tab A, online, is what the participant sees now.
    await tabA.flush()
    const server = await storedAnswers(f)
    const onDevice = [...store.answers.values()].map((x) => x.question).sort()
    // Nothing lost: each of B's answers is on the server or still on the device (tab A may have taken and
    // sent them already: whether its flush reached them depends on timing, on a busy machine too).
    for (const q of ['phq9_2', 'phq9_3', 'phq9_4']) expect({ q, kept: server[q] === 2 || onDevice.includes(q) }).toEqual({ q, kept: true })
    // Safe: either tab A sent them, or it does not claim every answer is saved.
    if (tabA.status === 'saved') expect(server).toMatchObject({ phq9_2: 2, phq9_3: 2, phq9_4: 2 })
  })

  it('an answer changed in the second tab and kept on the device is not deleted when the first tab confirms its older value', async () => {
    const f = await consentedParticipant(['phq-9', 'gad-7'])
    const store = memoryStore(true)
    const a = appTransport(f)
    const b = appTransport(f)
    const online = { a: false, b: false }
    a.connection.offline = true
    b.connection.offline = true
    const clock = deviceClock()
    const tabA = new Outbox({ store, transport: a.transport, deviceId: 'browser-device-0001', debounceMs: 0, retryDelaysMs: [50], isOnline: () => online.a, now: clock.now })
    const tabB = new Outbox({ store, transport: b.transport, deviceId: 'browser-device-0001', debounceMs: 0, retryDelaysMs: [50], isOnline: () => online.b, now: clock.now })
    await Promise.all([tabA.ready, tabB.ready])
    // No connection. Item 2: "0" in tab A, then, later, "3" in tab B (both tabs were on item 2).
    await tabA.answer('pre', 'phq-9', 'phq9_2', 0)
    await tabB.answer('pre', 'phq-9', 'phq9_2', 3)
    expect(tabB.status).toBe('kept') // "Not sent yet. Your answers are kept on this device"
    // Tab B is closed. The connection returns; tab A sends what it holds.
    online.a = true
    a.connection.offline = false
    tabA.online()
    await tabA.flush()
    // Before saying "saved", tab A finds tab B's later answer on the device and sends it too.
    expect(tabA.status).toBe('saving')
    await tabA.flush()
    expect(tabA.status).toBe('saved')
    expect(await storedAnswers(f)).toEqual({ phq9_2: 3 })
    // The link opened again on this phone: a fresh page reads the device's store and sends what waits.
    const c = appTransport(f)
    const reopened = new Outbox({ store, transport: c.transport, deviceId: 'browser-device-0001', debounceMs: 0, retryDelaysMs: [50], now: clock.now })
    await reopened.ready
    await reopened.flush()
    // The participant's last answer to item 2 was "3" (given later, in tab B): it must not be lost.
    expect(await storedAnswers(f)).toEqual({ phq9_2: 3 })
  })
})

describe('a refusal the server did not send', () => {
  it('a 4xx from a middlebox (proxy/WAF/captive portal: no API error body) does not drop the batch, and "saved" is never shown while those answers are missing', async () => {
    const f = await consentedParticipant(['phq-9', 'gad-7'])
    const store = memoryStore(true)
    const { transport, connection: control } = appTransport(f)
    let online = false
    control.offline = true
    const outbox = new Outbox({ store, transport, deviceId: 'browser-device-0001', debounceMs: 0, retryDelaysMs: [50], isOnline: () => online, now: deviceClock().now })
    await outbox.ready
    // Items 1–4 answered in a lift with no signal.
    for (const [i, v] of [1, 2, 3, 2].entries()) await outbox.answer('pre', 'phq-9', `phq9_${i + 1}`, v)
    // Back on the hospital Wi-Fi: its proxy answers the first request with an HTML 403 (what
    // httpTransport makes of it: errorOf gives `http_403`, no fields).
    online = true
    control.offline = false
    let intercepted = 0
    control.intercept = (kind) => (kind === 'answers' && intercepted++ === 0 ? { ok: false, kind: 'rejected', code: 'http_403', message: 'Forbidden', fields: [] } : undefined)
    outbox.online()
    await outbox.flush()
    // The page takes the participant back to the question the refusal names; they tap another answer there.
    const named = outbox.refusals[0]?.question
    expect(named).toBe('phq9_1')
    await outbox.answer('pre', 'phq-9', 'phq9_1', 0)
    await outbox.flush()
    const server = await storedAnswers(f)
    // Safe: items 2–4 (still shown in the form) reach the server, or the page does not say "saved".
    if (outbox.status === 'saved') expect(server).toMatchObject({ phq9_1: 0, phq9_2: 2, phq9_3: 3, phq9_4: 2 })
    // And they are not thrown away from the device either.
    const kept = { ...server, ...outbox.pendingAnswers('pre', 'phq-9') }
    expect(kept).toMatchObject({ phq9_2: 2, phq9_3: 3, phq9_4: 2 })
  })
})

describe('what the page makes of a refusal', () => {
  it('retries a 4xx that is not in the API\'s error shape (a proxy\'s HTML page), and takes the server\'s own as a refusal', async () => {
    const proxy = await outcomeOf(async () => new Response('<html><body>Access denied by policy</body></html>', { status: 403, headers: { 'content-type': 'text/html' } }))
    expect(proxy).toEqual({ ok: false, kind: 'network' })
    const portal = await outcomeOf(async () => new Response('', { status: 407 }))
    expect(portal).toEqual({ ok: false, kind: 'network' })
    const f = await consentedParticipant(['phq-9', 'gad-7'])
    const server = await outcomeOf(async () => f.app.request(`/api/p/${f.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'browser-device-0001', answers: [{ question: 'phq9_1', value: 7, answeredAt: '2026-03-02T08:59:00.000Z' }] })))
    expect(server).toMatchObject({ ok: false, kind: 'rejected', code: 'validation_failed', fields: ['phq9_1'] })
  })
})
