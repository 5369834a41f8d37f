/**
 * The participant page's promises where an adversarial review found them broken: nothing answered is
 * lost, and the page never says "saved" when the server does not hold the answer, with two tabs of
 * one link, a proxy's own 403, and storage slow to open.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { phonePage, screenshot } from './helpers/browser'
import { answer, answerPhq9, consent, demographics, firstItemSaved } from './helpers/participant-flow'
import { cohortWithLinks, storedPhq9 } from './helpers/cohort'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))



const statusOf = (page: Page) => page.getByTestId('save-status').getAttribute('data-status')

describe('two tabs of the same link', () => {
  it('an answer changed in a second tab while offline is not lost when the first tab, back online, confirms its older value', async () => {
    const [p] = await cohortWithLinks(server, 1)
    const { page: tabA, context } = await phonePage(browser)
    await firstItemSaved(tabA, p!.url)
    // The participant taps the link in the e-mail again: a second tab, on item 2.
    const tabB = await context.newPage()
    await tabB.goto(p!.url)
    await tabB.getByText('Questionnaire 1 of 2').waitFor()
    await tabB.getByText('Answered 1 of 10').filter({ visible: true }).first().waitFor()
    // The connection drops. Item 2: "Not at all" in tab A, then, changing their mind, "Nearly every day" in tab B.
    await context.setOffline(true)
    await answer(tabA, 'Not at all')
    await tabA.getByText(/Your answers are kept on this device/).waitFor()
    await answer(tabB, 'Nearly every day')
    await tabB.getByText(/Your answers are kept on this device/).waitFor()
    // Tab B is closed: it said its answer is kept on this device.
    await tabB.close()
    // Back online: tab A sends what it holds and says everything is saved.
    await context.setOffline(false)
    await tabA.getByText('All answers saved').waitFor()
    await screenshot(tabA, 'participant-two-tabs-saved')
    // The link opened again on the phone: whatever the device kept is sent now.
    const again = await context.newPage()
    await again.goto(p!.url)
    await again.getByText('Questionnaire 1 of 2').waitFor()
    await again.getByText('All answers saved').waitFor()
    await again.waitForTimeout(1500)
    // The participant's last answer to item 2 was "Nearly every day" (3).
    expect(await storedPhq9(server, p!.id)).toMatchObject({ phq9_1: 1, phq9_2: 3 })
    await context.close()
  })

  it('a tab does not say "All answers saved" while answers given in another tab wait on the device unsent', async () => {
    const [p] = await cohortWithLinks(server, 1)
    const { page: tabA, context } = await phonePage(browser)
    await firstItemSaved(tabA, p!.url)
    const tabB = await context.newPage()
    await tabB.goto(p!.url)
    await tabB.getByText('Answered 1 of 10').filter({ visible: true }).first().waitFor()
    // Offline, items 2–5 are answered in tab B, which is then closed ("kept on this device").
    await context.setOffline(true)
    await answerPhq9(tabB, [1, 2, 2, 2, 2], 1)
    await tabB.getByText(/Your answers are kept on this device/).waitFor()
    await tabB.close()
    await context.setOffline(false)
    await tabA.bringToFront()
    // Back online, tab A finds what tab B left on the device and sends it before it says "saved".
    await expect.poll(() => storedPhq9(server, p!.id), { timeout: 15000 }).toMatchObject({ phq9_1: 1, phq9_2: 2, phq9_3: 2, phq9_4: 2, phq9_5: 2 })
    await tabA.getByText('All answers saved').waitFor()
    // And tab A's form shows them: the participant sees what they answered in the other tab.
    await tabA.getByText('Answered 5 of 10').filter({ visible: true }).first().waitFor()
    await screenshot(tabA, 'participant-other-tab-sent')
    await context.close()
  })
})

describe('a refusal that did not come from the server', () => {
  it('an HTML 403 from a proxy on the Wi-Fi drops no answers, and the page does not say "saved" while they are missing', async () => {
    const [p] = await cohortWithLinks(server, 1)
    const { page, context } = await phonePage(browser)
    await page.goto(p!.url)
    await consent(page)
    await demographics(page)
    await page.getByText('Questionnaire 1 of 2').waitFor()
    // Items 1–4 answered with no signal.
    await context.setOffline(true)
    await answerPhq9(page, [1, 2, 3, 2])
    await page.getByText(/Your answers are kept on this device/).waitFor()
    // The hospital Wi-Fi's proxy refuses the first request with its own HTML page.
    let refused = 0
    await page.route('**/api/p/*/forms/pre/phq-9/answers', async (route) => {
      if (refused++ === 0) return route.fulfill({ status: 403, contentType: 'text/html', body: '<html><body><h1>403 Forbidden</h1></body></html>' })
      return route.continue()
    })
    await context.setOffline(false)
    // Not the server's refusal: retried as a lost connection, and all four answers arrive.
    await page.getByText('All answers saved').waitFor()
    expect(refused).toBeGreaterThan(1)
    expect(await page.getByTestId('refusal').count()).toBe(0)
    await screenshot(page, 'participant-proxy-403-retried')
    expect(await storedPhq9(server, p!.id)).toMatchObject({ phq9_1: 1, phq9_2: 2, phq9_3: 3, phq9_4: 2 })
    await context.close()
  })
})

describe('storage slow to answer', () => {
  it('answers kept on the device from an earlier visit are not left behind when IndexedDB takes 8 s to open, and the page does not call everything saved', async () => {
    const [p] = await cohortWithLinks(server, 1)
    const { page, context } = await phonePage(browser)
    await firstItemSaved(page, p!.url)
    // Items 2–4 answered with no connection; the tab is closed ("kept on this device").
    await context.setOffline(true)
    await answerPhq9(page, [1, 2, 2, 2], 1)
    await page.getByText(/Your answers are kept on this device/).waitFor()
    await page.close()
    await context.setOffline(false)
    // The link opened again later; this time the phone's storage is slow to open (busy, low on space).
    const again = await context.newPage()
    await again.addInitScript(() => {
      const realOpen = IDBFactory.prototype.open
      IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
        const request = realOpen.call(this, name, version)
        if (name !== 'balint-participant') return request
        const add = request.addEventListener.bind(request)
        request.addEventListener = ((type: string, listener: EventListener, options?: AddEventListenerOptions) =>
          type === 'success' ? add(type, (event) => setTimeout(() => listener.call(request, event), 8000), options) : add(type, listener, options)) as typeof request.addEventListener
        return request
      } as typeof IDBFactory.prototype.open
    })
    await again.goto(p!.url)
    await again.getByText('Questionnaire 1 of 2').waitFor()
    // Before the storage has opened, nothing is called saved.
    await again.waitForTimeout(1000)
    expect(await statusOf(again)).not.toBe('saved')
    // Once it has, what the earlier visit kept there is sent.
    await expect.poll(() => storedPhq9(server, p!.id), { timeout: 15000 }).toMatchObject({ phq9_1: 1, phq9_2: 2, phq9_3: 2, phq9_4: 2 })
    await again.getByText('All answers saved').waitFor()
    await again.getByText('Answered 4 of 10').filter({ visible: true }).first().waitFor()
    await screenshot(again, 'participant-slow-storage-sent')
    await context.close()
  })
})

describe('a phone clock set back', () => {
  it('an answer changed after the clock was set right, on a reloaded page, replaces the one given while the clock ran a day fast', async () => {
    const [p] = await cohortWithLinks(server, 1)
    const { page, context } = await phonePage(browser)
    await page.goto(p!.url)
    await consent(page)
    await demographics(page)
    await page.getByText('Questionnaire 1 of 2').waitFor()
    // The phone's clock runs a day fast: item 1, "Several days", saved.
    await context.clock.setFixedTime(Date.now() + 86_400_000)
    await answerPhq9(page, [1])
    await page.getByText('All answers saved').waitFor()
    expect(await storedPhq9(server, p!.id)).toMatchObject({ phq9_1: 1 })
    // NTP sets the clock right. The page is reloaded (nothing waits on the device now but its last
    // stamp); the participant goes back to item 1 and changes it to "Nearly every day".
    await context.clock.setFixedTime(Date.now())
    await page.reload()
    await page.getByText('Answered 1 of 10').filter({ visible: true }).first().waitFor()
    await page.getByRole('button', { name: 'Previous' }).click()
    await answer(page, 'Nearly every day')
    await expect.poll(() => storedPhq9(server, p!.id), { timeout: 15000 }).toMatchObject({ phq9_1: 3 })
    await page.getByText('All answers saved').waitFor()
    await context.close()
  })
})

describe('storage that never opens', () => {
  it('when indexedDB.open never settles (a WebKit hang), the page stops waiting, says answers are not kept, and sends them', async () => {
    const [p] = await cohortWithLinks(server, 1)
    const { page, context } = await phonePage(browser)
    await firstItemSaved(page, p!.url)
    await page.close()
    // The link opened again; this time opening the device's storage never answers, success nor error.
    const again = await context.newPage()
    await again.addInitScript(() => {
      const realOpen = IDBFactory.prototype.open
      IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
        const request = realOpen.call(this, name, version)
        if (name !== 'balint-participant') return request
        const add = request.addEventListener.bind(request)
        request.addEventListener = ((type: string, listener: EventListener, options?: AddEventListenerOptions) =>
          type === 'success' || type === 'error' ? undefined : add(type, listener, options)) as typeof request.addEventListener
        return request
      } as typeof IDBFactory.prototype.open
    })
    await again.goto(p!.url)
    await again.getByText('Answered 1 of 10').filter({ visible: true }).first().waitFor()
    await answer(again, 'More than half the days')
    await expect.poll(() => storedPhq9(server, p!.id), { timeout: 15000 }).toMatchObject({ phq9_1: 1, phq9_2: 2 })
    // Never "Saving…" for ever: once the page stops waiting, it says this page's answers are saved and
    // that what an earlier visit kept on the device could not be read (not "All answers saved").
    await again.locator('[data-testid="save-status"][data-status="unread"][data-kept="no"]').waitFor({ timeout: 30000 })
    await again.getByText('Your answers on this page are saved. Answers kept on this device from an earlier visit could not be read yet').waitFor()
    await screenshot(again, 'participant-storage-never-opens')
    await context.close()
  })
})
