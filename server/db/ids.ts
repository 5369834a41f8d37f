import { randomBytes } from 'node:crypto'

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'

let lastTime = ''
let lastRandom = ''

/** The next base-36 string of the same length ("0az" → "0b0"), or undefined past "zz…z". */
function increment(value: string): string | undefined {
  const digits = [...value]
  for (let i = digits.length - 1; i >= 0; i--) {
    const next = alphabet.indexOf(digits[i]!) + 1
    if (next < alphabet.length) {
      digits[i] = alphabet[next]!
      return digits.join('')
    }
    digits[i] = '0'
  }
  return undefined
}

/**
 * A short, URL-safe, time-ordered id: 9 characters of milliseconds since the epoch in base 36, then
 * 8 random characters. Short enough to type in a CLI command; ordered so lists sort by creation.
 *
 * Within one process the ids only grow, even within one millisecond or if the clock steps back
 * (like ULID's monotonic mode): the second id of a millisecond is the first one plus one. So rows
 * written together in one transaction (a rename, a description and a move of a code, say) sort by
 * id in the order they were written.
 *
 * @example
 * newId() < newId() // => true
 */
export function newId(): string {
  const now = Date.now().toString(36).padStart(9, '0')
  if (now <= lastTime) {
    const next = increment(lastRandom)
    if (next !== undefined) {
      lastRandom = next
      return lastTime + lastRandom
    }
  }
  const bytes = randomBytes(8)
  let random = ''
  for (const b of bytes) random += alphabet[b % 36]
  lastTime = now > lastTime ? now : lastTime
  lastRandom = random
  return lastTime + random
}
