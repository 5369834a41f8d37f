/**
 * A participant's own results at their link, in a real browser: after the post questionnaire they
 * see their scores and bands in plain words; a score that got worse brings the sentence of support
 * with the study's contact. No p-value is shown.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { updateStudy } from '../../server/db/repositories/studies'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { phonePage, screenshot } from './helpers/browser'
import { answerAndComplete, consent, demographics } from './helpers/participant-flow'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

describe('your results', () => {
  it('shows the participant their own change after the post questionnaire, with support when it got worse', async () => {
    const today = new Date()
    const day = (offset: number) => new Date(today.getTime() + offset * 86400000).toISOString().slice(0, 10)
    const study = await createStudy(server.deps, { name: 'Feedback study' }, 'test')
    await updateStudy(server.db, study.id, { participantFeedback: true, supportContact: 'the staff support line, 0123 456 789' })
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group F' }, 'test')
    for (const kind of ['pre', 'post'] as const) await setWave(server.deps, { cohortId: cohort.id, kind, opens: day(-1), closes: day(14), instruments: ['phq-9'], confirmOverlap: true }, 'test')
    const [p] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')

    const { page, context } = await phonePage(browser)
    await page.goto(`${server.baseUrl}/p/${p!.token}`)
    await consent(page)
    await demographics(page)
    // Pre: 0 (none–minimal); post: 2·4 + 1·4 = 12 (moderate), worse by more than the 7.94 points of reliable change.
    await answerAndComplete(page, [0, 0, 0, 0, 0, 0, 0, 0, 0])
    await answerAndComplete(page, [2, 2, 2, 2, 1, 1, 1, 1, 0])
    await page.getByText('All answers saved').waitFor()
    await page.reload()
    const results = page.getByTestId('your-results')
    await results.waitFor()
    await expect(results.textContent()).resolves.toContain('Before: 0 (None–minimal)')
    await expect(results.textContent()).resolves.toContain('after: 12 (Moderate)')
    await expect(results.textContent()).resolves.toContain('This got worse.')
    await expect(results.textContent()).resolves.toContain('the staff support line, 0123 456 789')
    expect(await results.textContent()).not.toMatch(/\bp\s*[=<]/)
    await screenshot(page, 'participant-08-your-results')
    await context.close()
  })
})
