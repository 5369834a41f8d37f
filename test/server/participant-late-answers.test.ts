/**
 * The late-arrival rule and the version rule, after a second review of 13ea04c (each test failed
 * before its fix): a stamp before the participant's recorded consent cannot be true; a questionnaire
 * begun in time is finished within the grace, not weeks into the groups; and a page loaded before a
 * deploy, whose answers reach the server one by one, keeps the version it shows (a draft moves back
 * to it). See lateArrivalGraceMs and olderVersionAnswered in server/domain/participation/journey.ts.
 */
import { describe, expect, it } from 'vitest'
import { memoryStore, Outbox } from '../../client/participant/outbox'
import { addParticipants } from '../../server/domain/staff/setup'
import { findParticipant } from '../../server/db/repositories/participants'
import { exportFiles } from '../../server/domain/outcomes/exports'
import { jsonRequest } from '../helpers/app'
import { readExports } from '../helpers/export-cohort'
import { appTransport, consentedParticipant, deployPhq9WithoutDifficulty, storedAnswers } from '../helpers/outbox-app'

const at = (ms: number) => new Date(ms).toISOString()

describe('late arrival: the device stamp is trusted further than anything the server knows', () => {
  it('refuses pre answers "given while the wave was open" by a participant who was only enrolled and consented after it closed', async () => {
    // A cohort whose pre wave closed on 2026-03-14 (end of day in the study's zone); the group has started.
    const f = await consentedParticipant(['phq-9'])
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { closesAt: string }[] }
    const closes = Date.parse(state.waves[0]!.closesAt)
    // A day after the close the team enrols a late joiner; they open their link and agree then.
    f.clock.set(at(closes + 24 * 3600_000))
    const cohortId = (await findParticipant(f.deps.db, f.participant.id))!.cohortId
    const [late] = await addParticipants(f.deps, { cohortId, count: 1 }, 'test')
    const consent = await f.app.request(`/api/p/${late!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
    expect(consent.status).toBe(200)
    // Their phone's clock set back a week (or a crafted request): every PHQ-9 answer "given" before the close,
    // before their link even existed, before they agreed.
    const stamped = at(closes - 7 * 24 * 3600_000)
    const answers = [...Array.from({ length: 9 }, (_, i) => ({ question: `phq9_${i + 1}`, value: 0, answeredAt: stamped })), { question: 'phq9_difficulty', value: 0, answeredAt: stamped }]
    const saved = await f.app.request(`/api/p/${late!.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'late-joiner-0001', answers }))
    const submitted = await f.app.request(`/api/p/${late!.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { clientId: 'late-joiner-submit-1' }))
    // A baseline after the groups started, from someone who could not have answered while the wave was
    // open: the stamp precedes the consent the server recorded (and the link it issued), which the
    // server knows for certain. Expected: refused as a closed wave's answer is.
    expect({ saved: saved.status, submitted: submitted.status }).toEqual({ saved: 409, submitted: 409 })
  })
})

describe('the bound on answers after the close (README: "Answers given after the close are refused")', () => {
  it('refuses answers given weeks after the close to a questionnaire of which one answer was stored in time', async () => {
    const f = await consentedParticipant(['phq-9'])
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { closesAt: string }[] }
    const closes = Date.parse(state.waves[0]!.closesAt)
    // One item answered while the pre wave was open, before the groups started.
    const first = await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'begun-in-time-01', answers: [{ question: 'phq9_1', value: 0, answeredAt: f.clock.now().toISOString() }] }))
    expect(first.status).toBe(200)
    // Thirty days after the close (four group sessions later), with an honest clock: the rest of the
    // baseline, stamped now, and the submit. Neither the grace (3 days) nor the stamp holds it back.
    f.clock.set(at(closes + 30 * 24 * 3600_000))
    const now = f.clock.now().toISOString()
    const rest = [...Array.from({ length: 8 }, (_, i) => ({ question: `phq9_${i + 2}`, value: 3, answeredAt: now })), { question: 'phq9_difficulty', value: 3, answeredAt: now }]
    const saved = await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'begun-in-time-01', answers: rest }))
    const submitted = await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { clientId: 'begun-in-time-submit' }))
    expect({ saved: saved.status, submitted: submitted.status }).toEqual({ saved: 409, submitted: 409 })
  })
})

describe('the version answered in is not decided by the first batch only', () => {
  it('stores and submits the questionnaire a page loaded before a deploy shows, when its answers reach the server one by one after the deploy', async () => {
    const f = await consentedParticipant(['phq-9'])
    const store = memoryStore(true)
    const { transport } = appTransport(f)
    // The page loaded PHQ-9 1.0.0 (with the difficulty item); online, nothing answered yet.
    const page = new Outbox({ store, transport, deviceId: 'phone-deploy-s22-1', debounceMs: 0, retryDelaysMs: [10], isOnline: () => true, now: f.clock.now })
    await page.ready
    // The team deploys 1.1.0 without the difficulty item while the page stays open (the commit's own scenario).
    deployPhq9WithoutDifficulty(f)
    // The participant answers on the page they see, online: each answer goes as it is given.
    for (let i = 1; i <= 9; i++) {
      await page.answer('pre', 'phq-9', `phq9_${i}`, 1)
      await page.flush()
      f.clock.advance(5000)
    }
    await page.answer('pre', 'phq-9', 'phq9_difficulty', 0)
    await page.flush()
    await page.complete('pre', 'phq-9')
    for (let i = 0; i < 5; i++) await page.flush()
    // The first batch (phq9_1) fitted 1.1.0, so the response was made at 1.1.0, and the difficulty
    // answer the page showed is refused for good: the same loss the commit fixed for a single batch.
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { forms: { response: { status: string } | null }[] }[] }
    expect({
      refusals: page.refusals.map((r) => r.code),
      stored: Object.keys(await storedAnswers(f)).length,
      status: state.waves[0]!.forms[0]!.response?.status,
      submitWaiting: page.pending(),
    }).toEqual({ refusals: [], stored: 10, status: 'complete', submitWaiting: false })
  })
})

// The exports did not tell a questionnaire sent from the device after the close (its answers given in
// time) from one submitted while the wave was open: scores_long.csv carried no times (found by a
// review of the late-arrival rule).
describe('scores_long.csv says when each questionnaire was submitted, and whether within its wave', () => {
  it('marks one submitted while the wave was open 1, and one that arrived after the close, answered in time, 0', async () => {
    const f = await consentedParticipant(['phq-9'])
    const state = (await (await f.app.request(`/api/p/${f.token}`)).json()) as { waves: { closesAt: string }[] }
    const closes = Date.parse(state.waves[0]!.closesAt)
    const cohortId = (await findParticipant(f.deps.db, f.participant.id))!.cohortId
    const [offline] = await addParticipants(f.deps, { cohortId, count: 1 }, 'test')
    expect((await f.app.request(`/api/p/${offline!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
    const phq = (stamp: string) => [...Array.from({ length: 9 }, (_, i) => ({ question: `phq9_${i + 1}`, value: 1, answeredAt: stamp })), { question: 'phq9_difficulty', value: 0, answeredAt: stamp }]

    // P1 answers and submits on 2 March; P2 answers the same day, on a phone that then loses its signal.
    const inTime = f.clock.now().toISOString()
    expect((await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'in-time-device-01', answers: phq(inTime) }))).status).toBe(200)
    expect((await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { clientId: 'in-time-submit-01' }))).status).toBe(200)
    // P2's phone reconnects a day after the close: everything it held is taken (lateArrivalGraceMs).
    f.clock.set(at(closes + 24 * 3600_000))
    const arrived = f.clock.now().toISOString()
    expect((await f.app.request(`/api/p/${offline!.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'offline-device-01', answers: phq(inTime) }))).status).toBe(200)
    expect((await f.app.request(`/api/p/${offline!.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { clientId: 'late-submit-0001' }))).status).toBe(200)

    const files = await readExports(await exportFiles(f.deps, cohortId))
    const rows = files['scores_long.csv'].trim().split('\n')
    expect(rows[0]).toBe('participant,wave,instrument,version,scale,score,band,prorated,completed_at,source,in_wave')
    expect(rows.slice(1)).toEqual([`P1,pre,phq-9,1.0.0,total,9,Mild,0,${inTime},link,1`, `P2,pre,phq-9,1.0.0,total,9,Mild,0,${arrived},link,0`])
    // The dictionary says what each column holds.
    expect(files['dictionary.csv']).toContain('in_wave,scores_long.csv,')
  })
})
