/**
 * The participant's page at 200 % zoom and turned sideways (WCAG 2.1 SC 1.4.10 Reflow: content at a
 * width of 320 CSS px with no scrolling in two directions; SC 1.3.4 Orientation: both orientations
 * work). A 640-px-wide phone at 200 % zoom shows 320 × 360 CSS px; a phone turned sideways shows
 * 640 × 360. At each stage, in English and in Persian: nothing is wider than the screen, the sticky
 * header leaves most of the screen to the questions, and the question's choices can be reached.
 * Screenshots: test-results/screenshots/reflow-*.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createDemo } from '../../server/domain/demo/study'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { screenshotDir } from './helpers/browser'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const views = [
  { name: 'zoom200', width: 320, height: 360 },
  { name: 'landscape', width: 640, height: 360 },
] as const

type Measure = { overflow: number; header: number; height: number }

/** How much wider than the screen the page is (px; 0 when it fits), and the sticky header's height. */
const measure = (page: Page): Promise<Measure> =>
  page.evaluate(() => ({
    overflow: Math.max(0, document.documentElement.scrollWidth - window.innerWidth),
    header: document.querySelector('.topbar')?.getBoundingClientRect().height ?? 0,
    height: window.innerHeight,
  }))

describe('reflow at 200 % zoom and in landscape', () => {
  for (const lang of ['en', 'fa'] as const)
    for (const view of views)
      it(`${lang === 'en' ? 'English' : 'Persian'}, ${view.width} × ${view.height} (${view.name}): no sideways scrolling, the header leaves room, the choices can be reached`, async () => {
        const demo = await createDemo(server.deps, 'test')
        const participant = demo.participants[0]!
        const context = await browser.newContext({ viewport: { width: view.width, height: view.height }, deviceScaleFactor: 1, isMobile: true, hasTouch: true })
        const page = await context.newPage()
        await page.goto(`${server.baseUrl}/p/${participant.token}`)
        await page.locator('.sd-root-modern').waitFor()
        if (lang === 'fa') {
          await page.getByTestId('language').selectOption('fa')
          await page.locator('html[lang="fa"][dir="rtl"]').waitFor()
        }
        const shots: Record<string, Measure> = {}
        const check = async (stage: string) => {
          await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
          const m = await measure(page)
          shots[stage] = m
          // What the screen shows (not the whole page: the sticky bar stays at the top of the screen).
          mkdirSync(screenshotDir, { recursive: true })
          await page.screenshot({ path: join(screenshotDir, `reflow-${lang}-${view.name}-${stage}.png`) })
        }
        await page.locator('.sd-html h3').first().waitFor()
        await check('01-consent')
        // The consent choice is reachable by scrolling down; its whole row is the choice, so a tap at
        // the far end of the row (right in English, left in Persian) chooses it.
        const agree = page.locator('.sd-question[data-name="consent"] .sd-item').first()
        await agree.scrollIntoViewIfNeeded()
        const row = (await agree.boundingBox())!
        await agree.click({ position: { x: lang === 'en' ? row.width - 12 : 12, y: row.height / 2 } })
        await expect.poll(() => agree.locator('input').isChecked()).toBe(true)
        await page.locator('.sd-navigation__complete-btn').click()
        // Demographics: a typed number.
        await page.locator('.sd-question[data-name="age"]').waitFor()
        await check('02-demographics')
        await page.locator('.sd-question[data-name="age"]').getByRole('textbox').fill('34')
        await page.locator('.sd-navigation__next-btn').click()
        await page.locator('.sd-question[data-name="sex"]').waitFor()
        await check('03-choices')
        // The form brought the new question into view below the sticky bar, its title whole.
        const title = (await page.locator('.sd-question[data-name="sex"] .sd-question__title').boundingBox())!
        expect(title.y).toBeGreaterThanOrEqual(shots['03-choices']!.header - 1)
        // A choice lies within the screen once scrolled to, below the sticky header (not under it).
        const choice = page.locator('.sd-question[data-name="sex"] .sd-item__control-label').first()
        await choice.scrollIntoViewIfNeeded()
        const box = (await choice.boundingBox())!
        expect(box.y).toBeGreaterThanOrEqual(shots['03-choices']!.header - 1)
        expect(box.y + box.height).toBeLessThanOrEqual(view.height)
        expect(box.x).toBeGreaterThanOrEqual(0)
        expect(box.x + box.width).toBeLessThanOrEqual(view.width)
        await page.screenshot({ path: join(screenshotDir, `reflow-${lang}-${view.name}-04-choice-scrolled-to.png`) })
        await choice.click()
        await page.locator('.sd-question[data-name="marital_status"]').waitFor()

        for (const [stage, m] of Object.entries(shots)) {
          expect({ stage, overflow: m.overflow }).toEqual({ stage, overflow: 0 })
          // The sticky header may take at most a third of the screen's height.
          expect({ stage, headerShare: m.header / m.height <= 1 / 3 }).toEqual({ stage, headerShare: true })
        }
        await context.close()
      })
})
