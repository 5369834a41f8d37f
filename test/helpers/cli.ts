/** The CLI, run in-process over a test database: each run returns its exit code and what it printed. */
import { runCli, type CliIo } from '../../server/cli/program'
import { closeDatabase, openDatabase } from '../../server/db/connection'
import { migrateToLatest } from '../../server/db/migrate'
import type { Deps } from '../../server/domain/deps'
import { shippedInstruments } from './app'

export const testBaseUrl = 'http://localhost:3000'

/** Run the CLI with `argv` over `io`, keeping what it prints: its exit code, and its lines out and err. */
export async function runCliCaptured(argv: string[], io: Omit<CliIo, 'out' | 'err'>) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { ...io, out: (text) => out.push(text), err: (text) => err.push(text) })
  return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') }
}

/** A `run(...argv)` over these deps. */
export function cliRunner(deps: Deps) {
  return (...argv: string[]) =>
    runCliCaptured(argv, {
      deps: async () => deps,
      migrate: async () => ((await migrateToLatest(deps.db)).results ?? []).map((r) => r.migrationName),
      baseUrl: testBaseUrl,
    })
}

/**
 * `balint restore <backup>` over the SQLite file at `dbPath`, as the command runs it: the file is
 * replaced, then opened afresh and migrated (closed again here). Its exit code and what it printed.
 */
export async function restoreWithCli(dbPath: string, backupFile: string, now: () => Date) {
  let opened: Deps | undefined
  const result = await runCliCaptured(['restore', backupFile], {
    baseUrl: testBaseUrl,
    dbPath,
    migrate: async () => [],
    deps: async () => {
      if (!opened) {
        const connection = openDatabase(dbPath)
        await migrateToLatest(connection)
        opened = { db: connection, instruments: shippedInstruments(), now }
      }
      return opened
    },
  })
  if (opened) await closeDatabase(opened.db)
  return result
}
