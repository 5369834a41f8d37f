import { fileURLToPath } from 'node:url'

/** Settings, from the environment, with the defaults the README states. */
export type Config = {
  /** BALINT_DB: the SQLite file. */
  dbPath: string
  /**
   * BALINT_DATABASE_URL: a PostgreSQL database (`postgres://user:password@host:5432/name`) instead of
   * the SQLite file; unset, the SQLite file is used.
   */
  databaseUrl?: string
  /** BALINT_INSTRUMENTS: the team's own instrument files, beside the shipped ones. */
  instrumentsDir: string
  /** PORT and HOST. */
  port: number
  host: string
  /** BALINT_BASE_URL: how participants reach the server, for the links the CLI prints. */
  baseUrl: string
  clientDir: string
  /**
   * BALINT_TRUST_PROXY: "true" (or "1") when the server is reached only through a reverse proxy that
   * sets X-Forwarded-For and X-Forwarded-Proto; then the client's address and scheme are read from
   * them (the last X-Forwarded-For entry, the one the proxy added). Off by default: anyone can send
   * those headers to a server that is reached directly.
   */
  trustProxy?: boolean
  /**
   * BALINT_BACKUP_DIR, BALINT_BACKUP_INTERVAL_HOURS (default 24), BALINT_BACKUP_KEEP (default 14):
   * scheduled backups while the server runs; none without a folder.
   */
  backup?: { folder: string; intervalMs: number; keep: number }
  /**
   * BALINT_SMTP_URL (smtp://user:password@host:587, or smtps://…) and BALINT_SMTP_FROM: the SMTP server
   * that sends safety notifications, invitations and reminders. Without it those wait to be sent by hand.
   */
  smtp?: { url: string; from: string }
  /** BALINT_JOB_INTERVAL_SECONDS (default 15): how often the job runner looks for due messages. */
  jobIntervalMs?: number
}

export const projectRoot = fileURLToPath(new URL('..', import.meta.url))

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}"`)
  const host = env.HOST ?? '127.0.0.1'
  const baseUrl = env.BALINT_BASE_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`
  try {
    if (!/^https?:$/.test(new URL(baseUrl).protocol)) throw new Error()
  } catch {
    throw new Error(`BALINT_BASE_URL must be an http:// or https:// address, not "${baseUrl}"`)
  }
  const hours = Number(env.BALINT_BACKUP_INTERVAL_HOURS ?? 24)
  const keep = Number(env.BALINT_BACKUP_KEEP ?? 14)
  if (!(hours > 0)) throw new Error(`BALINT_BACKUP_INTERVAL_HOURS must be a positive number, not "${env.BALINT_BACKUP_INTERVAL_HOURS}"`)
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`BALINT_BACKUP_KEEP must be a whole number of at least 1, not "${env.BALINT_BACKUP_KEEP}"`)
  const databaseUrl = env.BALINT_DATABASE_URL?.trim() || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//i.test(databaseUrl)) throw new Error(`BALINT_DATABASE_URL must be a postgres:// address, not "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}"`)
  const smtpUrl = env.BALINT_SMTP_URL
  if (smtpUrl !== undefined && smtpUrl !== '') {
    try {
      if (!/^smtps?:$/.test(new URL(smtpUrl).protocol)) throw new Error()
    } catch {
      throw new Error('BALINT_SMTP_URL must be an smtp:// or smtps:// address')
    }
    if (!env.BALINT_SMTP_FROM) throw new Error('BALINT_SMTP_FROM must be set with BALINT_SMTP_URL: the address messages are sent from')
  }
  return {
    dbPath: env.BALINT_DB ?? 'data/balint.sqlite',
    databaseUrl,
    instrumentsDir: env.BALINT_INSTRUMENTS ?? 'data/instruments',
    port,
    host,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    clientDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    trustProxy: ['1', 'true', 'yes'].includes((env.BALINT_TRUST_PROXY ?? '').toLowerCase()),
    backup: env.BALINT_BACKUP_DIR ? { folder: env.BALINT_BACKUP_DIR, intervalMs: hours * 3600_000, keep } : undefined,
    smtp: smtpUrl ? { url: smtpUrl, from: env.BALINT_SMTP_FROM! } : undefined,
    jobIntervalMs: Math.max(1, Number(env.BALINT_JOB_INTERVAL_SECONDS ?? 15) || 15) * 1000,
  }
}
