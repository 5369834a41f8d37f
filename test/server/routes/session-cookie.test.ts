/** The session cookie's lifetime slides with use, as the server-side expiry does. */
import { describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

describe('session cookie', () => {
  it('is renewed when a request extends the session, and not on every request', async () => {
    const { app, deps, clock } = await testApp()
    const staff = await signedInStaff(deps)
    const first = await app.request('/api/auth/me', { headers: staff.headers })
    expect(first.status).toBe(200)
    expect(first.headers.get('set-cookie')).toBeNull()

    // Eleven hours later the session would end in one hour; this request moves it to twelve again.
    clock.advance(11 * 3600 * 1000)
    const later = await app.request('/api/auth/me', { headers: staff.headers })
    expect(later.status).toBe(200)
    const cookie = later.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^balint_session=/)
    expect(cookie).toMatch(/Max-Age=43200/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)

    // Another eleven hours: still signed in, because the session slid.
    clock.advance(11 * 3600 * 1000)
    expect((await app.request('/api/auth/me', { headers: staff.headers })).status).toBe(200)
  })
})
