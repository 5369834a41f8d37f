/**
 * One rule for what an answer may be, on both sides, and "complete" that means complete, in the real
 * browser: Persian and Arabic-Indic digits in number boxes, an "Other" answer longer than the server
 * takes, a questionnaire submitted empty or with skipped items, and a submit the server refuses.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { phonePage, screenshot } from './helpers/browser'
import { answer, choose, complete, completeLeavingUnanswered, consent, next } from './helpers/participant-flow'
import { day, type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

async function link() {
  const study = await createStudy(server.deps, { name: 'Answer rules study' }, 'test')
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9'] }, 'test')
  const [p] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')
  return { ...p!, url: `${server.baseUrl}/p/${p!.token}` }
}

/** A new participant's link opened on a phone, consent given: the page is at "About you" (demographics). */
async function atAboutYou() {
  const p = await link()
  const { page, context } = await phonePage(browser)
  await page.goto(p.url)
  await consent(page)
  await page.locator('.step', { hasText: 'About you' }).waitFor()
  return { p, page, context }
}

async function responseOf(participantId: string, instrument: string) {
  const row = await server.db.selectFrom('response').selectAll().where('participant_id', '=', participantId).where('instrument_id', '=', instrument).executeTakeFirst()
  return row && { status: row.status, answers: JSON.parse(row.answers) as Record<string, unknown>, id: row.id }
}

const saved = (page: Page) => page.locator('[data-testid="save-status"][data-status="saved"]').waitFor()
const box = (page: Page) => page.getByRole('textbox').first()

/** Through the demographics with only what `fill` answers, to the PHQ-9. */
async function skipToPhq9(page: Page) {
  while (await page.getByRole('button', { name: 'Next' }).isVisible()) await next(page)
  await completeLeavingUnanswered(page)
  await page.getByText('Questionnaire 1 of 1').waitFor()
}

describe('number boxes', () => {
  it('store a number typed with Persian or Arabic-Indic digits, and say at once what cannot be read', async () => {
    const { p, page, context } = await atAboutYou()
    // A text box (a number box drops Persian digits) that brings up a phone's number keys.
    expect(await box(page).getAttribute('type')).toBe('text')
    expect(await box(page).getAttribute('inputmode')).toBe('numeric')
    // Age in Persian digits.
    await box(page).fill('۳۴')
    await saved(page)
    expect((await responseOf(p.id, 'demographics'))?.answers.age).toBe(34)
    // Something that is not a number: a message on the spot, and the box keeps what was typed.
    await box(page).fill('۳۴ سال')
    await page.getByText('Please type a number').waitFor()
    expect(await box(page).inputValue()).toBe('۳۴ سال')
    await screenshot(page, 'answer-rules-01-not-a-number')
    // Out of range (the instrument says 18–90): the same rule as the server's.
    await box(page).fill('١٧')
    await page.getByText('Please give a whole number from 18 to 90.').waitFor()
    await box(page).fill('٤٠')
    await next(page)
    // One tap: the single-choice question moves on by itself.
    await answer(page, 'Female')
    await next(page)
    await next(page)
    // Years in practice, in steps of 0.5, with the Persian decimal separator.
    await box(page).fill('۲٫۵')
    await saved(page)
    expect((await responseOf(p.id, 'demographics'))?.answers).toMatchObject({ age: 40, sex: 'female', years_in_practice: 2.5 })
    await box(page).fill('2.25')
    await page.getByText('Please give a number from 0 to 60, in steps of 0.5.').waitFor()
    await context.close()
  })
})

describe('text the server would refuse', () => {
  it('an "Other" answer longer than 5,000 characters is refused on the spot and never looks done', async () => {
    const { p, page, context } = await atAboutYou()
    await next(page)
    await next(page)
    await next(page)
    await choose(page, 'Other')
    const other = page.getByRole('textbox').last()
    await other.fill('x'.repeat(6159))
    // t() writes numbers in the page language's digits and grouping (client/lib/i18n.ts): 6,159 in English.
    await page.getByText('This answer is 6,159 characters long; the most it can hold is 5,000.').waitFor()
    // The form does not go on with an answer the server would refuse.
    await next(page)
    await page.getByText('This answer is 6,159 characters long').waitFor()
    await screenshot(page, 'answer-rules-02-other-too-long')
    await other.fill('Midwife')
    await saved(page)
    expect((await responseOf(p.id, 'demographics'))?.answers).toMatchObject({ role: 'other', 'role-Comment': 'Midwife' })
    await context.close()
  })
})

describe('complete means complete', () => {
  it('an empty questionnaire cannot be submitted; skipped items are confirmed first; minAnswered decides the score', async () => {
    const { p, page, context } = await atAboutYou()
    await box(page).fill('34')
    await skipToPhq9(page)
    // Every PHQ-9 item skipped: Complete refuses, and says why.
    while (await page.getByRole('button', { name: 'Next' }).isVisible()) await next(page)
    await complete(page)
    await page.getByTestId('empty-warning').waitFor()
    await screenshot(page, 'answer-rules-03-empty')
    expect(await responseOf(p.id, 'phq-9')).toBeUndefined()
    // One item answered: the nine skipped ones are listed before submitting.
    await choose(page, 'Not difficult at all')
    await complete(page)
    await page.getByTestId('skipped').waitFor()
    expect(await page.getByTestId('skipped').locator('li').count()).toBe(9)
    await screenshot(page, 'answer-rules-04-skipped')
    // Going back answers one more; then leaving the rest unanswered submits.
    await page.getByRole('button', { name: 'Go back and answer' }).click()
    await answer(page, 'Several days')
    while (await page.getByRole('button', { name: 'Next' }).isVisible()) await next(page)
    await complete(page)
    await page.getByRole('button', { name: 'Leave unanswered and submit' }).click()
    await page.getByText('You have completed every questionnaire that is open now.').waitFor()
    const stored = await responseOf(p.id, 'phq-9')
    expect(stored).toMatchObject({ status: 'complete', answers: { phq9_1: 1, phq9_difficulty: 0 } })
    // PHQ-9's scoring needs 7 of 9 items (minAnswered): with one, there is no score.
    const score = await server.db.selectFrom('scale_score').select(['score', 'answered']).where('response_id', '=', stored!.id).executeTakeFirst()
    expect(score).toEqual({ score: null, answered: 1 })
    await context.close()
  })

  it('when the server refuses a submit, the form opens again at the question it names and never says done', async () => {
    const { p, page, context } = await atAboutYou()
    await box(page).fill('34')
    await skipToPhq9(page)
    await page.route('**/forms/pre/phq-9/complete', (route) =>
      route.fulfill({
        status: 422,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'validation_failed', message: 'answers.phq9_2: Required', details: [{ field: 'answers.phq9_2', message: 'Required' }] } }),
      }),
    )
    for (let i = 0; i < 9; i++) await answer(page, 'Not at all')
    await choose(page, 'Not difficult at all')
    await complete(page)
    await page.getByTestId('refusal').waitFor()
    await page.locator('.sd-question[data-name="phq9_2"]').waitFor()
    expect(await page.getByTestId('refusal').textContent()).toContain('Feeling down, depressed, or hopeless')
    await screenshot(page, 'answer-rules-05-submit-refused')
    expect(await page.getByText('You have completed every questionnaire').count()).toBe(0)
    expect((await responseOf(p.id, 'phq-9'))?.status).toBe('draft')
    await context.close()
  })
})
