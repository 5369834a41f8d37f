/** Account administration by administrators: disable, enable, administrator rights, sessions, password links. */
import { Hono } from 'hono'
import { z } from 'zod'
import { updateStaffUserBody } from '../contracts/staff'
import { endSessionsOf, passwordLinkUrl, resetPassword, updateAccount } from '../domain/staff/accounts'
import type { Deps } from '../domain/deps'
import { staffOf, type StaffEnv } from '../http/auth'
import { jsonBody, pathParams } from '../http/validate'

const idParam = z.object({ id: z.string().min(1).max(64) })

export function accountRoutes(deps: Deps) {
  return new Hono<StaffEnv>()
    .patch('/staff-users/:id', pathParams(idParam), jsonBody(updateStaffUserBody), async (c) => {
      return c.json(await updateAccount(deps, staffOf(c).user, c.req.valid('param').id, c.req.valid('json')), 200)
    })
    .delete('/staff-users/:id/sessions', pathParams(idParam), async (c) => {
      return c.json(await endSessionsOf(deps, staffOf(c).user, c.req.valid('param').id), 200)
    })
    // The link is shown this once, for the administrator to pass on; only its hash is stored.
    .post('/staff-users/:id/password-link', pathParams(idParam), async (c) => {
      const { token, expiresAt, user } = await resetPassword(deps, staffOf(c).user, c.req.valid('param').id)
      return c.json({ userId: user.id, email: user.email, link: passwordLinkUrl(c.get('client').baseUrl, token), expiresAt }, 201)
    })
}
