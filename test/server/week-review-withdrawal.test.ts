/**
 * Week review: a participant who withdrew keeping their answers, and later asks at their link for
 * them to be deleted after all, gets them deleted (their right to erasure), not a 200 that deleted
 * nothing. The withdrawal itself stays as it was, with when it happened.
 */
import { describe, expect, it } from 'vitest'
import { listResponsesOfParticipant } from '../../server/db/repositories/responses'
import { setWave } from '../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../helpers/app'
import { codingStudy } from '../helpers/qualitative'

const words = 'I was afraid the head of department would read this. '

async function withdrawnKeeping() {
  const { app, deps, db, clock } = await testApp()
  const study = await codingStudy(deps, [`Interviewer: How was it?\nP1: ${words}`])
  await setWave(deps, { cohortId: study.cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  const p1 = study.participants[0]!
  expect((await app.request(`/api/p/${p1.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
  const phq = Object.fromEntries([2, 2, 2, 2, 2, 1, 1, 1, 1].map((v, i) => [`phq9_${i + 1}`, v]))
  expect((await app.request(`/api/p/${p1.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: phq, clientId: 'submit-0001' }))).status).toBe(200)
  const first = await app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: true }))
  expect(first.status).toBe(200)
  const { withdrawnAt } = await first.json()
  clock.advance(7 * 24 * 3600_000)
  return { app, db, p1, withdrawnAt }
}

describe('deletion asked for after withdrawing with the answers kept', () => {
  it('deletes the answers, the interview and the safety flag, keeps the withdrawal and its time, and is idempotent', async () => {
    const { app, db, p1, withdrawnAt } = await withdrawnKeeping()
    expect(await listResponsesOfParticipant(db, p1.id)).toHaveLength(1)

    const res = await app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: false }))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ withdrawnAt, deletedResponses: 1 })
    expect(await listResponsesOfParticipant(db, p1.id)).toEqual([])
    expect(await db.selectFrom('interview').selectAll().where('participant_id', '=', p1.id).execute()).toEqual([])
    expect(await db.selectFrom('response_flag').selectAll().execute()).toEqual([])
    expect(await db.selectFrom('job').selectAll().where('kind', 'like', 'safety.%').execute()).toEqual([])
    expect(JSON.stringify(await db.selectFrom('audit_log').selectAll().execute())).not.toMatch(/phq9-item9|afraid|response\.complete|consent\.agree/)
    const about = (await db.selectFrom('audit_log').selectAll().orderBy('at').orderBy('id').execute()).filter((r) => r.entity_id === p1.id)
    expect(about.map((r) => [r.action, r.at, JSON.parse(r.details)])).toEqual([
      ['participant.withdraw', withdrawnAt, { keepData: true, deletedResponses: 0 }],
      ['participant.delete_data', expect.any(String), { deletedResponses: 1 }],
    ])
    const state = await (await app.request(`/api/p/${p1.token}`)).json()
    expect(state.participant).toMatchObject({ status: 'withdrawn', withdrawnAt })

    // Asked again (a retry): nothing more to delete, nothing more written.
    const auditCount = (await db.selectFrom('audit_log').select('id').execute()).length
    const again = await app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: false }))
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual({ withdrawnAt, deletedResponses: 0 })
    expect((await db.selectFrom('audit_log').select('id').execute()).length).toBe(auditCount)
  })

  it('keeps everything when the participant sends "keep" again', async () => {
    const { app, db, p1, withdrawnAt } = await withdrawnKeeping()
    const auditCount = (await db.selectFrom('audit_log').select('id').execute()).length
    const res = await app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: true }))
    expect(await res.json()).toEqual({ withdrawnAt, deletedResponses: 0 })
    expect(await listResponsesOfParticipant(db, p1.id)).toHaveLength(1)
    expect((await db.selectFrom('audit_log').select('id').execute()).length).toBe(auditCount)
  })
})
