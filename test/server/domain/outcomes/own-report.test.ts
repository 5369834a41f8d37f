/**
 * A participant's own report (participantReport, and the participant's feedback through ownChange) is
 * computed from their own rows, not from the cohort's report (issue 16): these tests hold it equal,
 * number for number, to the participant's row of the cohort report, including the scales whose
 * reliable change rests on the cohort's sample (GAD-7's SD; the CBI's SD and α), across two later waves.
 */
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../../../server/db/repositories/participants'
import { listCompletedResponses } from '../../../../server/db/repositories/report-data'
import { listWaves } from '../../../../server/db/repositories/studies'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { ownChange, participantReport } from '../../../../server/domain/outcomes/own-report'
import { cohortReport } from '../../../../server/domain/outcomes/report'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testApp } from '../../../helpers/app'

const instruments: [string, string[], number[]][] = [
  ['phq-9', Array.from({ length: 9 }, (_, i) => `phq9_${i + 1}`), [0, 1, 2, 3]],
  ['gad-7', Array.from({ length: 7 }, (_, i) => `gad7_${i + 1}`), [0, 1, 2, 3]],
  ['who-5', Array.from({ length: 5 }, (_, i) => `who5_${i + 1}`), [0, 1, 2, 3, 4, 5]],
  ['cbi', [...Array.from({ length: 6 }, (_, i) => `cbi_p${i + 1}`), ...Array.from({ length: 7 }, (_, i) => `cbi_w${i + 1}`), ...Array.from({ length: 6 }, (_, i) => `cbi_c${i + 1}`)], [0, 25, 50, 75, 100]],
]

/**
 * 24 participants at pre, post and follow-up, answers from a fixed linear congruential sequence around a
 * level of each participant and wave; some
 * forms left out so that pairs differ from scale to scale: P3 has no post, P5 no CBI at pre, every
 * fourth participant no follow-up, P8 no GAD-7 at post.
 */
function cohortCsv(): string {
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const rows = ['participant,wave,instrument,item,value']
  for (let p = 1; p <= 24; p++) {
    for (const wave of ['pre', 'post', 'follow-up']) {
      if ((p === 3 && wave === 'post') || (p % 4 === 0 && wave === 'follow-up')) continue
      // A level per participant and wave, so that items correlate and α is positive.
      const level = next()
      for (const [id, items, values] of instruments) {
        if ((p === 5 && id === 'cbi' && wave === 'pre') || (p === 8 && id === 'gad-7' && wave === 'post')) continue
        for (const item of items) rows.push(`P${p},${wave},${id},${item},${values[Math.min(values.length - 1, Math.floor((level * 0.7 + next() * 0.3) * values.length))]}`)
      }
    }
  }
  return `${rows.join('\n')}\n`
}

async function cohortWithThreeWaves() {
  const { deps } = await testApp()
  const study = await createStudy(deps, { name: 'Own reports' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Three waves' }, 'test')
  await importCohortCsv(deps, { cohortId: cohort.id, csv: cohortCsv() }, 'test')
  const participants = await deps.db.selectFrom('participant').select(['id', 'code']).where('cohort_id', '=', cohort.id).execute()
  return { deps, cohort, participants }
}

describe("a participant's own report", () => {
  it("equals the participant's row of the cohort report at every later wave, sample-based reliable change included", async () => {
    const { deps, cohort, participants } = await cohortWithThreeWaves()
    const toPost = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    const toFollowUp = await cohortReport(deps, cohort.id, { from: 'pre', to: 'follow-up' })
    // The CBI's and GAD-7's thresholds rest on the sample here, so the test covers that path.
    expect(toPost.scales.filter((s) => s.rci?.sdSource === 'sample pre SD').map((s) => `${s.instrument}/${s.scale}`)).toEqual(['gad-7/total', 'cbi/personal', 'cbi/work', 'cbi/patient'])
    for (const code of ['P1', 'P3', 'P5', 'P8', 'P12', 'P17']) {
      const id = participants.find((p) => p.code === code)!.id
      const own = await participantReport(deps, id)
      expect(own.changes.map((c) => c.to)).toEqual(['post', 'follow-up'])
      for (const [i, report] of [toPost, toFollowUp].entries()) {
        const row = report.participants.find((p) => p.code === code)
        expect(own.changes[i]!.scales, `${code} → ${report.to}`).toEqual(row?.scales.filter((s) => s.change !== null) ?? [])
      }
    }
    // P3 has no post: no change to post, a change to follow-up; P12 has none to follow-up.
    expect((await participantReport(deps, participants.find((p) => p.code === 'P3')!.id)).changes[0]!.scales).toEqual([])
    expect((await participantReport(deps, participants.find((p) => p.code === 'P12')!.id)).changes[1]!.scales).toEqual([])
  })

  it("gives the feedback the cohort's reliable-change threshold of every scale", async () => {
    const { deps, cohort, participants } = await cohortWithThreeWaves()
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    const [pre, post] = await listWaves(deps.db, cohort.id)
    for (const code of ['P2', 'P8', 'P20']) {
      const participant = (await findParticipant(deps.db, participants.find((p) => p.code === code)!.id))!
      const mine = await ownChange(deps, participant, await listCompletedResponses(deps.db, { participantIds: [participant.id] }), pre!, post!)
      const row = report.participants.find((p) => p.code === code)!
      expect(mine.map((s) => s.row)).toEqual(row.scales)
      for (const s of mine.filter((x) => x.row.change !== null)) {
        expect(s.rci, `${code} ${s.row.instrument}/${s.row.scale}`).toEqual(report.scales.find((x) => x.instrument === s.row.instrument && x.scale === s.row.scale)!.rci)
      }
    }
  })
})
