/**
 * Invitations and reminders in a real browser against the real server and a real SMTP server (issue
 * 17): the researcher records contact details and a reminder schedule on the cohort's Messages tab;
 * one participant completes the wave and another turns reminders off from their page; the reminder
 * goes only to the one left, with a link that opens their page; the delivery log shows it. Messages
 * by hand: a WhatsApp link and a sheet of letters with QR codes, in English and Persian.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { prepareMessages } from '../../server/domain/messaging/invitations'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { receivedMail, useServerWithSmtp } from './helpers/smtp'
import { phonePage, screenshot } from './helpers/browser'
import { answerAndComplete, consent, demographics } from './helpers/participant-flow'
import { day, type TestServer } from './helpers/server'
import { signIn, signInPersian, staffMember } from './helpers/staff'

let server: TestServer
let browser: Browser
const smtpServer = useServerWithSmtp((s, b) => ((server = s), (browser = b)))

async function cohortWithResearcher(name: string, language: 'en' | 'fa') {
  const study = await createStudy(server.deps, { name, language, timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group M' }, 'test')
  // Open since yesterday, closing the day after tomorrow: a reminder 3 days before closing is due now.
  await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(2), instruments: ['phq-9'] }, 'test')
  const participants = await addParticipants(server.deps, { cohortId: cohort.id, count: 3 }, 'test')
  const email = `researcher.messages.${language}.${Date.now()}@example.org`
  const user = await staffMember(server, study.id, email)
  return { study, cohort, participants, email }
}

async function saveContact(page: Page, code: string, address: string) {
  const row = page.getByTestId(`contact-${code}`)
  await row.getByTestId('contact-email').fill(address)
  await row.getByTestId('contact-save').click()
  await row.getByRole('status').filter({ hasText: 'Saved' }).waitFor()
}

describe('invitations and reminders', () => {
  it('sends a scheduled reminder only to the participant who has not completed nor opted out', async () => {
    const { cohort, participants, email } = await cohortWithResearcher('Messages e2e study', 'en')
    const [p1, p2, p3] = participants

    // P1 completes the wave; P3 turns reminders off from their page.
    const { page: phone, context: phoneContext } = await phonePage(browser)
    await phone.goto(`${server.baseUrl}/p/${p1!.token}`)
    await consent(phone)
    await demographics(phone)
    await answerAndComplete(phone, [0, 1, 0, 1, 0, 0, 0, 0, 0])
    await phone.getByText('All answers saved').waitFor()
    await phone.goto(`${server.baseUrl}/p/${p3!.token}`)
    await consent(phone)
    await phone.getByTestId('reminders-toggle').click()
    await phone.getByText('You get no reminders before a questionnaire closes.').waitFor()
    await screenshot(phone, 'messages-01-participant-opted-out')
    await phoneContext.close()

    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const desk = await staff.newPage()
    await signIn(desk, server.baseUrl, email)
    await desk.goto(`${server.baseUrl}/cohorts/${cohort.id}/messages`)
    for (const [code, address] of [['P1', 'p1.m@example.org'], ['P2', 'p2.m@example.org'], ['P3', 'p3.m@example.org']] as const) await saveContact(desk, code, address)
    await desk.getByTestId('reminder-days').fill('3')
    await desk.getByTestId('schedule-save').click()
    await desk.getByTestId('message-jobs').waitFor()

    const reminder = await receivedMail(smtpServer(), (m) => m.to.includes('p2.m@example.org'), 'the reminder')
    expect(reminder.subject).toContain('a reminder about your questionnaires before the group')
    // Give the runner time to have sent anything else it was going to.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(smtpServer().received.filter((m) => /p\d\.m@example\.org/.test(m.to[0] ?? '')).map((m) => m.to[0])).toEqual(['p2.m@example.org'])

    // The link in the reminder opens P2's own page.
    const link = reminder.text.match(/http:\/\/127\.0\.0\.1:\d+\/p\/[A-Za-z0-9_-]{43}/)![0]
    const { page: p2Phone, context: p2Context } = await phonePage(browser)
    await p2Phone.goto(link)
    await p2Phone.getByRole('heading', { name: 'Messages e2e study' }).waitFor()
    await p2Context.close()

    await desk.reload()
    const log = desk.getByTestId('deliveries')
    await log.waitFor()
    expect(await log.innerText()).toMatch(/P2\s+Pre\s+Reminder\s+Email\s+Sent/)
    expect(await log.innerText()).not.toMatch(/P1|P3/)
    expect(await desk.getByTestId('message-jobs').innerText()).toContain('Reminder, 3 days before closing')
    await screenshot(desk, 'messages-02-tab-after-reminder')

    // By hand: one participant's message with a WhatsApp link, and the wave's letters with QR codes.
    await desk.getByTestId('contact-P2').getByTestId('prepare-message').click()
    const whatsapp = desk.getByTestId('contact-P2').getByTestId('whatsapp-link')
    await whatsapp.waitFor()
    expect(await whatsapp.getAttribute('href')).toMatch(/^https:\/\/wa\.me\/\?text=Hello%2C/)
    await desk.getByTestId('letters-kind').selectOption('reminder')
    await desk.getByTestId('prepare-letters').click()
    await desk.getByTestId('letters').waitFor()
    expect(await desk.getByTestId('letter').count()).toBe(1)
    await desk.locator('.letter img.qr').first().waitFor()
    await screenshot(desk, 'messages-03-letters')
    await staff.close()
    expect(p3).toBeDefined()
  })

  it('shows the Messages tab and the letters in Persian', async () => {
    const { cohort, email } = await cohortWithResearcher('پژوهش پیام‌ها', 'fa')
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fa-IR' })
    const desk = await staff.newPage()
    await signInPersian(desk, server.baseUrl, email)
    await desk.goto(`${server.baseUrl}/cohorts/${cohort.id}/messages`)
    await desk.getByTestId('contacts').waitFor()
    await desk.getByTestId('prepare-letters').click()
    await desk.getByTestId('letters').waitFor()
    expect(await desk.getByTestId('letters').innerText()).toContain('دعوت به پرسش‌نامه‌های پیش از گروه')
    expect(await desk.getByTestId('letter').count()).toBe(3)
    await desk.locator('.letter img.qr').first().waitFor()
    await screenshot(desk, 'fa-messages-01-letters')
    await staff.close()
  })

  it('shows a clear page, in the participant’s language, for a message link that newer messages replaced', async () => {
    for (const language of ['en', 'fa'] as const) {
      const { cohort, participants } = await cohortWithResearcher(`Replaced links ${language}`, language)
      const researcher = await staffMember(server, cohort.studyId, `researcher.replaced.${language}.${Date.now()}@example.org`)
      const send = async () => (await prepareMessages(server.deps, { cohortId: cohort.id, participantId: participants[0]!.id, wave: 'pre', kind: 'reminder' }, researcher.id, server.baseUrl))[0]!.link
      // Four messages: the first link is now past the three that keep working.
      const first = await send()
      for (let i = 0; i < 3; i++) await send()
      const { page, context } = await phonePage(browser)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(first)
      await page.getByRole('heading', { name: language === 'en' ? 'This link has been replaced' : 'این پیوند جایگزین شده است' }).waitFor()
      await screenshot(page, `${language === 'fa' ? 'fa-' : ''}messages-04-replaced-link`)
      expect(errors).toEqual([])
      await context.close()
    }
  })
})
