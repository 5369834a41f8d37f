/**
 * Behind an HTTPS reverse proxy, over real HTTP (the in-process app.request misses what Node's
 * server does): security headers on every response, participant links on BALINT_BASE_URL, Secure
 * cookies, and X-Forwarded-* believed only with BALINT_TRUST_PROXY.
 */
import { afterEach, describe, expect, it } from 'vitest'
import http from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { loadConfig } from '../../../server/config'
import { startServer } from '../../../server/index'
import { createStaffUser } from '../../../server/domain/staff/auth'
import { createLogger } from '../../../server/logger'

type Running = Awaited<ReturnType<typeof startServer>>
const running: Running[] = []
afterEach(async () => {
  for (const r of running.splice(0)) await r.close()
})

async function serverWith(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'balint-proxy-'))
  const config = { ...loadConfig({ ...env, PORT: '0' }), dbPath: join(dir, 'balint.sqlite'), instrumentsDir: join(dir, 'instruments') }
  const r = await startServer(config, { logger: createLogger('silent') })
  running.push(r)
  const origin = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`
  const deps = { db: r.db, instruments: r.instruments, now: () => new Date() }
  return { r, origin, deps }
}

/** A raw HTTP request (fetch would hide Set-Cookie details and decompress by itself). */
function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    const req = http.request(url, { method: options.method ?? 'GET', headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const password = 'a long enough password'

async function signIn(origin: string, email: string, headers: Record<string, string> = {}) {
  const res = await request(`${origin}/api/auth/sign-in`, { method: 'POST', body: { email, password }, headers })
  const cookie = (res.headers['set-cookie'] ?? [])[0] ?? ''
  return { res, cookie, session: cookie.split(';')[0]!, csrf: res.status === 200 ? (JSON.parse(res.body) as { csrfToken: string }).csrfToken : '' }
}

describe('security headers over real HTTP', () => {
  it('are on every response: API JSON (gzip or not), errors, 404s', async () => {
    const { origin } = await serverWith({})
    const paths = ['/api/health', '/api/auth/me', '/api/p/unknown-token', '/api/no-such-route', '/somewhere']
    for (const path of paths) {
      for (const encoding of ['gzip', 'identity']) {
        const res = await request(`${origin}${path}`, { headers: { 'accept-encoding': encoding } })
        const context = `${path} (${encoding}, ${res.status})`
        expect(res.headers['content-security-policy'], context).toMatch(/default-src 'self'/)
        expect(res.headers['x-content-type-options'], context).toBe('nosniff')
        expect(res.headers['referrer-policy'], context).toBe('no-referrer')
        expect(res.headers['x-frame-options'], context).toBe('SAMEORIGIN')
      }
    }
  })
})

describe('behind an HTTPS proxy', () => {
  it('participant links use BALINT_BASE_URL, never the Host the request came with; the cookie is Secure', async () => {
    const { origin, deps } = await serverWith({ BALINT_BASE_URL: 'https://balint.hospital.example/', BALINT_TRUST_PROXY: 'true' })
    const admin = await createStaffUser(deps, { email: 'ada@example.org', name: 'Ada', password, isAdmin: true }, 'test')
    const { res, cookie, session, csrf } = await signIn(origin, admin.email, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' })
    expect(res.status).toBe(200)
    expect(cookie).toMatch(/; Secure/)
    expect(cookie).toMatch(/; HttpOnly/)
    const headers = { cookie: session, 'x-csrf-token': csrf, host: 'internal-name:8080' }
    const study = JSON.parse((await request(`${origin}/api/studies`, { method: 'POST', body: { name: 'S' }, headers })).body) as { id: string }
    const cohort = JSON.parse((await request(`${origin}/api/studies/${study.id}/cohorts`, { method: 'POST', body: { name: 'C' }, headers })).body) as { id: string }
    const added = await request(`${origin}/api/cohorts/${cohort.id}/participants`, { method: 'POST', body: { count: 2 }, headers })
    expect(added.status).toBe(201)
    for (const p of JSON.parse(added.body) as { link: string }[]) expect(p.link).toMatch(/^https:\/\/balint\.hospital\.example\/p\/[A-Za-z0-9_-]{43}$/)
    const demo = await request(`${origin}/api/demo`, { method: 'POST', headers })
    for (const p of (JSON.parse(demo.body) as { participants: { link: string }[] }).participants) expect(p.link).toMatch(/^https:\/\/balint\.hospital\.example\/p\//)
  })

  it('with an http base URL, the cookie is Secure only when a trusted proxy says the client used HTTPS', async () => {
    const trusted = await serverWith({ BALINT_TRUST_PROXY: '1' })
    await createStaffUser(trusted.deps, { email: 'ada@example.org', name: 'Ada', password }, 'test')
    expect((await signIn(trusted.origin, 'ada@example.org', { 'x-forwarded-proto': 'https' })).cookie).toMatch(/; Secure/)
    expect((await signIn(trusted.origin, 'ada@example.org')).cookie).not.toMatch(/Secure/)

    const direct = await serverWith({})
    await createStaffUser(direct.deps, { email: 'ada@example.org', name: 'Ada', password }, 'test')
    // Anyone can send X-Forwarded-Proto to a server reached directly: it is ignored.
    expect((await signIn(direct.origin, 'ada@example.org', { 'x-forwarded-proto': 'https' })).cookie).not.toMatch(/Secure/)
  })

  it('throttles by the client address the trusted proxy reports, not by the proxy’s own', async () => {
    const { origin, deps } = await serverWith({ BALINT_TRUST_PROXY: 'true' })
    await createStaffUser(deps, { email: 'ada@example.org', name: 'Ada', password }, 'test')
    const guess = (forwardedFor: string) => request(`${origin}/api/auth/sign-in`, { method: 'POST', body: { email: 'ada@example.org', password: 'wrong password!' }, headers: { 'x-forwarded-for': forwardedFor } })
    // The last entry is the one the proxy added; the client may have put anything before it.
    for (let i = 0; i < 5; i++) expect((await guess(`10.9.9.${i}, 203.0.113.66`)).status).toBe(401)
    expect((await guess('203.0.113.66')).status).toBe(429)
    // Ada, coming through the same proxy from elsewhere, is not held up by the attacker.
    expect((await signIn(origin, 'ada@example.org', { 'x-forwarded-for': '198.51.100.7' })).res.status).toBe(200)
  })
})
