/**
 * The first-run set-up link is printed to the console, where logs keep it (found by the last
 * security review: set-up tokens never expired). It works for 24 hours; after that a request with it
 * is refused as a link that is gone, and `balint admin setup-link` (or a restart) prints a new one.
 */
import { describe, expect, it } from 'vitest'
import { createSetupToken, setupLinkLifetimeMs } from '../../server/domain/staff/auth'
import { jsonRequest, testApp } from '../helpers/app'

const body = { name: 'Dr Ada Rahimi', email: 'ada@example.org', password: 'a long and unusual passphrase for set-up' }

describe('a first-run set-up link', () => {
  it('lives 24 hours', () => {
    expect(setupLinkLifetimeMs).toBe(24 * 60 * 60 * 1000)
  })

  it('is refused a minute after its 24 hours, and a new one works', async () => {
    const { app, deps, clock } = await testApp()
    const old = (await createSetupToken(deps))!
    clock.advance(24 * 60 * 60 * 1000 + 60_000)
    const res = await app.request('/api/auth/setup', jsonRequest('POST', { ...body, token: old }))
    expect(res.status).toBe(404)
    const { error } = (await res.json()) as { error: { code: string; message: string } }
    expect(error.code).toBe('link_not_found')
    expect(error.message).toContain('admin setup-link')
    expect(await deps.db.selectFrom('staff_user').select('id').execute()).toEqual([])
    const fresh = (await createSetupToken(deps))!
    expect((await app.request('/api/auth/setup', jsonRequest('POST', { ...body, token: fresh }))).status).toBe(201)
  })

  it('still works a minute before its 24 hours are up', async () => {
    const { app, deps, clock } = await testApp()
    const token = (await createSetupToken(deps))!
    clock.advance(24 * 60 * 60 * 1000 - 60_000)
    expect((await app.request('/api/auth/setup', jsonRequest('POST', { ...body, token }))).status).toBe(201)
  })
})
