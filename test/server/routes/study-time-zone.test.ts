/**
 * A study's time zone and language: waves open and close at the start and end of their days in the
 * study's zone, the participant's page is told the zone and whether a wave is about to close, and
 * changing the zone keeps the announced days.
 */
import { describe, expect, it } from 'vitest'
import { findStudy, listGroupSessions, listWaves } from '../../../server/db/repositories/studies'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp, testClock } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

async function tehranStudy() {
  const clock = testClock('2026-03-07T12:00:00.000Z')
  const built = await testApp({ clock })
  const study = await createStudy(built.deps, { name: 'Tehran', language: 'fa', timeZone: 'Asia/Tehran' }, 'test')
  const cohort = await createCohort(built.deps, { studyId: study.id, name: 'A' }, 'test')
  const wave = await setWave(built.deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-07', instruments: ['phq-9'] }, 'test')
  const [participant] = await addParticipants(built.deps, { cohortId: cohort.id, count: 1 }, 'test')
  return { ...built, clock, study, cohort, wave, token: participant!.token }
}

async function preWave(app: Awaited<ReturnType<typeof tehranStudy>>['app'], token: string) {
  const res = await app.request(`/api/p/${token}`)
  expect(res.status).toBe(200)
  const body = await res.json()
  return { study: body.study, pre: body.waves.find((w: { kind: string }) => w.kind === 'pre') }
}

describe('waves in the study’s time zone', () => {
  it('stores the days of a Tehran wave as Tehran midnights', async () => {
    const { wave } = await tehranStudy()
    expect(wave.opensAt).toBe('2026-02-28T20:30:00.000Z')
    expect(wave.closesAt).toBe('2026-03-07T20:30:00.000Z')
  })

  it('keeps the wave open in the last minute of its last day in Tehran, with a closing notice, and closed a minute later', async () => {
    const { app, clock, token } = await tehranStudy()
    clock.set('2026-03-07T20:29:00.000Z') // 23:59 in Tehran
    const last = await preWave(app, token)
    expect(last.study).toEqual({ name: 'Tehran', language: 'fa', timeZone: 'Asia/Tehran' })
    expect(last.pre).toMatchObject({ state: 'open', closesSoon: true, closesAt: '2026-03-07T20:30:00.000Z' })

    clock.set('2026-03-07T20:30:00.000Z') // 00:00 on the 8th in Tehran
    expect((await preWave(app, token)).pre).toMatchObject({ state: 'closed', closesSoon: false })
  })

  it('says nothing about closing more than a day before the end', async () => {
    const { app, clock, token } = await tehranStudy()
    clock.set('2026-03-06T20:29:00.000Z')
    expect((await preWave(app, token)).pre).toMatchObject({ state: 'open', closesSoon: false })
  })

  it('keeps the announced days when the study’s zone changes', async () => {
    const { app, deps, study, cohort } = await tehranStudy()
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const patch = (body: unknown) => app.request(`/api/studies/${study.id}`, { ...jsonRequest('PATCH', body), headers: { ...researcher.headers, 'content-type': 'application/json' } })
    const res = await patch({ timeZone: 'America/Los_Angeles' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ timeZone: 'America/Los_Angeles', language: 'fa' })
    const [wave] = await listWaves(deps.db, cohort.id)
    expect(wave).toMatchObject({ opensAt: '2026-03-01T08:00:00.000Z', closesAt: '2026-03-08T08:00:00.000Z' })
    // The group sessions keep their days too (the cohort was made on 7 March, Tehran): midnight in Los Angeles.
    const sessions = await listGroupSessions(deps.db, cohort.id)
    expect(sessions.slice(0, 3).map((s) => s.startsAt)).toEqual(['2026-03-07T08:00:00.000Z', '2026-03-10T07:00:00.000Z', '2026-03-14T07:00:00.000Z'])
  })

  it('changes the zone of a study holding a session or wave stored before 1900 (before such days were refused), leaving those as they are', async () => {
    const { app, deps, study, cohort, wave } = await tehranStudy()
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    // As a request for day 0000-01-01 stored them before dates.ts refused days before 1900.
    await deps.db.insertInto('group_session').values({ id: 'legacy-session', cohort_id: cohort.id, seq: 99, starts_at: '0000-01-01T00:00:00.000Z' }).execute()
    await deps.db.insertInto('wave').values({ ...(await deps.db.selectFrom('wave').selectAll().where('id', '=', wave.id).executeTakeFirstOrThrow()), id: 'legacy-wave', kind: 'follow-up', opens_at: '0000-01-01T00:00:00.000Z' }).execute()
    const res = await app.request(`/api/studies/${study.id}`, { ...jsonRequest('PATCH', { timeZone: 'UTC' }), headers: { ...researcher.headers, 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    const sessions = await listGroupSessions(deps.db, cohort.id)
    expect(sessions.find((s) => s.id === 'legacy-session')!.startsAt).toBe('0000-01-01T00:00:00.000Z')
    const waves = await listWaves(deps.db, cohort.id)
    // The legacy wave keeps its opening day; its closing day (a real one) moves with the zone, as the pre wave's days do.
    expect(waves.find((w) => w.id === 'legacy-wave')).toMatchObject({ opensAt: '0000-01-01T00:00:00.000Z', closesAt: '2026-03-08T00:00:00.000Z' })
    expect(waves.find((w) => w.id === wave.id)).toMatchObject({ opensAt: '2026-03-01T00:00:00.000Z', closesAt: '2026-03-08T00:00:00.000Z' })
  })

  it('refuses an unknown zone or language, naming the field, and writes nothing', async () => {
    const { app, deps, study, cohort } = await tehranStudy()
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const patch = (body: unknown) => app.request(`/api/studies/${study.id}`, { ...jsonRequest('PATCH', body), headers: { ...researcher.headers, 'content-type': 'application/json' } })
    const badZone = await patch({ timeZone: 'Asia/Atlantis', name: 'Renamed' })
    expect(badZone.status).toBe(422)
    expect(await badZone.json()).toEqual({
      error: { code: 'validation_failed', message: 'timeZone: must be an IANA time zone such as "Asia/Tehran"', details: [{ field: 'timeZone', message: 'must be an IANA time zone such as "Asia/Tehran"' }] },
    })
    const badLanguage = await patch({ language: 'de' })
    expect(badLanguage.status).toBe(422)
    expect((await badLanguage.json()).error.details[0].field).toBe('language')
    expect(await findStudy(deps.db, study.id)).toMatchObject({ name: 'Tehran', timeZone: 'Asia/Tehran', language: 'fa' })
    expect((await listWaves(deps.db, cohort.id))[0]!.closesAt).toBe('2026-03-07T20:30:00.000Z')
  })

  it('creates a study over HTTP with its language and zone', async () => {
    const { app, deps } = await testApp()
    const admin = await signedInStaff(deps, [], { isAdmin: true })
    const res = await app.request('/api/studies', { ...jsonRequest('POST', { name: 'New', language: 'fa', timeZone: 'Asia/Tehran' }), headers: { ...admin.headers, 'content-type': 'application/json' } })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ language: 'fa', timeZone: 'Asia/Tehran' })
  })
})
