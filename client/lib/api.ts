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

export { errorOf, type ApiErrorBody } from './api-error'
