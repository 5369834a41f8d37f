/**
 * Completion tracking (the participants tab) and the cohort report say the same about who took part
 * with consent: the rule is written once (`tookPartWithConsent`), and each participant's row is built
 * from their own responses only.
 */
import { describe, expect, it } from 'vitest'
import { insertConsent, insertParticipants } from '../../../../server/db/repositories/participants'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { cohortReport } from '../../../../server/domain/outcomes/report'
import { cohortTracking } from '../../../../server/domain/outcomes/tracking'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testApp } from '../../../helpers/app'

const phq9 = Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`)

describe('completion tracking', () => {
  it('counts an imported participant and one who agreed as consented, not one who declined or never answered, as the report does', async () => {
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'Tracking' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'One group' }, 'test')
    // I1 and I2 imported with a complete PHQ-9 at pre; I2 also at post.
    const rows = ['participant,wave,instrument,item,value']
    for (const [code, waves] of [['I1', ['pre']], ['I2', ['pre', 'post']]] as const) for (const wave of waves) for (const item of phq9) rows.push(`${code},${wave},phq-9,${item},1`)
    await importCohortCsv(deps, { cohortId: cohort.id, csv: `${rows.join('\n')}\n` }, 'test')
    // Three at links: one agreed (twice, as after a new version of the text), one declined, one never answered.
    const [agreed, declined, silent] = await insertParticipants(deps.db, cohort.id, { codes: ['L1', 'L2', 'L3'], source: 'link' }, new Date())
    const consent = { instrumentId: 'consent', instrumentVersion: '1', answers: {} }
    await insertConsent(deps.db, { ...consent, participantId: agreed!.id, decision: 'agree' }, new Date())
    await insertConsent(deps.db, { ...consent, participantId: agreed!.id, decision: 'agree' }, new Date())
    await insertConsent(deps.db, { ...consent, participantId: declined!.id, decision: 'decline' }, new Date())

    const tracking = await cohortTracking(deps, cohort.id)
    const byCode = Object.fromEntries(tracking.participants.map((p) => [p.code, p]))
    expect(Object.fromEntries(Object.entries(byCode).map(([code, p]) => [code, p.consented]))).toEqual({ I1: true, I2: true, L1: true, L2: false, L3: false })
    expect(byCode[silent!.code]!.waves.pre).toEqual({ progress: 'not started', lastAnswerAt: null, completedForms: 0, forms: 1 })
    // Each row from the participant's own responses: I2 completed both waves, I1 only pre.
    expect([byCode.I1!.waves.pre!.progress, byCode.I1!.waves.post!.progress, byCode.I2!.waves.post!.progress]).toEqual(['completed', 'not started', 'completed'])
    expect(tracking.funnel).toEqual({ enrolled: 5, consented: 3, pre: 2, post: 1 })

    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    expect(report.funnel.consented).toBe(tracking.funnel.consented)
  })

  it('counts a participant added with a link whose paper answers were imported as consented, in the report and tracking alike', async () => {
    // A newcomer's walkthrough: 12 added with links, their answers imported; the funnel said
    // "consented 0" beside scales analysed with 12 pairs.
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'Paper answers' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'One group' }, 'test')
    const [, , , declined] = await insertParticipants(deps.db, cohort.id, { codes: ['P1', 'P2', 'P3', 'P4'], source: 'link' }, new Date())
    await insertConsent(deps.db, { instrumentId: 'consent', instrumentVersion: '1', answers: {}, participantId: declined!.id, decision: 'decline' }, new Date())
    const file = (codes: string[]) => {
      const rows = ['participant,wave,instrument,item,value']
      for (const code of codes) for (const wave of ['pre', 'post']) for (const item of phq9) rows.push(`${code},${wave},phq-9,${item},${wave === 'pre' ? 2 : 1}`)
      return `${rows.join('\n')}\n`
    }
    // P4 declined at the link: their paper answers are refused (they were analysed, beside a funnel that did not count them as consenting).
    await expect(importCohortCsv(deps, { cohortId: cohort.id, csv: file(['P1', 'P2', 'P4']) }, 'test')).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ line: 38, column: 'participant', message: expect.stringContaining('P4 declined to take part at their link') }],
    })
    await importCohortCsv(deps, { cohortId: cohort.id, csv: file(['P1', 'P2']) }, 'test')
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    expect(report.scales.find((s) => s.instrument === 'phq-9')!.n).toBe(2)
    // P3, at a link with nothing imported and no consent, is not counted; nor P4, who declined at the link.
    expect(report.funnel).toMatchObject({ enrolled: 4, consented: 2, paired: 2 })
    const tracking = await cohortTracking(deps, cohort.id)
    expect(tracking.participants.map((p) => [p.code, p.consented])).toEqual([
      ['P1', true],
      ['P2', true],
      ['P3', false],
      ['P4', false],
    ])
  })
})
