import type { LocalizedText } from './schema'

/** Plain text of a localizable string, in English or the file's default. */
export function plainText(text: LocalizedText): string {
  if (typeof text === 'string') return text
  return text.en ?? text.default ?? Object.values(text)[0] ?? ''
}
