/**
 * An adversary review of bbc6897 (a figure refused only because answers behind it changed is
 * withheld): attacks a program lead could try that turned out safe. Kept as evidence; all pass now.
 */
import { describe, expect, it } from 'vitest'
import { listParticipants } from '../../server/db/repositories/participants'
import { findResponse } from '../../server/db/repositories/responses'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { listReleases, listStudyWideReleases, previewRelease, readRelease, releaseCohort, releaseStudy, type Release } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { createCohort } from '../../server/domain/staff/setup'
import { studyForReleases } from '../helpers/release-world'

const age = (r: Pick<Release, 'content'>) => r.content.table1.continuous.find((c) => c.variable === 'age')!
const sumOf = (r: Pick<Release, 'content'>) => (age(r).mean === null ? null : age(r).mean! * age(r).n!)

async function world() {
  const { deps, study, researcher, by, cohortOf } = await studyForReleases('Safe')
  const correctAge = async (cohortId: string, code: string, oldValue: number, value: number) => {
    const p = (await listParticipants(deps.db, cohortId)).find((x) => x.code === code)!
    const response = (await findResponse(deps.db, p.id, null, 'demographics'))!
    await correctAnswer(deps, { responseId: response.id, question: 'age', oldValue, value, reason: 'Paper form' }, `staff:${researcher.user.id}`)
  }
  const allReleases = async (cohortIds: string[]) => {
    const ids = [...(await Promise.all(cohortIds.map((c) => listReleases(deps, c)))).flat(), ...(await listStudyWideReleases(deps, study.id))]
    return Promise.all(ids.map((r) => readRelease(deps, r.id)))
  }
  return { deps, study, by, cohortOf, correctAge, allReleases }
}

describe('withheld after a correction: attacks that fail', () => {
  it('a withheld age does not come back in a third release over the same people, and preview and release agree', async () => {
    const { deps, by, cohortOf, correctAge, allReleases } = await world()
    const a = await cohortOf('A', Array.from({ length: 20 }, (_, i) => 30 + i))
    await releaseCohort(deps, a.id, by)
    await correctAge(a.id, 'P1', 30, 66)
    const preview = await previewRelease(deps, a.id)
    const second = await releaseCohort(deps, a.id, by)
    expect(second.content).toEqual(preview.content)
    expect(age(second).mean).toBeNull()
    const third = await releaseCohort(deps, a.id, by)
    expect(age(third).mean).toBeNull()
    // Every shown age over the same 20 is the same figure.
    const shown = new Set((await allReleases([a.id])).filter((r) => age(r).mean !== null).map((r) => JSON.stringify([age(r).n, age(r).mean, age(r).sd])))
    expect(shown.size).toBe(1)
  })

  it('A released, A corrected, the study released (B never alone), then B: no release gives study − A − B', async () => {
    const { deps, study, by, cohortOf, correctAge, allReleases } = await world()
    const a = await cohortOf('A', Array.from({ length: 20 }, (_, i) => 30 + i))
    const b = await cohortOf('B', Array.from({ length: 20 }, (_, i) => 25 + i))
    const releasedA = await releaseCohort(deps, a.id, by)
    await correctAge(a.id, 'P1', 30, 66)
    const whole = await releaseStudy(deps, study.id, by).catch(() => null)
    const releasedB = await releaseCohort(deps, b.id, by).catch(() => null)
    if (whole && releasedB) {
      const derived = [sumOf(whole), sumOf(releasedA), sumOf(releasedB)]
      // One of the three is withheld, so the change (36 years) cannot be read off.
      expect(derived.some((x) => x === null)).toBe(true)
    }
    expect((await allReleases([a.id, b.id])).length).toBeGreaterThanOrEqual(1)
  })

  it('a correction plus ten new people: shown again, and no combination of releases isolates the change', async () => {
    const { deps, study, by, cohortOf, correctAge, allReleases } = await world()
    const a = await cohortOf('A', Array.from({ length: 20 }, (_, i) => 30 + i))
    await releaseCohort(deps, a.id, by)
    await correctAge(a.id, 'P1', 30, 66)
    const withheld = await releaseCohort(deps, a.id, by)
    expect(age(withheld).mean).toBeNull()
    const rows = ['participant,wave,instrument,item,value', ...Array.from({ length: 10 }, (_, i) => `N${i + 1},enrolment,demographics,age,${40 + i}`)]
    await importCohortCsv(deps, { cohortId: a.id, csv: rows.join('\n') }, 'test')
    const third = await releaseCohort(deps, a.id, by)
    // 30 now, 11 differing from the first (ten people and the change): shown.
    expect(age(third).mean).not.toBeNull()
    // The ten new people alone are not given by any release: a further study-wide release with an
    // empty cohort B is the same group and shows the same figure.
    await createCohort(deps, { studyId: study.id, name: 'B (empty)' }, 'test')
    const whole = await releaseStudy(deps, study.id, by).catch(() => null)
    if (whole) expect(age(whole).mean === null || age(whole).mean === age(third).mean).toBe(true)
    const shownOver30 = new Set((await allReleases([a.id])).filter((r) => age(r).mean !== null && age(r).n === 30).map((r) => age(r).mean))
    expect(shownOver30.size).toBe(1)
  })
})
