/**
 * `npm start`: build the client if it is missing or older than its sources, then open and migrate
 * the database and serve. Everything a fresh clone needs after `npm install`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig, projectRoot } from './config'
import { listStudies } from './db/repositories/studies'
import { describeStartupError, exitOnSignals, startServer } from './index'

/** The newest modification time of any file below `dir`. */
function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

async function buildClientIfNeeded(clientDir: string) {
  const built = join(clientDir, '.vite', 'manifest.json')
  const sources = [join(projectRoot, 'client'), join(projectRoot, 'server', 'contracts')]
  const stale = !existsSync(built) || sources.some((dir) => newest(dir) > statSync(built).mtimeMs)
  if (!stale) return
  console.log('Building the client…')
  const { build } = await import('vite')
  await build({ configFile: join(projectRoot, 'vite.config.ts'), logLevel: 'warn' })
}

// Health data: every file and folder this process creates is its owner's only (0600 / 0700).
process.umask(0o077)
const config = loadConfig()
try {
  await buildClientIfNeeded(config.clientDir)
  const { db, setupToken, close } = await startServer(config)
  exitOnSignals(close)
  console.log(`Balint Outcomes is running at ${config.baseUrl}  (database: ${config.dbPath})`)
  // Found by a newcomer's walk-through: HOST=0.0.0.0 serves the network, while every link printed
  // or emailed named localhost, which no other device reaches.
  if (!process.env.BALINT_BASE_URL && (config.host === '0.0.0.0' || config.host === '::')) {
    console.log(`Note: links to participants and staff say ${config.baseUrl}, which other devices cannot open. Set BALINT_BASE_URL to the address they use (e.g. https://study.example.org).`)
  }
  if (setupToken) {
    console.log('\nFirst run: create the first administrator account at this one-time link (it works for 24 hours):')
    console.log(`  ${config.baseUrl}/setup/${setupToken}`)
    console.log('It also offers to load a demo study with completed questionnaires.')
  } else if ((await listStudies(db)).length === 0) {
    console.log('There are no studies yet. Sign in at the address above to create one, or create a demo study:')
    console.log('  npm run balint -- demo')
  }
} catch (error) {
  console.error(`Cannot start: ${describeStartupError(error)}`)
  process.exit(1)
}
