/** Child processes for the operations tests: the server, the CLI, and an outside SQLite writer. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
/**
 * TypeScript files run in one Node process (`node --import tsx`), not under the `tsx` launcher,
 * which runs a second process: a SIGKILL would then kill the launcher and leave the server running.
 */
const node = (args: string[]) => [process.execPath, ['--import', 'tsx', ...args]] as const

export type ServerProcess = { child: ChildProcess; port: number; tokens: string[]; url: string; exited: Promise<number | null>; stderr: () => string; stdout: () => string }

function collect(child: ChildProcess) {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => (stdout += d))
  child.stderr?.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { exited, stdout: () => stdout, stderr: () => stderr }
}

/** Start test/helpers/server-process.ts; resolves once it listens, rejects if it exits first. */
export async function startServerProcess(dbPath: string, participants?: number): Promise<ServerProcess> {
  const [command, args] = node(['test/helpers/server-process.ts', dbPath, ...(participants ? [String(participants)] : [])])
  const child = spawn(command, args, {
    cwd: projectRoot,
    env: { ...process.env, BALINT_LOG_LEVEL: 'warn', VITEST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = collect(child)
  const ready = new Promise<{ port: number; tokens: string[] }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"port"')) resolve(JSON.parse(line))
    })
    out.exited.then((code) => reject(new Error(`the server exited with ${code}: ${out.stderr()}`)))
  })
  const { port, tokens } = await ready
  return { child, port, tokens, url: `http://127.0.0.1:${port}`, exited: out.exited, stderr: out.stderr, stdout: out.stdout }
}

/** Run a command to completion: the CLI (`cli: true`) or test/helpers/server-process.ts. */
export async function runProcess(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, nodeArgs] = node(args)
  const child = spawn(command, nodeArgs, { cwd: projectRoot, env: { ...process.env, BALINT_LOG_LEVEL: 'warn', VITEST: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = collect(child)
  const code = await out.exited
  return { code, stdout: out.stdout(), stderr: out.stderr() }
}

/** `balint <args>` over the database at `dbPath`. */
export function runCliProcess(dbPath: string, ...args: string[]) {
  return runProcess(['server/cli/main.ts', ...args], { BALINT_DB: dbPath })
}

/**
 * Another process writing to the same SQLite file, as a `sqlite3` shell or a second program would:
 * `hold` takes the write lock (BEGIN IMMEDIATE) for `ms` milliseconds; `churn` commits small write
 * transactions for `ms` milliseconds. Resolves `started` once it writes.
 */
export function outsideWriter(dbPath: string, mode: 'hold' | 'churn', ms: number) {
  const script = `
    const Database = require('better-sqlite3')
    const db = new Database(${JSON.stringify(dbPath)})
    db.pragma('busy_timeout = 10000')
    db.exec('create table if not exists outside_writer (at integer)')
    const until = Date.now() + ${ms}
    // Sleep without spinning the CPU (the machine running the tests is shared).
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
    if (${JSON.stringify(mode)} === 'hold') {
      db.exec('begin immediate')
      db.prepare('insert into outside_writer values (?)').run(Date.now())
      process.stdout.write('started\\n')
      sleep(${ms})
      db.exec('commit')
    } else {
      let n = 0
      process.stdout.write('started\\n')
      while (Date.now() < until) {
        db.exec('begin immediate')
        for (let i = 0; i < 50; i++) db.prepare('insert into outside_writer values (?)').run(Date.now())
        sleep(20)
        db.exec('commit')
        n++
        // A real second program does other work between its transactions.
        sleep(10)
      }
      process.stdout.write('transactions ' + n + '\\n')
    }
    db.close()
  `
  const child = spawn(process.execPath, ['-e', script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = collect(child)
  const started = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line === 'started' && resolve())
    out.exited.then((code) => code !== 0 && reject(new Error(`the outside writer failed: ${out.stderr()}`)))
  })
  return { started, exited: out.exited, stdout: out.stdout, stderr: out.stderr }
}
