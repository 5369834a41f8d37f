/**
 * The single way the client talks to the server: Hono's typed client over the server's AppType.
 */
import { hc } from 'hono/client'
import type { AppType } from '../../server/app'

let csrfToken: string | undefined

/** The staff session's CSRF token, sent with every request once signed in (from /api/auth/me or sign-in). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token
}

export const api = hc<AppType>(window.location.origin, {
  headers: (): Record<string, string> => (csrfToken ? { 'x-csrf-token': csrfToken } : {}),
}).api

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
