/**
 * A participant's link replaced by the team (a reminder's new link, or *Reissue link*) while answers given under it wait on their phone: the
 * old link's page is refused (`link_replaced`) and keeps them; the new link, opened on the same phone,
 * takes them over (client/participant/device-store.ts), sends them under its own token, and only then
 * says "All answers saved". Real Chromium against the real server; the team replaces the link through
 * the staff API (a reminder prepared by hand mints a new link and rotates out the older ones).
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { phonePage, screenshot } from './helpers/browser'
import { answerPhq9, firstItemSaved } from './helpers/participant-flow'
import { storedPhq9 } from './helpers/cohort'
import { day, type TestServer, useServerAndBrowser } from './helpers/server'
import { signIn, staffMember } from './helpers/staff'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))


/** A researcher signed in to the staff app, who prepares a participant's reminder by hand: each one carries a newly minted link. */
async function researcherDesk(studyId: string) {
  const user = await staffMember(server, studyId, `researcher.replaced.${Date.now()}@example.org`)
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const desk = await staff.newPage()
  await signIn(desk, server.baseUrl, user.email)
  /** The new link's token, from POST /api/participants/:id/message as the staff app sends it. */
  const newLink = (participantId: string) =>
    desk.evaluate(async (id) => {
      const { csrfToken } = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string }
      const res = await fetch(`/api/participants/${id}/message`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: JSON.stringify({ wave: 'pre', kind: 'reminder' }) })
      if (res.status !== 201) throw new Error(`message: ${res.status} ${await res.text()}`)
      return ((await res.json()) as { link: string }).link.split('/p/')[1]!
    }, participantId)
  /** The new link's token from *Reissue link* (POST /api/participants/:id/link), which ends every older link of the participant. */
  const reissue = (participantId: string) =>
    desk.evaluate(async (id) => {
      const { csrfToken } = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string }
      const res = await fetch(`/api/participants/${id}/link`, { method: 'POST', headers: { 'x-csrf-token': csrfToken } })
      if (res.status !== 201) throw new Error(`reissue: ${res.status} ${await res.text()}`)
      return ((await res.json()) as { link: string }).link.split('/p/')[1]!
    }, participantId)
  return { newLink, reissue, close: () => staff.close() }
}

/** The answer requests a page made, by the token in their path. */
function answerRequestsOf(page: Page): string[] {
  const tokens: string[] = []
  page.on('request', (request) => {
    const match = new URL(request.url()).pathname.match(/^\/api\/p\/([^/]+)\/forms\//)
    if (match) tokens.push(match[1]!)
  })
  return tokens
}

describe('a link replaced while answers given under it wait on the phone', () => {
  it('the new link, opened on the same phone, sends them under its own token and then says "All answers saved"', async () => {
    const study = await createStudy(server.deps, { name: 'Replaced link study' }, 'test')
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group R' }, 'test')
    await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9', 'gad-7'] }, 'test')
    const [participant] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')
    const desk = await researcherDesk(study.id)
    const linkA = await desk.newLink(participant!.id)

    // Under link A: consent, demographics and PHQ-9 item 1, saved.
    const { page: pageA, context } = await phonePage(browser)
    const sentUnderA = answerRequestsOf(pageA)
    await firstItemSaved(pageA, `${server.baseUrl}/p/${linkA}`)
    // No signal: items 2–4, kept on the phone.
    await context.setOffline(true)
    await answerPhq9(pageA, [1, 2, 3, 2], 1)
    await pageA.getByText(/Your answers are kept on this device/).waitFor()

    // Meanwhile the team sends three more reminders: link A is past the two replaced links that keep working.
    await desk.newLink(participant!.id)
    await desk.newLink(participant!.id)
    const linkB = await desk.newLink(participant!.id)
    await desk.close()

    // Back online, page A is refused with its link: the answers stay on the phone, not "saved".
    await context.setOffline(false)
    await pageA.getByTestId('refusal').filter({ hasText: 'This link has been replaced' }).waitFor()
    // The page then shows the replaced link's page, not more questions, and never "saved".
    await pageA.getByText('This link has been replaced', { exact: true }).waitFor()
    expect(await pageA.locator('.sd-question').count()).toBe(0)
    expect(await pageA.getByText('All answers saved').count()).toBe(0)
    await screenshot(pageA, 'participant-replaced-link-old-page')
    expect(await storedPhq9(server, participant!.id)).toEqual({ phq9_1: 1 })
    const refusedUnderA = sentUnderA.length

    // The participant opens link B from the newest message, on the same phone.
    const pageB = await context.newPage()
    const sentUnderB = answerRequestsOf(pageB)
    await pageB.goto(`${server.baseUrl}/p/${linkB}`)
    await pageB.getByText('Questionnaire 1 of 2').waitFor()
    await expect.poll(() => storedPhq9(server, participant!.id), { timeout: 15000 }).toEqual({ phq9_1: 1, phq9_2: 2, phq9_3: 3, phq9_4: 2 })
    await pageB.getByText('All answers saved').waitFor()
    // The form shows them: no blank questions for what was answered under link A.
    await pageB.getByText('Answered 4 of 10').filter({ visible: true }).first().waitFor()
    const shot = await screenshot(pageB, 'participant-replaced-link-taken-over')
    expect(shot).toContain('participant-replaced-link-taken-over.png')

    // Sent under link B only; link A was not used again, by either page.
    expect(sentUnderB.length).toBeGreaterThan(0)
    expect(sentUnderB.every((token) => token === linkB)).toBe(true)
    await pageA.bringToFront()
    await pageA.waitForTimeout(1500)
    expect(sentUnderA.length).toBe(refusedUnderA)
    // Nothing of link A's is left waiting on the phone to be sent again.
    const left = await pageB.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('balint-participant')
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const count = open.result.transaction('answers').objectStore('answers').count()
            count.onsuccess = () => resolve(count.result)
            count.onerror = () => reject(count.error)
          }
        }),
    )
    expect(left).toBe(0)
    await context.close()
  })

  // Found by a review: *Reissue link* revoked the old link, whose neutral "not active" answer the page
  // takes as final: it let go of the answers given offline, and the new link's page said "All answers saved".
  it('a link reissued on the Participants tab: the old page keeps the answers, the new link sends them', async () => {
    const study = await createStudy(server.deps, { name: 'Reissued link study' }, 'test')
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group Q' }, 'test')
    await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9', 'gad-7'] }, 'test')
    const [participant] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')
    const desk = await researcherDesk(study.id)

    // Under the link handed out at enrolment: consent, demographics and PHQ-9 item 1, saved. Then no signal.
    const { page: pageA, context } = await phonePage(browser)
    await firstItemSaved(pageA, `${server.baseUrl}/p/${participant!.token}`)
    await context.setOffline(true)
    await answerPhq9(pageA, [1, 2, 3, 2], 1)
    await pageA.getByText(/Your answers are kept on this device/).waitFor()

    // The participant could not find the e-mail and asked for a new link: the team reissues it.
    const linkB = await desk.reissue(participant!.id)
    await desk.close()

    await context.setOffline(false)
    await pageA.getByTestId('refusal').filter({ hasText: 'This link has been replaced' }).waitFor()
    // The page then shows the replaced link's page, not more questions, and never "saved".
    await pageA.getByText('This link has been replaced', { exact: true }).waitFor()
    expect(await pageA.locator('.sd-question').count()).toBe(0)
    expect(await pageA.getByText('All answers saved').count()).toBe(0)
    expect(await storedPhq9(server, participant!.id)).toEqual({ phq9_1: 1 })

    const pageB = await context.newPage()
    await pageB.goto(`${server.baseUrl}/p/${linkB}`)
    await pageB.getByText('Questionnaire 1 of 2').waitFor()
    await expect.poll(() => storedPhq9(server, participant!.id), { timeout: 15000 }).toEqual({ phq9_1: 1, phq9_2: 2, phq9_3: 3, phq9_4: 2 })
    await pageB.getByText('All answers saved').waitFor()
    const shot = await screenshot(pageB, 'participant-reissued-link-taken-over')
    expect(shot).toContain('participant-reissued-link-taken-over.png')
    await context.close()
  })
})
