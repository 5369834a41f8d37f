/**
 * Found in an adversary review of bca3d6f (a correction that raises a safety flag raises it as a submitted answer
 * does). The other direction: a researcher corrects PHQ-9 item 9 back to "not at all" (0). A
 * correction scores the form again (replaceScores), which deletes every `response_flag` row and
 * inserts only the flags the corrected answers raise. So the flag the participant raised at their
 * link disappears from the Safety view without anyone acknowledging it, its reminder finds no flag and
 * sends nothing, and a flag already acknowledged takes its acknowledgement (who called the
 * participant, what was agreed) out of the Safety view with it.
 *
 * A safety officer expects a flag, once raised by the participant's own answer, to stay until a
 * researcher closes it with the action taken (README, "Safety flags": "A researcher acknowledges a
 * flag with the action taken"); a submitted answer can never take a flag back, and a re-score never
 * withdraws one (rescore.ts: "a flag once raised has been seen, notified and perhaps acknowledged;
 * it is never withdrawn by a re-score").
 */
import { describe, expect, it } from 'vitest'
import { listResponsesOfParticipant } from '../../server/db/repositories/responses'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { acknowledgeSafetyFlag, safetyView } from '../../server/domain/participation/safety'
import { jsonRequest } from '../helpers/app'
import { consentedParticipant } from '../helpers/outbox-app'
import { signedInStaff } from '../helpers/staff'

const phq = (values: number[]) => Object.fromEntries(values.map((v, i) => [`phq9_${i + 1}`, v]))

/** A participant who answered item 9 "several days" at their link: the flag is raised and the contacts are to be emailed. */
async function flaggedAtLink() {
  const f = await consentedParticipant()
  expect((await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: phq([1, 1, 1, 1, 1, 1, 1, 1, 1]), clientId: 'submitted-0001' }))).status).toBe(200)
  const response = (await listResponsesOfParticipant(f.db, f.participant.id)).find((r) => r.instrumentId === 'phq-9')!
  const { study_id: studyId } = await f.db.selectFrom('participant').innerJoin('cohort', 'cohort.id', 'participant.cohort_id').select('cohort.study_id').where('participant.id', '=', f.participant.id).executeTakeFirstOrThrow()
  const researcher = await signedInStaff(f.deps, [{ studyId, role: 'researcher' }])
  const toZero = () => correctAnswer(f.deps, { responseId: response.id, question: 'phq9_9', oldValue: 1, value: 0, reason: 'Said on the phone: tapped the wrong answer' }, `staff:${researcher.user.id}`)
  return { f, studyId, response, researcher, toZero }
}

describe('a correction that takes a safety answer back to 0', () => {
  it('leaves the flag the participant raised open in the Safety view until a researcher acknowledges it', async () => {
    const { f, studyId, response, toZero } = await flaggedAtLink()
    expect((await safetyView(f.deps, studyId)).open.map((x) => [x.responseId, x.item])).toEqual([[response.id, 'phq9_9']])

    await toZero()

    // Nobody has acknowledged it: the safety officer still has to see it and say what was done.
    const view = await safetyView(f.deps, studyId)
    expect(view.open.map((x) => [x.responseId, x.item])).toEqual([[response.id, 'phq9_9']])
    // The audit log says the corrected answer no longer meets the flag that stays.
    const audit = await f.db.selectFrom('audit_log').select('details').where('action', '=', 'answer.correct').where('entity_id', '=', response.id).executeTakeFirstOrThrow()
    expect(JSON.parse(audit.details!)).toMatchObject({ question: 'phq9_9', flagsKept: ['phq9-item9'] })
  })

  it('keeps an acknowledged flag, with the action taken, in the Safety view', async () => {
    const { f, studyId, response, researcher, toZero } = await flaggedAtLink()
    await acknowledgeSafetyFlag(f.deps, studyId, { responseId: response.id, flagId: 'phq9-item9', action: 'Called by Dr A; safe, seeing GP tomorrow' }, researcher.user.id)
    expect((await safetyView(f.deps, studyId)).acknowledged.map((x) => x.acknowledgement?.action)).toEqual(['Called by Dr A; safe, seeing GP tomorrow'])

    await toZero()

    // The record of what was done about a flag of self-harm is not the correction's to take away.
    expect((await safetyView(f.deps, studyId)).acknowledged.map((x) => [x.responseId, x.acknowledgement?.action])).toEqual([[response.id, 'Called by Dr A; safe, seeing GP tomorrow']])
  })
})
