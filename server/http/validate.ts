/**
 * Validation at the edge: request bodies and parameters are parsed with zod once, here; inside, the
 * types are trusted. Malformed JSON is a 400; JSON of the wrong shape is a 422 naming each field; a
 * NUL character anywhere is a 422 too (a 404 in a path), on SQLite and PostgreSQL alike.
 */
import { validator } from 'hono/validator'
import type { ZodType, z } from 'zod'
import { ApiError, parseOr422 } from '../domain/errors'

/**
 * Where a NUL character (U+0000) is in a parsed JSON value: the field path of a string, or of
 * a key, that holds one (`''` for the value itself), or undefined when there is none.
 *
 * Why: PostgreSQL's text cannot hold U+0000, so a string with one made every route that stores it a
 * 500 there (while SQLite stored it). No name, answer or transcript needs it: it is refused at the
 * edge, the same way on both engines. The walk keeps its own stack, so deeply nested JSON cannot
 * overflow the call stack.
 *
 * @example
 * nulCharacterAt({ name: 'a\u0000b' }) // 'name'
 * nulCharacterAt({ tags: ['ok', 'x\u0000'] }) // 'tags.1'
 */
export function nulCharacterAt(value: unknown): string | undefined {
  // Each entry knows its parent and key; the path is spelled out only for the one that is found.
  type Entry = { value: unknown; key: string; parent: Entry | undefined }
  const pathOf = (entry: Entry | undefined): string => {
    const keys: string[] = []
    for (let e = entry; e?.parent; e = e.parent) keys.push(e.key)
    return keys.reverse().join('.')
  }
  const pending: Entry[] = [{ value, key: '', parent: undefined }]
  while (pending.length > 0) {
    const entry = pending.pop()!
    if (typeof entry.value === 'string') {
      if (entry.value.includes('\u0000')) return pathOf(entry)
    } else if (entry.value !== null && typeof entry.value === 'object') {
      for (const [key, child] of Object.entries(entry.value)) {
        const childEntry = { value: child, key, parent: entry }
        if (key.includes('\u0000')) return pathOf(childEntry)
        pending.push(childEntry)
      }
    }
  }
  return undefined
}

const nulMessage = 'must not contain the NUL character (U+0000)'

/**
 * The parsed JSON `value` with every U+0000 taken out of its strings (not its keys), in place:
 * for a participant's answers, where a refusal would only hold back the form's other answers (a
 * pasted text's NUL is no part of what they said). Walks without recursion, as nulCharacterAt.
 *
 * @example
 * stripNulCharacters({ answers: [{ value: 'a\u0000b' }] }) // { answers: [{ value: 'ab' }] }
 */
export function stripNulCharacters<T>(value: T): T {
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const node = pending.pop()
    if (node === null || typeof node !== 'object') continue
    const entries = node as Record<string, unknown>
    for (const key of Object.keys(entries)) {
      const child = entries[key]
      if (typeof child === 'string') {
        if (child.includes('\u0000')) entries[key] = child.replaceAll('\u0000', '')
      } else pending.push(child)
    }
  }
  return typeof value === 'string' ? (value.replaceAll('\u0000', '') as T) : value
}

/** The media types Hono's JSON validator parses: application/json and application/*+json. */
const jsonMediaType = /^application\/([\w.-]+\+)?json$/i

/**
 * Validate a JSON body against a zod schema. A NUL character anywhere is a 422 naming where it is;
 * with `nulInValues: 'strip'` (a participant's answers) a NUL in a string value is taken out instead
 * (stripNulCharacters), and one in a key is still refused. Hono's validator has already parsed the JSON (a
 * malformed body never reaches here: `onError` answers it with a 400). A body sent without a JSON
 * Content-Type is not parsed by Hono at all and arrives here as `{}`; it is a 400 too, rather than a
 * 422 listing every field as missing, which would hide the real mistake.
 */
export function jsonBody<T extends ZodType>(schema: T, options: { nulInValues?: 'refuse' | 'strip' } = {}) {
  return validator('json', (value, c) => {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim()
    if (!jsonMediaType.test(mediaType)) throw new ApiError('invalid_request', 'Send the body as JSON with Content-Type: application/json.')
    if (options.nulInValues === 'strip') stripNulCharacters(value)
    const nulAt = nulCharacterAt(value)
    if (nulAt !== undefined) throw new ApiError('validation_failed', `${nulAt || 'body'}: ${nulMessage}`, [{ field: nulAt || 'body', message: nulMessage }])
    return parseOr422(schema, value) as z.infer<T>
  })
}

/** Validate path parameters. Parameters that do not fit are a 404: the thing named does not exist. */
export function pathParams<T extends ZodType>(schema: T) {
  return validator('param', (value) => {
    // No id or token holds a NUL character; PostgreSQL could not even compare one (see nulCharacterAt).
    if (nulCharacterAt(value) !== undefined) throw new ApiError('not_found', 'Not found.')
    const result = schema.safeParse(value)
    if (!result.success) throw new ApiError('not_found', 'Not found.')
    return result.data as z.infer<T>
  })
}

/** Validate the query string; a value that does not fit is a 422 naming the parameter. */
export function queryParams<T extends ZodType>(schema: T) {
  return validator('query', (value) => {
    const nulAt = nulCharacterAt(value)
    if (nulAt !== undefined) throw new ApiError('validation_failed', `${nulAt}: ${nulMessage}`, [{ field: nulAt, message: nulMessage }])
    return parseOr422(schema, value) as z.infer<T>
  })
}
