/**
 * The study's own forms (issue 17, part 4) in a real browser. The seed study's occupations could only
 * go in as "Other", so Table 1 showed "Other 3". Here a researcher adds "Psychiatric resident" (with its
 * Persian label, typed by the researcher) to the demographics form's role list on the study page; a
 * participant of the Persian study picks it on their Persian page; and Table 1 shows "Psychiatric
 * resident 1" instead of "Other", with the "Other" texts tabulated beside it for the researcher.
 * Screenshots: test-results/screenshots/forms-*.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { grantRole } from '../../server/db/repositories/staff'
import { createStaffUser } from '../../server/domain/staff/auth'
import { addParticipants, createCohort, createStudy } from '../../server/domain/staff/setup'
import { join } from 'node:path'
import { screenshot, screenshotDir } from './helpers/browser'
import { type TestServer, useServerAndBrowser } from './helpers/server'
import { signIn, staffPassword } from './helpers/staff'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

describe("a study's own demographics choices", () => {
  it('a choice added by the researcher is picked on a Persian page and counted by its label in Table 1', async () => {
    const email = 'forms.researcher@example.org'
    const user = await createStaffUser(server.deps, { email, name: 'Forms researcher', password: staffPassword, isAdmin: false }, 'test')
    const study = await createStudy(server.deps, { name: 'Online Balint groups', language: 'fa', timeZone: 'Asia/Tehran' }, 'test')
    await grantRole(server.db, { studyId: study.id, userId: user.id, role: 'researcher' }, new Date())
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group A' }, 'test')
    const [p1, p2] = await addParticipants(server.deps, { cohortId: cohort.id, count: 2 }, 'test')

    // The researcher adds the choice on the study page, in English and Persian.
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
    const page = await staff.newPage()
    await signIn(page, server.baseUrl, email)
    await page.goto(`${server.baseUrl}/studies/${study.id}`)
    const forms = page.getByTestId('study-forms')
    await forms.waitFor()
    await forms.getByLabel('Question').selectOption('role')
    await forms.getByLabel('Label in English').fill('Psychiatric resident')
    await forms.getByLabel('Label in Persian').fill('دستیار روان‌پزشکی')
    await forms.getByRole('button', { name: 'Add choice' }).click()
    await forms.getByText('Added "Psychiatric resident". Participants see it from now on.').waitFor()
    await forms.getByTestId('study-form-choices').getByText('Psychiatric resident · دستیار روان‌پزشکی').waitFor()
    await forms.scrollIntoViewIfNeeded()
    await screenshot(page, 'forms-01-researcher-adds-choice')

    // A choice that exists already is refused, with the server's message on the page.
    await forms.getByLabel('Label in English').fill('Nurse')
    await forms.getByLabel('Label in Persian').fill('پرستار')
    await forms.getByRole('button', { name: 'Add choice' }).click()
    await forms.getByText(/already has a choice stored as "nurse"/).waitFor()
    await screenshot(page, 'forms-02-existing-choice-refused')
    // The same panel in Persian (the staff app's language), the added choice marked.
    await page.getByTestId('staff-language').selectOption('fa')
    await page.locator('html[lang="fa"]').waitFor()
    // The app renders anew in the other language: the question is chosen again.
    await forms.getByLabel('پرسش').selectOption('role')
    await forms.getByText('افزوده‌شده در این مطالعه').waitFor()
    await forms.screenshot({ path: join(screenshotDir, 'forms-02b-panel-fa.png') })
    await page.getByTestId('staff-language').selectOption('en')
    await page.locator('html[lang="en"]').waitFor()

    // The participant, on the study's Persian page, sees and picks the new choice.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'en-US' })
    const participant = await phone.newPage()
    await participant.goto(`${server.baseUrl}/p/${p1!.token}`)
    await participant.getByText('بله، موافقم در این پژوهش شرکت کنم', { exact: true }).click()
    await participant.getByRole('button', { name: 'ادامه' }).click()
    await participant.getByText('سن (سال)').waitFor()
    await participant.getByRole('textbox').first().fill('۲۹')
    const nextButton = participant.getByRole('button', { name: 'بعدی' })
    await nextButton.click()
    // Sex and marital status are left for later; the role question lists the study's own choice in Persian.
    while (!(await participant.getByText('نقش شما').first().isVisible())) await nextButton.click()
    const choice = participant.getByText('دستیار روان‌پزشکی', { exact: true })
    await choice.waitFor()
    await screenshot(participant, 'forms-03-participant-sees-choice-fa')
    await choice.click()
    await participant.getByText('سابقهٔ کار بالینی (سال)').waitFor()
    while (await nextButton.isVisible()) await nextButton.click()
    await participant.getByRole('button', { name: 'تکمیل' }).click()
    await participant.getByText('این پرسش‌ها بی‌پاسخ بمانند؟').waitFor()
    await participant.getByRole('button', { name: 'بی‌پاسخ بماند و فرستاده شود' }).click()
    await expect
      .poll(async () => (await server.db.selectFrom('response').select(['status', 'answers', 'instrument_version']).where('participant_id', '=', p1!.id).executeTakeFirst()) ?? null, { timeout: 15000 })
      .toMatchObject({ status: 'complete', instrument_version: expect.stringMatching(/^1\.0\.0\+study\.[0-9a-f]{12}\.1$/) })
    const stored = await server.db.selectFrom('response').select('answers').where('participant_id', '=', p1!.id).executeTakeFirstOrThrow()
    expect(JSON.parse(stored.answers)).toMatchObject({ age: 29, role: 'psychiatric_resident' })
    await screenshot(participant, 'forms-04-participant-done-fa')

    // A second participant writes an occupation under "Other" (through the same API the page uses).
    const api = (path: string, method: string, body: unknown) => fetch(`${server.baseUrl}/api/p/${p2!.token}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await api('/consent', 'POST', { version: '1.1.0', answers: { consent: 'agree' } })).status).toBe(200)
    expect((await api('/forms/enrolment/demographics/complete', 'POST', { clientId: 'forms-e2e-p2-submit', answers: { role: 'other', 'role-Comment': 'Nurse anaesthetist' } })).status).toBe(200)

    // Table 1 counts the study's own choice by its label; "Other" holds only the other one.
    await page.goto(`${server.baseUrl}/cohorts/${cohort.id}/table1`)
    const table = page.getByTestId('table1')
    await table.waitFor()
    const row = async (label: string) => (await table.locator('tr', { has: page.getByRole('rowheader', { name: label, exact: true }) }).first().locator('th, td').allInnerTexts()).join(' ')
    expect(await row('Psychiatric resident')).toBe('Psychiatric resident 1 (50.0%)')
    expect(await row('Other')).toBe('Other 1 (50.0%)')
    const other = page.getByTestId('other-answers')
    await other.getByText('Your role: 1 chose "Other"').waitFor()
    expect((await other.locator('tr', { hasText: 'Nurse anaesthetist' }).locator('th, td').allInnerTexts()).join(' ')).toBe('Nurse anaesthetist 1')
    await screenshot(page, 'forms-05-table1')
    await staff.close()
    await phone.close()
  })
})
