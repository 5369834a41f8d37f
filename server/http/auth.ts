/**
 * Staff sessions over HTTP: the session cookie, CSRF protection for every state-changing request,
 * and the guard that makes a route staff-only.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { LiveSession } from '../db/repositories/staff'
import { csrfTokenFor, resolveSession, sessionIdleMs, type SignedIn } from '../domain/staff/auth'
import type { Deps } from '../domain/deps'
import { ApiError } from '../domain/errors'

export const sessionCookie = 'balint_session'

export type StaffEnv = { Variables: { staff: LiveSession | undefined } }

const unsafeMethod = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method)

/**
 * Loads the staff session from its cookie. A state-changing request made with a session must carry
 * the session's CSRF token in `X-CSRF-Token`: another site can make a browser send our cookie, but it
 * cannot read the token.
 */
export function staffSession(deps: Deps): MiddlewareHandler<StaffEnv> {
  return createMiddleware<StaffEnv>(async (c, next) => {
    const token = getCookie(c, sessionCookie)
    const session = token ? await resolveSession(deps, token) : undefined
    if (session && unsafeMethod(c.req.method) && c.req.header('x-csrf-token') !== csrfTokenFor(token!)) {
      throw new ApiError('forbidden', 'This request is missing its CSRF token. Reload the page and try again.')
    }
    c.set('staff', session)
    // The server slides the session's expiry with use; the cookie's lifetime slides with it.
    if (session?.extended) setCookie(c, sessionCookie, token!, cookieOptions(new URL(c.req.url).protocol === 'https:'))
    await next()
  })
}

/** The signed-in staff member, or a 401. */
export function staffOf(c: Context<StaffEnv>): LiveSession {
  const staff = c.get('staff')
  if (!staff) throw new ApiError('unauthorized', 'Please sign in.')
  return staff
}

function cookieOptions(secure: boolean) {
  return { httpOnly: true, sameSite: 'Strict', secure, path: '/', maxAge: Math.floor(sessionIdleMs / 1000) } as const
}

export function setSessionCookie(c: Context, signedIn: SignedIn, secure: boolean): void {
  setCookie(c, sessionCookie, signedIn.sessionToken, cookieOptions(secure))
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, sessionCookie, { path: '/' })
}

/**
 * Counts failed sign-ins per key (the email, and the client's address when known) in this process.
 * After `limit` failures within `windowMs`, further attempts are refused until the window passes.
 */
export class FailureLimiter {
  readonly #failures = new Map<string, { count: number; resetAt: number }>()
  constructor(
    readonly limit = 10,
    readonly windowMs = 15 * 60 * 1000,
  ) {}

  /** Seconds until attempts are allowed again, or 0 when they are allowed now. */
  blockedFor(keys: string[], now: number): number {
    let wait = 0
    for (const key of keys) {
      const entry = this.#failures.get(key)
      if (entry && entry.resetAt > now && entry.count >= this.limit) wait = Math.max(wait, Math.ceil((entry.resetAt - now) / 1000))
    }
    return wait
  }

  fail(keys: string[], now: number): void {
    // Forget windows that have passed, so a stream of made-up emails cannot grow the map for ever.
    if (this.#failures.size > 10_000) for (const [key, entry] of this.#failures) if (entry.resetAt <= now) this.#failures.delete(key)
    for (const key of keys) {
      const entry = this.#failures.get(key)
      if (!entry || entry.resetAt <= now) this.#failures.set(key, { count: 1, resetAt: now + this.windowMs })
      else entry.count++
    }
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.#failures.delete(key)
  }
}
