/** The request log: one JSON line per request, with no token, password, answer or cookie in it. */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../../server/app'
import { createLogger } from '../../../server/logger'
import { redactPath } from '../../../server/http/request-log'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { jsonRequest, testDeps } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

describe('redactPath', () => {
  it.each([
    ['/p/AbC-123_xyz', '/p/:token'],
    ['/api/p/AbC-123_xyz/forms/pre/phq-9/draft', '/api/p/:token/forms/pre/phq-9/draft'],
    ['/setup/secret', '/setup/:token'],
    ['/reset/secret', '/reset/:token'],
    ['/api/auth/password-link/secret', '/api/auth/password-link/:token'],
    ['/api/studies/s1', '/api/studies/s1'],
  ])('%s → %s', (path, expected) => expect(redactPath(path)).toBe(expected))
})

describe('the request log', () => {
  it('has method, path, status and duration, and no token, password, answer or cookie', async () => {
    const deps = await testDeps()
    const lines: string[] = []
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) })
    const app = createApp(deps, { logger })
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'C' }, 'test')
    await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-01-01', closes: '2026-12-31', instruments: ['phq-9'] }, 'test')
    const [participant] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    const staff = await signedInStaff(deps)

    await app.request(`/api/p/${participant!.token}`)
    await app.request(`/api/p/${participant!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree', secret_answer: 'my private words' } }))
    await app.request('/api/auth/sign-in', jsonRequest('POST', { email: staff.email, password: staff.password }))
    await app.request('/api/auth/me', { headers: staff.headers })

    const entries = lines.map((l) => JSON.parse(l) as { method: string; path: string; status: number; ms: number })
    expect(entries.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'GET /api/p/:token 200',
      expect.stringMatching(/^POST \/api\/p\/:token\/consent \d{3}$/),
      'POST /api/auth/sign-in 200',
      'GET /api/auth/me 200',
    ])
    expect(entries.every((e) => typeof e.ms === 'number')).toBe(true)
    const all = lines.join('\n')
    for (const secret of [participant!.token, staff.password, 'my private words', staff.headers.cookie.split('=')[1]!, staff.headers['x-csrf-token']]) expect(all).not.toContain(secret)
  })
})
