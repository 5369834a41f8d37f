/** Staff accounts and signing in, for the browser tests of the staff app. */
import type { Page } from 'playwright-core'

/** The password every test account gets: long enough for the server's rule. */
export const staffPassword = 'a long enough password'

/** Sign in through the sign-in page and wait for the home page ("Your studies"). */
export async function signIn(page: Page, baseUrl: string, email: string, password = staffPassword): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { level: 1, name: 'Your studies' }).waitFor()
}
