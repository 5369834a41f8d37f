/**
 * Attendance of a participant who has withdrawn: they cannot be marked present at a session after the
 * day they withdrew (409 `withdrawn`, nothing written), nor at any session once their data was deleted;
 * marks kept from before stay as they are, wide.csv's sessions_attended counts only those, and the
 * attendance sheet lists them as withdrawn with the sessions that are closed to them.
 */
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { exportFiles } from '../../server/domain/outcomes/exports'
import { addParticipants, createCohort, createStudy, recordAttendance } from '../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

/**
 * A cohort of two with 8 sessions from Monday 23 February 2026 (23, 26 Feb, 2, 5 … 19 Mar, UTC); P1
 * present at the first two, then withdrawing on 2 March at 09:00 (the test clock), keeping or
 * deleting their data. A group leader of the study is signed in.
 */
async function withdrawnAfterTwoSessions(keepData: boolean) {
  const { app, deps, db } = await testApp()
  const study = await createStudy(deps, { name: 'S', timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'G', firstSession: '2026-02-23', sessions: 8 }, 'test')
  const [p1, p2] = await addParticipants(deps, { cohortId: cohort.id, count: 2 }, 'test')
  for (const session of cohort.groupSessions.slice(0, 2)) await recordAttendance(deps, session.id, [{ participantId: p1!.id, present: true }], 'test')
  expect((await app.request(`/api/p/${p1!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
  expect((await app.request(`/api/p/${p1!.token}/withdraw`, jsonRequest('POST', { keepData }))).status).toBe(200)
  const leader = await signedInStaff(deps, [{ studyId: study.id, role: 'group_leader' }])
  const mark = (sessionIndex: number, attendance: { participantId: string; present: boolean }[]) =>
    app.request(`/api/sessions/${cohort.groupSessions[sessionIndex]!.id}/attendance`, { ...jsonRequest('PUT', { attendance }), headers: { ...leader.headers, 'content-type': 'application/json' } })
  const sheet = async () => (await app.request(`/api/cohorts/${cohort.id}/sessions`, { headers: leader.headers })).json()
  const stored = async () => ({
    marks: (await db.selectFrom('attendance').select(['group_session_id', 'participant_id', 'present']).orderBy('group_session_id').orderBy('participant_id').execute()).map((m) => `${cohort.groupSessions.findIndex((s) => s.id === m.group_session_id) + 1} ${m.participant_id === p1!.id ? 'P1' : 'P2'} ${m.present}`).sort(),
    audit: (await db.selectFrom('audit_log').select('id').where('action', '=', 'attendance.record').execute()).length,
  })
  const attended = async () => {
    const wide = (await exportFiles(deps, cohort.id)).find((f) => f.name === 'wide.csv')!
    let text = ''
    for await (const chunk of wide.generate()) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return Object.fromEntries((parse(text, { columns: true }) as Record<string, string>[]).map((r) => [r.participant, r.sessions_attended]))
  }
  return { cohort, p1: p1!, p2: p2!, mark, sheet, stored, attended }
}

describe('attendance of a participant who has withdrawn, keeping their data', () => {
  it('refuses marking them present after the day they withdrew with 409, writing nothing, not even the other marks', async () => {
    const { p1, p2, mark, stored, attended } = await withdrawnAfterTwoSessions(true)
    const before = await stored()
    expect(before.marks).toEqual(['1 P1 1', '2 P1 1'])

    // Session 4 is on 5 March, after the withdrawal on 2 March.
    const res = await mark(3, [{ participantId: p2.id, present: true }, { participantId: p1.id, present: true }])
    expect(res.status).toBe(409)
    const body = await res.json()
    expect(body).toEqual({
      error: {
        code: 'withdrawn',
        message: expect.stringContaining('P1 withdrew from the study on 2026-03-02'),
        details: { participants: [{ field: 'attendance[1].participantId', participantId: p1.id, code: 'P1', withdrawnOn: '2026-03-02' }] },
      },
    })
    expect(await stored()).toEqual(before)
    // The report counts the sessions attended before the withdrawal, and only those.
    expect(await attended()).toEqual({ P1: '2', P2: '0' })
  })

  it('keeps the marks from before the withdrawal, and still takes marks for the day they withdrew and before', async () => {
    const { p1, mark, stored } = await withdrawnAfterTwoSessions(true)
    // Session 3 is on 2 March, the day they withdrew: they may have come before withdrawing.
    expect((await mark(2, [{ participantId: p1.id, present: true }])).status).toBe(200)
    expect((await mark(1, [{ participantId: p1.id, present: false }])).status).toBe(200)
    expect((await stored()).marks).toEqual(['1 P1 1', '2 P1 0', '3 P1 1'])
  })

  it('takes "absent" after the withdrawal (a page loaded before it sends its whole column) without storing a mark', async () => {
    const { p1, p2, mark, stored } = await withdrawnAfterTwoSessions(true)
    const res = await mark(3, [{ participantId: p1.id, present: false }, { participantId: p2.id, present: true }])
    expect(res.status).toBe(200)
    expect((await stored()).marks).toEqual(['1 P1 1', '2 P1 1', '4 P2 1'])
  })

  it('lists them on the attendance sheet as withdrawn, with the sessions closed to them', async () => {
    const { cohort, p1, p2, sheet } = await withdrawnAfterTwoSessions(true)
    const body = await sheet()
    expect(body.participants).toEqual([
      { id: p1.id, code: 'P1', withdrawn: { on: '2026-03-02', closedSessions: cohort.groupSessions.slice(3).map((s) => s.id) } },
      { id: p2.id, code: 'P2' },
    ])
    expect(body.attendance).toHaveLength(2)
  })
})

describe('attendance of a participant who has withdrawn and had their data deleted', () => {
  it('refuses marking them present at any session, even one before the withdrawal, and the report counts none', async () => {
    const { cohort, p1, mark, sheet, stored, attended } = await withdrawnAfterTwoSessions(false)
    const before = await stored()
    expect(before.marks).toEqual([])
    for (const session of [0, 5]) {
      const res = await mark(session, [{ participantId: p1.id, present: true }])
      expect(res.status).toBe(409)
      expect((await res.json()).error.code).toBe('withdrawn')
    }
    expect((await mark(0, [{ participantId: p1.id, present: false }])).status).toBe(200)
    expect((await stored()).marks).toEqual([])
    expect(await attended()).toEqual({ P1: '0', P2: '0' })
    expect((await sheet()).participants[0]).toEqual({ id: p1.id, code: 'P1', withdrawn: { on: '2026-03-02', closedSessions: cohort.groupSessions.map((s) => s.id) } })
  })
})
