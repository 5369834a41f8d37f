/**
 * Found in an adversary review of 99aa95e. A participant whose answer behind a figure was corrected is written
 * `<id>@<corrections>` in the release's groups, so that "to the check that person before and after
 * the correction are two, one leaving and one joining" (README, "Refused releases"). The pairwise
 * rule then refuses while 1 to minN − 1 differ. The combination check ("Beyond pairs", derivedGroup)
 * only looks for groups of fewer than minN people that adding and subtracting releases gives (0/1
 * vectors over the people); one person leaving and the same person joining again is not a group but
 * the difference of their two values, and it is never looked for.
 *
 * So with cohorts A and B released, one answer in A corrected, and then the whole study released,
 * every pair of groups differs by 20 or more, yet study − A − B = (the corrected age) − (the age as
 * typed) of that one participant: what 99aa95e set out to keep from a program lead who knows whose
 * form was corrected.
 */
import { describe, expect, it } from 'vitest'
import { listParticipants } from '../../server/db/repositories/participants'
import { findResponse } from '../../server/db/repositories/responses'
import { ApiError } from '../../server/domain/errors'
import { releaseCohort, releaseStudy, type Release } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { studyForReleases } from '../helpers/release-world'

const age = (release: Release) => release.content.table1.continuous.find((c) => c.variable === 'age')!

describe('a correction between cohort releases and a study-wide release', () => {
  it("does not let the study-wide release minus the cohorts' give one participant's change of answer", async () => {
    const { deps, study, researcher, by, cohortOf } = await studyForReleases('Three releases')
    const a = await cohortOf('A', Array.from({ length: 20 }, (_, i) => 30 + i))
    const b = await cohortOf('B', Array.from({ length: 20 }, (_, i) => 25 + i))
    const releasedA = await releaseCohort(deps, a.id, by)
    const releasedB = await releaseCohort(deps, b.id, by)
    expect(age(releasedA).mean).not.toBeNull()
    expect(age(releasedB).mean).not.toBeNull()

    // A's P1 was typed as 30; the paper form says 66.
    const p1 = (await listParticipants(deps.db, a.id)).find((p) => p.code === 'P1')!
    const response = (await findResponse(deps.db, p1.id, null, 'demographics'))!
    await correctAnswer(deps, { responseId: response.id, question: 'age', oldValue: 30, value: 66, reason: 'Paper form says 66' }, `staff:${researcher.user.id}`)

    const whole = await releaseStudy(deps, study.id, by).then(
      (release) => release,
      (error: unknown) => {
        expect(error).toBeInstanceOf(ApiError)
        expect((error as ApiError).code).toBe('disclosure_risk')
        return null
      },
    )
    // Made, with age withheld: a refusal would stand for ever, since no one joins A or B.
    expect(whole).not.toBeNull()
    if (whole === null) return
    expect(age(whole)).toMatchObject({ mean: null, why: { code: 'protect_individuals' } })
    // Made: then it must not show an age whose sum, less A's and B's, is P1's change of answer.
    const sumOf = (r: Release) => (age(r).mean === null ? null : age(r).mean! * age(r).n!)
    const derived = sumOf(whole) === null ? null : sumOf(whole)! - sumOf(releasedA)! - sumOf(releasedB)!
    // (The program lead reads about 36 years: 66 − 30.)
    expect(derived).toBeNull()
  })
})
