/**
 * The server process: the only place that opens the database, migrates it and calls serve().
 */
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { createApp } from './app'
import { loadConfig, type Config } from './config'
import { scheduleBackups } from './db/backup'
import { closeDatabase, DatabaseOpenError, describeStorageError, openDatabaseFromConfig, startReaderThread } from './db/connection'
import { acquireWriterLease, leaseRenewMs, LeaseHeldError } from './db/lease'
import { InstrumentFileError } from './domain/instruments/registry'
import { migrateToLatest } from './db/migrate'
import { loadInstruments, shippedInstrumentsFolder } from './domain/instruments/registry'
import { createSetupToken } from './domain/staff/auth'
import { logger as defaultLogger, type Logger } from './logger'
import { smtpMailer } from './mail'
import { startJobRunner } from './domain/messaging/jobs'

/**
 * Open, migrate, take the writer lease (a second server on the same SQLite database is refused here,
 * before it listens), and serve. On PostgreSQL (BALINT_DATABASE_URL) there is no lease: several
 * servers share one database, every transaction is serialisable (db/postgres.ts), and backups are
 * PostgreSQL's own (pg_dump, point-in-time recovery), so BALINT_BACKUP_DIR is refused. `close()` shuts down gracefully: stop accepting, let requests in
 * flight finish, stop the backups, give up the lease, checkpoint the WAL into the main file, close.
 */
export async function startServer(config: Config = loadConfig(), options: { logger?: Logger } = {}) {
  const log = options.logger ?? defaultLogger
  // Instruments first: an invalid file stops start-up before anything else is touched.
  const instruments = loadInstruments([shippedInstrumentsFolder, config.instrumentsDir])
  for (const gap of instruments.languageWarnings) log.warn({ file: gap.file, field: gap.field }, `language left out of the form: ${gap.message} (see "instruments check")`)
  if (config.databaseUrl && config.backup) {
    throw new Error('BALINT_BACKUP_DIR backs up the SQLite file; with BALINT_DATABASE_URL, back up PostgreSQL with pg_dump or point-in-time recovery (README, "Multi-site deployment"), and unset BALINT_BACKUP_DIR.')
  }
  const db = openDatabaseFromConfig(config)
  let lease: Awaited<ReturnType<typeof acquireWriterLease>> | undefined
  try {
    await migrateToLatest(db)
    if (!config.databaseUrl) lease = await acquireWriterLease(db)
  } catch (error) {
    await db.destroy()
    throw error
  }
  // The SQLite file's reader thread, started with the server as its connection is (the cohort
  // report reads on it: sqlite-reader.ts); nothing on PostgreSQL.
  void startReaderThread(db)
  const renewal = setInterval(() => lease?.renew().catch((error) => log.error({ err: error }, 'cannot renew the server lease')), leaseRenewMs)
  renewal.unref()
  const backups = config.backup && !config.databaseUrl
    ? scheduleBackups({
        dbPath: config.dbPath,
        folder: config.backup.folder,
        intervalMs: config.backup.intervalMs,
        keep: config.backup.keep,
        onBackup: (result) => log.info({ file: result.file, bytes: result.bytes }, 'scheduled backup written'),
        onError: (error) => log.error({ err: error }, 'scheduled backup failed'),
      })
    : undefined
  const mailer = config.smtp ? smtpMailer(config.smtp) : undefined
  const deps = { db, instruments, now: () => new Date(), mailer }
  // While no administrator exists: a one-time link for creating the first one.
  const setupToken = await createSetupToken(deps)
  // The app is built once the port is known: with PORT=0 (tests) the default base URL names port 0,
  // and links must carry the port the system chose. No request is handled before it exists.
  let app: ReturnType<typeof createApp> | undefined
  // What was taken before serving, given back in this order by a close and by a failed listen.
  const release = async () => {
    clearInterval(renewal)
    await backups?.stop()
    await lease?.release().catch(() => undefined)
    await closeDatabase(db)
  }
  const server = serve({ fetch: (request, env) => app!.fetch(request, env), port: config.port, hostname: config.host })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve())
      server.once('error', reject)
    })
  } catch (error) {
    // Found by a newcomer's walk-through: a port in use crashed with Node's own stack trace, the lease
    // left held until it went stale. Everything taken so far is given back, and the reason is said.
    await release()
    throw new ListenError(config.host, config.port, error)
  }
  const baseUrl = new URL(config.baseUrl)
  if (baseUrl.port === '0') baseUrl.port = String((server.address() as AddressInfo).port)
  const links = baseUrl.origin + baseUrl.pathname.replace(/\/+$/, '')
  app = createApp(deps, { clientDir: config.clientDir, baseUrl: links, trustProxy: config.trustProxy, logger: log })
  // Scheduled emails (safety notifications, invitations, reminders) need an SMTP server; without one
  // they wait in the job table and the staff app offers them for sending by hand.
  const runner = mailer ? startJobRunner({ ...deps, mailer, baseUrl: links }, { intervalMs: config.jobIntervalMs, onError: (error) => log.error({ err: error }, 'job runner failed') }) : undefined
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      // Keep-alive connections with no request in flight would hold close() open until they time out.
      if ('closeIdleConnections' in server) server.closeIdleConnections()
      await stopped
      await runner?.stop()
      mailer?.close()
      await release()
    })())
  return { server, db, instruments, close, setupToken, backups, runner }
}

/**
 * On SIGTERM or SIGINT, close gracefully and exit 0; a second signal, or a shutdown taking more than
 * `graceMs`, exits at once (SQLite's WAL keeps every committed transaction either way).
 */
export function exitOnSignals(close: () => Promise<void>, log: Logger = defaultLogger, graceMs = 10_000): void {
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1)
    stopping = true
    log.info({ signal }, 'shutting down')
    setTimeout(() => {
      log.error('shutdown took too long; exiting')
      process.exit(1)
    }, graceMs).unref()
    close().then(
      () => {
        log.info('stopped: database checkpointed and closed')
        process.exit(0)
      },
      (error) => {
        log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

/**
 * Why the server could not start, in words an operator can act on: an invalid instrument file,
 * another server on the database, or the storage's own cause (disk full, read-only, no permission,
 * locked) rather than whatever operation happened to meet it.
 */
export function describeStartupError(error: unknown): string {
  if (error instanceof InstrumentFileError) return `an instrument file is invalid.\n${error.message}`
  if (error instanceof LeaseHeldError || error instanceof DatabaseOpenError || error instanceof ListenError) return error.message
  if (typeof error === 'object' && error !== null && 'code' in error) return describeStorageError(error)
  return error instanceof Error ? error.message : String(error)
}

/** The server could not listen on `host`:`port` (in use, or not allowed): says which, and what to set. */
export class ListenError extends Error {
  constructor(host: string, port: number, cause: unknown) {
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : ''
    const why = code === 'EADDRINUSE' ? 'is already in use (another server, or another copy of this one)' : code === 'EACCES' ? 'may not be used by this user (ports below 1024 need privileges)' : `cannot be listened on (${cause instanceof Error ? cause.message : String(cause)})`
    super(`port ${port} on ${host} ${why}. Set PORT to another port (and BALINT_BASE_URL to match, if you set it), e.g. PORT=3001 npm start.`, { cause })
    this.name = 'ListenError'
  }
}
