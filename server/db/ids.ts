import { randomBytes } from 'node:crypto'

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * A short, URL-safe, roughly time-ordered id: 9 characters of milliseconds since the epoch in base 36,
 * then 8 random characters. Short enough to type in a CLI command; ordered so lists sort by creation.
 */
export function newId(): string {
  const time = Date.now().toString(36).padStart(9, '0')
  const bytes = randomBytes(8)
  let random = ''
  for (const b of bytes) random += alphabet[b % 36]
  return time + random
}
