/**
 * A throw-away PostgreSQL cluster for the tests (issue 15): `initdb` in a temporary folder, started
 * with `pg_ctl` on a free port, listening on 127.0.0.1 only, trust authentication, the C locale (so
 * text sorts as SQLite's BINARY does), and durability off (fsync, synchronous commit, full-page
 * writes: a crash loses nothing we keep). Run as an unprivileged user: as root, the folder is given to
 * the `postgres` user and every command runs as that user (PostgreSQL refuses to run as root).
 *
 * The binaries are Debian's (`/usr/lib/postgresql/<version>/bin`, the newest), or `BALINT_PG_BIN`.
 *
 * Each cluster's folder names the process that started it (`owner.pid`). A test run that was killed
 * never stops its cluster; the next start stops and removes every cluster whose owner is gone, so
 * killed runs do not pile up servers in /tmp.
 */
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

export type PostgresCluster = {
  /** `postgres://balint@127.0.0.1:<port>/postgres`: the superuser on the maintenance database. */
  url: string
  port: number
  /** The folder of the binaries, for pg_dump and psql. */
  binDir: string
  /** The cluster's own folder (its data, log and socket). */
  folder: string
  /** Stop the server and remove its folder. */
  stop: () => void
}

/** The folder of PostgreSQL's binaries, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  if (process.env.BALINT_PG_BIN) return process.env.BALINT_PG_BIN
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

/** A TCP port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}

const clusterPrefix = 'balint-pg-'

/** Whether process `pid` is alive (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A PostgreSQL program of `binDir`, run in `folder`: as the `postgres` user when we are root. */
function runner(binDir: string, folder: string) {
  const asRoot = userInfo().uid === 0
  return (program: string, args: string[]) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(binDir, program), ...args]] : [join(binDir, program), args]
    execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: folder })
  }
}

/**
 * Stop and remove the test clusters in `parent` (default: the temporary folder) whose owning process
 * has gone: those left by killed test runs. Clusters of running test runs are left alone, and so are
 * folders without `owner.pid`. Returns the folders removed.
 */
export function sweepStaleClusters(parent = tmpdir()): string[] {
  const binDir = postgresBinDir()
  if (!binDir) return []
  const removed: string[] = []
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(clusterPrefix)) continue
    const folder = join(parent, name)
    const ownerFile = join(folder, 'owner.pid')
    if (!existsSync(ownerFile)) continue
    const owner = Number(readFileSync(ownerFile, 'utf8').trim())
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue
    try {
      if (existsSync(join(folder, 'data', 'postmaster.pid'))) runner(binDir, folder)('pg_ctl', ['-D', join(folder, 'data'), '-m', 'immediate', '-w', 'stop'])
    } catch {
      // Already stopped, or half made: the folder goes all the same.
    }
    rmSync(folder, { recursive: true, force: true })
    removed.push(folder)
  }
  return removed
}

/** Start a cluster; throws when PostgreSQL is not installed (CI installs Debian's `postgresql`). */
export async function startPostgresCluster(options: { maxConnections?: number } = {}): Promise<PostgresCluster> {
  const binDir = postgresBinDir()
  if (!binDir) throw new Error('PostgreSQL is not installed: apt-get install postgresql (or set BALINT_PG_BIN to its bin folder)')
  sweepStaleClusters()
  const asRoot = userInfo().uid === 0
  const folder = mkdtempSync(join(tmpdir(), clusterPrefix))
  writeFileSync(join(folder, 'owner.pid'), `${process.pid}\n`)
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString())
    chownSync(folder, uid, gid)
  }
  const run = runner(binDir, folder)
  const data = join(folder, 'data')
  run('initdb', ['-D', data, '-U', 'balint', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'])
  const port = await freePort()
  const settings = [
    `-p ${port}`,
    `-k ${folder}`,
    '-c listen_addresses=127.0.0.1',
    `-c max_connections=${options.maxConnections ?? 400}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c shared_buffers=64MB',
    // Serialisable transactions keep predicate locks; the default table is small for many test databases.
    '-c max_pred_locks_per_transaction=256',
  ].join(' ')
  run('pg_ctl', ['-D', data, '-l', join(folder, 'server.log'), '-o', settings, '-w', '-t', '60', 'start'])
  return {
    url: `postgres://balint@127.0.0.1:${port}/postgres`,
    port,
    binDir,
    folder,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(folder, { recursive: true, force: true })
      }
    },
  }
}

/** `url` with its database replaced by `name`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
