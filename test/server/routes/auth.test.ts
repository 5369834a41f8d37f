/**
 * Staff sign-in over HTTP: the first administrator's one-time set-up link, email and password
 * (argon2id), the session cookie, CSRF protection of state-changing requests, the sign-in rate limit,
 * sign-out and session expiry. Every test builds its own app over a fresh in-memory database.
 */
import { describe, it, expect } from 'vitest'
import { createSetupToken } from '../../../server/domain/staff/auth'
import { createStudy } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

type App = Awaited<ReturnType<typeof testApp>>
type Me = { user: { id: string; email: string; name: string; isAdmin: boolean }; roles: { studyId: string; role: string }[]; csrfToken: string }

const hour = 3600 * 1000
const admin = { name: 'Ada Admin', email: 'Ada@Example.org', password: 'a long enough password' }

/** Assert the one error shape and return the body. */
async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } }
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code })
  expect(Object.keys(body)).toEqual(['error'])
  return body
}

/** The session cookie's value and attributes from a Set-Cookie header (named `__Host-balint_session` over https). */
function sessionCookieOf(res: Response, name = 'balint_session'): { value: string; attributes: string[] } {
  const header = res.headers.get('set-cookie') ?? ''
  const [pair, ...attributes] = header.split(';').map((s) => s.trim())
  const [given, value] = (pair ?? '').split('=')
  expect(given).toBe(name)
  return { value: value ?? '', attributes }
}

/** Request options carrying a session cookie and (optionally) a CSRF token, as the browser sends them. */
function withSession(cookie: string, init: RequestInit = { method: 'GET' }, csrfToken?: string): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string>), cookie: `balint_session=${cookie}`, ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) } }
}

async function setUp(built: App, token: string, body = admin) {
  return built.app.request('/api/auth/setup', jsonRequest('POST', { token, ...body }))
}

async function signIn(app: App['app'], email: string, password: string) {
  return app.request('/api/auth/sign-in', jsonRequest('POST', { email, password }))
}

async function count(db: App['db'], table: 'staff_user' | 'staff_session' | 'study' | 'audit_log' | 'setup_token'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

describe('first-run set-up', () => {
  it('creates the first administrator, signs them in with an HttpOnly SameSite=Strict cookie and returns the CSRF token', async () => {
    const built = await testApp()
    const token = await createSetupToken(built.deps)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)

    const res = await setUp(built, token!)
    expect(res.status).toBe(201)
    const me = (await res.json()) as Me
    expect(me.user).toMatchObject({ email: 'ada@example.org', name: 'Ada Admin', isAdmin: true })
    expect(me.roles).toEqual([])
    expect(me.csrfToken).toMatch(/^[0-9a-f]{64}$/)

    const cookie = sessionCookieOf(res)
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(cookie.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${12 * 3600}`]))
    // Served over plain HTTP (as in tests and on localhost) the cookie cannot be Secure.
    expect(cookie.attributes).not.toContain('Secure')

    // The cookie is a working session, and the CSRF token it came with is the one /me reports.
    const again = await built.app.request('/api/auth/me', withSession(cookie.value))
    expect(again.status).toBe(200)
    expect(((await again.json()) as Me).csrfToken).toBe(me.csrfToken)

    const users = await built.db.selectFrom('staff_user').selectAll().execute()
    expect(users).toHaveLength(1)
    expect(users[0]).toMatchObject({ email: 'ada@example.org', is_admin: 1, disabled_at: null })
    // The session token is stored only as a hash.
    const sessions = await built.db.selectFrom('staff_session').selectAll().execute()
    expect(sessions).toHaveLength(1)
    expect(sessions[0]!.token_hash).not.toContain(cookie.value)
    expect(await built.db.selectFrom('audit_log').select(['action', 'actor']).where('action', '=', 'staff.setup_admin').execute()).toEqual([
      { action: 'staff.setup_admin', actor: `staff:${users[0]!.id}` },
    ])
  })

  it('marks the cookie Secure, and names it __Host-, when the request came over HTTPS', async () => {
    const built = await testApp()
    const token = await createSetupToken(built.deps)
    const res = await built.app.request('https://balint.example.org/api/auth/setup', jsonRequest('POST', { token, ...admin }))
    expect(res.status).toBe(201)
    const cookie = sessionCookieOf(res, '__Host-balint_session')
    // What the browser requires of a __Host- cookie: Secure, Path=/, no Domain.
    expect(cookie.attributes).toContain('Secure')
    expect(cookie.attributes).toContain('Path=/')
    expect(cookie.attributes.some((a) => /^domain=/i.test(a))).toBe(false)
    const me = (name: string) => built.app.request('https://balint.example.org/api/auth/me', { headers: { cookie: `${name}=${cookie.value}` } })
    expect((await me('__Host-balint_session')).status).toBe(200)
    // Over https an unprefixed cookie is not read, whoever set it (a subdomain can set one for ours).
    expect((await me('balint_session')).status).toBe(401)
  })

  it('works once: the same link again is refused and creates nobody', async () => {
    const built = await testApp()
    const token = (await createSetupToken(built.deps))!
    expect((await setUp(built, token)).status).toBe(201)

    const second = await setUp(built, token, { name: 'Mallory', email: 'mallory@example.org', password: 'another long password' })
    await expectError(second, 409, 'conflict')
    expect(second.headers.get('set-cookie')).toBeNull()
    expect(await count(built.db, 'staff_user')).toBe(1)
  })

  it('prints no new link once a staff account exists, and a guessed token is refused', async () => {
    const built = await testApp()
    const token = (await createSetupToken(built.deps))!
    await setUp(built, token)
    expect(await createSetupToken(built.deps)).toBeNull()
    await expectError(await setUp(built, 'x'.repeat(43)), 409, 'conflict')
    expect(await count(built.db, 'staff_user')).toBe(1)
  })

  it('refuses an unknown token and a token retired by a newer one with 404, creating nobody', async () => {
    const built = await testApp()
    const older = (await createSetupToken(built.deps))!
    const newer = (await createSetupToken(built.deps))!
    expect(newer).not.toBe(older)

    await expectError(await setUp(built, 'not-the-token'), 404, 'link_not_found')
    await expectError(await setUp(built, older), 404, 'link_not_found')
    expect(await count(built.db, 'staff_user')).toBe(0)
    // Only hashes of set-up tokens are stored.
    const stored = await built.db.selectFrom('setup_token').select('token_hash').execute()
    expect(stored.map((s) => s.token_hash).some((h) => h.includes(older) || h.includes(newer))).toBe(false)

    expect((await setUp(built, newer)).status).toBe(201)
  })

  it('validates the form: a short password is a 422 naming the field', async () => {
    const built = await testApp()
    const token = (await createSetupToken(built.deps))!
    const body = await expectError(await setUp(built, token, { ...admin, password: 'short' }), 422, 'validation_failed')
    expect((body.error.details as { field: string }[]).map((d) => d.field)).toEqual(['password'])
    expect(await count(built.db, 'staff_user')).toBe(0)
    // The link is still good after a rejected form.
    expect((await setUp(built, token)).status).toBe(201)
  })
})

describe('passwords', () => {
  it('are stored as argon2id hashes, never as given', async () => {
    const built = await testApp()
    await setUp(built, (await createSetupToken(built.deps))!)
    const staff = await signedInStaff(built.deps)
    const rows = await built.db.selectFrom('staff_user').select(['email', 'password_hash']).execute()
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/)
      expect(row.password_hash).not.toContain(admin.password)
      expect(row.password_hash).not.toContain(staff.password)
    }
    // Two accounts never share a hash (each has its own salt), even for the same password.
    const other = await signedInStaff(built.deps)
    const hashes = await built.db.selectFrom('staff_user').select('password_hash').where('email', 'in', [staff.email, other.email]).execute()
    expect(new Set(hashes.map((h) => h.password_hash)).size).toBe(2)
  })
})

describe('POST /api/auth/sign-in', () => {
  it('signs in with the right password (email case and spaces ignored) and sets the session cookie', async () => {
    const { app, deps } = await testApp()
    const staff = await signedInStaff(deps)
    const res = await signIn(app, `  ${staff.email.toUpperCase()} `, staff.password)
    expect(res.status).toBe(200)
    const me = (await res.json()) as Me
    expect(me.user).toMatchObject({ id: staff.user.id, email: staff.email, isAdmin: false })
    const cookie = sessionCookieOf(res)
    expect(cookie.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict']))
    expect((await app.request('/api/auth/me', withSession(cookie.value))).status).toBe(200)
  })

  it('answers a wrong password and an unknown email with the same 401 body and no cookie', async () => {
    const { app, deps, db } = await testApp()
    const staff = await signedInStaff(deps)
    const sessions = await count(db, 'staff_session')

    const wrongPassword = await signIn(app, staff.email, 'not the password at all')
    const unknownEmail = await signIn(app, 'nobody@example.org', staff.password)
    const a = await expectError(wrongPassword, 401, 'unauthorized')
    const b = await expectError(unknownEmail, 401, 'unauthorized')
    expect(b).toEqual(a)
    expect(wrongPassword.headers.get('set-cookie')).toBeNull()
    expect(unknownEmail.headers.get('set-cookie')).toBeNull()
    expect(await count(db, 'staff_session')).toBe(sessions)
  })

  // What @hono/node-server passes as the environment: the request's socket.
  const from = (address: string) => ({ incoming: { socket: { remoteAddress: address, remotePort: 50000, remoteFamily: 'IPv4' } } })
  const attempt = (app: App['app'], email: string, password: string, address: string) => app.request('/api/auth/sign-in', jsonRequest('POST', { email, password }), from(address))

  it('slows guesses from one address with a back-off (5 free, then 1 s, 2 s …), even for the right password; the owner elsewhere is not locked out', async () => {
    const { app, deps, clock } = await testApp()
    const target = await signedInStaff(deps)
    const attacker = '203.0.113.66'
    for (let i = 0; i < 5; i++) await expectError(await attempt(app, target.email, `wrong password ${i}`, attacker), 401, 'unauthorized')

    const blocked = await attempt(app, target.email, target.password, attacker)
    const body = await expectError(blocked, 429, 'rate_limited')
    expect(blocked.headers.get('retry-after')).toBe('1')
    expect(body.error.details).toEqual({ retryAfterSeconds: 1 })
    expect(blocked.headers.get('set-cookie')).toBeNull()
    // The email is matched as it is normalised: changing its case does not get round the back-off.
    await expectError(await attempt(app, target.email.toUpperCase(), target.password, attacker), 429, 'rate_limited')

    // The owner, at another address, signs in at once: ten guesses do not lock them out (they did before).
    expect((await attempt(app, target.email, target.password, '198.51.100.2')).status).toBe(200)

    // The attacker's waits double: 1 s after the 5th failure, 2 s after the 6th, 4 s after the 7th.
    clock.advance(1000)
    await expectError(await attempt(app, target.email, 'wrong again', attacker), 401, 'unauthorized')
    expect((await attempt(app, target.email, 'wrong again', attacker)).headers.get('retry-after')).toBe('2')
    clock.advance(2000)
    await expectError(await attempt(app, target.email, 'wrong again', attacker), 401, 'unauthorized')
    expect((await attempt(app, target.email, 'wrong again', attacker)).headers.get('retry-after')).toBe('4')
    // Waiting out the back-off is enough: the right password then works from there too.
    clock.advance(4000)
    expect((await attempt(app, target.email, target.password, attacker)).status).toBe(200)
  })

  it('guesses from many addresses slow the account by at most a minute: the owner is never locked out for longer', { timeout: 30_000 }, async () => {
    const { app, deps, clock } = await testApp()
    const target = await signedInStaff(deps)
    // 60 guesses, each from its own address: the per-account back-off starts after 20 and caps at 60 s.
    for (let i = 0; i < 60; i++) {
      const res = await attempt(app, target.email, `guess ${i}`, `192.0.2.${i + 1}`)
      expect([401, 429]).toContain(res.status)
      clock.advance(60_000)
    }
    const owner = await attempt(app, target.email, target.password, '198.51.100.2')
    // At most a minute to wait, however many guesses came before.
    if (owner.status === 429) expect(Number(owner.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    clock.advance(60_000)
    expect((await attempt(app, target.email, target.password, '198.51.100.2')).status).toBe(200)
  })

  it('counts 40 guesses sent at once one by one: exactly 5 reach the password check, the other 35 get 429', async () => {
    const { app, deps, db } = await testApp()
    const target = await signedInStaff(deps)
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(app, target.email, `concurrent guess ${i}`, '203.0.113.9')))
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 401)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(35)
    // The count is in the database, where another process or a restart would find it.
    const row = await db.selectFrom('sign_in_throttle').selectAll().where('key', '=', `pair:${target.email}|203.0.113.9`).executeTakeFirstOrThrow()
    expect(row.failures).toBe(5)
  })

  it('keeps the count in the database: a second app over the same database refuses the next guess too', async () => {
    const { app, deps } = await testApp()
    const target = await signedInStaff(deps)
    for (let i = 0; i < 5; i++) await expectError(await attempt(app, target.email, `wrong ${i}`, '203.0.113.10'), 401, 'unauthorized')
    const { createApp } = await import('../../../server/app')
    const restarted = createApp(deps)
    await expectError(await attempt(restarted, target.email, target.password, '203.0.113.10'), 429, 'rate_limited')
  })

  it('also counts failures per client address: one password tried on many emails is stopped, other addresses are not', { timeout: 30_000 }, async () => {
    const { app, deps } = await testApp()
    const staff = await signedInStaff(deps)
    // A ward shares one address: ten typos there do not lock out a colleague.
    for (let i = 0; i < 10; i++) await expectError(await attempt(app, `guess${i}@example.org`, 'Winter2026!Winter', '203.0.113.7'), 401, 'unauthorized')
    expect((await attempt(app, staff.email, staff.password, '203.0.113.7')).status).toBe(200)
    // One password tried on a hundred emails from one address is slowed there, and only there.
    for (let i = 10; i < 100; i++) await expectError(await attempt(app, `guess${i}@example.org`, 'Winter2026!Winter', '203.0.113.7'), 401, 'unauthorized')
    await expectError(await attempt(app, staff.email, staff.password, '203.0.113.7'), 429, 'rate_limited')
    expect((await attempt(app, staff.email, staff.password, '198.51.100.2')).status).toBe(200)
  })

  it('does not count failures of one email against the next after a success', async () => {
    const { app, deps } = await testApp()
    const staff = await signedInStaff(deps)
    for (let i = 0; i < 4; i++) await signIn(app, staff.email, 'wrong password here')
    expect((await signIn(app, staff.email, staff.password)).status).toBe(200)
    for (let i = 0; i < 4; i++) await signIn(app, staff.email, 'wrong password here')
    expect((await signIn(app, staff.email, staff.password)).status).toBe(200)
  })

  it('refuses a disabled account with the same 401 body as a wrong password, and ends its live sessions', async () => {
    const { app, deps, db, clock } = await testApp()
    const staff = await signedInStaff(deps)
    const wrong = await expectError(await signIn(app, staff.email, 'not the password at all'), 401, 'unauthorized')
    await db.updateTable('staff_user').set({ disabled_at: clock.now().toISOString() }).where('id', '=', staff.user.id).execute()

    const disabled = await signIn(app, staff.email, staff.password)
    expect(await expectError(disabled, 401, 'unauthorized')).toEqual(wrong)
    expect(disabled.headers.get('set-cookie')).toBeNull()
    await expectError(await app.request('/api/auth/me', { headers: staff.headers }), 401, 'unauthorized')
  })
})

describe('GET /api/auth/me', () => {
  it('is a 401 without a session cookie or with an unknown one', async () => {
    const { app } = await testApp()
    await expectError(await app.request('/api/auth/me'), 401, 'unauthorized')
    await expectError(await app.request('/api/auth/me', withSession('x'.repeat(43))), 401, 'unauthorized')
  })

  it('returns the user, their roles per study and the CSRF token', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'Pilot' }, 'test')
    const staff = await signedInStaff(deps, [{ studyId: study.id, role: 'program_lead' }])
    const res = await app.request('/api/auth/me', { headers: staff.headers })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      user: { id: staff.user.id, email: staff.email, name: staff.user.name, isAdmin: false },
      roles: [{ studyId: study.id, role: 'program_lead' }],
      csrfToken: staff.headers['x-csrf-token'],
    })
  })
})

describe('POST /api/auth/sign-out', () => {
  it('ends the session: the old cookie then gets 401', async () => {
    const { app, deps, db } = await testApp()
    const staff = await signedInStaff(deps)
    const res = await app.request('/api/auth/sign-out', { method: 'POST', headers: staff.headers })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
    const cleared = sessionCookieOf(res)
    expect(cleared.value).toBe('')
    expect(cleared.attributes).toContain('Max-Age=0')

    await expectError(await app.request('/api/auth/me', { headers: staff.headers }), 401, 'unauthorized')
    await expectError(await app.request('/api/studies', { headers: staff.headers }), 401, 'unauthorized')
    const sessions = await db.selectFrom('staff_session').select('ended_at').where('user_id', '=', staff.user.id).execute()
    expect(sessions).toEqual([{ ended_at: '2026-03-02T09:00:00.000Z' }])
  })

  it('ends only that session: the same user signed in elsewhere stays signed in', async () => {
    const { app, deps } = await testApp()
    const staff = await signedInStaff(deps)
    const elsewhere = sessionCookieOf(await signIn(app, staff.email, staff.password)).value
    await app.request('/api/auth/sign-out', { method: 'POST', headers: staff.headers })
    expect((await app.request('/api/auth/me', withSession(elsewhere))).status).toBe(200)
  })

  it('is a 401 without a session', async () => {
    const { app } = await testApp()
    await expectError(await app.request('/api/auth/sign-out', { method: 'POST' }), 401, 'unauthorized')
  })
})

describe('CSRF protection', () => {
  it('refuses a state-changing request with the session cookie but no or a wrong X-CSRF-Token, and writes nothing', async () => {
    const { app, deps, db } = await testApp()
    const staff = await signedInStaff(deps, [], { isAdmin: true })
    const other = await signedInStaff(deps, [], { isAdmin: true })
    const cookie = staff.headers.cookie
    const before = { studies: await count(db, 'study'), audit: await count(db, 'audit_log'), users: await count(db, 'staff_user') }

    const attempts: [string, RequestInit][] = [
      ['/api/studies', { ...jsonRequest('POST', { name: 'Forged' }), headers: { 'content-type': 'application/json', cookie } }],
      ['/api/studies', { ...jsonRequest('POST', { name: 'Forged' }), headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': 'wrong' } }],
      // Another session's token does not fit this session.
      ['/api/studies', { ...jsonRequest('POST', { name: 'Forged' }), headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': other.headers['x-csrf-token'] } }],
      ['/api/staff-users', { ...jsonRequest('POST', { email: 'new@example.org', name: 'New', password: 'a long enough password' }), headers: { 'content-type': 'application/json', cookie } }],
      ['/api/demo', { method: 'POST', headers: { cookie } }],
      ['/api/auth/sign-out', { method: 'POST', headers: { cookie } }],
    ]
    for (const [path, init] of attempts) await expectError(await app.request(path, init), 403, 'forbidden')

    expect({ studies: await count(db, 'study'), audit: await count(db, 'audit_log'), users: await count(db, 'staff_user') }).toEqual(before)
    // The refused sign-out did not end the session.
    expect((await app.request('/api/auth/me', { headers: { cookie } })).status).toBe(200)

    // With its token the same request goes through.
    const ok = await app.request('/api/studies', { ...jsonRequest('POST', { name: 'Real' }), headers: { 'content-type': 'application/json', ...staff.headers } })
    expect(ok.status).toBe(201)
    expect(await count(db, 'study')).toBe(before.studies + 1)
  })

  it('does not ask for a token on reads', async () => {
    const { app, deps } = await testApp()
    const staff = await signedInStaff(deps)
    expect((await app.request('/api/studies', { headers: { cookie: staff.headers.cookie } })).status).toBe(200)
  })
})

describe('session expiry', () => {
  it('ends a session 12 hours after its last use', async () => {
    const { app, deps, clock } = await testApp()
    const staff = await signedInStaff(deps)
    clock.advance(12 * hour - 1)
    expect((await app.request('/api/auth/me', { headers: staff.headers })).status).toBe(200)
    // That request extended the session by another 12 hours from now.
    clock.advance(12 * hour - 1)
    expect((await app.request('/api/auth/me', { headers: staff.headers })).status).toBe(200)
    clock.advance(12 * hour + 1)
    await expectError(await app.request('/api/auth/me', { headers: staff.headers }), 401, 'unauthorized')
  })

  it('answers an expired session with 401 on every staff route, not with the CSRF 403', async () => {
    const { app, deps, clock, db } = await testApp()
    const staff = await signedInStaff(deps, [], { isAdmin: true })
    clock.advance(12 * hour + 1)
    await expectError(await app.request('/api/auth/me', { headers: staff.headers }), 401, 'unauthorized')
    await expectError(await app.request('/api/studies', { ...jsonRequest('POST', { name: 'Late' }), headers: { 'content-type': 'application/json', cookie: staff.headers.cookie } }), 401, 'unauthorized')
    expect(await count(db, 'study')).toBe(0)
  })
})
