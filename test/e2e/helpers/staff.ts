/** Staff accounts and signing in, for the browser tests of the staff app. */
import type { Page } from 'playwright-core'
import { grantRole } from '../../../server/db/repositories/staff'
import type { StaffRole } from '../../../server/db/schema'
import { createStaffUser } from '../../../server/domain/staff/auth'
import type { TestServer } from './server'

/** The password every test account gets: long enough for the server's rule. */
export const staffPassword = 'a long enough password'

/** What the sign-in page and the home page say, in each language of the staff app. */
const signInWords = {
  en: { email: 'Email', password: 'Password', submit: 'Sign in', home: 'Your studies' },
  fa: { email: 'ایمیل', password: 'گذرواژه', submit: 'ورود', home: 'پژوهش‌های شما' },
} as const

async function signInIn(language: keyof typeof signInWords, page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  const words = signInWords[language]
  await page.goto(`${baseUrl}/sign-in`)
  await page.getByLabel(words.email).fill(email)
  await page.getByLabel(words.password).fill(password)
  await page.getByRole('button', { name: words.submit }).click()
  await page.getByRole('heading', { level: 1, name: words.home }).waitFor()
}

/** Sign in through the sign-in page and wait for the home page ("Your studies"). */
export const signIn = (page: Page, baseUrl: string, email: string, password = staffPassword) => signInIn('en', page, baseUrl, email, password)

/** As `signIn`, in a browser whose language is Persian (the staff app then speaks Persian from the sign-in page on). */
export const signInPersian = (page: Page, baseUrl: string, email: string, password = staffPassword) => signInIn('fa', page, baseUrl, email, password)

/**
 * A new staff account with `staffPassword` and one role in one study, made straight in the server's
 * database (the staff app's own account pages are tested in accounts.e2e.ts).
 *
 * @example
 * const user = await staffMember(server, study.id, `researcher.${Date.now()}@example.org`)
 * await signIn(page, server.baseUrl, user.email)
 */
export async function staffMember(server: TestServer, studyId: string, email: string, role: StaffRole = 'researcher', name = 'Dr Researcher') {
  const user = await createStaffUser(server.deps, { email, name, password: staffPassword, isAdmin: false }, 'test')
  await grantRole(server.db, { studyId, userId: user.id, role }, new Date())
  return user
}
