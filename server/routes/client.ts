/**
 * The built client pages (dist/client, from `vite build`). The participant's page is its own
 * bundle: a phone opening a personal link never downloads the staff pages, and staff pages never
 * load SurveyJS.
 */
import { Hono } from 'hono'
import { serveStatic } from '@hono/node-server/serve-static'
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { inlinedStateId } from '../contracts/participant-page'

/**
 * The participant's state as JSON that can sit inside the page's HTML: `<`, `>`, `&` and the two
 * line separators JavaScript reads as line ends are escaped, so no answer a participant typed (an
 * "Other" text such as `</script>`) can end the element or be read as markup.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}


/**
 * @param options.participantState - the state a participant's link shows, or undefined for a link that
 *   shows none (unknown, revoked, replaced). The first visit's page carries it, so a phone on a slow
 *   connection does not wait for a second round trip before the first question (issue 16). Only a
 *   browser opening the page gets it (`Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`): mail
 *   scanners and link previews fetch links sent by email and SMS from their own servers, and must get
 *   no answers. The page is never stored (`no-store`), and the service worker's copy of the page is the
 *   one without state.
 */
export function clientRoutes(clientDir?: string, options: { participantState?: (token: string) => Promise<unknown> } = {}) {
  const routes = new Hono()
  if (!clientDir || !existsSync(join(clientDir, 'staff/index.html'))) return routes
  const page = (file: string) => readFileSync(join(clientDir, file), 'utf8')
  const participantPage = page('participant/index.html')
  const staffPage = page('staff/index.html')
  const serviceWorker = existsSync(join(clientDir, 'participant-sw.js')) ? page('participant-sw.js') : null
  const root = relative(process.cwd(), clientDir) || '.'
  return routes
    .use(
      '/assets/*',
      serveStatic({
        root,
        // File names carry a content hash, so they can be cached for good.
        onFound: (_path, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable'),
      }),
    )
    // The participant page's service worker (vite.config.ts): served under /p/ so that its scope,
    // and every page it can control, is the participant's pages only. Never cached by the browser's
    // HTTP cache, so a new build's worker is found at the next visit.
    .get('/p/sw.js', (c) => {
      if (!serviceWorker) return c.notFound()
      c.header('Cache-Control', 'no-cache')
      c.header('Content-Type', 'text/javascript; charset=utf-8')
      return c.body(serviceWorker)
    })
    .get('/p/:token', async (c) => {
      c.header('Cache-Control', 'no-store')
      const navigation = c.req.header('sec-fetch-mode') === 'navigate' && c.req.header('sec-fetch-dest') === 'document'
      const state = navigation ? await options.participantState?.(c.req.param('token')) : undefined
      if (state === undefined) return c.html(participantPage)
      // A function, not a string: a `$&` in an answer must not be read as a replacement pattern.
      return c.html(participantPage.replace('</head>', () => `<script type="application/json" id="${inlinedStateId}">${jsonForHtml(state)}</script></head>`))
    })
    // Every other page is the staff app, which routes in the browser (sign-in, studies, cohorts …).
    .get('*', (c) => {
      if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/assets/')) return c.notFound()
      c.header('Cache-Control', 'no-store')
      return c.html(staffPage)
    })
}
