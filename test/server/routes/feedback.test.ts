/** A participant's own results at their link: only after the post questionnaires, only where the study shows them. */
import { describe, expect, it } from 'vitest'
import { updateStudy } from '../../../server/db/repositories/studies'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'

const phq = (values: number[]) => Object.fromEntries(values.map((v, i) => [`phq9_${i + 1}`, v]))

async function participantWithLink(feedback: boolean, support: string | null = 'Staff support service, 0123 456 789') {
  const ctx = await testApp()
  const { deps, app } = ctx
  const study = await createStudy(deps, { name: 'Feedback study' }, 'test')
  await updateStudy(deps.db, study.id, { participantFeedback: feedback, supportContact: support })
  const cohort = await createCohort(deps, { studyId: study.id, name: 'G' }, 'test')
  await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-10', instruments: ['phq-9'] }, 'test')
  await setWave(deps, { cohortId: cohort.id, kind: 'post', opens: '2026-03-01', closes: '2026-03-10', instruments: ['phq-9'], confirmOverlap: true }, 'test')
  const [p] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
  const base = `/api/p/${p!.token}`
  const consent = deps.instruments.get('consent')!
  await app.request(`${base}/consent`, jsonRequest('POST', { version: consent.version, answers: { consent: 'agree' } }))
  const complete = async (wave: string, answers: Record<string, number>, id: string) => {
    const res = await app.request(`${base}/forms/${wave}/phq-9/complete`, jsonRequest('POST', { answers, clientId: id }))
    expect(res.status).toBe(200)
  }
  const state = async () => (await (await app.request(base)).json()).feedback
  return { complete, state }
}

describe('participant feedback', () => {
  it('appears after the post questionnaire, in bands and plain words, without p-values', async () => {
    const { complete, state } = await participantWithLink(true)
    // pre 3·6 + 0·3 = 18 (moderately severe); post 1·8 + 0 = 8 (mild): 10 points better > 7.94 needed.
    await complete('pre', phq([3, 3, 3, 3, 3, 3, 0, 0, 0]), 'pre-00000001')
    expect(await state()).toBeNull()
    await complete('post', phq([1, 1, 1, 1, 1, 1, 1, 1, 0]), 'post-0000001')
    const feedback = await state()
    expect(feedback.scales).toEqual([
      expect.objectContaining({ instrument: 'phq-9', pre: 18, post: 8, bandPre: 'Moderately severe', bandPost: 'Mild', change: 'better' }),
    ])
    expect(feedback.support).toBeNull()
    expect(JSON.stringify(feedback)).not.toMatch(/"p"|pHolm|pairedT/)
  })

  it('adds a sentence of support with the contact when a score got worse or a safety flag is set', async () => {
    const worse = await participantWithLink(true)
    await worse.complete('pre', phq([0, 0, 0, 0, 0, 0, 0, 0, 0]), 'pre-00000002')
    await worse.complete('post', phq([2, 2, 2, 2, 1, 1, 0, 0, 0]), 'post-0000002')
    expect((await worse.state()).support).toEqual({ reason: 'worse', contact: 'Staff support service, 0123 456 789' })

    const flagged = await participantWithLink(true)
    await flagged.complete('pre', phq([1, 1, 1, 1, 1, 1, 1, 1, 1]), 'pre-00000003')
    await flagged.complete('post', phq([1, 1, 1, 1, 1, 1, 1, 1, 0]), 'post-0000003')
    expect((await flagged.state()).support).toEqual({ reason: 'flag', contact: 'Staff support service, 0123 456 789' })
  })

  it('is not shown when the study keeps results from participants', async () => {
    const { complete, state } = await participantWithLink(false)
    await complete('pre', phq([3, 3, 3, 3, 3, 3, 0, 0, 0]), 'pre-00000004')
    await complete('post', phq([1, 1, 1, 1, 1, 1, 1, 1, 0]), 'post-0000004')
    expect(await state()).toBeNull()
  })
})
