/** Staff sign-in: first-run set-up, sign in, who am I, sign out. */
import { Hono } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { getCookie } from 'hono/cookie'
import type { Context } from 'hono'
import { setupBody, signInBody, type Me } from '../contracts/staff'
import { listRolesOfUser } from '../db/repositories/staff'
import { csrfTokenFor, normaliseEmail, setUpFirstAdmin, signIn, signOut, type SignedIn } from '../domain/staff/auth'
import type { Deps } from '../domain/deps'
import { clearSessionCookie, FailureLimiter, sessionCookie, setSessionCookie, staffOf, type StaffEnv } from '../http/auth'
import { ApiError } from '../domain/errors'
import { jsonBody } from '../http/validate'

function clientAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined // not served by Node (app.request in tests)
  }
}

const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:'

async function me(deps: Deps, user: SignedIn['user'], csrfToken: string): Promise<Me> {
  const roles = await listRolesOfUser(deps.db, user.id)
  return { user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin }, roles, csrfToken }
}

/**
 * Failed sign-ins are limited per email (10 in 15 minutes) and, more loosely, per address (100): a
 * hospital's staff often share one address, and one person's typos must not lock out the ward.
 */
export function authRoutes(deps: Deps, limiters = { email: new FailureLimiter(10), address: new FailureLimiter(100) }) {
  return new Hono<StaffEnv>()
    .get('/me', async (c) => {
      const staff = staffOf(c)
      return c.json(await me(deps, staff.user, csrfTokenFor(getCookie(c, sessionCookie)!)), 200)
    })
    .post('/setup', jsonBody(setupBody), async (c) => {
      const signedIn = await setUpFirstAdmin(deps, c.req.valid('json'))
      setSessionCookie(c, signedIn, isHttps(c))
      return c.json(await me(deps, signedIn.user, signedIn.csrfToken), 201)
    })
    .post('/sign-in', jsonBody(signInBody), async (c) => {
      const body = c.req.valid('json')
      const address = clientAddress(c)
      const emailKeys = [`email:${normaliseEmail(body.email)}`]
      const addressKeys = address ? [`ip:${address}`] : []
      const now = deps.now().getTime()
      const wait = Math.max(limiters.email.blockedFor(emailKeys, now), limiters.address.blockedFor(addressKeys, now))
      if (wait > 0) {
        c.header('Retry-After', String(wait))
        throw new ApiError('rate_limited', `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minutes.`, { retryAfterSeconds: wait })
      }
      try {
        const signedIn = await signIn(deps, body)
        limiters.email.succeed(emailKeys)
        setSessionCookie(c, signedIn, isHttps(c))
        return c.json(await me(deps, signedIn.user, signedIn.csrfToken), 200)
      } catch (error) {
        if (error instanceof ApiError && error.code === 'unauthorized') {
          limiters.email.fail(emailKeys, now)
          limiters.address.fail(addressKeys, now)
        }
        throw error
      }
    })
    .post('/sign-out', async (c) => {
      await signOut(deps, staffOf(c))
      clearSessionCookie(c)
      return c.json({ ok: true }, 200)
    })
}
