/**
 * A phone whose clock ran a day fast, set right (NTP) between two answers to one question: the real
 * client outbox (client/participant/outbox.ts) against the real app through app.request(). The server
 * orders two answers of one device by the device's own times as sent (answer-merge.ts), so the page
 * must never stamp an answer earlier than one it stamped before, or the participant's latest answer
 * loses to the one it replaced.
 */
import { describe, expect, it } from 'vitest'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { memoryStore, Outbox, type Outcome, type Transport } from '../../client/participant/outbox'
import { jsonRequest, testApp, testClock } from '../helpers/app'

async function consentedFixture() {
  const clock = testClock('2026-03-02T09:00:00.000Z')
  const built = await testApp({ clock })
  const study = await createStudy(built.deps, { name: 'Balint pilot' }, 'test')
  const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(built.deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  const [participant] = await addParticipants(built.deps, { cohortId: cohort.id, count: 1 }, 'test')
  const token = participant!.token
  expect((await built.app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
  return { ...built, token }
}

type Fixture = Awaited<ReturnType<typeof consentedFixture>>

/** The real server seen through the outbox's transport (every reply is the server's own). */
function appTransport(f: Fixture): Transport {
  const outcomeOf = async (res: Response): Promise<Outcome> => {
    if (res.ok) return { ok: true }
    const body = (await res.json()) as { error: { code: string; message: string } }
    return { ok: false, kind: 'rejected', code: body.error.code, message: body.error.message, fields: [] }
  }
  return {
    saveAnswers: async (slot, instrument, body) => outcomeOf(await f.app.request(`/api/p/${f.token}/forms/${slot}/${instrument}/answers`, jsonRequest('PUT', body))),
    complete: async (slot, instrument, body) => outcomeOf(await f.app.request(`/api/p/${f.token}/forms/${slot}/${instrument}/complete`, jsonRequest('POST', body))),
  }
}

async function storedPhq9(f: Fixture): Promise<Record<string, unknown>> {
  const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { kind: string; forms: { instrument: { id: string }; response: { answers: Record<string, unknown> } | null }[] }[] }
  return state.waves.find((w) => w.kind === 'pre')!.forms.find((x) => x.instrument.id === 'phq-9')!.response?.answers ?? {}
}

describe('a phone clock set back a day between two answers to one question', () => {
  it('stores the answer given after the clock went back (3), not the one it replaced (1)', async () => {
    const f = await consentedFixture()
    // The phone's clock runs a day fast: at 09:00 (the server's) it reads 09:00 tomorrow.
    const phone = { time: new Date('2026-03-03T09:00:00.000Z') }
    const outbox = new Outbox({ store: memoryStore(true), transport: appTransport(f), deviceId: 'phone-clock-back-01', debounceMs: 0, retryDelaysMs: [50], now: () => new Date(phone.time) })
    await outbox.ready
    await outbox.answer('pre', 'phq-9', 'phq9_1', 1)
    await outbox.flush()
    expect(await storedPhq9(f)).toEqual({ phq9_1: 1 })
    // NTP sets the clock right; ten seconds later the participant changes the answer to 3.
    f.clock.set('2026-03-02T09:00:10.000Z')
    phone.time = new Date('2026-03-02T09:00:10.000Z')
    await outbox.answer('pre', 'phq-9', 'phq9_1', 3)
    await outbox.flush()
    expect(outbox.status).toBe('saved')
    expect(await storedPhq9(f)).toEqual({ phq9_1: 3 })
  })

  it('stores the 3 when the page was reloaded between the two answers, with nothing left on the device but the last stamp', async () => {
    const f = await consentedFixture()
    const device = memoryStore(true)
    const phone = { time: new Date('2026-03-03T09:00:00.000Z') }
    const options = { store: device, transport: appTransport(f), deviceId: 'phone-clock-back-02', debounceMs: 0, retryDelaysMs: [50], now: () => new Date(phone.time) }
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
    expect(await storedPhq9(f)).toEqual({ phq9_1: 3 })
  })
})
