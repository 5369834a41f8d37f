/**
 * A ward computer that staff share: one signs in while another's session is still in the browser
 * (found by the security review). The new sign-in must work without the earlier session's CSRF
 * token, which the sign-in page never has, and must end that earlier session: its cookie is
 * overwritten, and the session left live on the server would be anyone's who had copied the cookie.
 */
import { describe, expect, it } from 'vitest'
import { createPasswordLink } from '../../server/domain/staff/accounts'
import { testApp } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

const cookieOnly = (headers: { cookie: string }) => ({ cookie: headers.cookie })
const post = (body: unknown, headers: Record<string, string>): RequestInit => ({ method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('signing in on a computer where someone else is still signed in', () => {
  it('signs the new person in, without the earlier session’s CSRF token, and ends the earlier session', async () => {
    const { app, deps } = await testApp()
    const first = await signedInStaff(deps)
    const second = await signedInStaff(deps)
    const res = await app.request('/api/auth/sign-in', post({ email: second.email, password: second.password }, cookieOnly(first.headers)))
    expect(res.status).toBe(200)
    expect(((await res.json()) as { user: { email: string } }).user.email).toBe(second.email)
    // The first person's session no longer works, with or without its token.
    expect((await app.request('/api/auth/me', { headers: first.headers })).status).toBe(401)
  })

  it('sets a password with a one-time link in a browser where someone else is signed in, and ends their session', async () => {
    const { app, deps } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const other = await signedInStaff(deps)
    const newcomer = await signedInStaff(deps)
    const { token } = await createPasswordLink(deps, `staff:${admin.user.id}`, newcomer.user.id)
    const res = await app.request('/api/auth/password-link', post({ token, password: 'a long new passphrase for the ward' }, cookieOnly(other.headers)))
    expect(res.status).toBe(200)
    expect((await app.request('/api/auth/me', { headers: other.headers })).status).toBe(401)
  })

  it('still asks for the CSRF token on every other change made with a session', async () => {
    const { app, deps } = await testApp()
    const someone = await signedInStaff(deps)
    const res = await app.request('/api/auth/sign-out', { method: 'POST', headers: cookieOnly(someone.headers) })
    expect(res.status).toBe(403)
    expect((await app.request('/api/auth/me', { headers: someone.headers })).status).toBe(200)
  })
})
