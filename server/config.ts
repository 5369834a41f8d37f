import { fileURLToPath } from 'node:url'

/** Settings, from the environment, with the defaults the README states. */
export type Config = {
  /** BALINT_DB: the SQLite file. */
  dbPath: string
  /** BALINT_INSTRUMENTS: the team's own instrument files, beside the shipped ones. */
  instrumentsDir: string
  /** PORT and HOST. */
  port: number
  host: string
  /** BALINT_BASE_URL: how participants reach the server, for the links the CLI prints. */
  baseUrl: string
  clientDir: string
}

export const projectRoot = fileURLToPath(new URL('..', import.meta.url))

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}"`)
  const host = env.HOST ?? '127.0.0.1'
  return {
    dbPath: env.BALINT_DB ?? 'data/balint.sqlite',
    instrumentsDir: env.BALINT_INSTRUMENTS ?? 'data/instruments',
    port,
    host,
    baseUrl: env.BALINT_BASE_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    clientDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
  }
}
