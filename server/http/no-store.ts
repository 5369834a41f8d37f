/**
 * `Cache-Control: no-store` on every API response: what the API returns is personal data (answers,
 * participant codes, staff emails, audit entries) or a secret (the CSRF token), and no browser or
 * proxy may keep a copy of it: a ward computer is shared, and its disk cache outlives sign-out.
 * A route that says otherwise keeps its own header.
 *
 * @example
 * new Hono().use(noStore()).get('/me', (c) => c.json(me, 200)) // Cache-Control: no-store
 */
import type { MiddlewareHandler } from 'hono'

export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    if (!c.res.headers.has('cache-control')) c.res.headers.set('Cache-Control', 'no-store')
  }
}
