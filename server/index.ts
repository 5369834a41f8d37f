/**
 * The server process: the only place that opens the database, migrates it and calls serve().
 */
import { serve } from '@hono/node-server'
import { createApp } from './app'
import { loadConfig, type Config } from './config'
import { openDatabase } from './db/connection'
import { migrateToLatest } from './db/migrate'
import { loadInstruments, shippedInstrumentsFolder } from './domain/instruments/registry'
import { createSetupToken } from './domain/staff/auth'

export async function startServer(config: Config = loadConfig()) {
  // Instruments first: an invalid file stops start-up before anything else is touched.
  const instruments = loadInstruments([shippedInstrumentsFolder, config.instrumentsDir])
  const db = openDatabase(config.dbPath)
  await migrateToLatest(db)
  const deps = { db, instruments, now: () => new Date() }
  // On an empty database: a one-time link for creating the first administrator.
  const setupToken = await createSetupToken(deps)
  const app = createApp(deps, { clientDir: config.clientDir })
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await db.destroy()
  }
  return { server, db, instruments, close, setupToken }
}
