/**
 * Answers the server refuses with their whole form (here: the wave was moved so that it closed before
 * they were given) stay on the phone, marked, and the page says so: never that they "will be sent when
 * the connection returns", which the break between questionnaires said (found by a review). Real
 * Chromium against the real server.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { setWave } from '../../server/domain/staff/setup'
import { screenshot } from './helpers/browser'
import { phoneAtPhq9ItemOneSaved } from './helpers/cohort'
import { answer, answerPhq9, choose, complete } from './helpers/participant-flow'
import { day, type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const atPhq9ItemOneSaved = (name: string) => phoneAtPhq9ItemOneSaved(server, browser, name)

describe('answers the server refused, waiting on the phone', () => {
  it('the break after the questionnaire says they were not accepted and are kept here, not that they will be sent', async () => {
    const { page, context, closeWaveWeeksAgo } = await atPhq9ItemOneSaved('Group K')
    // No signal: the rest of PHQ-9, finished on the phone.
    await context.setOffline(true)
    await answerPhq9(page, [1, 2, 3, 2, 1, 0, 1, 2, 0], 1)
    await choose(page, 'Not difficult at all')
    // Submitted on the phone: the break before the next questionnaire.
    await page.getByRole('button', { name: 'Complete' }).click()
    const saved = page.getByTestId('break-saved')
    await saved.filter({ hasText: 'will be sent to the research team when the connection returns' }).waitFor()

    // Meanwhile the wave's dates are corrected: it closed weeks ago (its first answer too was given after that).
    await closeWaveWeeksAgo()

    await context.setOffline(false)
    // In the page's language, without the server's ISO instants.
    await page.getByTestId('refusal').filter({ hasText: 'These questionnaires (Before the group) are not open now, so these answers could not be stored.' }).waitFor()
    expect(await page.getByTestId('refusal').first().textContent()).not.toMatch(/T00:00:00/)
    await saved.filter({ hasText: 'did not accept some of your answers to it' }).waitFor()
    expect(await saved.textContent()).not.toContain('when the connection returns')
    expect(await page.getByTestId('save-status').getAttribute('data-status')).not.toBe('saved')
    const shot = await screenshot(page, 'participant-refused-kept-break')
    expect(shot).toContain('participant-refused-kept-break.png')
    await context.close()
  })

  // Found by a third review: inside the form, a closed wave's refusal named the batch's first question
  // ("Your answer to … was not stored (The pre questionnaires are open from 2026-…Z …)") and took the
  // participant back to it, as if that answer were wrong.
  it('inside the questionnaire, says the wave is not open, in the words of the page, without sending them back to a question', async () => {
    const { page, context, closeWaveWeeksAgo } = await atPhq9ItemOneSaved('Group L')
    await context.setOffline(true)
    await answerPhq9(page, [1, 2, 3, 2, 1], 1)
    await closeWaveWeeksAgo()
    await context.setOffline(false)

    const refusal = page.getByTestId('refusal').filter({ hasText: 'These questionnaires (Before the group) are not open now' })
    await refusal.first().waitFor()
    expect(await page.getByTestId('refusal').allTextContents()).not.toContainEqual(expect.stringMatching(/T00:00:00|Your answer to/))
    // Still at the question the participant had reached (item 6), not sent back to item 2.
    await page.getByText('Feeling bad about yourself').filter({ visible: true }).first().waitFor()
    const shot = await screenshot(page, 'participant-refused-kept-form')
    expect(shot).toContain('participant-refused-kept-form.png')
    await context.close()
  })

  // Found by a third review: once the team took GAD-7 out of the wave, the answer given to it offline
  // was refused (not_found) and kept on the phone, yet the page, reloaded without GAD-7, said "Your
  // answers have reached the research team; there is nothing more to do now."
  it('a questionnaire taken out of the wave: its kept answer is told, and the page never says every answer reached the team', async () => {
    const { page, context, cohortId } = await atPhq9ItemOneSaved('Group M')
    await answerPhq9(page, [1, 2, 3, 2, 1, 0, 1, 2, 0], 1)
    await choose(page, 'Not difficult at all')
    await complete(page)
    await page.getByText('Questionnaire 2 of 2').waitFor()
    // GAD-7's first item, with no signal; meanwhile the team takes GAD-7 out of the wave.
    await context.setOffline(true)
    await answer(page, 'Several days')
    await setWave(server.deps, { cohortId, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9'] }, 'test')
    await context.setOffline(false)

    await page.getByTestId('refusal').filter({ hasText: 'This questionnaire is no longer part of these questionnaires' }).waitFor()
    await page.getByTestId('done-next').waitFor()
    expect(await page.getByTestId('done-next').textContent()).not.toContain('reached the research team')
    expect(await page.getByTestId('save-status').getAttribute('data-status')).not.toBe('saved')
    await screenshot(page, 'participant-refused-kept-removed-form')
    await context.close()
  })
})
