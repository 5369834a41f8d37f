/**
 * Answers given offline that the server once let go of or refused for good, found by an adversary
 * review of the participant's promise ("nothing they answer may ever be lost, and the page must never
 * say 'saved' when it is not"): a link reissued while answers waited on the phone (the old link's
 * 404 was final, and the page deleted them unsent); a wave that closed while the phone was offline
 * (answers given before the close were refused on arrival); a new version of a questionnaire
 * deployed while a finished one waited (the answer to the question it dropped was refused for good,
 * and the submit waited behind it for ever). The real client outbox (client/participant/outbox.ts)
 * against the real app through app.request(), with a store in memory standing for the phone's
 * IndexedDB. Each test failed before its fix.
 */
import { describe, expect, it } from 'vitest'
import { memoryStore, Outbox } from '../../client/participant/outbox'
import { reissueLink, setWave } from '../../server/domain/staff/setup'
import { findParticipant } from '../../server/db/repositories/participants'
import { lateArrivalGraceMs } from '../../server/domain/participation/journey'
import { jsonRequest } from '../helpers/app'
import { appTransport, consentedParticipant, deployPhq9WithoutDifficulty, storedAnswers, type OutboxFixture } from '../helpers/outbox-app'

describe('a link the team reissues (a lost e-mail, a forwarded message) while answers wait on the phone', () => {
  it('keeps the answers given under the old link on the device (for the new link to take over) or stores them: never deletes them unsent', async () => {
    const f = await consentedParticipant(['phq-9'])
    const store = memoryStore(true)
    const { transport, connection } = appTransport(f)
    let online = false
    connection.offline = true
    const page = new Outbox({ store, transport, deviceId: 'phone-reissued-0001', debounceMs: 0, retryDelaysMs: [10], isOnline: () => online, now: f.clock.now })
    await page.ready
    // In the hospital basement: items 1 to 3, kept on the phone.
    for (const [i, v] of [[1, 2], [2, 3], [3, 1]] as const) {
      await page.answer('pre', 'phq-9', `phq9_${i}`, v)
      f.clock.advance(1000)
    }
    expect(page.status).toBe('kept')
    expect(store.answers.size).toBe(3)
    // Meanwhile the participant asked the team for a new link (they could not find the e-mail); the
    // team reissues it, which revokes the old one (server/domain/staff/setup.ts: reissueLink).
    const fresh = await reissueLink(f.deps, f.participant.id, 'staff:test')
    // The old tab, still open, gets its connection back and sends.
    online = true
    connection.offline = false
    await page.flush()
    const onServer = await storedAnswers({ ...f, token: fresh.token })
    const onDevice = [...store.answers.values()].map((a) => a.question).sort()
    // Nothing lost: each of the three answers is on the server or still on the phone.
    const kept = new Set([...Object.keys(onServer), ...onDevice])
    expect([...kept].sort()).toEqual(['phq9_1', 'phq9_2', 'phq9_3'])
  })
})

describe('a wave that closes while the phone is offline', () => {
  it('stores answers given before the close that reach the server after it (the participant lost the connection, not the deadline)', async () => {
    const f = await consentedParticipant(['phq-9'])
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { closesAt: string }[] }
    const closesAt = new Date(state.waves[0]!.closesAt)
    const store = memoryStore(true)
    const { transport, connection } = appTransport(f)
    let online = false
    connection.offline = true
    // Ten minutes before the close, offline: the whole of PHQ-9, submitted.
    f.clock.set(new Date(closesAt.getTime() - 10 * 60_000).toISOString())
    const page = new Outbox({ store, transport, deviceId: 'phone-deadline-0001', debounceMs: 0, retryDelaysMs: [10], isOnline: () => online, now: f.clock.now })
    await page.ready
    for (let i = 1; i <= 9; i++) {
      await page.answer('pre', 'phq-9', `phq9_${i}`, 1)
      f.clock.advance(20_000)
    }
    await page.answer('pre', 'phq-9', 'phq9_difficulty', 0)
    await page.complete('pre', 'phq-9')
    // The connection returns twenty minutes after the close.
    f.clock.set(new Date(closesAt.getTime() + 20 * 60_000).toISOString())
    online = true
    connection.offline = false
    await page.flush()
    await page.flush()
    expect(page.refusals.map((r) => r.code)).toEqual([])
    expect(Object.keys(await storedAnswers(f)).length).toBe(10)
  })

  // What the late answers are allowed, and no more: given while the wave was open (the device's stamp),
  // arriving within lateArrivalGraceMs of the close (the server's clock). Straight to the API, with
  // stamps chosen to the millisecond; the refusal is the one a closed wave always gave.
  const preWave = async (f: OutboxFixture) => {
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { kind: string; opensAt: string; closesAt: string }[] }
    const { opensAt, closesAt } = state.waves.find((w) => w.kind === 'pre')!
    return { opensAt, closesAt, closes: Date.parse(closesAt) }
  }
  const save = (f: OutboxFixture, slot: string, answers: { question: string; value: unknown; answeredAt: string }[]) =>
    f.app.request(`/api/p/${f.token}/forms/${slot}/phq-9/answers`, jsonRequest('PUT', { deviceId: 'phone-deadline-0002', answers }))
  const submit = (f: OutboxFixture, slot: string) => f.app.request(`/api/p/${f.token}/forms/${slot}/phq-9/complete`, jsonRequest('POST', { clientId: 'submit-deadline-0002' }))
  const refusal = async (res: Response) => ({ status: res.status, ...((await res.json()) as { error: { code: string; details?: unknown } }).error })
  const at = (ms: number) => new Date(ms).toISOString()
  /** A consented participant's phone, offline, at `offlineAt(closes)`, its clock `skew` ms off the server's; `online()` brings it back. */
  const offlinePhone = async (deviceId: string, offlineAt: (closes: number) => number, skew: () => number = () => 0) => {
    const f = await consentedParticipant(['phq-9'])
    const { closes } = await preWave(f)
    const store = memoryStore(true)
    const { transport, connection } = appTransport(f)
    let online = false
    connection.offline = true
    f.clock.set(at(offlineAt(closes)))
    const page = new Outbox({ store, transport, deviceId, debounceMs: 0, retryDelaysMs: [10], isOnline: () => online, now: () => new Date(f.clock.now().getTime() + skew()) })
    await page.ready
    const goOnline = () => {
      online = true
      connection.offline = false
    }
    return { f, closes, store, transport, page, goOnline, isOnline: () => online }
  }

  it('still refuses an answer stamped after the close, with the refusal a closed wave gives', async () => {
    const f = await consentedParticipant(['phq-9'])
    const { opensAt, closesAt, closes } = await preWave(f)
    f.clock.set(at(closes + 20 * 60_000))
    const refused = await refusal(await save(f, 'pre', [{ question: 'phq9_1', value: 1, answeredAt: at(closes + 5 * 60_000) }]))
    // Within the grace it says which answers it still takes: given from the consent (09:00) less the
    // hour a slow clock is allowed, up to the close.
    expect(refused).toMatchObject({ status: 409, code: 'wave_not_open', details: { opensAt, closesAt, state: 'closed', givenFrom: '2026-03-02T08:00:00.000Z' } })
    // Stamped at the very instant of the close: the wave was closed by then.
    expect((await save(f, 'pre', [{ question: 'phq9_1', value: 1, answeredAt: closesAt }])).status).toBe(409)
    expect(await refusal(await submit(f, 'pre'))).toMatchObject({ status: 409, code: 'wave_not_open' })
    expect(await storedAnswers(f)).toEqual({})
  })

  it('refuses an answer stamped before the close that arrives after the grace period (a clock set back cannot answer a closed wave long afterwards)', async () => {
    const f = await consentedParticipant(['phq-9'])
    const { opensAt, closesAt, closes } = await preWave(f)
    const beforeClose = at(closes - 10 * 60_000)
    // The last instant of the grace period still takes it …
    f.clock.set(at(closes + lateArrivalGraceMs))
    expect((await save(f, 'pre', [{ question: 'phq9_1', value: 1, answeredAt: beforeClose }])).status).toBe(200)
    // … a millisecond later, an answer stamped just as early no longer goes in, nor does the submit.
    f.clock.advance(1)
    const refused = await refusal(await save(f, 'pre', [{ question: 'phq9_2', value: 1, answeredAt: beforeClose }]))
    expect(refused).toMatchObject({ status: 409, code: 'wave_not_open', details: { opensAt, closesAt, state: 'closed' } })
    expect(refused.details).not.toHaveProperty('givenFrom')
    expect(await refusal(await submit(f, 'pre'))).toMatchObject({ status: 409, code: 'wave_not_open' })
    expect(await storedAnswers(f)).toEqual({ phq9_1: 1 })
  })

  it('refuses a wave not yet open, whatever window the stamp falls in', async () => {
    const f = await consentedParticipant(['phq-9'])
    const cohortId = (await findParticipant(f.deps.db, f.participant.id))!.cohortId
    await setWave(f.deps, { cohortId, kind: 'post', opens: '2026-04-01', closes: '2026-04-14', instruments: ['phq-9'] }, 'test')
    // Now (2026-03-02) the pre wave is open and the post wave is weeks away: a stamp inside the post
    // wave's own window (a clock running ahead), or inside the open pre wave's, opens neither.
    for (const answeredAt of ['2026-04-02T10:00:00.000Z', '2026-03-02T08:00:00.000Z']) {
      const refused = await refusal(await save(f, 'post', [{ question: 'phq9_1', value: 1, answeredAt }]))
      expect(refused).toMatchObject({ status: 409, code: 'wave_not_open', details: { state: 'upcoming' } })
    }
    expect(await refusal(await submit(f, 'post'))).toMatchObject({ status: 409, code: 'wave_not_open', details: { state: 'upcoming' } })
  })

  it('stores the answers of a batch given before the close, and keeps on the phone, marked, only the one given after it', async () => {
    // The server decides per batch, all or nothing; before the fix the page then kept every answer of
    // the batch, and at each later visit sent them together again, refused again, even within the grace.
    const { f, closes, store, transport, page, goOnline, isOnline } = await offlinePhone('phone-deadline-0003', (closes) => closes - 2 * 60_000)
    // Offline across the close: three answers before it, a fourth after it, sent together.
    for (let i = 1; i <= 3; i++) {
      await page.answer('pre', 'phq-9', `phq9_${i}`, 1)
      f.clock.advance(20_000)
    }
    f.clock.set(at(closes + 60_000))
    await page.answer('pre', 'phq-9', 'phq9_4', 2)
    f.clock.set(at(closes + 20 * 60_000))
    goOnline()
    await page.flush()
    expect(await storedAnswers(f)).toEqual({ phq9_1: 1, phq9_2: 1, phq9_3: 1 })
    // The late one is not stored, and the participant is told so, naming it; it stays on the phone.
    expect(page.refusals.map((r) => [r.code, r.question])).toEqual([['wave_not_open', 'phq9_4']])
    expect([...store.answers.values()].map((a) => [a.question, a.value, a.refusedWithForm])).toEqual([['phq9_4', 2, 'wave_not_open']])
    expect(page.status).toBe('error')
    // The next visit, still within the grace, sends the late answer alone: refused, kept, and nothing
    // stored changes.
    f.clock.advance(60 * 60_000)
    const again = new Outbox({ store, transport, deviceId: 'phone-deadline-0003', debounceMs: 0, retryDelaysMs: [10], isOnline, now: f.clock.now })
    await again.ready
    await again.flush()
    expect(again.refusals.map((r) => [r.code, r.question])).toEqual([['wave_not_open', 'phq9_4']])
    expect(await storedAnswers(f)).toEqual({ phq9_1: 1, phq9_2: 1, phq9_3: 1 })
    expect([...store.answers.values()].map((a) => a.question)).toEqual(['phq9_4'])
  })

  it('keeps every answer of a batch on the phone when even those given in time come after the grace', async () => {
    const { f, closes, store, page, goOnline } = await offlinePhone('phone-deadline-0004', (closes) => closes - 60_000)
    await page.answer('pre', 'phq-9', 'phq9_1', 1)
    f.clock.set(at(closes + 60_000))
    await page.answer('pre', 'phq-9', 'phq9_2', 1)
    f.clock.set(at(closes + lateArrivalGraceMs + 1))
    goOnline()
    await page.flush()
    expect(await storedAnswers(f)).toEqual({})
    expect(page.refusals.map((r) => r.code)).toEqual(['wave_not_open'])
    expect([...store.answers.values()].map((a) => [a.question, a.refusedWithForm]).sort()).toEqual([
      ['phq9_1', 'wave_not_open'],
      ['phq9_2', 'wave_not_open'],
    ])
  })

  // Found by a review of the split: it looked only at the close, so an answer stamped by a slow clock
  // before the consent took down with it one given in time.
  it('sends again on its own an answer given in time, even when another answer of the batch was stamped by a slow clock before the consent', async () => {
    // The phone's clock runs 2 h slow at first (set by hand), later right again. Consent was at 09:00.
    let skew = -2 * 3600_000
    const { f, closes, store, page, goOnline } = await offlinePhone('phone-slowclock-0001', () => Date.parse('2026-03-02T09:30:00.000Z'), () => skew)
    await page.answer('pre', 'phq-9', 'phq9_1', 1) // stamped 07:30, before consent − 1 h
    skew = 0
    f.clock.set(at(closes - 60_000))
    await page.answer('pre', 'phq-9', 'phq9_2', 2) // in time
    f.clock.set(at(closes + 60_000))
    await page.answer('pre', 'phq-9', 'phq9_3', 3) // after the close
    f.clock.set(at(closes + 20 * 60_000)) // well within the grace
    goOnline()
    await page.flush()
    // phq9_2, given in time, is stored; only the early one and the late one stay on the phone, refused.
    expect(await storedAnswers(f)).toEqual({ phq9_2: 2 })
    expect([...store.answers.values()].map((a) => [a.question, a.refusedWithForm]).sort()).toEqual([
      ['phq9_1', 'wave_not_open'],
      ['phq9_3', 'wave_not_open'],
    ])
    expect(page.refusals.map((r) => r.code)).toEqual(['wave_not_open'])
  })
})

describe('a deploy that ships a new version of a questionnaire while answers wait on the phone', () => {
  it('still submits the questionnaire the participant finished offline (the answer to the question the new version dropped cannot hold the submit back for ever)', async () => {
    const f = await consentedParticipant(['phq-9'])
    const store = memoryStore(true)
    const { transport, connection } = appTransport(f)
    let online = false
    connection.offline = true
    const page = new Outbox({ store, transport, deviceId: 'phone-deployed-0001', debounceMs: 0, retryDelaysMs: [10], isOnline: () => online, now: f.clock.now })
    await page.ready
    // The page loaded PHQ-9 1.0.0; offline, the participant answers all ten and submits.
    for (let i = 1; i <= 9; i++) {
      await page.answer('pre', 'phq-9', `phq9_${i}`, 1)
      f.clock.advance(5000)
    }
    await page.answer('pre', 'phq-9', 'phq9_difficulty', 0)
    await page.complete('pre', 'phq-9')
    expect(page.isCompletedLocally('pre', 'phq-9')).toBe(true)
    // Meanwhile the team deploys PHQ-9 1.1.0, without the difficulty item (a new file beside the old).
    deployPhq9WithoutDifficulty(f)
    expect(f.deps.instruments.get('phq-9')!.version).toBe('1.1.0')
    // Back online.
    online = true
    connection.offline = false
    for (let i = 0; i < 5; i++) await page.flush()
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { forms: { response: { status: string; answers: Record<string, unknown> } | null }[] }[] }
    const response = state.waves[0]!.forms[0]!.response
    // All ten reached the server, stored at the version the page showed (its answers fit it, not the
    // new one), and the submit went after them: before, the tenth was refused for good, and the submit
    // waited behind it for ever while the Done page said it would be sent.
    expect(Object.keys(response?.answers ?? {}).length).toBe(10)
    expect({ status: response?.status, submitWaiting: page.pending() }).toEqual({ status: 'complete', submitWaiting: false })
    expect(await f.deps.db.selectFrom('response').select('instrument_version').where('participant_id', '=', f.participant.id).execute()).toEqual([{ instrument_version: '1.0.0' }])
  })
})
