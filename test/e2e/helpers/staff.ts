/** Staff accounts and signing in, for the browser tests of the staff app. */
import type { Page } from 'playwright-core'
import { grantRole } from '../../../server/db/repositories/staff'
import type { StaffRole } from '../../../server/db/schema'
import { createStaffUser } from '../../../server/domain/staff/auth'
import type { TestServer } from './server'

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

/** As `signIn`, in a browser whose language is Persian (the staff app then speaks Persian from the sign-in page on). */
export async function signInPersian(page: Page, baseUrl: string, email: string, password = staffPassword): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`)
  await page.getByLabel('ایمیل').fill(email)
  await page.getByLabel('گذرواژه').fill(password)
  await page.getByRole('button', { name: 'ورود' }).click()
  await page.getByRole('heading', { level: 1, name: 'پژوهش‌های شما' }).waitFor()
}

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
