import { createHash, randomBytes } from 'node:crypto'

/** Participant link tokens: 256 bits from the operating system's CSPRNG, base64url (43 characters). */
export const tokenPattern = /^[A-Za-z0-9_-]{43}$/

export function createToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

/**
 * SHA-256 of the token. A fast hash is enough here: the token has 256 bits of entropy, so it cannot be
 * guessed from the hash, and a lookup must be a single indexed query.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** The participant's personal link. */
export function participantLink(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, '')}/p/${token}`
}
