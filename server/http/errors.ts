/**
 * One error type and one error shape for every non-2xx response (free of Hono, so domain code can
 * throw it):
 * `{ "error": { "code": "snake_case", "message": "...", "details"?: ... } }`.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ZodType, z } from 'zod'

/** Every error code the API uses, and its status. */
export const errorStatus = {
  invalid_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  link_not_found: 404,
  conflict: 409,
  already_complete: 409,
  wave_not_open: 409,
  withdrawn: 409,
  consent_required: 409,
  payload_too_large: 413,
  validation_failed: 422,
  rate_limited: 429,
  internal_error: 500,
} as const satisfies Record<string, ContentfulStatusCode>

export type ErrorCode = keyof typeof errorStatus

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

  get status(): ContentfulStatusCode {
    return errorStatus[this.code]
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } }
  }
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

