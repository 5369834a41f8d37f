/**
 * The attack suite: tests that play a program lead who wants to learn about one person from what
 * they are shown, and try every attack of issue 10 — order statistics at n = 5, 6, 8 and 10,
 * integer search for score sets matching every shown figure, differencing across releases, across
 * waves and across cohorts of one study, and between a study-wide release (all cohorts together,
 * issue 17) and cohort releases in either order, subtraction in the funnel, and Table 1 homogeneity. Each
 * attack must fail. The first test shows that the attacker is real: on the figures the program lead
 * used to get (the live report at n = 5) it recovers every score.
 *
 * The program lead's side goes through HTTP only, as a program lead would.
 */
import { describe, expect, it } from 'vitest'
import { cohortReport } from '../../../../server/domain/outcomes/report'
import type { Release, ReleasedScale } from '../../../../server/domain/outcomes/release'
import { csvOf, items, phqOf, releaseWorld, type Person } from '../../../helpers/release-world'
import { integerSearch, shownAs, type Shown } from '../../../helpers/disclosure-attacker'

const world = releaseWorld

/**
 * S (ten pairs) released, then S ∪ T (ten more) released, then S deletes their answers and
 * `newcomers` complete: the cohort, ready for its third release (T ∪ newcomers).
 */
async function turnover(w: Awaited<ReturnType<typeof world>>, name: string, newcomers: Person[]) {
  const cohort = await w.cohortOf(name, pairs(basePre, basePost))
  expect((await w.release(cohort.id)).status).toBe(201)
  await w.addTo(cohort.id, pairs(basePre.map((x) => x + 1), basePost.map((x) => x + 1)), 10)
  expect((await w.release(cohort.id)).status).toBe(201)
  const first = (await w.db.selectFrom('participant').select(['id', 'code']).where('cohort_id', '=', cohort.id).execute()).filter((p) => Number(p.code.slice(1)) <= 10).map((p) => p.id)
  await w.db.deleteFrom('scale_score').where('response_id', 'in', w.db.selectFrom('response').select('id').where('participant_id', 'in', first)).execute()
  await w.db.deleteFrom('response').where('participant_id', 'in', first).execute()
  await w.addTo(cohort.id, newcomers, 20)
  return cohort
}

/** The decimals a released score figure was rounded to, as the published policy says. */
const decimalsOf = (release: Release, n: number) => (n >= release.content.policy.orderMinN ? 1 : 0)

/** Everything a release shows about the scores at one wave, and about the changes, as intervals. */
function shownOf(release: Release, s: ReleasedScale, n: number): { pre: Shown; post: Shown; change: Shown } {
  const d = decimalsOf(release, n)
  const wave = (x: ReleasedScale['pre']): Shown => ({ mean: shownAs(x.mean, d), sd: shownAs(x.sd, d), median: shownAs(x.median, d), q1: shownAs(x.q1, d), q3: shownAs(x.q3, d) })
  return { pre: wave(s.pre), post: wave(s.post), change: { mean: shownAs(s.change.mean, d), sd: shownAs(s.change.sd, d), t: shownAs(s.pairedT?.t, 1) } }
}

/** Run the integer search on each wave and on the changes; return the ranks recovered anywhere. */
function attack(release: Release, n: number) {
  const phq = release.content.comparisons[0]!.scales.find((s) => s.instrument === 'phq-9')!
  const shown = shownOf(release, phq, n)
  return {
    shownAnything: JSON.stringify(shown) !== JSON.stringify({ pre: {}, post: {}, change: {} }),
    pre: integerSearch(n, 0, 27, shown.pre).recoveredRanks,
    post: integerSearch(n, 0, 27, shown.post).recoveredRanks,
    change: integerSearch(n, -27, 27, shown.change).recoveredRanks,
  }
}

const issuePre = [9, 12, 15, 18, 19]
const issuePost = [10, 12, 12, 13, 14]
const pairs = (pre: number[], post: number[]): Person[] => pre.map((p, i) => ({ pre: p, post: post[i]! }))

describe('the attacker is real', () => {
  it('recovers every score from the figures program leads used to see at n = 5 (mean, SD, median, quartiles)', async () => {
    const w = await world()
    const cohort = await w.cohortOf('Five', pairs(issuePre, issuePost))
    const live = (await cohortReport(w.deps, cohort.id, { from: 'pre', to: 'post' })).scales.find((s) => s.instrument === 'phq-9')!
    const exact = (x: typeof live.pre): Shown => ({ mean: shownAs(x.mean, null), sd: shownAs(x.sd, null), median: shownAs(x.median, null), q1: shownAs(x.q1, null), q3: shownAs(x.q3, null) })
    const pre = integerSearch(5, 0, 27, exact(live.pre))
    const post = integerSearch(5, 0, 27, exact(live.post))
    expect(pre.solutions).toEqual([issuePre])
    expect(pre.recoveredRanks).toEqual([0, 1, 2, 3, 4])
    expect(post.solutions).toEqual([issuePost])
    // Even with only mean and SD at n = 5, integer search pins the post scores.
    expect(integerSearch(5, 0, 27, { mean: shownAs(live.post.mean, 1), sd: shownAs(live.post.sd, 1) }).recoveredRanks).toEqual([0, 1, 2, 3, 4])
  })
})

describe('order statistics and integer search fail against released figures', () => {
  const extraPre = [21, 7, 11, 14, 16, 8, 13, 20, 10, 17]
  const extraPost = [16, 5, 9, 10, 11, 6, 12, 15, 9, 10]
  for (const n of [5, 6, 8, 10]) {
    it(`at n = ${n}: no score at any rank, at either wave or of change, is recovered`, async () => {
      const w = await world()
      const pre = [...issuePre, ...extraPre, ...extraPre].slice(0, n)
      const post = [...issuePost, ...extraPost, ...extraPost].slice(0, n)
      const cohort = await w.cohortOf(`n${n}`, pairs(pre, post))
      expect((await w.release(cohort.id)).status).toBe(201)
      const [release] = await w.leadReads(cohort.id)
      const phq = release!.content.comparisons[0]!.scales.find((s) => s.instrument === 'phq-9')!
      // No order statistic or rank-based test below the policy's orderMinN (20).
      if (n < 20) expect([phq.pre.median, phq.pre.q1, phq.pre.q3, phq.post.median, phq.wilcoxon, phq.reliableChange]).toEqual([null, null, null, null, null, null])
      // Below minN (10) nothing at all.
      if (n < 10) expect(phq.pre.mean).toBeNull()
      else expect(phq.pre.mean).not.toBeNull()
      const result = attack(release!, n)
      expect(result.shownAnything).toBe(n >= 10)
      expect(result).toMatchObject({ pre: [], post: [], change: [] })
      // The integer search is real work; on a busy machine it may take longer than vitest's default 5 s.
    }, 60_000)
  }
})

/** Ten spread pairs, and more of the same kind. */
const basePre = [9, 12, 15, 18, 19, 21, 7, 11, 14, 16]
const basePost = [10, 12, 12, 13, 14, 16, 5, 9, 10, 11]

describe('differencing', () => {
  it('across releases: a release that differs from an earlier one by one person is refused, saying what to wait for; the program lead sees only the first', async () => {
    const w = await world()
    const cohort = await w.cohortOf('Growing', pairs(basePre, basePost))
    expect((await w.release(cohort.id)).status).toBe(201)
    // One more participant completes both waves: their score would be n₂·mean₂ − n₁·mean₁.
    await w.addTo(cohort.id, [{ pre: 27, post: 3 }], 10)
    const before = await w.db.selectFrom('program_lead_release').selectAll().execute()
    const refused = await w.release(cohort.id)
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('disclosure_risk')
    expect(refused.body.error.message).toMatch(/wait until at least 9 more/)
    expect(refused.body.error.details[0]).toMatchObject({ participantsThen: 10, participantsNow: 11, differing: 1 })
    // Refused: nothing written, and the researcher's preview says the same.
    expect(await w.db.selectFrom('program_lead_release').selectAll().execute()).toEqual(before)
    const preview = (await (await w.app.request(`/api/cohorts/${cohort.id}/release-preview`, { headers: w.researcher.headers })).json()) as any
    expect(preview.allowed).toBe(false)
    expect(preview.refusals.map((r: any) => r.figure)).toContain('PHQ-9 total at pre (pre→post)')
    // The same as data, for the page to say in the reader's language.
    expect(preview.refusals.find((r: any) => r.figure === 'PHQ-9 total at pre (pre→post)')).toMatchObject({
      about: { kind: 'scores', instrument: 'phq-9', scale: 'total', label: 'PHQ-9 total', wave: 'pre', from: 'pre', to: 'post' },
      rule: 'difference',
      minN: 10,
      differing: 1,
    })
    expect((await w.leadReads(cohort.id)).length).toBe(1)

    // Nine more: ten new people differ from the first release, so the second may be released; what
    // the reader can subtract is then a sum of ten people's scores, and every rank stays hidden.
    await w.addTo(cohort.id, pairs([8, 13, 17, 10, 20, 12, 15, 9, 14], [7, 10, 12, 9, 15, 11, 10, 8, 9]), 11)
    expect((await w.release(cohort.id)).status).toBe(201)
    const [second, first] = await w.leadReads(cohort.id)
    const scale = (r: Release) => r.content.comparisons[0]!.scales[0]!
    // The newest first, each with its date and who released it.
    expect(second!.releasedAt > first!.releasedAt).toBe(true)
    expect(first!.releasedBy.name).toBeTruthy()
    // Subtraction with the true n (stronger than the lead, who sees n rounded): the newcomers'
    // total is only known within a range as wide as the rounding allows, far more than one score's range.
    const sumRange = (r: Release, n: number): [number, number] => [n * (scale(r).pre.mean! - 0.5), n * (scale(r).pre.mean! + 0.5)]
    const [a1, b1] = sumRange(first!, 10)
    const [a2, b2] = sumRange(second!, 20)
    expect(b2 - a1 - (a2 - b1)).toBeGreaterThanOrEqual(15)
  })

  it("across releases: a participant who deleted their answers cannot be subtracted out", async () => {
    const w = await world()
    const cohort = await w.cohortOf('Shrinking', pairs([...basePre, ...basePre.map((x) => x + 1)], [...basePost, ...basePost]))
    expect((await w.release(cohort.id)).status).toBe(201)
    const p1 = (await w.db.selectFrom('participant').select('id').where('cohort_id', '=', cohort.id).where('code', '=', 'P1').executeTakeFirstOrThrow()).id
    await w.db.deleteFrom('scale_score').where('response_id', 'in', w.db.selectFrom('response').select('id').where('participant_id', '=', p1)).execute()
    await w.db.deleteFrom('response').where('participant_id', '=', p1).execute()
    const refused = await w.release(cohort.id)
    expect(refused.status).toBe(409)
    expect(refused.body.error.details[0]).toMatchObject({ participantsThen: 20, participantsNow: 19, differing: 1 })
  })

  // S, then S ∪ T, then T ∪ Y after S deleted their answers: every pair differs by 10 or more, yet
  // (S ∪ T) − S gives T's sum and (T ∪ Y) − T gives Y's. With three newcomers nobody is singled out,
  // but each of them learns the other two's sum: a cell of three under minN 10.
  it.each([
    { newcomers: [{ pre: 27, post: 2 }], differing: 1, wait: /would give one participant's value; wait until at least 10 more/ },
    { newcomers: [{ pre: 27, post: 2 }, { pre: 25, post: 4 }, { pre: 26, post: 3 }], differing: 3, wait: /would give the total of 3 participants, fewer than 10; wait until at least 7 more/ },
  ])('across three releases: S, then S ∪ T, then T ∪ $differing newcomer(s) after S deleted their answers, is refused', async ({ newcomers, differing, wait }) => {
    const w = await world()
    const cohort = await turnover(w, `Turnover ${differing}`, newcomers)
    const refused = await w.release(cohort.id)
    expect(refused.status).toBe(409)
    expect(refused.body.error.details[0]).toMatchObject({ rule: 'combination', minN: 10, differing })
    expect(refused.body.error.details[0].wait).toMatch(wait)
    expect((await w.leadReads(cohort.id)).length).toBe(2)
  })

  it('a group earlier releases already give does not turn the check off: a later release that singles someone out is refused', async () => {
    // Cohort A's third release gave three newcomers' sum, made before this check (written here as it
    // was stored then). The check once skipped any figure whose earlier releases already gave a small
    // group, and the figure's key is shared by every cohort of the study: cohort B's turnover with one
    // newcomer was then released, and with it that newcomer's own score.
    const w = await world()
    const a = await turnover(w, 'A', [{ pre: 27, post: 2 }, { pre: 25, post: 4 }, { pre: 26, post: 3 }])
    const second = await w.db.selectFrom('program_lead_release').selectAll().where('cohort_id', '=', a.id).orderBy('released_at', 'desc').executeTakeFirstOrThrow()
    const answering = (await w.db.selectFrom('response').select('participant_id').distinct().where('participant_id', 'in', w.db.selectFrom('participant').select('id').where('cohort_id', '=', a.id)).execute()).map((r) => r.participant_id)
    const legacyBasis = Object.fromEntries(Object.keys(JSON.parse(second.basis) as Record<string, string[]>).map((key) => [key, answering]))
    w.clock.advance(60_000)
    await w.db.insertInto('program_lead_release').values({ ...second, id: `${second.id}-legacy`, released_at: w.clock.now().toISOString(), basis: JSON.stringify(legacyBasis) }).execute()

    const b = await turnover(w, 'B', [{ pre: 27, post: 2 }])
    const refused = await w.release(b.id)
    expect(refused.status).toBe(409)
    expect(refused.body.error.details[0]).toMatchObject({ rule: 'combination', minN: 10, differing: 1 })
  })

  it('across waves: pre→follow-up over a group one person smaller than pre→post is withheld in the same release', async () => {
    const w = await world()
    const people: Person[] = basePre.map((pre, i) => ({ pre, post: basePost[i]!, followUp: i === 0 ? undefined : basePost[i]! - 1 }))
    const cohort = await w.cohortOf('Three waves', people)
    expect((await w.release(cohort.id)).status).toBe(201)
    const [release] = await w.leadReads(cohort.id)
    const [prePost, preFollowUp] = release!.content.comparisons
    expect([prePost!.from, prePost!.to, preFollowUp!.from, preFollowUp!.to]).toEqual(['pre', 'post', 'pre', 'follow-up'])
    expect(prePost!.scales[0]!.pre.mean).not.toBeNull()
    // Nine pairs: below minN anyway; and it would differ by one person from the pre→post group.
    expect(preFollowUp!.scales[0]!.pre.mean).toBeNull()
    expect(preFollowUp!.scales[0]!.withheld.all).toBeTruthy()
    // No free choice of waves: the live report is closed to program leads.
    const live = await w.app.request(`/api/cohorts/${cohort.id}/report?from=pre&to=follow-up`, { headers: w.lead.headers })
    expect(live.status).toBe(403)
  })

  it('across waves within a release: groups of 20 and 19 at pre are not both shown', async () => {
    const w = await world()
    const pre = [...basePre, ...basePre.map((x) => x + 1)]
    const post = [...basePost, ...basePost.map((x) => x + 2)]
    const people: Person[] = pre.map((p, i) => ({ pre: p, post: post[i]!, followUp: i === 0 ? undefined : post[i]! - 1 }))
    const cohort = await w.cohortOf('Twenty', people)
    expect((await w.release(cohort.id)).status).toBe(201)
    const [release] = await w.leadReads(cohort.id)
    const [prePost, preFollowUp] = release!.content.comparisons
    expect(prePost!.scales[0]!.pre.mean).not.toBeNull()
    expect(preFollowUp!.scales[0]!.pre.mean).toBeNull()
    expect(preFollowUp!.scales[0]!.withheld.all).toMatch(/differs from this one by 1 participant/)
  })

  it('across cohorts of one study: a cohort that is another plus one person gives no single score', async () => {
    const w = await world()
    const a = await w.cohortOf('A', pairs(basePre, basePost))
    const b = await w.cohortOf('B', pairs([...basePre, 26], [...basePost, 25]))
    expect((await w.release(a.id)).status).toBe(201)
    expect((await w.release(b.id)).status).toBe(201)
    const [ra] = await w.leadReads(a.id)
    const [rb] = await w.leadReads(b.id)
    // The extra person's pre score is 11·mean_B − 10·mean_A, each mean known to ±0.5: the true n
    // given to the attacker, the possible scores still span more than half the scale.
    const mA = ra!.content.comparisons[0]!.scales[0]!.pre.mean!
    const mB = rb!.content.comparisons[0]!.scales[0]!.pre.mean!
    const low = Math.max(0, Math.ceil(11 * (mB - 0.5) - 10 * (mA + 0.5)))
    const high = Math.min(27, Math.floor(11 * (mB + 0.5) - 10 * (mA - 0.5)))
    expect(high - low).toBeGreaterThanOrEqual(10)
    // The live study-wide figures are closed to program leads; a study-wide release over A and B
    // differs from each by 10 or more people, so it may be made.
    for (const path of ['report', 'table1', 'release-preview']) expect((await w.app.request(`/api/studies/${w.study.id}/${path}`, { headers: w.lead.headers })).status).toBe(403)
    expect((await w.releaseStudy()).status).toBe(201)
  })
})

describe('differencing between the whole study and its cohorts (issue 17)', () => {
  const withAge = (people: Person[], firstAge: number): Person[] => people.map((p, i) => ({ ...p, age: firstAge + 3 * i }))

  it('cohort A released, then the study over A and a cohort B of one person: refused, figure by figure, writing nothing', async () => {
    const w = await world()
    const a = await w.cohortOf('A', withAge(pairs(basePre, basePost), 30))
    await w.cohortOf('B', [{ pre: 27, post: 2, age: 61 }])
    expect((await w.release(a.id)).status).toBe(201)
    const before = await w.releasedRows()
    // The study's PHQ-9 mean over 11 people beside A's over 10 would give B's person: 11·m − 10·m_A.
    const refused = await w.releaseStudy()
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatchObject({ code: 'disclosure_risk', message: expect.stringMatching(/wait until at least 9 more/) })
    const figures = refused.body.error.details.map((d: any) => d.figure)
    expect(figures).toEqual(expect.arrayContaining(['PHQ-9 total at pre (pre→post)', 'PHQ-9 total at post (pre→post)', 'Table 1: age']))
    expect(refused.body.error.details[0]).toMatchObject({ participantsThen: 10, participantsNow: 11, differing: 1 })
    expect(await w.releasedRows()).toEqual(before)
    const preview = (await (await w.app.request(`/api/studies/${w.study.id}/release-preview`, { headers: w.researcher.headers })).json()) as any
    expect(preview.allowed).toBe(false)
    expect(await w.leadReadsStudy()).toEqual([])
  })

  it('the study released first (A and a one-person B), then cohort A: refused; the program lead sees only the study-wide release', async () => {
    const w = await world()
    const a = await w.cohortOf('A', withAge(pairs(basePre, basePost), 30))
    await w.cohortOf('B', [{ pre: 27, post: 2, age: 61 }])
    expect((await w.releaseStudy()).status).toBe(201)
    const refused = await w.release(a.id)
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('disclosure_risk')
    expect(refused.body.error.details.map((d: any) => d.figure)).toEqual(expect.arrayContaining(['PHQ-9 total at pre (pre→post)', 'Table 1: age']))
    expect(refused.body.error.details[0]).toMatchObject({ participantsThen: 11, participantsNow: 10, differing: 1 })
    expect(await w.leadReads(a.id)).toEqual([])
    const [wide] = await w.leadReadsStudy()
    expect(wide!.cohortId).toBeNull()
    expect(wide!.content.cohorts!.map((c) => c.name)).toEqual(['A', 'B'])
    // Released over the eleven together: the study-wide figures are shown, each rounded as a cohort's.
    expect(wide!.content.comparisons[0]!.scales[0]!.pre.mean).toBe(Math.round((basePre.reduce((x, y) => x + y, 0) + 27) / 11))
  })

  it('cohorts A and B released, then the study over A, B and a one-person C: refused although it differs from each by 11 (A + B + C − A − B = C)', async () => {
    const w = await world()
    const a = await w.cohortOf('A', pairs(basePre, basePost))
    const b = await w.cohortOf('B', pairs(basePre.map((x) => x + 1), basePost.map((x) => x - 1)))
    await w.cohortOf('C', [{ pre: 27, post: 2 }])
    expect((await w.release(a.id)).status).toBe(201)
    expect((await w.release(b.id)).status).toBe(201)
    const refused = await w.releaseStudy()
    expect(refused.status).toBe(409)
    expect(refused.body.error.details[0].wait).toMatch(/adding and subtracting this release and earlier ones/)
    // Once C has ten people, the study-wide release may be made.
    const c = (await w.db.selectFrom('cohort').select('id').where('name', '=', 'C').executeTakeFirstOrThrow()).id
    await w.addTo(c, pairs(basePre.slice(0, 9), basePost.slice(0, 9)), 1)
    expect((await w.releaseStudy()).status).toBe(201)
    expect(await w.leadReadsStudy()).toHaveLength(1)
  })
})

describe('the funnel', () => {
  it('shows no count of 7 or fewer and rounds every other to 5, so no subtraction gives a count of one', async () => {
    const w = await world()
    // 3 participants: the old funnel showed "enrolled 3".
    const tiny = await w.cohortOf('Three', pairs([9, 12, 15], [10, 12, 12]))
    expect((await w.release(tiny.id)).status).toBe(201)
    const [t] = await w.leadReads(tiny.id)
    expect(t!.content.funnel).toEqual({ enrolled: null, consented: null, completed: { pre: null, post: null }, withdrawn: null })

    // 14 enrolled, 13 completed pre, 11 completed post.
    const people: Person[] = [...basePre, 8, 13, 17, 10].map((pre, i) => ({ pre: i < 13 ? pre : undefined, post: i < 11 ? [...basePost, 7][i] : undefined, sex: 'female' }))
    const cohort = await w.cohortOf('Fourteen', people)
    expect((await w.release(cohort.id)).status).toBe(201)
    const [r] = await w.leadReads(cohort.id)
    const counts = [r!.content.funnel.enrolled, r!.content.funnel.completed.pre, r!.content.funnel.completed.post, r!.content.comparisons[0]!.paired]
    expect(counts).toEqual([15, 15, 10, 10])
    for (const x of counts) expect(x! % 5).toBe(0)
    for (const x of counts) for (const y of counts) expect(Math.abs(x! - y!) % 5).toBe(0)
  })
})

describe('Table 1', () => {
  it('does not tell everyone’s sex, nor an age everyone shares ("Female 12 (100 %)")', async () => {
    const w = await world()
    const people: Person[] = basePre.concat([8, 13]).map((pre, i) => ({ pre, post: [...basePost, 7, 9][i], sex: 'female', age: 30 }))
    const cohort = await w.cohortOf('All women', people)
    expect((await w.release(cohort.id)).status).toBe(201)
    const [r] = await w.leadReads(cohort.id)
    const sex = r!.content.table1.categorical.find((c) => c.variable === 'sex')!
    expect(sex.levels.every((l) => l.n === null && l.percent === null)).toBe(true)
    const age = r!.content.table1.continuous.find((c) => c.variable === 'age')!
    expect([age.mean, age.sd]).toEqual([null, null])
    expect(JSON.stringify(r!.content.table1)).not.toMatch(/"percent":(0|100)\b/)
  })

  it('shows a mixed group with rounded counts and percentages of the rounded total, never 0 % or 100 %', async () => {
    const w = await world()
    const sexes = [...Array(20).fill('female'), ...Array(14).fill('male'), 'other']
    const people: Person[] = sexes.map((sex, i) => ({ sex, age: 30 + (i % 17) }))
    const cohort = await w.cohortOf('Mixed', people)
    expect((await w.release(cohort.id)).status).toBe(201)
    const [r] = await w.leadReads(cohort.id)
    const sex = Object.fromEntries(r!.content.table1.categorical.find((c) => c.variable === 'sex')!.levels.map((l) => [l.value, [l.n, l.percent]]))
    // 20 → 20 of 35 (57 %); 14 → 15 (43 %); 1 and 0 redacted.
    expect(sex).toEqual({ female: [20, 57], male: [15, 43], other: [null, null], prefer_not_to_say: [null, null] })
    // Adding one more woman is refused: the sex row would differ by one person.
    await w.addTo(cohort.id, [{ sex: 'female', age: 40 }], 35)
    const refused = await w.release(cohort.id)
    expect(refused.status).toBe(409)
    expect(refused.body.error.details.map((d: any) => d.figure)).toContain('Table 1: sex')
  })
})
