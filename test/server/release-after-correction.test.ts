/**
 * Found in an adversary review of dfeab56 (Table 1's yes/no questions, released to program leads): a release is
 * refused while a figure's group differs from an earlier release's by 1 to minN − 1 people, because
 * subtracting the two tells about those few. The check compares who is in each group, not what they
 * answered: a researcher's correction of one participant's answer (POST /api/responses/:id/corrections)
 * changes a figure over exactly the same people. Two releases then differ by one person's answer,
 * which a program lead who knows whose form was corrected (the participant asked for it, a colleague
 * mentioned it) reads directly: the program lead learns that person's old and new answer.
 */
import { describe, expect, it } from 'vitest'
import { findResponse } from '../../server/db/repositories/responses'
import { listParticipants } from '../../server/db/repositories/participants'
import { ApiError } from '../../server/domain/errors'
import { checkInstrument, InstrumentRegistry } from '../../server/domain/instruments/registry'
import { chooseDemographicsForm } from '../../server/domain/instruments/study-forms'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { previewRelease, readRelease, listReleases, releaseCohort } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { listWaves } from '../../server/db/repositories/studies'
import { shippedInstruments, testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

/** A team's demographics form with one yes/no question: "Have you been through a disciplinary procedure at work?" */
function teamForm() {
  const checked = checkInstrument(
    {
      id: 'team-discipline',
      version: '1.0.0',
      kind: 'demographics',
      title: 'About your work',
      languages: ['en'],
      citation: 'Written by the study team for this test.',
      licence: { name: "Study team's own", itemTextMayBeReproduced: true, source: 'This test' },
      survey: { pages: [{ name: 'work', elements: [{ type: 'boolean', name: 'disciplined', title: 'Have you been through a disciplinary procedure at work?' }] }] },
    },
    'test/team-discipline.json',
  )
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return checked.instrument
}

describe('two releases over the same people, one answer corrected between them', () => {
  it("does not let a program lead see one participant's corrected yes/no answer as the difference of two releases", async () => {
    const base = await testDeps()
    const deps = { ...base, instruments: new InstrumentRegistry([...shippedInstruments().list(), teamForm()]) }
    const study = await createStudy(deps, { name: 'Corrected', timeZone: 'UTC' }, 'test')
    await chooseDemographicsForm(deps, study.id, 'team-discipline', 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    // 30 answer: 12 yes, 18 no. Released: yes 10, no 20 (rounded to 5).
    const rows = ['participant,wave,instrument,item,value']
    for (let i = 1; i <= 30; i++) rows.push(`P${i},enrolment,team-discipline,disciplined,${i <= 12 ? 'TRUE' : 'FALSE'}`)
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const by = { id: researcher.user.id, name: researcher.user.name }

    const first = await releaseCohort(deps, cohort.id, by)
    const shownThen = first.content.table1.categorical.find((c) => c.variable === 'disciplined')!
    expect(shownThen.levels.map((l) => [l.value, l.n])).toEqual([
      ['false', 20],
      ['true', 10],
    ])

    // P30's paper form said yes; it was typed as no. The researcher corrects it.
    const p30 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P30')!
    const response = (await findResponse(deps.db, p30.id, null, 'team-discipline'))!
    await correctAnswer(deps, { responseId: response.id, question: 'disciplined', oldValue: false, value: true, reason: 'Paper form says yes' }, `staff:${researcher.user.id}`)

    // A second release: refused, or made without showing a different breakdown over the same 30.
    await releaseCohort(deps, cohort.id, by).catch((error: unknown) => {
      expect(error).toBeInstanceOf(ApiError)
      expect((error as ApiError).code).toBe('disclosure_risk')
    })

    // What a program lead can read: every release of the cohort.
    const releases = await Promise.all((await listReleases(deps, cohort.id)).map((r) => readRelease(deps, r.id)))
    const breakdowns = releases.map((r) => r.content.table1.categorical.find((c) => c.variable === 'disciplined')!)
    // Each release is over the same 30 people...
    expect(new Set(breakdowns.map((b) => b.answered))).toEqual(new Set([30]))
    // ...so no two of them may show different counts for them: the difference is P30's answer.
    const shown = new Set(breakdowns.filter((b) => b.levels.every((l) => l.n !== null)).map((b) => JSON.stringify(b.levels.map((l) => l.n))))
    expect(shown.size).toBeLessThanOrEqual(1)
  })

  /** 20 PHQ-9 pairs (totals 5 … 24 before, 3 below after), released once; returns what a correction needs. */
  async function releasedPhq9() {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Scores corrected', timeZone: 'UTC' }, 'test')
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
    await releaseCohort(deps, cohort.id, by)
    const p20 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P20')!
    const post = (await listWaves(deps.db, cohort.id)).find((w) => w.kind === 'post')!
    const response = (await findResponse(deps.db, p20.id, post.id, 'phq-9'))!
    const correct = (question: string, oldValue: number, value: number) =>
      correctAnswer(deps, { responseId: response.id, question, oldValue, value, reason: 'Paper form' }, `staff:${researcher.user.id}`)
    return { deps, cohort, by, correct }
  }

  it("makes the second release with the corrected scale withheld, the rest shown, and tells the researcher which and why", async () => {
    const { deps, cohort, by, correct } = await releasedPhq9()
    // P20's post total was 21 (3, 3, 3, 3, 3, 3, 3, 0, 0); phq9_9 was 0, the paper says 1.
    await correct('phq9_9', 0, 1)
    // It used to be refused (409 disclosure_risk), and for ever: no one joins a finished cohort.
    const preview = await previewRelease(deps, cohort.id)
    expect(preview.allowed).toBe(true)
    expect(preview.withheldAfterChanges.map((f) => f.kind === 'scores' && `${f.instrument}:${f.scale}:${f.wave}`)).toEqual(['phq-9:total:post'])
    const second = await releaseCohort(deps, cohort.id, by)
    const phq9 = second.content.comparisons.find((c) => c.to === 'post')!.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!
    // Every figure of the scale goes (the other wave's mean plus the change would give the post mean
    // back), with the general reason: the release does not say that an answer was corrected.
    expect(phq9).toMatchObject({ pre: { mean: null }, post: { mean: null }, change: { mean: null }, pairedT: null, why: { all: { code: 'protect_individuals' } } })
    // The figures no correction touched are released as before.
    const first = (await listReleases(deps, cohort.id)).at(-1)!
    expect(second.content.funnel).toEqual((await readRelease(deps, first.id)).content.funnel)
  })

  it('still refuses when people differ as well as answers (one more pair): waiting for more helps there', async () => {
    const { deps, cohort, by, correct } = await releasedPhq9()
    await correct('phq9_9', 0, 1)
    const rows = ['participant,wave,instrument,item,value']
    for (const wave of ['pre', 'post']) for (let i = 1; i <= 9; i++) rows.push(`P21,${wave},phq-9,phq9_${i},1`)
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const refused = await releaseCohort(deps, cohort.id, by).then(
      () => null,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(ApiError)
    expect(refused).toMatchObject({ code: 'disclosure_risk' })
    expect((await previewRelease(deps, cohort.id)).withheldAfterChanges).toEqual([])
  })

  it('lets a correction of a question outside every released figure (PHQ-9 difficulty) pass', async () => {
    const { deps, cohort, by, correct } = await releasedPhq9()
    await correct('phq9_difficulty', 1, 2)
    await expect(releaseCohort(deps, cohort.id, by)).resolves.toMatchObject({ cohortId: cohort.id })
  })
})
