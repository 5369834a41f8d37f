import { bodyLimit } from 'hono/body-limit'
import { ApiError } from '../domain/errors'

/**
 * Hono's body limit of `maxSize` bytes, refusing a larger body with 413 `payload_too_large` in the
 * API's error shape. A body sent without a Content-Length is read whole to be measured, so a large
 * limit belongs after the checks that say who may send it (routes/qualitative.ts, the .qdpx import).
 *
 * @example
 * app.use(bodyLimitOf(256 * 1024)) // "The request body is larger than 256 KiB."
 */
export function bodyLimitOf(maxSize: number) {
  const size = maxSize >= 1024 * 1024 ? `${Math.round(maxSize / 1024 / 1024)} MiB` : `${Math.round(maxSize / 1024)} KiB`
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('payload_too_large', `The request body is larger than ${size}.`)
    },
  })
}

/**
 * A Hono route path (`/api/cohorts/:id/import.qdpx`) as a RegExp matching the request paths it
 * routes: each `:name` one path segment, everything else literal. For a middleware that must treat
 * one route apart before routing has matched it (app.ts, the .qdpx import's body limit).
 *
 * @example
 * routePathPattern('/api/cohorts/:id/import.qdpx').test('/api/cohorts/c1/import.qdpx') // true
 */
export function routePathPattern(path: string): RegExp {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^${path.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : literal(part))).join('/')}$`)
}
