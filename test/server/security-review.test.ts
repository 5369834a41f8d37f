/**
 * Security review of the staff side and the HTTP edge: attacks that found real defects, each kept as
 * a test that failed before its fix.
 *
 * - Re-authentication: a stolen session must not buy unlimited guesses at the account's password
 *   through "change my password" (the sign-in throttle covers that route too).
 * - The error contract: a well-formed request must never be a 500; the audit log's date filters
 *   outside the years the server can store (before 1900, the end of 9999-12-31) are a 422 naming
 *   the field.
 * - NUL characters (U+0000): PostgreSQL's text cannot hold one, so a string with one in a body or a
 *   path was a 500 there; it is refused at the edge on both engines, and nothing is written.
 * - Password links: one made for a forgotten password stayed usable after its owner changed the
 *   password, and came back to life when a disabled account was enabled again.
 * - Caching: the API's answers (a participant's answers, the audit log as CSV, the CSRF token) had no
 *   Cache-Control, so a shared ward computer's browser, or a proxy, could keep a copy; only exports
 *   said `no-store`.
 * - The error log: PostgreSQL's error for a broken constraint carries the row's values in `detail`
 *   (an email, a participant's answer), which pino wrote into the log with the error.
 */
import { Hono } from 'hono'
import { describe, it, expect } from 'vitest'
import { onError } from '../../server/http/on-error'
import { createLogger } from '../../server/logger'
import { addParticipants, createCohort, createStudy } from '../../server/domain/staff/setup'
import { nulCharacterAt } from '../../server/http/validate'
import { jsonRequest, testApp } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'
import { listTables } from '../helpers/test-database'

type ErrorBody = { error: { code: string; message: string; details?: { field: string; message: string }[] } }

async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  const body = (await res.json()) as ErrorBody
  expect({ status: res.status, code: body.error?.code, message: typeof body.error?.message }).toEqual({ status, code, message: 'string' })
  return body
}

const send = (method: string, body: unknown, headers: Record<string, string>): RequestInit => ({ method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('changing one’s password with a stolen session', () => {
  it('is throttled like sign-in: guesses at the current password are slowed, and the owner’s right password is not taken', async () => {
    const { app, deps, clock } = await testApp()
    const victim = await signedInStaff(deps)
    const guesses: number[] = []
    for (let i = 0; i < 8; i++) {
      const res = await app.request('/api/auth/password', send('POST', { currentPassword: `guess number ${i} of many`, newPassword: 'attacker owns this account now' }, victim.headers))
      guesses.push(res.status)
    }
    // Five free guesses (the sign-in throttle's "this email from this address"), then back-off.
    expect(guesses.slice(0, 5)).toEqual([422, 422, 422, 422, 422])
    expect(guesses.slice(5)).toEqual([429, 429, 429])
    const limited = await app.request('/api/auth/password', send('POST', { currentPassword: victim.password, newPassword: 'attacker owns this account now' }, victim.headers))
    const body = await expectError(limited, 429, 'rate_limited')
    expect(body.error.message).toMatch(/try again/i)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // The password was not changed by the refused request.
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: victim.email, password: 'attacker owns this account now' }))).status).not.toBe(200)

    // Guesses there and at sign-in are counted together: sign-in is slowed as well.
    await expectError(await app.request('/api/auth/sign-in', jsonRequest('POST', { email: victim.email, password: victim.password })), 429, 'rate_limited')

    // Waiting is all it takes: the owner then changes the password.
    clock.advance(15 * 60_000)
    const changed = await app.request('/api/auth/password', send('POST', { currentPassword: victim.password, newPassword: 'quiet lantern over the harbour' }, victim.headers))
    expect(changed.status).toBe(200)
  })

  it('forgives earlier failures once the right current password is given', async () => {
    const { app, deps } = await testApp()
    const me = await signedInStaff(deps)
    for (let i = 0; i < 4; i++) {
      await expectError(await app.request('/api/auth/password', send('POST', { currentPassword: `typo ${i}`, newPassword: 'quiet lantern over the harbour' }, me.headers)), 422, 'validation_failed')
    }
    expect((await app.request('/api/auth/password', send('POST', { currentPassword: me.password, newPassword: 'quiet lantern over the harbour' }, me.headers))).status).toBe(200)
    expect(await deps.db.selectFrom('sign_in_throttle').selectAll().where('key', 'like', `%${me.email}%`).execute()).toEqual([])
  })
})

describe('the audit log’s date filters', () => {
  it.each([
    ['from', '1899-12-31'],
    ['to', '0001-01-01'],
    ['to', '9999-12-31'],
  ])('answer %s=%s, a real day the log cannot hold, with a 422 naming the field, never a 500', async (field, day) => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'Audit dates', timeZone: 'Europe/Berlin' }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    for (const [path, headers] of [
      [`/api/studies/${study.id}/audit?${field}=${day}`, researcher.headers],
      [`/api/studies/${study.id}/audit.csv?${field}=${day}`, researcher.headers],
      [`/api/audit?${field}=${day}`, admin.headers],
      [`/api/audit.csv?${field}=${day}`, admin.headers],
    ] as const) {
      const body = await expectError(await app.request(path, { headers }), 422, 'validation_failed')
      expect(body.error.details?.[0]?.field).toBe(field)
      expect(body.error.message).toContain(field)
    }
  })

  it('still reads the first and last days it can hold', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'Audit dates', timeZone: 'UTC' }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    expect((await app.request(`/api/studies/${study.id}/audit?from=1900-01-01&to=9999-12-30`, { headers: researcher.headers })).status).toBe(200)
  })
})

/** Every table's row count, to show that a refused request wrote nothing. */
async function rowCounts(db: Awaited<ReturnType<typeof testApp>>['db']): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of await listTables(db)) counts[table] = (await db.selectFrom(table as 'study').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
  return counts
}

describe('a NUL character (U+0000)', () => {
  it('in a body, anywhere, is a 422 naming the field, and nothing is written', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'NUL', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Cohort', sessions: 2 }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const before = await rowCounts(deps.db)
    const attempts: [string, string, unknown, string][] = [
      ['POST', `/api/studies/${study.id}/cohorts`, { name: 'Tuesday\u0000group' }, 'name'],
      ['POST', `/api/studies/${study.id}/cohorts`, { name: 'Tuesday', coLeaders: ['Dr A', 'Dr\u0000B'] }, 'coLeaders.1'],
      ['PATCH', `/api/studies/${study.id}`, { name: '\u0000' }, 'name'],
      ['PUT', `/api/cohorts/${cohort.id}/waves/pre`, { opens: '2026-03-01', closes: '2026-03-10', instruments: ['phq-9\u0000'] }, 'instruments.0'],
      ['POST', '/api/auth/password', { currentPassword: researcher.password, newPassword: 'quiet lantern\u0000over the harbour' }, 'newPassword'],
    ]
    for (const [method, path, body, field] of attempts) {
      const res = await expectError(await app.request(path, send(method, body, researcher.headers)), 422, 'validation_failed')
      expect(res.error.details?.[0]).toEqual({ field, message: 'must not contain the NUL character (U+0000)' })
    }
    // In a key, and deep in nested arrays (walked without recursion: no stack overflow, no 500).
    await expectError(await app.request(`/api/studies/${study.id}/cohorts`, send('POST', { 'na\u0000me': 'x' }, researcher.headers)), 422, 'validation_failed')
    const deep = `${'['.repeat(50_000)}"\\u0000"${']'.repeat(50_000)}`
    await expectError(await app.request(`/api/studies/${study.id}/cohorts`, { method: 'POST', headers: { ...researcher.headers, 'content-type': 'application/json' }, body: deep }), 422, 'validation_failed')
    expect(await rowCounts(deps.db)).toEqual(before)
    // The password was not changed.
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: researcher.email, password: researcher.password }))).status).toBe(200)
  })

  // In an answer's text it is taken out instead (participant-nul.test.ts): a refusal would hold back the form's other answers.
  it('in the name of a participant’s answer is refused the same way', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'NUL', timeZone: 'UTC' }, 'test')
    await createCohort(deps, { studyId: study.id, name: 'Cohort', sessions: 2 }, 'test')
    const before = await rowCounts(deps.db)
    const res = await app.request('/api/p/sometoken/consent', jsonRequest('POST', { version: '1.1.0', answers: { 'consent\u0000': 'agree' } }))
    const body = await expectError(res, 422, 'validation_failed')
    expect(body.error.details?.[0]?.field).toBe('answers.consent\u0000')
    expect(await rowCounts(deps.db)).toEqual(before)
  })

  it('in a path is a 404, in a query a 422', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'NUL', timeZone: 'UTC' }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    await expectError(await app.request('/api/cohorts/%00', { headers: researcher.headers }), 404, 'not_found')
    await expectError(await app.request(`/api/studies/${study.id}%00`, { headers: researcher.headers }), 404, 'not_found')
    await expectError(await app.request('/api/p/abc%00def', {}), 404, 'not_found')
    const query = await expectError(await app.request(`/api/studies/${study.id}/audit?action=consent%00`, { headers: researcher.headers }), 422, 'validation_failed')
    expect(query.error.details?.[0]?.field).toBe('action')
  })

  it('is found wherever it is: a value, a key, an array item; never in clean input', () => {
    expect(nulCharacterAt({ name: 'a\u0000b' })).toBe('name')
    expect(nulCharacterAt({ tags: ['ok', 'x\u0000'] })).toBe('tags.1')
    expect(nulCharacterAt({ 'k\u0000': 1 })).toBe('k\u0000')
    expect(nulCharacterAt('\u0000')).toBe('')
    expect(nulCharacterAt({ name: 'سلام', n: 1e308, nested: [[{ ok: true, nothing: null }]] })).toBeUndefined()
  })
})

describe('the error log', () => {
  it('keeps the values PostgreSQL quotes in an error’s detail out of the log, and the error’s code and message in it', async () => {
    const lines: string[] = []
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) })
    // The shape of node-postgres's DatabaseError for a unique and a not-null violation.
    const unique = Object.assign(new Error('duplicate key value violates unique constraint "staff_user_email_key"'), { code: '23505', detail: 'Key (email)=(alice@example.org) already exists.', table: 'staff_user' })
    const notNull = Object.assign(new Error('null value in column "value" violates not-null constraint'), { code: '23502', detail: 'Failing row contains (r1, p1, free_text, I want to die).' })
    const app = new Hono()
      .get('/unique', () => {
        throw unique
      })
      .get('/not-null', () => {
        throw notNull
      })
    app.onError((error, c) => onError(error, c, logger))
    for (const path of ['/unique', '/not-null']) {
      const res = await app.request(path)
      await expectError(res, 500, 'internal_error')
    }
    const log = lines.join('\n')
    expect(log).not.toContain('alice@example.org')
    expect(log).not.toContain('I want to die')
    expect(log).toContain('23505')
    expect(log).toContain('staff_user_email_key')
  })
})

describe('a password link made earlier', () => {
  async function linkFor(app: Awaited<ReturnType<typeof testApp>>['app'], admin: { headers: Record<string, string> }, userId: string): Promise<string> {
    const res = await app.request(`/api/staff-users/${userId}/password-link`, { method: 'POST', headers: admin.headers })
    expect(res.status).toBe(201)
    return new URL(((await res.json()) as { link: string }).link).pathname.split('/').pop()!
  }

  it('stops working when its owner changes the password', async () => {
    const { app, deps } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const colleague = await signedInStaff(deps)
    const token = await linkFor(app, admin, colleague.user.id)
    expect((await app.request(`/api/auth/password-link/${token}`)).status).toBe(200)
    expect((await app.request('/api/auth/password', send('POST', { currentPassword: colleague.password, newPassword: 'quiet lantern over the harbour' }, colleague.headers))).status).toBe(200)
    await expectError(await app.request(`/api/auth/password-link/${token}`), 404, 'link_not_found')
    await expectError(await app.request('/api/auth/password-link', jsonRequest('POST', { token, password: 'someone else chose this one' })), 404, 'link_not_found')
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: colleague.email, password: 'quiet lantern over the harbour' }))).status).toBe(200)
  })

  it('does not come back when a disabled account is enabled again', async () => {
    const { app, deps } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const colleague = await signedInStaff(deps)
    const token = await linkFor(app, admin, colleague.user.id)
    expect((await app.request(`/api/staff-users/${colleague.user.id}`, send('PATCH', { disabled: true }, admin.headers))).status).toBe(200)
    expect((await app.request(`/api/staff-users/${colleague.user.id}`, send('PATCH', { disabled: false }, admin.headers))).status).toBe(200)
    await expectError(await app.request(`/api/auth/password-link/${token}`), 404, 'link_not_found')
    await expectError(await app.request('/api/auth/password-link', jsonRequest('POST', { token, password: 'someone else chose this one' })), 404, 'link_not_found')
    // A new link works.
    const fresh = await linkFor(app, admin, colleague.user.id)
    expect((await app.request('/api/auth/password-link', jsonRequest('POST', { token: fresh, password: 'quiet lantern over the harbour' }))).status).toBe(200)
  })
})

describe('API responses', () => {
  it('are never stored by a browser or proxy: personal data, secrets and errors alike', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'Caching', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Cohort', sessions: 2 }, 'test')
    const [participant] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const responses = {
      me: await app.request('/api/auth/me', { headers: researcher.headers }),
      answers: await app.request(`/api/participants/${participant!.id}/answers`, { headers: researcher.headers }),
      auditCsv: await app.request(`/api/studies/${study.id}/audit.csv`, { headers: researcher.headers }),
      participantState: await app.request(`/api/p/${participant!.token}`),
      signIn: await app.request('/api/auth/sign-in', jsonRequest('POST', { email: researcher.email, password: researcher.password })),
      notFound: await app.request('/api/cohorts/no-such-cohort', { headers: researcher.headers }),
      anonymous: await app.request('/api/auth/me'),
    }
    const cacheControl = Object.fromEntries(Object.entries(responses).map(([name, res]) => [name, `${res.status} ${res.headers.get('cache-control')}`]))
    expect(cacheControl).toEqual({
      me: '200 no-store',
      answers: '200 no-store',
      auditCsv: '200 no-store',
      participantState: '200 no-store',
      signIn: '200 no-store',
      notFound: '404 no-store',
      anonymous: '401 no-store',
    })
  })
})
