/**
 * One error type and one error shape for every non-2xx response (free of HTTP: domain code throws it,
 * and `server/http/` turns its code into a status):
 * `{ "error": { "code": "snake_case", "message": "...", "details"?: ... } }`.
 */
import type { ZodType, z } from 'zod'

/**
 * Every error code the platform uses. `server/http/errors.ts` maps each to its HTTP status; the
 * domain only names what went wrong.
 */
export const errorCodes = [
  'invalid_json',
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'link_not_found',
  'link_replaced',
  'conflict',
  'already_complete',
  'wave_not_open',
  'withdrawn',
  'consent_required',
  'disclosure_risk',
  'waves_overlap',
  'wave_has_answers',
  'instruments_have_answers',
  'payload_too_large',
  'validation_failed',
  'rate_limited',
  'internal_error',
] as const

export type ErrorCode = (typeof errorCodes)[number]

export type ErrorBody = { error: { code: ErrorCode; message: string; details?: unknown } }

/** Throw this anywhere below a route; `onError` turns it into the JSON shape above. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } }
  }
}

/**
 * A `rate_limited` refusal: its message says when to try again in words ("1 second", "45 seconds",
 * "3 minutes" from 120 s on, rounded up), and `details.retryAfterSeconds` gives the seconds.
 */
export function rateLimited(reason: string, seconds: number): ApiError {
  const wait = seconds < 120 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`
  return new ApiError('rate_limited', `${reason} Try again in ${wait}.`, { retryAfterSeconds: seconds })
}

/** A field that failed validation: its path (`answers.phq9_3`) and why. */
export type FieldProblem = { field: string; message: string }

export function fieldProblems(issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[], prefix = ''): FieldProblem[] {
  return issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.')
    // An unknown key is reported on the key itself, so the message names the field.
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys.map((key) => ({ field: [path, key].filter(Boolean).join('.'), message: 'is not a field of this form' }))
    }
    return [{ field: path || '(body)', message: issue.message }]
  })
}

/** Throw a 422 listing every problem, or return the parsed value. */
export function parseOr422<T extends ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const details = fieldProblems(result.error.issues, prefix)
  const first = details[0]!
  throw new ApiError('validation_failed', `${first.field}: ${first.message}`, details)
}

