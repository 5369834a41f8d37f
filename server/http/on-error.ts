import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ApiError, type ErrorCode } from '../domain/errors'
import { statusOf } from './errors'
import { describeStorageError } from '../db/connection'
import { logger as defaultLogger, type Logger } from '../logger'
import { redactPath } from './request-log'

/**
 * The error's JSON body and status; a 429 (`rate_limited`) whose details give `retryAfterSeconds`
 * also says it in `Retry-After` (seconds, RFC 9110 §10.2.3), for every route that refuses so.
 */
function respond(c: Context, error: ApiError): Response {
  const wait = error.code === 'rate_limited' ? (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds : undefined
  if (typeof wait === 'number' && wait > 0) c.header('Retry-After', String(Math.ceil(wait)))
  return c.json(error.toBody(), statusOf(error))
}

/** The app's single error handler. Unknown errors are logged and answered with a 500 that leaks nothing. */
export function onError(error: Error, c: Context, logger: Logger = defaultLogger): Response {
  if (error instanceof ApiError) return respond(c, error)
  if (error instanceof HTTPException) {
    // Hono's own exceptions: its JSON validator rejects malformed bodies and wrong content types.
    if (/malformed json/i.test(error.message)) return respond(c, new ApiError('invalid_json', 'The request body is not valid JSON.'))
    if (/content-type/i.test(error.message)) return respond(c, new ApiError('invalid_request', 'Send the body as JSON with Content-Type: application/json.'))
    const code: ErrorCode = error.status === 413 ? 'payload_too_large' : error.status === 401 ? 'unauthorized' : error.status === 404 ? 'not_found' : 'invalid_request'
    return respond(c, new ApiError(code, error.message || code.replace(/_/g, ' ')))
  }
  // The cause in words (disk full, read-only, locked) beside the stack; never the request's body.
  logger.error({ err: error, cause: describeStorageError(error), method: c.req.method, path: redactPath(c.req.path) }, 'request failed')
  return c.json(new ApiError('internal_error', 'Something went wrong on the server. Nothing was saved from this request.').toBody(), 500)
}

export function notFound(c: Context): Response {
  return c.json(new ApiError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`).toBody(), 404)
}
