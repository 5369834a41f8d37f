/**
 * The real server (built client, migrations, shipped instruments) over a temporary SQLite file on a
 * free loopback port, for browser tests.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { loadConfig } from '../../../server/config'
import { startServer } from '../../../server/index'

export async function startTestServer() {
  const dir = mkdtempSync(join(tmpdir(), 'balint-e2e-'))
  const config = { ...loadConfig({ PORT: '0' }), dbPath: join(dir, 'balint.sqlite'), instrumentsDir: join(dir, 'instruments'), port: 0, host: '127.0.0.1' }
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
