/**
 * A refusal on a Persian page is said in Persian. Found by a review: a participant who withdrew on
 * their laptop while their phone held answers given offline read, on the phone's Persian page, the
 * server's English "You have withdrawn from this study; nothing more is collected." Real Chromium
 * against the real server.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { screenshot } from './helpers/browser'
import { phoneAtPhq9ItemOneSaved } from './helpers/cohort'
import { answerPhq9 } from './helpers/participant-flow'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

describe('refusals on a Persian page', () => {
  it('a withdrawal made on another device refuses the phone’s waiting answers in Persian, and says they left the phone', async () => {
    const { page, context, participant } = await phoneAtPhq9ItemOneSaved(server, browser, 'Group P')

    // The participant reads in Persian (PHQ-9 itself stays English: no validated translation is loaded).
    await page.getByTestId('language').selectOption('fa')
    await page.getByText('همهٔ پاسخ‌ها ذخیره شد').waitFor()
    // No signal: two more items, kept on the phone.
    await context.setOffline(true)
    await answerPhq9(page, [1, 2, 3], 1)

    // Meanwhile, on their laptop, they withdraw.
    const withdrawn = await fetch(`${server.baseUrl}/api/p/${participant.token}/withdraw`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keepData: true }) })
    expect(withdrawn.status).toBe(200)

    await context.setOffline(false)
    await page.getByTestId('refusal').first().waitFor()
    const texts = await page.getByTestId('refusal').allTextContents()
    for (const text of texts) {
      expect(text).toContain('انصراف')
      expect(text).not.toMatch(/withdrawn|[A-Za-z]{3}/)
      expect(text).toContain('از روی این دستگاه هم پاک شدند')
    }
    // The page then shows what the server holds: they have withdrawn; no more questions are asked.
    await page.getByText('شما از پژوهش انصراف داده‌اید', { exact: true }).waitFor()
    await page.locator('.sd-question').waitFor({ state: 'detached' })
    expect(await page.getByText('همهٔ پاسخ‌ها ذخیره شد').count()).toBe(0)
    await screenshot(page, 'participant-refusal-fa-withdrawn')
    // Nothing of the refused answers was stored.
    const stored = await server.db.selectFrom('response').select('answers').where('participant_id', '=', participant.id).where('instrument_id', '=', 'phq-9').executeTakeFirstOrThrow()
    expect(Object.keys(JSON.parse(stored.answers))).toEqual(['phq9_1'])
    await context.close()
  })
})
