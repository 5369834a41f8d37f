/**
 * The participant page's language: the one the participant chose for their link (kept on the device),
 * else the study's. Persian brings its texts, SurveyJS's own Persian strings (buttons, progress, the
 * "required" message) and its right-to-left mode, all downloaded only by those who read Persian.
 */
import { isLanguage, language, loadLanguage, type Language } from '../lib/i18n'

const key = (token: string) => `balint.language.${token.slice(0, 16)}`

/** The language the participant chose for this link, if they chose one. */
export function chosenLanguage(token: string): Language | null {
  try {
    const stored = window.localStorage.getItem(key(token))
    return isLanguage(stored) ? stored : null
  } catch {
    return null
  }
}

/** Keep the participant's choice for this link, so it holds on their next visit. */
export function chooseLanguage(token: string, next: Language): void {
  try {
    window.localStorage.setItem(key(token), next)
  } catch {
    // Storage full or forbidden: the choice holds for this visit only.
  }
}

/**
 * The language a form is shown in: the page's, when the form has its texts in it; else the form's own
 * first language (a questionnaire with no validated Persian translation stays in English, left to right).
 */
export function formLanguage(available: readonly string[]): string {
  return available.includes(language()) ? language() : (available[0] ?? 'en')
}

/** Switch the page to `next`, with SurveyJS's strings for it (it reads right to left from the locale). */
export async function applyLanguage(next: Language): Promise<Language> {
  await Promise.all([loadLanguage(next), next === 'fa' ? import('survey-core/i18n/persian') : null])
  return language()
}
