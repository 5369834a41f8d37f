/**
 * Found in an adversary review of bbc6897. After a correction of PHQ-9 post answers the second
 * release withholds the PHQ-9 scale (its groups differ from the first release's by the change alone)
 * and shows every other scale, checked only by who is behind each of them. But a secondary scale's
 * Holm-adjusted p (`pHolm`) is computed over the whole secondary family, the PHQ-9's p-value
 * included: GAD-7's pHolm is max(2·p_PHQ, p_GAD) when the PHQ-9's p is the smaller. So GAD-7's pHolm,
 * over exactly the same 20 people and the same GAD-7 answers, changes between the two releases
 * (0.04 → 0.02 here): a shown figure that differs from an earlier release over the same people, which
 * tells a program lead that the withheld PHQ-9's test moved from p ≈ 0.9 to below 0.01 — that one
 * participant's PHQ-9 change went from +19 points to a fall like everyone else's — and, at the ends,
 * bounds the withheld PHQ-9 p-value to two decimals (a function of that one person's change).
 */
import { describe, expect, it } from 'vitest'
import { findResponse } from '../../server/db/repositories/responses'
import { listParticipants } from '../../server/db/repositories/participants'
import { listWaves } from '../../server/db/repositories/studies'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { releaseCohort, type Release } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

const scale = (r: Release, instrument: string) => r.content.comparisons.find((c) => c.to === 'post')!.scales.find((s) => s.instrument === instrument && s.scale === 'total')!

describe('a scale withheld after a correction, and the Holm family it belongs to', () => {
  it("withholds another scale's adjusted p rather than show it changed over the same people and answers", async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Holm', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    // PHQ-9: P1 6 → 25 (+19, as typed); P2–P19 one point better; P20 two points better.
    const phq = (total: number) => Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))
    const gad = (total: number) => Array.from({ length: 7 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))
    const rows = ['participant,wave,instrument,item,value']
    for (let p = 1; p <= 20; p++) {
      const pre = 5 + p
      const post = p === 1 ? 25 : p === 20 ? pre - 2 : pre - 1
      phq(pre).forEach((v, i) => rows.push(`P${p},pre,phq-9,phq9_${i + 1},${v}`))
      phq(post).forEach((v, i) => rows.push(`P${p},post,phq-9,phq9_${i + 1},${v}`))
      rows.push(`P${p},pre,phq-9,phq9_difficulty,1`, `P${p},post,phq-9,phq9_difficulty,1`)
      // GAD-7: five of twenty one point better (p ≈ 0.02), the rest the same.
      const gadPre = 5 + (p % 7)
      gad(gadPre).forEach((v, i) => rows.push(`P${p},pre,gad-7,gad7_${i + 1},${v}`))
      gad(p <= 5 ? gadPre - 1 : gadPre).forEach((v, i) => rows.push(`P${p},post,gad-7,gad7_${i + 1},${v}`))
      rows.push(`P${p},pre,gad-7,gad7_difficulty,1`, `P${p},post,gad-7,gad7_difficulty,1`)
    }
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const by = { id: researcher.user.id, name: researcher.user.name }
    const first = await releaseCohort(deps, cohort.id, by)

    // P1's post form, 3,3,3,3,3,3,3,3,1 (25), was another person's: the paper says 5 (0,0,0,0,0,0,2,3,0).
    const p1 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P1')!
    const post = (await listWaves(deps.db, cohort.id)).find((w) => w.kind === 'post')!
    const response = (await findResponse(deps.db, p1.id, post.id, 'phq-9'))!
    const correct = (question: string, oldValue: number, value: number) =>
      correctAnswer(deps, { responseId: response.id, question, oldValue, value, reason: 'Paper form' }, `staff:${researcher.user.id}`)
    for (const q of [1, 2, 3, 4, 5, 6]) await correct(`phq9_${q}`, 3, 0)
    await correct('phq9_7', 3, 2)
    await correct('phq9_9', 1, 0)

    const second = await releaseCohort(deps, cohort.id, by).catch(() => null)
    if (second === null) return // refused: nothing shown
    // The PHQ-9 is withheld (bbc6897)...
    expect(scale(second, 'phq-9').pairedT).toBeNull()
    // ...and the GAD-7, whose people and answers are the same, must show the same figures as before.
    const gadThen = scale(first, 'gad-7')
    const gadNow = scale(second, 'gad-7')
    expect(gadNow.post.mean).toBe(gadThen.post.mean)
    expect(gadNow.pairedT).toEqual(gadThen.pairedT)
    // Its Holm-adjusted p rests on the PHQ-9's p too: withheld while a scale of its family is.
    expect(gadThen.pHolm).not.toBeNull()
    expect(gadNow.pHolm).toBeNull()
    expect(gadNow.why?.pHolm).toEqual({ code: 'protect_individuals' })
  })
})
