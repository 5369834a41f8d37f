/**
 * A participant's steps through their link in the browser, shared by the browser tests: consent,
 * demographics, and answering the PHQ-9/GAD-7-style items one screen at a time.
 *
 * A single-choice question moves on by itself once answered (auto-advance), so `answer` taps once and
 * waits for the next question; `choose` only taps (for the last question of a form, which waits for
 * Complete, and for choices that do not move on).
 */
import type { Page } from 'playwright-core'

export const next = (page: Page) => page.getByRole('button', { name: 'Next' }).click()
export const choose = (page: Page, text: string) => page.getByText(text, { exact: true }).first().click()

/** The title of the question on screen. */
const currentQuestion = (page: Page) => page.locator('.sd-question__title').first().textContent()

/** Tap a choice of a single-choice question and wait until the page has moved on to the next question. */
export async function answer(page: Page, text: string) {
  const before = await currentQuestion(page)
  await choose(page, text)
  await page.waitForFunction((title) => document.querySelector('.sd-question__title')?.textContent !== title, before)
}

/**
 * Past the short break between two questionnaires, when one comes: wait for what follows a submit
 * (the break, the finish page, the "leave unanswered?" question or a refusal) and continue from a break.
 */
export async function pastBreak(page: Page) {
  await page.locator('[data-testid="break"], [data-testid="done-body"], [data-testid="skipped"], [data-testid="empty-warning"], .refusal').filter({ visible: true }).first().waitFor()
  if (await page.getByTestId('break').isVisible()) await page.getByTestId('break-continue').click()
}

/** Submit a form, and continue past the break to the next questionnaire if there is one. */
export async function complete(page: Page) {
  await page.getByRole('button', { name: 'Complete' }).click()
  await pastBreak(page)
}
/** Submit a form with questions left unanswered, confirming "Leave unanswered?". */
export async function completeLeavingUnanswered(page: Page) {
  await page.getByRole('button', { name: 'Complete' }).click()
  await page.getByRole('button', { name: 'Leave unanswered and submit' }).click()
  await pastBreak(page)
}

export async function consent(page: Page) {
  await choose(page, 'I agree to take part')
  await page.getByRole('button', { name: 'Continue' }).click()
}

/** Step through the demographics form answering age and sex only (nothing there is required). */
export async function demographics(page: Page) {
  await page.locator('.step', { hasText: 'About you' }).waitFor()
  // Number questions are text boxes that also read Persian and Arabic-Indic digits.
  await page.getByRole('textbox').first().fill('34')
  await next(page)
  await answer(page, 'Female')
  while (await page.getByRole('button', { name: 'Next' }).isVisible()) await next(page)
  await completeLeavingUnanswered(page)
}

/** The answer options shared by PHQ-9 and GAD-7, by value 0–3. */
export const phq9Anchors = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day']

/** Answer the PHQ-9's nine items with these values (0–3), one tap each; the difficulty item is left on screen. */
export async function answerPhq9(page: Page, values: number[], from = 0) {
  for (let i = from; i < values.length; i++) await answer(page, phq9Anchors[values[i]!]!)
}

/**
 * Answer a whole PHQ-9 or GAD-7 (its items with these values, 0–3, then "Not difficult at all") and
 * submit it.
 */
export async function answerAndComplete(page: Page, values: number[]) {
  for (const v of values) await answer(page, phq9Anchors[v]!)
  await choose(page, 'Not difficult at all')
  await complete(page)
}

/** Open a link for the first time, consent, fill in the demographics, and answer PHQ-9's item 1 ("Several days") until the page says it is saved. */
export async function firstItemSaved(page: Page, url: string) {
  await page.goto(url)
  await consent(page)
  await demographics(page)
  await page.getByText('Questionnaire 1 of 2').waitFor()
  await answerPhq9(page, [1])
  await page.getByText('All answers saved').waitFor()
}
