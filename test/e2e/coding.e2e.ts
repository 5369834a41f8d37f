/**
 * Interviews and coding in a real browser: a researcher selects a passage of a transcript with the
 * mouse and codes it (the coding is stored with the passage's code-point offsets, an emoji before it
 * notwithstanding); an interviewer takes notes on two of the guide's questions, saved as typed. The
 * codebook, the interviewer's pages and the analyses leave screenshots in test-results/screenshots/.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../server/db/repositories/participants'
import { grantRole } from '../../server/db/repositories/staff'
import { createStaffUser } from '../../server/domain/staff/auth'
import { createCode } from '../../server/domain/qualitative/codebook'
import { createDemo } from '../../server/domain/demo/study'
import { addCodings } from '../../server/domain/qualitative/coding'
import { assignInterviewer, putTranscript, saveNote, startInterview } from '../../server/domain/qualitative/interviews'
import { findInterview, findTranscriptPlace } from '../../server/db/repositories/interviews'
import { addParticipants, createCohort, createStudy } from '../../server/domain/staff/setup'
import { withdraw } from '../../server/domain/participation/journey'
import { spanOf } from '../helpers/qualitative'
import { screenshot } from './helpers/browser'
import { signIn as signInAs, staffPassword } from './helpers/staff'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const password = staffPassword
let unique = 0

async function staffUser(name: string) {
  const email = `${name.toLowerCase().replace(/\W+/g, '-')}.${++unique}@example.org`
  const user = await createStaffUser(server.deps, { email, name, password }, 'test')
  return { ...user, email }
}

/** A laptop-sized page that collects script errors. */
async function laptopPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text())
  })
  return { context, page, errors }
}

const signIn = (page: Page, email: string) => signInAs(page, server.baseUrl, email)

const transcripts = [
  [
    'Interviewer: Looking back over the sessions, how was taking part in this online group for you? 😀',
    'P1: At first I was afraid to speak 🙂 in front of the consultants. Later the group felt safe, and I could say what I really thought about my patient.',
    '',
    'Interviewer: What did you find surprising?',
    'P1: That the leaders did not give advice. Nobody told me what I should have done.',
  ].join('\n'),
  [
    'Interviewer: How safe did you feel to say what you were thinking?',
    'P2: Safe enough. With the camera off I was braver than I would be in a room.',
    'Interviewer: Has anything changed with your patients?',
    'P2: I listen longer before I answer. I think about what the patient is afraid of.',
  ].join('\n'),
]

/** A study with a codebook, two transcripts, a researcher and an interviewer assigned to a third participant. */
async function codingStudy() {
  const researcher = await staffUser('Rana Researcher')
  const interviewer = await staffUser('Ivo Interviewer')
  const study = await createStudy(server.deps, { name: 'Balint interviews 2026' }, 'test')
  await grantRole(server.db, { studyId: study.id, userId: researcher.id, role: 'researcher' }, new Date())
  await grantRole(server.db, { studyId: study.id, userId: interviewer.id, role: 'interviewer' }, new Date())
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group A' }, 'test')
  const participants = await addParticipants(server.deps, { cohortId: cohort.id, count: 3 }, 'test')
  const code = async (level: 'theme' | 'category' | 'code', name: string, parentId: string | null, description?: string) =>
    createCode(server.deps, study.id, { level, name, parentId, description: description ?? null }, `staff:${researcher.id}`)
  const safety = await code('theme', 'Safety in the group', null, 'How safe participants felt to speak, and what made it so.')
  const speaking = await code('category', 'Speaking up', safety.id)
  const feltSafe = await code('code', 'Felt safe', speaking.id, 'The group felt safe enough to say what one thought.')
  const afraid = await code('code', 'Fear of judgement', speaking.id)
  const leaders = await code('theme', 'The leaders', null)
  const style = await code('category', 'Leadership style', leaders.id)
  const noAdvice = await code('code', 'No advice given', style.id)
  const places = []
  for (const [i, text] of transcripts.entries()) {
    const participant = (await findParticipant(server.db, participants[i]!.id))!
    const interview = await startInterview(server.deps, participant, researcher, { consentToRecord: true, startedAt: new Date(Date.now() - (3 - i) * 86400000).toISOString() })
    const transcript = await putTranscript(server.deps, interview, { format: 'text', content: text }, researcher)
    places.push((await findTranscriptPlace(server.db, transcript.id))!)
  }
  await assignInterviewer(server.deps, study.id, { interviewerId: interviewer.id, participantId: participants[2]!.id }, 'test')
  return { study, cohort, participants, researcher, interviewer, codes: { safety, speaking, feltSafe, afraid, noAdvice }, places }
}

/** The screen rectangle of `phrase` in the transcript's text, from the first character to the last. */
async function phraseBox(page: Page, phrase: string) {
  return page.locator('[data-testid="transcript-text"]').evaluate((root, phrase) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(phrase)
      if (at < 0) continue
      const range = document.createRange()
      range.setStart(node, at)
      range.setEnd(node, at + phrase.length)
      const rects = [...range.getClientRects()]
      const first = rects[0]!
      const last = rects[rects.length - 1]!
      return { startX: first.left, startY: first.top + first.height / 2, endX: last.right, endY: last.top + last.height / 2 }
    }
    throw new Error(`"${phrase}" is not on the page in one piece`)
  }, phrase)
}

/** Select `phrase` by dragging the mouse over it, from inside its first character to inside its last. */
async function dragOver(page: Page, phrase: string) {
  const box = await phraseBox(page, phrase)
  await page.mouse.move(box.startX + 1, box.startY)
  await page.mouse.down()
  await page.mouse.move((box.startX + box.endX) / 2, (box.startY + box.endY) / 2, { steps: 5 })
  await page.mouse.move(box.endX - 1, box.endY, { steps: 5 })
  await page.mouse.up()
}

describe('coding a transcript', () => {
  it('a researcher selects a passage with the mouse and applies a code; it is stored with code-point offsets', async () => {
    const { study, researcher, codes, places } = await codingStudy()
    // The interviewer's note, read beside the transcript.
    const interview = (await findInterview(server.db, places[0]!.interviewId))!
    await saveNote(server.deps, interview, 'experience', { text: 'Spoke of fear of the consultants first.', revision: 1 }, researcher)
    const { page, context, errors } = await laptopPage()
    await signIn(page, researcher.email)

    // From the study page to the list of transcripts, in interview order.
    await page.goto(`${server.baseUrl}/studies/${study.id}`)
    await page.getByRole('heading', { name: 'Interviews and qualitative analysis' }).waitFor()
    await screenshot(page, 'coding-00-study')
    await page.getByRole('link', { name: 'Coding', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Coding' }).waitFor()
    const rows = await page.locator('[data-testid="transcripts"] tbody tr').allInnerTexts()
    expect(rows.map((row) => row.split('\t').slice(0, 2))).toEqual(places.map((place, i) => [String(i + 1), `Transcript of ${place.participantCode}`]))
    // Assigning a participant to the interviewer.
    await page.locator('[data-testid="interview-assignments"]').waitFor()
    await page.getByLabel('Participant', { exact: true }).selectOption({ label: places[1]!.participantCode })
    await page.getByRole('button', { name: 'Assign', exact: true }).click()
    await expect.poll(() => page.locator('[data-testid="interview-assignments"] tbody tr').count()).toBe(2)
    const assigned = await server.db.selectFrom('interview_assignment').select('participant_id').where('study_id', '=', study.id).execute()
    expect(assigned.map((a) => a.participant_id)).toContain(places[1]!.participantId)
    await screenshot(page, 'coding-01-transcripts')

    await page.getByRole('link', { name: `Transcript of ${places[0]!.participantCode}` }).click()
    await page.getByRole('heading', { level: 1, name: `Transcript of ${places[0]!.participantCode}` }).waitFor()
    await page.locator('[data-testid="transcript-text"]').waitFor()
    await page.locator('[data-testid="interview-notes"]').getByText('Spoke of fear of the consultants first.').waitFor()
    await page.locator('[data-testid="interview-notes"]').getByText('The participant has not answered about any quotation.').waitFor()

    // An emoji before the passage is two UTF-16 units but one code point: the offsets must not shift.
    const phrase = 'the group felt safe'
    await dragOver(page, phrase)
    await expect.poll(() => page.locator('[data-testid="selected-text"]').innerText()).toBe(phrase)
    await page.getByRole('checkbox', { name: 'Felt safe' }).check()
    await screenshot(page, 'coding-02-selected')
    await page.getByRole('button', { name: 'Apply code' }).click()
    await page.getByText('Coded with Felt safe.').waitFor()

    const stored = await server.db.selectFrom('coding').selectAll().where('transcript_id', '=', places[0]!.transcriptId).where('deleted_at', 'is', null).execute()
    const expected = spanOf(transcripts[0]!, phrase)
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ code_id: codes.feltSafe.id, coder_id: researcher.id, start_offset: expected.start, end_offset: expected.end, text: phrase })
    // The UTF-16 index is further on by the two emoji's second halves.
    expect(transcripts[0]!.indexOf(phrase)).toBe(expected.start + 2)

    // Two codes at once, on a passage across a line break.
    await dragOver(page, 'afraid to speak')
    await page.getByRole('checkbox', { name: 'Fear of judgement' }).check()
    await page.getByRole('checkbox', { name: 'Felt safe' }).check()
    await page.getByRole('button', { name: 'Apply 2 codes' }).click()
    await page.getByText('Coded with Fear of judgement, Felt safe.').waitFor()
    const afraid = spanOf(transcripts[0]!, 'afraid to speak')
    const both = await server.db.selectFrom('coding').select(['code_id', 'start_offset', 'end_offset', 'text']).where('transcript_id', '=', places[0]!.transcriptId).where('start_offset', '=', afraid.start).execute()
    expect(both.map((c) => c.code_id).sort()).toEqual([codes.afraid.id, codes.feltSafe.id].sort())
    expect(both.every((c) => c.end_offset === afraid.end && c.text === 'afraid to speak')).toBe(true)
    await expect.poll(() => page.locator('[data-testid="codings"] tbody tr').count()).toBe(3)

    // A memo on the transcript.
    await page.getByLabel('New memo').fill('P1 moves from fear to safety within one answer: a turning point to compare across interviews.')
    await page.getByRole('button', { name: 'Add memo' }).click()
    await page.getByText('a turning point to compare').waitFor()
    await screenshot(page, 'coding-03-coded')
    await page.emulateMedia({ media: 'print' })
    await screenshot(page, 'coding-03-coded-print')
    await page.emulateMedia({ media: 'screen' })

    // Another coder's codings appear with "show all coders".
    const other = await staffUser('Omid Othercoder')
    await grantRole(server.db, { studyId: study.id, userId: other.id, role: 'researcher' }, new Date())
    await addCodings(server.deps, places[0]!, other.id, { codeIds: [codes.noAdvice.id], ...spanOf(transcripts[0]!, 'the leaders did not give advice') })
    await page.getByLabel('Show all coders’ codings').check()
    await expect.poll(() => page.url()).toContain('coders=all')
    await expect.poll(() => page.locator('[data-testid="codings"] tbody tr').count()).toBe(4)
    await screenshot(page, 'coding-04-all-coders')

    // Deleting one's own coding.
    await page.getByLabel('Show all coders’ codings').uncheck()
    await expect.poll(() => page.locator('[data-testid="codings"] tbody tr').count()).toBe(3)
    await page.locator('[data-testid="codings"] tbody tr').first().getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => page.locator('[data-testid="codings"] tbody tr').count()).toBe(2)

    expect(errors).toEqual([])
    await context.close()
  })
})

describe('the codebook', () => {
  it('shows the tree; a code is described, its history read and its Table 2 quotation chosen', async () => {
    const { study, researcher, codes, places } = await codingStudy()
    const safeSpan = spanOf(transcripts[0]!, 'Later the group felt safe, and I could say what I really thought about my patient.')
    await addCodings(server.deps, places[0]!, researcher.id, { codeIds: [codes.feltSafe.id], ...safeSpan })
    // A second coder coded the same passage: the chooser lists it once (issue 18: it was listed twice).
    const secondCoder = await staffUser('Sami Second-coder')
    await grantRole(server.db, { studyId: study.id, userId: secondCoder.id, role: 'researcher' }, new Date())
    await addCodings(server.deps, places[0]!, secondCoder.id, { codeIds: [codes.feltSafe.id], ...safeSpan })
    await addCodings(server.deps, places[1]!, researcher.id, { codeIds: [codes.feltSafe.id], start: 0, end: 20 })
    const { page, context, errors } = await laptopPage()
    await signIn(page, researcher.email)
    await page.goto(`${server.baseUrl}/studies/${study.id}/codebook`)
    await page.getByRole('heading', { level: 1, name: 'Codebook' }).waitFor()
    await screenshot(page, 'codebook-01-tree')

    await page.locator('[data-testid="code-tree"]').getByRole('link', { name: /Felt safe/ }).click()
    await page.getByRole('heading', { level: 2, name: /Felt safe/ }).waitFor()
    await page.locator('[data-testid="code-details"]').getByLabel('Description', { exact: true }).fill('Participants said the group was safe enough to speak their mind.')
    await page.locator('[data-testid="code-details"]').getByRole('button', { name: 'Save', exact: true }).click()
    await page.locator('[data-testid="code-history"]').getByText('Described:').waitFor()
    const options = page.locator('[data-testid="quote-options"] > li')
    await options.first().waitFor()
    expect(await options.count()).toBe(2)
    await options.filter({ hasText: 'Later the group felt safe' }).getByText('Rana Researcher, Sami Second-coder').waitFor()
    // Two quotations for one code, in the order chosen, then the second moved up.
    await options.nth(0).getByRole('button', { name: 'Add as quotation' }).click()
    await page.locator('[data-testid="chosen-quote"]').first().waitFor()
    await options.nth(1).getByRole('button', { name: 'Add as quotation' }).click()
    await page.locator('[data-testid="chosen-quote"]').nth(1).waitFor()
    await page.locator('[data-testid="chosen-quotes"] > li').nth(1).getByRole('button', { name: 'Move up' }).click()
    await page.locator('[data-testid="chosen-quotes"] > li').nth(0).getByText(transcripts[1]!.slice(0, 20)).waitFor()
    const quotes = await server.db.selectFrom('table2_quote').selectAll().where('code_id', '=', codes.feltSafe.id).orderBy('position').execute()
    expect(quotes.map((q) => q.position)).toEqual([1, 2])
    await screenshot(page, 'codebook-02-code')

    // A codebook from Taguette, imported from a file.
    await page.locator('[data-testid="codebook-import"] input[type="file"]').setInputFiles(new URL('../fixtures/refi-qda/taguette-codebook.qdc', import.meta.url).pathname)
    await page.locator('[data-testid="codebook-import"]').getByRole('button', { name: 'Import' }).click()
    await page.locator('[data-testid="import-report"]').getByText('Imported: 3 new, 0 already here.').waitFor()
    await page.locator('[data-testid="code-tree"]').getByRole('link', { name: /interesting\.places/ }).waitFor()
    await screenshot(page, 'codebook-02b-import')

    // Merge, after confirming.
    await page.locator('[data-testid="code-tree"]').getByRole('link', { name: /Fear of judgement/ }).click()
    await page.getByRole('heading', { level: 2, name: /Fear of judgement/ }).waitFor()
    await page.getByLabel('Merge into', { exact: true }).selectOption({ label: 'Safety in the group › Speaking up › Felt safe' })
    await page.getByRole('button', { name: 'Merge', exact: true }).click()
    await page.getByRole('dialog').waitFor()
    await screenshot(page, 'codebook-03-merge-confirm')
    await page.getByRole('dialog').getByRole('button', { name: 'Merge' }).click()
    await page.getByRole('heading', { level: 2, name: /Felt safe/ }).waitFor()
    const merged = await server.db.selectFrom('code').select('merged_into').where('id', '=', codes.afraid.id).executeTakeFirstOrThrow()
    expect(merged.merged_into).toBe(codes.feltSafe.id)

    expect(errors).toEqual([])
    await context.close()
  })
})

describe('an interviewer', () => {
  it('starts the interview, types notes for two questions, and they are saved', async () => {
    const { participants, interviewer } = await codingStudy()
    const { page, context, errors } = await laptopPage()
    await signIn(page, interviewer.email)
    const code = participants[2]!.code
    await page.getByRole('heading', { name: 'Your interviews' }).waitFor()
    await page.locator('[data-testid="assigned-participants"]').waitFor()
    await screenshot(page, 'interview-01-home')
    await page.getByRole('link', { name: code }).click()
    await page.getByRole('heading', { level: 1, name: `Interview with ${code}` }).waitFor()
    await screenshot(page, 'interview-02-not-started')

    await page.getByLabel('The participant agrees to the interview being recorded').check()
    await page.getByRole('button', { name: 'Start the interview now' }).click()
    const first = page.getByLabel('Notes on question 1')
    await first.waitFor()
    // Typed key by key, as an interviewer would: several saves, each with a higher revision.
    await first.pressSequentially('Online felt strange at first; by session 3 she looked forward to it.', { delay: 15 })
    await page.getByLabel('Notes on question 2').fill('Surprised that the leaders gave no advice.')
    await expect.poll(() => page.locator('[data-testid="note-status-experience"]').getAttribute('data-status')).toBe('saved')
    await expect.poll(() => page.locator('[data-testid="note-status-interesting"]').getAttribute('data-status')).toBe('saved')
    await expect.poll(() => page.locator('[data-testid="note-status-experience"]').innerText()).toMatch(/^Saved /)

    const interview = await server.db.selectFrom('interview').selectAll().where('participant_id', '=', participants[2]!.id).executeTakeFirstOrThrow()
    expect(interview.consent_to_record).toBe(1)
    const notes = await server.db.selectFrom('interview_note').selectAll().where('interview_id', '=', interview.id).orderBy('question_id').execute()
    expect(notes.map((n) => [n.question_id, n.text])).toEqual([
      ['experience', 'Online felt strange at first; by session 3 she looked forward to it.'],
      ['interesting', 'Surprised that the leaders gave no advice.'],
    ])
    expect(notes.find((n) => n.question_id === 'experience')!.revision).toBeGreaterThanOrEqual(1)

    // A reload shows the notes as saved.
    await page.reload()
    await expect.poll(() => page.getByLabel('Notes on question 2').inputValue()).toBe('Surprised that the leaders gave no advice.')

    // End the interview and paste a WebVTT transcript.
    await page.getByRole('button', { name: 'End the interview now' }).click()
    await expect.poll(() => page.locator('[data-testid="interview-ended"]').innerText()).not.toBe('Not ended yet')
    await page.getByLabel('Or paste the transcript').fill('WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How was the group for you?\n\n00:00:05.000 --> 00:00:09.000\n<v P3>It was good to be heard.\n')
    expect(await page.getByLabel('WebVTT').isChecked()).toBe(true)
    await page.getByRole('button', { name: 'Save transcript' }).click()
    await page.locator('[data-testid="transcript-stored"]').waitFor()
    const transcript = await server.db.selectFrom('transcript').selectAll().where('interview_id', '=', interview.id).executeTakeFirstOrThrow()
    expect(transcript.text).toContain('P3: It was good to be heard.')
    await screenshot(page, 'interview-03-notes')

    // Entered afterwards: the real start and end, as date and time, and the duration.
    const times = page.locator('[data-testid="interview-times"]')
    await times.getByLabel('Started').fill('2026-03-02T09:30')
    await times.getByLabel('Ended').fill('2026-03-02T10:35')
    await times.getByRole('button', { name: 'Save start and end' }).click()
    await page.locator('[data-testid="interview-duration"]').getByText('Duration: 1 h 05 min').waitFor()
    const timed = await server.db.selectFrom('interview').select(['started_at', 'ended_at']).where('id', '=', interview.id).executeTakeFirstOrThrow()
    // The browser and this test share the machine's time zone; the server stores UTC.
    expect(timed).toEqual({ started_at: new Date('2026-03-02T09:30').toISOString(), ended_at: new Date('2026-03-02T10:35').toISOString() })
    await screenshot(page, 'interview-04-times')

    // The participant withdraws, keeping their data: the interview stays as it was, and the page says
    // so, every control disabled (the server would refuse any write with 409).
    await withdraw(server.deps, (await findParticipant(server.db, participants[2]!.id))!, { keepData: true })
    await page.reload()
    await page.locator('[data-testid="interview-withdrawn"]').waitFor()
    expect(await page.getByLabel('Notes on question 2').isDisabled()).toBe(true)
    expect(await page.getByLabel('Notes on question 2').inputValue()).toBe('Surprised that the leaders gave no advice.')
    expect(await page.getByRole('button', { name: 'Save start and end' }).isDisabled()).toBe(true)
    expect(await page.getByLabel('Or paste the transcript').isDisabled()).toBe(true)
    await screenshot(page, 'interview-05-withdrawn')

    expect(errors).toEqual([])
    await context.close()
  })
})

describe('the analyses', () => {
  it('shows Table 2, code frequencies, saturation, agreement with a resolution recorded, the joint display and the exports', async () => {
    const researcher = await staffUser('Ana Analyst')
    const demo = await createDemo(server.deps, 'test')
    await grantRole(server.db, { studyId: demo.study.id, userId: researcher.id, role: 'researcher' }, new Date())
    const { page, context, errors } = await laptopPage()
    await signIn(page, researcher.email)
    const base = `${server.baseUrl}/studies/${demo.study.id}/analysis`

    await page.goto(`${server.baseUrl}/studies/${demo.study.id}`)
    await page.getByRole('link', { name: 'Analysis', exact: true }).click()
    await page.getByRole('heading', { level: 2, name: 'Table 2: themes, categories and codes' }).waitFor()
    // The heading is drawn before the table's rows arrive: wait for them, or a slow machine counts none.
    await page.locator('[data-testid="table2"] tbody tr').first().waitFor()
    expect(await page.locator('[data-testid="table2"] tbody tr').count()).toBeGreaterThanOrEqual(13)
    await screenshot(page, 'analysis-01-table2')
    await page.emulateMedia({ media: 'print' })
    await screenshot(page, 'analysis-01-table2-print')
    await page.emulateMedia({ media: 'screen' })
    // The downloads are the server's CSV and Markdown.
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), (await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href'))!)
    expect(csv.split('\n')[0]).toMatch(/theme/i)

    await page.getByRole('link', { name: 'Code frequencies' }).click()
    await page.locator('[data-testid="frequencies"]').waitFor()
    await screenshot(page, 'analysis-02-frequencies')

    await page.getByRole('link', { name: 'Saturation' }).click()
    await page.locator('[data-testid="methods-sentence"]').waitFor()
    expect(await page.locator('[data-testid="methods-sentence"]').innerText()).toMatch(/^Saturation was assessed following Guest, Namey and Chen \(2020\)/)
    expect(await page.locator('figure.plot svg').count()).toBeGreaterThan(0)
    expect(await page.locator('[data-testid="saturation-table"] tbody tr').count()).toBe(8)
    await screenshot(page, 'analysis-03-saturation')
    // Other parameters: a base of 3, runs of 1, threshold 10%.
    await page.getByLabel('Base size').fill('3')
    await page.getByLabel('Run length').fill('1')
    await page.getByLabel('Threshold (%)').fill('10')
    await page.getByRole('button', { name: 'Update' }).click()
    await expect.poll(() => page.locator('[data-testid="methods-sentence"]').innerText()).toContain('base size of 3 interviews, a run length of 1 and a new-information threshold of 10%')

    await page.getByRole('link', { name: 'Agreement' }).click()
    await page.locator('[data-testid="agreement-per-code"]').waitFor()
    const disagreements = page.locator('[data-testid="disagreements"] > li')
    expect(await disagreements.count()).toBeGreaterThan(0)
    await screenshot(page, 'analysis-04-agreement')
    // The first not yet resolved (the demo has resolved none); pinned by position, as its button goes once it opens.
    const open = await disagreements.evaluateAll((items) => items.map((item) => item.querySelector('button') !== null))
    const first = disagreements.nth(open.indexOf(true))
    await first.getByRole('button', { name: 'Record a resolution' }).click()
    await first.getByLabel('Code does not apply').check()
    await first.getByLabel('Note (why)').fill('Only a passing mention; agreed it does not carry the code.')
    await screenshot(page, 'analysis-05-resolving')
    await first.getByRole('button', { name: 'Record resolution' }).click()
    await page.getByText('Only a passing mention; agreed it does not carry the code.').waitFor()
    const resolutions = await server.db.selectFrom('agreement_resolution').selectAll().where('decided_by', '=', researcher.id).execute()
    expect(resolutions).toHaveLength(1)
    expect(resolutions[0]).toMatchObject({ decision: 'does_not_apply', note: 'Only a passing mention; agreed it does not carry the code.' })

    await page.getByRole('link', { name: 'Exports and joint display' }).click()
    await page.getByRole('heading', { level: 2, name: 'Exports for other programs' }).waitFor()
    for (const name of ['Download codebook (.qdc)', /Download project of Demo group A/]) {
      const href = (await page.getByRole('link', { name }).getAttribute('href'))!
      const status = await page.evaluate(async (url) => (await fetch(url)).status, href)
      expect(status).toBe(200)
    }
    await screenshot(page, 'analysis-06-exports')

    await page.getByRole('link', { name: /Joint display of Demo group A/ }).click()
    await page.locator('[data-testid="joint-matrix"]').waitFor()
    expect(await page.locator('[data-testid="joint-participants"] tbody tr').count()).toBeGreaterThanOrEqual(8)
    await screenshot(page, 'analysis-07-joint-display')

    // Every tab can also be opened by its address.
    await page.goto(`${base}/saturation`)
    await page.locator('[data-testid="methods-sentence"]').waitFor()

    expect(errors).toEqual([])
    await context.close()
  })
})
