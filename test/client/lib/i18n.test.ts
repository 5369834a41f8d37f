/** The translation layer over i18next: placeholders, plural forms, Persian digits and dates, fallback. */
import { afterEach, describe, expect, it } from 'vitest'
import { addMessages, formatClosing, formatDate, formatNumber, language, loadLanguage, preferredLanguage, setLanguage, t } from '../../../client/lib/i18n'
import { staffEn } from '../../../client/staff/messages'
import { staffFa } from '../../../client/staff/messages.fa'

addMessages('en', staffEn)
addMessages('fa', staffFa)

afterEach(() => setLanguage('en'))

describe('t', () => {
  it('fills {placeholders} and keeps dots in flat keys', () => {
    expect(t('form.step', { current: 2, total: 4 })).toBe('Questionnaire 2 of 4')
  })

  it('chooses the plural form from count', () => {
    expect(t('staff.plot.attendedN', { count: 1 })).toBe('1 session')
    expect(t('staff.plot.attendedN', { count: 6 })).toBe('6 sessions')
    expect(t('staff.signIn.tooMany', { count: 1 })).toBe('Too many failed sign-ins. Please wait a minute before trying again.')
    // Found by a newcomer's walk-through: "1 question(s) have no answer", "1 zero differences dropped".
    expect(t('skipped.body', { count: 1 })).toBe('1 question has no answer. You may leave it unanswered, or go back and answer it.')
    expect(t('skipped.body', { count: 3 })).toMatch(/^3 questions have no answer\./)
    expect(t('staff.stats.zerosDropped', { count: 1 })).toBe('1 zero difference dropped')
    expect(t('staff.stats.zerosDropped', { count: 2 })).toBe('2 zero differences dropped')
  })

  it('writes Persian text with Persian digits once Persian is loaded', async () => {
    await loadLanguage('fa')
    expect(language()).toBe('fa')
    expect(t('form.step', { current: 2, total: 4 })).toBe('پرسشنامهٔ ۲ از ۴')
    expect(t('staff.plot.attendedN', { count: 12 })).toBe('۱۲ جلسه')
    expect(formatNumber(12.5)).toBe('۱۲٫۵')
  })

  it('shows dates in the Solar Hijri calendar in Persian, and the closing moment with its zone', async () => {
    await loadLanguage('fa')
    // 7 March 2026 is 16 Esfand 1404.
    expect(formatDate('2026-03-07T12:00:00Z', 'Asia/Tehran')).toBe('۱۶ اسفند ۱۴۰۴')
    expect(formatClosing('2026-03-07T20:30:00.000Z', 'Asia/Tehran')).toContain('۲۳:۵۹')
    expect(formatClosing('2026-03-07T20:30:00.000Z', 'Asia/Tehran')).toContain('ایران')
    setLanguage('en')
    expect(formatClosing('2026-03-07T20:30:00.000Z', 'Asia/Tehran')).toBe('March 7, 2026 at 11:59 PM Iran Standard Time')
  })

  it('falls back to English for an unknown language', () => {
    setLanguage('de')
    expect(language()).toBe('en')
    expect(t('done.title')).toBe('Thank you')
  })

  it('takes the browser’s language when it is one of ours', () => {
    expect(preferredLanguage(['fa-IR', 'en-US'])).toBe('fa')
    expect(preferredLanguage(['de-DE', 'en-GB'])).toBe('en')
    expect(preferredLanguage(['de-DE'])).toBeNull()
  })
})
