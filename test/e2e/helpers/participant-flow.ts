/**
 * A participant's steps through their link in the browser, shared by the browser tests: consent,
 * demographics, and answering the PHQ-9/GAD-7-style items one screen at a time.
 */
import type { Page } from 'playwright-core'

export const next = (page: Page) => page.getByRole('button', { name: 'Next' }).click()
export const complete = (page: Page) => page.getByRole('button', { name: 'Complete' }).click()
/** Submit a form with questions left unanswered, confirming "Leave unanswered?". */
export async function completeLeavingUnanswered(page: Page) {
  await complete(page)
  await page.getByRole('button', { name: 'Leave unanswered and submit' }).click()
}
export const choose = (page: Page, text: string) => page.getByText(text, { exact: true }).first().click()

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
  await choose(page, 'Female')
  while (await page.getByRole('button', { name: 'Next' }).isVisible()) await next(page)
  await completeLeavingUnanswered(page)
}

/** The answer options shared by PHQ-9 and GAD-7, by value 0–3. */
export const phq9Anchors = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day']

/** Answer the PHQ-9's nine items with these values (0–3) and its difficulty item with 0. */
export async function answerPhq9(page: Page, values: number[], from = 0) {
  for (let i = from; i < values.length; i++) {
    await choose(page, phq9Anchors[values[i]!]!)
    await next(page)
  }
}

/**
 * Answer a whole PHQ-9 or GAD-7 (its items with these values, 0–3, then "Not difficult at all") and
 * submit it.
 */
export async function answerAndComplete(page: Page, values: number[]) {
  for (const v of values) {
    await choose(page, phq9Anchors[v]!)
    await next(page)
  }
  await choose(page, 'Not difficult at all')
  await complete(page)
}
