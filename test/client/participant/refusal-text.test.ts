/**
 * A refusal reaches the participant in the page's language: never the server's English `message`
 * (found by a review: on a Persian page, a participant withdrawn on another device read "You have
 * withdrawn from this study; nothing more is collected." and a refused answer's reason read "is not a
 * field of this form"). Every code the participant routes can answer is listed here, with one the
 * page does not know; and refusals made by the real outbox against the real server are told as what
 * they are: a submit refused is not answers lost (found by a second review).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { loadLanguage, setLanguage, t } from '../../../client/lib/i18n'
import { memoryStore, Outbox } from '../../../client/participant/outbox'
import { aboutQuestion, dismissibleRefusalText, questionRefusalText, refusalText, requestErrorText } from '../../../client/participant/refusal-text'
import { jsonRequest } from '../../helpers/app'
import { appTransport, consentedParticipant, storedAnswers } from '../../helpers/outbox-app'

afterEach(() => setLanguage('en'))

/** Latin letters: none may appear in a Persian text of the page (codes and English would). */
const latin = /[A-Za-z]/

const answerCodes = ['wave_not_open', 'withdrawn', 'link_not_found', 'consent_required', 'link_replaced', 'not_found', 'validation_failed', 'conflict', 'payload_too_large', 'invalid_json', 'a_code_added_later']
const requestCodes = ['withdrawn', 'link_not_found', 'link_replaced', 'conflict', 'rate_limited', 'internal_error', 'validation_failed', 'not_found', 'http_502', 'http_404', 'a_code_added_later']

/** A page's outbox over the real app, answering at once; `persistent` false: a browser that lets the page store nothing. */
async function pageOf(f: Awaited<ReturnType<typeof consentedParticipant>>, persistent = true, deviceId = 'refusal-texts-phone') {
  const { transport } = appTransport(f)
  const page = new Outbox({ store: memoryStore(persistent), transport, deviceId, debounceMs: 0, retryDelaysMs: [10], isOnline: () => true, now: f.clock.now })
  await page.ready
  return page
}

describe('refusal texts on the participant page', () => {
  it('are Persian on a Persian page, for every code, known or not, of answers and of a submit', async () => {
    await loadLanguage('fa')
    for (const code of answerCodes) {
      for (const slot of ['pre', 'post', 'follow-up', 'enrolment']) {
        for (const submit of [undefined, true] as const) {
          for (const question of [null, 'phq9_1']) {
            for (const persistent of [true, false]) {
              const text = refusalText({ code, slot, question, submit }, persistent)
              expect(text, `${code} (${slot}, ${submit ? 'submit' : 'answers'}, ${persistent ? 'kept' : 'not kept'})`).not.toMatch(latin)
              expect(text.length).toBeGreaterThan(20)
            }
          }
        }
      }
    }
    for (const code of requestCodes) expect(requestErrorText({ code }), code).not.toMatch(latin)
    expect(requestErrorText({ code: 'conflict', details: { currentVersion: 2 } })).not.toMatch(latin)
    expect(questionRefusalText({}, 'پرسش ۱')).not.toMatch(latin)
    expect(questionRefusalText({ submit: true }, 'پرسش ۱')).not.toMatch(latin)
    for (const code of ['already_complete', 'not_found']) {
      for (const count of [0, 1, 3]) for (const title of ['پرسشنامه', undefined]) for (const submit of [undefined, true] as const) expect(dismissibleRefusalText({ code, submit }, title, count), `${code} ${count}`).not.toMatch(latin)
    }
  })

  // Found by a review: a submit refused because the team took its questionnaire out of the wave said
  // "Please try to submit again", where no form was left to submit.
  it('tell a questionnaire taken out of the wave as nothing more to do: no second try, the answers given here counted', () => {
    expect(refusalText({ code: 'not_found', slot: 'pre', question: null, submit: true })).toBe(t('refused.submitNotInWave'))
    expect(refusalText({ code: 'not_found', slot: 'pre', question: null, submit: true })).not.toMatch(/submit again/)
    expect(dismissibleRefusalText({ code: 'not_found' }, 'GAD-7', 2)).toBe('"GAD-7" is no longer among your questionnaires, so your answers to 2 questions, given here, could not be stored. They are kept here until you press “I understand”. If you think this is a mistake, please contact the research team before you do.')
    expect(dismissibleRefusalText({ code: 'not_found', submit: true }, 'GAD-7', 0)).toBe('"GAD-7" is no longer among your questionnaires, so it could not be submitted. There is nothing more for you to do for it.')
    // Found by a review: a notice of answers, its answers gone, spoke of a submit that never was.
    expect(dismissibleRefusalText({ code: 'not_found' }, 'GAD-7', 0)).toBe('"GAD-7" is no longer among your questionnaires. There is nothing more for you to do for it.')
    // Answers kept before their form's title was kept with them: no id, no empty quotes.
    expect(dismissibleRefusalText({ code: 'not_found' }, undefined, 1)).toMatch(/^A questionnaire you answered here is no longer among your questionnaires, so your answer to 1 question/)
  })

  it('say where refused answers are: removed for a withdrawal, a dead link or no consent; kept on the device otherwise', () => {
    for (const code of ['withdrawn', 'link_not_found', 'consent_required']) expect(refusalText({ code, slot: 'pre', question: null })).toContain('removed from this device')
    for (const code of ['wave_not_open', 'link_replaced', 'not_found', 'conflict', 'a_code_added_later']) {
      expect(refusalText({ code, slot: 'post', question: null }), code).toContain('kept on this device')
    }
    expect(refusalText({ code: 'wave_not_open', slot: 'post', question: 'phq9_1' })).toBe(t('refused.waveNotOpen', { wave: 'After the group' }))
  })

  it('tell a changed information sheet from a request done elsewhere, and a busy server from a refusal', () => {
    expect(requestErrorText({ code: 'conflict', details: { currentVersion: 3 } })).toBe(t('error.consentChanged'))
    expect(requestErrorText({ code: 'conflict', details: {} })).toBe(t('error.changedElsewhere'))
    expect(requestErrorText({ code: 'http_503' })).toBe(t('error.busy'))
    expect(requestErrorText({ code: 'http_400' })).toBe(t('error.notAccepted'))
    expect(requestErrorText({ code: 'withdrawn' })).toBe('You have withdrawn from this study, so nothing more is collected.')
  })
})

describe('refusals made by the outbox against the server', () => {
  it('an empty submit asks for an answer', async () => {
    const f = await consentedParticipant(['phq-9'])
    const page = await pageOf(f)
    await page.complete('pre', 'phq-9')
    for (let i = 0; i < 3; i++) await page.flush()
    expect(page.refusals).toHaveLength(1)
    expect(refusalText(page.refusals[0]!)).toBe(t('form.empty'))
  })

  it('a submit refused after a withdrawal on another device says it was not submitted, not that answers were removed', async () => {
    const f = await consentedParticipant(['phq-9'])
    const page = await pageOf(f)
    for (let i = 1; i <= 9; i++) await page.answer('pre', 'phq-9', `phq9_${i}`, 1)
    await page.flush()
    expect(Object.keys(await storedAnswers(f))).toHaveLength(9)
    // On their laptop they withdraw, keeping their answers; then the phone's submit goes.
    expect((await f.app.request(`/api/p/${f.token}/withdraw`, jsonRequest('POST', { keepData: true }))).status).toBe(200)
    await page.complete('pre', 'phq-9')
    for (let i = 0; i < 3; i++) await page.flush()
    expect(page.refusals.map((r) => [r.code, r.submit])).toEqual([['withdrawn', true]])
    const text = refusalText(page.refusals[0]!)
    expect(text).toBe(t('refused.submitWithdrawn'))
    expect(text).not.toContain('removed')
    // As the text says: the answers were not removed; the server holds them.
    expect(Object.keys(await storedAnswers(f))).toHaveLength(9)
  })

  // Found by a second review: on a browser that lets the page store nothing, the texts still said the
  // refused answers were "kept on this device", and that a replaced link's would go with the new one.
  it('on a browser that stores nothing, the refusal of a closed wave says the answers are only on the open page', async () => {
    const f = await consentedParticipant(['phq-9'])
    const page = await pageOf(f, false)
    expect(page.persistent).toBe(false)
    // A week after the close (beyond the grace), answered now.
    f.clock.set('2026-03-22T09:00:00.000Z')
    await page.answer('pre', 'phq-9', 'phq9_1', 1)
    for (let i = 0; i < 3; i++) await page.flush()
    expect(page.refusals.map((r) => r.code)).toEqual(['wave_not_open'])
    const text = refusalText(page.refusals[0]!, page.persistent)
    expect(text).toBe(t('refused.waveNotOpenUnkept', { wave: 'Before the group' }))
    expect(text).not.toContain('kept on this device')
    expect(text).toContain('only on this open page')
    expect(refusalText({ code: 'link_replaced', slot: 'pre', question: null }, false)).not.toContain('sent when you open that link')
    // Removed from the device either way: the same text.
    expect(refusalText({ code: 'withdrawn', slot: 'pre', question: null }, false)).toBe(t('refused.withdrawn'))
  })

  // Found by a second review: a 422 naming none of the answers sent (here the device id) was taken
  // as about the batch's first question: the form went back to it, saying that answer was not stored.
  it('a 422 that names no answer sent is about the batch, not its first question; one that names an answer is about that question', async () => {
    const f = await consentedParticipant(['phq-9'])
    const questions = new Map([['phq9_1', {}], ['phq9_2', {}]])
    const odd = await pageOf(f, true, 'd')
    await odd.answer('pre', 'phq-9', 'phq9_1', 1)
    for (let i = 0; i < 3; i++) await odd.flush()
    expect(odd.refusals.map((r) => r.code)).toEqual(['validation_failed'])
    expect(aboutQuestion(odd.refusals[0]!, questions)).toBe(false)
    expect(refusalText(odd.refusals[0]!)).toBe(t('refused.notAccepted'))

    const page = await pageOf(f)
    await page.answer('pre', 'phq-9', 'phq9_2', 7)
    for (let i = 0; i < 3; i++) await page.flush()
    expect(page.refusals.map((r) => [r.code, r.question])).toEqual([['validation_failed', 'phq9_2']])
    expect(aboutQuestion(page.refusals[0]!, questions)).toBe(true)
  })
})
