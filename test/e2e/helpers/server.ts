/**
 * The real server (built client, migrations, shipped instruments) over a temporary SQLite file on a
 * free loopback port, for browser tests.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { loadConfig, type Config } from '../../../server/config'
import { startServer } from '../../../server/index'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchBrowser } from './browser'

/** `overrides`: settings beyond the defaults, such as an SMTP server (`smtp`) and a faster job runner. */
export async function startTestServer(overrides: Partial<Config> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'balint-e2e-'))
  const config = { ...loadConfig({ PORT: '0' }), dbPath: join(dir, 'balint.sqlite'), instrumentsDir: join(dir, 'instruments'), port: 0, host: '127.0.0.1', ...overrides }
  const running = await startServer(config)
  const { port } = running.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`
  return {
    ...running,
    baseUrl,
    deps: { db: running.db, instruments: running.instruments, now: () => new Date() },
    stop: async () => {
      await running.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>

/**
 * Start the server and Chromium before a file's tests and close both after them. `ready` receives
 * them, so each file keeps its own `server` and `browser` variables.
 *
 * @example
 * let server: TestServer
 * let browser: Browser
 * useServerAndBrowser((s, b) => ((server = s), (browser = b)))
 */
export function useServerAndBrowser(ready: (server: TestServer, browser: Browser) => void, overrides: () => Partial<Config> = () => ({})): void {
  let server: TestServer | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    server = await startTestServer(overrides())
    browser = await launchBrowser()
    ready(server, browser)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })
}

/** The calendar date `offset` days from today (UTC), as `YYYY-MM-DD` for a wave's dates. */
export const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10)
