/**
 * The server's start-up when its port is taken: a clear reason, and nothing left held (found by a
 * newcomer's walk-through: Node's own EADDRINUSE stack trace, the writer lease held until stale).
 */
import { createServer, type AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config'
import { describeStartupError, ListenError, startServer } from '../../server/index'
import { testEngine } from '../helpers/test-database'

describe.skipIf(testEngine !== 'sqlite')('a server whose port is taken', () => {
  it('says which port and what to set, and gives back the database and its lease', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'balint-port-'))
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()))
    const port = (taken.address() as AddressInfo).port
    try {
      const config = { ...loadConfig({ PORT: String(port) }), dbPath: join(folder, 'balint.sqlite'), host: '127.0.0.1' }
      const error = await startServer(config).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(ListenError)
      expect(describeStartupError(error)).toBe(`port ${port} on 127.0.0.1 is already in use (another server, or another copy of this one). Set PORT to another port (and BALINT_BASE_URL to match, if you set it), e.g. PORT=3001 npm start.`)
      // The lease was given back: a server on another port starts on the same database at once.
      const next = await startServer({ ...config, port: 0, baseUrl: 'http://127.0.0.1:0' })
      await next.close()
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()))
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
