/**
 * The qualitative pages a MAXQDA user looks for, in a real browser, in English and in Persian (right
 * to left): code colours chosen in the codebook and drawn as margin stripes beside coded passages
 * (several codes on one passage, several stripes); a coder's "done" mark and the list's column of
 * marks; retrieval of coded segments with CSV export, and full-text search whose hits open the
 * transcript at the passage. Screenshots in test-results/screenshots/qualitative-pages-*.png.
 */
import type { Browser, Page } from 'playwright-core'
import { parse as parseCsv } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../server/db/repositories/participants'
import { grantRole } from '../../server/db/repositories/staff'
import { findTranscriptPlace } from '../../server/db/repositories/interviews'
import { createCode } from '../../server/domain/qualitative/codebook'
import { addCodings } from '../../server/domain/qualitative/coding'
import { assignInterviewer, putTranscript, startInterview } from '../../server/domain/qualitative/interviews'
import { addParticipants, createCohort, createStudy } from '../../server/domain/staff/setup'
import { createStaffUser } from '../../server/domain/staff/auth'
import { spanOf } from '../helpers/qualitative'
import { screenshot } from './helpers/browser'
import { signIn, staffPassword } from './helpers/staff'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

let unique = 0

/** A study with a codebook of two themes, two coded transcripts and a researcher who coded them. */
async function studyWith(texts: string[], names: { theme: string; category: string; codes: [string, string, string] }, language: 'en' | 'fa' = 'en') {
  const email = `pages.${++unique}@example.org`
  const researcher = { ...(await createStaffUser(server.deps, { email, name: language === 'fa' ? 'رعنا پژوهشگر' : 'Rana Researcher', password: staffPassword }, 'test')), email }
  const study = await createStudy(server.deps, { name: language === 'fa' ? 'مصاحبه‌های بالینت' : 'Balint interviews', language }, 'test')
  await grantRole(server.db, { studyId: study.id, userId: researcher.id, role: 'researcher' }, new Date())
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'A' }, 'test')
  const participants = await addParticipants(server.deps, { cohortId: cohort.id, count: texts.length }, 'test')
  const actor = `staff:${researcher.id}`
  const theme = await createCode(server.deps, study.id, { level: 'theme', name: names.theme }, actor)
  const category = await createCode(server.deps, study.id, { level: 'category', name: names.category, parentId: theme.id }, actor)
  const codes = []
  for (const name of names.codes) codes.push(await createCode(server.deps, study.id, { level: 'code', name, parentId: category.id }, actor))
  const places = []
  for (const [i, text] of texts.entries()) {
    const participant = (await findParticipant(server.db, participants[i]!.id))!
    const interview = await startInterview(server.deps, participant, researcher, { consentToRecord: true, startedAt: new Date(Date.now() - (3 - i) * 86400000).toISOString() })
    const transcript = await putTranscript(server.deps, interview, { format: 'text', content: text }, researcher)
    places.push((await findTranscriptPlace(server.db, transcript.id))!)
  }
  return { researcher, study, theme, category, codes, places }
}

async function laptop() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'en-GB' })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  return { context, page, errors }
}

/** The margin stripes: their code, colour, lane position and the line they stand beside. */
const stripes = (page: Page) =>
  page.locator('[data-testid="stripe"]').evaluateAll((all) =>
    all.map((el) => {
      const box = el.getBoundingClientRect()
      return { code: el.getAttribute('data-code'), title: el.getAttribute('title'), colour: getComputedStyle(el).backgroundColor, x: Math.round(box.left), line: el.parentElement!.textContent }
    }),
  )

const english = [
  'Interviewer: How was the group for you?',
  'P1: At first I was afraid to speak in front of the consultants. Later the group felt safe.',
  'Interviewer: And the leaders?',
  'P1: They did not give advice. Nobody told me what I should have done.',
].join('\n')
const englishTwo = ['Interviewer: Has anything changed?', 'P2: I listen longer. I think about what the patient is afraid of.'].join('\n')

describe('code colours, margin stripes and the done mark', () => {
  it('a researcher recolours a code, sees one stripe per code beside a passage, and marks the transcript done', async () => {
    const w = await studyWith([english, englishTwo], { theme: 'Safety in the group', category: 'Speaking up', codes: ['Felt safe', 'Fear of judgement', 'No advice'] })
    const [feltSafe, afraid, noAdvice] = w.codes as [(typeof w.codes)[0], (typeof w.codes)[0], (typeof w.codes)[0]]
    const [p1, p2] = w.places as [(typeof w.places)[0], (typeof w.places)[0]]
    // Two codes on one passage, one on another, one in the second transcript.
    await addCodings(server.deps, p1, w.researcher.id, { codeIds: [feltSafe.id, afraid.id], ...spanOf(english, 'At first I was afraid to speak in front of the consultants. Later the group felt safe.') })
    await addCodings(server.deps, p1, w.researcher.id, { codeIds: [noAdvice.id], ...spanOf(english, 'They did not give advice.') })
    await addCodings(server.deps, p2, w.researcher.id, { codeIds: [afraid.id], ...spanOf(englishTwo, 'what the patient is afraid of') })

    const { page, context, errors } = await laptop()
    await signIn(page, server.baseUrl, w.researcher.email)

    // The codebook: the palette as named radio buttons; Blue chosen for "Felt safe".
    await page.goto(`${server.baseUrl}/studies/${w.study.id}/codebook?code=${feltSafe.id}`)
    await page.getByRole('heading', { level: 3, name: 'Name, description and colour' }).waitFor()
    const choice = page.locator('form[aria-labelledby="edit-heading"] [data-testid="colour-choice"]')
    // Its default: the palette's third colour (theme, category, then this code), bluish green.
    expect(await choice.getByRole('radio', { name: 'Bluish green' }).isChecked()).toBe(true)
    await choice.getByRole('radio', { name: 'Blue', exact: true }).check()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(async () => (await server.db.selectFrom('code').select('color').where('id', '=', feltSafe.id).executeTakeFirst())?.color).toBe('#0072b2')
    await screenshot(page, 'qualitative-pages-01-codebook-colour')

    // The coding view: a stripe per code and passage, in its colour, named on hover and in the legend.
    await page.goto(`${server.baseUrl}/transcripts/${p1.transcriptId}`)
    await page.locator('[data-testid="transcript-text"]').waitFor()
    await page.locator('[data-testid="stripe-legend"]').waitFor()
    expect(await page.locator('[data-testid="stripe-legend"] li').allInnerTexts()).toEqual(['Felt safe', 'Fear of judgement', 'No advice'])
    const drawn = await stripes(page)
    const beside = (phrase: string) => drawn.filter((s) => s.line?.includes(phrase))
    expect(beside('afraid to speak').map((s) => [s.code, s.colour]).sort()).toEqual([
      ['Fear of judgement', 'rgb(240, 228, 66)'],
      ['Felt safe', 'rgb(0, 114, 178)'],
    ])
    // Side by side, not on top of each other; both left of the text in English.
    const [first, second] = beside('afraid to speak')
    expect(first!.x).not.toBe(second!.x)
    const textLeft = await page.locator('[data-testid="transcript-text"] .line').first().evaluate((el) => el.querySelector('[data-at]')!.getBoundingClientRect().left)
    expect(Math.max(first!.x, second!.x)).toBeLessThan(textLeft)
    expect(beside('did not give advice').map((s) => s.title)).toEqual(['No advice'])
    // No stripe beside the interviewer's lines.
    expect(beside('How was the group')).toEqual([])

    // Done: marked, shown, listed, and taken back.
    const mark = page.locator('[data-testid="done-mark"]')
    await mark.getByText('You have not marked your coding of this transcript done.').waitFor()
    await mark.getByRole('button', { name: 'Mark my coding done' }).click()
    await mark.getByText(/You marked your coding of this transcript done on/).waitFor()
    expect(await server.db.selectFrom('coding_done').select('coder_id').where('transcript_id', '=', p1.transcriptId).execute()).toEqual([{ coder_id: w.researcher.id }])
    await screenshot(page, 'qualitative-pages-02-stripes-done')

    await page.getByRole('navigation', { name: /sections/i }).getByRole('link', { name: 'Coding', exact: true }).click()
    await page.locator('[data-testid="transcripts"]').waitFor()
    expect(await page.locator('[data-testid="done-by"]').allInnerTexts()).toEqual([expect.stringContaining('Rana Researcher (you)'), 'Nobody yet'])
    await screenshot(page, 'qualitative-pages-03-done-column')

    await page.goto(`${server.baseUrl}/transcripts/${p1.transcriptId}`)
    await mark.getByRole('button', { name: 'Not done after all' }).click()
    await mark.getByText('You have not marked your coding of this transcript done.').waitFor()
    expect(await server.db.selectFrom('coding_done').select('coder_id').where('transcript_id', '=', p1.transcriptId).execute()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})

describe('retrieval and search', () => {
  it('lists a theme’s coded segments across transcripts with context, exports them, and opens a search hit at its passage', async () => {
    const w = await studyWith([english, englishTwo], { theme: 'Safety in the group', category: 'Speaking up', codes: ['Felt safe', 'Fear of judgement', 'No advice'] })
    const [feltSafe, afraid] = w.codes as [(typeof w.codes)[0], (typeof w.codes)[0]]
    const [p1, p2] = w.places as [(typeof w.places)[0], (typeof w.places)[0]]
    await addCodings(server.deps, p1, w.researcher.id, { codeIds: [feltSafe.id], ...spanOf(english, 'Later the group felt safe.') })
    await addCodings(server.deps, p2, w.researcher.id, { codeIds: [afraid.id], ...spanOf(englishTwo, 'what the patient is afraid of') })

    const { page, context, errors } = await laptop()
    await signIn(page, server.baseUrl, w.researcher.email)
    const segmentRequests: string[] = []
    page.on('request', (request) => void (/\/api\/studies\/[^/]+\/segments(\?|$)/.test(request.url()) && segmentRequests.push(request.url())))
    // Found where a researcher looks: the study page's qualitative section, and the section's tabs.
    await page.goto(`${server.baseUrl}/studies/${w.study.id}`)
    await page.getByRole('link', { name: 'Retrieval and search' }).click()
    await page.getByRole('heading', { level: 1, name: 'Retrieval and search' }).waitFor()
    await page.getByText('Coded segments found: 2').waitFor()
    // One request gives the segments and the role filter's choices (there used to be a second, unfiltered one).
    expect(segmentRequests).toHaveLength(1)
    expect(await page.getByRole('navigation', { name: /sections/i }).getByRole('link', { name: 'Retrieval and search' }).getAttribute('aria-current')).toBe('page')

    await page.getByTestId('segment-code').selectOption({ label: 'Safety in the group' })
    await page.getByRole('button', { name: 'Show segments' }).click()
    await page.getByText('Coded segments found: 2').waitFor()
    const segments = await page.locator('[data-testid="segments"] > li').allInnerTexts()
    expect(segments[0]).toMatch(/^P1[\s\S]*Felt safe[\s\S]*consultants\. Later the group felt safe\./)
    expect(segments[1]).toMatch(/^P2[\s\S]*Fear of judgement[\s\S]*I think about what the patient is afraid of\./)
    // The theme's own segments only: none (every passage is coded with a code below it).
    await page.getByLabel('With the codes below it').uncheck()
    await page.getByRole('button', { name: 'Show segments' }).click()
    await page.getByText('No coded passage matches.').waitFor()
    await page.getByLabel('With the codes below it').check()
    await page.getByLabel('Words in the passage').fill('patient')
    await page.getByRole('button', { name: 'Show segments' }).click()
    await page.getByText('Coded segments found: 1').waitFor()
    const csvHref = (await page.getByRole('link', { name: 'Download these as CSV' }).getAttribute('href'))!
    expect(csvHref).toContain(`/api/studies/${w.study.id}/segments.csv?`)
    const csv = await (await page.request.get(`${server.baseUrl}${csvHref}`)).text()
    const rows: string[][] = parseCsv(csv)
    expect(rows.map((r) => [r[0], r[2], r[5]])).toEqual([
      ['participant', 'code', 'text'],
      ['P2', 'Fear of judgement', 'what the patient is afraid of'],
    ])
    await screenshot(page, 'qualitative-pages-04-segments')

    await page.getByLabel(/Words to find/).fill('AFRAID')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText('Places with “AFRAID”: 2').waitFor()
    await screenshot(page, 'qualitative-pages-05-search')
    await page.locator('[data-testid="search-hits"]').getByRole('link', { name: 'Open in the transcript of P2' }).click()
    await page.locator('[data-testid="transcript-text"] .focused').first().waitFor()
    expect(page.url()).toContain(`/transcripts/${p2.transcriptId}?passage=${spanOf(englishTwo, 'afraid').start}-${spanOf(englishTwo, 'afraid').end}`)
    expect(await page.locator('[data-testid="transcript-text"] .focused').allInnerTexts()).toEqual(['afraid'])
    await screenshot(page, 'qualitative-pages-06-hit-in-transcript')
    expect(errors).toEqual([])
    await context.close()
  })
})

const persian = ['مصاحبه‌گر: گروه برای شما چطور بود؟', 'P1: اول می‌ترسیدم جلوی همکاران حرف بزنم. بعد گروه امن شد.', 'مصاحبه‌گر: و رهبران؟', 'P1: نصیحت نکردند.'].join('\n')
const persianTwo = ['مصاحبه‌گر: چه چیزی تغییر کرد؟', 'P2: بیشتر گوش می‌دهم و از ترس بیمار می‌پرسم.'].join('\n')

describe('in Persian, right to left', () => {
  it('draws the stripes at the right edge, and retrieves and searches in Persian', async () => {
    const w = await studyWith([persian, persianTwo], { theme: 'امنیت در گروه', category: 'سخن گفتن', codes: ['احساس امنیت', 'ترس از قضاوت', 'بی‌نصیحتی'] }, 'fa')
    const [safe, fear] = w.codes as [(typeof w.codes)[0], (typeof w.codes)[0]]
    const [p1, p2] = w.places as [(typeof w.places)[0], (typeof w.places)[0]]
    await addCodings(server.deps, p1, w.researcher.id, { codeIds: [safe.id, fear.id], ...spanOf(persian, 'اول می‌ترسیدم جلوی همکاران حرف بزنم. بعد گروه امن شد.') })
    await addCodings(server.deps, p2, w.researcher.id, { codeIds: [fear.id], ...spanOf(persianTwo, 'از ترس بیمار می‌پرسم') })

    const { page, context, errors } = await laptop()
    await signIn(page, server.baseUrl, w.researcher.email)
    // Persian chosen as in the header's language menu: kept on the device.
    await page.evaluate(() => localStorage.setItem('balint.staff.language', 'fa'))
    await page.goto(`${server.baseUrl}/transcripts/${p1.transcriptId}`)
    await page.locator('[data-testid="stripe-legend"]').waitFor()
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl')
    const drawn = (await stripes(page)).filter((s) => s.line?.includes('همکاران'))
    expect(drawn.map((s) => s.code).sort()).toEqual(['ترس از قضاوت', 'احساس امنیت'].sort())
    // Right to left: the stripes stand to the right of the text.
    const textRight = await page.locator('[data-testid="transcript-text"] .line').nth(1).evaluate((el) => el.querySelector('[data-at]')!.getBoundingClientRect().right)
    expect(Math.min(...drawn.map((s) => s.x))).toBeGreaterThanOrEqual(Math.floor(textRight))
    await page.getByRole('button', { name: 'کدگذاری‌ام تمام شد' }).click()
    await page.getByText(/کدگذاری این متن را در .* تمام‌شده اعلام کرده‌اید/).waitFor()
    await screenshot(page, 'qualitative-pages-07-fa-stripes-done')

    await page.goto(`${server.baseUrl}/studies/${w.study.id}/coding`)
    await page.locator('[data-testid="done-by"]').first().getByText('رعنا پژوهشگر (شما)').waitFor()
    await screenshot(page, 'qualitative-pages-08-fa-done-column')

    await page.goto(`${server.baseUrl}/studies/${w.study.id}/retrieval`)
    await page.getByRole('heading', { level: 1, name: 'بازیابی و جست‌وجو' }).waitFor()
    await page.getByTestId('segment-code').selectOption(fear.id)
    await page.getByRole('button', { name: 'نمایش بخش‌ها' }).click()
    await expect.poll(() => page.locator('[data-testid="segments"] > li').count()).toBe(2)
    await page.getByLabel(/واژه‌هایی برای یافتن/).fill('بیمار')
    await page.getByRole('button', { name: 'جست‌وجو', exact: true }).click()
    await expect.poll(() => page.locator('[data-testid="search-hits"] > li').count()).toBe(1)
    await screenshot(page, 'qualitative-pages-09-fa-retrieval')
    await page.locator('[data-testid="search-hits"]').getByRole('link').first().click()
    await page.locator('[data-testid="transcript-text"] .focused').first().waitFor()
    expect(page.url()).toContain(`/transcripts/${p2.transcriptId}?passage=`)
    expect(errors).toEqual([])
    await context.close()
  })
})

describe('interview times in the study’s time zone', () => {
  it('shows and takes start and end in Tehran time in a browser set to New York, with the duration', async () => {
    const email = `interviewer.${++unique}@example.org`
    const interviewer = await createStaffUser(server.deps, { email, name: 'Ivo Interviewer', password: staffPassword }, 'test')
    const study = await createStudy(server.deps, { name: 'Tehran interviews', timeZone: 'Asia/Tehran' }, 'test')
    await grantRole(server.db, { studyId: study.id, userId: interviewer.id, role: 'interviewer' }, new Date())
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'A' }, 'test')
    const [row] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')
    await assignInterviewer(server.deps, study.id, { interviewerId: interviewer.id, participantId: row!.id }, 'test')
    const participant = (await findParticipant(server.db, row!.id))!
    // 10:00 in Tehran is 06:30 UTC and 01:30 in New York.
    const interview = await startInterview(server.deps, participant, interviewer, { consentToRecord: true, startedAt: '2026-03-02T06:30:00.000Z' })

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'America/New_York' })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/New_York')
    await signIn(page, server.baseUrl, email)
    await page.goto(`${server.baseUrl}/interviews/${participant.id}`)
    const times = page.locator('[data-testid="interview-times"]')
    await times.waitFor()
    await times.getByText(/as date and time in Asia\/Tehran/).waitFor()
    expect(await times.getByLabel('Started').inputValue()).toBe('2026-03-02T10:00')
    expect(await page.locator('[data-testid="interview-started"]').innerText()).toBe('Mar 2, 2026, 10:00 AM (Asia/Tehran)')

    await times.getByLabel('Ended').fill('2026-03-02T11:05')
    await times.getByRole('button', { name: 'Save start and end' }).click()
    await page.locator('[data-testid="interview-duration"]').getByText('Duration: 1 h 05 min').waitFor()
    const stored = () => server.db.selectFrom('interview').select(['started_at', 'ended_at']).where('id', '=', interview.id).executeTakeFirstOrThrow()
    expect(await stored()).toEqual({ started_at: '2026-03-02T06:30:00.000Z', ended_at: '2026-03-02T07:35:00.000Z' })
    expect(await page.locator('[data-testid="interview-ended"]').innerText()).toBe('Mar 2, 2026, 11:05 AM (Asia/Tehran)')

    // Just after midnight in Tehran: still the day before in UTC and in New York.
    await times.getByLabel('Started').fill('2026-03-02T00:15')
    await times.getByLabel('Ended').fill('2026-03-02T01:00')
    await times.getByRole('button', { name: 'Save start and end' }).click()
    await page.locator('[data-testid="interview-duration"]').getByText('Duration: 45 min').waitFor()
    expect(await stored()).toEqual({ started_at: '2026-03-01T20:45:00.000Z', ended_at: '2026-03-01T21:30:00.000Z' })
    await screenshot(page, 'qualitative-pages-10-interview-times-tehran')

    // In Persian, the same times in Persian digits, still Tehran's.
    await page.evaluate(() => localStorage.setItem('balint.staff.language', 'fa'))
    await page.reload()
    await page.locator('[data-testid="interview-duration"]').getByText(/مدت: (۴۵|45) دقیقه/).waitFor()
    expect(await page.locator('[data-testid="interview-times"]').getByText(/Asia\/Tehran/).count()).toBeGreaterThan(0)
    await screenshot(page, 'qualitative-pages-11-interview-times-fa')
    expect(errors).toEqual([])
    await context.close()
  })
})
