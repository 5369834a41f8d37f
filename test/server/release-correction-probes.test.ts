/**
 * Attacks on releases after corrections (eb10731) that turned out safe, kept as probes: a program
 * lead who reads every release learns nothing from two releases over the same people here.
 *
 * - A corrected answer put back, by a new correction, to the value an earlier release was made with:
 *   the new release withholds the figure (the change is named by its new correction's id), rather
 *   than show it equal; never different.
 * - A correction of a question that is not one of the scale's items (PHQ-9's "difficulty"): nothing
 *   behind any released figure changed, and nothing is withheld or differs.
 * - A Table 1 choice (sex) corrected: the row's levels are withheld in the next release, never shown
 *   with other counts over the same people.
 * - A PHQ-9 answer at follow-up corrected: pre→follow-up withholds the PHQ-9 and every Holm-adjusted p
 *   of that comparison (GAD-7's included), and pre→post, whose figures and Holm family hold no
 *   follow-up answer, is released exactly as before.
 */
import { describe, expect, it } from 'vitest'
import { findResponse } from '../../server/db/repositories/responses'
import { listParticipants } from '../../server/db/repositories/participants'
import { listWaves } from '../../server/db/repositories/studies'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { previewRelease, releaseCohort, type Release } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { items } from '../helpers/release-world'
import { testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

const phq9Post = (release: Pick<Release, 'content'>) => release.content.comparisons.find((c) => c.to === 'post')!.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!
const sexRow = (release: Pick<Release, 'content'>) => release.content.table1.categorical.find((c) => c.variable === 'sex')!

async function world() {
  const deps = await testDeps()
  const study = await createStudy(deps, { name: 'Probes', timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
  const rows = ['participant,wave,instrument,item,value']
  for (let p = 1; p <= 20; p++) {
    items(4 + p).forEach((v, i) => rows.push(`P${p},pre,phq-9,phq9_${i + 1},${v}`))
    items(2 + ((p * 7) % 19)).forEach((v, i) => rows.push(`P${p},post,phq-9,phq9_${i + 1},${v}`))
    rows.push(`P${p},post,phq-9,phq9_difficulty,1`)
    // 12 female, 8 male: shown as 10 and 10 of 20.
    rows.push(`P${p},enrolment,demographics,sex,${p <= 12 ? 'female' : 'male'}`)
  }
  await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const by = { id: researcher.user.id, name: researcher.user.name }
  const participants = await listParticipants(deps.db, cohort.id)
  const post = (await listWaves(deps.db, cohort.id)).find((w) => w.kind === 'post')!
  const idOf = (code: string) => participants.find((p) => p.code === code)!.id
  const correctIn = async (responseId: string, question: string, oldValue: unknown, value: unknown) => {
    deps.clock.advance(1000)
    await correctAnswer(deps, { responseId, question, oldValue, value, reason: 'Paper form' }, `staff:${researcher.user.id}`)
  }
  const correctPost = async (code: string, question: string, oldValue: number, value: number) => correctIn((await findResponse(deps.db, idOf(code), post.id, 'phq-9'))!.id, question, oldValue, value)
  const correctSex = async (code: string, oldValue: string, value: string) => correctIn((await findResponse(deps.db, idOf(code), null, 'demographics'))!.id, 'sex', oldValue, value)
  const release = () => {
    deps.clock.advance(60_000)
    return releaseCohort(deps, cohort.id, by).catch(() => null)
  }
  return { deps, cohort, by, correctPost, correctSex, release }
}

describe('releases after corrections: attacks that turned out safe', () => {
  it('withholds a figure put back by a new correction to the value an earlier release showed (never shows it changed)', async () => {
    const w = await world()
    // P20's post item 4 corrected 0 → 2 before the first release: it is made over P20@c:<that correction>.
    await w.correctPost('P20', 'phq9_4', 0, 2)
    const first = (await w.release())!
    expect(phq9Post(first).post.mean).not.toBeNull()
    // 2 → 1 → 2: the same value the first release was made with, under another correction's id.
    await w.correctPost('P20', 'phq9_4', 2, 1)
    await w.correctPost('P20', 'phq9_4', 1, 2)
    const second = await w.release()
    // And back to the original, 2 → 0 (the corrections undone: P20 as first imported).
    await w.correctPost('P20', 'phq9_4', 2, 0)
    const third = await w.release()
    // Both made, each with the PHQ-9 withheld (its groups differ from the first's by P20's changes alone).
    expect([second, third].map((r) => r !== null && phq9Post(r).why?.all?.code)).toEqual(['protect_individuals', 'protect_individuals'])
    const shown = [first, second, third].filter((r): r is Release => r !== null).map(phq9Post).filter((s) => s.post.mean !== null)
    expect(new Set(shown.map((s) => s.post.mean)).size).toBe(1)
    expect(new Set(shown.map((s) => s.n))).toEqual(new Set([20]))
  })

  it('withholds and changes nothing after a correction of a question outside the scale (PHQ-9 difficulty)', async () => {
    const w = await world()
    const first = (await w.release())!
    await w.correctPost('P20', 'phq9_difficulty', 1, 3)
    const preview = await previewRelease(w.deps, w.cohort.id)
    expect(preview.withheldAfterChanges).toEqual([])
    const second = (await w.release())!
    expect(second).not.toBeNull()
    expect(phq9Post(second)).toEqual(phq9Post(first))
    expect(second.content.comparisons).toEqual(first.content.comparisons)
  })

  it("withholds Table 1's sex row after one participant's sex is corrected, rather than show other counts over the same 20", async () => {
    const w = await world()
    const first = (await w.release())!
    expect(sexRow(first).levels.slice(0, 2).map((l) => [l.value, l.n])).toEqual([['female', 10], ['male', 10]])
    // Two corrections, female → male (12/8 → 10/10 as counted; shown 10/10 either way): the row's group differs by the changes alone.
    await w.correctSex('P1', 'female', 'male')
    await w.correctSex('P2', 'female', 'male')
    const second = await w.release()
    expect(second).not.toBeNull() // made, with the row withheld
    if (second === null) return
    const levels = sexRow(second).levels
    // Each level is withheld, or shown as before.
    levels.forEach((l, i) => expect(l.n === null || l.n === sexRow(first).levels[i]!.n).toBe(true))
    expect(levels.every((l) => l.n === null && l.percent === null)).toBe(true)
    // The counts of those answering (not a figure over changed answers) stay.
    expect(sexRow(second).answered).toBe(sexRow(first).answered)
  })

  it('withholds the adjusted p of pre→follow-up after a follow-up correction, and leaves pre→post as it was', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Follow-up Holm', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    const gad = (total: number) => Array.from({ length: 7 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))
    const rows = ['participant,wave,instrument,item,value']
    for (let p = 1; p <= 20; p++) {
      items(4 + p).forEach((v, i) => rows.push(`P${p},pre,phq-9,phq9_${i + 1},${v}`))
      items(2 + ((p * 7) % 19)).forEach((v, i) => rows.push(`P${p},post,phq-9,phq9_${i + 1},${v}`))
      items(3 + ((p * 5) % 17)).forEach((v, i) => rows.push(`P${p},follow-up,phq-9,phq9_${i + 1},${v}`))
      const gadPre = 5 + (p % 7)
      gad(gadPre).forEach((v, i) => rows.push(`P${p},pre,gad-7,gad7_${i + 1},${v}`))
      gad(p <= 5 ? gadPre - 1 : gadPre).forEach((v, i) => rows.push(`P${p},post,gad-7,gad7_${i + 1},${v}`))
      gad(p <= 8 ? gadPre - 1 : gadPre).forEach((v, i) => rows.push(`P${p},follow-up,gad-7,gad7_${i + 1},${v}`))
    }
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const by = { id: researcher.user.id, name: researcher.user.name }
    const first = await releaseCohort(deps, cohort.id, by)
    const comparison = (r: Release, to: string) => r.content.comparisons.find((c) => c.to === to)!
    expect(comparison(first, 'follow-up').scales.every((s) => s.pHolm !== null)).toBe(true)

    // P1's follow-up PHQ-9 (3,3,2,0,…: 8) item 1 corrected 3 → 1.
    const p1 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P1')!
    const followUp = (await listWaves(deps.db, cohort.id)).find((w) => w.kind === 'follow-up')!
    const response = (await findResponse(deps.db, p1.id, followUp.id, 'phq-9'))!
    deps.clock.advance(1000)
    await correctAnswer(deps, { responseId: response.id, question: 'phq9_1', oldValue: 3, value: 1, reason: 'Paper form' }, `staff:${researcher.user.id}`)
    deps.clock.advance(60_000)
    const second = await releaseCohort(deps, cohort.id, by).catch(() => null)
    expect(second).not.toBeNull() // made, with the scale withheld
    if (second === null) return
    expect(comparison(second, 'post')).toEqual(comparison(first, 'post'))
    const later = comparison(second, 'follow-up').scales
    expect(later.find((s) => s.instrument === 'phq-9')!.why?.all).toEqual({ code: 'protect_individuals' })
    expect(later.map((s) => s.pHolm)).toEqual([null, null])
    // GAD-7 otherwise as before.
    const gadThen = comparison(first, 'follow-up').scales.find((s) => s.instrument === 'gad-7')!
    const gadNow = later.find((s) => s.instrument === 'gad-7')!
    expect({ ...gadNow, pHolm: null, withheld: {}, why: {} }).toEqual({ ...gadThen, pHolm: null, withheld: {}, why: {} })
  })
})
