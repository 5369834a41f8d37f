/**
 * Member checking in a real browser: a participant whose interview has two quotations chosen for
 * Table 2 opens their link, confirms one and asks for the other to be withdrawn; the answers survive
 * a reload, and the researchers' member-check list shows both with their times. Then the participant
 * withdraws from the study with deletion, and the interview goes too. Screenshots of each step are
 * left in test-results/screenshots/.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../server/db/repositories/participants'
import { findTranscriptPlace } from '../../server/db/repositories/interviews'
import { grantRole } from '../../server/db/repositories/staff'
import { createStaffUser, signIn } from '../../server/domain/staff/auth'
import { createCode } from '../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote } from '../../server/domain/qualitative/coding'
import { putTranscript, startInterview } from '../../server/domain/qualitative/interviews'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { spanOf } from '../helpers/qualitative'
import { phonePage, screenshot } from './helpers/browser'
import { consent, demographics } from './helpers/participant-flow'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const transcript = [
  'Interviewer: Looking back, how was the online group for you?',
  'P1: In the spring I was frightened of every new admission. That fear is smaller now; it no longer decides things for me.',
  'Interviewer: How safe did you feel to speak?',
  'P1: Not at all in the first session. I worried someone would repeat what I said on my unit.',
].join('\n')
const confirmed = 'That fear is smaller now; it no longer decides things for me.'
const withdrawn = 'I worried someone would repeat what I said on my unit.'

/**
 * A study whose questionnaires open next month (so the participant's page goes straight to "Thank
 * you" after the enrolment form), one participant with an interview, a transcript and two of its
 * passages chosen for Table 2, and a researcher who can sign in.
 */
async function interviewedParticipant() {
  const deps = server.deps
  const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10)
  const study = await createStudy(deps, { name: 'Online Balint groups: interviews' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(deps, { cohortId: cohort.id, kind: 'post', opens: day(30), closes: day(44), instruments: ['phq-9'] }, 'test')
  const [added] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
  const participant = (await findParticipant(deps.db, added!.id))!

  const password = 'a long enough password'
  const researcher = await createStaffUser(deps, { email: `researcher.${study.id}@example.org`, name: 'Researcher', password }, 'test')
  await grantRole(deps.db, { studyId: study.id, userId: researcher.id, role: 'researcher' }, new Date())
  const interview = await startInterview(deps, participant, researcher, { consentToRecord: true })
  const place = (await findTranscriptPlace(deps.db, (await putTranscript(deps, interview, { format: 'text', content: transcript }, researcher)).id))!

  const actor = `staff:${researcher.id}`
  const effects = await createCode(deps, study.id, { level: 'theme', name: 'Effects of the Balint group' }, actor)
  const patients = await createCode(deps, study.id, { level: 'category', name: 'Relationship with COVID-19 patients', parentId: effects.id }, actor)
  const fear = await createCode(deps, study.id, { level: 'code', name: 'Fear of patients easing', parentId: patients.id }, actor)
  const structure = await createCode(deps, study.id, { level: 'theme', name: 'Structure of the group' }, actor)
  const first = await createCode(deps, study.id, { level: 'category', name: 'The first session', parentId: structure.id }, actor)
  const unease = await createCode(deps, study.id, { level: 'code', name: 'Unease at the start', parentId: first.id }, actor)
  for (const [code, phrase] of [
    [fear, confirmed],
    [unease, withdrawn],
  ] as const) {
    const { codings } = await addCodings(deps, place, researcher.id, { codeIds: [code.id], ...spanOf(transcript, phrase) })
    await chooseQuote(deps, code, codings[0]!.id, actor)
  }
  const session = await signIn(deps, { email: researcher.email, password })
  const asResearcher = async (path: string) => {
    const res = await fetch(`${server.baseUrl}/api/studies/${study.id}${path}`, { headers: { cookie: `balint_session=${session.sessionToken}` } })
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, any>[]
  }
  return { url: `${server.baseUrl}/p/${added!.token}`, participant, codes: { fear, unease }, asResearcher }
}

describe('member checking at the participant’s link', () => {
  it('confirms one quotation and withdraws another; the researchers see both answers with their times', async () => {
    const { url, participant, codes, asResearcher } = await interviewedParticipant()
    const { page, requests, context } = await phonePage(browser)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))

    await page.goto(url)
    await consent(page)
    await demographics(page)
    await page.getByRole('heading', { name: 'Quotes from your interview' }).waitFor()
    const quotes = page.getByTestId('quote')
    expect(await quotes.count()).toBe(2)
    // In the order they were said, each with where it is used, in plain words.
    await expect(quotes.nth(0).locator('blockquote').textContent()).resolves.toBe(confirmed)
    await expect(quotes.nth(1).locator('blockquote').textContent()).resolves.toBe(withdrawn)
    await quotes.nth(0).getByText('Used to illustrate: Effects of the Balint group › Relationship with COVID-19 patients › Fear of patients easing').waitFor()
    await screenshot(page, 'member-check-01-quotes')

    // The first: confirmed as it is. "Send" waits until a choice is made.
    const firstQuote = quotes.nth(0)
    expect(await firstQuote.getByRole('button', { name: 'Send my answer' }).isDisabled()).toBe(true)
    await firstQuote.getByLabel('Yes, it can be used as it is').check()
    await firstQuote.getByRole('button', { name: 'Send my answer' }).click()
    await firstQuote.getByText(/^You confirmed this quote on /).waitFor()

    // The second: withdrawn, with a reason.
    const secondQuote = quotes.nth(1)
    await secondQuote.getByLabel('Please withdraw it: do not use these words').check()
    await secondQuote.getByLabel('Your comment (optional)').fill('Colleagues on my unit could recognise me from this.')
    await screenshot(page, 'member-check-02-withdrawing')
    await secondQuote.getByRole('button', { name: 'Send my answer' }).click()
    await secondQuote.getByText(/^You asked for this quote to be withdrawn on .* It will not be used\.$/).waitFor()
    await secondQuote.getByText('Your comment: Colleagues on my unit could recognise me from this.').waitFor()
    await screenshot(page, 'member-check-03-answered')

    // The answers are the server's: a reload shows them again.
    await page.reload()
    await page.getByText(/^You confirmed this quote on /).waitFor()
    await page.getByText(/^You asked for this quote to be withdrawn on /).waitFor()
    expect(await page.getByRole('button', { name: 'Change my answer' }).count()).toBe(2)
    await screenshot(page, 'member-check-04-after-reload')

    // Changing an answer shows the form again with the stored choice; keeping it changes nothing.
    await page.getByTestId('quote').nth(0).getByRole('button', { name: 'Change my answer' }).click()
    expect(await page.getByTestId('quote').nth(0).getByLabel('Yes, it can be used as it is').isChecked()).toBe(true)
    await page.getByTestId('quote').nth(0).getByRole('button', { name: 'Keep my answer' }).click()

    const checks = await asResearcher('/member-checks')
    expect(checks.map((c) => [c.participantCode, c.codeId, c.decision, c.comment, c.text])).toEqual([
      [participant.code, codes.fear.id, 'confirm', null, confirmed],
      [participant.code, codes.unease.id, 'withdraw', 'Colleagues on my unit could recognise me from this.', withdrawn],
    ])
    for (const check of checks) {
      expect(check.decidedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      expect(Math.abs(Date.now() - Date.parse(check.decidedAt))).toBeLessThan(120_000)
    }
    expect(checks[0]!.decidedAt <= checks[1]!.decidedAt).toBe(true)
    // The withdrawn quotation left Table 2 at once; the confirmed one stays, with its answer.
    expect((await asResearcher('/quotes')).map((q) => [q.codeId, q.memberCheck?.decision ?? null])).toEqual([[codes.fear.id, 'confirm']])

    // Withdrawing with deletion takes the interview, and the quotation still in Table 2, with it.
    await page.getByTestId('withdraw-link').click()
    await page.getByText('Delete my answers, and my interview if I gave one', { exact: false }).waitFor()
    await screenshot(page, 'member-check-05-withdraw-choice')
    await page.getByLabel(/^Delete my answers/).check()
    await page.getByRole('button', { name: 'Withdraw', exact: true }).click()
    await page.getByText('You have withdrawn from the study').waitFor()
    expect(await server.db.selectFrom('interview').select('id').where('participant_id', '=', participant.id).execute()).toEqual([])
    expect(await asResearcher('/quotes')).toEqual([])
    expect(await asResearcher('/member-checks')).toEqual([])

    const origin = new URL(server.baseUrl).origin
    expect(requests.filter((u) => new URL(u).origin !== origin)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it('shows no quotes section to a participant with no quotations', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10)
    const study = await createStudy(server.deps, { name: 'No interviews yet' }, 'test')
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group B' }, 'test')
    await setWave(server.deps, { cohortId: cohort.id, kind: 'post', opens: day(30), closes: day(44), instruments: ['phq-9'] }, 'test')
    const [p] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')
    const { page, context } = await phonePage(browser)
    await page.goto(`${server.baseUrl}/p/${p!.token}`)
    await consent(page)
    await demographics(page)
    await page.getByText('No questionnaire is open right now.', { exact: false }).waitFor()
    // The quotations are fetched after the page: give them the time to arrive before looking.
    await page.waitForLoadState('networkidle')
    expect(await page.getByRole('heading', { name: 'Quotes from your interview' }).count()).toBe(0)
    await context.close()
  })
})
