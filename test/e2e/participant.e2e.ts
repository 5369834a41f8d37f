/**
 * A participant's way through the questionnaires in a real browser: consent, demographics, PHQ-9 and
 * GAD-7 with the stored scores checked; a reload mid-questionnaire; a dropped connection; and no
 * request to any other origin.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { phonePage, screenshot } from './helpers/browser'
import { answer, answerPhq9, choose, complete, consent, demographics, phq9Anchors } from './helpers/participant-flow'
import { cohortWithLinks } from './helpers/cohort'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))


/** A phone past consent and demographics, with the PHQ-9's first items answered (`values`, 0–3) and saved. */
async function phq9AnswersSaved(values: number[]) {
  const [p] = await cohortWithLinks(server, 1)
  const { page, context } = await phonePage(browser)
  await page.goto(p!.url)
  await consent(page)
  await demographics(page)
  await page.getByText('Questionnaire 1 of 2').waitFor()
  await answerPhq9(page, values)
  await page.getByText('All answers saved').waitFor()
  return { p: p!, page, context }
}

/** The answers waiting in the page's IndexedDB outbox. */
function keptOnDevice(page: Page) {
  return page.evaluate(
    () =>
      new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('balint-participant')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const request = open.result.transaction('answers').objectStore('answers').getAll()
          request.onsuccess = () => resolve(request.result)
        }
      }),
  )
}

async function scoresOf(participantId: string) {
  return server.db
    .selectFrom('response')
    .innerJoin('scale_score', 'scale_score.response_id', 'response.id')
    .select(['response.instrument_id', 'response.status', 'scale_score.scale_id', 'scale_score.score', 'scale_score.band_index'])
    .where('response.participant_id', '=', participantId)
    .execute()
}

describe('participant page', () => {
  it('consents and completes PHQ-9 and GAD-7, and the stored scores are right', async () => {
    const [p] = await cohortWithLinks(server, 1)
    const { page, requests, context } = await phonePage(browser)
    await page.goto(p!.url)
    await page.getByText('I agree to take part').waitFor()
    // The first visit's page carries the participant's state: no second round trip before consent.
    const stateUrl = new URL(p!.url).pathname.replace(/^\/p\//, '/api/p/')
    expect(requests.filter((url) => new URL(url).pathname === stateUrl)).toEqual([])
    await screenshot(page, 'participant-01-consent')
    await consent(page)
    await demographics(page)
    // PHQ-9: 1+2+0+3+1+1+0+2+1 = 11 (moderate, band 2); item 9 = 1 raises the safety flag.
    await page.getByText('Questionnaire 1 of 2').waitFor()
    await screenshot(page, 'participant-02-phq9')
    await answerPhq9(page, [1, 2, 0, 3, 1, 1, 0, 2, 1])
    await choose(page, 'Not difficult at all')
    await complete(page)
    // GAD-7: 2+2+1+1+0+3+0 = 9 (mild, band 1).
    await page.getByText('Questionnaire 2 of 2').waitFor()
    for (const v of [2, 2, 1, 1, 0, 3, 0]) await answer(page, phq9Anchors[v]!)
    await choose(page, 'Not difficult at all')
    await complete(page)
    await page.getByText('You have completed every questionnaire that is open now.').waitFor()
    await page.getByText('All answers saved').waitFor()
    await screenshot(page, 'participant-03-done')

    const scores = await scoresOf(p!.id)
    expect(scores.map((s) => [s.instrument_id, s.status, s.scale_id, s.score, s.band_index]).sort()).toEqual([
      ['gad-7', 'complete', 'total', 9, 1],
      ['phq-9', 'complete', 'total', 11, 2],
    ])
    const flags = await server.db.selectFrom('response_flag').select('flag_id').execute()
    expect(flags.map((f) => f.flag_id)).toContain('phq9-item9')
    const origin = new URL(server.baseUrl).origin
    expect(requests.length).toBeGreaterThan(3)
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([])
    await context.close()
  })
})

async function responseOf(participantId: string, instrument: string) {
  const row = await server.db
    .selectFrom('response')
    .select(['status', 'answers', 'revision'])
    .where('participant_id', '=', participantId)
    .where('instrument_id', '=', instrument)
    .executeTakeFirst()
  return row && { status: row.status, answers: JSON.parse(row.answers) as Record<string, unknown>, revision: row.revision }
}

const progress = (page: Page, answered: number) => page.getByText(`Answered ${answered} of 10`).filter({ visible: true }).first().waitFor()

describe('nothing is lost', () => {
  it('a reload mid-questionnaire, or the same link on another device, resumes where the participant left off', async () => {
    const { p, page, context } = await phq9AnswersSaved([3, 3, 3, 3])
    expect((await responseOf(p!.id, 'phq-9'))?.answers).toEqual({ phq9_1: 3, phq9_2: 3, phq9_3: 3, phq9_4: 3 })

    await page.reload()
    await progress(page, 4)
    // The fifth item is on screen: the first four are behind the participant.
    await page.getByText('Poor appetite or overeating').waitFor()
    await screenshot(page, 'participant-04-resumed-after-reload')

    // Another phone, no local copy: the server's draft is enough.
    const other = await phonePage(browser)
    await other.page.goto(p!.url)
    await progress(other.page, 4)
    await other.context.close()

    await answerPhq9(page, [3, 3, 3, 3, 3, 0, 0, 0, 0], 4)
    await choose(page, 'Not difficult at all')
    await complete(page)
    await page.getByText('Questionnaire 2 of 2').waitFor()
    await page.getByText('All answers saved').waitFor()
    // 3 × 5 + 0 × 4 = 15: moderately severe (band 3).
    const scores = await scoresOf(p!.id)
    expect(scores).toEqual([{ instrument_id: 'phq-9', status: 'complete', scale_id: 'total', score: 15, band_index: 3 }])
    await context.close()
  })

  it('a questionnaire submitted from another device while this phone answers it: the phone says its later answer was not added, moves on, and never calls it saved', async () => {
    const { p, page, context } = await phq9AnswersSaved([1, 1])
    // Another device submits the PHQ-9 with the two answers the server holds.
    const other = await fetch(`${server.baseUrl}/api/p/${p!.token}/forms/pre/phq-9/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ clientId: 'other-device-submit-0001' }),
    })
    expect(other.status).toBe(200)
    // This phone answers the third question: the server refuses it, and the page says so and moves on.
    await answerPhq9(page, [1, 1, 2], 2)
    const notice = page.getByTestId('refusal').filter({ hasText: 'had already been submitted from another device or browser tab' })
    await notice.waitFor()
    expect(await notice.textContent()).toContain('Your answer to 1 question, given here after that, was not added.')
    await page.getByText('Questionnaire 2 of 2').waitFor()
    expect(await page.getByTestId('save-status').getAttribute('data-status')).toBe('not-added')
    await screenshot(page, 'participant-05-submitted-elsewhere')
    expect(await responseOf(p!.id, 'phq-9')).toMatchObject({ status: 'complete', answers: { phq9_1: 1, phq9_2: 1 } })
    // A reload does not turn it into "saved": the notice stays until it is read.
    await page.reload()
    await notice.waitFor()
    expect(await page.getByTestId('save-status').getAttribute('data-status')).toBe('not-added')
    // Read and put away: the status speaks of what is on screen now.
    await page.getByTestId('refusal-dismiss').click()
    await page.getByText('All answers saved').waitFor()
    await context.close()
  })

  it('answers given while offline are kept on the device and sent when the connection returns', async () => {
    const { p, page, context } = await phq9AnswersSaved([1, 1])

    await context.setOffline(true)
    // Items 3–9 answered offline (the first two values were given above).
    await answerPhq9(page, [1, 1, 2, 2, 2, 2, 0, 0, 0], 2)
    await page.getByText(/Your answers are kept on this device/).waitFor()
    await choose(page, 'Somewhat difficult')
    await complete(page)
    // The next questionnaire opens offline; the finished one waits on the device.
    await page.getByText('Questionnaire 2 of 2').waitFor()
    await screenshot(page, 'participant-05-offline')
    expect(await responseOf(p!.id, 'phq-9')).toMatchObject({ status: 'draft', answers: { phq9_1: 1, phq9_2: 1 } })
    const stored = await keptOnDevice(page)
    expect(stored).toContainEqual(expect.objectContaining({ slot: 'pre', instrument: 'phq-9', question: 'phq9_8', value: 0 }))

    await context.setOffline(false)
    await page.getByText('All answers saved').waitFor()
    await screenshot(page, 'participant-06-back-online')
    const phq9 = await responseOf(p!.id, 'phq-9')
    expect(phq9).toMatchObject({ status: 'complete', answers: { phq9_1: 1, phq9_2: 1, phq9_3: 2, phq9_4: 2, phq9_5: 2, phq9_6: 2, phq9_7: 0, phq9_8: 0, phq9_9: 0, phq9_difficulty: 1 } })
    // 1+1+2+2+2+2+0+0+0 = 10: moderate (band 2).
    expect(await scoresOf(p!.id)).toEqual([{ instrument_id: 'phq-9', status: 'complete', scale_id: 'total', score: 10, band_index: 2 }])
    // Once confirmed, nothing is left on the device.
    expect(await keptOnDevice(page)).toEqual([])
    await context.close()
  })

  it('an unknown link and a revoked link show the same neutral page', async () => {
    const { page, context } = await phonePage(browser)
    await page.goto(`${server.baseUrl}/p/${'x'.repeat(43)}`)
    await page.getByText('This link is not active').waitFor()
    await screenshot(page, 'participant-07-inactive-link')
    await context.close()
  })
})
