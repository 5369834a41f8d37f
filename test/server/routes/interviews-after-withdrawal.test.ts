/**
 * A participant who withdraws keeping their data keeps their interview as it stood that day: staff
 * can still read it, but nothing new is written to it (notes, transcript, times, consent to record),
 * whether by a researcher or by the interviewer assigned to them.
 */
import { describe, expect, it } from 'vitest'
import { addParticipants, createCohort, createStudy } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

type Json = Record<string, any>
type Staff = Awaited<ReturnType<typeof signedInStaff>>

/** P1's interview, with a note and a transcript, held before P1 withdrew keeping their data. */
async function withdrawnAfterInterview() {
  const built = await testApp()
  const { deps, app, db } = built
  const study = await createStudy(deps, { name: 'Interview study' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group 1' }, 'test')
  const [p1] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const interviewer = await signedInStaff(deps, [{ studyId: study.id, role: 'interviewer' }])
  const call = async (who: Staff, method: string, path: string, body?: unknown) => {
    const res = await app.request(`/api${path}`, {
      method,
      headers: { ...who.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Json }
  }

  expect((await call(researcher, 'POST', `/studies/${study.id}/interview-assignments`, { interviewerId: interviewer.user.id, participantId: p1!.id })).status).toBe(201)
  const interview = (await call(interviewer, 'POST', `/participants/${p1!.id}/interview`, { consentToRecord: true })).body
  expect((await call(interviewer, 'PUT', `/interviews/${interview.id}/notes/safety`, { text: 'Felt judged at first', revision: 1 })).status).toBe(200)
  expect((await call(interviewer, 'PUT', `/interviews/${interview.id}/transcript`, { format: 'text', content: 'P1: I was afraid at first.' })).status).toBe(200)
  built.clock.advance(60_000)
  expect((await app.request(`/api/p/${p1!.token}/withdraw`, jsonRequest('POST', { keepData: true }))).status).toBe(200)
  built.clock.advance(60_000)

  /** Every stored row of the interview, its notes and transcript, and the audit log's length. */
  const stored = async () => ({
    interview: await db.selectFrom('interview').selectAll().execute(),
    notes: await db.selectFrom('interview_note').selectAll().execute(),
    transcripts: await db.selectFrom('transcript').selectAll().execute(),
    audit: (await db.selectFrom('audit_log').select('id').execute()).length,
  })
  return { interviewId: interview.id as string, researcher, interviewer, call, stored }
}

function expectWithdrawn(res: { status: number; body: Json }) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 409, code: 'withdrawn' })
  expect(Object.keys(res.body)).toEqual(['error'])
  expect(res.body.error.message).toEqual(expect.any(String))
}

describe('an interview after its participant withdrew keeping their data', () => {
  for (const role of ['interviewer', 'researcher'] as const) {
    it(`takes no new note from the ${role}, changes no stored one, and still shows the kept one`, async () => {
      const w = await withdrawnAfterInterview()
      const before = await w.stored()
      expectWithdrawn(await w.call(w[role], 'PUT', `/interviews/${w.interviewId}/notes/safety`, { text: 'Felt judged at first, then safe', revision: 2 }))
      expectWithdrawn(await w.call(w[role], 'PUT', `/interviews/${w.interviewId}/notes/experience`, { text: 'A new note', revision: 1 }))
      expect(await w.stored()).toEqual(before)
      // Kept means kept: the interview is still there to read.
      const view = await w.call(w[role], 'GET', `/interviews/${w.interviewId}`)
      expect(view.status).toBe(200)
      expect(view.body.notes.map((n: Json) => [n.questionId, n.text])).toEqual([['safety', 'Felt judged at first']])
    })

    it(`takes no new or replaced transcript from the ${role}`, async () => {
      const w = await withdrawnAfterInterview()
      const before = await w.stored()
      expectWithdrawn(await w.call(w[role], 'PUT', `/interviews/${w.interviewId}/transcript`, { format: 'text', content: 'P1: I was afraid at first. Later I felt safe.' }))
      // Not even the same text again: it would be recorded as a new upload.
      expectWithdrawn(await w.call(w[role], 'PUT', `/interviews/${w.interviewId}/transcript`, { format: 'text', content: 'P1: I was afraid at first.' }))
      expect(await w.stored()).toEqual(before)
      const transcript = await w.call(w[role], 'GET', `/transcripts/${before.transcripts[0]!.id}`)
      expect(transcript).toMatchObject({ status: 200, body: { text: 'P1: I was afraid at first.' } })
    })

    it(`takes no change to the times or the consent to record from the ${role}`, async () => {
      const w = await withdrawnAfterInterview()
      const before = await w.stored()
      expectWithdrawn(await w.call(w[role], 'PATCH', `/interviews/${w.interviewId}`, { endedAt: '2026-03-02T09:45:00Z' }))
      expectWithdrawn(await w.call(w[role], 'PATCH', `/interviews/${w.interviewId}`, { startedAt: '2026-03-02T08:55:00Z' }))
      expect(await w.stored()).toEqual(before)
    })
  }
})
