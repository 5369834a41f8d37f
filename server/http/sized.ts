/**
 * The `Content-Length` of a JSON reply, for `c.json(body, status, sized(body))`.
 *
 * Why: `compress()` (server/app.ts) leaves a reply below its 1 KiB threshold uncompressed only when
 * the reply says its length, and `c.json` says none. Without it every save's 100-byte reply was
 * gzipped: a third of the server's CPU per save (issue 16), for a body that gzip makes no smaller.
 * A body of 1 KiB or more is still compressed (compress drops the length it replaces).
 *
 * @example
 * return c.json(saved, 200, sized(saved)) // { 'Content-Length': '87' }
 */
export function sized(body: unknown): { 'Content-Length': string } {
  return { 'Content-Length': String(Buffer.byteLength(JSON.stringify(body))) }
}
