/**
 * The chaos suite: nothing a participant answers is ever lost, and the page never says "saved" when
 * it is not. Real Chromium at phone size, the real server in a process of its own (so it can be
 * killed and started again), each scenario repeated CHAOS_RUNS times (10 unless set) on fresh links.
 *
 * For each scenario it prints: runs, answers given (every click), questions answered, answers stored
 * (the last answer given to each question is the one the server holds), answers lost, and "false
 * saved": how often the status said "saved" while an answer given before that moment on that device
 * was not stored. Every scenario must show 0 lost and 0 false "saved".
 *
 * How "false saved" is caught: a MutationObserver in each page reports every change of the status
 * line with the page's time; when it turns to "saved", the database is read at once, and every answer
 * that device gave before that time must be there (or replaced by an answer given later).
 *
 * The database is read directly (response.answers, the merged answers every reader uses).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../server/db/connection'
import type { Database } from '../../server/db/schema'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { shippedInstruments } from '../helpers/app'
import { launchBrowser, screenshot } from './helpers/browser'
import { completeLeavingUnanswered, next, phq9Anchors } from './helpers/participant-flow'
import { startServerProcess } from './helpers/server-process'

const runs = Number(process.env.CHAOS_RUNS ?? 10)

let server: Awaited<ReturnType<typeof startServerProcess>>
let db: Kysely<Database>
let browser: Browser
let cohortId: string

type Given = { device: string; question: string; value: number; at: number }

/** One run: a fresh link, the answers given on each device, and every "saved" that was not true. */
class Run {
  given: Given[] = []
  falseSaved: string[] = []
  contexts: BrowserContext[] = []
  constructor(
    readonly participantId: string,
    readonly url: string,
  ) {}

  /** The merged answers the server holds for this link's PHQ-9. */
  async stored(): Promise<Record<string, unknown>> {
    const row = await db.selectFrom('response').select('answers').where('participant_id', '=', this.participantId).where('instrument_id', '=', 'phq-9').executeTakeFirst()
    return row ? (JSON.parse(row.answers) as Record<string, unknown>) : {}
  }

  /** The last value given to each question, on any device. */
  finalAnswers(): Map<string, number> {
    const final = new Map<string, number>()
    for (const g of [...this.given].sort((a, b) => a.at - b.at)) final.set(g.question, g.value)
    return final
  }

  /** Answers given on `device` before `at` that the server does not hold (and no later answer replaced). */
  async missingBefore(device: string, at: number): Promise<string[]> {
    const stored = await this.stored()
    return this.given
      .filter((g) => g.device === device && g.at < at)
      .filter((g) => stored[g.question] !== g.value && !this.given.some((later) => later.question === g.question && later.at > g.at))
      .map((g) => `${g.question}=${g.value}`)
  }

  /** A phone-sized page on a device of its own (a browser context: its own storage), watched for "saved". */
  async device(name: string, options: { refuseStorage?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true })
    this.contexts.push(context)
    await context.exposeFunction('__balintStatus', async (status: string, at: number) => {
      if (status !== 'saved') return
      const missing = await this.missingBefore(name, at)
      if (missing.length > 0) this.falseSaved.push(`${name}: "saved" while ${missing.join(', ')} not stored`)
    })
    if (options.refuseStorage) {
      // Site data blocked or storage full: IndexedDB and Web Storage throw, as Chromium makes them.
      await context.addInitScript(() => {
        const refuse = () => {
          throw new DOMException('The user agent does not allow storage here.', 'SecurityError')
        }
        Object.defineProperty(window, 'indexedDB', { get: refuse })
        Object.defineProperty(window, 'localStorage', { get: refuse })
      })
    }
    await context.addInitScript(() => {
      let last: string | null = null
      const report = () => {
        const status = document.querySelector('[data-testid="save-status"]')?.getAttribute('data-status') ?? null
        if (status === last) return
        last = status
        if (status) void (window as unknown as { __balintStatus: (s: string, at: number) => Promise<void> }).__balintStatus(status, Date.now())
      }
      new MutationObserver(report).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] })
    })
    return context.newPage()
  }

  /** Answer the question on screen with an anchor (0–3), one tap: the form moves on by itself. Returns its name. */
  async answer(page: Page, device: string, value: number): Promise<string> {
    const question = page.locator('.sd-question[data-name]').first()
    const name = (await question.getAttribute('data-name'))!
    await question.getByText(phq9Anchors[value]!, { exact: true }).click()
    this.given.push({ device, question: name, value, at: Date.now() })
    await page.waitForFunction((answered) => document.querySelector('.sd-question[data-name]')?.getAttribute('data-name') !== answered, name)
    return name
  }

  async close() {
    for (const context of this.contexts) await context.close()
  }
}

/** Waits until `size` runs have arrived, then runs `action` once and lets them all go on. */
class Barrier {
  #arrived = 0
  #release!: () => void
  #done: Promise<void>
  constructor(
    readonly size: number,
    action: () => Promise<void>,
  ) {
    const all = new Promise<void>((resolve) => (this.#release = resolve))
    this.#done = all.then(action)
  }

  arrive(): Promise<void> {
    if (++this.#arrived === this.size) this.#release()
    return this.#done
  }
}

type Result = { scenario: string; runs: number; given: number; questions: number; stored: number; lost: number; falseSaved: number }
const results: Result[] = []

/** A fresh link that has consented and given its demographics, so it opens at the PHQ-9. */
async function freshRun(): Promise<Run> {
  const deps = { db, instruments: shippedInstruments(), now: () => new Date() }
  const [participant] = await addParticipants(deps, { cohortId, count: 1 }, 'chaos')
  const base = `${server.baseUrl}/api/p/${participant!.token}`
  const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect((await post('/consent', { version: deps.instruments.get('consent')!.version, answers: { consent: 'agree' } })).status).toBe(200)
  expect((await post('/forms/enrolment/demographics/complete', { answers: { age: 34 }, clientId: `demo-${participant!.id}` })).status).toBe(200)
  return new Run(participant!.id, `${server.baseUrl}/p/${participant!.token}`)
}

const atQuestion = (page: Page, name: string) => page.locator(`.sd-question[data-name="${name}"]`).waitFor({ timeout: 15_000 })
const saved = (page: Page, timeout = 30_000) => page.locator('[data-testid="save-status"][data-status="saved"]').waitFor({ timeout })

/**
 * Run a scenario `runs` times (`parallel` at once: most of a run is waiting for debounces, time-outs
 * and retries, so two cores take three runs at a time), then tally and check it.
 */
async function scenario(name: string, play: (run: Run, index: number) => Promise<void>, parallel = 3) {
  const tally: Result = { scenario: name, runs: 0, given: 0, questions: 0, stored: 0, lost: 0, falseSaved: 0 }
  const failures: string[] = []
  for (let start = 0; start < runs; start += parallel) {
    await Promise.all(
      Array.from({ length: Math.min(parallel, runs - start) }, async (_, offset) => {
        const run = await freshRun()
        try {
          await play(run, start + offset)
        } catch (error) {
          failures.push(`run ${start + offset + 1}: ${(error as Error).message.split('\n')[0]}`)
        }
        const stored = await run.stored()
        const final = run.finalAnswers()
        const kept = [...final].filter(([question, value]) => stored[question] === value).length
        tally.runs++
        tally.given += run.given.length
        tally.questions += final.size
        tally.stored += kept
        tally.lost += final.size - kept
        tally.falseSaved += run.falseSaved.length
        failures.push(...run.falseSaved)
        await run.close()
      }),
    )
  }
  results.push(tally)
  expect({ ...tally, failures }).toEqual({ ...tally, lost: 0, falseSaved: 0, failures: [] })
}

beforeAll(async () => {
  server = await startServerProcess()
  db = openDatabase(server.dbPath)
  browser = await launchBrowser()
  const deps = { db, instruments: shippedInstruments(), now: () => new Date() }
  const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10)
  const study = await createStudy(deps, { name: 'Chaos study' }, 'chaos')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'chaos')
  await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9'] }, 'chaos')
  cohortId = cohort.id
})

afterAll(async () => {
  if (results.length > 0) {
    const header = ['scenario', 'runs', 'answers given', 'questions', 'stored', 'lost', 'false "saved"']
    const rows = results.map((r) => [r.scenario, r.runs, r.given, r.questions, r.stored, r.lost, r.falseSaved].map(String))
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
    console.log(['', 'Chaos suite: answers given, stored and lost, and false "saved"', line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'))
  }
  await browser?.close()
  await db?.destroy()
  await server?.stop()
})

describe(`chaos: ${runs} fresh links per scenario`, { timeout: 300_000 }, () => {
  it('reload with answers not yet sent', async () => {
    await scenario('reload with unsent answers', async (run) => {
      const page = await run.device('phone')
      await page.goto(run.url)
      for (let i = 0; i < 5; i++) await run.answer(page, 'phone', i % 4)
      // At once, as a phone reloads a background tab: some of the five are still on the device.
      await page.reload()
      // It opens at the first question unanswered on the server or the device.
      await atQuestion(page, 'phq9_6')
      for (let i = 0; i < 3; i++) await run.answer(page, 'phone', (i + 1) % 4)
      await saved(page)
    })
  })

  it('reopening the link after answering offline', async () => {
    await scenario('reopen after answering offline', async (run) => {
      const page = await run.device('phone')
      await page.goto(run.url)
      await run.answer(page, 'phone', 1)
      await run.answer(page, 'phone', 2)
      await saved(page)
      await page.context().setOffline(true)
      for (let i = 0; i < 3; i++) await run.answer(page, 'phone', 3)
      await page.locator('[data-testid="save-status"][data-status="kept"]').waitFor()
      await page.close()
      await run.contexts[0]!.setOffline(false)
      const again = await run.contexts[0]!.newPage()
      await again.goto(run.url)
      await atQuestion(again, 'phq9_6')
      await run.answer(again, 'phone', 0)
      await saved(again)
    })
  })

  it('two devices answering different and the same questions', async () => {
    await scenario('two devices', async (run, index) => {
      const ward = await run.device('ward')
      const home = await run.device('home')
      await Promise.all([ward.goto(run.url), home.goto(run.url)])
      await atQuestion(home, 'phq9_1')
      // The ward phone answers items 1–5 while the home laptop answers 6–9 …
      await Promise.all([
        (async () => {
          for (let i = 0; i < 5; i++) await run.answer(ward, 'ward', i % 4)
        })(),
        (async () => {
          for (let i = 0; i < 5; i++) await next(home)
          for (let i = 0; i < 4; i++) await run.answer(home, 'home', 3 - i)
        })(),
      ])
      // … then both answer item 6: the later one is kept.
      await atQuestion(ward, 'phq9_6')
      await run.answer(ward, 'ward', 0)
      await home.getByRole('button', { name: 'Previous' }).click()
      await home.getByRole('button', { name: 'Previous' }).click()
      await home.getByRole('button', { name: 'Previous' }).click()
      await home.getByRole('button', { name: 'Previous' }).click()
      await atQuestion(home, 'phq9_6')
      await run.answer(home, 'home', 2)
      await Promise.all([saved(ward), saved(home)])
      // The ward phone submits: the server completes with every answer from both devices.
      while (await ward.getByRole('button', { name: 'Next' }).isVisible()) await next(ward)
      await completeLeavingUnanswered(ward)
      await saved(ward)
      const response = await db.selectFrom('response').select(['status', 'answers']).where('participant_id', '=', run.participantId).where('instrument_id', '=', 'phq-9').executeTakeFirst()
      expect(response?.status).toBe('complete')
      expect(Object.keys(JSON.parse(response!.answers)).length).toBe(9)
      if (index === 0) await screenshot(ward, 'chaos-two-devices-complete')
    })
  })

  it('storage refused', async () => {
    await scenario('storage refused', async (run, index) => {
      const page = await run.device('phone', { refuseStorage: true })
      await page.goto(run.url)
      for (let i = 0; i < 5; i++) await run.answer(page, 'phone', i % 4)
      await saved(page)
      // The status is true: saved, and not kept on this device.
      await page.locator('[data-testid="save-status"][data-kept="no"]').waitFor()
      if (index === 0) await screenshot(page, 'chaos-storage-refused')
      while (await page.getByRole('button', { name: 'Next' }).isVisible()) await next(page)
      await completeLeavingUnanswered(page)
      await page.getByText('You have completed every questionnaire that is open now.').waitFor()
    })
  })

  it('requests that hang', async () => {
    await scenario(
      'requests that hang',
      async (run) => {
        const page = await run.device('phone')
        let stalled = 0
        // The connection stays up, but the first save of an answer gets no answer at all.
        await page.route('**/api/p/*/forms/**', (route) => {
          if (route.request().method() !== 'GET' && stalled++ === 0) return
          return route.continue()
        })
        await page.goto(run.url)
        for (let i = 0; i < 5; i++) await run.answer(page, 'phone', (i + 2) % 4)
        await saved(page, 40_000)
      },
      5,
    )
  })

  it('reload with no connection (the page comes from the service worker)', async () => {
    await scenario('offline reload', async (run, index) => {
      const page = await run.device('phone')
      await page.goto(run.url)
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
      await run.answer(page, 'phone', 1)
      await run.answer(page, 'phone', 2)
      await saved(page)
      await page.context().setOffline(true)
      await page.reload()
      await page.getByTestId('from-device').waitFor()
      await atQuestion(page, 'phq9_3')
      for (let i = 0; i < 3; i++) await run.answer(page, 'phone', 3)
      await page.locator('[data-testid="save-status"][data-status="kept"]').waitFor()
      if (index === 0) await screenshot(page, 'chaos-offline-reload')
      await page.context().setOffline(false)
      await page.evaluate(() => window.dispatchEvent(new Event('online')))
      await saved(page)
    })
  })

  it('the connection flapping on slow 3G', async () => {
    await scenario('flapping slow 3G (400 ms, 400 kbit/s)', async (run) => {
      const page = await run.device('phone')
      await page.goto(run.url)
      await atQuestion(page, 'phq9_1')
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Network.enable')
      const conditions = (offline: boolean) =>
        cdp.send('Network.emulateNetworkConditions', { offline, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 })
      await conditions(false)
      let flapping = true
      const flap = (async () => {
        for (let offline = true; flapping; offline = !offline) {
          await conditions(offline)
          await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700))
        }
        await conditions(false)
      })()
      for (let i = 0; i < 9; i++) await run.answer(page, 'phone', (i * 3) % 4)
      flapping = false
      await flap
      await page.evaluate(() => window.dispatchEvent(new Event('online')))
      await saved(page, 40_000)
    })
  })

  it('the server restarted mid-questionnaire', async () => {
    // Five links at a time share one crash and one restart: each answers 3 items, the server is
    // killed, each answers 3 more (kept on the device), the server starts again over the same file.
    const together = 5
    const barriers = new Map<string, Barrier>()
    const barrier = (index: number, step: string, action: () => Promise<void>) => {
      const batch = Math.floor(index / together)
      const key = `${batch}/${step}`
      if (!barriers.has(key)) barriers.set(key, new Barrier(Math.min(together, runs - batch * together), action))
      return barriers.get(key)!.arrive()
    }
    await scenario(
      'server restarted',
      async (run, index) => {
        const page = await run.device('phone')
        await page.goto(run.url)
        for (let i = 0; i < 3; i++) await run.answer(page, 'phone', i)
        await barrier(index, 'kill', () => server.kill())
        for (let i = 0; i < 3; i++) await run.answer(page, 'phone', 3 - i)
        await page.locator('[data-testid="save-status"][data-status="kept"]').waitFor({ timeout: 20_000 })
        await barrier(index, 'restart', () => server.restart())
        await saved(page, 40_000)
      },
      together,
    )
  }, 300_000)
})
