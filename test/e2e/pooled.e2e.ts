/**
 * The pooled report in a real browser: a study with three Balint groups (imported PHQ-9 pre and post
 * answers, sessions attended), opened from the study page by its researcher: the model's figures,
 * the forest plot and its table. Screenshot in test-results/screenshots/.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { grantRole } from '../../server/db/repositories/staff'
import { listGroupSessions } from '../../server/db/repositories/studies'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { createStaffUser } from '../../server/domain/staff/auth'
import { createCohort, createStudy, recordAttendance } from '../../server/domain/staff/setup'
import { screenshot } from './helpers/browser'
import { type TestServer, useServerAndBrowser } from './helpers/server'
import { signIn, staffPassword } from './helpers/staff'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const password = staffPassword
const groups = [
  { name: 'Group A', change: [-6, -3, -8, -5], attended: [7, 5, 8, 6] },
  { name: 'Group B', change: [-1, 2, -2, 0, -4, 1, -3], attended: [3, 6, 4, 2, 7, 1, 5] },
  { name: 'Group C', change: [-7, -10, -5, -9, -4], attended: [8, 8, 6, 7, 5] },
]
const items = (total: number) => Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))

describe('pooled report', () => {
  it('shows the nested model and the forest plot of three groups', async () => {
    const email = 'pooled.researcher@example.org'
    const user = await createStaffUser(server.deps, { email, name: 'Researcher', password, isAdmin: false }, 'test')
    const study = await createStudy(server.deps, { name: 'Three Balint groups' }, 'test')
    await grantRole(server.db, { studyId: study.id, userId: user.id, role: 'researcher' }, new Date())
    for (const g of groups) {
      const cohort = await createCohort(server.deps, { studyId: study.id, name: g.name, sessions: 8 }, 'test')
      const rows = ['participant,wave,instrument,item,value']
      g.change.forEach((change, p) => {
        items(16).forEach((v, i) => rows.push(`P${p + 1},pre,phq-9,phq9_${i + 1},${v}`))
        items(16 + change).forEach((v, i) => rows.push(`P${p + 1},post,phq-9,phq9_${i + 1},${v}`))
      })
      await importCohortCsv(server.deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
      const participants = await server.db.selectFrom('participant').select(['id', 'code']).where('cohort_id', '=', cohort.id).execute()
      for (const [s, session] of (await listGroupSessions(server.db, cohort.id)).entries()) {
        await recordAttendance(server.deps, session.id, g.attended.map((a, p) => ({ participantId: participants.find((x) => x.code === `P${p + 1}`)!.id, present: s < a })), 'test')
      }
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    await signIn(page, server.baseUrl, email)
    await page.goto(`${server.baseUrl}/studies/${study.id}`)
    await page.getByTestId('pooled-link').click()
    await page.getByRole('heading', { level: 1, name: 'Pooled report: all groups together' }).waitFor()

    const section = page.getByTestId('pooled-phq-9-total')
    // Exact REML (R): pooled −4.4567 [−8.4125, −0.5010]; τ² 9.0473, σ² 5.1415; per session −0.9421 [−1.5460, −0.3382]
    await expect.poll(() => section.getByTestId('pooled-model').innerText()).toContain('-4.46 [-8.41, -0.50]')
    const model = await section.getByTestId('pooled-model').innerText()
    expect(model).toContain('9.05')
    expect(model).toContain('5.14')
    expect(model).toContain('0.638') // ICC 9.0473 / (9.0473 + 5.1415)
    expect(model).toContain('-0.94 [-1.55, -0.34]')
    const table = await section.getByTestId('forest-table').innerText()
    expect(table).toMatch(/Group A\s+4\s+-5.50 \[-8.81, -2.19\]\s+-5.37/)
    expect(table).toMatch(/Pooled \(REML\)\s+16\s+-4.46/)
    // The forest plot: one row per group and the pooled row.
    const svg = section.locator('figure.plot svg').first()
    await svg.waitFor()
    const labels = await svg.locator('text').allTextContents()
    for (const label of ['Group A (n = 4)', 'Group B (n = 7)', 'Group C (n = 5)', 'Pooled (REML)']) expect(labels).toContain(label)
    expect(await page.getByTestId('pooled-script').getAttribute('href')).toContain('format=r')
    expect(requests.filter((url) => new URL(url).origin !== new URL(server.baseUrl).origin)).toEqual([])
    await screenshot(page, 'pooled-report')
    await context.close()
  })
})
