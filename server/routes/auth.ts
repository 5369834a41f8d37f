/**
 * Staff sign-in: first-run set-up, sign in, who am I, sign out, changing one's password and choosing
 * one with a one-time link.
 */
import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import { z } from 'zod'
import { changePasswordBody, passwordLinkBody, setupBody, signInBody, type Me } from '../contracts/staff'
import { listRolesOfUser } from '../db/repositories/staff'
import { changeOwnPassword, passwordLinkOwner, setPasswordWithLink } from '../domain/staff/accounts'
import { csrfTokenFor, setUpFirstAdmin, signIn, signOut, type SignedIn } from '../domain/staff/auth'
import type { Deps } from '../domain/deps'
import { clearSessionCookie, endReplacedSession, sessionCookieName, setSessionCookie, staffOf, type StaffEnv } from '../http/auth'
import { jsonBody, pathParams } from '../http/validate'

async function me(deps: Deps, user: SignedIn['user'], csrfToken: string): Promise<Me> {
  const roles = await listRolesOfUser(deps.db, user.id)
  return { user: { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin }, roles, csrfToken }
}

/** Sign-in is throttled per email and address in the database: see server/domain/staff/throttle.ts. */
export function authRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .get('/me', async (c) => {
      const staff = staffOf(c)
      return c.json(await me(deps, staff.user, csrfTokenFor(getCookie(c, sessionCookieName(c))!)), 200)
    })
    .post('/setup', jsonBody(setupBody), async (c) => {
      const signedIn = await setUpFirstAdmin(deps, c.req.valid('json'))
      await endReplacedSession(deps, c)
      setSessionCookie(c, signedIn)
      return c.json(await me(deps, signedIn.user, signedIn.csrfToken), 201)
    })
    .post('/sign-in', jsonBody(signInBody), async (c) => {
      const signedIn = await signIn(deps, c.req.valid('json'), c.get('client')?.address)
      await endReplacedSession(deps, c)
      setSessionCookie(c, signedIn)
      return c.json(await me(deps, signedIn.user, signedIn.csrfToken), 200)
    })
    .post('/sign-out', async (c) => {
      await signOut(deps, staffOf(c))
      clearSessionCookie(c)
      return c.json({ ok: true }, 200)
    })
    // One's own password: every other session of the account ends.
    .post('/password', jsonBody(changePasswordBody), async (c) => {
      const changed = await changeOwnPassword(deps, staffOf(c), c.req.valid('json'), c.get('client')?.address)
      return c.json(changed, 200)
    })
    // The one-time link an administrator made (or the CLI printed): whose account, then the new password.
    .get('/password-link/:token', pathParams(z.object({ token: z.string().min(1).max(100) })), async (c) => {
      return c.json(await passwordLinkOwner(deps, c.req.valid('param').token), 200)
    })
    .post('/password-link', jsonBody(passwordLinkBody), async (c) => {
      const signedIn = await setPasswordWithLink(deps, c.req.valid('json'))
      await endReplacedSession(deps, c)
      setSessionCookie(c, signedIn)
      return c.json(await me(deps, signedIn.user, signedIn.csrfToken), 200)
    })
}
