/**
 * The whole study at once (issue 17, part 6) in a real browser: a researcher whose study has two
 * groups opens the study-wide Table 1 and report and sees the pooled counts, then releases the
 * study-wide snapshot; a program lead of the study sees only that snapshot, never the live tables.
 * Screenshots in English and Persian in test-results/screenshots/.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { grantRole } from '../../server/db/repositories/staff'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { createStaffUser } from '../../server/domain/staff/auth'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { screenshot } from './helpers/browser'
import { type TestServer, useServerAndBrowser } from './helpers/server'
import { signIn, staffPassword } from './helpers/staff'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

/** PHQ-9 answers summing to `total` (items 1–9, 0–3 each). */
const items = (total: number) => Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))

/** Fifteen people in two groups of 8 and 7: each group alone is below the release threshold of 10. */
const groups = [
  { name: 'Group A', pre: [16, 12, 20, 9, 14, 18, 7, 15], post: [10, 11, 12, 9, 8, 17, 9, 6], age: [31, 44, 29, 52, 38, 27, 35, 61] },
  { name: 'Group B', pre: [11, 13, 19, 8, 17, 10, 14], post: [5, 12, 13, 9, 10, 6, 11], age: [40, 33, 47, 26, 55, 30, 42] },
]

async function signedIn(email: string, name: string, studyId: string, role: 'researcher' | 'program_lead') {
  const user = await createStaffUser(server.deps, { email, name, password: staffPassword, isAdmin: false }, 'test')
  await grantRole(server.db, { studyId, userId: user.id, role }, new Date())
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  await signIn(page, server.baseUrl, email)
  return { page, context }
}

/** The same page in Persian, screenshotted once `ready` (a test id) is shown again and `check` holds, then back to English. */
async function inPersian(page: Page, name: string, ready: string, check: (page: Page) => Promise<void> = async () => {}) {
  await page.getByTestId('staff-language').selectOption('fa')
  await page.locator('html[lang="fa"]').waitFor()
  await page.getByTestId(ready).first().waitFor()
  await check(page)
  await screenshot(page, `${name}-fa`)
  await page.getByTestId('staff-language').selectOption('en')
  await page.locator('html[lang="en"]').waitFor()
}

describe('the whole study at once', () => {
  it('a researcher sees the pooled Table 1 and report and releases them; a program lead sees only the release', async () => {
    const study = await createStudy(server.deps, { name: 'Two groups study' }, 'test')
    for (const g of groups) {
      const cohort = await createCohort(server.deps, { studyId: study.id, name: g.name, sessions: 8 }, 'test')
      const rows = ['participant,wave,instrument,item,value']
      g.pre.forEach((pre, i) => {
        items(pre).forEach((v, k) => rows.push(`P${i + 1},pre,phq-9,phq9_${k + 1},${v}`))
        items(g.post[i]!).forEach((v, k) => rows.push(`P${i + 1},post,phq-9,phq9_${k + 1},${v}`))
        rows.push(`P${i + 1},enrolment,demographics,age,${g.age[i]}`)
      })
      await importCohortCsv(server.deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    }

    const researcher = await signedIn('wide.researcher@example.org', 'Wide Researcher', study.id, 'researcher')
    const page = researcher.page
    await page.goto(`${server.baseUrl}/studies/${study.id}`)
    await page.getByTestId('study-wide-link').click()
    await page.getByRole('heading', { level: 1, name: 'All groups together: Table 1 and report' }).waitFor()
    expect(await page.getByTestId('study-wide-cohorts').innerText()).toBe('Groups included: Group A and Group B')
    // R: age <- c(31,44,29,52,38,27,35,61,40,33,47,26,55,30,42); mean(age) 39.33333; sd(age) 10.7482
    const table1 = page.getByTestId('table1')
    await expect.poll(() => table1.innerText()).toContain('39.3 (10.7) [26–61], n = 15')
    expect(await page.getByRole('heading', { name: 'Table 1. Participants (n = 15)' }).count()).toBe(1)
    // The report over the fifteen pairs: R, mean(post - pre) = -3.666667 (t = -4.083286).
    await page.getByTestId('figures').waitFor()
    const main = await page.locator('main').innerText()
    expect(main).toMatch(/[−-]3\.67/)
    expect(main).toMatch(/[−-]4\.08/)
    // Rows are named with their group (codes are per group).
    expect(main).toContain('Group B · P7')
    await screenshot(page, 'study-wide-researcher')
    // Table 1 in Persian uses the demographics form's own Persian wording.
    // Its figures in Persian digits (٫ the decimal separator), as the report's own are.
    await inPersian(page, 'study-wide-researcher', 'table1', async (p) => {
      const text = await p.getByTestId('table1').innerText()
      expect(text).toMatch(/سن \(سال\)[\s\S]*جنس[\s\S]*زن/)
      expect(text).toContain('۳۹٫۳ (۱۰٫۷) [۲۶–۶۱], n = ۱۵')
    })

    // Nothing released yet; the check passes; release.
    await page.getByTestId('release-allowed').waitFor()
    expect(await page.getByTestId('no-releases').innerText()).toContain('Nothing of all groups together has been released yet')
    await page.getByRole('button', { name: 'Release now' }).click()
    await page.getByTestId('release-view').waitFor()
    await researcher.context.close()

    const lead = await signedIn('wide.lead@example.org', 'Wide Lead', study.id, 'program_lead')
    await lead.page.goto(`${server.baseUrl}/studies/${study.id}`)
    await lead.page.getByTestId('study-wide-link').click()
    await lead.page.getByTestId('release-view').waitFor()
    // The released snapshot: 15 pairs, rounded to 15; means in whole points below 20 pairs
    // (R: mean(pre) 13.53, mean(post) 9.87, mean(age) 39.33); no range, no live table, no rows.
    const stats = await lead.page.getByTestId('release-stats').innerText()
    expect(stats).toMatch(/PHQ-9[^\n]*\t15\t14 \(4\)\t10 \(3\)/)
    expect(await lead.page.getByTestId('release-table1').innerText()).toMatch(/Age[^\n]*\t39 \(11\)/)
    expect(await lead.page.getByTestId('table1').count()).toBe(0)
    expect(await lead.page.getByTestId('figures').count()).toBe(0)
    expect(await lead.page.locator('main').innerText()).not.toContain('P7')
    expect(await lead.page.getByRole('button', { name: 'Release now' }).count()).toBe(0)
    await screenshot(lead.page, 'study-wide-lead')
    // In Persian, the released figures too are in Persian digits (they were in Latin ones).
    await inPersian(lead.page, 'study-wide-lead', 'release-view', async (p) => {
      expect(await p.getByTestId('release-table1').innerText()).toMatch(/سن \(سال\)[^\n]*\t۳۹ \(۱۱\)/)
      expect(await p.getByTestId('release-stats').innerText()).toMatch(/\t۱۵\t۱۴ \(۴\)\t۱۰ \(۳\)/)
      expect(await p.getByTestId('released-plot-table').first().innerText()).toMatch(/۱۴[\s\S]*۱۰/)
      // Why a figure is not shown, in Persian too (it was the server's English sentence).
      const stats = await p.getByTestId('release-stats').innerText()
      expect(stats).toContain('دست‌کم ۲۰ جفت لازم دارند')
      expect(stats).not.toMatch(/pairs|single people/)
    })
    // The live study-wide report is refused on the server, whatever the page shows.
    const live = await lead.page.evaluate(async (id) => (await fetch(`/api/studies/${id}/report`)).status, study.id)
    expect(live).toBe(403)
    await lead.context.close()
  }, 120_000)

  it('a researcher compares any two kinds of wave the groups have, pre to follow-up too', async () => {
    // Found after issue 17: the study-wide report was always pre → post.
    const study = await createStudy(server.deps, { name: 'Three waves study' }, 'test')
    const pooled = [
      { name: 'Group C', pre: [16, 12, 20], post: [12, 11, 15], followUp: [8, 10, 9] },
      { name: 'Group D', pre: [11, 13, 19], post: [9, 12, 14], followUp: [7, 12, 10] },
    ]
    for (const g of pooled) {
      const cohort = await createCohort(server.deps, { studyId: study.id, name: g.name, sessions: 8 }, 'test')
      const rows = ['participant,wave,instrument,item,value']
      g.pre.forEach((pre, i) => {
        for (const [wave, total] of [['pre', pre], ['post', g.post[i]!], ['follow-up', g.followUp[i]!]] as const) items(total).forEach((v, k) => rows.push(`P${i + 1},${wave},phq-9,phq9_${k + 1},${v}`))
      })
      await importCohortCsv(server.deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    }
    const researcher = await signedIn('three.researcher@example.org', 'Three Researcher', study.id, 'researcher')
    const page = researcher.page
    await page.goto(`${server.baseUrl}/studies/${study.id}`)
    await page.getByTestId('study-wide-link').click()
    await page.getByRole('heading', { name: 'Report: Pre to Post' }).waitFor()
    const compare = page.getByRole('form', { name: 'Waves to compare' })
    await compare.getByLabel('To').selectOption('follow-up')
    await page.getByRole('heading', { name: 'Report: Pre to Follow-up' }).waitFor()
    // R: pre <- c(16,12,20,11,13,19); fu <- c(8,10,9,7,12,10)
    //    mean(fu - pre) -5.833333; t.test(fu, pre, paired = TRUE)$statistic -3.510547
    const main = await page.locator('main').innerText()
    expect(main).toMatch(/[−-]5\.83/)
    expect(main).toMatch(/[−-]3\.51/)
    // The downloads are of the comparison shown.
    expect(await page.locator('a[download^="report-all-groups"]').first().getAttribute('href')).toContain('to=follow-up')
    await screenshot(page, 'study-wide-follow-up')
    await researcher.context.close()
  })
})
