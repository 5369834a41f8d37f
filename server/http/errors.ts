/**
 * The HTTP status of each domain error code. The domain names what went wrong
 * (`server/domain/errors.ts`); only this layer knows how HTTP says it.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ApiError, ErrorCode } from '../domain/errors'

export const errorStatus = {
  invalid_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  link_not_found: 404,
  link_replaced: 410,
  conflict: 409,
  already_complete: 409,
  wave_not_open: 409,
  withdrawn: 409,
  consent_required: 409,
  disclosure_risk: 409,
  waves_overlap: 409,
  wave_has_answers: 409,
  instruments_have_answers: 409,
  payload_too_large: 413,
  validation_failed: 422,
  rate_limited: 429,
  internal_error: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>

/** The status an `ApiError` is answered with. */
export function statusOf(error: ApiError): ContentfulStatusCode {
  return errorStatus[error.code]
}
