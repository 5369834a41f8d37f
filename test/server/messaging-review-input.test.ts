/**
 * The messaging routes under careless or hostile input: addresses odd but valid, invalid ones refused
 * with the one error shape and nothing written, roles checked on the server.
 */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../server/app'
import { openDatabase } from '../../server/db/connection'
import { migrateToLatest } from '../../server/db/migrate'
import type { Deps } from '../../server/domain/deps'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { jsonRequest, shippedInstruments, testClock } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

async function world() {
  const clock = testClock('2026-03-02T09:00:00.000Z')
  const db = openDatabase(':memory:')
  await migrateToLatest(db)
  const deps: Deps = { db, instruments: shippedInstruments(), now: clock.now }
  const app = createApp(deps, { baseUrl: 'https://balint.example' })
  const study = await createStudy(deps, { name: 'Input study', timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'G' }, 'test')
  const [p1] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
  await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-02', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  const as = (headers: Record<string, string>) => (path: string, init: RequestInit = {}) => app.request(`/api${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } })
  const researcher = as((await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])).headers)
  const leader = as((await signedInStaff(deps, [{ studyId: study.id, role: 'group_leader' }])).headers)
  const other = await createStudy(deps, { name: 'Other', timeZone: 'UTC' }, 'test')
  const elsewhere = as((await signedInStaff(deps, [{ studyId: other.id, role: 'researcher' }])).headers)
  const contactRows = () => db.selectFrom('participant_contact').selectAll().execute()
  return { deps, study, cohort, p1: p1!, researcher, leader, elsewhere, contactRows }
}

const errorShape = (body: { error?: { code?: unknown; message?: unknown } }) => typeof body.error?.code === 'string' && typeof body.error?.message === 'string'

describe('messaging review: input', () => {
  it('accepts odd but valid addresses as typed (trimmed)', async () => {
    const w = await world()
    for (const email of ["o'brien+balint@example.org", 'Ada.Lovelace@Sub.Hospital.example.co.uk', `${'a'.repeat(64)}@example.org`]) {
      const res = await w.researcher(`/participants/${w.p1.id}/contact`, jsonRequest('PUT', { email: `  ${email} `, phone: null, language: 'fa' }))
      expect(res.status).toBe(200)
      expect((await res.json()).email).toBe(email)
    }
  })

  it('refuses invalid addresses with a 422 naming the field, and writes nothing', async () => {
    const w = await world()
    for (const email of ['not-an-address', 'a@b', 'ada@example.org\r\nBcc: spy@evil.example', 'ada@example.org, spy@evil.example', `${'a'.repeat(250)}@example.org`]) {
      const res = await w.researcher(`/participants/${w.p1.id}/contact`, jsonRequest('PUT', { email, phone: null, language: null }))
      expect(res.status).toBe(422)
      const body = await res.json()
      expect(errorShape(body)).toBe(true)
      expect(JSON.stringify(body.error.details)).toContain('email')
    }
    expect(await w.contactRows()).toEqual([])
  })

  it('lets only the study\'s researchers see contacts, set them or prepare messages', async () => {
    const w = await world()
    const attempts = (who: typeof w.researcher) => [
      who(`/cohorts/${w.cohort.id}/messages`),
      who(`/cohorts/${w.cohort.id}/messages`, jsonRequest('POST', { wave: 'pre', kind: 'invitation' })),
      who(`/participants/${w.p1.id}/contact`, jsonRequest('PUT', { email: 'x@example.org', phone: null, language: null })),
      who(`/participants/${w.p1.id}/message`, jsonRequest('POST', { wave: 'pre', kind: 'invitation' })),
      who(`/studies/${w.study.id}/messaging`, jsonRequest('PUT', { inviteOnOpen: true, reminderDays: [1] })),
    ]
    for (const who of [w.leader, w.elsewhere]) {
      for (const res of await Promise.all(attempts(who))) {
        expect([403, 404]).toContain(res.status)
        expect(errorShape(await res.json())).toBe(true)
      }
    }
    expect(await w.contactRows()).toEqual([])
    expect(await w.deps.db.selectFrom('message_delivery').selectAll().execute()).toEqual([])
  })

  it('answers a message for a wave the cohort does not have with a 404 in the one shape, writing nothing', async () => {
    const w = await world()
    const res = await w.researcher(`/participants/${w.p1.id}/message`, jsonRequest('POST', { wave: 'post', kind: 'reminder' }))
    expect(res.status).toBe(404)
    expect(errorShape(await res.json())).toBe(true)
    expect(await w.deps.db.selectFrom('message_delivery').selectAll().execute()).toEqual([])
  })
})
