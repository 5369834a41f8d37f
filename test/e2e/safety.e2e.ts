/**
 * Safety flags that get handled, in a real browser against the real server with a real SMTP server
 * (issue 17): a participant answers PHQ-9 item 9 with "Several days" and sees the study's support
 * text at once; the safety contact's email arrives; the flag is in the researcher's Safety view and
 * is acknowledged there. The same page in Persian.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { updateSafetySettings } from '../../server/domain/participation/safety'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { receivedMail, useServerWithSmtp } from './helpers/smtp'
import { phonePage, screenshot } from './helpers/browser'
import { answerAndComplete, consent, demographics } from './helpers/participant-flow'
import { day, type TestServer } from './helpers/server'
import { signIn, signInPersian, staffMember } from './helpers/staff'

let server: TestServer
let browser: Browser
const smtpServer = useServerWithSmtp((s, b) => ((server = s), (browser = b)))

async function flaggedStudy(name: string, language: 'en' | 'fa') {
  const study = await createStudy(server.deps, { name, language }, 'test')
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group S' }, 'test')
  await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9', 'gad-7'] }, 'test')
  const [p] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')
  const email = `researcher.${language}.${Date.now()}@example.org`
  const user = await staffMember(server, study.id, email)
  await updateSafetySettings(
    server.deps,
    study.id,
    {
      supportText: { en: 'If you are in danger now, call 112. The study psychiatrist, Dr Karimi, will call you within a day.', fa: 'اگر هم‌اکنون در خطر هستید با ۱۱۵ تماس بگیرید. روان‌پزشک پژوهش، دکتر کریمی، ظرف یک روز با شما تماس می‌گیرد.' },
      contact: '021 8888 1234',
      notifyEmails: [`safety.${language}@example.org`],
      renotifyAfterHours: 24,
    },
    user.id,
  )
  return { study, participant: p!, email }
}

async function flagAsParticipant(page: Page, token: string) {
  await page.goto(`${server.baseUrl}/p/${token}`)
  await consent(page)
  await demographics(page)
  // Item 9, "Several days": a safety flag.
  await answerAndComplete(page, [1, 1, 0, 0, 1, 0, 0, 0, 1])
}

describe('safety flags', () => {
  it('shows support to the participant, emails the safety contact, and is acknowledged in the Safety view', async () => {
    const { study, participant, email } = await flaggedStudy('Safety e2e study', 'en')
    const { page, context } = await phonePage(browser)
    await flagAsParticipant(page, participant.token)
    const support = page.getByTestId('safety-support')
    await support.waitFor()
    expect(await support.textContent()).toContain('Dr Karimi, will call you within a day')
    expect(await support.textContent()).toContain('021 8888 1234')
    // The next questionnaire is still there, below the support.
    await page.getByText('GAD-7').first().waitFor()
    await page.evaluate(() => window.scrollTo(0, 0))
    await screenshot(page, 'safety-01-participant-support')
    await context.close()

    const mail = await receivedMail(smtpServer(), (m) => m.to.includes('safety.en@example.org'), 'the safety email')
    expect(mail.subject).toContain('Safety flag: Safety e2e study, P1')
    expect(mail.text).toContain(`${server.baseUrl}/studies/${study.id}/safety`)

    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const desk = await staff.newPage()
    await signIn(desk, server.baseUrl, email)
    await desk.goto(`${server.baseUrl}/studies/${study.id}`)
    await desk.getByTestId('safety-link').click()
    const flag = desk.getByTestId('open-flag')
    await flag.waitFor()
    expect(await flag.textContent()).toContain('P1')
    expect(await flag.textContent()).toContain('phq9_9')
    expect(await flag.textContent()).toContain('1 (Several days)')
    await screenshot(desk, 'safety-02-open-flag')
    await desk.getByTestId('ack-action').fill('Dr Karimi phoned P1 the same afternoon; follow-up booked.')
    await desk.getByTestId('ack-submit').click()
    await desk.getByTestId('no-open-flags').waitFor()
    expect(await desk.getByTestId('acknowledged-flags').textContent()).toContain('Dr Karimi phoned P1 the same afternoon')
    await screenshot(desk, 'safety-03-acknowledged')
    await staff.close()
  })

  it('shows the Persian support text on a Persian page, and the Safety view in Persian', async () => {
    const { study, participant, email } = await flaggedStudy('پژوهش ایمنی', 'fa')
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fa-IR' })
    const page = await context.newPage()
    await page.goto(`${server.baseUrl}/p/${participant.token}`)
    // The Persian consent and forms: answer through the API the page itself uses, then reload.
    const consentForm = server.instruments.get('consent')!
    const base = `${server.baseUrl}/api/p/${participant.token}`
    const post = (path: string, body: unknown) => page.evaluate(async ([url, json]) => (await fetch(url as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) })).status, [`${base}${path}`, body] as const)
    expect(await post('/consent', { version: consentForm.version, answers: { consent: 'agree' } })).toBe(200)
    expect(await post('/forms/pre/phq-9/complete', { answers: { phq9_1: 1, phq9_2: 0, phq9_3: 0, phq9_4: 0, phq9_5: 0, phq9_6: 0, phq9_7: 0, phq9_8: 0, phq9_9: 2 }, clientId: 'e2e-fa-flag-1' })).toBe(200)
    await page.reload()
    const support = page.getByTestId('safety-support')
    await support.waitFor()
    expect(await support.textContent()).toContain('دکتر کریمی')
    expect(await support.textContent()).toContain('لازم نیست با این وضع تنها کنار بیایید')
    await screenshot(page, 'fa-safety-01-participant-support')
    await context.close()
    await receivedMail(smtpServer(), (m) => m.to.includes('safety.fa@example.org'), 'the Persian study’s safety email')

    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fa-IR' })
    const desk = await staff.newPage()
    await signInPersian(desk, server.baseUrl, email)
    await desk.goto(`${server.baseUrl}/studies/${study.id}/safety`)
    await desk.getByTestId('open-flag').waitFor()
    expect(await desk.locator('main').innerText()).toContain('علامت‌های باز')
    // The flag's words in Persian (ours: PHQ-9 has no Persian file); its answer text stays the instrument's English.
    expect(await desk.getByTestId('open-flag').innerText()).toContain('گزارش افکار آسیب‌زدن به خود')
    await screenshot(desk, 'fa-safety-02-open-flag')
    await staff.close()
  })
})
