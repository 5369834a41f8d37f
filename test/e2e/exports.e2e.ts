/**
 * A researcher downloads the exports of the demo's completed cohort in a real browser and the files
 * parse: wide.csv has one row per participant with the pre and post scores the report uses; the
 * download is in the audit log. Table 1 is on screen; a program lead sees only the released Table 1, rounded and redacted.
 */
import { parse } from 'csv-parse/sync'
import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { grantRole } from '../../server/db/repositories/staff'
import { createStaffUser } from '../../server/domain/staff/auth'
import { createDemo } from '../../server/domain/demo/study'
import { cohortReport } from '../../server/domain/outcomes/report'
import { screenshot } from './helpers/browser'
import { signIn, staffPassword } from './helpers/staff'
import { type TestServer, useServerAndBrowser } from './helpers/server'
import { releaseCohort } from '../../server/domain/outcomes/release'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const password = staffPassword

async function signedInPage(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
  const page = await context.newPage()
  await signIn(page, server.baseUrl, email)
  return page
}

describe('exports and Table 1 in the browser', () => {
  it('downloads wide.csv and it holds the report\'s pairs; Table 1 is on screen, suppressed for a program lead', async () => {
    const demo = await createDemo(server.deps, 'test')
    const researcher = await createStaffUser(server.deps, { email: 'rosa@example.org', name: 'Rosa Researcher', password }, 'test')
    const lead = await createStaffUser(server.deps, { email: 'pat@example.org', name: 'Pat Lead', password }, 'test')
    await grantRole(server.db, { studyId: demo.study.id, userId: researcher.id, role: 'researcher' }, new Date())
    await grantRole(server.db, { studyId: demo.study.id, userId: lead.id, role: 'program_lead' }, new Date())
    const cohortId = demo.completedCohort.id

    const page = await signedInPage('rosa@example.org')
    await page.goto(`${server.baseUrl}/cohorts/${cohortId}/exports`)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-wide.csv').click()])
    await screenshot(page, 'staff-50-exports')
    const rows = parse(readFileSync((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[]
    expect(rows).toHaveLength(12)
    const report = await cohortReport(server.deps, cohortId, { from: 'pre', to: 'post' })
    const phq = report.participants.map((p) => [p.code, p.scales.find((s) => s.instrument === 'phq-9')!.pre, p.scales.find((s) => s.instrument === 'phq-9')!.post])
    expect(rows.map((r) => [r.participant, Number(r.pre_phq9_total), Number(r.post_phq9_total)])).toEqual(phq)
    const audit = await server.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'export.download').execute()
    expect(audit).toEqual([{ actor: `staff:${researcher.id}`, details: JSON.stringify({ file: 'wide.csv' }) }])

    await page.goto(`${server.baseUrl}/cohorts/${cohortId}/table1`)
    const table = page.getByTestId('table1')
    await table.waitFor()
    expect(await page.getByRole('heading', { name: /Table 1/ }).textContent()).toContain('n = 12')
    expect(await table.textContent()).toMatch(/Age \(years\), mean \(SD\)\d+\.\d \(\d+\.\d\) \[\d+–\d+\], n = 12/)
    await screenshot(page, 'staff-51-table1')
    await page.context().close()

    // The researcher releases; the program lead asking for Table 1 gets the released one only.
    await releaseCohort(server.deps, cohortId, researcher)
    const leadPage = await signedInPage('pat@example.org')
    await leadPage.goto(`${server.baseUrl}/cohorts/${cohortId}/table1`)
    await leadPage.getByTestId('release-table1').waitFor()
    expect(await leadPage.getByTestId('table1').count()).toBe(0)
    const text = (await leadPage.getByTestId('release-table1').textContent()) ?? ''
    expect(text).toContain('not shown')
    // No range for a program lead: the oldest and youngest are single people; ages in whole years.
    expect(text).not.toMatch(/\[\d+–\d+\]/)
    expect(text).toMatch(/Age \(years\), mean \(SD\)\d+ \(\d+\)/)
    expect(await leadPage.getByRole('link', { name: 'Exports' }).count()).toBe(0)
    // The released means' plots load as a chunk of their own ("Loading…" until then): the page as read.
    await leadPage.getByTestId('released-plots').first().waitFor()
    expect(await leadPage.getByText('Loading…').count()).toBe(0)
    await screenshot(leadPage, 'staff-52-table1-program-lead')
    await leadPage.context().close()
  })
})
