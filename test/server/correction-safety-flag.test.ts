/**
 * A researcher's correction that raises a safety flag (PHQ-9 item 9 from "not at all" to "several
 * days": the participant said on the phone they had tapped the wrong answer) is raised as a submitted
 * answer's is: audited as `response.flagged`, and the study's safety contacts emailed (a job) for an
 * answer given at the participant's link. Before, the flag appeared in the Safety view with nobody
 * told. A flag already raised is not raised again, and an imported answer's flag is listed without
 * emails, as imported flags are (README, "Safety flags").
 */
import { describe, expect, it } from 'vitest'
import { listResponsesOfParticipant } from '../../server/db/repositories/responses'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { safetyView } from '../../server/domain/participation/safety'
import { jsonRequest } from '../helpers/app'
import { consentedParticipant } from '../helpers/outbox-app'
import { signedInStaff } from '../helpers/staff'

const phq = (values: number[]) => Object.fromEntries(values.map((v, i) => [`phq9_${i + 1}`, v]))

describe('a correction that raises a safety flag', () => {
  it('is audited and emails the safety contacts for an answer given at the link; raising it again does nothing', async () => {
    const f = await consentedParticipant()
    expect((await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: phq([1, 1, 1, 1, 1, 1, 1, 1, 0]), clientId: 'submitted-0001' }))).status).toBe(200)
    const response = (await listResponsesOfParticipant(f.db, f.participant.id)).find((r) => r.instrumentId === 'phq-9')!
    const cohort = await f.db.selectFrom('participant').innerJoin('cohort', 'cohort.id', 'participant.cohort_id').select('cohort.study_id').where('participant.id', '=', f.participant.id).executeTakeFirstOrThrow()
    const researcher = await signedInStaff(f.deps, [{ studyId: cohort.study_id, role: 'researcher' }])
    const flagged = () => f.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'response.flagged').where('entity_id', '=', response.id).execute()
    const jobs = () => f.db.selectFrom('job').select(['kind', 'dedupe_key']).where('dedupe_key', 'like', `safety:%${response.id}%`).orderBy('dedupe_key').execute()
    expect(await flagged()).toEqual([])
    expect(await jobs()).toEqual([])

    await correctAnswer(f.deps, { responseId: response.id, question: 'phq9_9', oldValue: 0, value: 1, reason: 'Said on the phone: tapped the wrong answer' }, `staff:${researcher.user.id}`)
    expect((await flagged()).map((a) => a.actor)).toEqual(['system'])
    expect((await jobs()).map((j) => j.kind)).toEqual(['safety.notify', 'safety.renotify'])
    expect((await safetyView(f.deps, cohort.study_id)).open.map((x) => x.item)).toEqual(['phq9_9'])

    // From "several days" to "more than half the days": the flag was raised already.
    await correctAnswer(f.deps, { responseId: response.id, question: 'phq9_9', oldValue: 1, value: 2, reason: 'Said on the phone: more often' }, `staff:${researcher.user.id}`)
    expect(await flagged()).toHaveLength(1)
    expect(await jobs()).toHaveLength(2)
  })

  it("is audited and listed, without emails, for an imported answer", async () => {
    const f = await consentedParticipant()
    const cohortId = (await f.db.selectFrom('participant').select('cohort_id').where('id', '=', f.participant.id).executeTakeFirstOrThrow()).cohort_id
    const studyId = (await f.db.selectFrom('cohort').select('study_id').where('id', '=', cohortId).executeTakeFirstOrThrow()).study_id
    const rows = ['participant,wave,instrument,item,value', ...[1, 1, 1, 1, 1, 1, 1, 1, 0].map((v, i) => `P9,pre,phq-9,phq9_${i + 1},${v}`)]
    await importCohortCsv(f.deps, { cohortId, csv: rows.join('\n') }, 'test')
    const p9 = await f.db.selectFrom('participant').select('id').where('code', '=', 'P9').where('cohort_id', '=', cohortId).executeTakeFirstOrThrow()
    const response = (await listResponsesOfParticipant(f.db, p9.id)).find((r) => r.instrumentId === 'phq-9')!
    const researcher = await signedInStaff(f.deps, [{ studyId, role: 'researcher' }])
    await correctAnswer(f.deps, { responseId: response.id, question: 'phq9_9', oldValue: 0, value: 1, reason: 'The paper form says several days' }, `staff:${researcher.user.id}`)
    expect(await f.db.selectFrom('audit_log').select('id').where('action', '=', 'response.flagged').where('entity_id', '=', response.id).execute()).toHaveLength(1)
    expect(await f.db.selectFrom('job').select('id').where('dedupe_key', 'like', `safety:%${response.id}%`).execute()).toEqual([])
    expect((await safetyView(f.deps, studyId)).open.map((x) => x.item)).toEqual(['phq9_9'])
  })
})
