/**
 * The password policy: at least 10 characters (the contract checks that, server/contracts/password.ts)
 * and hard to guess, as estimated by zxcvbn (Wheeler, "zxcvbn: Low-Budget Password Strength
 * Estimation", USENIX Security 2016; the maintained TypeScript port @zxcvbn-ts). Its score runs from
 * 0 (too guessable: fewer than 10^3 guesses) to 4 (more than 10^10); 3 ("safely unguessable:
 * moderate protection from offline slow-hash scenario", under 10^10 guesses) is its authors'
 * recommended minimum, and with argon2id on top it is ours. The account's own email, its parts and
 * the person's name count as known words, so "ada@example.org" or "Ada Lovelace 1815" are refused.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'
import * as en from '@zxcvbn-ts/language-en'
import { ApiError } from '../errors'

/** The lowest zxcvbn score accepted. */
export const minimumPasswordScore = 3

let estimator: ZxcvbnFactory | undefined

function zxcvbn(): ZxcvbnFactory {
  // Built on first use: the dictionaries take a moment to load and only sign-up paths need them.
  return (estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  }))
}

/** Words an attacker knows about this account: its email, the email's parts, the person's name. */
function accountWords(account: { email?: string; name?: string }): string[] {
  const email = (account.email ?? '').trim().toLowerCase()
  const name = (account.name ?? '').trim().toLowerCase()
  return [email, ...email.split(/[@.+_-]/), name, ...name.split(/\s+/), 'balint', 'outcomes'].filter((w) => w.length >= 3)
}

/**
 * Refuse a password that is too easy to guess, with zxcvbn's reason and suggestions in the message.
 *
 * @throws ApiError `validation_failed` with `details: [{ field, message }]`
 * @example
 * checkPasswordStrength('aaaaaaaaaa', { email: 'ada@example.org' })
 * // throws: 'password: is too easy to guess. Repeated characters like "aaa" are easy to guess. …'
 */
export function checkPasswordStrength(password: string, account: { email?: string; name?: string }, field = 'password'): void {
  const result = zxcvbn().check(password, accountWords(account))
  if (result.score >= minimumPasswordScore) return
  const reasons = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ')
  const message = `is too easy to guess.${reasons ? ` ${reasons}` : ''} A few unusual words together make a good password.`
  throw new ApiError('validation_failed', `${field}: ${message}`, [{ field, message }])
}
