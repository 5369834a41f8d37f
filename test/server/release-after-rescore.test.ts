/**
 * Found in an adversary review of 99aa95e. A release is refused while a figure's group differs from an earlier
 * release's by 1 to minN − 1 people, and since 99aa95e a participant whose answers behind a figure
 * were corrected counts as another person (withCorrections). A correction is not the only way one
 * person's score changes over the same people: `balint instruments rescore --apply` (rescoreResponses,
 * after a scoring rule was mended in an instrument's file) replaces the stored scale scores of the
 * responses the mend changes, and audits each as `response.rescore` with the participant and the
 * scales. Reports, and so releases, read the stored scores. When the mend changes one participant's
 * score, two releases over the same people, one before and one after, differ by that person's old and
 * new score: the same disclosure 99aa95e closed for corrections.
 */
import { describe, expect, it } from 'vitest'
import { listParticipants } from '../../server/db/repositories/participants'
import { findResponse } from '../../server/db/repositories/responses'
import { listWaves } from '../../server/db/repositories/studies'
import { ApiError } from '../../server/domain/errors'
import { rescoreResponses } from '../../server/domain/instruments/rescore'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { releaseCohort, type Release } from '../../server/domain/outcomes/release'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { items } from '../helpers/release-world'
import { testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

const phq9Post = (release: Release) => release.content.comparisons.find((c) => c.to === 'post')!.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!

describe('two releases over the same people, one score re-scored between them', () => {
  it("does not let a program lead read one participant's re-scored PHQ-9 total as the difference of two releases", async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Rescored', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    // 20 pairs, totals 5 … 24 before and varied changes after (so nothing is withheld as too alike).
    const rows = ['participant,wave,instrument,item,value']
    for (let p = 1; p <= 20; p++) {
      items(4 + p).forEach((v, i) => rows.push(`P${p},pre,phq-9,phq9_${i + 1},${v}`))
      items(2 + ((p * 7) % 19)).forEach((v, i) => rows.push(`P${p},post,phq-9,phq9_${i + 1},${v}`))
    }
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    // P20's post total as an older scoring rule stored it (the way rescore.test.ts stands in for a
    // rule mended in the instrument's file): 6 points off what its answers give today.
    const p20 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P20')!
    const post = (await listWaves(deps.db, cohort.id)).find((w) => w.kind === 'post')!
    const response = (await findResponse(deps.db, p20.id, post.id, 'phq-9'))!
    const stored = await deps.db.selectFrom('scale_score').select('score').where('response_id', '=', response.id).where('scale_id', '=', 'total').executeTakeFirstOrThrow()
    await deps.db.updateTable('scale_score').set({ score: stored.score! + 6 }).where('response_id', '=', response.id).where('scale_id', '=', 'total').execute()

    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const by = { id: researcher.user.id, name: researcher.user.name }
    const first = await releaseCohort(deps, cohort.id, by)
    expect(phq9Post(first).post.mean).not.toBeNull()

    // The mended rule is applied: only P20's stored score changes.
    const rescored = await rescoreResponses(deps, { instrument: 'phq-9', apply: true }, 'cli')
    expect(rescored.instruments.flatMap((i) => i.changes).map((c) => c.participantId)).toEqual([p20.id])

    const second = await releaseCohort(deps, cohort.id, by).then(
      (release) => release,
      (error: unknown) => {
        expect(error).toBeInstanceOf(ApiError)
        expect((error as ApiError).code).toBe('disclosure_risk')
        return null
      },
    )
    const held = [first, ...(second ? [second] : [])].map(phq9Post)
    // Each release is over the same 20 pairs...
    expect(new Set(held.map((s) => s.n))).toEqual(new Set([20]))
    // ...so their post means may not differ: 20 × the difference is P20's change of score. (A
    // release made after the re-score withholds the scale: its mean null.)
    expect(new Set(held.map((s) => s.post.mean).filter((m) => m !== null)).size).toBe(1)
  })
})
