/**
 * The staff app in a real browser: first-run set-up and signing in and out; a researcher setting up
 * a study, a cohort, participants and waves; two participants answering through their links and
 * the researcher reading the report with its figures; and a program lead who sees only suppressed
 * aggregates. Every step leaves a screenshot in test-results/screenshots/.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { listWaves } from '../../server/db/repositories/studies'
import { grantRole } from '../../server/db/repositories/staff'
import { createStaffUser } from '../../server/domain/staff/auth'
import { addParticipants, createCohort, createStudy, recordAttendance, setWave } from '../../server/domain/staff/setup'
import { phonePage, screenshot, screenshotDir } from './helpers/browser'
import { signIn as signInAs, staffPassword } from './helpers/staff'
import { answerAndComplete, consent, demographics } from './helpers/participant-flow'
import { startTestServer, type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const password = staffPassword
const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10)
let unique = 0
const emailFor = (who: string) => `${who}.${++unique}@example.org`

/**
 * A laptop-sized page that records the origin of every request it makes, and every script error or
 * Content-Security-Policy violation (a refused response is the browser's business, not an error here).
 */
async function laptopPage(baseUrl = server.baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  const requests: string[] = []
  const errors: string[] = []
  page.on('request', (request) => requests.push(request.url()))
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text())
  })
  const offSite = () => requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== new URL(baseUrl).origin)
  return { context, page, offSite, errors }
}

const signIn = (page: Page, email: string, baseUrl = server.baseUrl) => signInAs(page, baseUrl, email)

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
}

async function staffUser(name: string, isAdmin = false) {
  const email = emailFor(name.toLowerCase().replace(/\W+/g, '-'))
  const user = await createStaffUser(server.deps, { email, name, password, isAdmin }, 'test')
  return { ...user, email }
}

/** A cohort with its pre and post waves both open today (PHQ-9, GAD-7), run by `researcherId`. */
async function openCohort(researcherId: string, participants: number) {
  const study = await createStudy(server.deps, { name: 'Online Balint groups 2026' }, 'test')
  await grantRole(server.db, { studyId: study.id, userId: researcherId, role: 'researcher' }, new Date())
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group A', leader: 'Dr. Leader', firstSession: day(-20) }, 'test')
  for (const kind of ['pre', 'post'] as const) await setWave(server.deps, { cohortId: cohort.id, kind, opens: day(-1), closes: day(14), instruments: ['phq-9', 'gad-7'], confirmOverlap: true }, 'test')
  const added = await addParticipants(server.deps, { cohortId: cohort.id, count: participants }, 'test')
  return { study, cohort, participants: added.map((p) => ({ ...p, url: `${server.baseUrl}/p/${p.token}` })) }
}

const pageText = (page: Page) => page.locator('main').innerText()

/** A screenshot of one part of a long page, to look at closely. */
async function screenshotOf(locator: Locator, name: string) {
  mkdirSync(screenshotDir, { recursive: true })
  await locator.screenshot({ path: join(screenshotDir, `${name}.png`) })
}

describe('first run', () => {
  it('creates the first administrator through the set-up link, then signs out and in again', async () => {
    // A server of its own: set-up is only possible while no staff account exists.
    const fresh = await startTestServer()
    try {
      expect(fresh.setupToken).toBeTruthy()
      const { page, context, offSite, errors } = await laptopPage(fresh.baseUrl)

      await page.goto(`${fresh.baseUrl}/setup/not-the-token`)
      await page.getByLabel('Name').fill('Ada Admin')
      await page.getByLabel('Email').fill('ada@example.org')
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Create administrator' }).click()
      await page.getByText('This set-up link is no longer valid.').waitFor()
      await screenshot(page, 'staff-01-setup-link-invalid')

      await page.goto(`${fresh.baseUrl}/setup/${fresh.setupToken}`)
      await page.getByRole('heading', { level: 1, name: 'Set up Balint Outcomes' }).waitFor()
      await page.getByLabel('Name').fill('Ada Admin')
      await page.getByLabel('Email').fill('ada@example.org')
      await page.getByLabel('Password').fill('too short')
      await screenshot(page, 'staff-02-setup')
      // The browser's own check (minlength) stops a short password before it is sent.
      await page.getByRole('button', { name: 'Create administrator' }).click()
      expect(await page.getByLabel('Password').evaluate((input: HTMLInputElement) => input.validity.tooShort)).toBe(true)
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Create administrator' }).click()
      await page.getByRole('heading', { level: 1, name: 'Your studies' }).waitFor()
      expect(new URL(page.url()).pathname).toBe('/')
      await page.getByRole('heading', { name: 'Staff accounts' }).waitFor()
      expect(await page.locator('.app-header').innerText()).toContain('Ada Admin')
      await screenshot(page, 'staff-03-home-admin-first-run')

      await signOut(page)
      // A page behind sign-in sends you to sign in, and back afterwards.
      await page.goto(`${fresh.baseUrl}/studies/some-study`)
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
      expect(page.url()).toContain('/sign-in?next=%2Fstudies%2Fsome-study')

      await page.getByLabel('Email').fill('ada@example.org')
      await page.getByLabel('Password').fill('not the password')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByText('The email or password is not right.').waitFor()
      await screenshot(page, 'staff-04-sign-in-wrong-password')

      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByText('No such study.').waitFor()
      expect(new URL(page.url()).pathname).toBe('/studies/some-study')

      // A session that ends while a page is open (here: its cookie is gone): the next request goes to sign-in.
      await context.clearCookies()
      await page.getByRole('link', { name: 'Balint Outcomes' }).click()
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
      await page.getByLabel('Email').fill('ada@example.org')
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { level: 1, name: 'Your studies' }).waitFor()

      // The set-up link has done its work.
      await page.goto(`${fresh.baseUrl}/setup/${fresh.setupToken}`)
      await page.getByLabel('Name').fill('Eve')
      await page.getByLabel('Email').fill('eve@example.org')
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Create administrator' }).click()
      await page.getByText(/already been created|no longer valid/).waitFor()

      await page.goto(`${fresh.baseUrl}/`)
      await signOut(page)
      await screenshot(page, 'staff-05-signed-out')
      expect(offSite()).toEqual([])
      expect(errors).toEqual([])
      await context.close()
    } finally {
      await fresh.stop()
    }
  })
})

describe('setting up a study', () => {
  it('creates a study and a cohort, adds participants and sets the pre and post waves', async () => {
    const admin = await staffUser('Rita Researcher', true)
    const { page, context, offSite, errors } = await laptopPage()
    await signIn(page, admin.email)

    await page.getByLabel('Study name').fill('Balint groups for front-line staff')
    await page.getByRole('button', { name: 'Create study' }).click()
    await page.getByRole('heading', { level: 1, name: 'Balint groups for front-line staff' }).waitFor()
    await page.getByText('This study has no cohorts yet.').waitFor()

    await page.getByLabel('Cohort name').fill('Group A')
    await page.getByLabel('Group leader').fill('Dr. Leader')
    await page.getByLabel('Co-leaders').fill('Dr. One\nDr. Two')
    await page.getByLabel('First session').fill(day(2))
    await page.getByLabel('Number of sessions').fill('8')
    await screenshot(page, 'staff-10-study-new-cohort')
    await page.getByRole('button', { name: 'Create cohort' }).click()
    await page.getByRole('heading', { level: 1, name: 'Group A' }).waitFor()
    const cohortId = new URL(page.url()).pathname.split('/')[2]!

    // Participants: the links are shown once, each with a QR code drawn on the page.
    await page.getByText('No participants yet.').waitFor()
    await page.getByLabel('Number to add').fill('2')
    await page.getByRole('button', { name: 'Add participants' }).click()
    const links = page.getByTestId('new-links')
    await links.getByText('These links are shown only now.').waitFor()
    const shown = await links.locator('.link-text').allInnerTexts()
    expect(shown).toHaveLength(2)
    for (const link of shown) expect(link).toMatch(new RegExp(`^${server.baseUrl}/p/[A-Za-z0-9_-]{43}$`))
    const qr = await links.locator('img.qr').evaluateAll((images) => images.map((i) => (i as HTMLImageElement).src.slice(0, 22)))
    expect(qr).toEqual(['data:image/png;base64,', 'data:image/png;base64,'])
    await page.getByTestId('tracking').getByRole('link', { name: 'P2' }).waitFor()
    await screenshot(page, 'staff-11-participants-added')
    // "Print" beside the links prints them alone, for handing out.
    await page.evaluate(() => document.body.classList.add('print-links'))
    await page.emulateMedia({ media: 'print' })
    expect(await page.getByTestId('tracking').isVisible()).toBe(false)
    expect(await links.locator('.link-card').first().isVisible()).toBe(true)
    await screenshot(page, 'staff-11b-links-print')
    await page.emulateMedia({ media: 'screen' })
    await page.evaluate(() => document.body.classList.remove('print-links'))
    await links.getByRole('button', { name: 'Hide links' }).click()
    expect(await page.getByTestId('new-links').count()).toBe(0)

    // Waves.
    await page.getByRole('link', { name: 'Waves' }).click()
    for (const name of ['Pre', 'Post']) {
      const wave = page.getByRole('region', { name, exact: true })
      await wave.getByLabel('Opens on').fill(day(-1))
      await wave.getByLabel('Last day').fill(day(14))
      for (const id of ['phq-9', 'gad-7']) {
        await wave.getByLabel('Add a questionnaire').selectOption(id)
        await wave.getByRole('button', { name: 'Add', exact: true }).click()
      }
      await wave.getByRole('button', { name: `Save ${name} wave` }).click()
      // Both waves open on the same days here, so the post wave overlaps the pre wave: the page asks first.
      if (name === 'Post') await page.getByRole('dialog').getByRole('button', { name: 'Save, overlapping' }).click()
      await wave.getByRole('status').getByText('Saved').waitFor()
    }
    // A closing day before the opening day is refused, and the reason is shown by the field.
    const followUp = page.getByRole('region', { name: 'Follow-up' })
    await followUp.getByLabel('Opens on').fill(day(60))
    await followUp.getByLabel('Last day').fill(day(50))
    await followUp.getByRole('button', { name: 'Use the same questionnaires as Pre' }).click()
    await followUp.getByRole('button', { name: 'Save Follow-up wave' }).click()
    await followUp.locator('.field-error', { hasText: 'must be after the opening date' }).waitFor()
    await screenshot(page, 'staff-12-waves')
    const waves = await listWaves(server.db, cohortId)
    expect(waves.map((w) => [w.kind, w.instruments])).toEqual([
      ['pre', ['phq-9', 'gad-7']],
      ['post', ['phq-9', 'gad-7']],
    ])

    // Attendance: a column per session, saved one session at a time.
    await page.getByRole('link', { name: 'Sessions' }).click()
    await page.getByLabel('P1 present at session 1').check()
    await page.getByLabel('P2 present at session 1').check()
    await page.getByRole('button', { name: 'Save attendance of session 1' }).click()
    await page.getByTestId('attendance').getByText('Saved').waitFor()
    await page.getByLabel('P1 present at session 2').check()
    await page.getByTestId('attendance').getByText('Not saved').waitFor()
    await page.getByRole('button', { name: 'Save attendance of session 2' }).click()
    await expect.poll(() => page.getByTestId('attendance').getByText('Not saved').count()).toBe(0)
    await screenshot(page, 'staff-13-attendance')
    const marks = await server.db.selectFrom('attendance').select(['participant_id', 'present']).where('present', '=', 1).execute()
    expect(marks).toHaveLength(3)

    // The cohort is listed on its study's page.
    await page.getByRole('navigation', { name: 'You are here' }).getByRole('link', { name: 'Balint groups for front-line staff' }).click()
    await page.getByRole('link', { name: 'Group A' }).waitFor()
    await screenshot(page, 'staff-14-study')
    expect(offSite()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})

describe('the cohort report', () => {
  it('two participants answer pre and post through their links; the researcher reads the statistics and figures', async () => {
    const researcher = await staffUser('Rosa Researcher')
    const { cohort, participants } = await openCohort(researcher.id, 2)
    const sessions = (await server.db.selectFrom('group_session').select(['id', 'seq']).where('cohort_id', '=', cohort.id).orderBy('seq').execute()).map((s) => s.id)
    for (const [i, id] of sessions.entries()) {
      await recordAttendance(
        server.deps,
        id,
        participants.map((p, n) => ({ participantId: p.id, present: n === 0 ? i < 7 : i < 4 })),
        'test',
      )
    }

    // PHQ-9 then GAD-7, pre and post: P1 improves a lot (and answers item 9 above 0), P2 a little.
    const answers = [
      { pre: { phq9: [2, 2, 2, 2, 2, 2, 1, 1, 1], gad7: [2, 2, 2, 2, 1, 1, 1] }, post: { phq9: [1, 1, 0, 1, 0, 1, 0, 0, 0], gad7: [1, 1, 0, 1, 0, 0, 0] } },
      { pre: { phq9: [1, 2, 1, 1, 2, 1, 1, 1, 0], gad7: [1, 1, 2, 1, 1, 1, 0] }, post: { phq9: [1, 1, 1, 1, 1, 1, 1, 1, 0], gad7: [1, 1, 1, 1, 1, 1, 0] } },
    ]
    for (const [i, p] of participants.entries()) {
      const { page, context } = await phonePage(browser)
      await page.goto(p.url)
      await consent(page)
      await demographics(page)
      const plan = answers[i]!
      for (const wave of ['pre', 'post'] as const) {
        await page.locator('.step', { hasText: 'Questionnaire 1 of 2' }).waitFor()
        await answerAndComplete(page, plan[wave].phq9)
        await page.locator('.step', { hasText: 'Questionnaire 2 of 2' }).waitFor()
        await answerAndComplete(page, plan[wave].gad7)
      }
      await page.getByText(/You have completed every questionnaire|Thank you/).first().waitFor()
      await page.getByText('All answers saved').waitFor()
      await context.close()
    }

    const { page, context, offSite, errors } = await laptopPage()
    await signIn(page, researcher.email)
    await page.getByRole('link', { name: 'Online Balint groups 2026' }).click()
    await page.getByRole('link', { name: 'Group A' }).click()
    await page.getByTestId('tracking').waitFor()
    const tracking = await page.getByTestId('tracking').innerText()
    expect(tracking.match(/Completed/g)?.length).toBe(4)
    await screenshot(page, 'staff-20-tracking-completed')

    await page.getByRole('link', { name: 'Report', exact: true }).click()
    const stats = page.getByTestId('stats-table')
    await stats.waitFor()
    // Two scales (PHQ-9 total, GAD-7 total), each with n = 2 complete pairs.
    const nCells = stats.locator('tr[data-stat="n"] td')
    expect(await nCells.evaluateAll((cells) => cells.map((cell) => cell.firstChild?.textContent))).toEqual(['2', '2'])
    // Two pairs: each n carries the small-sample warning as a footnote.
    expect(await nCells.locator('sup').count()).toBe(2)
    expect(await stats.locator('thead th').allInnerTexts()).toEqual([expect.stringContaining('Statistic'), expect.stringContaining('PHQ-9'), expect.stringContaining('GAD-7')])
    // PHQ-9: P1 15 → 4, P2 10 → 8, mean change −6.50.
    expect(await stats.locator('tr[data-stat="change"] td').first().innerText()).toMatch(/^-6\.50 \[/)
    // The four figures of each scale are drawn, each with its table.
    const figures = page.getByTestId('figures').locator('figure.plot')
    await expect.poll(() => figures.locator('svg').count()).toBeGreaterThanOrEqual(8)
    expect(await figures.count()).toBe(8)
    expect(await figures.locator('details table').count()).toBe(8)
    for (const figure of await figures.all()) expect(await figure.locator('svg[aria-label]').count()).toBeGreaterThan(0)
    const jt = figures.filter({ hasText: 'PHQ-9 total: reliable and clinically significant change' })
    await jt.locator('summary').click()
    expect(await jt.locator('tbody tr').count()).toBe(2)
    // Nothing reads "null" or "NaN"; what could not be computed is a dash with its reason.
    const text = await pageText(page)
    expect(text).not.toMatch(/\bnull\b|\bNaN\b|undefined/)
    expect(await page.getByTestId('participant-table').locator('tbody').count()).toBe(2)
    await screenshot(page, 'staff-21-report-researcher')
    await screenshotOf(page.getByRole('region', { name: 'Report: Pre to Post' }), 'staff-21a-report-participation')
    await screenshotOf(page.getByRole('region', { name: 'Statistics by scale' }), 'staff-21b-report-statistics')
    await screenshotOf(page.getByRole('region', { name: 'PHQ-9 total', exact: true }), 'staff-21c-report-figures-phq9')
    await screenshotOf(page.getByRole('region', { name: 'Participants', exact: true }), 'staff-21d-report-participants')
    await page.emulateMedia({ media: 'print' })
    expect(await page.getByRole('navigation', { name: 'Cohort sections' }).isVisible()).toBe(false)
    await screenshot(page, 'staff-21e-report-print')
    await page.emulateMedia({ media: 'screen' })

    // One participant's page: scores by wave, change, and the safety flag (PHQ-9 item 9 answered 1).
    await page.getByTestId('participant-table').getByRole('link', { name: 'P1' }).click()
    await page.getByRole('heading', { level: 1, name: 'Participant P1' }).waitFor()
    const flags = page.getByTestId('safety-flags')
    await flags.getByText('item phq9_9 answered 1').waitFor()
    expect(await page.getByTestId('participant-scores').locator('tbody tr').count()).toBe(2)
    await screenshot(page, 'staff-22-participant-report')
    await page.emulateMedia({ media: 'print' })
    expect(await page.locator('.app-header').isVisible()).toBe(false)
    await screenshot(page, 'staff-23-participant-report-print')
    await page.emulateMedia({ media: 'screen' })

    // A lost link: a new one replaces it, then it is revoked; the old links stop working.
    await page.getByRole('navigation', { name: 'You are here' }).getByRole('link', { name: 'Group A' }).click()
    await page.getByTestId('tracking').waitFor()
    await page.getByRole('button', { name: 'New link P2' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'New link' }).click()
    const newLink = await page.getByTestId('new-links').locator('.link-text').innerText()
    expect(newLink).toMatch(/\/p\/[A-Za-z0-9_-]{43}$/)
    await page.getByTestId('new-links').getByText('The previous link of P2 no longer works.').waitFor()
    await screenshot(page, 'staff-24-new-link')
    // Replaced, not revoked: 410 link_replaced, so a page left open under it keeps what it holds for the new link.
    expect((await fetch(`${server.baseUrl}/api/p/${participants[1]!.token}`)).status).toBe(410)
    expect((await fetch(newLink.replace('/p/', '/api/p/'))).status).toBe(200)
    await page.getByRole('button', { name: 'Revoke link P2' }).click()
    await screenshot(page, 'staff-25-revoke-confirm')
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke link' }).click()
    await page.getByText('The link of P2 was revoked.').waitFor()
    expect((await fetch(newLink.replace('/p/', '/api/p/'))).status).toBe(404)
    expect(offSite()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})

/**
 * Consent and complete the PHQ-9 and GAD-7 through the participant API (no browser): totals for the
 * pre wave, and for the post wave when given.
 */
async function answerByHttp(token: string, phq9: [number, number?], gad7: [number, number?]) {
  const base = `${server.baseUrl}/api/p/${token}`
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200)
  }
  const state = (await (await fetch(base)).json()) as { consent: { instrument: { version: string } } }
  await post('/consent', { version: state.consent.instrument.version, answers: { consent: 'agree' } })
  // Items spread so that the totals come out as asked: each item 0–3.
  const items = (prefix: string, count: number, total: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}_${i + 1}`, Math.min(3, Math.max(0, total - 3 * i))]))
  for (const [w, wave] of (['pre', 'post'] as const).entries()) {
    if (phq9[w] === undefined || gad7[w] === undefined) continue
    await post(`/forms/${wave}/phq-9/complete`, { answers: { ...items('phq9', 9, phq9[w]!), phq9_difficulty: 0 }, clientId: `phq-${wave}-${token.slice(0, 12)}` })
    await post(`/forms/${wave}/gad-7/complete`, { answers: { ...items('gad7', 7, gad7[w]!), gad7_difficulty: 0 }, clientId: `gad-${wave}-${token.slice(0, 12)}` })
  }
}

describe('what cannot be computed', () => {
  it('is a dash with its reason beside it and in a footnote, never "null" or "NaN"', async () => {
    const researcher = await staffUser('Rui Researcher')
    const { cohort, participants } = await openCohort(researcher.id, 2)
    await answerByHttp(participants[0]!.token, [14, 6], [12, 5])
    await answerByHttp(participants[1]!.token, [9], [7])

    const { page, context, errors } = await laptopPage()
    await signIn(page, researcher.email)
    await page.goto(`${server.baseUrl}/cohorts/${cohort.id}/report`)
    const stats = page.getByTestId('stats-table')
    await stats.waitFor()
    expect(await stats.locator('tr[data-stat="n"] td').allInnerTexts()).toEqual(['1', '1'])
    // One pair: no t-test. The dash carries the server's reason, numbered as a footnote.
    const t = stats.locator('tr[data-stat="t"] td').first().locator('.missing')
    const reason = await t.getAttribute('title')
    expect(reason).toBeTruthy()
    const note = await t.locator('sup a').innerText()
    expect(await page.locator(`#stats-note-${note}`).innerText()).toBe(reason)
    const text = await pageText(page)
    expect(text).not.toMatch(/\bnull\b|\bNaN\b|undefined/)
    // P2 has no post score: their change is a dash too.
    await page.getByTestId('participant-table').locator('tbody', { hasText: 'P2' }).locator('.missing').first().waitFor()
    await screenshotOf(page.getByRole('region', { name: 'Statistics by scale' }), 'staff-40-report-one-pair-statistics')
    await screenshotOf(page.getByRole('region', { name: 'Participants', exact: true }), 'staff-41-report-one-pair-participants')
    expect(errors).toEqual([])
    await context.close()
  })
})

describe('a program lead', () => {
  it('gets an account and a role through the admin pages, and sees only what a researcher released', async () => {
    const admin = await staffUser('Adam Admin', true)
    const { study, cohort, participants } = await openCohort(admin.id, 13)
    const scores: [number, number][] = [[14, 6], [9, 8], [18, 11], [12, 12], [21, 13], [7, 5], [16, 9], [11, 10], [19, 14], [8, 8], [15, 7], [13, 11]]
    for (const [i, [pre, post]] of scores.entries()) await answerByHttp(participants[i]!.token, [pre, post], [pre - 2, post - 1])

    const { page, context, offSite, errors } = await laptopPage()
    await signIn(page, admin.email)
    const leadEmail = emailFor('lena-lead')
    const accounts = page.getByRole('region', { name: 'Staff accounts' })
    await accounts.getByLabel('Name').fill('Lena Lead')
    await accounts.getByLabel('Email').fill(leadEmail)
    await accounts.getByLabel('First password').fill(password)
    await accounts.getByRole('button', { name: 'Create account' }).click()
    await accounts.getByText(`Account created for ${leadEmail}`).waitFor()
    await page.getByTestId('staff-accounts').getByText(leadEmail).waitFor()
    await screenshot(page, 'staff-30-staff-accounts')

    await page.getByRole('link', { name: 'Online Balint groups 2026' }).first().click()
    await page.getByRole('heading', { level: 1, name: study.name }).waitFor()
    await page.getByLabel('Email of their account').fill(leadEmail)
    await page.getByLabel('Role', { exact: true }).selectOption('program_lead')
    await page.getByRole('button', { name: 'Give role' }).click()
    await page.getByTestId('study-staff').getByText(leadEmail).waitFor()
    await screenshot(page, 'staff-31-study-staff')
    // The study's disclosure-control thresholds: a researcher may make one stricter (each input stops at its floor).
    const policy = page.getByRole('region', { name: 'Disclosure control for program leads' })
    expect(await policy.getByLabel('Fewest participants behind any statistic').getAttribute('min')).toBe('10')
    await policy.getByLabel('Fewest participants behind a median, quartiles or Wilcoxon test').fill('25')
    await policy.getByRole('button', { name: 'Save thresholds' }).click()
    await policy.getByText('Saved').waitFor()
    await screenshotOf(policy, 'staff-31a-disclosure-policy')

    // The researcher (the administrator created the study) releases the report to program leads.
    await page.goto(`${server.baseUrl}/cohorts/${cohort.id}/releases`)
    await page.getByTestId('no-releases').waitFor()
    await page.getByTestId('release-allowed').waitFor()
    expect(await page.getByTestId('release-policy').innerText()).toContain('no median, quartiles or Wilcoxon test from fewer than 25')
    await page.getByRole('button', { name: 'Release now' }).click()
    await page.getByTestId('release-view').waitFor()
    await screenshot(page, 'staff-32a-release-researcher')
    // One more participant completes: a new release would differ by one person, so it is refused, saying why.
    await answerByHttp(participants[12]!.token, [10, 9], [8, 7])
    await page.reload()
    const refused = page.getByTestId('release-refused')
    await refused.waitFor()
    expect(await refused.innerText()).toMatch(/wait until at least 9 more/)
    // In Persian, what to wait for is said in Persian, with Persian digits.
    await page.getByTestId('staff-language').selectOption('fa')
    await page.locator('html[lang="fa"]').waitFor()
    expect(await refused.innerText()).toContain('صبر کنید تا دست‌کم ۹ نفر دیگر')
    expect(await refused.innerText()).not.toMatch(/wait until/)
    await screenshotOf(refused, 'staff-32c-release-refused-fa')
    await page.getByTestId('staff-language').selectOption('en')
    await page.locator('html[lang="en"]').waitFor()
    expect(await page.getByRole('button', { name: 'Release now' }).isDisabled()).toBe(true)
    await screenshotOf(page.getByRole('region', { name: 'Release to program leads' }), 'staff-32b-release-refused')
    await signOut(page)

    await signIn(page, leadEmail)
    await page.getByText('Program lead').first().waitFor()
    await page.goto(`${server.baseUrl}/cohorts/${cohort.id}`)
    const tabs = page.getByRole('navigation', { name: 'Cohort sections' })
    await tabs.waitFor()
    // Program leads read released reports only: no live report, no Table 1 of current data.
    expect(await tabs.getByRole('link').allInnerTexts()).toEqual(['Released reports'])
    const notice = page.getByTestId('release-notice')
    await notice.waitFor()
    expect(await notice.innerText()).toContain('by Adam Admin')
    const stats = page.getByTestId('release-stats').first()
    // 12 pairs: n shown rounded to 10, means and SDs in whole points, no quartiles anywhere.
    expect(await stats.locator('tr[data-scale="phq-9/total"] td').first().innerText()).toBe('10')
    expect(await stats.locator('tr[data-scale="phq-9/total"] td').nth(1).innerText()).toMatch(/^\d+ \(\d+\)$/)
    // The download is the same release: no participant code in it either.
    const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')
    const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), csvHref)
    expect(csv).toContain('section,comparison,instrument,scale,figure,value')
    expect(csv).not.toMatch(/\bP\d+\b/)
    // The live report is refused on the server, whatever the page shows.
    const live = await page.evaluate(async (id) => (await fetch(`/api/cohorts/${id}/report?from=pre&to=post`)).status, cohort.id)
    expect(live).toBe(403)
    // Plots are drawn from the released figures only: each plot's table holds the released means, and
    // there is no other figure (no per-person plot) on the page.
    const plots = page.getByTestId('released-plots')
    await plots.locator('svg').first().waitFor()
    expect(await page.locator('svg').count()).toBe(await plots.locator('svg').count())
    const phqCells = await stats.locator('tr[data-scale="phq-9/total"] td').allInnerTexts()
    expect(await page.getByTestId('released-plot-table').first().locator('td').allInnerTexts()).toEqual([phqCells[1]!.split(' ')[0], phqCells[2]!.split(' ')[0]])
    // No participant-level table, and no participant code anywhere.
    expect(await page.getByTestId('participant-table').count()).toBe(0)
    const text = await pageText(page)
    expect(text).not.toMatch(/\bP\d+\b/)
    expect(text).not.toMatch(/\bnull\b|\bNaN\b|undefined/)
    await screenshot(page, 'staff-32-report-program-lead')

    // The researcher's pages are closed to a program lead.
    await page.goto(`${server.baseUrl}/participants/${participants[0]!.id}`)
    await page.getByText(/No such participant|needs one of these roles/).waitFor()
    expect(offSite()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})
