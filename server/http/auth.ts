/**
 * Staff sessions over HTTP: the session cookie, CSRF protection for every state-changing request,
 * and the guard that makes a route staff-only.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { matchedRoutes } from 'hono/route'
import type { LiveSession } from '../db/repositories/staff'
import { csrfTokenFor, resolveSession, sessionAbsoluteMs, sessionIdleMs, signOut, type SignedIn } from '../domain/staff/auth'
import type { Deps } from '../domain/deps'
import { ApiError } from '../domain/errors'
import type { ClientInfo } from './client-info'

export const sessionCookie = 'balint_session'

/**
 * The session cookie's name for this request: `__Host-balint_session` when cookies are `Secure`
 * (https; `ClientInfo.secureCookies`), else `balint_session`. The `__Host-` prefix makes the browser
 * refuse the cookie unless it is Secure, has `Path=/` and names no Domain, so a neighbouring
 * subdomain of the hospital (or a page over plain http) cannot plant a session cookie of its own
 * choosing for ours (session fixation). Browsers support it everywhere (RFC 6265bis, §4.1.3.2). Over
 * https only the prefixed cookie is read: an unprefixed one there is ignored, whoever set it.
 */
export function sessionCookieName(c: Context): string {
  const client = c.get('client') as ClientInfo | undefined
  return client?.secureCookies ? `__Host-${sessionCookie}` : sessionCookie
}

export type StaffEnv = { Variables: { staff: LiveSession | undefined; client: ClientInfo; replacedSession?: LiveSession } }

/**
 * The requests that start a session (first-run set-up, sign-in, a password set with a one-time link).
 * A session already in the browser plays no part in them: they need no CSRF token (the page that
 * sends them never has one), and the session they replace is ended once the new one starts
 * (`endReplacedSession`), as on a ward computer where one person signs in after another.
 */
export const sessionStartingPaths: readonly string[] = ['/api/auth/setup', '/api/auth/sign-in', '/api/auth/password-link']

const unsafeMethod = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method)

/**
 * Loads the staff session from its cookie. A state-changing request made with a session must carry
 * the session's CSRF token in `X-CSRF-Token`: another site can make a browser send our cookie, but it
 * cannot read the token.
 */
export function staffSession(deps: Deps): MiddlewareHandler<StaffEnv> {
  return createMiddleware<StaffEnv>(async (c, next) => {
    const token = getCookie(c, sessionCookieName(c))
    const session = token ? await resolveSession(deps, token) : undefined
    if (session && c.req.method === 'POST' && sessionStartingPaths.includes(c.req.path)) {
      c.set('staff', undefined)
      c.set('replacedSession', session)
      return next()
    }
    if (session && unsafeMethod(c.req.method) && c.req.header('x-csrf-token') !== csrfTokenFor(token!)) {
      throw new ApiError('forbidden', 'This request is missing its CSRF token. Reload the page and try again.')
    }
    c.set('staff', session)
    // The server slides the session's expiry with use; the cookie's lifetime slides with it.
    if (session?.extended) setCookie(c, sessionCookieName(c), token!, cookieOptions(c, session.createdAt, deps.now()))
    await next()
  })
}

/**
 * Every staff route needs a session, checked before anything else: before the body is validated,
 * so an anonymous caller learns nothing about a route's schema from its 422s. Only the routes that
 * lead to a session are open: sign-in, first-run set-up and the one-time password link.
 */
export function requireSessionExcept(openPaths: string[]): MiddlewareHandler<StaffEnv> {
  // A path ending in "/" opens everything below it; any other is matched exactly.
  const open = (path: string) => openPaths.some((p) => path === p || (p.endsWith('/') && path.startsWith(p)))
  return createMiddleware<StaffEnv>(async (c, next) => {
    // Only where a route answers: a path or method nobody serves stays a 404 for everyone. The staff
    // pages' catch-all GET ('/*', server/routes/client.ts) answers every path, but under /api/ only
    // with a 404: it does not count.
    const routed = matchedRoutes(c).some((route) => route.method !== 'ALL' && route.path !== '/*')
    if (routed && !c.get('staff') && !open(c.req.path)) throw new ApiError('unauthorized', 'Please sign in.')
    await next()
  })
}

/**
 * End the session a session-starting request replaces (`sessionStartingPaths`), if the browser held
 * one: its cookie is overwritten by the new session's, and left live on the server it would be
 * anyone's who had copied the cookie. Call once the new session has started.
 */
export async function endReplacedSession(deps: Deps, c: Context<StaffEnv>): Promise<void> {
  const replaced = c.get('replacedSession')
  if (replaced) await signOut(deps, replaced)
}

/** The signed-in staff member, or a 401. */
export function staffOf(c: Context<StaffEnv>): LiveSession {
  const staff = c.get('staff')
  if (!staff) throw new ApiError('unauthorized', 'Please sign in.')
  return staff
}

/**
 * HttpOnly, SameSite=Strict, `Secure` (and named `__Host-…`: `sessionCookieName`) whenever the public
 * address is https or the request came over HTTPS; it lives until the idle timeout or the session's absolute end, whichever is sooner.
 */
function cookieOptions(c: Context, createdAt: string, now: Date) {
  const client = c.get('client') as ClientInfo | undefined
  const absoluteEnd = new Date(createdAt).getTime() + sessionAbsoluteMs
  const maxAgeMs = Math.max(0, Math.min(sessionIdleMs, absoluteEnd - now.getTime()))
  return { httpOnly: true, sameSite: 'Strict', secure: client?.secureCookies ?? false, path: '/', maxAge: Math.floor(maxAgeMs / 1000) } as const
}

export function setSessionCookie(c: Context, signedIn: SignedIn): void {
  setCookie(c, sessionCookieName(c), signedIn.sessionToken, cookieOptions(c, signedIn.createdAt, new Date(signedIn.createdAt)))
}

export function clearSessionCookie(c: Context): void {
  const client = c.get('client') as ClientInfo | undefined
  deleteCookie(c, sessionCookieName(c), { path: '/', secure: client?.secureCookies ?? false })
}
