/**
 * The staff member's language: chosen in the header and kept on their device; until they choose, their
 * browser's language when it is one of ours. The Persian texts are downloaded only when needed.
 */
import { addMessages, isLanguage, loadLanguage, preferredLanguage, type Language } from '../lib/i18n'

const key = 'balint.staff.language'

export function staffLanguage(): Language {
  try {
    const stored = window.localStorage.getItem(key)
    if (isLanguage(stored)) return stored
  } catch {
    // Storage forbidden: fall back to the browser's language.
  }
  return preferredLanguage(navigator.languages) ?? 'en'
}

/** Load `language`'s staff and shared texts and switch to it. */
export async function applyStaffLanguage(language: Language): Promise<void> {
  if (language === 'fa') addMessages('fa', (await import('./messages.fa')).staffFa)
  await loadLanguage(language)
}

/** Keep the choice and show every page in it (a reload re-renders everything in the new language). */
export function chooseStaffLanguage(language: Language): void {
  try {
    window.localStorage.setItem(key, language)
  } catch {
    // Storage forbidden: the reload below shows the browser's language again.
  }
  window.location.reload()
}
