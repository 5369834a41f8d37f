/**
 * Corrections of stored answers with their trail (issue 17): the score is computed again, the old
 * value stays in the response's history, the correction names who, when and why, and the audit-log
 * viewer shows it to the study's researchers (and as CSV).
 */
import { describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { listAnswerHistory } from '../../../server/db/repositories/answers'
import { listParticipants } from '../../../server/db/repositories/participants'
import { listResponsesOfParticipant, listScores } from '../../../server/db/repositories/responses'
import { createDemo } from '../../../server/domain/demo/study'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { createCohort, createStudy } from '../../../server/domain/staff/setup'
import { itemLines } from '../../helpers/export-cohort'
import { jsonRequest, testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

async function world() {
  const { app, deps, db } = await testApp()
  const demo = await createDemo(deps, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: demo.study.id, role: 'researcher' }])
  const p1 = (await listParticipants(db, demo.completedCohort.id)).find((p) => p.code === 'P1')!
  const phq = (await listResponsesOfParticipant(db, p1.id)).find((r) => r.instrumentId === 'phq-9' && r.status === 'complete')!
  const send = (method: string, path: string, body?: unknown) => app.request(path, { ...jsonRequest(method, body), headers: { ...researcher.headers, 'content-type': 'application/json' } })
  return { app, deps, db, demo, researcher, p1, phq, send }
}

const total = async (db: Parameters<typeof listScores>[0], responseId: string) => (await listScores(db, responseId)).find((s) => s.scale === 'total')!.score

describe('POST /api/responses/:id/corrections', () => {
  it('changes the answer, scores again, keeps the old value in history and names who, when and why', async () => {
    const { db, phq, p1, researcher, send } = await world()
    const before = await total(db, phq.id)
    const old = phq.answers.phq9_1 as number
    const corrected = old === 3 ? 0 : old + 1
    const res = await send('POST', `/api/responses/${phq.id}/corrections`, { question: 'phq9_1', oldValue: old, value: corrected, reason: 'Paper form says otherwise' })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ question: 'phq9_1', oldValue: old, newValue: corrected, reason: 'Paper form says otherwise', correctedBy: `staff:${researcher.user.id}` })
    // PHQ-9's total is the sum of items 1–9: it moves by exactly the change of item 1.
    expect(await total(db, phq.id)).toBe(before! + corrected - old)
    expect((await listAnswerHistory(db, phq.id)).map((h) => [h.question, h.value])).toContainEqual(['phq9_1', old])

    const page = await (await send('GET', `/api/participants/${p1.id}/answers`)).json()
    const response = page.responses.find((r: { responseId: string }) => r.responseId === phq.id)
    expect(response.answers.find((a: { question: string }) => a.question === 'phq9_1')).toMatchObject({ value: corrected, corrected: true })
    expect(response.answers.find((a: { question: string }) => a.question === 'phq9_2')).toMatchObject({ corrected: false })
    expect(response.corrections).toHaveLength(1)
  })

  it('keeps a safety flag raised before the correction as it was: raised when it was, not at the correction', async () => {
    const { app, deps, db } = await testApp()
    const study = await createStudy(deps, { name: 'Flag study' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
    // PHQ-9 with item 9 ("thoughts that you would be better off dead…") answered "several days": a safety flag.
    await importCohortCsv(deps, { cohortId: cohort.id, csv: ['participant,wave,instrument,item,value', ...itemLines('P1', 'pre', 'phq-9', 'phq9_', [1, 1, 1, 1, 1, 1, 1, 1, 1])].join('\n') }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const flagged = await db.selectFrom('response_flag').select(['response_id', 'flag_id', 'raised_at']).executeTakeFirstOrThrow()
    deps.clock.advance(3600_000)
    const res = await app.request(`/api/responses/${flagged.response_id}/corrections`, { ...jsonRequest('POST', { question: 'phq9_1', oldValue: 1, value: 2, reason: 'Paper form says 2' }), headers: { ...researcher.headers, 'content-type': 'application/json' } })
    expect(res.status).toBe(201)
    const after = await db.selectFrom('response_flag').select(['flag_id', 'raised_at']).where('response_id', '=', flagged.response_id).execute()
    expect(after).toEqual([{ flag_id: flagged.flag_id, raised_at: flagged.raised_at }])
  })

  it('refuses a value the question does not allow, or the value already stored, and writes nothing', async () => {
    const { db, phq, send } = await world()
    const before = await total(db, phq.id)
    const bad = await send('POST', `/api/responses/${phq.id}/corrections`, { question: 'phq9_1', oldValue: phq.answers.phq9_1, value: 7, reason: 'typo' })
    expect(bad.status).toBe(422)
    expect((await bad.json()).error.details[0].field).toBe('value')
    const same = await send('POST', `/api/responses/${phq.id}/corrections`, { question: 'phq9_1', oldValue: phq.answers.phq9_1, value: phq.answers.phq9_1, reason: 'no change' })
    expect(same.status).toBe(422)
    const noReason = await send('POST', `/api/responses/${phq.id}/corrections`, { question: 'phq9_1', oldValue: phq.answers.phq9_1, value: 0 })
    expect(noReason.status).toBe(422)
    const unknown = await send('POST', `/api/responses/${phq.id}/corrections`, { question: 'nope', oldValue: null, value: 0, reason: 'typo typo' })
    expect(unknown.status).toBe(422)
    expect(await total(db, phq.id)).toBe(before)
    expect(await db.selectFrom('answer_correction').selectAll().execute()).toEqual([])
  })
})

describe('GET /api/studies/:id/audit', () => {
  it('lists the study entries filtered by participant, user, action and date, and exports them as CSV', async () => {
    const { demo, p1, phq, researcher, send } = await world()
    await send('POST', `/api/responses/${phq.id}/corrections`, { question: 'phq9_2', oldValue: phq.answers.phq9_2, value: phq.answers.phq9_2 === 0 ? 1 : 0, reason: 'Entered from the wrong sheet' })
    const all = await (await send('GET', `/api/studies/${demo.study.id}/audit`)).json()
    expect(all.actions).toContain('answer.correct')
    expect(all.entries.length).toBeGreaterThan(1)

    const mine = await (await send('GET', `/api/studies/${demo.study.id}/audit?user=${researcher.user.id}&action=answer.correct&participant=${p1.id}&from=2026-03-02&to=2026-03-02`)).json()
    expect(mine.entries).toHaveLength(1)
    expect(mine.entries[0]).toMatchObject({ action: 'answer.correct', entityId: phq.id, actor: `staff:${researcher.user.id}`, actorName: expect.stringContaining(researcher.email) })
    // The log holds no answers: the values are in the correction, not in the log.
    expect(JSON.stringify(mine.entries[0].details)).not.toContain('Entered from the wrong sheet')

    const none = await (await send('GET', `/api/studies/${demo.study.id}/audit?action=answer.correct&from=2026-03-03`)).json()
    expect(none.entries).toEqual([])

    const csv = await send('GET', `/api/studies/${demo.study.id}/audit.csv?action=answer.correct`)
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/)
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[]
    expect(rows).toEqual([expect.objectContaining({ action: 'answer.correct', entity: 'response', entity_id: phq.id })])

    // Another study's participant is not a filter here.
    const bad = await send('GET', `/api/studies/${demo.study.id}/audit?from=yesterday`)
    expect(bad.status).toBe(422)
  })
})
