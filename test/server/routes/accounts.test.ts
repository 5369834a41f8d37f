/**
 * Accounts: the password policy, changing one's password, administrators disabling, enabling,
 * granting and removing administrator rights, ending sessions and resetting passwords with a
 * one-time link; the last administrator; the absolute session lifetime; the session checked before
 * the body; the set-up link after the demo.
 */
import { describe, it, expect } from 'vitest'
import { createSetupToken } from '../../../server/domain/staff/auth'
import { createDemo } from '../../../server/domain/demo/study'
import { createStudy } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

type App = Awaited<ReturnType<typeof testApp>>

async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: { field: string; message: string }[] } }
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code })
  return body
}

const send = (method: string, body: unknown, headers: Record<string, string>): RequestInit => ({ method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function auditActions(db: App['db']): Promise<string[]> {
  return (await db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((r) => r.action)
}

describe('the password policy', () => {
  it.each([
    ['ten times the same letter', 'aaaaaaaaaa', /repeated/i],
    ['the account’s own email', 'weak.owner@example.org', /personal/i],
    ['a common password with digits', 'password1234', /common/i],
  ])('refuses %s with a 422 naming the field and saying why, and stores nothing', async (_name, password, reason) => {
    const { app, deps, db } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const before = await db.selectFrom('staff_user').select('id').execute()
    const res = await app.request('/api/staff-users', send('POST', { email: 'weak.owner@example.org', name: 'Weak Owner', password }, admin.headers))
    const body = await expectError(res, 422, 'validation_failed')
    expect(body.error.details?.[0]?.field).toBe('password')
    expect(body.error.message).toMatch(reason)
    expect(await db.selectFrom('staff_user').select('id').execute()).toEqual(before)
  })

  it('refuses a weak first administrator password at set-up too', async () => {
    const { app, deps } = await testApp()
    const token = (await createSetupToken(deps))!
    const res = await app.request('/api/auth/setup', jsonRequest('POST', { token, name: 'Ada', email: 'ada@example.org', password: 'ada@example.org' }))
    await expectError(res, 422, 'validation_failed')
  })
})

describe('changing one’s own password', () => {
  it('needs the current password, checks the new one, and ends the account’s other sessions but not this one', async () => {
    const { app, deps, db } = await testApp()
    const me = await signedInStaff(deps)
    const elsewhere = await app.request('/api/auth/sign-in', jsonRequest('POST', { email: me.email, password: me.password }))
    const otherCookie = elsewhere.headers.get('set-cookie')!.split(';')[0]!

    await expectError(await app.request('/api/auth/password', send('POST', { currentPassword: 'not my password at all', newPassword: 'quiet lantern over the harbour' }, me.headers)), 422, 'validation_failed')
    await expectError(await app.request('/api/auth/password', send('POST', { currentPassword: me.password, newPassword: 'aaaaaaaaaaaa' }, me.headers)), 422, 'validation_failed')

    const changed = await app.request('/api/auth/password', send('POST', { currentPassword: me.password, newPassword: 'quiet lantern over the harbour' }, me.headers))
    expect(changed.status).toBe(200)
    expect(await changed.json()).toEqual({ endedSessions: 1 })
    expect((await app.request('/api/auth/me', { headers: me.headers })).status).toBe(200)
    expect((await app.request('/api/auth/me', { headers: { cookie: otherCookie } })).status).toBe(401)
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: me.email, password: me.password }))).status).toBe(401)
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: me.email, password: 'quiet lantern over the harbour' }))).status).toBe(200)
    expect(await auditActions(db)).toContain('staff.password_change')
  })
})

describe('administrators manage accounts', () => {
  it('disable an account (its sessions end at once, sign-in fails) and enable it again, audited', async () => {
    const { app, deps, db } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const colleague = await signedInStaff(deps)
    const disabled = await app.request(`/api/staff-users/${colleague.user.id}`, send('PATCH', { disabled: true }, admin.headers))
    expect(await disabled.json()).toMatchObject({ id: colleague.user.id, disabled: true })
    expect((await app.request('/api/auth/me', { headers: colleague.headers })).status).toBe(401)
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: colleague.email, password: colleague.password }))).status).toBe(401)

    // The same change again records nothing new.
    await app.request(`/api/staff-users/${colleague.user.id}`, send('PATCH', { disabled: true }, admin.headers))
    expect((await auditActions(db)).filter((a) => a === 'staff.disable')).toHaveLength(1)

    expect(await (await app.request(`/api/staff-users/${colleague.user.id}`, send('PATCH', { disabled: false }, admin.headers))).json()).toMatchObject({ disabled: false })
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: colleague.email, password: colleague.password }))).status).toBe(200)
    expect(await auditActions(db)).toEqual(expect.arrayContaining(['staff.disable', 'staff.enable']))
  })

  it('grant and remove administrator rights, but never disable or demote the last administrator', async () => {
    const { app, deps, db } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const colleague = await signedInStaff(deps)
    for (const change of [{ isAdmin: false }, { disabled: true }]) {
      const res = await app.request(`/api/staff-users/${admin.user.id}`, send('PATCH', change, admin.headers))
      expect((await expectError(res, 409, 'conflict')).error.message).toMatch(/last administrator/)
    }
    expect(await (await app.request(`/api/staff-users/${colleague.user.id}`, send('PATCH', { isAdmin: true }, admin.headers))).json()).toMatchObject({ isAdmin: true })
    // Now there are two: the first may step down, and then the colleague is the last one.
    expect(await (await app.request(`/api/staff-users/${admin.user.id}`, send('PATCH', { isAdmin: false }, admin.headers))).json()).toMatchObject({ isAdmin: false })
    await expectError(await app.request(`/api/staff-users/${colleague.user.id}`, send('PATCH', { isAdmin: false }, colleague.headers)), 409, 'conflict')
    expect(await auditActions(db)).toEqual(expect.arrayContaining(['staff.admin_grant', 'staff.admin_revoke']))
  })

  it('end all of someone’s sessions', async () => {
    const { app, deps } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const colleague = await signedInStaff(deps)
    const res = await app.request(`/api/staff-users/${colleague.user.id}/sessions`, { method: 'DELETE', headers: admin.headers })
    expect(await res.json()).toEqual({ endedSessions: 1 })
    expect((await app.request('/api/auth/me', { headers: colleague.headers })).status).toBe(401)
  })

  it('reset a password with a one-time link on BALINT_BASE_URL: it works once, sets a strong password and signs its owner in', async () => {
    const { app, deps, db } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const colleague = await signedInStaff(deps)
    const made = await app.request(`/api/staff-users/${colleague.user.id}/password-link`, { method: 'POST', headers: admin.headers })
    expect(made.status).toBe(201)
    const { link } = (await made.json()) as { link: string }
    const token = link.split('/reset/')[1]!
    // Only the hash is stored.
    expect(JSON.stringify(await db.selectFrom('password_link').selectAll().execute())).not.toContain(token)

    expect(await (await app.request(`/api/auth/password-link/${token}`)).json()).toMatchObject({ email: colleague.email })
    await expectError(await app.request('/api/auth/password-link', jsonRequest('POST', { token, password: 'aaaaaaaaaaaa' })), 422, 'validation_failed')
    const set = await app.request('/api/auth/password-link', jsonRequest('POST', { token, password: 'amber kettle under moonlight' }))
    expect(set.status).toBe(200)
    expect(set.headers.get('set-cookie')).toMatch(/^balint_session=/)
    expect((await app.request('/api/auth/me', { headers: colleague.headers })).status).toBe(401) // the old session ended
    await expectError(await app.request('/api/auth/password-link', jsonRequest('POST', { token, password: 'another amber kettle here' })), 404, 'link_not_found')
    expect((await app.request('/api/auth/sign-in', jsonRequest('POST', { email: colleague.email, password: 'amber kettle under moonlight' }))).status).toBe(200)
    expect(await auditActions(db)).toEqual(expect.arrayContaining(['staff.password_link', 'staff.password_set']))
  })
})

describe('sessions', () => {
  it('end 24 hours after sign-in even when used all along (absolute lifetime)', async () => {
    const { app, deps, clock } = await testApp()
    const me = await signedInStaff(deps)
    for (let hours = 0; hours < 23; hours++) {
      clock.advance(3600_000)
      expect((await app.request('/api/auth/me', { headers: me.headers })).status).toBe(200)
    }
    clock.advance(3600_000)
    expect((await app.request('/api/auth/me', { headers: me.headers })).status).toBe(401)
  })

  it('are checked before the body: an anonymous caller gets 401, not the route’s schema', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'S' }, 'test')
    for (const [method, path] of [['POST', '/api/studies'], ['POST', `/api/studies/${study.id}/cohorts`], ['PATCH', `/api/studies/${study.id}`], ['POST', '/api/staff-users'], ['PATCH', '/api/staff-users/x']] as const) {
      const res = await app.request(path, jsonRequest(method, { unexpected: 'field' }))
      const body = await expectError(res, 401, 'unauthorized')
      expect(body.error.details).toBeUndefined()
    }
  })
})

describe('revoking a study role', () => {
  it('that nobody holds is a 404 and writes nothing to the audit log', async () => {
    const { app, deps, db } = await testApp()
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const other = await signedInStaff(deps)
    const before = await auditActions(db)
    await expectError(await app.request(`/api/studies/${study.id}/staff/${other.user.id}/program_lead`, { method: 'DELETE', headers: researcher.headers }), 404, 'not_found')
    expect(await auditActions(db)).toEqual(before)
  })
})

describe('first run', () => {
  it('the set-up link works after the demo was created first (its invented coders are not administrators)', async () => {
    const { app, deps } = await testApp()
    const token = (await createSetupToken(deps))!
    await createDemo(deps, 'cli')
    // A restart after the demo still prints a link, and the first one still works.
    expect(await createSetupToken({ ...deps })).not.toBeNull()
    const latest = (await createSetupToken(deps))!
    await expectError(await app.request('/api/auth/setup', jsonRequest('POST', { token, name: 'Ada', email: 'ada@example.org', password: 'a long enough password' })), 404, 'link_not_found')
    const res = await app.request('/api/auth/setup', jsonRequest('POST', { token: latest, name: 'Ada', email: 'ada@example.org', password: 'a long enough password' }))
    expect(res.status).toBe(201)
    expect(await createSetupToken(deps)).toBeNull()
  })
})
