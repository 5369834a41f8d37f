/**
 * Found in an adversary review of eb10731.
 *
 * The release checks count every change behind a figure as a member of its own (atomsOf:
 * `<id>@c:<correction>` and `<id>@r:<re-score>` beside `<id>`), and differenceTooSmall then asks
 * whether 1 to minN − 1 *members* differ. But changes are not people: nine corrected answers of one
 * participant are nine members, and one more change (a re-score of the same score, or one other
 * participant's corrected answer) makes ten, which is minN. Ten differing members are "enough", so the
 * figure is neither refused nor withheld, although the two releases differ by one or two people:
 *
 * 1. A participant whose whole PHQ-9 post form had been typed from the wrong paper (all nine items
 *    corrected), and whose stored score had also been re-scored: the second release shows the PHQ-9
 *    post mean over the same 20 people, and 20 × (mean₂ − mean₁) = 14 is that one participant's
 *    change of total, exactly — the very disclosure withholding after changes exists to prevent.
 * 2. The same nine corrections plus one corrected answer of another participant: 20 × the difference
 *    is the sum of two people's changes (8 and −2), a group of 2 < minN (each of them, knowing their
 *    own, learns the other's; a program lead who knows one learns the other).
 *
 * The same counting lets the combination check (derivedGroup, which sizes a group by its atoms) pass a
 * derived group of ten changes of one person.
 */
import { describe, expect, it } from 'vitest'
import { findResponse } from '../../server/db/repositories/responses'
import { listParticipants } from '../../server/db/repositories/participants'
import { listWaves } from '../../server/db/repositories/studies'
import { rescoreResponses } from '../../server/domain/instruments/rescore'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { releaseCohort, type Release } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { items } from '../helpers/release-world'
import { testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

const phq9Post = (release: Release) => release.content.comparisons.find((c) => c.to === 'post')!.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!

/** 20 pairs: pre totals 5 … 24, post totals 2 + (7p mod 19) (sum 218); P20's post items 3,3,3,0,0,0,0,0,0 (9), P19's 2,0,… (2). */
async function world() {
  const deps = await testDeps()
  const study = await createStudy(deps, { name: 'Atoms', timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
  const rows = ['participant,wave,instrument,item,value']
  for (let p = 1; p <= 20; p++) {
    items(4 + p).forEach((v, i) => rows.push(`P${p},pre,phq-9,phq9_${i + 1},${v}`))
    items(2 + ((p * 7) % 19)).forEach((v, i) => rows.push(`P${p},post,phq-9,phq9_${i + 1},${v}`))
  }
  await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const by = { id: researcher.user.id, name: researcher.user.name }
  const participants = await listParticipants(deps.db, cohort.id)
  const post = (await listWaves(deps.db, cohort.id)).find((w) => w.kind === 'post')!
  const postForm = async (code: string) => (await findResponse(deps.db, participants.find((p) => p.code === code)!.id, post.id, 'phq-9'))!
  const correct = async (code: string, question: string, oldValue: number, value: number) => {
    deps.clock.advance(1000)
    await correctAnswer(deps, { responseId: (await postForm(code)).id, question, oldValue, value, reason: 'Paper form' }, `staff:${researcher.user.id}`)
  }
  // P20's post form was typed from another person's paper: every item corrected, 3,3,3,0,0,0,0,0,0 → 0,0,0,3,3,3,3,3,2 (9 → 17).
  const retypeP20 = async () => {
    const was = [3, 3, 3, 0, 0, 0, 0, 0, 0]
    const is = [0, 0, 0, 3, 3, 3, 3, 3, 2]
    for (let i = 0; i < 9; i++) await correct('P20', `phq9_${i + 1}`, was[i]!, is[i]!)
  }
  const second = () => releaseCohort(deps, cohort.id, by).catch(() => null)
  return { deps, cohort, by, postForm, correct, retypeP20, second }
}

/** Releases over the same 20 pairs may not show two different post means: 20 × the difference is what changed, over fewer than minN people. */
function expectNoDifference(first: Release, second: Release | null) {
  const held = [first, ...(second ? [second] : [])].map(phq9Post)
  expect(new Set(held.map((s) => s.n))).toEqual(new Set([20]))
  const means = held.map((s) => s.post.mean).filter((m): m is number => m !== null)
  const derived = means.length < 2 ? 0 : Math.round(20 * (means[1]! - means[0]!))
  expect({ derived, madeWithScaleShown: second !== null && phq9Post(second).post.mean !== null }).toEqual({ derived: 0, madeWithScaleShown: false })
}

describe('changes of one person count as several people in the release checks', () => {
  it("does not let nine corrections and a re-score of one participant's score pass as ten people (their change of total, exactly)", async () => {
    const w = await world()
    // P20's post total as an older scoring rule stored it (as release-after-rescore.test.ts stands in
    // for a mended rule): 3 instead of the 9 its answers give.
    const response = await w.postForm('P20')
    await w.deps.db.updateTable('scale_score').set({ score: 3 }).where('response_id', '=', response.id).where('scale_id', '=', 'total').execute()
    const first = await releaseCohort(w.deps, w.cohort.id, w.by)
    expect(phq9Post(first).post.mean).toBe(10.6) // 212 / 20

    // The mended rule is applied (3 → 9: P20@r:…), and P20's form is retyped (9 → 17: nine P20@c:…).
    const rescored = await rescoreResponses(w.deps, { instrument: 'phq-9', apply: true }, 'cli')
    expect(rescored.instruments.flatMap((i) => i.changes)).toHaveLength(1)
    await w.retypeP20()

    // Now: made with the PHQ-9 shown, post mean 11.3 (226 / 20): 20 × 0.7 = 14 = P20's 3 → 17.
    expectNoDifference(first, await w.second())
  })

  it("does not let nine corrections of one participant and one of another pass as ten people (two people's changes)", async () => {
    const w = await world()
    const first = await releaseCohort(w.deps, w.cohort.id, w.by)
    expect(phq9Post(first).post.mean).toBe(10.9) // 218 / 20

    await w.retypeP20() // +8
    await w.correct('P19', 'phq9_1', 2, 0) // −2

    // Now: made with the PHQ-9 shown, post mean 11.2 (224 / 20): 20 × 0.3 = 6 = P20's +8 and P19's −2.
    expectNoDifference(first, await w.second())
  })
})
