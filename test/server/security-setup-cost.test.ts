/**
 * First-run set-up is open to anyone until the first administrator exists (found by the security
 * review): a request with a wrong set-up token made the server compute an argon2id hash of its
 * password (about 20 MiB and tens of milliseconds each) before the token was looked at, so anyone
 * could keep the server busy with no limit. The token is now checked first.
 */
import { describe, expect, it, vi } from 'vitest'

const hashed = vi.hoisted(() => ({ calls: 0 }))
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const argon2 = await importOriginal<typeof import('@node-rs/argon2')>()
  return { ...argon2, hash: (...args: Parameters<typeof argon2.hash>) => ((hashed.calls += 1), argon2.hash(...args)) }
})

const { createSetupToken } = await import('../../server/domain/staff/auth')
const { jsonRequest, testApp } = await import('../helpers/app')

describe('first-run set-up with a wrong token', () => {
  it('is refused before any password is hashed, and a right token still sets up the administrator', async () => {
    const { app, deps } = await testApp()
    const token = (await createSetupToken(deps))!
    const body = { name: 'Dr Ada Rahimi', email: 'ada@example.org', password: 'a long and unusual passphrase for set-up' }
    hashed.calls = 0
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/api/auth/setup', jsonRequest('POST', { ...body, token: `not-the-token-${i}` }))
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('link_not_found')
    }
    expect(hashed.calls).toBe(0)
    const res = await app.request('/api/auth/setup', jsonRequest('POST', { ...body, token }))
    expect(res.status).toBe(201)
    expect(hashed.calls).toBe(1)
  })
})
