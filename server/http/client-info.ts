/**
 * Who is on the other end, as far as the server can know: the client's address, whether the
 * connection is HTTPS, and the public address participants use. Behind a reverse proxy (how
 * hospitals deploy), the TCP peer is the proxy: only when `trustProxy` is set are X-Forwarded-For and
 * X-Forwarded-Proto believed, since anyone can send them to a server reached directly.
 */
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'

export type ClientInfo = {
  /** The client's IP address; undefined when not served by Node (in-process tests). */
  address: string | undefined
  /** Whether the client reached us over HTTPS (directly, or at a trusted proxy). */
  https: boolean
  /** BALINT_BASE_URL without a trailing slash: the only origin participant links are built on. */
  baseUrl: string
  /** Whether cookies get `Secure`: the public address is https, or this request came over HTTPS. */
  secureCookies: boolean
}

export type ClientEnv = { Variables: { client: ClientInfo } }

function peerAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined // not served by Node (app.request in tests)
  }
}

/**
 * Sets `c.var.client`. With `trustProxy`, the address is the last X-Forwarded-For entry (the one
 * our proxy appended; earlier entries are whatever the client claimed) and the scheme is the
 * proxy's X-Forwarded-Proto.
 *
 * @param options.baseUrl - the public address; when absent (tests), the request's own origin
 */
export function clientInfo(options: { baseUrl?: string; trustProxy?: boolean }): MiddlewareHandler<ClientEnv> {
  return createMiddleware<ClientEnv>(async (c, next) => {
    const url = new URL(c.req.url)
    let address = peerAddress(c)
    let https = url.protocol === 'https:'
    if (options.trustProxy) {
      const forwardedFor = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean)
      if (forwardedFor?.length) address = forwardedFor[forwardedFor.length - 1]
      const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
      if (proto) https = proto === 'https'
    }
    const baseUrl = (options.baseUrl ?? url.origin).replace(/\/+$/, '')
    c.set('client', { address, https, baseUrl, secureCookies: https || baseUrl.startsWith('https:') })
    await next()
  })
}
