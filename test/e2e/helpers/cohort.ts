/** A cohort for the participant's browser tests: its pre wave open today, its post wave in four weeks. */
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import type { TestServer } from './server'

/** A cohort whose pre wave (PHQ-9 then GAD-7) is open today, with `count` participants and their links' URLs. */
export async function cohortWithLinks(server: TestServer, count: number) {
  const today = new Date()
  const day = (offset: number) => new Date(today.getTime() + offset * 86400000).toISOString().slice(0, 10)
  const study = await createStudy(server.deps, { name: 'Online Balint group study' }, 'test')
  const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9', 'gad-7'] }, 'test')
  await setWave(server.deps, { cohortId: cohort.id, kind: 'post', opens: day(28), closes: day(42), instruments: ['phq-9', 'gad-7'] }, 'test')
  const participants = await addParticipants(server.deps, { cohortId: cohort.id, count }, 'test')
  return participants.map((p) => ({ ...p, url: `${server.baseUrl}/p/${p.token}` }))
}

/** A participant's stored answers to PHQ-9 at any wave, read from the server's database ({} before any). */
export async function storedPhq9(server: TestServer, participantId: string): Promise<Record<string, unknown>> {
  const row = await server.db.selectFrom('response').select(['answers']).where('participant_id', '=', participantId).where('instrument_id', '=', 'phq-9').executeTakeFirst()
  return row ? (JSON.parse(row.answers) as Record<string, unknown>) : {}
}
