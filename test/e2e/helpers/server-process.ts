/**
 * The real server in a process of its own, so that a browser test can kill it mid-questionnaire and
 * start it again over the same database file and port. Run by test/e2e/helpers/server-child.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const child = fileURLToPath(new URL('./server-child.ts', import.meta.url))

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

export async function startServerProcess() {
  const dir = mkdtempSync(join(tmpdir(), 'balint-chaos-'))
  const dbPath = join(dir, 'balint.sqlite')
  const port = await freePort()
  let process_: ChildProcess | undefined

  const start = async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BALINT_DB: dbPath, BALINT_INSTRUMENTS: join(dir, 'instruments') },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    process_ = proc
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)))
      proc.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('listening')) resolve()
      })
    })
  }
  /** Kill the server at once (SIGKILL: no chance to finish anything), as a crash or a redeploy would. */
  const kill = async () => {
    const proc = process_
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve())
      proc.kill('SIGKILL')
    })
  }
  await start()
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    dbPath,
    kill,
    restart: async () => {
      await kill()
      await start()
    },
    stop: async () => {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
