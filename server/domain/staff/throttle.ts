/**
 * Sign-in throttling that slows an attacker without locking the owner out.
 *
 * Every attempt is counted as a failure *before* its password is checked (and forgiven on success),
 * inside one transaction per attempt, so forty guesses sent at once are counted one by one and no
 * more of them reach the password check than the limit allows. The counts live in the database, so
 * they hold across restarts and across processes.
 *
 * Three keys, each with free attempts and then an exponential back-off (1 s, 2 s, 4 s … up to a cap),
 * never a lock-out (OWASP Authentication Cheat Sheet, "Account lockout"; NIST SP 800-63B §5.2.2):
 *
 * | key | free | cap | why |
 * | --- | --- | --- | --- |
 * | this email from this address | 5 | 15 min | an attacker's guesses slow the attacker |
 * | this email from any address | 20 | 1 min | guesses from many addresses are slowed, but the owner waits a minute at most |
 * | this address, any email | 100 | 15 min | one password tried on many accounts; loose, since a ward shares one address |
 *
 * So ten guesses at someone's account from one address do not stop its owner at another, and no
 * attacker can keep the owner out for more than a minute at a time.
 */
import { deleteThrottles, deleteThrottlesBefore, findThrottles, swapThrottle, uncountThrottle } from '../../db/repositories/sign-in-throttle'
import type { Deps } from '../deps'
import { ApiError, rateLimited } from '../errors'

type Rule = { free: number; capMs: number }

export const throttleRules = {
  pair: { free: 5, capMs: 15 * 60_000 },
  account: { free: 20, capMs: 60_000 },
  address: { free: 100, capMs: 15 * 60_000 },
} as const satisfies Record<string, Rule>

/** Counts older than this are forgotten. */
const forgetAfterMs = 24 * 3600_000

/**
 * The wait after the `failures`-th failure: none within the free attempts, then 1 s doubling to the cap.
 *
 * @example
 * backoffMs(5, throttleRules.pair) // 1000: the fifth failure makes the sixth attempt wait a second
 * backoffMs(30, throttleRules.pair) // 900000: capped at 15 minutes
 */
export function backoffMs(failures: number, rule: Rule): number {
  if (failures < rule.free) return 0
  return Math.min(rule.capMs, 1000 * 2 ** Math.min(failures - rule.free, 30))
}

export type ThrottleKeys = { key: string; rule: Rule }[]

/** The keys of an attempt at `email` (normalised) from `address` (unknown in in-process tests). */
export function throttleKeys(email: string, address: string | undefined): ThrottleKeys {
  return [
    { key: `pair:${email}|${address ?? 'unknown'}`, rule: throttleRules.pair },
    { key: `account:${email}`, rule: throttleRules.account },
    ...(address ? [{ key: `address:${address}`, rule: throttleRules.address }] : []),
  ]
}

/**
 * Count this attempt against every key, or refuse it with `rate_limited` (and
 * `details.retryAfterSeconds`) while any key is waiting out its back-off. A refused attempt is not
 * counted, so waiting is all it takes.
 */
export async function claimSignInAttempt(deps: Deps, keys: ThrottleKeys): Promise<void> {
  const now = deps.now()
  for (let tries = 0; ; tries++) {
    const claimed = await deps.db.transaction().execute(async (trx) => {
      const states = new Map((await findThrottles(trx, keys.map((k) => k.key))).map((s) => [s.key, s]))
      let waitMs = 0
      for (const { key } of keys) {
        const state = states.get(key)
        if (state && now.getTime() - new Date(state.updatedAt).getTime() < forgetAfterMs) waitMs = Math.max(waitMs, new Date(state.nextAttemptAt).getTime() - now.getTime())
      }
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000)
        throw rateLimited('Too many failed sign-ins.', seconds)
      }
      for (const { key, rule } of keys) {
        const state = states.get(key)
        const stale = state && now.getTime() - new Date(state.updatedAt).getTime() >= forgetAfterMs
        const failures = (state && !stale ? state.failures : 0) + 1
        const next = { failures, nextAttemptAt: new Date(now.getTime() + backoffMs(failures, rule)).toISOString(), updatedAt: now.toISOString() }
        if (!(await swapThrottle(trx, key, state ? state.failures : null, next))) return false
      }
      return true
    })
    if (claimed) return
    if (tries > 20) throw new ApiError('rate_limited', 'Too many sign-ins at once. Try again in a moment.', { retryAfterSeconds: 1 })
  }
}

/**
 * A successful sign-in forgives this email's failures (from this address, and overall), and takes
 * back its own count from the address (whose other failures stay: one account's success must not
 * reset a spray of guesses at others).
 */
export async function forgiveSignIn(deps: Deps, keys: ThrottleKeys): Promise<void> {
  await deleteThrottles(deps.db, keys.filter((k) => !k.key.startsWith('address:')).map((k) => k.key))
  for (const { key } of keys.filter((k) => k.key.startsWith('address:'))) await uncountThrottle(deps.db, key)
  await deleteThrottlesBefore(deps.db, new Date(deps.now().getTime() - forgetAfterMs))
}
