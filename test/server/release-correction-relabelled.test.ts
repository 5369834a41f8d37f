/**
 * Found in an adversary review of bbc6897 (a release after a correction withholds the corrected figure).
 *
 * The checks tell a corrected participant's values apart only by how many corrections lie behind a
 * figure (withCorrections writes `<id>@<n>`, atomsOf makes `<id>@1` … `<id>@<n>`), and
 * countCorrectionsInStudy drops every correction that was undone (first old value = last new value).
 * So two different corrections can carry the same label: correct two PHQ-9 items of P20's post form
 * (P20@2), release, undo both and correct two other items (P20@2 again, a different total), release
 * again. The two releases' groups are identical to the check — no difference, no combination, nothing
 * withheld — yet their post means differ over the same 20 people. A program lead who reads both
 * releases learns n × (mean₁ − mean₂) = P20's change of total between the releases (27 → 15:
 * 12 points), i.e. one participant's change of answer — exactly what withholding is meant to prevent.
 */
import { describe, expect, it } from 'vitest'
import { findResponse } from '../../server/db/repositories/responses'
import { listParticipants } from '../../server/db/repositories/participants'
import { listWaves } from '../../server/db/repositories/studies'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { listReleases, previewRelease, readRelease, releaseCohort, type Release } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

const phq9Post = (r: Pick<Release, 'content'>) => r.content.comparisons.find((c) => c.to === 'post')!.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!

describe('corrections undone and replaced by others keep the same <id>@<n> label', () => {
  it("does not let two releases over the same people show different PHQ-9 post means (one participant's change of total)", async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Relabelled', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    const items = (total: number) => Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))
    const rows = ['participant,wave,instrument,item,value']
    for (let p = 1; p <= 20; p++) {
      items(4 + p).forEach((v, i) => rows.push(`P${p},pre,phq-9,phq9_${i + 1},${v}`))
      items(1 + p).forEach((v, i) => rows.push(`P${p},post,phq-9,phq9_${i + 1},${v}`))
      rows.push(`P${p},pre,phq-9,phq9_difficulty,1`, `P${p},post,phq-9,phq9_difficulty,1`)
    }
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const by = { id: researcher.user.id, name: researcher.user.name }
    const p20 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P20')!
    const post = (await listWaves(deps.db, cohort.id)).find((w) => w.kind === 'post')!
    const response = (await findResponse(deps.db, p20.id, post.id, 'phq-9'))!
    const correct = (question: string, oldValue: number, value: number) =>
      correctAnswer(deps, { responseId: response.id, question, oldValue, value, reason: 'Paper form' }, `staff:${researcher.user.id}`)

    // P20's post items are 3,3,3,3,3,3,3,0,0 (21). Two corrections: items 8 and 9 to 3 (27), then the first release.
    await correct('phq9_8', 0, 3)
    await correct('phq9_9', 0, 3)
    const first = await releaseCohort(deps, cohort.id, by)
    expect(phq9Post(first).post.mean).not.toBeNull()

    // Both undone (not counted any more), and two other items corrected: P20@2 again, now 15.
    await correct('phq9_8', 3, 0)
    await correct('phq9_9', 3, 0)
    await correct('phq9_1', 3, 0)
    await correct('phq9_2', 3, 0)
    const preview = await previewRelease(deps, cohort.id)
    const second = await releaseCohort(deps, cohort.id, by).catch(() => null)

    const releases = await Promise.all((await listReleases(deps, cohort.id)).map((r) => readRelease(deps, r.id)))
    const shown = releases.map(phq9Post).filter((s) => s.post.mean !== null)
    // Same 20 pairs in every release: any two shown post means must be equal, else n × difference is P20's change.
    expect(new Set(shown.map((s) => s.n))).toEqual(new Set([20]))
    const derivedChange = shown.length < 2 ? 0 : Math.round(20 * (shown[0]!.post.mean! - shown[1]!.post.mean!))
    // (Now: −12 points, 27 → 15, read off 11.2 − 11.8; the second release is made with the scale shown,
    // and the preview withholds nothing.)
    expect({ derivedChange, madeWithScaleShown: second !== null && phq9Post(second).post.mean !== null, previewShows: phq9Post(preview).post.mean !== null }).toEqual({
      derivedChange: 0,
      madeWithScaleShown: false,
      previewShows: false,
    })
  })
})
