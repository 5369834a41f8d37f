/**
 * The late-arrival rule after a third review (each test failed before its fix): nothing given after
 * the close is taken, even for a questionnaire begun in time; and the consent bound leaves an hour
 * for a phone whose clock runs slow (deviceClockToleranceMs in server/domain/participation/journey.ts).
 */
import { describe, expect, it } from 'vitest'
import { addParticipants } from '../../server/domain/staff/setup'
import { findParticipant } from '../../server/db/repositories/participants'
import { jsonRequest } from '../helpers/app'
import { consentedParticipant, storedAnswers, type OutboxFixture } from '../helpers/outbox-app'

const at = (ms: number) => new Date(ms).toISOString()
const hour = 3600_000

async function closesOf(f: OutboxFixture): Promise<number> {
  const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { closesAt: string }[] }
  return Date.parse(state.waves[0]!.closesAt)
}

const put = (f: OutboxFixture, token: string, deviceId: string, answers: { question: string; value: unknown; answeredAt: string }[]) =>
  f.app.request(`/api/p/${token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId, answers }))

describe('answers given after the close to a questionnaire begun in time (methods: a baseline after session 1)', () => {
  it('refuses items answered, by an honest clock, after the pre wave closed, to a PHQ-9 of which one item was stored in time', async () => {
    const f = await consentedParticipant(['phq-9'])
    const closes = await closesOf(f)
    // An hour before the close, the page open: one item answered and stored.
    f.clock.set(at(closes - hour))
    expect((await put(f, f.token, 'left-open-0001', [{ question: 'phq9_1', value: 0, answeredAt: at(closes - hour) }])).status).toBe(200)
    // The page left open; the first group session happens; two days after the close, honest clock,
    // online, the participant answers the other eight items and submits.
    f.clock.set(at(closes + 48 * hour))
    const now = f.clock.now().toISOString()
    const rest = Array.from({ length: 8 }, (_, i) => ({ question: `phq9_${i + 2}`, value: 3, answeredAt: now }))
    const saved = await put(f, f.token, 'left-open-0001', rest)
    const submitted = await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { clientId: 'left-open-submit-1' }))
    // Answers given after the close are refused (wave_not_open), begun in time or not: before, one item
    // stored in time let any stamp in for the grace. The submit carries no time of its own (a phone
    // offline at the close sends it late too): it goes by its answers, here the one given in time.
    expect({ saved: saved.status, submitted: submitted.status }).toEqual({ saved: 409, submitted: 200 })
    expect(await storedAnswers(f)).toEqual({ phq9_1: 0 })
  })
})

describe('the consent bound against a phone clock that runs slow', () => {
  it('stores answers given just after agreeing, before the close, on a phone whose clock is two minutes slow, that arrive after the close', async () => {
    const f = await consentedParticipant(['phq-9'])
    const closes = await closesOf(f)
    const cohortId = (await findParticipant(f.deps.db, f.participant.id))!.cohortId
    // A late joiner agrees half an hour before the close (server time).
    f.clock.set(at(closes - 30 * 60_000))
    const [late] = await addParticipants(f.deps, { cohortId, count: 1 }, 'test')
    expect((await f.app.request(`/api/p/${late!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
    // They answer at once, in the lift, offline; their phone's clock runs two minutes slow (common).
    const agreedReal = closes - 30 * 60_000
    const answers = Array.from({ length: 9 }, (_, i) => ({ question: `phq9_${i + 1}`, value: 1, answeredAt: at(agreedReal + 30_000 + i * 10_000 - 2 * 60_000) }))
    // The connection returns an hour after the close, well within the grace.
    f.clock.set(at(closes + hour))
    const saved = await put(f, late!.token, 'slow-clock-0001', answers)
    // Every answer was truly given after the consent and before the close. Before 3d2565f this was
    // stored; now each stamp (10 to 90 s "before the consent" by the slow clock) refuses the whole
    // batch wave_not_open, and the page says the wave is not open.
    const code = saved.status === 200 ? null : ((await saved.json()) as { error: { code: string } }).error.code
    expect({ status: saved.status, code }).toEqual({ status: 200, code: null })
  })
})
