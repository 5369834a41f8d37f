/**
 * The research team's week (issue 17) in a real browser: a researcher corrects a stored answer and
 * the score changes with the history kept; the audit log shows it. Screenshots in English and Persian
 * in test-results/screenshots/.
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

let accounts = 0
/** A researcher of a new study, signed in on a new page. */
async function researcherOfNewStudy(name: string) {
  const email = `week.researcher${++accounts}@example.org`
  const user = await createStaffUser(server.deps, { email, name: `Researcher ${accounts}`, password: staffPassword, isAdmin: false }, 'test')
  const study = await createStudy(server.deps, { name }, 'test')
  await grantRole(server.db, { studyId: study.id, userId: user.id, role: 'researcher' }, new Date())
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  await signIn(page, server.baseUrl, email)
  return { user, study, page, context }
}

/** PHQ-9 answers summing to `total` (items 1–9, 0–3 each). */
const items = (total: number) => Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))

async function inPersian(page: Page, name: string) {
  await page.getByTestId('staff-language').selectOption('fa')
  await page.locator('html[lang="fa"]').waitFor()
  await screenshot(page, `${name}-fa`)
  await page.getByTestId('staff-language').selectOption('en')
  await page.locator('html[lang="en"]').waitFor()
}

describe('corrections with an audit trail', () => {
  it('a corrected answer changes the score, is marked, keeps its history and appears in the audit log', async () => {
    const { study, page, context } = await researcherOfNewStudy('Corrections study')
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group 1', sessions: 8 }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    items(12).forEach((v, i) => rows.push(`P1,pre,phq-9,phq9_${i + 1},${v}`))
    items(6).forEach((v, i) => rows.push(`P1,post,phq-9,phq9_${i + 1},${v}`))
    await importCohortCsv(server.deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const p1 = await server.db.selectFrom('participant').select('id').where('cohort_id', '=', cohort.id).executeTakeFirstOrThrow()

    await page.goto(`${server.baseUrl}/participants/${p1.id}`)
    const scores = page.getByTestId('participant-scores')
    await expect.poll(() => scores.innerText()).toMatch(/PHQ-9[^\n]*\t12\b/)
    // Item 1 of the pre PHQ-9 was 3 ("Nearly every day"); the paper form said 1.
    const pre = page.getByTestId('answers-phq-9-pre')
    await pre.getByRole('button', { name: 'Correct the answer to phq9_1' }).click()
    await pre.getByLabel('Corrected answer').selectOption('1')
    await pre.getByLabel('Reason for the correction').fill('The paper form says “several days”; typed in wrong.')
    await pre.getByRole('button', { name: 'Save correction' }).click()
    await pre.getByTestId('corrected').waitFor()
    await expect.poll(() => scores.innerText()).toMatch(/PHQ-9[^\n]*\t10\b/)
    const history = await pre.getByTestId('correction-history').innerText()
    expect(history).toContain('phq9_1: 3 → 1, by Researcher')
    expect(history).toContain('typed in wrong')
    await screenshot(page, 'week-correction')
    await inPersian(page, 'week-correction')

    await page.getByRole('link', { name: 'This participant’s entries in the audit log' }).click()
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor()
    await page.getByTestId('audit-action').selectOption('answer.correct')
    await page.getByRole('button', { name: 'Show' }).click()
    await expect.poll(() => page.getByTestId('audit-entries').locator('tbody tr').count()).toBe(1)
    expect(await page.getByTestId('audit-entries').innerText()).toContain('answer.correct')
    expect(await page.getByTestId('audit-csv').getAttribute('href')).toContain('action=answer.correct')
    await screenshot(page, 'week-audit-log')
    await inPersian(page, 'week-audit-log')
    await context.close()
  })
})
