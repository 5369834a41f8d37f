/**
 * The built client pages (dist/client, from `vite build`). The participant's page is its own
 * bundle: a phone opening a personal link never downloads the staff pages, and staff pages never
 * load SurveyJS.
 */
import { Hono } from 'hono'
import { serveStatic } from '@hono/node-server/serve-static'
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export function clientRoutes(clientDir?: string) {
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
    .get('/p/:token', (c) => {
      c.header('Cache-Control', 'no-store')
      return c.html(participantPage)
    })
    // Every other page is the staff app, which routes in the browser (sign-in, studies, cohorts …).
    .get('*', (c) => {
      if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/assets/')) return c.notFound()
      c.header('Cache-Control', 'no-store')
      return c.html(staffPage)
    })
}
