/**
 * The command line as a process. Found by a newcomer's walk-through: output read by a reader that
 * stops early (`balint … | head`) ended in an unhandled EPIPE stack trace and exit code 1; a setting
 * it cannot use, in Node's stack trace.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { projectRoot } from '../../helpers/processes'

it('finishes quietly when the reader of its output has gone', { timeout: 60_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'balint-pipe-'))
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'instruments', 'list'], {
      cwd: projectRoot,
      env: { ...process.env, BALINT_DB: join(folder, 'balint.sqlite'), BALINT_LOG_LEVEL: 'warn', VITEST: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // The reader goes before anything is printed, as `head` does once it has its lines.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    expect(stderr).not.toMatch(/EPIPE|Error/)
    expect(code).toBe(0)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})

// Found by a newcomer's walk-through: a variable the server refuses ended the command line in Node's
// stack trace, "Error: …", where every other error is one line, "error: …".
it('says a setting it cannot use in one line, as its other errors, and exits 1', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'instruments', 'list'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: 'abc', VITEST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
  expect(stderr).toBe('error: PORT must be a port number, not "abc"\n')
  expect(code).toBe(1)
})
