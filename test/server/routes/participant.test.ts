/**
 * The participant API over HTTP: every test builds a study, a cohort with its waves and one
 * participant on a fresh in-memory database, then talks to the app only through `app.request()`.
 * Database rows are read directly to check what was (and was not) written.
 */
import { describe, it, expect } from 'vitest'
import { createToken } from '../../../server/domain/participation/tokens'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { revokeLinks } from '../../../server/db/repositories/participants'
import { jsonRequest, testApp, testClock } from '../../helpers/app'

type App = Awaited<ReturnType<typeof testApp>>

/**
 * One study, one cohort and one participant (P1). Waves, with the clock at its default
 * 2026-03-02T09:00Z:
 * - pre: 2026-03-01 to 2026-03-14 (open; closes at 2026-03-15T00:00Z), PHQ-9 then GAD-7
 * - post: 2026-04-01 to 2026-04-14 (upcoming), PHQ-9 then GAD-7
 * - follow-up: 2026-05-01 to 2026-05-14 (upcoming), WHO-5
 */
async function fixture(options: { maxBodyBytes?: number; clockStart?: string } = {}) {
  const clock = testClock(options.clockStart)
  const built = await testApp({ clock, maxBodyBytes: options.maxBodyBytes })
  const { deps } = built
  const study = await createStudy(deps, { name: 'Balint pilot' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
  const pre = await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9', 'gad-7'] }, 'test')
  const post = await setWave(deps, { cohortId: cohort.id, kind: 'post', opens: '2026-04-01', closes: '2026-04-14', instruments: ['phq-9', 'gad-7'] }, 'test')
  await setWave(deps, { cohortId: cohort.id, kind: 'follow-up', opens: '2026-05-01', closes: '2026-05-14', instruments: ['who-5'] }, 'test')
  const [participant] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
  if (!participant) throw new Error('fixture: no participant created')
  return { ...built, study, cohort, pre, post, participant, token: participant.token }
}

/** A participant who has agreed to take part. */
async function consentedFixture(options: Parameters<typeof fixture>[0] = {}) {
  const f = await fixture(options)
  const res = await f.app.request(`/api/p/${f.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
  if (res.status !== 200) throw new Error(`fixture: consent failed with ${res.status}: ${await res.text()}`)
  return f
}

/** PHQ-9 answers phq9_1..phq9_9 from the given values. */
function phq9(values: number[]): Record<string, number> {
  return Object.fromEntries(values.map((v, i) => [`phq9_${i + 1}`, v]))
}

const answersUrl = (token: string, slot: string, instrument: string) => `/api/p/${token}/forms/${slot}/${instrument}/answers`

/** The body of PUT …/answers: each answer of `record` given on one device at one time (default: a minute before the test clock's start). */
function given(record: Record<string, unknown>, options: { deviceId?: string; at?: string } = {}) {
  const answeredAt = options.at ?? '2026-03-02T08:59:00.000Z'
  return { deviceId: options.deviceId ?? 'device-test-0001', answers: Object.entries(record).map(([question, value]) => ({ question, value, answeredAt })) }
}
const completeUrl = (token: string, slot: string, instrument: string) => `/api/p/${token}/forms/${slot}/${instrument}/complete`

/** Complete the PHQ-9 of `slot` with the nine answers `values` (phq9_1..phq9_9), as the participant's page submits it. */
const submitPhq9 = (app: App['app'], token: string, slot: string, values: number[], clientId: string) => app.request(completeUrl(token, slot, 'phq-9'), jsonRequest('POST', { answers: phq9(values), clientId }))

/**
 * Assert the one error shape every non-2xx body has: `{ error: { code, message, details? } }` with a
 * snake_case code and nothing else beside it. Returns the parsed body.
 */
async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } }
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code })
  expect(Object.keys(body)).toEqual(['error'])
  expect(Object.keys(body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true)
  expect(body.error.code).toMatch(/^[a-z]+(_[a-z]+)*$/)
  expect(typeof body.error.message).toBe('string')
  expect(body.error.message.length).toBeGreaterThan(0)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return body
}

function fieldsOf(body: { error: { details?: unknown } }): string[] {
  return (body.error.details as { field: string }[]).map((d) => d.field)
}

/** Everything a participant request could write, to compare before and after a rejected request. */
async function snapshot(db: App['db']) {
  return {
    participant: await db.selectFrom('participant').selectAll().orderBy('id').execute(),
    consent: await db.selectFrom('consent').selectAll().orderBy('id').execute(),
    response: await db.selectFrom('response').selectAll().orderBy('id').execute(),
    response_answer: await db.selectFrom('response_answer').selectAll().orderBy('response_id').orderBy('question').execute(),
    response_answer_history: await db.selectFrom('response_answer_history').selectAll().orderBy('id').execute(),
    scale_score: await db.selectFrom('scale_score').selectAll().orderBy('response_id').orderBy('scale_id').execute(),
    response_flag: await db.selectFrom('response_flag').selectAll().orderBy('response_id').orderBy('flag_id').execute(),
    audit_log: await db.selectFrom('audit_log').selectAll().orderBy('id').execute(),
  }
}

async function count(db: App['db'], table: 'consent' | 'response' | 'scale_score' | 'response_flag' | 'audit_log'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

async function auditCount(db: App['db'], action: string): Promise<number> {
  const rows = await db.selectFrom('audit_log').select('id').where('action', '=', action).execute()
  return rows.length
}

async function participantRow(db: App['db'], id: string) {
  return db.selectFrom('participant').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

async function getState(app: App['app'], token: string) {
  const res = await app.request(`/api/p/${token}`)
  expect(res.status).toBe(200)
  return (await res.json()) as {
    study: { name: string }
    participant: { code: string; status: string; withdrawnAt: string | null }
    consent: { instrument: { id: string; version: string }; decision: string | null; decidedAt: string | null; agreed: { id: string; version: string } | null }
    enrolment: { instrument: { id: string }; response: null | { status: string; answers: Record<string, unknown>; revision: number } }[]
    waves: {
      kind: string
      opensAt: string
      closesAt: string
      state: string
      forms: { instrument: { id: string; version: string }; response: null | { status: string; answers: Record<string, unknown>; revision: number; completedAt: string | null } }[]
    }[]
  }
}

describe('GET /api/p/:token', () => {
  it('returns the study, the consent form, the enrolment forms and each wave with its state', async () => {
    const { app, token } = await fixture()
    const state = await getState(app, token)

    expect(state.study).toEqual({ name: 'Balint pilot', language: 'en', timeZone: 'UTC' })
    expect(state.participant).toEqual({ code: 'P1', status: 'invited', withdrawnAt: null })
    expect(state.consent).toMatchObject({ instrument: { id: 'consent', version: '1.1.0' }, decision: null, decidedAt: null })
    expect(state.enrolment.map((f) => [f.instrument.id, f.response])).toEqual([['demographics', null]])
    // The clock is 2026-03-02T09:00Z.
    expect(state.waves.map((w) => ({ kind: w.kind, opensAt: w.opensAt, closesAt: w.closesAt, state: w.state, forms: w.forms.map((f) => f.instrument.id) }))).toEqual([
      { kind: 'pre', opensAt: '2026-03-01T00:00:00.000Z', closesAt: '2026-03-15T00:00:00.000Z', state: 'open', forms: ['phq-9', 'gad-7'] },
      { kind: 'post', opensAt: '2026-04-01T00:00:00.000Z', closesAt: '2026-04-15T00:00:00.000Z', state: 'upcoming', forms: ['phq-9', 'gad-7'] },
      { kind: 'follow-up', opensAt: '2026-05-01T00:00:00.000Z', closesAt: '2026-05-15T00:00:00.000Z', state: 'upcoming', forms: ['who-5'] },
    ])
    expect(state.waves[0]!.forms.every((f) => f.response === null)).toBe(true)
  })

  it('moves waves from upcoming to open to closed as the clock moves', async () => {
    const { app, token, clock } = await fixture()
    clock.set('2026-04-05T12:00:00.000Z')
    expect((await getState(app, token)).waves.map((w) => w.state)).toEqual(['closed', 'open', 'upcoming'])
    clock.set('2026-06-01T00:00:00.000Z')
    expect((await getState(app, token)).waves.map((w) => w.state)).toEqual(['closed', 'closed', 'closed'])
  })

  it('treats opensAt as inclusive and closesAt as exclusive', async () => {
    const { app, token, clock } = await fixture()
    clock.set('2026-03-31T23:59:59.999Z')
    expect((await getState(app, token)).waves[1]!.state).toBe('upcoming')
    clock.set('2026-04-01T00:00:00.000Z')
    expect((await getState(app, token)).waves[1]!.state).toBe('open')
    clock.set('2026-04-14T23:59:59.999Z')
    expect((await getState(app, token)).waves[1]!.state).toBe('open')
    clock.set('2026-04-15T00:00:00.000Z')
    expect((await getState(app, token)).waves[1]!.state).toBe('closed')
  })

  it('lists waves that open on the same day in study order: pre, post, follow-up', async () => {
    const { app, deps, cohort, token } = await fixture()
    for (const kind of ['follow-up', 'post', 'pre'] as const) {
      await setWave(deps, { cohortId: cohort.id, kind, opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'], confirmOverlap: true }, 'test')
    }
    expect((await getState(app, token)).waves.map((w) => w.kind)).toEqual(['pre', 'post', 'follow-up'])
  })

  it('answers an unknown, a malformed and a revoked link with the same 404 body', async () => {
    const { app, token, participant, db, clock } = await fixture()
    const unknown = await app.request(`/api/p/${createToken().token}`)
    const malformed = await app.request('/api/p/not-a-token')
    const tooLong = await app.request(`/api/p/${token}A`)
    await revokeLinks(db, participant.id, clock.now())
    const revoked = await app.request(`/api/p/${token}`)

    const bodies = []
    for (const res of [unknown, malformed, tooLong, revoked]) bodies.push(await expectError(res, 404, 'link_not_found'))
    expect(bodies[1]).toEqual(bodies[0])
    expect(bodies[2]).toEqual(bodies[0])
    expect(bodies[3]).toEqual(bodies[0])
    expect(bodies[0]!.error.details).toBeUndefined()
  })

  it('refuses every write through a revoked link', async () => {
    const { app, token, participant, db, clock } = await consentedFixture()
    await revokeLinks(db, participant.id, clock.now())
    const before = await snapshot(db)
    await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 }))), 404, 'link_not_found')
    await expectError(await submitPhq9(app, token, 'pre', [1, 1, 1, 1, 1, 1, 1, 1, 1], 'client-0001'), 404, 'link_not_found')
    await expectError(await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: false })), 404, 'link_not_found')
    expect(await snapshot(db)).toEqual(before)
  })
})

describe('POST /api/p/:token/consent', () => {
  it('records a decline, leaves the participant invited, and then refuses to save any answer', async () => {
    const { app, token, participant, db } = await fixture()
    const res = await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'decline' } }))
    expect(res.status).toBe(200)
    const state = (await res.json()) as Awaited<ReturnType<typeof getState>>
    expect(state.consent).toMatchObject({ decision: 'decline', decidedAt: '2026-03-02T09:00:00.000Z' })
    expect(state.participant.status).toBe('invited')

    const consents = await db.selectFrom('consent').selectAll().execute()
    expect(consents).toHaveLength(1)
    expect(consents[0]).toMatchObject({ participant_id: participant.id, instrument_id: 'consent', instrument_version: '1.1.0', decision: 'decline' })
    expect(JSON.parse(consents[0]!.answers)).toEqual({ consent: 'decline' })
    expect((await participantRow(db, participant.id)).status).toBe('invited')
    expect(await auditCount(db, 'consent.decline')).toBe(1)

    const before = await snapshot(db)
    await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 }))), 409, 'consent_required')
    await expectError(await app.request(answersUrl(token, 'enrolment', 'demographics'), jsonRequest('PUT', given({ age: 40 }))), 409, 'consent_required')
    await expectError(await submitPhq9(app, token, 'pre', [0, 0, 0, 0, 0, 0, 0, 0, 0], 'client-0001'), 409, 'consent_required')
    expect(await snapshot(db)).toEqual(before)
  })

  it('refuses to save answers before any consent decision', async () => {
    const { app, token, db } = await fixture()
    await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 }))), 409, 'consent_required')
    expect(await count(db, 'response')).toBe(0)
  })

  it('marks the participant consented on agree', async () => {
    const { app, token, participant, db } = await fixture()
    const res = await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
    expect(res.status).toBe(200)
    const state = (await res.json()) as Awaited<ReturnType<typeof getState>>
    expect(state.participant.status).toBe('consented')
    expect(state.consent).toMatchObject({ decision: 'agree', decidedAt: '2026-03-02T09:00:00.000Z' })
    // The copy they can read again is the version they agreed to.
    expect(state.consent.agreed).toMatchObject({ id: 'consent', version: '1.1.0' })
    expect((await participantRow(db, participant.id)).status).toBe('consented')
    expect(await db.selectFrom('consent').select('decision').execute()).toEqual([{ decision: 'agree' }])
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'consent.agree').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor: `participant:${participant.id}`, entity: 'participant', entity_id: participant.id })
  })

  it('treats a retried identical consent as a no-op', async () => {
    const { app, token, clock, db } = await fixture()
    const body = { version: '1.1.0', answers: { consent: 'agree' } }
    const first = await app.request(`/api/p/${token}/consent`, jsonRequest('POST', body))
    clock.advance(60_000)
    const second = await app.request(`/api/p/${token}/consent`, jsonRequest('POST', body))
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual(await first.json())
    expect(await count(db, 'consent')).toBe(1)
    expect(await auditCount(db, 'consent.agree')).toBe(1)
  })

  it('lets a participant who declined agree later', async () => {
    const { app, token, clock, db } = await fixture()
    await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'decline' } }))
    clock.advance(60_000)
    const res = await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
    expect(res.status).toBe(200)
    expect(((await res.json()) as Awaited<ReturnType<typeof getState>>).participant.status).toBe('consented')
    expect(await db.selectFrom('consent').select('decision').orderBy('decided_at').execute()).toEqual([{ decision: 'decline' }, { decision: 'agree' }])
  })

  it('refuses a decline after agreeing: that is a withdrawal', async () => {
    const { app, token, clock, db } = await consentedFixture()
    clock.advance(60_000)
    const before = await snapshot(db)
    const body = await expectError(await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'decline' } })), 409, 'conflict')
    expect(body.error.message).toMatch(/withdraw/i)
    expect(await snapshot(db)).toEqual(before)
  })

  it('keeps offering the version a participant agreed to after a newer information sheet ships', async () => {
    const { app, token, db, participant } = await fixture()
    await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
    // As if they had agreed before version 1.1.0 shipped.
    await db.updateTable('consent').set({ instrument_version: '1.0.0' }).where('participant_id', '=', participant.id).execute()
    const state = (await (await app.request(`/api/p/${token}`)).json()) as { consent: { instrument: { version: string }; agreed: { version: string; survey: unknown } | null } }
    expect(state.consent.instrument.version).toBe('1.1.0')
    expect(state.consent.agreed?.version).toBe('1.0.0')
    expect(JSON.stringify(state.consent.agreed?.survey)).not.toContain('In short')
  })

  it('refuses a consent given to another version of the form with 409 and the current version', async () => {
    const { app, token, db } = await fixture()
    const body = await expectError(await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '0.9.0', answers: { consent: 'agree' } })), 409, 'conflict')
    expect(body.error.details).toEqual({ currentVersion: '1.1.0' })
    expect(await count(db, 'consent')).toBe(0)
  })

  it('names answers.consent when the decision is missing', async () => {
    const { app, token, db } = await fixture()
    const body = await expectError(await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: {} })), 422, 'validation_failed')
    expect(fieldsOf(body)).toEqual(['answers.consent'])
    expect(await count(db, 'consent')).toBe(0)
  })

  it('rejects a decision that is neither agree nor decline', async () => {
    const { app, token, db } = await fixture()
    const body = await expectError(await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'yes' } })), 422, 'validation_failed')
    expect(fieldsOf(body)).toEqual(['answers.consent'])
    expect(await count(db, 'consent')).toBe(0)
  })
})

describe('PUT /api/p/:token/forms/:slot/:instrument/answers', () => {
  it('stores the answers as a draft and makes the participant active', async () => {
    const { app, token, participant, pre, db } = await consentedFixture()
    const res = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 2, phq9_2: 0 })))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'draft', answers: { phq9_1: 2, phq9_2: 0 }, revision: 1, savedAt: '2026-03-02T09:00:00.000Z' })

    const rows = await db.selectFrom('response').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      participant_id: participant.id,
      wave_id: pre.id,
      instrument_id: 'phq-9',
      instrument_version: '1.0.0',
      status: 'draft',
      revision: 1,
      client_id: null,
      completed_at: null,
    })
    expect(JSON.parse(rows[0]!.answers)).toEqual({ phq9_1: 2, phq9_2: 0 })
    expect((await participantRow(db, participant.id)).status).toBe('active')
    // A draft is not scored.
    expect(await count(db, 'scale_score')).toBe(0)
  })

  it('merges answers question by question: a later answer replaces an earlier one, which is kept in history', async () => {
    const { app, token, clock, db } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 2, phq9_2: 1 }, { deviceId: 'ward-phone-01', at: '2026-03-02T08:50:00.000Z' })))
    clock.advance(5_000)
    // Another device answers item 1 later and item 3 for the first time; item 2 is left alone.
    const res = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 3, phq9_3: 0 }, { deviceId: 'home-laptop-01', at: '2026-03-02T08:55:00.000Z' })))
    expect(await res.json()).toEqual({ status: 'draft', answers: { phq9_1: 3, phq9_2: 1, phq9_3: 0 }, revision: 2, savedAt: '2026-03-02T09:00:05.000Z' })
    const rows = await db.selectFrom('response').selectAll().execute()
    expect({ revision: rows[0]!.revision, answers: JSON.parse(rows[0]!.answers), updated: rows[0]!.updated_at, started: rows[0]!.started_at }).toEqual({
      revision: 2,
      answers: { phq9_1: 3, phq9_2: 1, phq9_3: 0 },
      updated: '2026-03-02T09:00:05.000Z',
      started: '2026-03-02T09:00:00.000Z',
    })
    expect(await db.selectFrom('response_answer_history').select(['question', 'value', 'device_id', 'answered_at']).execute()).toEqual([
      { question: 'phq9_1', value: '2', device_id: 'ward-phone-01', answered_at: '2026-03-02T08:50:00.000Z' },
    ])
  })

  it('keeps the later answer when an earlier one arrives late, and keeps the earlier in history', async () => {
    const { app, token, db } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 3 }, { deviceId: 'home-laptop-01', at: '2026-03-02T08:55:00.000Z' })))
    const res = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 0, phq9_2: 2 }, { deviceId: 'ward-phone-01', at: '2026-03-02T08:50:00.000Z' })))
    expect(res.status).toBe(200)
    expect((await res.json()).answers).toEqual({ phq9_1: 3, phq9_2: 2 })
    expect(await db.selectFrom('response_answer_history').select(['question', 'value', 'device_id']).execute()).toEqual([{ question: 'phq9_1', value: '0', device_id: 'ward-phone-01' }])
  })

  it('changes nothing when the same answers are sent again (a retry after a lost response)', async () => {
    const { app, token, clock, db } = await consentedFixture()
    const body = given({ phq9_1: 2, phq9_2: 1 })
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', body))
    const stored = await snapshot(db)
    clock.advance(5_000)
    for (let i = 0; i < 3; i++) {
      const res = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', body))
      expect(res.status).toBe(200)
      expect((await res.json()).answers).toEqual({ phq9_1: 2, phq9_2: 1 })
    }
    expect(await snapshot(db)).toEqual(stored)
  })

  it('clears an answer with a later null, and a later answer brings it back', async () => {
    const { app, token, db } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 2, phq9_2: 1 }, { at: '2026-03-02T08:50:00.000Z' })))
    const cleared = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: null }, { at: '2026-03-02T08:51:00.000Z' })))
    expect((await cleared.json()).answers).toEqual({ phq9_2: 1 })
    // An answer given before the clearing, arriving after it, does not bring the value back.
    const late = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 3 }, { deviceId: 'other-device-1', at: '2026-03-02T08:50:30.000Z' })))
    expect((await late.json()).answers).toEqual({ phq9_2: 1 })
    const again = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 }, { at: '2026-03-02T08:52:00.000Z' })))
    expect((await again.json()).answers).toEqual({ phq9_1: 1, phq9_2: 1 })
    expect(await db.selectFrom('response_answer_history').select(['value']).orderBy('answered_at').execute()).toEqual([{ value: '2' }, { value: '3' }, { value: null }])
  })

  it('clamps an answer time in the future to the server clock, so a fast device clock cannot win every later conflict', async () => {
    const { app, token, clock, db } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 2 }, { deviceId: 'fast-clock-01', at: '2027-01-01T00:00:00.000Z' })))
    expect(await db.selectFrom('response_answer').select('answered_at').executeTakeFirst()).toEqual({ answered_at: '2026-03-02T09:00:00.000Z' })
    clock.advance(60_000)
    const res = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 0 }, { at: '2026-03-02T09:00:30.000Z' })))
    expect((await res.json()).answers).toEqual({ phq9_1: 0 })
  })

  it('refuses a late answer after completion, naming the question, and accepts a retry of an answer it holds', async () => {
    const { app, token, db } = await consentedFixture()
    const early = given({ phq9_1: 1, phq9_2: 1 })
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', early))
    expect((await app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', { clientId: 'submit-0001' }))).status).toBe(200)
    const before = await snapshot(db)
    expect((await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', early))).status).toBe(200)
    const late = await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1, phq9_3: 2 }, { deviceId: 'home-laptop-01' }))), 409, 'already_complete')
    expect(late.error.message).toMatch(/phq9_1, phq9_3 was not stored/)
    expect(late.error.details).toEqual({ completedAt: '2026-03-02T09:00:00.000Z', questions: ['phq9_1', 'phq9_3'] })
    expect(await snapshot(db)).toEqual(before)
  })

  it('returns the saved draft on reload', async () => {
    const { app, token } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'gad-7'), jsonRequest('PUT', given({ gad7_1: 1, gad7_3: 3 })))
    const state = await getState(app, token)
    const pre = state.waves.find((w) => w.kind === 'pre')!
    expect(pre.forms.map((f) => f.instrument.id)).toEqual(['phq-9', 'gad-7'])
    expect(pre.forms[0]!.response).toBeNull()
    expect(pre.forms[1]!.response).toMatchObject({ status: 'draft', answers: { gad7_1: 1, gad7_3: 3 }, revision: 1, completedAt: null })
    expect(state.participant.status).toBe('active')
  })

  it('keeps drafts of the same instrument in different waves apart', async () => {
    const { app, token, clock, db } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 3 })))
    clock.set('2026-04-02T09:00:00.000Z')
    const res = await app.request(answersUrl(token, 'post', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 0 })))
    expect(res.status).toBe(200)
    expect(await count(db, 'response')).toBe(2)
    const state = await getState(app, token)
    expect(state.waves.map((w) => w.forms[0]?.response?.answers ?? null)).toEqual([{ phq9_1: 3 }, { phq9_1: 0 }, null])
  })

  it('saves the demographics of the enrolment slot outside any wave', async () => {
    const { app, token, participant, db } = await consentedFixture()
    const answers = { age: 34, sex: 'female', role: 'other', 'role-Comment': 'Midwife', years_in_practice: 2.5 }
    const res = await app.request(answersUrl(token, 'enrolment', 'demographics'), jsonRequest('PUT', given(answers)))
    expect(res.status).toBe(200)
    const rows = await db.selectFrom('response').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ participant_id: participant.id, wave_id: null, instrument_id: 'demographics', status: 'draft', revision: 1 })
    expect(JSON.parse(rows[0]!.answers)).toEqual(answers)
    const state = await getState(app, token)
    expect(state.enrolment[0]!.response).toMatchObject({ status: 'draft', answers, revision: 1 })
  })

  it('saves enrolment forms whatever the waves say', async () => {
    // No wave is open on 2026-03-20; demographics belong to no wave.
    const { app, token } = await consentedFixture({ clockStart: '2026-03-20T09:00:00.000Z' })
    const res = await app.request(answersUrl(token, 'enrolment', 'demographics'), jsonRequest('PUT', given({ age: 50 })))
    expect(res.status).toBe(200)
  })

  it('refuses a questionnaire in the enrolment slot and demographics in a wave', async () => {
    const { app, token, db } = await consentedFixture()
    await expectError(await app.request(answersUrl(token, 'enrolment', 'phq-9'), jsonRequest('PUT', given({ age: 30 }))), 404, 'not_found')
    await expectError(await app.request(answersUrl(token, 'pre', 'demographics'), jsonRequest('PUT', given({ age: 30 }))), 404, 'not_found')
    expect(await count(db, 'response')).toBe(0)
  })
})

describe('POST /api/p/:token/forms/:slot/:instrument/complete', () => {
  it('stores the response as complete and scores it on the server', async () => {
    const { app, token, participant, pre, db } = await consentedFixture()
    // 3+3+2+2+1+1+1+1+0 = 14 → 10–14 "Moderate", band 2 (Kroenke et al. 2001); item 9 is 0, so no flag.
    const answers = { ...phq9([3, 3, 2, 2, 1, 1, 1, 1, 0]), phq9_difficulty: 1 }
    const res = await app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', { answers, clientId: 'submit-0001' }))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'complete', completedAt: '2026-03-02T09:00:00.000Z', instrument: 'phq-9', version: '1.0.0' })

    const rows = await db.selectFrom('response').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      participant_id: participant.id,
      wave_id: pre.id,
      instrument_id: 'phq-9',
      status: 'complete',
      client_id: 'submit-0001',
      completed_at: '2026-03-02T09:00:00.000Z',
    })
    expect(JSON.parse(rows[0]!.answers)).toEqual(answers)
    expect(await db.selectFrom('scale_score').selectAll().execute()).toEqual([
      { response_id: rows[0]!.id, scale_id: 'total', score: 14, band_index: 2, answered: 9, prorated: 0 },
    ])
    expect(await count(db, 'response_flag')).toBe(0)
    expect(await auditCount(db, 'response.flagged')).toBe(0)
    expect((await participantRow(db, participant.id)).status).toBe('active')

    const state = await getState(app, token)
    expect(state.waves[0]!.forms[0]!.response).toMatchObject({ status: 'complete', answers, completedAt: '2026-03-02T09:00:00.000Z' })
  })

  it('raises a safety flag when PHQ-9 item 9 is above 0', async () => {
    const { app, token, db } = await consentedFixture()
    // 2+2+2+2+2+1+1+1+1 = 14, band 2; item 9 = 1 raises the flag.
    const res = await submitPhq9(app, token, 'pre', [2, 2, 2, 2, 2, 1, 1, 1, 1], 'submit-0001')
    expect(res.status).toBe(200)
    const response = await db.selectFrom('response').select('id').executeTakeFirstOrThrow()
    expect(await db.selectFrom('scale_score').select(['score', 'band_index']).execute()).toEqual([{ score: 14, band_index: 2 }])
    expect(await db.selectFrom('response_flag').selectAll().execute()).toEqual([
      { response_id: response.id, flag_id: 'phq9-item9', item: 'phq9_9', value: 1, severity: 'safety', raised_at: '2026-03-02T09:00:00.000Z' },
    ])
    const flagged = await db.selectFrom('audit_log').selectAll().where('action', '=', 'response.flagged').execute()
    expect(flagged).toHaveLength(1)
    expect(flagged[0]).toMatchObject({ actor: 'system', entity: 'response', entity_id: response.id })
    // The audit log records that a flag was raised, never the answers.
    expect(JSON.parse(flagged[0]!.details)).toEqual({ flags: ['phq9-item9'] })
  })

  it('prorates a PHQ-9 with two items unanswered', async () => {
    const { app, token, db } = await consentedFixture()
    // 7 answered, 2+2+2+2+2+2+2 = 14 → 14 × 9 / 7 = 18, band 3 ("Moderately severe", 15–19).
    const answers = phq9([2, 2, 2, 2, 2, 2, 2])
    expect((await app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', { answers, clientId: 'submit-0001' }))).status).toBe(200)
    expect(await db.selectFrom('scale_score').select(['score', 'band_index', 'answered', 'prorated']).execute()).toEqual([{ score: 18, band_index: 3, answered: 7, prorated: 1 }])
  })

  it('completes an existing draft in place', async () => {
    const { app, token, clock, db } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'gad-7'), jsonRequest('PUT', given({ gad7_1: 1 })))
    clock.advance(60_000)
    // GAD-7 1+1+1+1+1+1+1 = 7 → 5–9 "Mild", band 1 (Spitzer et al. 2006).
    const answers = { gad7_1: 1, gad7_2: 1, gad7_3: 1, gad7_4: 1, gad7_5: 1, gad7_6: 1, gad7_7: 1 }
    const res = await app.request(completeUrl(token, 'pre', 'gad-7'), jsonRequest('POST', { answers, clientId: 'submit-0002' }))
    expect(res.status).toBe(200)
    const rows = await db.selectFrom('response').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ status: 'complete', revision: 2, started_at: '2026-03-02T09:00:00.000Z', completed_at: '2026-03-02T09:01:00.000Z' })
    expect(JSON.parse(rows[0]!.answers)).toEqual(answers)
    expect(await db.selectFrom('scale_score').select(['scale_id', 'score', 'band_index']).execute()).toEqual([{ scale_id: 'total', score: 7, band_index: 1 }])
  })

  it('answers a retried submit with the same clientId with the first result and writes nothing', async () => {
    const { app, token, clock, db } = await consentedFixture()
    const answers = phq9([3, 3, 2, 2, 1, 1, 1, 1, 1])
    const first = await app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', { answers, clientId: 'submit-0001' }))
    const firstBody = await first.json()
    const after = await snapshot(db)

    clock.advance(30_000)
    const retry = await app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', { answers, clientId: 'submit-0001' }))
    expect(retry.status).toBe(200)
    expect(await retry.json()).toEqual(firstBody)
    expect(await snapshot(db)).toEqual(after)
    expect(await count(db, 'response')).toBe(1)
    expect(await count(db, 'scale_score')).toBe(1)
    expect(await count(db, 'response_flag')).toBe(1)
    expect(await auditCount(db, 'response.complete')).toBe(1)
  })

  it('refuses a second submit with a different clientId', async () => {
    const { app, token, db } = await consentedFixture()
    await submitPhq9(app, token, 'pre', [1, 1, 1, 1, 1, 1, 1, 1, 0], 'submit-0001')
    const before = await snapshot(db)
    const body = await expectError(await submitPhq9(app, token, 'pre', [3, 3, 3, 3, 3, 3, 3, 3, 3], 'submit-0002'), 409, 'already_complete')
    expect(body.error.details).toEqual({ completedAt: '2026-03-02T09:00:00.000Z' })
    expect(await snapshot(db)).toEqual(before)
  })

  it('refuses a draft save after completion', async () => {
    const { app, token, db } = await consentedFixture()
    await submitPhq9(app, token, 'pre', [1, 1, 1, 1, 1, 1, 1, 1, 0], 'submit-0001')
    const before = await snapshot(db)
    await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 3 }))), 409, 'already_complete')
    expect(await snapshot(db)).toEqual(before)
  })

  it('refuses a clientId already used for another questionnaire', async () => {
    const { app, token, db } = await consentedFixture()
    await submitPhq9(app, token, 'pre', [1, 1, 1, 1, 1, 1, 1, 1, 0], 'submit-0001')
    const before = await snapshot(db)
    await expectError(await app.request(completeUrl(token, 'pre', 'gad-7'), jsonRequest('POST', { answers: { gad7_1: 1 }, clientId: 'submit-0001' })), 409, 'conflict')
    expect(await snapshot(db)).toEqual(before)
  })

  it('never reads a score sent by the browser', async () => {
    const { app, token, db } = await consentedFixture()
    const before = await snapshot(db)
    const complete = await expectError(
      await app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', { answers: { ...phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), score: 27 }, clientId: 'submit-0001' })),
      422,
      'validation_failed',
    )
    expect(fieldsOf(complete)).toEqual(['answers.score'])
    const draft = await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 0, score: 27 }))), 422, 'validation_failed')
    expect(fieldsOf(draft)).toEqual(['answers.score'])
    expect(await snapshot(db)).toEqual(before)
  })
})

describe('invalid requests', () => {
  /** Each case: a request against a consented participant, the status and code expected, and the fields named. */
  const cases: { name: string; request: (token: string) => [string, RequestInit]; status: number; code: string; fields?: string[] }[] = [
    {
      name: 'malformed JSON',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"deviceId": "device-test-0001", "answers": [' }],
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'an empty JSON body',
      request: (t) => [completeUrl(t, 'pre', 'phq-9'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' }],
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'a body that is not sent as JSON',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(given({ phq9_1: 1 })) }],
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a form-encoded body',
      request: (t) => [`/api/p/${t}/withdraw`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'keepData=false' }],
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a body with no Content-Type',
      request: (t) => [completeUrl(t, 'pre', 'phq-9'), { method: 'POST', body: JSON.stringify({ answers: {}, clientId: 'submit-0001' }) }],
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an unknown question',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1, phq9_10: 2 }))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.phq9_10'],
    },
    {
      name: 'a choice value out of range',
      request: (t) => [completeUrl(t, 'pre', 'phq-9'), jsonRequest('POST', { answers: { ...phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), phq9_1: 4 }, clientId: 'submit-0001' })],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.phq9_1'],
    },
    {
      name: 'a negative choice value',
      request: (t) => [answersUrl(t, 'pre', 'gad-7'), jsonRequest('PUT', given({ gad7_2: -1 }))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.gad7_2'],
    },
    {
      name: 'a number choice sent as a string',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_3: '2' }))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.phq9_3'],
    },
    {
      name: 'a fractional age',
      request: (t) => [answersUrl(t, 'enrolment', 'demographics'), jsonRequest('PUT', given({ age: 30.5 }))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.age'],
    },
    {
      name: 'an age below 18',
      request: (t) => [answersUrl(t, 'enrolment', 'demographics'), jsonRequest('PUT', given({ age: 17 }))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.age'],
    },
    {
      name: 'an age sent as a string',
      request: (t) => [answersUrl(t, 'enrolment', 'demographics'), jsonRequest('PUT', given({ age: '30' }))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.age'],
    },
    {
      name: 'years in practice off the half-year grid',
      request: (t) => [answersUrl(t, 'enrolment', 'demographics'), jsonRequest('PUT', given({ years_in_practice: 2.25 }))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.years_in_practice'],
    },
    {
      name: 'a choice not in the list',
      request: (t) => [answersUrl(t, 'enrolment', 'demographics'), jsonRequest('PUT', given({ workplace: 'moon_base' }))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.workplace'],
    },
    {
      name: 'answers that are not an object',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), jsonRequest('PUT', { deviceId: 'device-test-0001', answers: { phq9_1: 1 } })],
      status: 422,
      code: 'validation_failed',
      fields: ['answers'],
    },
    {
      name: 'an answer time that is not a time',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), jsonRequest('PUT', { deviceId: 'device-test-0001', answers: [{ question: 'phq9_1', value: 1, answeredAt: 'yesterday' }] })],
      status: 422,
      code: 'validation_failed',
      fields: ['answers.0.answeredAt'],
    },
    {
      name: 'a device id with forbidden characters',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), jsonRequest('PUT', { ...given({ phq9_1: 1 }), deviceId: "x' or 1=1 --" })],
      status: 422,
      code: 'validation_failed',
      fields: ['deviceId'],
    },
    {
      name: 'a missing device id',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), jsonRequest('PUT', { answers: given({ phq9_1: 1 }).answers })],
      status: 422,
      code: 'validation_failed',
      fields: ['deviceId'],
    },
    {
      name: 'no answers at all',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), jsonRequest('PUT', given({}))],
      status: 422,
      code: 'validation_failed',
      fields: ['answers'],
    },
    {
      name: 'an empty questionnaire submitted as complete',
      request: (t) => [completeUrl(t, 'pre', 'phq-9'), jsonRequest('POST', { answers: {}, clientId: 'submit-0001' })],
      status: 422,
      code: 'validation_failed',
      fields: ['answers'],
    },
    {
      name: 'an unknown key beside answers',
      request: (t) => [answersUrl(t, 'pre', 'phq-9'), jsonRequest('PUT', { ...given({ phq9_1: 1 }), participantId: 'someone-else' })],
      status: 422,
      code: 'validation_failed',
      fields: ['participantId'],
    },
    {
      name: 'a clientId that is too short',
      request: (t) => [completeUrl(t, 'pre', 'phq-9'), jsonRequest('POST', { answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), clientId: 'abc' })],
      status: 422,
      code: 'validation_failed',
      fields: ['clientId'],
    },
    {
      name: 'a clientId with forbidden characters',
      request: (t) => [completeUrl(t, 'pre', 'phq-9'), jsonRequest('POST', { answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), clientId: "x' or 1=1 --" })],
      status: 422,
      code: 'validation_failed',
      fields: ['clientId'],
    },
    {
      name: 'keepData that is not a boolean',
      request: (t) => [`/api/p/${t}/withdraw`, jsonRequest('POST', { keepData: 'false' })],
      status: 422,
      code: 'validation_failed',
      fields: ['keepData'],
    },
    {
      name: 'an unknown slot',
      request: (t) => [answersUrl(t, 'during', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 }))],
      status: 404,
      code: 'not_found',
    },
    {
      name: 'an instrument id that is not an id',
      request: (t) => [answersUrl(t, 'pre', 'PHQ_9'), jsonRequest('PUT', given({ phq9_1: 1 }))],
      status: 404,
      code: 'not_found',
    },
  ]

  for (const c of cases) {
    it(`answers ${c.name} with ${c.status} ${c.code} and writes nothing`, async () => {
      const { app, token, db } = await consentedFixture()
      const before = await snapshot(db)
      const [url, init] = c.request(token)
      const body = await expectError(await app.request(url, init), c.status, c.code)
      if (c.fields) expect(fieldsOf(body)).toEqual(c.fields)
      expect(await snapshot(db)).toEqual(before)
    })
  }

  it('lists every invalid field, not only the first', async () => {
    const { app, token } = await consentedFixture()
    const body = await expectError(
      await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 4, phq9_2: '1', phq9_10: 0 }))),
      422,
      'validation_failed',
    )
    expect(fieldsOf(body).sort()).toEqual(['answers.phq9_1', 'answers.phq9_10', 'answers.phq9_2'])
    expect(body.error.message).toMatch(/^answers\.phq9_/)
  })

  it('refuses a body larger than the limit with 413 and writes nothing', async () => {
    const { app, token, db } = await consentedFixture({ maxBodyBytes: 1024 })
    const before = await snapshot(db)
    const big = { ...given({ phq9_1: 1 }), padding: 'x'.repeat(2000) }
    await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', big)), 413, 'payload_too_large')
    // The same with a Content-Length header, which the limit checks before reading.
    const text = JSON.stringify(big)
    const withLength = await app.request(answersUrl(token, 'pre', 'phq-9'), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) },
      body: text,
    })
    await expectError(withLength, 413, 'payload_too_large')
    expect(await snapshot(db)).toEqual(before)
  })

  it('accepts JSON sent with a charset parameter', async () => {
    const { app, token, db } = await consentedFixture()
    const res = await app.request(answersUrl(token, 'pre', 'phq-9'), {
      method: 'PUT',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(given({ phq9_1: 1 })),
    })
    expect(res.status).toBe(200)
    expect(await count(db, 'response')).toBe(1)
  })

  it('accepts a body just under the limit', async () => {
    const { app, token } = await consentedFixture({ maxBodyBytes: 1024 })
    const res = await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 })))
    expect(res.status).toBe(200)
  })
})

describe('waves that are not open', () => {
  it('refuses answers before the wave opens, naming when it opens and closes', async () => {
    const { app, token, db } = await consentedFixture()
    const before = await snapshot(db)
    const draft = await expectError(await app.request(answersUrl(token, 'post', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 }))), 409, 'wave_not_open')
    expect(draft.error.details).toEqual({ opensAt: '2026-04-01T00:00:00.000Z', closesAt: '2026-04-15T00:00:00.000Z', state: 'upcoming' })
    const complete = await expectError(await submitPhq9(app, token, 'post', [0, 0, 0, 0, 0, 0, 0, 0, 0], 'submit-0001'), 409, 'wave_not_open')
    expect(complete.error.details).toMatchObject({ opensAt: '2026-04-01T00:00:00.000Z', closesAt: '2026-04-15T00:00:00.000Z' })
    expect(await snapshot(db)).toEqual(before)
  })

  it('accepts answers from the first instant of the opening day', async () => {
    const { app, token, clock } = await consentedFixture()
    clock.set('2026-04-01T00:00:00.000Z')
    expect((await app.request(answersUrl(token, 'post', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 })))).status).toBe(200)
  })

  it('refuses a new questionnaire once the wave has closed', async () => {
    const { app, token, clock, db } = await consentedFixture()
    clock.set('2026-03-15T00:00:00.000Z')
    const before = await snapshot(db)
    // Given at the close (the phone's clock): answers given while it was open may still arrive late (lateArrivalGraceMs).
    const draft = await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 }, { at: '2026-03-15T00:00:00.000Z' }))), 409, 'wave_not_open')
    // Within the grace it also says which answers it still takes: given from the consent less an hour, up to the close.
    expect(draft.error.details).toEqual({ opensAt: '2026-03-01T00:00:00.000Z', closesAt: '2026-03-15T00:00:00.000Z', state: 'closed', givenFrom: '2026-03-02T08:00:00.000Z' })
    await expectError(await submitPhq9(app, token, 'pre', [0, 0, 0, 0, 0, 0, 0, 0, 0], 'submit-0001'), 409, 'wave_not_open')
    expect(await snapshot(db)).toEqual(before)
  })

  it('lets a questionnaire begun while the wave was open be finished after it closes, with what was given in time', async () => {
    const { app, token, clock, db } = await consentedFixture()
    clock.set('2026-03-14T23:58:00.000Z')
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 2 })))
    clock.set('2026-03-16T10:00:00.000Z')
    // Further saves of answers given before the close, and the final submit, are both accepted …
    const inTime = { at: '2026-03-14T23:59:00.000Z' }
    expect((await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 2, phq9_2: 2, phq9_3: 2, phq9_4: 2, phq9_5: 2, phq9_6: 2, phq9_7: 2, phq9_8: 2, phq9_9: 0 }, inTime)))).status).toBe(200)
    // … but not an answer given now, after the close, begun questionnaire or not.
    await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_difficulty: 0 }, { at: '2026-03-16T10:00:00.000Z' }))), 409, 'wave_not_open')
    const res = await app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', { clientId: 'submit-0001' }))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'complete', completedAt: '2026-03-16T10:00:00.000Z' })
    expect(await db.selectFrom('scale_score').select(['score', 'band_index']).execute()).toEqual([{ score: 16, band_index: 3 }])
    // … but one not begun in time is not (given after the close, by the phone's clock).
    await expectError(await app.request(answersUrl(token, 'pre', 'gad-7'), jsonRequest('PUT', given({ gad7_1: 1 }, { at: '2026-03-16T10:00:00.000Z' }))), 409, 'wave_not_open')
  })
})

describe('instruments outside the wave', () => {
  it('answers 404 for a questionnaire the wave does not ask, or one that does not exist', async () => {
    const { app, token, db } = await consentedFixture()
    const before = await snapshot(db)
    // WHO-5 is loaded, and asked in the follow-up wave, but not in the pre wave.
    await expectError(await app.request(answersUrl(token, 'pre', 'who-5'), jsonRequest('PUT', given({ who5_1: 1 }))), 404, 'not_found')
    await expectError(await app.request(completeUrl(token, 'pre', 'cbi'), jsonRequest('POST', { answers: {}, clientId: 'submit-0001' })), 404, 'not_found')
    await expectError(await app.request(answersUrl(token, 'pre', 'no-such-scale'), jsonRequest('PUT', given({ who5_1: 1 }))), 404, 'not_found')
    expect(await snapshot(db)).toEqual(before)
  })
})

describe('POST /api/p/:token/withdraw', () => {
  it('keeps the answers given when asked to', async () => {
    const { app, token, participant, clock, db } = await consentedFixture()
    await submitPhq9(app, token, 'pre', [1, 1, 1, 1, 1, 1, 1, 1, 1], 'submit-0001')
    await app.request(answersUrl(token, 'pre', 'gad-7'), jsonRequest('PUT', given({ gad7_1: 2 })))
    clock.advance(3600_000)

    const res = await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: true }))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ withdrawnAt: '2026-03-02T10:00:00.000Z', deletedResponses: 0 })
    expect(await participantRow(db, participant.id)).toMatchObject({ status: 'withdrawn', withdrawn_at: '2026-03-02T10:00:00.000Z' })
    expect(await count(db, 'response')).toBe(2)
    expect(await count(db, 'scale_score')).toBe(1)
    expect(await count(db, 'response_flag')).toBe(1)
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'participant.withdraw').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor: `participant:${participant.id}`, entity: 'participant', entity_id: participant.id, at: '2026-03-02T10:00:00.000Z' })
    expect(JSON.parse(audit[0]!.details)).toEqual({ keepData: true, deletedResponses: 0 })
  })

  it('deletes every answer, score and flag when asked to, and keeps only the withdrawal in the audit trail', async () => {
    const { app, token, participant, db } = await consentedFixture()
    await submitPhq9(app, token, 'pre', [1, 1, 1, 1, 1, 1, 1, 1, 1], 'submit-0001')
    await app.request(answersUrl(token, 'pre', 'gad-7'), jsonRequest('PUT', given({ gad7_1: 2 })))
    await app.request(answersUrl(token, 'enrolment', 'demographics'), jsonRequest('PUT', given({ age: 41 })))
    await app.request(answersUrl(token, 'enrolment', 'demographics'), jsonRequest('PUT', given({ age: 42 }, { at: '2026-03-02T08:59:30.000Z' })))
    expect(await count(db, 'response')).toBe(3)
    expect(await db.selectFrom('response_answer_history').selectAll().execute()).toHaveLength(1)

    const res = await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: false }))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ withdrawnAt: '2026-03-02T09:00:00.000Z', deletedResponses: 3 })
    expect(await count(db, 'response')).toBe(0)
    expect(await count(db, 'scale_score')).toBe(0)
    expect(await count(db, 'response_flag')).toBe(0)
    // Answers one by one and the values they replaced go with their response.
    expect(await db.selectFrom('response_answer').selectAll().execute()).toEqual([])
    expect(await db.selectFrom('response_answer_history').selectAll().execute()).toEqual([])
    expect((await participantRow(db, participant.id)).status).toBe('withdrawn')
    const audit = await db.selectFrom('audit_log').select('details').where('action', '=', 'participant.withdraw').execute()
    expect(audit.map((a) => JSON.parse(a.details))).toEqual([{ keepData: false, deletedResponses: 3 }])
    // Delete means deleted: which forms were completed goes too (test/server/domain/participation/delete-means-deleted.test.ts).
    expect(await auditCount(db, 'response.complete')).toBe(0)
  })

  it('leaves other participants\' answers alone', async () => {
    const { app, token, cohort, deps, db } = await consentedFixture()
    const [other] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    await app.request(`/api/p/${other!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
    await app.request(completeUrl(other!.token, 'pre', 'phq-9'), jsonRequest('POST', { answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), clientId: 'submit-other' }))
    await submitPhq9(app, token, 'pre', [1, 1, 1, 1, 1, 1, 1, 1, 0], 'submit-mine')

    await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: false }))
    expect(await db.selectFrom('response').select(['participant_id', 'client_id']).execute()).toEqual([{ participant_id: other!.id, client_id: 'submit-other' }])
    expect(await count(db, 'scale_score')).toBe(1)
  })

  it('collects nothing more after withdrawal, but the link still shows the status', async () => {
    const { app, token, db, clock } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 })))
    await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: true }))
    clock.advance(60_000)
    const before = await snapshot(db)

    await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 2 }))), 409, 'withdrawn')
    await expectError(await app.request(answersUrl(token, 'pre', 'gad-7'), jsonRequest('PUT', given({ gad7_1: 2 }))), 409, 'withdrawn')
    await expectError(await submitPhq9(app, token, 'pre', [1, 1, 1, 1, 1, 1, 1, 1, 0], 'submit-0001'), 409, 'withdrawn')
    await expectError(await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } })), 409, 'withdrawn')
    expect(await snapshot(db)).toEqual(before)

    const state = await getState(app, token)
    expect(state.participant).toEqual({ code: 'P1', status: 'withdrawn', withdrawnAt: '2026-03-02T09:00:00.000Z' })
    // With keepData the draft is still there to see.
    expect(state.waves[0]!.forms[0]!.response).toMatchObject({ status: 'draft', answers: { phq9_1: 1 } })
  })

  it('treats a withdrawal made again as a no-op once what it asks is done', async () => {
    const { app, token, clock, db } = await consentedFixture()
    const first = await (await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: true }))).json()
    clock.advance(60_000)
    let before = await snapshot(db)
    const again = await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: true }))
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(first)
    expect(await snapshot(db)).toEqual(before)
    // Deletion asked for later is done once (week-review-withdrawal.test.ts), and then is a no-op too.
    expect((await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: false }))).status).toBe(200)
    before = await snapshot(db)
    const last = await app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: false }))
    expect(last.status).toBe(200)
    expect(await last.json()).toEqual(first)
    expect(await snapshot(db)).toEqual(before)
  })
})

describe('the audit log', () => {
  it('refuses UPDATE and DELETE', async () => {
    const { deps, db } = await consentedFixture()
    const before = await db.selectFrom('audit_log').selectAll().orderBy('id').execute()
    // study.create, cohort.create, 3 × wave.set, participant.add, consent.agree
    expect(before.map((r) => r.action).sort()).toEqual(['cohort.create', 'consent.agree', 'participant.add', 'study.create', 'wave.set', 'wave.set', 'wave.set'])

    await expect(deps.db.updateTable('audit_log').set({ action: 'tampered' }).execute()).rejects.toThrow(/append-only/)
    await expect(deps.db.deleteFrom('audit_log').where('action', '=', 'consent.agree').execute()).rejects.toThrow(/append-only/)
    await expect(deps.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/)
    expect(await db.selectFrom('audit_log').selectAll().orderBy('id').execute()).toEqual(before)
  })
})

describe('every response', () => {
  it('carries the security headers, on success and on error', async () => {
    const { app, token } = await fixture()
    const responses = [
      await app.request('/api/health'),
      await app.request(`/api/p/${token}`),
      await app.request('/api/p/not-a-token'),
      await app.request('/no/such/page'),
      await app.request(answersUrl(token, 'pre', 'phq-9'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{' }),
    ]
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 404, 400])
    for (const res of responses) {
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('answers an unknown route with 404 in the error shape', async () => {
    const { app } = await fixture()
    const api = await expectError(await app.request('/api/nothing-here'), 404, 'not_found')
    expect(api.error.message).toContain('/api/nothing-here')
    await expectError(await app.request('/api/p', jsonRequest('POST', {})), 404, 'not_found')
    await expectError(await app.request('/nothing-here'), 404, 'not_found')
  })

  it('answers a method the route does not have with 404 in the error shape', async () => {
    const { app, token } = await fixture()
    await expectError(await app.request(`/api/p/${token}`, { method: 'DELETE' }), 404, 'not_found')
    await expectError(await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('POST', given({}))), 404, 'not_found')
  })
})

describe('requests that arrive together', () => {
  // A phone's autosave racing its own retry, or a double-tapped submit: the second request must see
  // what the first wrote, never both find nothing and both write.
  it('stores one response when several first saves of a form arrive at once', async () => {
    const { app, token, db } = await consentedFixture()
    const at = (second: number) => `2026-03-02T08:59:0${second}.000Z`
    const saves = await Promise.all([3, 1, 2].map((v) => app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: v }, { at: at(v) })))))
    expect(saves.map((r) => r.status)).toEqual([200, 200, 200])
    const rows = await db.selectFrom('response').selectAll().execute()
    expect(rows).toHaveLength(1)
    // Whatever order they ran in, the answer given last is the one kept; the others are in history.
    expect(JSON.parse(rows[0]!.answers)).toEqual({ phq9_1: 3 })
    expect(await count(db, 'response_answer_history' as 'response')).toBe(2)
  })

  it('completes once when a double-tapped submit sends the same clientId twice', async () => {
    const { app, token, db } = await consentedFixture()
    const body = { answers: phq9([1, 1, 1, 1, 1, 1, 1, 1, 0]), clientId: 'submit-0001' }
    const [a, b] = await Promise.all([1, 2].map(() => app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', body))))
    expect([a!.status, b!.status]).toEqual([200, 200])
    expect(await b!.json()).toEqual(await a!.json())
    expect(await count(db, 'response')).toBe(1)
    expect(await count(db, 'scale_score')).toBe(1)
    expect(await auditCount(db, 'response.complete')).toBe(1)
  })

  it('completes once when two different submits of the same form arrive at once', async () => {
    const { app, token, db } = await consentedFixture()
    await app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 })))
    const responses = await Promise.all(
      [
        { answers: phq9([0, 0, 0, 0, 0, 0, 0, 0, 0]), clientId: 'device-one-0001' },
        { answers: phq9([3, 3, 3, 3, 3, 3, 3, 3, 0]), clientId: 'device-two-0001' },
      ].map((body) => app.request(completeUrl(token, 'pre', 'phq-9'), jsonRequest('POST', body))),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409])
    const winner = responses[0]!.status === 200 ? 'device-one-0001' : 'device-two-0001'
    await expectError(responses.find((r) => r.status === 409)!, 409, 'already_complete')
    const rows = await db.selectFrom('response').selectAll().execute()
    expect(rows.map((r) => ({ status: r.status, client: r.client_id }))).toEqual([{ status: 'complete', client: winner }])
    expect(await db.selectFrom('scale_score').select('score').execute()).toEqual([{ score: winner === 'device-one-0001' ? 0 : 24 }])
    expect(await auditCount(db, 'response.complete')).toBe(1)
  })

  it('records one consent when the same decision is sent twice at once', async () => {
    const { app, token, db } = await fixture()
    const body = { version: '1.1.0', answers: { consent: 'agree' } }
    const responses = await Promise.all([1, 2].map(() => app.request(`/api/p/${token}/consent`, jsonRequest('POST', body))))
    expect(responses.map((r) => r.status)).toEqual([200, 200])
    expect(await count(db, 'consent')).toBe(1)
    expect(await auditCount(db, 'consent.agree')).toBe(1)
  })

  it('withdraws once when the request is sent twice at once', async () => {
    const { app, token, db } = await consentedFixture()
    const responses = await Promise.all([1, 2].map(() => app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: true }))))
    expect(responses.map((r) => r.status)).toEqual([200, 200])
    expect(await auditCount(db, 'participant.withdraw')).toBe(1)
  })

  it('saves nothing once a withdrawal with deletion has been recorded, even if the save was already under way', async () => {
    const { app, token, db } = await consentedFixture()
    const [, save] = await Promise.all([
      app.request(`/api/p/${token}/withdraw`, jsonRequest('POST', { keepData: false })),
      app.request(answersUrl(token, 'pre', 'phq-9'), jsonRequest('PUT', given({ phq9_1: 1 }))),
    ])
    // Either the save ran first and was deleted by the withdrawal, or it ran second and was refused.
    expect([200, 409]).toContain(save!.status)
    expect(await count(db, 'response')).toBe(0)
  })
})

describe('the reply to a save (issue 16)', () => {
  it('is sent uncompressed with its length when small, and the participant state is still gzipped', async () => {
    const { app, token } = await consentedFixture()
    const request = jsonRequest('PUT', given(phq9([1])))
    const res = await app.request(answersUrl(token, 'pre', 'phq-9'), { ...request, headers: { ...(request.headers as Record<string, string>), 'accept-encoding': 'gzip' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-encoding')).toBeNull()
    const text = await res.text()
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)))
    expect(JSON.parse(text)).toMatchObject({ status: 'draft', revision: 1, answers: { phq9_1: 1 } })
    // A large reply keeps its compression.
    const state = await app.request(`/api/p/${token}`, { headers: { 'accept-encoding': 'gzip' } })
    expect(state.headers.get('content-encoding')).toBe('gzip')
  })

  it('an unknown link is refused as before, now looked up inside the save', async () => {
    const { app } = await consentedFixture()
    const res = await app.request(answersUrl(createToken().token, 'pre', 'phq-9'), jsonRequest('PUT', given(phq9([1]))))
    await expectError(res, 404, 'link_not_found')
  })
})
