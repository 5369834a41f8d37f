/**
 * A researcher sets up and runs a study through the staff API: cohorts and their group-session
 * schedule, participants and their one-time links, waves, attendance, completion tracking, and
 * Table 1 of the demo study. Every test builds its own app; the clock starts at 2026-03-02T09:00Z.
 */
import { describe, it, expect } from 'vitest'
import { sql } from 'kysely'
import { hashToken } from '../../../server/domain/participation/tokens'
import { jsonRequest, testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'
import { listTables } from '../../helpers/test-database'

type App = Awaited<ReturnType<typeof testApp>>
type Headers = Record<string, string>

const linkPattern = /^http:\/\/localhost\/p\/([A-Za-z0-9_-]{43})$/

/** An administrator who creates a study over HTTP, and so is its researcher. */
async function researcherWithStudy() {
  const built = await testApp()
  const researcher = await signedInStaff(built.deps, [], { isAdmin: true })
  const res = await built.app.request('/api/studies', as(researcher.headers, jsonRequest('POST', { name: 'Balint pilot' })))
  expect(res.status).toBe(201)
  const study = (await res.json()) as { id: string }
  return { ...built, researcher, headers: researcher.headers, studyId: study.id }
}

/** Request options with the staff session's headers. */
function as(headers: Headers, init: RequestInit = { method: 'GET' }): RequestInit {
  return { ...init, headers: { ...(init.headers as Headers), ...headers } }
}

async function call<T = any>(app: App['app'], headers: Headers, path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await app.request(path, as(headers, init))
  return { status: res.status, body: (await res.json()) as T }
}

type Cohort = { id: string; name: string; groupSessions: { id: string; seq: number; startsAt: string }[] }
type NewLink = { id: string; code: string; link: string }

async function createCohortOver(f: Awaited<ReturnType<typeof researcherWithStudy>>, body: Record<string, unknown> = { name: 'Group A', firstSession: '2026-03-09' }) {
  const res = await call<Cohort>(f.app, f.headers, `/api/studies/${f.studyId}/cohorts`, jsonRequest('POST', body))
  expect(res.status).toBe(201)
  return res.body
}

async function addParticipantsOver(f: Awaited<ReturnType<typeof researcherWithStudy>>, cohortId: string, count: number) {
  const res = await call<NewLink[]>(f.app, f.headers, `/api/cohorts/${cohortId}/participants`, jsonRequest('POST', { count }))
  expect(res.status).toBe(201)
  return res.body
}

const tokenOf = (link: string) => linkPattern.exec(link)![1]!

/** Every row of every table as text, to look for something that must not be stored. */
async function databaseText(db: App['db']): Promise<string> {
  let text = ''
  for (const name of await listTables(db, { withMigrations: true })) text += JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(db)).rows)
  return text
}

async function count(db: App['db'], table: 'participant' | 'participant_link' | 'wave' | 'wave_instrument' | 'attendance' | 'audit_log' | 'group_session'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

const fieldsOf = (body: { error: { details?: unknown } }) => (body.error.details as { field: string }[]).map((d) => d.field)

describe('creating a cohort', () => {
  it('schedules 8 group sessions by default, twice a week: 3 and then 4 days apart', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f, { name: '  Group A  ', firstSession: '2026-03-09', leader: 'Dr Leader', coLeaders: ['Dr Co'] })
    expect(cohort).toMatchObject({ name: 'Group A', leader: 'Dr Leader', coLeaders: ['Dr Co'] })
    expect(cohort.groupSessions.map((s) => [s.seq, s.startsAt])).toEqual([
      [1, '2026-03-09T00:00:00.000Z'], // Monday
      [2, '2026-03-12T00:00:00.000Z'], // Thursday
      [3, '2026-03-16T00:00:00.000Z'],
      [4, '2026-03-19T00:00:00.000Z'],
      [5, '2026-03-23T00:00:00.000Z'],
      [6, '2026-03-26T00:00:00.000Z'],
      [7, '2026-03-30T00:00:00.000Z'],
      [8, '2026-04-02T00:00:00.000Z'],
    ])
    // The cohort's page shows the same schedule.
    const detail = await call(f.app, f.headers, `/api/cohorts/${cohort.id}`)
    expect(detail.body.sessions.map((s: { startsAt: string }) => s.startsAt)).toEqual(cohort.groupSessions.map((s) => s.startsAt))
    expect(await f.db.selectFrom('audit_log').select('actor').where('action', '=', 'cohort.create').execute()).toEqual([{ actor: `staff:${f.researcher.user.id}` }])
  })

  it('starts today without a first session date, and takes another number of sessions', async () => {
    const f = await researcherWithStudy()
    const today = await createCohortOver(f, { name: 'Today' })
    // Today where the study is (its time zone: UTC here), from midnight there, as a day of a wave.
    expect(today.groupSessions[0]!.startsAt).toBe('2026-03-02T00:00:00.000Z')
    expect(today.groupSessions).toHaveLength(8)
    const short = await createCohortOver(f, { name: 'Short', firstSession: '2026-03-09', sessions: 3 })
    expect(short.groupSessions.map((s) => s.startsAt.slice(0, 10))).toEqual(['2026-03-09', '2026-03-12', '2026-03-16'])
  })

  it('names the fields of an invalid cohort and writes nothing', async () => {
    const f = await researcherWithStudy()
    const res = await call(f.app, f.headers, `/api/studies/${f.studyId}/cohorts`, jsonRequest('POST', { name: ' ', firstSession: '9 March', sessions: 101 }))
    expect(res.status).toBe(422)
    expect(fieldsOf(res.body).sort()).toEqual(['firstSession', 'name', 'sessions'])
    expect(await count(f.db, 'group_session')).toBe(0)
  })

  it('is a 422 for a first session on a day the calendar has not (30 February, month 13), and writes nothing', async () => {
    const f = await researcherWithStudy()
    for (const firstSession of ['2026-02-30', '2026-13-01', '2026-02-32', '2025-02-29']) {
      const res = await call(f.app, f.headers, `/api/studies/${f.studyId}/cohorts`, jsonRequest('POST', { name: 'Group A', firstSession }))
      expect(res.status, firstSession).toBe(422)
      expect(fieldsOf(res.body)).toEqual(['firstSession'])
    }
    expect(await count(f.db, 'group_session')).toBe(0)
    expect((await call(f.app, f.headers, `/api/studies/${f.studyId}/cohorts`, jsonRequest('POST', { name: 'Group A', firstSession: '2024-02-29' }))).status).toBe(201)
  })

  it('is a 422 for a schedule outside the years 1900 to 9999, and writes nothing', async () => {
    // Found by a security review: 0000-01-01 was stored as sessions in 1899 and 1900 (Date.UTC reads
    // years 0–99 as 1900–1999), and 100 sessions from 9999-12-31 as dates of year 10000 that
    // collapsed onto each other.
    const f = await researcherWithStudy()
    for (const [firstSession, sessions] of [['0000-01-01', 3], ['0099-06-01', 3], ['1899-12-31', 1], ['9999-12-31', 2], ['9999-12-31', 100]] as const) {
      const res = await call(f.app, f.headers, `/api/studies/${f.studyId}/cohorts`, jsonRequest('POST', { name: 'Group A', firstSession, sessions }))
      expect(res.status, `${firstSession} × ${sessions}`).toBe(422)
      expect(fieldsOf(res.body)).toEqual(['firstSession'])
    }
    expect(await count(f.db, 'group_session')).toBe(0)
    const edge = await createCohortOver(f, { name: 'Edge', firstSession: '9999-12-28', sessions: 2 })
    expect(edge.groupSessions.map((s) => s.startsAt.slice(0, 10))).toEqual(['9999-12-28', '9999-12-31'])
    const early = await createCohortOver(f, { name: 'Early', firstSession: '1900-01-01', sessions: 1 })
    expect(early.groupSessions.map((s) => s.startsAt.slice(0, 10))).toEqual(['1900-01-01'])
  })
})

describe('the audit log filters', () => {
  it('are a 422 naming the field for a day the calendar has not, in the viewer, its CSV and the administrators\' log', async () => {
    const f = await researcherWithStudy()
    for (const path of [`/api/studies/${f.studyId}/audit?from=2026-13-01`, `/api/studies/${f.studyId}/audit.csv?to=2026-02-30`, '/api/audit?from=2026-00-10', '/api/audit.csv?to=2026-04-31']) {
      const res = await call(f.app, f.headers, path)
      expect(res.status, path).toBe(422)
      expect(res.body.error.code).toBe('validation_failed')
    }
    expect((await call(f.app, f.headers, `/api/studies/${f.studyId}/audit?from=2024-02-29`)).status).toBe(200)
  })
})

describe('participants and their links', () => {
  it('returns each personal link once, at /p/<43 characters>, and stores only its hash', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const created = await addParticipantsOver(f, cohort.id, 3)
    expect(created.map((p) => p.code)).toEqual(['P1', 'P2', 'P3'])
    for (const p of created) expect(p.link).toMatch(linkPattern)
    const tokens = created.map((p) => tokenOf(p.link))
    expect(new Set(tokens).size).toBe(3)

    const links = await f.db.selectFrom('participant_link').select(['participant_id', 'token_hash', 'revoked_at']).execute()
    expect(links.map((l) => [l.participant_id, l.token_hash, l.revoked_at]).sort()).toEqual(created.map((p, i) => [p.id, hashToken(tokens[i]!), null]).sort())
    const stored = await databaseText(f.db)
    for (const token of tokens) expect(stored).not.toContain(token)

    // Nothing the researcher can read later shows a link again.
    for (const path of [`/api/cohorts/${cohort.id}`, `/api/cohorts/${cohort.id}/tracking`, `/api/cohorts/${cohort.id}/sessions`]) {
      const text = JSON.stringify((await call(f.app, f.headers, path)).body)
      for (const token of tokens) expect(text).not.toContain(token)
    }

    // Each link opens its participant's page; later participants get the next codes.
    const page = await f.app.request(`/api/p/${tokens[1]}`)
    expect(page.status).toBe(200)
    expect(((await page.json()) as { participant: { code: string } }).participant.code).toBe('P2')
    expect((await addParticipantsOver(f, cohort.id, 2)).map((p) => p.code)).toEqual(['P4', 'P5'])
  })

  it('refuses a count outside 1 to 1000 and writes nothing', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    for (const n of [0, 1001, 1.5]) {
      const res = await call(f.app, f.headers, `/api/cohorts/${cohort.id}/participants`, jsonRequest('POST', { count: n }))
      expect(res.status).toBe(422)
      expect(fieldsOf(res.body)).toEqual(['count'])
    }
    expect(await count(f.db, 'participant')).toBe(0)
  })

  it('reissues a link: the old one then answers link_replaced (and takes nothing), the new one works', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const [p1] = await addParticipantsOver(f, cohort.id, 1)
    const old = tokenOf(p1!.link)

    const res = await call<NewLink>(f.app, f.headers, `/api/participants/${p1!.id}/link`, { method: 'POST' })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ id: p1!.id, code: 'P1', link: expect.stringMatching(linkPattern) })
    const fresh = tokenOf(res.body.link)
    expect(fresh).not.toBe(old)

    // Not the neutral 404 of a revoked link: a page still open under the old link keeps the answers
    // it holds, for the new link to send from the same phone (the participant's page: device-store.ts).
    const oldPage = await call(f.app, {}, `/api/p/${old}`)
    expect(oldPage).toMatchObject({ status: 410, body: { error: { code: 'link_replaced', details: { language: 'en' } } } })
    // It takes nothing: no withdrawal, no reminder preference.
    expect(await call(f.app, { 'content-type': 'application/json' }, `/api/p/${old}/withdraw`, { method: 'POST', body: JSON.stringify({ keepData: true }) })).toMatchObject({ status: 410 })
    expect((await f.app.request(`/api/p/${fresh}`)).status).toBe(200)
    expect(await f.db.selectFrom('participant').select('status').where('id', '=', p1!.id).executeTakeFirstOrThrow()).toEqual({ status: 'invited' })
    expect(await f.db.selectFrom('audit_log').select('actor').where('action', '=', 'participant.link_reissue').execute()).toEqual([{ actor: `staff:${f.researcher.user.id}` }])
  })

  it('revokes a link without a new one: it is then not found, and tracking shows no live link until one is reissued', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const [p1, p2] = await addParticipantsOver(f, cohort.id, 2)

    const res = await call(f.app, f.headers, `/api/participants/${p1!.id}/link`, { method: 'DELETE' })
    expect(res).toEqual({ status: 200, body: { ok: true } })
    expect((await call(f.app, {}, `/api/p/${tokenOf(p1!.link)}`)).body).toMatchObject({ error: { code: 'link_not_found' } })
    // The other participant's link is untouched.
    expect((await f.app.request(`/api/p/${tokenOf(p2!.link)}`)).status).toBe(200)

    const hasLink = async () => Object.fromEntries((await call(f.app, f.headers, `/api/cohorts/${cohort.id}/tracking`)).body.participants.map((p: { code: string; hasLink: boolean }) => [p.code, p.hasLink]))
    expect(await hasLink()).toEqual({ P1: false, P2: true })

    const again = await call<NewLink>(f.app, f.headers, `/api/participants/${p1!.id}/link`, { method: 'POST' })
    expect((await f.app.request(`/api/p/${tokenOf(again.body.link)}`)).status).toBe(200)
    expect(await hasLink()).toEqual({ P1: true, P2: true })
  })

  it('answers an unknown participant with 404', async () => {
    const f = await researcherWithStudy()
    for (const method of ['POST', 'DELETE']) {
      expect(await call(f.app, f.headers, '/api/participants/no-such-participant/link', { method })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    }
  })
})

describe('waves', () => {
  it('sets a wave: opens at the start of the first day, closes at the end of the last, asks the questionnaires in order', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const res = await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/pre`, jsonRequest('PUT', { opens: '2026-03-01', closes: '2026-03-14', instruments: ['gad-7', 'phq-9'] }))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ kind: 'pre', opensAt: '2026-03-01T00:00:00.000Z', closesAt: '2026-03-15T00:00:00.000Z', instruments: ['gad-7', 'phq-9'] })

    // Setting it again replaces it.
    await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/pre`, jsonRequest('PUT', { opens: '2026-03-02', closes: '2026-03-20', instruments: ['who-5'] }))
    const detail = await call(f.app, f.headers, `/api/cohorts/${cohort.id}`)
    expect(detail.body.waves).toEqual([expect.objectContaining({ kind: 'pre', opensAt: '2026-03-02T00:00:00.000Z', closesAt: '2026-03-21T00:00:00.000Z', instruments: ['who-5'] })])
    expect(await count(f.db, 'wave')).toBe(1)
  })

  it('is a 422 naming instruments[0] for an unknown instrument, and writes nothing', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const audit = await count(f.db, 'audit_log')
    const unknown = await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/pre`, jsonRequest('PUT', { opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-99'] }))
    expect(unknown.status).toBe(422)
    expect(unknown.body.error.code).toBe('validation_failed')
    expect(fieldsOf(unknown.body)).toEqual(['instruments[0]'])
    expect(unknown.body.error.message).toMatch(/phq-99/)

    // A form that is not a questionnaire cannot be asked in a wave either.
    const notQuestionnaire = await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/pre`, jsonRequest('PUT', { opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9', 'demographics'] }))
    expect(fieldsOf(notQuestionnaire.body)).toEqual(['instruments[1]'])

    expect({ waves: await count(f.db, 'wave'), instruments: await count(f.db, 'wave_instrument'), audit: await count(f.db, 'audit_log') }).toEqual({ waves: 0, instruments: 0, audit })
  })

  it('is a 422 naming closes when the wave closes before it opens', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const res = await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/post`, jsonRequest('PUT', { opens: '2026-04-14', closes: '2026-04-01', instruments: ['phq-9'] }))
    expect(res.status).toBe(422)
    expect(fieldsOf(res.body)).toEqual(['closes'])
    // A one-day wave (opens and closes on the same day) is fine.
    expect((await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/post`, jsonRequest('PUT', { opens: '2026-04-14', closes: '2026-04-14', instruments: ['phq-9'] }))).status).toBe(200)
  })

  it('answers a wave kind that does not exist with 404', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const res = await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/mid`, jsonRequest('PUT', { opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }))
    expect(res.status).toBe(404)
    expect(await count(f.db, 'wave')).toBe(0)
  })
})

describe('attendance', () => {
  it('marks who was present and changes a mark when it is sent again', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const [p1, p2] = await addParticipantsOver(f, cohort.id, 2)
    const [first, second] = cohort.groupSessions

    const marks = [{ participantId: p1!.id, present: true }, { participantId: p2!.id, present: false }]
    expect(await call(f.app, f.headers, `/api/sessions/${first!.id}/attendance`, jsonRequest('PUT', { attendance: marks }))).toEqual({ status: 200, body: { ok: true } })
    await call(f.app, f.headers, `/api/sessions/${second!.id}/attendance`, jsonRequest('PUT', { attendance: [{ participantId: p1!.id, present: true }] }))
    await call(f.app, f.headers, `/api/sessions/${first!.id}/attendance`, jsonRequest('PUT', { attendance: [{ participantId: p2!.id, present: true }] }))

    const sessions = await call(f.app, f.headers, `/api/cohorts/${cohort.id}/sessions`)
    expect(sessions.status).toBe(200)
    expect(sessions.body.participants).toEqual([{ id: p1!.id, code: 'P1' }, { id: p2!.id, code: 'P2' }])
    const key = (a: { groupSessionId: string; participantId: string; present: boolean }) => `${a.groupSessionId === first!.id ? 1 : 2} ${a.participantId === p1!.id ? 'P1' : 'P2'} ${a.present}`
    expect(sessions.body.attendance.map(key).sort()).toEqual(['1 P1 true', '1 P2 true', '2 P1 true'])
    expect(await count(f.db, 'attendance')).toBe(3)
  })

  it('is a 422 for a participant of another cohort, and writes nothing — not even the valid marks', async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    const other = await createCohortOver(f, { name: 'Group B' })
    const [mine] = await addParticipantsOver(f, cohort.id, 1)
    const [theirs] = await addParticipantsOver(f, other.id, 1)
    const before = { attendance: await count(f.db, 'attendance'), audit: await count(f.db, 'audit_log') }

    const res = await call(f.app, f.headers, `/api/sessions/${cohort.groupSessions[0]!.id}/attendance`, jsonRequest('PUT', { attendance: [{ participantId: mine!.id, present: true }, { participantId: theirs!.id, present: true }] }))
    expect(res.status).toBe(422)
    expect(fieldsOf(res.body)).toEqual(['attendance[1].participantId'])
    expect({ attendance: await count(f.db, 'attendance'), audit: await count(f.db, 'audit_log') }).toEqual(before)
  })

  it('answers an unknown group session with 404', async () => {
    const f = await researcherWithStudy()
    const res = await call(f.app, f.headers, '/api/sessions/no-such-session/attendance', jsonRequest('PUT', { attendance: [{ participantId: 'x', present: true }] }))
    expect(res).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
  })
})

describe('tracking', () => {
  it("shows each participant's progress per wave and the time of their last answer", async () => {
    const f = await researcherWithStudy()
    const cohort = await createCohortOver(f)
    await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/pre`, jsonRequest('PUT', { opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9', 'gad-7'] }))
    await call(f.app, f.headers, `/api/cohorts/${cohort.id}/waves/post`, jsonRequest('PUT', { opens: '2026-04-01', closes: '2026-04-14', instruments: ['phq-9', 'gad-7'] }))
    const [p1] = await addParticipantsOver(f, cohort.id, 2)
    const token = tokenOf(p1!.link)

    const tracking = async () => (await call(f.app, f.headers, `/api/cohorts/${cohort.id}/tracking`)).body
    const start = await tracking()
    expect(start.funnel).toEqual({ enrolled: 2, consented: 0, pre: 0, post: 0 })
    expect(start.waves.map((w: { kind: string; state: string }) => [w.kind, w.state])).toEqual([['pre', 'open'], ['post', 'upcoming']])

    // P1 agrees, and an hour later saves a draft of the PHQ-9 at their link.
    expect((await f.app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
    f.clock.advance(3600 * 1000)
    expect((await f.app.request(`/api/p/${token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'device-test-0001', answers: [{ question: 'phq9_1', value: 2, answeredAt: f.clock.now().toISOString() }] }))).status).toBe(200)

    const during = await tracking()
    expect(during.funnel).toEqual({ enrolled: 2, consented: 1, pre: 0, post: 0 })
    expect(during.participants).toEqual([
      {
        id: p1!.id,
        code: 'P1',
        status: 'active',
        consented: true,
        imported: false,
        hasLink: true,
        waves: {
          pre: { progress: 'in progress', lastAnswerAt: '2026-03-02T10:00:00.000Z', completedForms: 0, forms: 2 },
          post: { progress: 'not started', lastAnswerAt: null, completedForms: 0, forms: 2 },
        },
      },
      expect.objectContaining({
        code: 'P2',
        status: 'invited',
        consented: false,
        waves: { pre: { progress: 'not started', lastAnswerAt: null, completedForms: 0, forms: 2 }, post: { progress: 'not started', lastAnswerAt: null, completedForms: 0, forms: 2 } },
      }),
    ])
    // Tracking is about progress, never about what anyone answered.
    expect(JSON.stringify(during)).not.toMatch(/phq9_1|score|answers/)

    // Both forms completed later: the wave is completed and the funnel counts P1.
    f.clock.advance(60_000)
    const phq9 = { phq9_1: 2, phq9_2: 1, phq9_3: 1, phq9_4: 1, phq9_5: 0, phq9_6: 0, phq9_7: 1, phq9_8: 0, phq9_9: 0, phq9_difficulty: 1 }
    const gad7 = { gad7_1: 1, gad7_2: 1, gad7_3: 1, gad7_4: 1, gad7_5: 1, gad7_6: 1, gad7_7: 1 }
    expect((await f.app.request(`/api/p/${token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: phq9, clientId: 'submit-0001' }))).status).toBe(200)
    f.clock.advance(60_000)
    expect((await f.app.request(`/api/p/${token}/forms/pre/gad-7/complete`, jsonRequest('POST', { answers: gad7, clientId: 'submit-0002' }))).status).toBe(200)
    const after = await tracking()
    expect(after.funnel).toEqual({ enrolled: 2, consented: 1, pre: 1, post: 0 })
    expect(after.participants[0].waves.pre).toEqual({ progress: 'completed', lastAnswerAt: '2026-03-02T10:02:00.000Z', completedForms: 2, forms: 2 })
  })
})

describe('Table 1 of the demo study', () => {
  type Table1 = {
    cohort: { id: string; name: string }
    n: number
    continuous: { variable: string; n: number | null; mean: number | null; sd: number | null; min: number | null; max: number | null }[]
    categorical: { variable: string; answered: number | null; levels: { value: string; label: string; n: number | null; percent: number | null }[] }[]
    suppression: null | { minCellSize: number }
  }

  async function demoTable() {
    const f = await researcherWithStudy()
    const demo = await call<{ studyId: string; completedCohortId: string; cohortId: string }>(f.app, f.headers, '/api/demo', { method: 'POST' })
    expect(demo.status).toBe(201)
    const table = await call<Table1>(f.app, f.headers, `/api/cohorts/${demo.body.completedCohortId}/table1`)
    expect(table.status).toBe(200)
    // The stored demographics answers, read directly, to check the table against by hand.
    const rows = await f.db
      .selectFrom('response')
      .innerJoin('participant', 'participant.id', 'response.participant_id')
      .select('response.answers')
      .where('participant.cohort_id', '=', demo.body.completedCohortId)
      .where('response.instrument_id', '=', 'demographics')
      .where('response.status', '=', 'complete')
      .execute()
    return { ...f, demo: demo.body, table: table.body, answers: rows.map((r) => JSON.parse(r.answers) as Record<string, unknown>) }
  }

  it('counts the 12 participants who answered, and each row adds up to those who answered it', async () => {
    const { table, answers } = await demoTable()
    expect(table.cohort.name).toBe('Demo group A (completed)')
    expect(table.suppression).toBeNull()
    expect(answers).toHaveLength(12)
    expect(table.n).toBe(12)

    for (const row of table.categorical) {
      const given = answers.map((a) => a[row.variable]).filter((v) => v !== undefined && v !== null && v !== '')
      expect(row.answered, row.variable).toBe(given.length)
      expect(row.levels.reduce((sum, l) => sum + l.n!, 0), row.variable).toBe(row.answered)
      for (const level of row.levels) {
        expect(level.n, `${row.variable}=${level.value}`).toBe(given.filter((v) => String(v) === level.value).length)
        expect(level.percent).toBeCloseTo((100 * level.n!) / row.answered!, 10)
      }
      expect(row.levels.reduce((sum, l) => sum + l.percent!, 0)).toBeCloseTo(100, 10)
    }

    for (const row of table.continuous) {
      const values = answers.map((a) => a[row.variable]).filter((v): v is number => typeof v === 'number')
      const mean = values.reduce((s, v) => s + v, 0) / values.length
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1))
      expect(row.n, row.variable).toBe(values.length)
      expect(row.mean).toBeCloseTo(mean, 10)
      expect(row.sd).toBeCloseTo(sd, 10)
      expect([row.min, row.max]).toEqual([Math.min(...values), Math.max(...values)])
    }
  })

  it('gives the seeded demo figures that can be checked by hand', async () => {
    const { table, app, headers, demo } = await demoTable()
    const sex = table.categorical.find((c) => c.variable === 'sex')!
    // 3 + 7 + 2 + 0 = 12; 3 of 12 is 25 %.
    expect(sex.levels.map((l) => [l.value, l.n, l.percent])).toEqual([
      ['female', 3, 25],
      ['male', 7, (100 * 7) / 12],
      ['prefer_not_to_say', 2, (100 * 2) / 12],
      ['other', 0, 0],
    ])
    const age = table.continuous.find((c) => c.variable === 'age')!
    // Ages add up to 511: 511 / 12 = 42.58.
    expect(age).toMatchObject({ n: 12, min: 23, max: 56 })
    expect(age.mean! * 12).toBeCloseTo(511, 9)

    const md = await (await app.request(`/api/cohorts/${demo.completedCohortId}/table1?format=md`, { headers })).text()
    expect(md).toContain('# Table 1. Participants of Demo group A (completed) (n = 12)')
    expect(md).toContain('| Female | 3 (25.0%) |')
    expect(md).toContain('| Age (years), mean (SD) [range] | 42.6 (10.1) [23–56], n = 12 |')
    const csv = await (await app.request(`/api/cohorts/${demo.completedCohortId}/table1?format=csv`, { headers })).text()
    expect(csv.split('\n')[0]).toBe('variable,label,level,n,percent,mean,sd,min,max')
    expect(csv).toContain('sex,Sex,Female,3,25.0,,,,')
  })
})
