/**
 * A refusal reaches the participant in the page's language: never the server's English `message`
 * (found by a review: on a Persian page, a participant withdrawn on another device read "You have
 * withdrawn from this study; nothing more is collected." and a refused answer's reason read "is not a
 * field of this form"). Every code the participant routes can answer is listed here, with one the
 * page does not know.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { loadLanguage, setLanguage, t } from '../../../client/lib/i18n'
import { answerRefusalReason, refusalText, requestErrorText } from '../../../client/participant/refusal-text'

afterEach(() => setLanguage('en'))

/** Latin letters: none may appear in a Persian text of the page (codes and English would). */
const latin = /[A-Za-z]/

const answerCodes = ['wave_not_open', 'withdrawn', 'link_not_found', 'consent_required', 'link_replaced', 'not_found', 'validation_failed', 'conflict', 'payload_too_large', 'invalid_json', 'a_code_added_later']
const requestCodes = ['withdrawn', 'link_not_found', 'link_replaced', 'conflict', 'rate_limited', 'internal_error', 'validation_failed', 'not_found', 'http_502', 'http_404', 'a_code_added_later']

describe('refusal texts on the participant page', () => {
  it('are Persian on a Persian page, for every code, known or not', async () => {
    await loadLanguage('fa')
    for (const code of answerCodes) {
      for (const slot of ['pre', 'post', 'follow-up', 'enrolment']) {
        const text = refusalText({ code, slot, question: 'PHQ9_1' })
        expect(text, `${code} (${slot})`).not.toMatch(latin)
        expect(text.length).toBeGreaterThan(20)
      }
    }
    for (const code of requestCodes) expect(requestErrorText({ code }), code).not.toMatch(latin)
    expect(requestErrorText({ code: 'conflict', details: { currentVersion: 2 } })).not.toMatch(latin)
    expect(answerRefusalReason()).not.toMatch(latin)
    expect(t('refused.question', { question: 'پرسش ۱', reason: answerRefusalReason() })).not.toMatch(latin)
  })

  it('say where the answers are: removed for a withdrawal, a dead link or no consent; kept on the device otherwise', () => {
    for (const code of ['withdrawn', 'link_not_found', 'consent_required']) expect(refusalText({ code, slot: 'pre', question: null })).toContain('removed from this device')
    for (const code of ['wave_not_open', 'link_replaced', 'not_found', 'conflict', 'a_code_added_later']) {
      expect(refusalText({ code, slot: 'post', question: null }), code).toContain('kept on this device')
    }
  })

  it('name the wave that is closed, and ask for an answer when a submit was empty', () => {
    expect(refusalText({ code: 'wave_not_open', slot: 'post', question: 'PHQ9_1' })).toBe(t('refused.waveNotOpen', { wave: 'After the group' }))
    expect(refusalText({ code: 'validation_failed', slot: 'pre', question: 'answers' })).toBe(t('form.empty'))
  })

  it('tell a changed information sheet from a request done elsewhere, and a busy server from a refusal', () => {
    expect(requestErrorText({ code: 'conflict', details: { currentVersion: 3 } })).toBe(t('error.consentChanged'))
    expect(requestErrorText({ code: 'conflict', details: {} })).toBe(t('error.changedElsewhere'))
    expect(requestErrorText({ code: 'http_503' })).toBe(t('error.busy'))
    expect(requestErrorText({ code: 'http_400' })).toBe(t('error.notAccepted'))
    expect(requestErrorText({ code: 'withdrawn' })).toBe('You have withdrawn from this study, so nothing more is collected.')
  })
})
