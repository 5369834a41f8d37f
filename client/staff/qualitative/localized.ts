/** Text from an instrument or guide file, which is either one string or one per language. */
import { language } from '../../lib/i18n'

export type LocalizedText = string | Record<string, string>

/**
 * The text in the current language, else the file's `default`, else English, else the first given.
 *
 * @example
 * localized({ default: 'How was it?', fa: '...' }) // 'How was it?' in English
 */
export function localized(text: LocalizedText): string {
  if (typeof text === 'string') return text
  return text[language()] ?? text.default ?? text.en ?? Object.values(text)[0] ?? ''
}
