/**
 * A link opened once opens again with no connection, from the participant bundle the service worker
 * precached: the staff app is never controlled by it, and no cache key and no stored key holds the
 * token.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { phonePage, screenshot } from './helpers/browser'
import { answer, choose, consent, demographics } from './helpers/participant-flow'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

/**
 * A study with an open pre wave of PHQ-9 and one participant who has consented, filled in the
 * demographics form and answered PHQ-9's first item ("Several days"), saved, on a phone-sized page.
 */
async function oneAnswerGiven(studyName: string) {
  const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10)
  const study = await createStudy(server.deps, { name: studyName }, 'test')
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9'] }, 'test')
  const [p] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')
  const url = `${server.baseUrl}/p/${p!.token}`
  const { page, context } = await phonePage(browser)
  await page.goto(url)
  await consent(page)
  await demographics(page)
  await page.getByText('Questionnaire 1 of 1').waitFor()
  await answer(page, 'Several days')
  await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor()
  return { p: p!, url, page, context }
}

describe('offline', () => {
  it('a link opened once opens again offline, shows what is kept and lets the participant go on', async () => {
    const { p, url, page, context } = await oneAnswerGiven('Offline study')
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    await page.close()

    // The link is opened again, in a new tab, with no connection at all.
    await context.setOffline(true)
    const again = await context.newPage()
    await again.goto(url)
    await again.getByTestId('from-device').waitFor()
    // At the first unanswered question, with the confirmed answer behind it.
    await again.locator('.sd-question[data-name="phq9_2"]').waitFor()
    await choose(again, 'Nearly every day')
    await again.locator('[data-testid="save-status"][data-status="kept"]').waitFor()
    await screenshot(again, 'offline-01-opened-offline')

    // What the page keeps: no cache key and no IndexedDB key holds the token.
    const keys = await again.evaluate(async () => {
      const cacheKeys: string[] = []
      for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) cacheKeys.push(request.url)
      const storedKeys = await new Promise<string[]>((resolve) => {
        const open = indexedDB.open('balint-participant')
        open.onsuccess = () => {
          const tx = open.result.transaction(['answers', 'meta', 'completions'])
          const all: string[] = []
          let left = 3
          for (const store of ['answers', 'meta', 'completions']) {
            const request = tx.objectStore(store).getAllKeys()
            request.onsuccess = () => {
              all.push(...request.result.map(String))
              if (--left === 0) resolve(all)
            }
          }
        }
      })
      return { cacheKeys, storedKeys }
    })
    expect(keys.cacheKeys.length).toBeGreaterThan(3)
    expect(keys.cacheKeys.some((k) => new URL(k).pathname === '/p/index.html')).toBe(true)
    expect(keys.cacheKeys.filter((k) => k.includes(p.token))).toEqual([])
    expect(keys.storedKeys.length).toBeGreaterThan(0)
    expect(keys.storedKeys.filter((k) => k.includes(p.token))).toEqual([])
    // The Persian typeface is precached too, so a Persian page opened offline keeps its letters' shapes.
    expect(keys.cacheKeys.filter((k) => /\/assets\/vazirmatn-arabic-(400|700)-normal-[\w-]+\.woff2$/.test(k))).toHaveLength(2)
    // Only the participant bundle is precached: nothing of the staff app.
    expect(keys.cacheKeys.filter((k) => /staff/.test(k))).toEqual([])

    // Back online, the answer given offline reaches the server.
    await context.setOffline(false)
    await again.locator('[data-testid="save-status"][data-status="saved"]').waitFor()
    const row = await server.db.selectFrom('response').select('answers').where('participant_id', '=', p.id).where('instrument_id', '=', 'phq-9').executeTakeFirstOrThrow()
    expect(JSON.parse(row.answers)).toEqual({ phq9_1: 1, phq9_2: 3 })

    // The staff app, on the same origin, is never controlled by the participant's service worker.
    const staff = await context.newPage()
    await staff.goto(`${server.baseUrl}/`)
    expect(await staff.evaluate(() => navigator.serviceWorker.controller)).toBeNull()
    await context.close()
  })

  it('a participant who withdraws leaves none of their answers on the device', async () => {
    const { url, page, context } = await oneAnswerGiven('Withdrawal study')
    /** Every value IndexedDB holds for the page, as one JSON text. */
    const stored = () =>
      page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const open = indexedDB.open('balint-participant')
            open.onsuccess = () => {
              const tx = open.result.transaction(['answers', 'meta', 'completions'])
              const all: Record<string, unknown[]> = {}
              let left = 3
              for (const store of ['answers', 'meta', 'completions']) {
                const request = tx.objectStore(store).getAll()
                request.onsuccess = () => {
                  all[store] = request.result
                  if (--left === 0) resolve(JSON.stringify(all))
                }
              }
            }
          }),
      )
    // Before: the device keeps the answer (in the state the page reopens with offline).
    expect(await stored()).toContain('"phq9_1":1')

    await page.getByTestId('withdraw-link').click()
    await page.getByText('Delete my answers', { exact: false }).click()
    await page.getByRole('button', { name: 'Withdraw', exact: true }).click()
    await page.getByText('You have withdrawn from the study').waitFor()
    await expect.poll(stored).not.toContain('phq9_1')
    const after = JSON.parse(await stored()) as { answers: unknown[]; completions: unknown[]; meta: unknown[] }
    expect(after.answers).toEqual([])
    expect(after.completions).toEqual([])
    expect(after.meta.some((m) => JSON.stringify(m).includes('"status":"withdrawn"'))).toBe(true)
    // Nothing more is saved through the link, so the page no longer speaks of saving.
    expect(await page.getByTestId('save-status').count()).toBe(0)
    await screenshot(page, 'offline-02-withdrawn')

    // Opened again with no connection, the link still says they have withdrawn.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    await context.setOffline(true)
    const again = await context.newPage()
    await again.goto(url)
    await again.getByText('You have withdrawn from the study').waitFor()
    await context.close()
  })
})
