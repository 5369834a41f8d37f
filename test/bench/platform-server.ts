/**
 * The platform for the save benchmark, in its own process: the real server over a fresh SQLite file,
 * with one cohort of consented participants whose tokens are printed for the load generator, and its
 * request log written (to /dev/null).
 */
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { createLogger } from '../../server/logger'
import { loadConfig } from '../../server/config'
import { startServer } from '../../server/index'
import { participantByToken, recordConsent } from '../../server/domain/participation/journey'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'

const [dbPath, countArg] = process.argv.slice(2)
// The request log is written as in production (a line per request, synchronously), to /dev/null: were it
// piped to the bench, the process running autocannon would spend its CPU reading it.
const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }))
const running = await startServer({ ...loadConfig({}), dbPath: dbPath!, port: 0, host: '127.0.0.1' }, { logger })
const deps = { db: running.db, instruments: running.instruments, now: () => new Date() }
const today = new Date().toISOString().slice(0, 10)
const study = await createStudy(deps, { name: 'Benchmark' }, 'bench')
const cohort = await createCohort(deps, { studyId: study.id, name: 'Bench cohort' }, 'bench')
await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: today, closes: '2099-12-31', instruments: ['phq-9', 'gad-7'] }, 'bench')
const participants = await addParticipants(deps, { cohortId: cohort.id, count: Number(countArg ?? 50) }, 'bench')
const consent = deps.instruments.get('consent')!
for (const p of participants) {
  await recordConsent(deps, await participantByToken(deps, p.token), { version: consent.version, answers: { consent: 'agree' } })
}
process.stdout.write(`${JSON.stringify({ port: (running.server.address() as AddressInfo).port, pid: process.pid, tokens: participants.map((p) => p.token) })}\n`)
