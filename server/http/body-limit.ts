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
