import type { LocalizedText } from './schema'

/** Plain text of a localizable string, in English or the file's default. */
/**
 * A localizable string's text in each of a form's `languages` (its own language first, as
 * study-forms.ts's `formLanguages` lists them): "default" is the first language's text; a language
 * the string lacks is left out.
 *
 * @example
 * textsByLanguage({ default: 'Age (years)', fa: 'سن (سال)' }, ['en', 'fa']) // { en: 'Age (years)', fa: 'سن (سال)' }
 */
export function textsByLanguage(text: unknown, languages: string[]): Record<string, string> {
  if (typeof text === 'string') return { [languages[0] ?? 'en']: text }
  const t = (text ?? {}) as Record<string, string>
  const labels: Record<string, string> = {}
  languages.forEach((language, i) => {
    const label = i === 0 ? (t.default ?? t[language]) : t[language]
    if (typeof label === 'string') labels[language] = label
  })
  return labels
}

export function plainText(text: LocalizedText): string {
  if (typeof text === 'string') return text
  return text.en ?? text.default ?? Object.values(text)[0] ?? ''
}
