/**
 * The API's error shape (`{ error: { code, message, details? } }`, server/http/errors.ts), read from a
 * failed response. Apart from client/lib/api.ts, which reads the page's origin as it loads, so that
 * code reading replies runs outside a page too (the outbox's server-side suites).
 */
export type ApiErrorBody = { error: { code: string; message: string; details?: unknown } }

/** The error body of a failed response, or a generic one when the body is not ours. */
export async function errorOf(response: Response): Promise<ApiErrorBody['error']> {
  try {
    const body = (await response.json()) as ApiErrorBody
    if (body?.error?.code) return body.error
  } catch {
    // fall through
  }
  return { code: `http_${response.status}`, message: response.statusText }
}
