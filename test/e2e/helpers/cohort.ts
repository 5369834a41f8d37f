/** A cohort for the participant's browser tests: its pre wave open today, its post wave in four weeks. */
import type { Browser } from 'playwright-core'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { phonePage } from './browser'
import { firstItemSaved } from './participant-flow'
import { day, type TestServer } from './server'

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

/**
 * A participant of a new study and cohort (`name`; pre wave open: PHQ-9 and GAD-7) on a phone, PHQ-9
 * item 1 saved; and how to move the wave so that it closed weeks ago, as a team correcting its dates would.
 */
export async function phoneAtPhq9ItemOneSaved(server: TestServer, browser: Browser, name: string) {
  const study = await createStudy(server.deps, { name: `Refused answers study ${name}` }, 'test')
  const cohort = await createCohort(server.deps, { studyId: study.id, name }, 'test')
  await setWave(server.deps, { cohortId: cohort.id, kind: 'pre', opens: day(-1), closes: day(14), instruments: ['phq-9', 'gad-7'] }, 'test')
  const [participant] = await addParticipants(server.deps, { cohortId: cohort.id, count: 1 }, 'test')
  const { page, context } = await phonePage(browser)
  await firstItemSaved(page, `${server.baseUrl}/p/${participant!.token}`)
  const closeWaveWeeksAgo = async () => {
    await server.db
      .updateTable('wave')
      .set({ opens_at: `${day(-40)}T00:00:00.000Z`, closes_at: `${day(-30)}T00:00:00.000Z` })
      .where('cohort_id', '=', cohort.id)
      .where('kind', '=', 'pre')
      .execute()
  }
  return { page, context, cohortId: cohort.id, participant: participant!, closeWaveWeeksAgo }
}

/** A participant's stored answers to PHQ-9 at any wave, read from the server's database ({} before any). */
export async function storedPhq9(server: TestServer, participantId: string): Promise<Record<string, unknown>> {
  const row = await server.db.selectFrom('response').select(['answers']).where('participant_id', '=', participantId).where('instrument_id', '=', 'phq-9').executeTakeFirst()
  return row ? (JSON.parse(row.answers) as Record<string, unknown>) : {}
}
