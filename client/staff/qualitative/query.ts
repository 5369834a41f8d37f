/**
 * Some routes read their query string themselves (`parseOr422(schema, c.req.query())`) instead of
 * through a validator, so the typed client does not list it, though it sends `query` all the same.
 * This adds one to a request's arguments, in one place rather than a cast at every call.
 *
 * @example
 * call(api.studies[':id'].codes.$get(withQuery({ param: { id } }, { include: 'retired' })))
 */
export function withQuery<A extends object>(args: A, query: Record<string, string>): A {
  return Object.assign({}, args, { query })
}
