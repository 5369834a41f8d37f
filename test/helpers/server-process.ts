/**
 * The real server in a process of its own, as an operator runs it (signals, the writer lease, its own
 * SQLite connection), for the tests of backups, shutdown and concurrent writers:
 *
 *   tsx test/helpers/server-process.ts <db file or postgres:// URL> [participants]
 *
 * With a participant count it first sets up a cohort with an open pre wave (PHQ-9) and that many
 * consented participants. It prints one JSON line `{ port, tokens }` once it listens. Start-up
 * errors are printed as `npm start` prints them, with exit code 1.
 */
import type { AddressInfo } from 'node:net'
import { loadConfig } from '../../server/config'
import { describeStartupError, exitOnSignals, startServer } from '../../server/index'
import { participantByToken, recordConsent } from '../../server/domain/participation/journey'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { isPostgresUrl } from '../../server/db/postgres'

const [dbPath, countArg] = process.argv.slice(2)
process.umask(0o077)
try {
  const postgres = isPostgresUrl(dbPath!)
  const running = await startServer({ ...loadConfig({ PORT: '0' }), dbPath: postgres ? 'unused.sqlite' : dbPath!, databaseUrl: postgres ? dbPath : undefined, host: '127.0.0.1' })
  exitOnSignals(running.close)
  const tokens: string[] = []
  if (countArg) {
    const deps = { db: running.db, instruments: running.instruments, now: () => new Date() }
    const study = await createStudy(deps, { name: 'Operations test' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Cohort' }, 'test')
    await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2000-01-01', closes: '2099-12-31', instruments: ['phq-9'] }, 'test')
    const consent = deps.instruments.get('consent')!
    for (const p of await addParticipants(deps, { cohortId: cohort.id, count: Number(countArg) }, 'test')) {
      await recordConsent(deps, await participantByToken(deps, p.token), { version: consent.version, answers: { consent: 'agree' } })
      tokens.push(p.token)
    }
  }
  process.stdout.write(`${JSON.stringify({ port: (running.server.address() as AddressInfo).port, tokens })}\n`)
} catch (error) {
  process.stderr.write(`Cannot start: ${describeStartupError(error)}\n`)
  process.exit(1)
}
