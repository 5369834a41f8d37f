/**
 * Adversarial review of 0404783 (setWave keeps a wave's stored instants when the days given are the
 * days it already has). Each test shows a request whose asked-for dates are silently not applied.
 */
import { describe, expect, it } from 'vitest'
import { listWaves } from '../../../server/db/repositories/studies'
import { waveState } from '../../../server/domain/dates'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { cliRunner } from '../../helpers/cli'
import { signedInStaff } from '../../helpers/staff'

async function world() {
  const { app, deps, db, clock } = await testApp()
  const study = await createStudy(deps, { name: 'Dates', timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group', firstSession: '2026-03-20', sessions: 8 }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const put = (kind: string, body: unknown) => app.request(`/api/cohorts/${cohort.id}/waves/${kind}`, { ...jsonRequest('PUT', body), headers: { ...researcher.headers, 'content-type': 'application/json' } })
  return { app, deps, db, clock, study, cohort, put }
}

describe('setWave keeping instants for the same days (0404783)', () => {
  it('an imported wave set to open all of its day (D to D) stays a zero-length wave that no participant can answer, with 200 and no warning', async () => {
    const { app, deps, db, clock, cohort, put } = await world()
    const items = deps.instruments.questionnaire('phq-9')!.scoring.scales[0]!.items
    const csv = ['participant,wave,instrument,item,value', ...items.map((item) => `P1,pre,phq-9,${item},1`)].join('\n')
    await importCohortCsv(deps, { cohortId: cohort.id, csv }, 'test') // at 2026-03-02T09:00Z
    const [imported] = await listWaves(db, cohort.id)
    const day = imported!.opensAt.slice(0, 10)
    // The team now wants the rest of the cohort to answer online today: "opens 2 March, closes 2 March".
    const res = await put('pre', { opens: day, closes: day, instruments: ['phq-9'] })
    expect(res.status).toBe(200)
    const [after] = await listWaves(db, cohort.id)
    // setWave itself refuses a wave whose close is not after its opening ("closes: must be after the
    // opening date"), yet it has just stored one: the asked-for whole day was silently dropped.
    expect.soft(after!.closesAt).not.toBe(after!.opensAt)
    // A participant with a link, an hour later on that very day, is refused.
    const [p] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    clock.advance(3600_000)
    expect((await app.request(`/api/p/${p!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
    expect.soft(waveState(after!, clock.now())).toBe("open")
    const answered = await app.request(`/api/p/${p!.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'device-0000001', answers: [{ question: 'phq9_1', value: 1, answeredAt: clock.now().toISOString() }] }))
    expect(answered.status).toBe(200)
  })

  it('the CLI `wave set` with ISO date-times (which setWave takes "as given", dates.ts) on the same days is silently ignored', async () => {
    const { deps, db, cohort } = await world()
    const run = cliRunner(deps)
    await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-03', closes: '2026-03-07', instruments: ['phq-9'] }, 'test')
    // Close at noon on the 7th rather than at the end of it.
    const r = await run('wave', 'set', '--cohort', cohort.id, '--wave', 'pre', '--opens', '2026-03-03T08:00:00.000Z', '--closes', '2026-03-07T12:00:00.000Z', '--instruments', 'phq-9', '--json')
    expect(r.code).toBe(0)
    const [after] = await listWaves(db, cohort.id)
    expect(after).toMatchObject({ opensAt: '2026-03-03T08:00:00.000Z', closesAt: '2026-03-07T12:00:00.000Z' })
  })

  it('a wave set with date-times cannot be given back its whole days: "closes 7 March" keeps it closing at noon on the 7th', async () => {
    const { deps, db, cohort, put } = await world()
    await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-03T08:00:00.000Z', closes: '2026-03-07T12:00:00.000Z', instruments: ['phq-9'] }, 'test')
    // The staff form shows 3 to 7 March; the researcher saves it, meaning the whole of the 7th.
    expect((await put('pre', { opens: '2026-03-03', closes: '2026-03-07', instruments: ['phq-9'] })).status).toBe(200)
    const [after] = await listWaves(db, cohort.id)
    expect(after).toMatchObject({ opensAt: '2026-03-03T00:00:00.000Z', closesAt: '2026-03-08T00:00:00.000Z' })
  })
})
