/**
 * Validation at the edge: request bodies and parameters are parsed with zod once, here; inside, the
 * types are trusted. Malformed JSON is a 400; JSON of the wrong shape is a 422 naming each field.
 */
import { validator } from 'hono/validator'
import type { ZodType, z } from 'zod'
import { ApiError, parseOr422 } from './errors'

/**
 * Validate a JSON body against a zod schema. Hono's validator has already parsed the JSON (a
 * malformed body or a wrong Content-Type never reaches here: `onError` answers it with a 400).
 */
export function jsonBody<T extends ZodType>(schema: T) {
  return validator('json', (value) => parseOr422(schema, value) as z.infer<T>)
}

/** Validate path parameters. Parameters that do not fit are a 404: the thing named does not exist. */
export function pathParams<T extends ZodType>(schema: T) {
  return validator('param', (value) => {
    const result = schema.safeParse(value)
    if (!result.success) throw new ApiError('not_found', 'Not found.')
    return result.data as z.infer<T>
  })
}
