/**
 * Week review: "delete my answers" takes the participant's attendance marks with them, so the
 * exports' wide.csv no longer says how many group sessions they attended; keeping keeps them.
 */
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { exportFiles } from '../../server/domain/outcomes/exports'
import { addParticipants, createCohort, createStudy, recordAttendance } from '../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../helpers/app'

async function attended(keepData: boolean, thenDelete = false) {
  const { app, deps, db } = await testApp()
  const study = await createStudy(deps, { name: 'S' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'G', firstSession: '2026-02-02', sessions: 4 }, 'test')
  const [p1] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
  for (const session of cohort.groupSessions.slice(0, 3)) await recordAttendance(deps, session.id, [{ participantId: p1!.id, present: true }], 'test')
  expect((await app.request(`/api/p/${p1!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
  expect((await app.request(`/api/p/${p1!.token}/withdraw`, jsonRequest('POST', { keepData }))).status).toBe(200)
  // Deletion asked for later at the link, twice: done once.
  if (thenDelete) for (let k = 0; k < 2; k++) expect((await app.request(`/api/p/${p1!.token}/withdraw`, jsonRequest('POST', { keepData: false }))).status).toBe(200)
  const deletions = await db.selectFrom('audit_log').select('action').where('entity_id', '=', p1!.id).where('action', '=', 'participant.delete_data').execute()
  const wide = (await exportFiles(deps, cohort.id)).find((f) => f.name === 'wide.csv')!
  let text = ''
  for await (const chunk of wide.generate()) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
  const rows = parse(text, { columns: true }) as Record<string, string>[]
  return { marks: await db.selectFrom('attendance').selectAll().where('participant_id', '=', p1!.id).execute(), row: rows.find((r) => r.participant === p1!.code)!, deletions: deletions.length }
}

describe('attendance after withdrawal', () => {
  it('is deleted with the participant\'s data when they ask for deletion', async () => {
    const { marks, row } = await attended(false)
    expect(marks).toEqual([])
    expect(row.sessions_attended).toBe('0')
  })

  // Found by the review of the day's commits: a later deletion was skipped when no answers and no
  // interview were left, so marks alone stayed (and a restore made the same mistake).
  it('is deleted when they kept their data and ask later for its deletion, though they gave no answers', async () => {
    const { marks, row, deletions } = await attended(true, true)
    expect(marks).toEqual([])
    expect(row.sessions_attended).toBe('0')
    expect(deletions).toBe(1)
  })

  it('is kept when they keep their data', async () => {
    const { marks, row } = await attended(true)
    expect(marks).toHaveLength(3)
    expect(row.sessions_attended).toBe('3')
  })
})
