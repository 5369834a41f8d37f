/**
 * The participant's page as the server serves it (server/routes/client.ts): on the first visit it
 * carries the participant's state, so a slow phone does not wait for a second round trip (issue 16).
 * A built client is stood in for by two minimal HTML files in a temporary folder.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../../server/app'
import { jsonForHtml } from '../../../server/routes/client'
import { inlinedStateId } from '../../../server/contracts/participant-page'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { jsonRequest, testDeps } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

function builtClient(): string {
  const dir = mkdtempSync(join(tmpdir(), 'balint-client-'))
  for (const page of ['staff', 'participant']) {
    mkdirSync(join(dir, page))
    writeFileSync(join(dir, page, 'index.html'), `<!doctype html><html><head><title>${page}</title></head><body><div id="root"></div></body></html>`)
  }
  return dir
}

async function fixture() {
  const deps = await testDeps()
  const app = createApp(deps, { clientDir: builtClient() })
  const study = await createStudy(deps, { name: 'Balint pilot' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  const [participant] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
  return { app, token: participant!.token }
}

/** What a browser sends when it opens a page (Fetch Metadata). */
const browserNavigation = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }

const inlined = (html: string) => html.match(new RegExp(`<script type="application/json" id="${inlinedStateId}">(.*?)</script>`))?.[1]

describe("the participant's page", () => {
  it('carries the same state the API gives when a browser opens it, is never stored, and is the page alone for a link that shows nothing', async () => {
    const { app, token } = await fixture()
    const consented = await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
    expect(consented.status).toBe(200)
    const page = await app.request(`/p/${token}`, { headers: browserNavigation })
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-store')
    const html = await page.text()
    const state = JSON.parse(inlined(html) ?? 'null')
    expect(state).toEqual(await (await app.request(`/api/p/${token}`)).json())
    expect(state.consent.decision).toBe('agree')

    for (const other of ['A'.repeat(43), 'index.html']) {
      const plain = await (await app.request(`/p/${other}`, { headers: browserNavigation })).text()
      expect(plain).toContain('<div id="root">')
      expect(inlined(plain)).toBeUndefined()
    }
  })

  it('carries no state when fetched by something other than a browser opening it (a mail scanner, a link preview)', async () => {
    const { app, token } = await fixture()
    const fetchers: Record<string, string>[] = [{}, { 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }, { 'user-agent': 'Mozilla/5.0 (compatible; link preview)' }]
    for (const headers of fetchers) {
      const html = await (await app.request(`/p/${token}`, { headers })).text()
      expect(html).toContain('<div id="root">')
      expect(inlined(html)).toBeUndefined()
    }
  })
})

describe('jsonForHtml', () => {
  it('gives JSON that no text inside can break out of: no <, > or &, and line separators escaped; it parses back to the same value', () => {
    const value = { other: '</script><script>alert(1)</script> $& $1 & <!-- \u2028\u2029 دستیار' }
    const text = jsonForHtml(value)
    expect(text).not.toMatch(/[<>&\u2028\u2029]/)
    expect(JSON.parse(text)).toEqual(value)
  })
})

describe('a path under /api that nobody serves, beside the staff pages', () => {
  it('is a 404 for everyone, signed in or not, whatever the method', async () => {
    // Found by a security review: an anonymous GET got 401, because the staff pages' catch-all GET
    // route counted as serving it (a POST got 404, and a signed-in GET 404).
    const deps = await testDeps()
    const app = createApp(deps, { clientDir: builtClient() })
    const study = await createStudy(deps, { name: 'Pilot' }, 'test')
    const staff = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    for (const method of ['GET', 'POST', 'DELETE']) {
      for (const headers of [{}, staff.headers]) {
        const res = await app.request('/api/no-such-route', { method, headers })
        expect(res.status, `${method} ${headers === staff.headers ? 'signed in' : 'anonymous'}`).toBe(404)
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
      }
    }
    // A route that is served still needs a session first; a page is still a page.
    expect((await app.request('/api/studies')).status).toBe(401)
    expect((await app.request('/studies/x')).status).toBe(200)
  })
})
