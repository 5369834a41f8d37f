import type { LocalizedText } from './schema'

/** Plain text of a localizable string, in English or the file's default. */
/**
 * Every language's text of a localizable string, by language code ("default" read as English):
 * `{ default: 'Age (years)', fa: 'سن (سال)' }` → `{ en: 'Age (years)', fa: 'سن (سال)' }`.
 */
export function textsByLanguage(text: LocalizedText): Record<string, string> {
  if (typeof text === 'string') return { en: text }
  const { default: fallback, ...rest } = text
  return fallback === undefined || rest.en !== undefined ? rest : { en: fallback, ...rest }
}

export function plainText(text: LocalizedText): string {
  if (typeof text === 'string') return text
  return text.en ?? text.default ?? Object.values(text)[0] ?? ''
}
