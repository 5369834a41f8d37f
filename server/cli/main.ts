/** Entry point of `npm run balint -- <command>` and the `balint` bin. */
import { loadConfig, type Config } from '../config'
import { closeDatabase, openDatabaseFromConfig } from '../db/connection'
import { migrateToLatest } from '../db/migrate'
import type { Deps } from '../domain/deps'
import { loadInstruments, shippedInstrumentsFolder } from '../domain/instruments/registry'
import { runCli } from './program'

// Health data: every file and folder the CLI creates (exports, backups) is its owner's only.
process.umask(0o077)
// A variable the server would refuse (PORT=abc) is said as every other CLI error is, not as Node's
// stack trace (found by a newcomer's walk-through: "Error:" here, "error:" everywhere else).
let config: Config
try {
  config = loadConfig()
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`)
  process.exit(1)
}
let opened: Deps | undefined
// A reader that stops early (`balint report … | head`) closes the pipe: what is left to print is not
// wanted, and the command still finishes and closes the database (found by a newcomer's walk-through:
// an unhandled EPIPE stack trace).
let stdoutClosed = false
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  stdoutClosed = true
})

const code = await runCli(process.argv.slice(2), {
  out: (text) => void (stdoutClosed || process.stdout.write(`${text}\n`)),
  err: (text) => process.stderr.write(`${text}\n`),
  baseUrl: config.baseUrl,
  dbPath: config.databaseUrl ? undefined : config.dbPath,
  databaseUrl: config.databaseUrl,
  migrate: async () => {
    const connection = openDatabaseFromConfig(config)
    try {
      const result = await migrateToLatest(connection)
      return (result.results ?? []).map((r) => r.migrationName)
    } finally {
      await connection.destroy()
    }
  },
  deps: async () => {
    if (!opened) {
      const instruments = loadInstruments([shippedInstrumentsFolder, config.instrumentsDir])
      const connection = openDatabaseFromConfig(config)
      await migrateToLatest(connection)
      opened = { db: connection, instruments, now: () => new Date() }
    }
    return opened
  },
})
await (opened ? closeDatabase(opened.db) : undefined)
process.exitCode = code
