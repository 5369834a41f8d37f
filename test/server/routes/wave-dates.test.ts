/**
 * Wave dates that make sense (issue 17): overlapping waves are refused without the researcher's
 * confirmation; new dates for a wave with answers need confirmation and are audited; unusual timing
 * against the group sessions is explained; answers given outside a wave's dates are flagged in the report.
 */
import { describe, expect, it } from 'vitest'
import { listAudit } from '../../../server/db/repositories/audit'
import { insertResponse, replaceScores } from '../../../server/db/repositories/responses'
import { listWaves } from '../../../server/db/repositories/studies'
import { scoreResponse } from '../../../server/domain/instruments/scoring'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { cliRunner } from '../../helpers/cli'
import { signedInStaff } from '../../helpers/staff'

async function world() {
  const { app, deps, db } = await testApp()
  const study = await createStudy(deps, { name: 'Dates', timeZone: 'UTC' }, 'test')
  // Eight sessions twice a week from Monday 9 March 2026: the first on the 9th, the last on 2 April.
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group', firstSession: '2026-03-09', sessions: 8 }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const put = (kind: string, body: unknown) => app.request(`/api/cohorts/${cohort.id}/waves/${kind}`, { ...jsonRequest('PUT', body), headers: { ...researcher.headers, 'content-type': 'application/json' } })
  return { app, deps, db, study, cohort, researcher, put }
}

describe('PUT /api/cohorts/:id/waves/:kind', () => {
  it('refuses a wave that overlaps another of the cohort with waves_overlap and writes nothing, and takes it when confirmed', async () => {
    const { db, cohort, put } = await world()
    expect((await put('pre', { opens: '2026-03-01', closes: '2026-03-08', instruments: ['phq-9'] })).status).toBe(200)
    const before = await db.selectFrom('wave').selectAll().execute()
    const refused = await put('post', { opens: '2026-03-05', closes: '2026-04-20', instruments: ['phq-9'] })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ error: { code: 'waves_overlap', details: { waves: [{ kind: 'pre' }] } } })
    expect(await db.selectFrom('wave').selectAll().execute()).toEqual(before)

    const confirmed = await put('post', { opens: '2026-03-05', closes: '2026-04-20', instruments: ['phq-9'], confirmOverlap: true })
    expect(confirmed.status).toBe(200)
    expect((await listWaves(db, cohort.id)).map((w) => w.kind)).toEqual(['pre', 'post'])
    expect((await listAudit(db)).filter((a) => a.action === 'wave.set').at(-1)!.details).toMatchObject({ overlapConfirmed: ['pre'] })
    // Adjacent days do not overlap: post closes at the end of 20 April, the very instant follow-up opens.
    expect((await put('follow-up', { opens: '2026-04-21', closes: '2026-05-01', instruments: ['phq-9'] })).status).toBe(200)
  })

  it('says why pre closing after the first session, or post opening before the last, is unusual', async () => {
    const { put } = await world()
    const pre = await (await put('pre', { opens: '2026-03-01', closes: '2026-03-10', instruments: ['phq-9'] })).json()
    expect(pre.warnings).toEqual([expect.objectContaining({ code: 'pre_closes_after_first_session', sessionStartsAt: '2026-03-09T00:00:00.000Z' })])
    const post = await (await put('post', { opens: '2026-03-30', closes: '2026-04-20', instruments: ['phq-9'] })).json()
    expect(post.warnings).toEqual([expect.objectContaining({ code: 'post_opens_before_last_session' })])
    // Opening on the last session's day (2 April): the session is that day, after the wave opened.
    const sameDay = await (await put('post', { opens: '2026-04-02', closes: '2026-04-20', instruments: ['phq-9'] })).json()
    expect(sameDay.warnings).toEqual([expect.objectContaining({ code: 'post_opens_before_last_session', sessionStartsAt: '2026-04-02T00:00:00.000Z' })])
    const usual = await (await put('post', { opens: '2026-04-03', closes: '2026-04-20', instruments: ['phq-9'] })).json()
    expect(usual.warnings).toEqual([])
  })

  it("puts group sessions on their days in the study's time zone, so a wave ending the day before the first session is not flagged", async () => {
    // West of UTC a session stored at UTC midnight began the evening before, local time: a pre wave
    // closing on the 8th (the end of the 8th in New York, 05:00 UTC on the 9th) was "still open after
    // the first session".
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'Dates', timeZone: 'America/New_York' }, 'test')
    // Across the change to summer time on 8 March 2026: each session begins at midnight there all the same.
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group', firstSession: '2026-03-05', sessions: 3 }, 'test')
    expect(cohort.groupSessions.map((s) => s.startsAt)).toEqual(['2026-03-05T05:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-12T04:00:00.000Z'])
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const res = await app.request(`/api/cohorts/${cohort.id}/waves/pre`, { ...jsonRequest('PUT', { opens: '2026-03-01', closes: '2026-03-04', instruments: ['phq-9'] }), headers: { ...researcher.headers, 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    expect((await res.json()).warnings).toEqual([])
  })

  it('asks for confirmation before changing the dates of a wave with answers, audits the change, and the report flags answers outside the new dates', async () => {
    const { app, deps, db, cohort, researcher, put } = await world()
    await put('pre', { opens: '2026-03-01', closes: '2026-03-08', instruments: ['phq-9'] })
    await put('post', { opens: '2026-04-03', closes: '2026-04-20', instruments: ['phq-9'] })
    const [p1] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    const phq = deps.instruments.questionnaire('phq-9')!
    const answers = Object.fromEntries(phq.scoring.scales[0]!.items.map((item) => [item, 1]))
    const [pre, post] = await listWaves(db, cohort.id)
    for (const [wave, at] of [[pre!, '2026-03-04T10:00:00.000Z'], [post!, '2026-04-10T10:00:00.000Z']] as const) {
      const r = await insertResponse(db, { participantId: p1!.id, waveId: wave.id, instrumentId: 'phq-9', instrumentVersion: phq.version, answers, status: 'complete', revision: 1, clientId: null, source: 'link', completedAt: at }, new Date(at))
      await replaceScores(db, r.id, scoreResponse(phq, answers), new Date(at))
    }
    const report = async () => (await (await app.request(`/api/cohorts/${cohort.id}/report`, { headers: researcher.headers })).json()).outsideWave
    expect(await report()).toEqual([])

    // Same dates again: nothing to confirm.
    expect((await put('pre', { opens: '2026-03-01', closes: '2026-03-08', instruments: ['phq-9'] })).status).toBe(200)
    const refused = await put('pre', { opens: '2026-03-05', closes: '2026-03-08', instruments: ['phq-9'] })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ error: { code: 'wave_has_answers', details: { responses: 1 } } })
    expect((await listWaves(db, cohort.id))[0]!.opensAt).toBe('2026-03-01T00:00:00.000Z')

    expect((await put('pre', { opens: '2026-03-05', closes: '2026-03-08', instruments: ['phq-9'], confirmDateChange: true })).status).toBe(200)
    const change = (await listAudit(db)).find((a) => a.action === 'wave.dates_change')!
    expect(change).toMatchObject({ actor: `staff:${researcher.user.id}`, details: { kind: 'pre', from: { opensAt: '2026-03-01T00:00:00.000Z' }, to: { opensAt: '2026-03-05T00:00:00.000Z' }, responses: 1 } })
    expect(await report()).toEqual([expect.objectContaining({ code: 'P1', wave: 'pre', instrument: 'phq-9', completedAt: '2026-03-04T10:00:00.000Z' })])
  })

  // Found by a newcomer's walk-through: PHQ-9, answered, was taken out of the pre wave with nothing
  // asked (with --confirm-date-change, which is about dates): participants no longer saw it, and the
  // report's pre → post comparison of it went.
  it('asks for confirmation before taking out of a wave a questionnaire answered in it, writes nothing until then, and audits it', async () => {
    const { deps, db, cohort, researcher, put } = await world()
    await put('pre', { opens: '2026-03-01', closes: '2026-03-08', instruments: ['phq-9', 'gad-7'] })
    const [p1] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    const phq = deps.instruments.questionnaire('phq-9')!
    const answers = Object.fromEntries(phq.scoring.scales[0]!.items.map((item) => [item, 1]))
    const [pre] = await listWaves(db, cohort.id)
    await insertResponse(db, { participantId: p1!.id, waveId: pre!.id, instrumentId: 'phq-9', instrumentVersion: phq.version, answers, status: 'complete', revision: 1, clientId: null, source: 'link', completedAt: '2026-03-04T10:00:00.000Z' }, new Date('2026-03-04T10:00:00.000Z'))

    // GAD-7 has no answers: taken out at once.
    expect((await put('pre', { opens: '2026-03-01', closes: '2026-03-08', instruments: ['phq-9'] })).status).toBe(200)
    // PHQ-9 has one: refused, with the date change's confirmation too, and nothing written.
    for (const confirm of [{}, { confirmDateChange: true }]) {
      const refused = await put('pre', { opens: '2026-03-01', closes: '2026-03-08', instruments: ['who-5'], ...confirm })
      expect(refused.status).toBe(409)
      expect(await refused.json()).toMatchObject({ error: { code: 'instruments_have_answers', details: { instruments: [{ id: 'phq-9', responses: 1 }] } } })
      expect((await listWaves(db, cohort.id))[0]!.instruments).toEqual(['phq-9'])
    }
    expect((await put('pre', { opens: '2026-03-01', closes: '2026-03-08', instruments: ['who-5'], confirmRemoval: true })).status).toBe(200)
    expect((await listWaves(db, cohort.id))[0]!.instruments).toEqual(['who-5'])
    const removal = (await listAudit(db)).find((a) => a.action === 'wave.instruments_removed')!
    expect(removal).toMatchObject({ actor: `staff:${researcher.user.id}`, details: { kind: 'pre', instruments: [{ id: 'phq-9', responses: 1 }] } })
  })
  // An imported wave opens and closes at the instant of its import; the Waves form shows that as its
  // day, and saving it unchanged asked "change the dates of a wave with answers?" (found while writing
  // week.e2e.ts). Imported answers are not checked against a wave's dates, so they are not counted.
  // A first fix kept the stored instants for the same days, which a review found left the wave
  // never open however it was saved, and ignored date-times given on the same days.
  it('asks nothing when an imported wave with imported answers only is saved with its day, and makes it that whole day', async () => {
    const { app, deps, db, cohort, put } = await world()
    const items = deps.instruments.questionnaire('phq-9')!.scoring.scales[0]!.items
    const csv = ['participant,wave,instrument,item,value', ...items.map((item) => `P1,pre,phq-9,${item},1`)].join('\n')
    await importCohortCsv(deps, { cohortId: cohort.id, csv }, 'test')
    const [imported] = await listWaves(db, cohort.id)
    expect(imported).toMatchObject({ source: 'import' })
    expect(imported!.opensAt).toBe(imported!.closesAt)
    const day = imported!.opensAt.slice(0, 10)
    // As the form shows it, with a questionnaire added: nothing asked, and the wave is open all that day.
    const saved = await put('pre', { opens: day, closes: day, instruments: ['phq-9', 'gad-7'] })
    expect(saved.status).toBe(200)
    const [after] = await listWaves(db, cohort.id)
    expect(after).toMatchObject({ opensAt: `${day}T00:00:00.000Z`, closesAt: new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString(), instruments: ['phq-9', 'gad-7'] })
    // A participant with a link answers it that day.
    const [p] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    expect((await app.request(`/api/p/${p!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
    const answered = await app.request(`/api/p/${p!.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'device-0000001', answers: [{ question: 'phq9_1', value: 1, answeredAt: deps.now().toISOString() }] }))
    expect(answered.status).toBe(200)
    // Now it has an answer given at a link: new dates ask.
    const refused = await put('pre', { opens: day, closes: '2099-01-01', instruments: ['phq-9', 'gad-7'] })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ error: { code: 'wave_has_answers', details: { responses: 1 } } })
  })

  it('applies date-times given to `wave set`, and whole days given afterwards, on the same days', async () => {
    const { deps, db, cohort, put } = await world()
    const run = cliRunner(deps)
    await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-03', closes: '2026-03-07', instruments: ['phq-9'] }, 'test')
    const r = await run('wave', 'set', '--cohort', cohort.id, '--wave', 'pre', '--opens', '2026-03-03T08:00:00.000Z', '--closes', '2026-03-07T12:00:00.000Z', '--instruments', 'phq-9', '--json')
    expect(r.code).toBe(0)
    expect((await listWaves(db, cohort.id))[0]).toMatchObject({ opensAt: '2026-03-03T08:00:00.000Z', closesAt: '2026-03-07T12:00:00.000Z' })
    expect((await put('pre', { opens: '2026-03-03', closes: '2026-03-07', instruments: ['phq-9'] })).status).toBe(200)
    expect((await listWaves(db, cohort.id))[0]).toMatchObject({ opensAt: '2026-03-03T00:00:00.000Z', closesAt: '2026-03-08T00:00:00.000Z' })
  })
})
