/**
 * One log line per request: method, path with its secrets replaced, status, duration. Never the
 * body, the query string, cookies or headers: answers, passwords and tokens stay out of the log.
 */
import type { MiddlewareHandler } from 'hono'
import type { Logger } from '../logger'

/** Path segments after these hold a secret token (a participant's link, a set-up or password link). */
const tokenBefore = new Set(['p', 'setup', 'reset', 'password-link'])

/**
 * The path with every token replaced by `:token`.
 *
 * @example
 * redactPath('/api/p/3q2-Xa…/forms/pre/phq-9/draft') // => '/api/p/:token/forms/pre/phq-9/draft'
 */
export function redactPath(path: string): string {
  const segments = path.split('/')
  return segments.map((segment, i) => (i > 0 && tokenBefore.has(segments[i - 1]!) && segment !== '' ? ':token' : segment)).join('/')
}

export function requestLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now()
    await next()
    const path = redactPath(c.req.path)
    logger.info({ method: c.req.method, path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request')
  }
}
