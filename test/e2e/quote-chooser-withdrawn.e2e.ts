/**
 * The Table 2 quote chooser in a real browser, after member checking (round 15): a passage its
 * participant withdrew is listed, marked "Withdrawn by the participant — do not quote", and has no
 * "Add as quotation" button; so does another coder's coding of the same words. The chooser used to
 * offer it like any other, and the server refused it (409) only after the researcher had picked it.
 * Screenshot: test-results/screenshots/quote-chooser-withdrawn.png.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../server/db/repositories/participants'
import { findTranscriptPlace } from '../../server/db/repositories/interviews'
import { createCode } from '../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, recordMemberCheck } from '../../server/domain/qualitative/coding'
import { putTranscript, startInterview } from '../../server/domain/qualitative/interviews'
import { addParticipants, createCohort, createStudy } from '../../server/domain/staff/setup'
import { spanOf } from '../helpers/qualitative'
import { screenshot } from './helpers/browser'
import { signIn, staffMember } from './helpers/staff'
import { type TestServer, useServerAndBrowser } from './helpers/server'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

const transcript = [
  'Interviewer: How safe did you feel to speak?',
  'P1: Not at all in the first session. I worried someone would repeat what I said on my unit.',
  'Interviewer: And later?',
  'P1: Later the group felt safe, and I said what I really thought about my patient.',
].join('\n')
const withdrawnWords = 'I worried someone would repeat what I said on my unit.'
const keptWords = 'Later the group felt safe, and I said what I really thought about my patient.'

describe('the quote chooser after a member check', () => {
  it('marks a withdrawn passage and offers no way to add it; the other passage can still be added', async () => {
    const deps = server.deps
    const study = await createStudy(deps, { name: 'Quote chooser and withdrawals' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
    const [added] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    const participant = (await findParticipant(deps.db, added!.id))!
    const researcher = await staffMember(server, study.id, `researcher.${study.id}@example.org`, 'researcher', 'Rana Researcher')
    const second = await staffMember(server, study.id, `second.${study.id}@example.org`, 'researcher', 'Sami Second-coder')
    const interview = await startInterview(deps, participant, researcher, { consentToRecord: true })
    const place = (await findTranscriptPlace(deps.db, (await putTranscript(deps, interview, { format: 'text', content: transcript }, researcher)).id))!
    const actor = `staff:${researcher.id}`
    const category = await createCode(deps, study.id, { level: 'category', name: 'Speaking up' }, actor)
    const code = await createCode(deps, study.id, { level: 'code', name: 'Safety in the group', parentId: category.id }, actor)
    const worried = await addCodings(deps, place, researcher.id, { codeIds: [code.id], ...spanOf(transcript, withdrawnWords) })
    // The second coder took the same words with more around them: withdrawn with them.
    await addCodings(deps, place, second.id, { codeIds: [code.id], ...spanOf(transcript, `Not at all in the first session. ${withdrawnWords}`) })
    await addCodings(deps, place, researcher.id, { codeIds: [code.id], ...spanOf(transcript, keptWords) })
    await chooseQuote(deps, code, worried.codings[0]!.id, actor)
    await recordMemberCheck(deps, participant, { codingId: worried.codings[0]!.id, decision: 'withdraw' })

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await signIn(page, server.baseUrl, researcher.email)
    await page.goto(`${server.baseUrl}/studies/${study.id}/codebook`)
    await page.locator('[data-testid="code-tree"]').getByRole('link', { name: /Safety in the group/ }).click()
    await page.getByRole('heading', { level: 2, name: /Safety in the group/ }).waitFor()
    const options = page.locator('[data-testid="quote-options"] > li')
    await options.first().waitFor()
    expect(await options.count()).toBe(3)

    const withdrawn = options.filter({ hasText: withdrawnWords })
    expect(await withdrawn.count()).toBe(2)
    for (let i = 0; i < 2; i++) {
      await withdrawn.nth(i).getByText('Withdrawn by the participant — do not quote').waitFor()
      expect(await withdrawn.nth(i).getByRole('button', { name: 'Add as quotation' }).count()).toBe(0)
    }
    const kept = options.filter({ hasText: keptWords })
    expect(await kept.getByTestId('withdrawn').count()).toBe(0)
    await screenshot(page, 'quote-chooser-withdrawn')

    await kept.getByRole('button', { name: 'Add as quotation' }).click()
    await page.locator('[data-testid="chosen-quote"]').first().getByText(keptWords).waitFor()
    const quotes = await server.db.selectFrom('table2_quote').selectAll().where('code_id', '=', code.id).execute()
    expect(quotes).toHaveLength(1)
    expect(errors).toEqual([])
    await context.close()
  })
})
