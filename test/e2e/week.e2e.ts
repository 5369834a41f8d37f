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
import { createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { screenshot } from './helpers/browser'
import { day, type TestServer, useServerAndBrowser } from './helpers/server'
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

/** The same page in Persian, screenshotted once `ready` (a test id) is shown again, then back to English. */
async function inPersian(page: Page, name: string, ready: string) {
  await page.getByTestId('staff-language').selectOption('fa')
  await page.locator('html[lang="fa"]').waitFor()
  await page.getByTestId(ready).first().waitFor()
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
    await inPersian(page, 'week-correction', 'correction-history')

    await page.getByRole('link', { name: 'This participant’s entries in the audit log' }).click()
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor()
    await page.getByTestId('audit-action').selectOption('answer.correct')
    await page.getByRole('button', { name: 'Show' }).click()
    await expect.poll(() => page.getByTestId('audit-entries').locator('tbody tr').count()).toBe(1)
    expect(await page.getByTestId('audit-entries').innerText()).toContain('answer.correct')
    expect(await page.getByTestId('audit-csv').getAttribute('href')).toContain('action=answer.correct')
    await screenshot(page, 'week-audit-log')
    await inPersian(page, 'week-audit-log', 'audit-entries')
    await context.close()
  })
})

describe('dates that make sense', () => {
  it('refuses overlapping waves until the researcher confirms, and says why a pre wave after the first session is unusual', async () => {
    const { study, page, context } = await researcherOfNewStudy('Dates study')
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group 1', firstSession: '2026-03-09', sessions: 8 }, 'test')
    await page.goto(`${server.baseUrl}/cohorts/${cohort.id}/waves`)
    const waveForm = (kind: string) => page.locator(`section[data-wave="${kind}"]`)
    async function fill(kind: string, opens: string, closes: string) {
      const form = waveForm(kind)
      await form.getByLabel('Opens on').fill(opens)
      await form.getByLabel('Last day').fill(closes)
      await form.getByLabel('Add a questionnaire').selectOption('phq-9')
      await form.getByRole('button', { name: 'Add', exact: true }).click()
    }
    // Pre still open on the day of the first session (9 March): allowed, and the page says why it is unusual.
    await fill('pre', '2026-03-01', '2026-03-10')
    await waveForm('pre').getByRole('button', { name: 'Save Pre wave' }).click()
    await waveForm('pre').getByTestId('wave-warning-pre_closes_after_first_session').waitFor()

    await fill('post', '2026-03-05', '2026-04-20')
    await waveForm('post').getByRole('button', { name: 'Save Post wave' }).click()
    const dialog = page.getByRole('dialog', { name: 'Overlapping waves' })
    await dialog.waitFor()
    expect(await dialog.innerText()).toContain('overlap the Pre wave')
    await screenshot(page, 'week-overlap')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await server.db.selectFrom('wave').select('kind').where('cohort_id', '=', cohort.id).execute()).toEqual([{ kind: 'pre' }])

    await waveForm('post').getByRole('button', { name: 'Save Post wave' }).click()
    await dialog.getByRole('button', { name: 'Save, overlapping' }).click()
    await expect.poll(async () => (await server.db.selectFrom('wave').select('kind').where('cohort_id', '=', cohort.id).execute()).map((w) => w.kind).sort()).toEqual(['post', 'pre'])
    await waveForm('post').getByTestId('wave-warning-post_opens_before_last_session').waitFor()
    await screenshot(page, 'week-waves')
    await inPersian(page, 'week-waves', 'wave-warning-post_opens_before_last_session')
    await context.close()
  })

  // Found by a newcomer's walk-through: an answered questionnaire was taken out of its wave with
  // nothing asked, and with it the report's pre → post comparison of it.
  it('asks before taking out of a wave a questionnaire answered in it, and keeps it until confirmed', async () => {
    const { study, page, context } = await researcherOfNewStudy('Removal study')
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group 1', sessions: 8 }, 'test')
    await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-01-05', closes: '2026-01-18', instruments: ['phq-9'] }, 'test')
    await importCohortCsv(server.deps, { cohortId: cohort.id, csv: ['participant,wave,instrument,item,value', ...items(12).map((v, i) => `P1,pre,phq-9,phq9_${i + 1},${v}`)].join('\n') }, 'test')
    const instrumentsOfPre = async () => (await server.db.selectFrom('wave_instrument as wi').innerJoin('wave', 'wave.id', 'wi.wave_id').select('wi.instrument_id').where('wave.cohort_id', '=', cohort.id).where('wave.kind', '=', 'pre').execute()).map((r) => r.instrument_id)
    expect(await instrumentsOfPre()).toEqual(['phq-9'])
    await page.goto(`${server.baseUrl}/cohorts/${cohort.id}/waves`)
    const pre = page.locator('section[data-wave="pre"]')
    await pre.getByLabel('Add a questionnaire').selectOption('gad-7')
    await pre.getByRole('button', { name: 'Add', exact: true }).click()
    await pre.getByRole('button', { name: /^Remove .*PHQ-9/ }).click()
    await pre.getByRole('button', { name: 'Save Pre wave' }).click()
    const dialog = page.getByRole('dialog', { name: 'These questionnaires already have answers' })
    await dialog.waitFor()
    expect(await dialog.innerText()).toContain('takes phq-9 out of the wave, which holds one response to it')
    await screenshot(page, 'week-waves-removal')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await instrumentsOfPre()).toEqual(['phq-9'])
    await pre.getByRole('button', { name: 'Save Pre wave' }).click()
    await dialog.getByRole('button', { name: 'Take them out' }).click()
    await expect.poll(instrumentsOfPre).toEqual(['gad-7'])
    await context.close()
  })
  // Found by two reviews: an imported wave (open and closed at the instant of its import) was shown as
  // that day; saved unchanged it asked to confirm new dates, and once that was no longer asked, it opened
  // for the day and sent its invitation.
  it('shows an imported wave without dates, and opens it only on the dates the researcher gives', async () => {
    const { study, page, context } = await researcherOfNewStudy('Imported wave study')
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group 1', sessions: 8 }, 'test')
    await importCohortCsv(server.deps, { cohortId: cohort.id, csv: ['participant,wave,instrument,item,value', ...items(12).map((v, i) => `P1,pre,phq-9,phq9_${i + 1},${v}`)].join('\n') }, 'test')
    const preWave = async () => (await server.db.selectFrom('wave').select(['opens_at', 'closes_at']).where('cohort_id', '=', cohort.id).where('kind', '=', 'pre').executeTakeFirstOrThrow())
    const imported = await preWave()
    expect(imported.opens_at).toBe(imported.closes_at)
    await page.goto(`${server.baseUrl}/cohorts/${cohort.id}/waves`)
    const pre = page.locator('section[data-wave="pre"]')
    await pre.getByText('Imported from a file: not open at participants’ links. Give it dates to open it.').waitFor()
    expect(await pre.getByLabel('Opens on').inputValue()).toBe('')
    expect(await pre.getByLabel('Last day').inputValue()).toBe('')
    // Nobody answers it at a link: no warning that it is open after the first session, and no dates above.
    expect(await pre.locator('[data-testid^="wave-warning-"]').count()).toBe(0)
    await page.getByText('Pre: imported, no dates').waitFor()
    await screenshot(page, 'week-waves-imported')
    // Saved as it is: the browser asks for the dates, and nothing is sent.
    await pre.getByRole('button', { name: 'Save Pre wave' }).click()
    expect(await pre.getByLabel('Opens on').evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true)
    expect(await preWave()).toEqual(imported)
    // Dates given: saved, nothing asked (its answers are imported ones, not checked against dates).
    await pre.getByLabel('Opens on').fill(day(1))
    await pre.getByLabel('Last day').fill(day(14))
    await pre.getByRole('button', { name: 'Save Pre wave' }).click()
    await expect.poll(async () => (await preWave()).opens_at).not.toBe(imported.opens_at)
    expect(await page.getByRole('dialog').count()).toBe(0)
    await context.close()
  })
})
