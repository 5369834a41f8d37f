/**
 * Validation at the edge: request bodies and parameters are parsed with zod once, here; inside, the
 * types are trusted. Malformed JSON is a 400; JSON of the wrong shape is a 422 naming each field.
 */
import { validator } from 'hono/validator'
import type { ZodType, z } from 'zod'
import { ApiError, parseOr422 } from '../domain/errors'

/** The media types Hono's JSON validator parses: application/json and application/*+json. */
const jsonMediaType = /^application\/([\w.-]+\+)?json$/i

/**
 * Validate a JSON body against a zod schema. Hono's validator has already parsed the JSON (a
 * malformed body never reaches here: `onError` answers it with a 400). A body sent without a JSON
 * Content-Type is not parsed by Hono at all and arrives here as `{}`; it is a 400 too, rather than a
 * 422 listing every field as missing, which would hide the real mistake.
 */
export function jsonBody<T extends ZodType>(schema: T) {
  return validator('json', (value, c) => {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim()
    if (!jsonMediaType.test(mediaType)) throw new ApiError('invalid_request', 'Send the body as JSON with Content-Type: application/json.')
    return parseOr422(schema, value) as z.infer<T>
  })
}

/** Validate path parameters. Parameters that do not fit are a 404: the thing named does not exist. */
export function pathParams<T extends ZodType>(schema: T) {
  return validator('param', (value) => {
    const result = schema.safeParse(value)
    if (!result.success) throw new ApiError('not_found', 'Not found.')
    return result.data as z.infer<T>
  })
}

/** Validate the query string; a value that does not fit is a 422 naming the parameter. */
export function queryParams<T extends ZodType>(schema: T) {
  return validator('query', (value) => parseOr422(schema, value) as z.infer<T>)
}
