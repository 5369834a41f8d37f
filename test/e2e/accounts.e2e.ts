/**
 * Account administration in a real browser: an administrator resets a colleague's password, the
 * colleague opens the one-time link, is refused a weak password with the reason, chooses a strong
 * one and is signed in; changes it again on the Account page; and is signed out everywhere when the
 * administrator disables the account. Screenshots in test-results/screenshots/accounts-*.png.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createStaffUser } from '../../server/domain/staff/auth'
import { screenshot } from './helpers/browser'
import { type TestServer, useServerAndBrowser } from './helpers/server'
import { staffPassword } from './helpers/staff'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const password = staffPassword

async function laptop() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  const offSite: string[] = []
  page.on('request', (r) => {
    if (!r.url().startsWith('data:') && new URL(r.url()).origin !== new URL(server.baseUrl).origin) offSite.push(r.url())
  })
  return { context, page, offSite }
}

async function signIn(page: Page, email: string, secret: string) {
  await page.goto(`${server.baseUrl}/sign-in`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(secret)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { level: 1, name: 'Your studies' }).waitFor()
}

describe('account administration', () => {
  it('reset link, weak password refused, strong one accepted, password changed, account disabled', async () => {
    await createStaffUser(server.deps, { email: 'ada@example.org', name: 'Ada Admin', password, isAdmin: true }, 'test')
    await createStaffUser(server.deps, { email: 'carl@example.org', name: 'Carl Colleague', password, isAdmin: false }, 'test')

    const admin = await laptop()
    await signIn(admin.page, 'ada@example.org', password)
    const carlRow = admin.page.getByTestId('account-actions-carl@example.org')
    await carlRow.getByRole('button', { name: 'Reset password' }).click()
    const link = (await carlRow.getByTestId('password-link').textContent())!
    expect(link).toMatch(new RegExp(`^${server.baseUrl}/reset/[A-Za-z0-9_-]{43}$`))
    await screenshot(admin.page, 'accounts-1-admin-reset-link')

    const carl = await laptop()
    await carl.page.goto(link)
    await carl.page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor()
    await carl.page.getByText('For the account of Carl Colleague (carl@example.org).').waitFor()
    await carl.page.getByLabel('New password').fill('aaaaaaaaaaaa')
    await carl.page.getByRole('button', { name: 'Save password and sign in' }).click()
    await carl.page.getByText(/too easy to guess/).waitFor()
    await screenshot(carl.page, 'accounts-2-weak-password-refused')
    await carl.page.getByLabel('New password').fill('amber kettle under moonlight')
    await carl.page.getByRole('button', { name: 'Save password and sign in' }).click()
    await carl.page.getByRole('heading', { level: 1, name: 'Your studies' }).waitFor()

    // The link works once.
    const again = await laptop()
    await again.page.goto(link)
    await again.page.getByText('This link is no longer valid.').waitFor()
    await screenshot(again.page, 'accounts-3-link-used')

    // Carl changes his password on the Account page.
    await carl.page.getByRole('link', { name: 'Account' }).click()
    await carl.page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
    await carl.page.getByLabel('Current password').fill('amber kettle under moonlight')
    await carl.page.getByLabel('New password').fill('seven quiet lanterns drift')
    await carl.page.getByRole('button', { name: 'Change password' }).click()
    await carl.page.getByText(/Your password has been changed/).waitFor()
    await screenshot(carl.page, 'accounts-4-password-changed')

    // The administrator disables Carl: his open page is signed out on its next request.
    await admin.page.reload()
    await admin.page.getByTestId('account-actions-carl@example.org').getByRole('button', { name: 'Disable' }).click()
    await admin.page.getByTestId('account-actions-carl@example.org').getByRole('button', { name: 'Enable' }).waitFor()
    await screenshot(admin.page, 'accounts-5-disabled')
    await carl.page.goto(`${server.baseUrl}/`)
    await carl.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()

    // Ada cannot remove her own rights: she is the last administrator.
    await admin.page.getByTestId('account-actions-ada@example.org').getByRole('button', { name: 'Remove administrator' }).click()
    await admin.page.getByText(/last administrator/).waitFor()
    await screenshot(admin.page, 'accounts-6-last-admin')

    expect([...admin.offSite, ...carl.offSite, ...again.offSite]).toEqual([])
    for (const c of [admin, carl, again]) await c.context.close()
  })
})
