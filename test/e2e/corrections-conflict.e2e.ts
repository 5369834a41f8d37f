/**
 * Two researchers correct the same answer in a real browser: the one who saves second is told the
 * answer changed meanwhile, sees the value stored now, and corrects again from it. Screenshots in
 * English and Persian in test-results/screenshots/.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { grantRole } from '../../server/db/repositories/staff'
import { listResponsesOfParticipant } from '../../server/db/repositories/responses'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { createStaffUser } from '../../server/domain/staff/auth'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { screenshot } from './helpers/browser'
import { type TestServer, useServerAndBrowser } from './helpers/server'
import { signIn, staffPassword } from './helpers/staff'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

describe('a correction made meanwhile by someone else', () => {
  it('is shown to the researcher who saves second, who can correct again from it', async () => {
    const study = await createStudy(server.deps, { name: 'Conflict study' }, 'test')
    const user = await createStaffUser(server.deps, { email: 'conflict.researcher@example.org', name: 'Researcher Two', password: staffPassword, isAdmin: false }, 'test')
    const other = await createStaffUser(server.deps, { email: 'conflict.other@example.org', name: 'Researcher One', password: staffPassword, isAdmin: false }, 'test')
    for (const u of [user, other]) await grantRole(server.db, { studyId: study.id, userId: u.id, role: 'researcher' }, new Date())
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group 1', sessions: 8 }, 'test')
    const rows = ['participant,wave,instrument,item,value', ...[3, 3, 3, 3, 0, 0, 0, 0, 0].map((v, i) => `P1,pre,phq-9,phq9_${i + 1},${v}`)]
    await importCohortCsv(server.deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const p1 = await server.db.selectFrom('participant').select('id').where('cohort_id', '=', cohort.id).executeTakeFirstOrThrow()
    const phq = (await listResponsesOfParticipant(server.db, p1.id))[0]!

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await signIn(page, server.baseUrl, 'conflict.researcher@example.org')
    await page.goto(`${server.baseUrl}/participants/${p1.id}`)
    const pre = page.getByTestId('answers-phq-9-pre')
    await pre.getByRole('button', { name: 'Correct the answer to phq9_1' }).click()
    await pre.getByLabel('Corrected answer').selectOption('1')
    await pre.getByLabel('Reason for the correction').fill('The paper form says “several days”.')

    // Meanwhile the other researcher corrects the same answer from 3 to 2.
    await correctAnswer(server.deps, { responseId: phq.id, question: 'phq9_1', oldValue: 3, value: 2, reason: 'The scan says “more than half the days”.' }, `staff:${other.id}`)

    await pre.getByRole('button', { name: 'Save correction' }).click()
    const conflict = pre.getByTestId('correction-conflict')
    await conflict.waitFor()
    expect(await conflict.innerText()).toContain('Researcher One corrected this answer after you opened it. It is now: More than half the days (2).')
    await expect.poll(() => pre.getByTestId('correction-history').innerText()).toContain('phq9_1: 3 → 2, by Researcher One')
    await screenshot(page, 'correction-conflict')

    // Saving again corrects the value shown now.
    await pre.getByRole('button', { name: 'Save correction' }).click()
    await expect.poll(() => pre.getByTestId('correction-history').innerText()).toContain('phq9_1: 2 → 1, by Researcher Two')
    const stored = await server.db.selectFrom('answer_correction').select(['old_value', 'new_value']).orderBy('corrected_at').execute()
    expect(stored.map((c) => [JSON.parse(c.old_value!), JSON.parse(c.new_value!)])).toEqual([[3, 2], [2, 1]])

    // The same in Persian (the page reloads in the new language, so the form is opened again there).
    await page.getByTestId('staff-language').selectOption('fa')
    await page.locator('html[lang="fa"]').waitFor()
    const row = pre.locator('tr', { has: page.getByText('(phq9_2)') })
    await row.getByRole('button').click()
    await row.locator('select').selectOption('1')
    await row.locator('textarea').fill('فرم کاغذی «چند روز» را نشان می‌دهد.')
    await correctAnswer(server.deps, { responseId: phq.id, question: 'phq9_2', oldValue: 3, value: 2, reason: 'The scan says 2.' }, `staff:${other.id}`)
    await row.locator('button[type="submit"]').click()
    await pre.getByTestId('correction-conflict').waitFor()
    await screenshot(page, 'correction-conflict-fa')
    await context.close()
  })
})
