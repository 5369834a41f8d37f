/**
 * Who may do what: every staff route × every kind of user, checked on the server.
 *
 * The world of each test: study A is the demo study (a completed cohort of 12 participants with pre
 * and post, 8 group sessions with attendance, and a second cohort with links); study B has one cohort
 * with two participants. The users: an administrator with no study role, a researcher, a program
 * lead, a group leader and an interviewer of study A, a researcher of study B, and an anonymous
 * visitor. The routes are aimed at study A's things; a second table aims them at study B's.
 *
 * Expected statuses: 2xx where the role allows it; 401 without a session; 403 for a role of the
 * study that does not allow it; 404 for anything of a study the user has no role in — with the same
 * body as for an id that does not exist, so staff of one study cannot learn that another exists.
 * A refused request writes nothing: the whole database is compared before and after.
 */
import { describe, it, expect } from 'vitest'
import { sql } from 'kysely'
import { createApp } from '../../../server/app'
import { listParticipants } from '../../../server/db/repositories/participants'
import { listGroupSessions } from '../../../server/db/repositories/studies'
import { createStaffUser } from '../../../server/domain/auth'
import { createDemo } from '../../../server/domain/demo'
import { importCohortCsv } from '../../../server/domain/import'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/setup'
import { testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

const users = ['admin', 'researcherA', 'leadA', 'leaderA', 'interviewerA', 'researcherB', 'anonymous'] as const
type User = (typeof users)[number]

/** What a route is aimed at: one study's study, cohort, group session and participant. */
type Target = { studyId: string; cohortId: string; sessionId: string; participantId: string }

type World = Awaited<ReturnType<typeof world>>

async function world() {
  const built = await testApp()
  const { deps, db } = built
  const demo = await createDemo(deps, 'test')
  const cohortA = demo.completedCohort
  const pA = (await listParticipants(db, cohortA.id)).find((p) => p.code === 'P1')!
  const sA = (await listGroupSessions(db, cohortA.id))[0]!

  const studyB = await createStudy(deps, { name: 'Study B' }, 'test')
  const cohortB = await createCohort(deps, { studyId: studyB.id, name: 'B group', firstSession: new Date('2026-03-09T00:00:00Z') }, 'test')
  await setWave(deps, { cohortId: cohortB.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  await setWave(deps, { cohortId: cohortB.id, kind: 'post', opens: '2026-04-01', closes: '2026-04-14', instruments: ['phq-9'] }, 'test')
  const [pB] = await addParticipants(deps, { cohortId: cohortB.id, count: 2 }, 'test')
  const sB = (await listGroupSessions(db, cohortB.id))[0]!

  const A = demo.study.id
  const staff = {
    admin: await signedInStaff(deps, [], { isAdmin: true }),
    researcherA: await signedInStaff(deps, [{ studyId: A, role: 'researcher' }]),
    leadA: await signedInStaff(deps, [{ studyId: A, role: 'program_lead' }]),
    leaderA: await signedInStaff(deps, [{ studyId: A, role: 'group_leader' }]),
    interviewerA: await signedInStaff(deps, [{ studyId: A, role: 'interviewer' }]),
    researcherB: await signedInStaff(deps, [{ studyId: studyB.id, role: 'researcher' }]),
  }
  const headers: Record<User, Record<string, string>> = { ...mapValues(staff, (s) => s.headers), anonymous: {} }
  // Accounts the role routes act on: one without any role (to be given one), one to lose a role.
  const newcomer = await createStaffUser(deps, { email: 'newcomer@example.org', name: 'Newcomer', password: 'a long enough password' }, 'test')
  const leaving = await createStaffUser(deps, { email: 'leaving@example.org', name: 'Leaving', password: 'a long enough password' }, 'test')
  for (const studyId of [A, studyB.id]) await db.insertInto('study_role').values({ study_id: studyId, user_id: leaving.id, role: 'interviewer', granted_at: '2026-03-01T00:00:00.000Z' }).execute()

  const targets: { A: Target; B: Target; ghost: Target } = {
    A: { studyId: A, cohortId: cohortA.id, sessionId: sA.id, participantId: pA.id },
    B: { studyId: studyB.id, cohortId: cohortB.id, sessionId: sB.id, participantId: pB!.id },
    // Ids of the same shape that exist nowhere.
    ghost: { studyId: 'ghost-study-id', cohortId: 'ghost-cohort-id', sessionId: 'ghost-session-id', participantId: 'ghost-participant-id' },
  }
  return { ...built, staff, headers, newcomer, leaving, targets }
}

function mapValues<K extends string, V, W>(record: Record<K, V>, f: (v: V) => W): Record<K, W> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v as V)])) as Record<K, W>
}

/** Every row of every table (sessions excepted: using one may extend it), to compare before and after. */
async function snapshot(db: World['db']): Promise<Record<string, unknown[]>> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' and name != 'staff_session' order by name`.execute(db)
  const out: Record<string, unknown[]> = {}
  for (const { name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db)
    out[name] = rows.rows.map((r) => JSON.stringify(r)).sort()
  }
  return out
}

type Request = { method: string; path: string; body?: unknown }
type Check = (body: any, context: { user: User; w: World; t: Target }) => void | Promise<void>

type Route = {
  name: string
  request: (t: Target, w: World) => Request
  /** Statuses for: admin, researcherA, leadA, leaderA, interviewerA, researcherB, anonymous. */
  expected: readonly [number, number, number, number, number, number, number]
  /** Aimed at one study's things (so a second table aims it at study B). */
  scoped: boolean
  /** Checks of a successful body (aimed at study A). */
  check?: Check
}

const get = (path: string): Request => ({ method: 'GET', path })
const send = (method: string, path: string, body?: unknown): Request => ({ method, path, body })

/** The JSON of a body, for checking that something is absent from all of it. */
const text = (body: unknown) => JSON.stringify(body)

// prettier-ignore
const routes: Route[] = [
  //                                                                                                     admin rA   plA  glA  intA rB   anon
  { name: 'GET /auth/me', scoped: false, request: () => get('/api/auth/me'),                            expected: [200, 200, 200, 200, 200, 200, 401],
    check: (body, { user, w }) => expect(body.user.id).toBe(w.staff[user as Exclude<User, 'anonymous'>].user.id) },
  { name: 'POST /auth/sign-out', scoped: false, request: () => send('POST', '/api/auth/sign-out'),      expected: [200, 200, 200, 200, 200, 200, 401] },
  { name: 'GET /studies', scoped: false, request: () => get('/api/studies'),                            expected: [200, 200, 200, 200, 200, 200, 401],
    check: (body, { user, w }) => {
      const seen = (body as { id: string; roles: string[] }[]).map((s) => [s.id, s.roles])
      const A = w.targets.A.studyId
      const expected: Record<User, unknown[]> = {
        admin: [], researcherA: [[A, ['researcher']]], leadA: [[A, ['program_lead']]], leaderA: [[A, ['group_leader']]], interviewerA: [[A, ['interviewer']]],
        researcherB: [[w.targets.B.studyId, ['researcher']]], anonymous: [],
      }
      expect(seen).toEqual(expected[user])
    } },
  { name: 'POST /studies', scoped: false, request: () => send('POST', '/api/studies', { name: 'New study' }), expected: [201, 403, 403, 403, 403, 403, 401],
    check: async (body, { w }) => {
      expect(body.name).toBe('New study')
      // Whoever creates a study is its researcher.
      expect(await w.db.selectFrom('study_role').select('role').where('study_id', '=', body.id).where('user_id', '=', w.staff.admin.user.id).execute()).toEqual([{ role: 'researcher' }])
    } },
  { name: 'GET /studies/:id', scoped: true, request: (t) => get(`/api/studies/${t.studyId}`),           expected: [404, 200, 200, 200, 200, 404, 401],
    check: (body, { t, user }) => {
      expect(body.id).toBe(t.studyId)
      expect(body.roles).toEqual([{ researcherA: 'researcher', leadA: 'program_lead', leaderA: 'group_leader', interviewerA: 'interviewer' }[user as string]])
      expect(body.cohorts.map((c: { id: string }) => c.id)).toContain(t.cohortId)
    } },
  { name: 'PATCH /studies/:id', scoped: true, request: (t) => send('PATCH', `/api/studies/${t.studyId}`, { minCellSize: 7 }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.minCellSize).toBe(7) },
  { name: 'POST /studies/:id/cohorts', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/cohorts`, { name: 'Spring group' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body).toMatchObject({ studyId: t.studyId, name: 'Spring group' })
      expect(body.groupSessions).toHaveLength(8)
    } },
  { name: 'GET /studies/:id/staff', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/staff`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { w }) => {
      const emails = (body as { email: string; role: string }[]).map((r) => `${r.email} ${r.role}`).sort()
      expect(emails).toEqual(
        [`${w.staff.researcherA.email} researcher`, `${w.staff.leadA.email} program_lead`, `${w.staff.leaderA.email} group_leader`, `${w.staff.interviewerA.email} interviewer`, 'leaving@example.org interviewer'].sort(),
      )
      expect(text(body)).not.toMatch(/password|argon/i)
    } },
  { name: 'POST /studies/:id/staff', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/staff`, { email: 'newcomer@example.org', role: 'group_leader' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: async (body, { w, t }) => {
      expect(body).toMatchObject({ userId: w.newcomer.id, role: 'group_leader' })
      expect(await w.db.selectFrom('study_role').select('role').where('study_id', '=', t.studyId).where('user_id', '=', w.newcomer.id).execute()).toEqual([{ role: 'group_leader' }])
    } },
  { name: 'DELETE /studies/:id/staff/:userId/:role', scoped: true, request: (t, w) => send('DELETE', `/api/studies/${t.studyId}/staff/${w.leaving.id}/interviewer`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: async (_body, { w, t }) => {
      const left = await w.db.selectFrom('study_role').select('study_id').where('user_id', '=', w.leaving.id).execute()
      // Gone from this study only.
      expect(left.map((r) => r.study_id)).not.toContain(t.studyId)
      expect(left).toHaveLength(1)
    } },
  { name: 'GET /staff-users', scoped: false, request: () => get('/api/staff-users'),                    expected: [200, 403, 403, 403, 403, 403, 401],
    check: (body) => {
      expect((body as { email: string }[]).map((u) => u.email)).toContain('newcomer@example.org')
      expect(text(body)).not.toMatch(/password|argon/i)
    } },
  { name: 'POST /staff-users', scoped: false, request: () => send('POST', '/api/staff-users', { email: 'fresh@example.org', name: 'Fresh', password: 'a long enough password' }), expected: [201, 403, 403, 403, 403, 403, 401],
    check: (body) => {
      expect(body).toMatchObject({ email: 'fresh@example.org', isAdmin: false })
      expect(text(body)).not.toMatch(/password|argon/i)
    } },
  { name: 'POST /demo', scoped: false, request: () => send('POST', '/api/demo'),                         expected: [201, 403, 403, 403, 403, 403, 401],
    check: (body) => expect(Object.keys(body).sort()).toEqual(['cohortId', 'completedCohortId', 'studyId']) },
  { name: 'GET /instruments', scoped: false, request: () => get('/api/instruments'),                    expected: [200, 200, 200, 200, 200, 200, 401],
    check: (body) => expect((body as { id: string }[]).map((i) => i.id)).toEqual(expect.arrayContaining(['phq-9', 'gad-7', 'who-5', 'cbi'])) },
  { name: 'GET /cohorts/:id', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}`),          expected: [404, 200, 200, 200, 200, 404, 401],
    check: (body, { t }) => {
      expect(body).toMatchObject({ id: t.cohortId, study: { id: t.studyId, minCellSize: 5 } })
      expect(body.sessions).toHaveLength(8)
      expect(body.waves.map((w: { kind: string }) => w.kind)).toEqual(['pre', 'post'])
    } },
  { name: 'GET /cohorts/:id/tracking', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/tracking`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => {
      expect(body.participants).toHaveLength(12)
      expect(body.funnel).toMatchObject({ enrolled: 12, consented: 12, pre: 12, post: 12 })
    } },
  { name: 'POST /cohorts/:id/participants', scoped: true, request: (t) => send('POST', `/api/cohorts/${t.cohortId}/participants`, { count: 1 }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual([{ id: expect.any(String), code: 'P13', link: expect.stringMatching(/^http:\/\/localhost\/p\/[A-Za-z0-9_-]{43}$/) }]) },
  { name: 'PUT /cohorts/:id/waves/:kind', scoped: true, request: (t) => send('PUT', `/api/cohorts/${t.cohortId}/waves/follow-up`, { opens: '2026-06-01', closes: '2026-06-14', instruments: ['who-5'] }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ kind: 'follow-up', instruments: ['who-5'] }) },
  { name: 'GET /cohorts/:id/sessions', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/sessions`), expected: [404, 200, 403, 200, 403, 404, 401],
    check: (body) => {
      expect(body.sessions).toHaveLength(8)
      expect(body.participants.map((p: { code: string }) => p.code)).toEqual(Array.from({ length: 12 }, (_, i) => `P${i + 1}`))
      expect(body.attendance.length).toBe(8 * 12)
      // Codes and attendance only: nothing of anyone's answers.
      expect(text(body)).not.toMatch(/score|answer|band|phq|gad|who-5|cbi|consent|status/i)
    } },
  { name: 'PUT /sessions/:id/attendance', scoped: true, request: (t) => send('PUT', `/api/sessions/${t.sessionId}/attendance`, { attendance: [{ participantId: t.participantId, present: false }] }), expected: [404, 200, 403, 200, 403, 404, 401],
    check: async (body, { w, t }) => {
      expect(body).toEqual({ ok: true })
      const row = await w.db.selectFrom('attendance').select('present').where('group_session_id', '=', t.sessionId).where('participant_id', '=', t.participantId).executeTakeFirstOrThrow()
      expect(row.present).toBe(0)
    } },
  { name: 'POST /participants/:id/link', scoped: true, request: (t) => send('POST', `/api/participants/${t.participantId}/link`), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toEqual({ id: t.participantId, code: 'P1', link: expect.stringMatching(/^http:\/\/localhost\/p\/[A-Za-z0-9_-]{43}$/) }) },
  { name: 'DELETE /participants/:id/link', scoped: true, request: (t) => send('DELETE', `/api/participants/${t.participantId}/link`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ ok: true }) },
  { name: 'GET /cohorts/:id/report', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/report`), expected: [404, 200, 200, 403, 403, 404, 401],
    check: (body, { user }) => {
      if (user === 'researcherA') {
        expect(body.view).toBe('researcher')
        expect(body.participants).toHaveLength(12)
      } else {
        expect(body.view).toBe('aggregate')
        expect(body).not.toHaveProperty('participants')
        expect(body.suppression).toEqual({ minCellSize: 5 })
        expect(text(body)).not.toMatch(/"P\d+"/)
      }
      expect(body.scales.length).toBeGreaterThan(0)
    } },
  { name: 'GET /participants/:id/report', scoped: true, request: (t) => get(`/api/participants/${t.participantId}/report`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body.participant).toMatchObject({ id: t.participantId, code: 'P1' })
      expect(body.waves.map((w: { kind: string; scores: unknown[] }) => [w.kind, w.scores.length > 0])).toEqual([['pre', true], ['post', true]])
    } },
  { name: 'GET /cohorts/:id/table1', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/table1`), expected: [404, 200, 200, 403, 403, 404, 401],
    check: (body, { user }) => {
      expect(body.n).toBe(12)
      if (user === 'researcherA') expect(body.suppression).toBeNull()
      else {
        expect(body.suppression).toEqual({ minCellSize: 5 })
        const counts = (body.categorical as { levels: { n: number | null }[] }[]).flatMap((c) => c.levels.map((l) => l.n))
        expect(counts.every((n) => n === null || n === 0 || n >= 5)).toBe(true)
      }
    } },
]

const errorCode: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' }

/** Make one request as one user. */
async function call(w: World, user: User, request: Request): Promise<Response> {
  const headers: Record<string, string> = { ...w.headers[user] }
  if (request.body !== undefined) headers['content-type'] = 'application/json'
  return w.app.request(request.path, { method: request.method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) })
}

/**
 * Run one row of the matrix: every user in turn, in the order of `users`. Refused cells must write
 * nothing, and a 404 must say no more than the 404 for an id that exists nowhere.
 */
async function runRow(route: Route, target: 'A' | 'B', expected: Record<User, number>) {
  const w = await world()
  const t = w.targets[target]
  const actual = {} as Record<User, number>
  for (const user of users) {
    const before = await snapshot(w.db)
    const res = await call(w, user, route.request(t, w))
    actual[user] = res.status
    if (res.status !== expected[user]) continue
    const body = (await res.json()) as unknown
    if (res.status < 300) {
      if (target === 'A') await route.check?.(body, { user, w, t })
      continue
    }
    expect(body, `${route.name} as ${user}`).toMatchObject({ error: { code: errorCode[res.status] } })
    expect(await snapshot(w.db), `${route.name} as ${user} wrote something`).toEqual(before)
    if (res.status === 404 && route.scoped) {
      const ghost = await call(w, user, route.request(w.targets.ghost, w))
      expect({ status: ghost.status, body: await ghost.json() }, `${route.name} as ${user}: the 404 tells a real id from a made-up one`).toEqual({ status: 404, body })
    }
  }
  expect(actual).toEqual(expected)
}

const asRecord = (statuses: Route['expected']): Record<User, number> => Object.fromEntries(users.map((u, i) => [u, statuses[i]!])) as Record<User, number>

describe('the role × route matrix, aimed at study A', () => {
  it.each(routes.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    await runRow(route, 'A', asRecord(route.expected))
  })
})

describe('the same routes aimed at study B: staff of study A reach nothing there', () => {
  const scoped = routes.filter((r) => r.scoped)
  it.each(scoped.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    const [admin, researcherA, , , , , anonymous] = route.expected
    // Study A's staff are strangers in study B; study B's researcher may do what A's researcher may in A.
    await runRow(route, 'B', { admin, researcherA: 404, leadA: 404, leaderA: 404, interviewerA: 404, researcherB: researcherA, anonymous })
  })
})

/** Interview, transcript and codebook routes (see interviews.test.ts). */
function interviewRoute(route: string): boolean {
  return /interview|transcript|\/codes|\/codings|\/memos|\/quotes|member-checks/.test(route)
}

describe('the matrix is complete', () => {
  it('has a row for every staff route the app mounts', async () => {
    // A new route must get a row above: compare with what the route files mount.
    const { deps } = await testApp()
    const mounted = createApp(deps)
      .routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/') && !r.path.startsWith('/api/p/'))
      .map((r) => `${r.method} ${r.path.replace(/^\/api/, '')}`)
      // The export downloads are another part of the app, with their own tests.
      .filter((r) => !r.includes('/exports'))
      // The interview and coding routes: their role checks are in interviews.test.ts until their rows are added here.
      .filter((r) => !interviewRoute(r))
    const publicRoutes = ['GET /health', 'POST /auth/setup', 'POST /auth/sign-in']
    expect([...new Set(mounted)].filter((r) => !publicRoutes.includes(r)).sort()).toEqual(routes.map((r) => r.name).sort())
  })
})

describe('program leads see aggregates only', () => {
  it('gets the report as CSV and Markdown without participant rows', async () => {
    const w = await world()
    const csv = await call(w, 'leadA', get(`/api/cohorts/${w.targets.A.cohortId}/report?format=csv`))
    expect(csv.status).toBe(200)
    const md = await call(w, 'leadA', get(`/api/cohorts/${w.targets.A.cohortId}/report?format=md`))
    expect(md.status).toBe(200)
    for (const body of [await csv.text(), await md.text()]) expect(body).not.toMatch(/\bP\d+\b/)
    // The researcher's Markdown has them.
    expect(await (await call(w, 'researcherA', get(`/api/cohorts/${w.targets.A.cohortId}/report?format=md`))).text()).toMatch(/\bP12\b/)
  })

  it("suppresses Table 1 counts below the study's min_cell_size for the program lead, not for the researcher", async () => {
    const w = await world()
    const path = `/api/cohorts/${w.targets.A.cohortId}/table1`
    const full = (await (await call(w, 'researcherA', get(path))).json()) as Table1
    const lead = (await (await call(w, 'leadA', get(path))).json()) as Table1
    expect(full.suppression).toBeNull()
    expect(lead.suppression).toEqual({ minCellSize: 5 })
    expectSuppressed(full, lead, 5)
    // The demo data do have small cells, so the rule was exercised.
    expect(levelCounts(full).some((n) => n !== null && n > 0 && n < 5)).toBe(true)
    expect(levelCounts(lead).some((n) => n === null)).toBe(true)
  })

  it("follows the study's setting: PATCH minCellSize changes what the program lead sees", async () => {
    const w = await world()
    const path = `/api/cohorts/${w.targets.A.cohortId}/table1`
    const full = (await (await call(w, 'researcherA', get(path))).json()) as Table1

    const lowered = await call(w, 'researcherA', send('PATCH', `/api/studies/${w.targets.A.studyId}`, { minCellSize: 2 }))
    expect(lowered.status).toBe(200)
    const lead2 = (await (await call(w, 'leadA', get(path))).json()) as Table1
    expect(lead2.suppression).toEqual({ minCellSize: 2 })
    expectSuppressed(full, lead2, 2)
    // Fewer cells are hidden at 2 than at 5.
    expect(levelCounts(lead2).filter((n) => n === null).length).toBeLessThan(levelCounts(full).filter((n) => n !== null && n > 0 && n < 5).length)

    // Above the cohort's size, every figure is hidden: the continuous rows too.
    await call(w, 'researcherA', send('PATCH', `/api/studies/${w.targets.A.studyId}`, { minCellSize: 13 }))
    const lead13 = (await (await call(w, 'leadA', get(path))).json()) as Table1
    expect(levelCounts(lead13).every((n) => n === null || n === 0)).toBe(true)
    expect(lead13.continuous.every((c) => c.n === null && c.mean === null && c.sd === null && c.min === null && c.max === null)).toBe(true)
    expect(lead13.categorical.every((c) => c.answered === null)).toBe(true)

    // The report follows the same setting: 12 pairs are fewer than 13, so no scale shows a statistic.
    const report = (await (await call(w, 'leadA', get(`/api/cohorts/${w.targets.A.cohortId}/report`))).json()) as {
      suppression: { minCellSize: number }
      scales: { n: number; pre: { mean: number | null }; pairedT: unknown; unavailable: Record<string, string> }[]
    }
    expect(report.suppression).toEqual({ minCellSize: 13 })
    expect(report.scales.every((s) => s.pre.mean === null && s.pairedT === null && /fewer than 13/.test(s.unavailable.all ?? ''))).toBe(true)
    // The researcher still sees everything.
    const researcher = (await (await call(w, 'researcherA', get(`/api/cohorts/${w.targets.A.cohortId}/report`))).json()) as { scales: { pre: { mean: number | null } }[] }
    expect(researcher.scales.every((s) => s.pre.mean !== null)).toBe(true)
  })

  it('hides a second count where a single hidden one could be worked out from the total', async () => {
    const built = await testApp()
    const study = await createStudy(built.deps, { name: 'Small' }, 'test')
    const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Six' }, 'test')
    // Six participants: five women and one man. Hiding only the 1 would leave it as 6 − 5.
    const sexes = ['female', 'female', 'female', 'female', 'female', 'male']
    const csv = ['participant,wave,instrument,item,value', ...sexes.map((sex, i) => `P${i + 1},enrolment,demographics,sex,${sex}`)].join('\n')
    await importCohortCsv(built.deps, { cohortId: cohort.id, csv }, 'test')
    const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
    const lead = await signedInStaff(built.deps, [{ studyId: study.id, role: 'program_lead' }])
    const table = async (headers: Record<string, string>) => (await (await built.app.request(`/api/cohorts/${cohort.id}/table1`, { headers })).json()) as Table1
    const sexOf = (t: Table1) => Object.fromEntries(t.categorical.find((c) => c.variable === 'sex')!.levels.map((l) => [l.value, l.n]))

    const full = await table(researcher.headers)
    const led = await table(lead.headers)
    expect(full.n).toBe(6)
    expect(sexOf(full)).toEqual({ female: 5, male: 1, prefer_not_to_say: 0, other: 0 })
    expect(led.categorical.find((c) => c.variable === 'sex')!.answered).toBe(6)
    expect(sexOf(led)).toEqual({ female: null, male: null, prefer_not_to_say: 0, other: 0 })
    expectSuppressed(full, led, 5)
  })

  it('refuses a program lead who tries to change the threshold', async () => {
    const w = await world()
    const res = await call(w, 'leadA', send('PATCH', `/api/studies/${w.targets.A.studyId}`, { minCellSize: 2 }))
    expect(res.status).toBe(403)
    expect((await w.db.selectFrom('study').select('min_cell_size').where('id', '=', w.targets.A.studyId).executeTakeFirstOrThrow()).min_cell_size).toBe(5)
  })
})

describe("managing a study's staff", () => {
  it('refuses to give a role to an email without an account, naming the field', async () => {
    const w = await world()
    const before = await snapshot(w.db)
    const res = await call(w, 'researcherA', send('POST', `/api/studies/${w.targets.A.studyId}/staff`, { email: 'stranger@example.org', role: 'researcher' }))
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field)).toEqual(['email'])
    expect(await snapshot(w.db)).toEqual(before)
  })

  it('does not let a researcher remove their own researcher role', async () => {
    const w = await world()
    const before = await snapshot(w.db)
    const res = await call(w, 'researcherA', send('DELETE', `/api/studies/${w.targets.A.studyId}/staff/${w.staff.researcherA.user.id}/researcher`))
    expect(res.status).toBe(409)
    expect(await snapshot(w.db)).toEqual(before)
  })

  it('takes effect at once: a revoked program lead is a stranger to the study on the next request', async () => {
    const w = await world()
    const report = get(`/api/cohorts/${w.targets.A.cohortId}/report`)
    expect((await call(w, 'leadA', report)).status).toBe(200)
    const revoked = await call(w, 'researcherA', send('DELETE', `/api/studies/${w.targets.A.studyId}/staff/${w.staff.leadA.user.id}/program_lead`))
    expect(revoked.status).toBe(200)
    expect((await call(w, 'leadA', report)).status).toBe(404)
    expect((await call(w, 'leadA', get(`/api/studies/${w.targets.A.studyId}`))).status).toBe(404)
  })
})

type Table1 = {
  n: number
  suppression: { minCellSize: number } | null
  continuous: { variable: string; n: number | null; mean: number | null; sd: number | null; min: number | null; max: number | null }[]
  categorical: { variable: string; answered: number | null; levels: { value: string; n: number | null; percent: number | null }[] }[]
}

function levelCounts(table: Table1): (number | null)[] {
  return table.categorical.flatMap((c) => c.levels.map((l) => l.n))
}

/**
 * The program lead's table is the researcher's with every count from 1 to k − 1 hidden; where that
 * leaves one hidden count in a row whose total is shown (so it could be worked out by subtraction),
 * one more count of that row is hidden. Every count that is shown is the researcher's count.
 */
function expectSuppressed(full: Table1, lead: Table1, k: number) {
  const small = (n: number | null) => n !== null && n > 0 && n < k
  expect(lead.categorical.map((c) => c.variable)).toEqual(full.categorical.map((c) => c.variable))
  lead.categorical.forEach((row, r) => {
    const fullRow = full.categorical[r]!
    expect(row.answered).toBe(small(fullRow.answered) ? null : fullRow.answered)
    const primary = fullRow.levels.filter((l) => small(l.n)).length
    const hidden = row.levels.filter((l) => l.n === null).length
    row.levels.forEach((level, i) => {
      const truth = fullRow.levels[i]!.n
      if (small(truth)) expect(level.n, `${row.variable}.${level.value}`).toBeNull()
      else if (level.n !== null) expect(level.n).toBe(truth)
      if (level.n === null) expect(level.percent).toBeNull()
    })
    expect(hidden, row.variable).toBe(primary === 1 && row.answered !== null ? 2 : primary)
  })
  expect(lead.continuous.map((c) => [c.variable, c.n])).toEqual(full.continuous.map((c) => [c.variable, small(c.n) ? null : c.n]))
}
