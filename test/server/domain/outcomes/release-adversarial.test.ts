/**
 * An outside methods reviewer played the program lead against the released reports; these are the
 * attacks that worked (until release.ts withheld a too-alike scale whole) and two it withstood. Each
 * test asserts the SAFE behaviour. The program lead's side goes through
 * HTTP only (GET /api/cohorts/:id/releases, GET /api/studies/:id/releases, GET /api/releases/:id).
 */
import { describe, expect, it, vi } from 'vitest'
import type { Release } from '../../../../server/domain/outcomes/release'
import { csvOf, items, phqOf, releaseWorld, type Person } from '../../../helpers/release-world'

// Each test imports a cohort and makes releases through HTTP: seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 })

const world = releaseWorld

const oneDecimal = (x: number) => Math.round(x * 10) / 10

/** Twenty varied PHQ-9 pre scores. */
const pre20 = [3, 5, 6, 7, 8, 8, 9, 10, 10, 11, 12, 12, 13, 14, 14, 15, 16, 17, 18, 19]

describe('a scale too alike to show is withheld whole (complementary suppression)', () => {
  it('does not let post mean − pre mean give the change when everyone got worse by the same amount', async () => {
    const w = await world()
    // Every nurse's PHQ-9 rose by exactly 3 points.
    const cohort = await w.cohortOf('Same change', pre20.map((pre) => ({ pre, post: pre + 3 })))
    expect((await w.release(cohort.id)).status).toBe(201)
    const [r] = await w.leadReads(cohort.id)
    const phq = phqOf(r!)
    // What the lead reads: the change is withheld *because every participant changed by the same
    // amount* (the reason is in the JSON) while both means stand, to one decimal at n = 20.
    const told = phq.withheld.change ?? null
    const everyoneChangedBy = told !== null && phq.pre.mean !== null && phq.post.mean !== null ? oneDecimal(phq.post.mean - phq.pre.mean) : null
    // SAFE: the lead cannot learn the common change (here they learn +3.0 for every participant).
    expect({ told, everyoneChangedBy }).toEqual({ told, everyoneChangedBy: null })
  })

  it.each([
    // n = 20, every post score 15: withheld as same_score; pre mean + change mean = 15.1 ± 0.1, and scores are whole: 15 each.
    { name: 'same post score', n: 20, post: () => 15, learned: (lo: number, hi: number) => Math.ceil(lo - 1e-9) === 15 && Math.floor(hi + 1e-9) === 15 },
    // n = 12, eleven at 27 and one at 26: post mean rounds to 27 and is withheld as mean_at_end; pre + change = 27 ± 1.
    { name: 'post mean at the top of the scale', n: 12, post: (i: number) => (i === 0 ? 26 : 27), learned: (lo: number) => lo >= 25 },
  ])('$name: does not let pre mean + mean change give the withheld post mean', async ({ n, post, learned }) => {
    const w = await world()
    const cohort = await w.cohortOf('Homogeneous post', pre20.slice(0, n).map((pre, i) => ({ pre, post: post(i) })))
    expect((await w.release(cohort.id)).status).toBe(201)
    const [r] = await w.leadReads(cohort.id)
    const phq = phqOf(r!)
    expect(phq.post.mean).toBeNull() // withheld, the reason saying why
    // Each shown mean stands for ± half its last decimal: 0.05 at n ≥ 20, 0.5 below.
    const half = n >= 20 ? 0.05 : 0.5
    const derivedPost = phq.pre.mean !== null && phq.change.mean !== null ? [phq.pre.mean + phq.change.mean - 2 * half, phq.pre.mean + phq.change.mean + 2 * half] : null
    // SAFE: the withheld figure cannot be rebuilt from the ones shown beside it.
    expect({ reason: phq.withheld.post, derivedPost, leaks: derivedPost !== null && learned(derivedPost[0]!, derivedPost[1]!) }).toMatchObject({ leaks: false })
  })

  it('withholds the whole scale, saying only that it protects individuals', async () => {
    const w = await world()
    const cohort = await w.cohortOf('Same change, whole scale', pre20.map((pre) => ({ pre, post: pre + 3 })))
    expect((await w.release(cohort.id)).status).toBe(201)
    const phq = phqOf((await w.leadReads(cohort.id))[0]!)
    expect({ pre: phq.pre.mean, post: phq.post.mean, change: phq.change.mean, t: phq.pairedT, wilcoxon: phq.wilcoxon, reliableChange: phq.reliableChange }).toEqual({ pre: null, post: null, change: null, t: null, wilcoxon: null, reliableChange: null })
    expect(phq.withheld).toEqual({ all: 'withheld to protect individual participants' })
  })
})

describe('everyone changed alike on a scale of means', () => {
  it('withholds a CBI scale whose every change is 12.5 points, though floating point makes the changes differ in the last bits (found by the session review)', async () => {
    const w = await world()
    // Six items each; post raises three items by 25: every mean rises by 12.5 (75 / 6).
    const levels = [0, 25, 50, 75]
    const people = pre20.map((_, i) => {
      const pre = [0, 1, 2, 3, 4, 5].map((k) => levels[(i + k) % 4]!)
      const post = pre.map((v, k) => (k < 3 ? v + 25 : v))
      return { pre: pre20[i]!, post: pre20[i]! + (i % 3) - 1, cbiPersonal: [pre, post] as [number[], number[]] }
    })
    // The precondition: the changes, as doubles, are not all equal.
    const changes = people.map((p) => p.cbiPersonal[1].reduce((a, b) => a + b, 0) / 6 - p.cbiPersonal[0].reduce((a, b) => a + b, 0) / 6)
    expect(new Set(changes).size).toBeGreaterThan(1)
    const cohort = await w.cohortOf('CBI alike', people)
    expect((await w.release(cohort.id)).status).toBe(201)
    const cbi = (await w.leadReads(cohort.id))[0]!.content.comparisons[0]!.scales.find((s) => s.instrument === 'cbi' && s.scale === 'personal')!
    expect({ change: cbi.change.mean, withheld: cbi.withheld }).toEqual({ change: null, withheld: { all: 'withheld to protect individual participants' } })
  })
})

describe('no rank or sign figure says what (nearly) everyone in the group did (class disclosure)', () => {
  it('does not show a class of reliable change that everyone else together would be a redactable count beside ("20 of 20 deteriorated")', async () => {
    const w = await world()
    // Every one of twenty nurses deteriorated reliably (PHQ-9 reliable change ≈ 7.9 points), by 9 to 12 points.
    const cohort = await w.cohortOf('All worse', pre20.map((pre, i) => ({ pre: pre - 2, post: Math.min(27, pre - 2 + 9 + (i % 4)) })))
    expect((await w.release(cohort.id)).status).toBe(201)
    const [r] = await w.leadReads(cohort.id)
    const phq = phqOf(r!)
    // SAFE (releaseBreakdown's rule applied here too): the dominant class is not shown.
    expect({ n: phq.n, reliableChange: phq.reliableChange }).toMatchObject({ reliableChange: { deteriorated: null } })
    expect(phq.reliableChange).not.toBeNull()
  })

  it('releases the signed-rank test’s p without V, whose maximum n(n+1)/2 says every score went up', async () => {
    const w = await world()
    // Every change positive (1 to 4 points: not "reliable", so the reliable-change counts say "unchanged").
    const cohort = await w.cohortOf('All up', pre20.map((pre, i) => ({ pre, post: pre + 1 + (i % 4) })))
    expect((await w.release(cohort.id)).status).toBe(201)
    const [r] = await w.leadReads(cohort.id)
    const phq = phqOf(r!)
    const everyoneWorse = phq.wilcoxon !== null && phq.wilcoxon.V === (20 * 21) / 2
    // SAFE: no released figure says that all (or nearly all) changes had one sign; the test's p stays.
    expect({ V: phq.wilcoxon?.V, everyoneWorse }).toMatchObject({ everyoneWorse: false })
    expect(phq.wilcoxon?.p).not.toBeNull()
  })

  it('withholds quartiles that put three quarters of the group at an end of the scale (q1 = 27), though the mean (24.2) may be shown', async () => {
    const w = await world()
    const post = [10, 12, 14, 16, ...Array<number>(16).fill(27)]
    const cohort = await w.cohortOf('Top heavy', pre20.map((pre, i) => ({ pre, post: post[i]! })))
    expect((await w.release(cohort.id)).status).toBe(201)
    const [r] = await w.leadReads(cohort.id)
    const phq = phqOf(r!)
    expect(phq.post.mean).not.toBeNull()
    // SAFE: no quartile that puts ≥ 75 % of the group (everyone else: ≤ 5 people, a redactable count) at one end of the scale.
    expect({ q1: phq.post.q1, max: phq.range.max, dominated: phq.post.q1 !== null && phq.post.q1 >= phq.range.max }).toMatchObject({ dominated: false })
    expect([phq.post.median, phq.post.q3]).toEqual([null, null])
    // The pre wave, spread out, keeps its quartiles.
    expect(phq.pre.q1).not.toBeNull()
  })
})

describe('differencing beyond pairs (combination check)', () => {
  it('refuses a release whose two groups of one wave, with one earlier group, give one person (S, S ∪ T and T ∪ {y} give y’s pre score)', async () => {
    const w = await world()
    // Release 1: S (20 nurses) has completed pre and post.
    const S: Person[] = pre20.map((pre) => ({ pre: Math.max(0, pre - 6), post: Math.max(0, pre - 8) }))
    const cohort = await w.cohortOf('Late follow-up', S)
    expect((await w.release(cohort.id)).status).toBe(201)
    // Later: T (19) complete pre, post and follow-up; y completes pre and follow-up only (away during the post wave); S skip follow-up.
    const T: Person[] = pre20.slice(0, 19).map((pre) => ({ pre: Math.max(0, pre - 5), post: Math.max(0, pre - 7), followUp: Math.max(0, pre - 6) }))
    const y: Person = { pre: 27, followUp: 25 }
    await w.addTo(cohort.id, [...T, y], 20)
    const second = await w.release(cohort.id)
    // SAFE (README: "refuses a release when adding and subtracting it with earlier ones gives the total of fewer than minN people").
    let yPre: [number, number] | null = null
    if (second.status === 201) {
      const [r2, r1] = await w.leadReads(cohort.id)
      const mE = phqOf(r1!, 0).pre.mean!
      const m1 = phqOf(r2!, 0).pre.mean!
      const m2 = phqOf(r2!, 1).pre.mean!
      // y = 20·m(T ∪ y) − (39·m(S ∪ T) − 20·m(S)), each mean ± 0.05.
      const e = 0.05 * (20 + 39 + 20)
      const est = 20 * m2 - 39 * m1 + 20 * mE
      yPre = [Math.max(0, est - e), Math.min(27, est + e)]
    }
    expect({ status: second.status, yPreLearnedWithin: yPre }).toEqual({ status: 409, yPreLearnedWithin: null })
  })
})

describe('a group whose own figure is withheld as too alike is not given back by subtracting releases', () => {
  const sleepOf = (r: Release | undefined) => r?.content.table1.continuous.find((c) => c.variable === 'sleep_hours')
  const bSleep = [5, 6, 7, 8, 6, 7, 5, 8, 9, 6, 7, 7, 6, 8, 5, 7, 6, 9, 8, 7]

  it('withholds the study-wide Table 1 figure that, minus another cohort’s, would give a cohort’s withheld answer (all 12 sleep 4 hours), and releases the rest', async () => {
    const w = await world()
    // Cohort A: twelve nurses who all sleep 4 hours. Cohort B: twenty, varied.
    const a = await w.cohortOf('A', Array.from({ length: 12 }, () => ({ sleep: 4, age: 30 })).map((p, i) => ({ ...p, age: 25 + i })))
    const b = await w.cohortOf('B', bSleep.map((sleep, i) => ({ sleep, age: 40 + i })))
    expect((await w.release(a.id)).status).toBe(201)
    expect((await w.release(b.id)).status).toBe(201)
    const study = await w.releaseStudy()
    const [ra] = await w.leadReads(a.id)
    const [rb] = await w.leadReads(b.id)
    const [rs] = await w.leadReads(null)
    // A's release hides A's answer, saying only that it protects individuals.
    expect(sleepOf(ra)!.mean).toBeNull()
    expect(sleepOf(ra)!.withheld).toBe('withheld to protect individual participants')
    // The lead subtracts: A's sum = 32·m(study) − 20·m(B); each figure at one decimal (n ≥ 20), so A's
    // common answer would be known to ± (32 + 20)·0.05 / 12 ≈ ± 0.22 hours.
    const mS = sleepOf(rs)?.mean ?? null
    const mB = sleepOf(rb)?.mean ?? null
    const derived = mS !== null && mB !== null ? [(32 * (mS - 0.05) - 20 * (mB + 0.05)) / 12, (32 * (mS + 0.05) - 20 * (mB - 0.05)) / 12] : null
    const pinned = derived !== null && Math.ceil(derived[0]!) === Math.floor(derived[1]!) ? Math.ceil(derived[0]!) : null
    // SAFE: A's shared answer (4 hours each) cannot be derived.
    expect({ derived, pinned }).toEqual({ derived: null, pinned: null })
    // The study-wide release is made, with that one figure withheld (secondary suppression) and the others shown.
    expect(study.status).toBe(201)
    expect(mB).not.toBeNull()
    expect(sleepOf(rs)!.withheld).toBe('withheld to protect individual participants')
    expect(rs!.content.table1.continuous.find((c) => c.variable === 'age')!.mean).not.toBeNull()
  })

  it('withholds a cohort’s scale that, with the study-wide release, gives another cohort’s scores withheld as too alike', async () => {
    const w = await world()
    // Cohort A: twelve nurses whose post PHQ-9 is 15 each (withheld as too alike), B: twenty, varied.
    const a = await w.cohortOf('A', pre20.slice(0, 12).map((pre) => ({ pre, post: 15 })))
    const b = await w.cohortOf('B', pre20.map((pre, i) => ({ pre, post: pre + (i % 5) - 2 })))
    expect((await w.release(a.id)).status).toBe(201)
    expect((await w.releaseStudy()).status).toBe(201)
    const [rs] = await w.leadReads(null)
    expect(phqOf(rs!).withheld).toEqual({})
    expect(phqOf(rs!).post.mean).not.toBeNull()
    // B's release, with the study's, would give A's post total: B's PHQ-9 is withheld whole, nothing else.
    expect((await w.release(b.id)).status).toBe(201)
    const [rb] = await w.leadReads(b.id)
    expect(phqOf(rb!)).toMatchObject({ pre: { mean: null }, post: { mean: null }, change: { mean: null }, pairedT: null, withheld: { all: 'withheld to protect individual participants' } })
    expect(rb!.content.comparisons[0]!.paired).toBe(20)
  })

  // Found by the review of the guarded groups: a group was guarded only once its own cohort's release
  // was built, so a lead who saw B and the study first had A's figure before A was ever released.
  it('guards a cohort that is too alike whatever the order of releases: B, then the study, with A never released', async () => {
    const w = await world()
    await w.cohortOf('A', Array.from({ length: 12 }, () => ({ sleep: 4 })))
    const b = await w.cohortOf('B', bSleep.map((sleep) => ({ sleep })))
    expect((await w.release(b.id)).status).toBe(201)
    expect((await w.releaseStudy()).status).toBe(201)
    const [rb] = await w.leadReads(b.id)
    const [rs] = await w.leadReads(null)
    expect(sleepOf(rb)!.mean).not.toBeNull()
    // The study's figure would give A's 4 hours with B's: it is withheld.
    expect(sleepOf(rs)).toMatchObject({ mean: null, sd: null, withheld: 'withheld to protect individual participants' })
  })

  it('guards a cohort’s scores too alike to show whatever the order: the study, then B, with A never released', async () => {
    const w = await world()
    await w.cohortOf('A', pre20.slice(0, 12).map((pre) => ({ pre, post: 15 })))
    const b = await w.cohortOf('B', pre20.map((pre, i) => ({ pre, post: pre + (i % 5) - 2 })))
    expect((await w.releaseStudy()).status).toBe(201)
    expect((await w.release(b.id)).status).toBe(201)
    const [rb] = await w.leadReads(b.id)
    expect(phqOf(rb!).post.mean).toBeNull()
    expect(phqOf(rb!).withheld).toEqual({ all: 'withheld to protect individual participants' })
  })
})

describe('attacks the platform withstood', () => {
  it('a program lead gets no live figure, preview, refusal detail, export, per-participant page or other-answers text', async () => {
    const w = await world()
    const cohort = await w.cohortOf('Closed', pre20.map((pre) => ({ pre, post: pre + 1 })))
    const p1 = (await w.db.selectFrom('participant').select('id').where('cohort_id', '=', cohort.id).executeTakeFirstOrThrow()).id
    const paths = [
      `/api/cohorts/${cohort.id}/report?from=pre&to=post`,
      `/api/cohorts/${cohort.id}/report?from=pre&to=post&format=csv`,
      `/api/cohorts/${cohort.id}/table1`,
      `/api/cohorts/${cohort.id}/table1/other-answers`,
      `/api/cohorts/${cohort.id}/release-preview`,
      `/api/cohorts/${cohort.id}/tracking`,
      `/api/studies/${w.study.id}/report?from=pre&to=post`,
      `/api/studies/${w.study.id}/table1`,
      `/api/studies/${w.study.id}/pooled-report?from=pre&to=post`,
      `/api/studies/${w.study.id}/release-preview`,
      `/api/studies/${w.study.id}/audit`,
      `/api/studies/${w.study.id}/safety`,
      `/api/participants/${p1}/report`,
      `/api/participants/${p1}/answers`,
      `/api/participants/${p1}/interview`,
    ]
    const statuses = await Promise.all(paths.map(async (p) => [p, (await w.app.request(p, { headers: w.lead.headers })).status] as const))
    for (const [p, status] of statuses) expect([p, [403, 404].includes(status)]).toEqual([p, true])
    // POSTing a release (to trigger a 409 whose details name the differing counts) is for researchers only.
    expect((await w.app.request(`/api/cohorts/${cohort.id}/releases`, { method: 'POST', headers: w.lead.headers })).status).toBe(403)
  })

  it('a one-person change between two releases is refused, and CSV/Markdown carry no more than the JSON', async () => {
    const w = await world()
    const cohort = await w.cohortOf('Growing', pre20.map((pre) => ({ pre, post: pre - 2 + (pre % 3) })))
    expect((await w.release(cohort.id)).status).toBe(201)
    await w.addTo(cohort.id, [{ pre: 27, post: 3 }], 20)
    expect((await w.release(cohort.id)).status).toBe(409)
    const [r] = await w.leadReads(cohort.id)
    const csv = await (await w.app.request(`/api/releases/${r!.id}?format=csv`, { headers: w.lead.headers })).text()
    expect(csv).not.toMatch(/P\d+|median|wilcoxon/i)
  })
})

describe('one score, one figure', () => {
  it('releases WHO-5 once, as its raw score, not again as the percentage (raw × 4) that would give it to a finer grain', async () => {
    const w = await world()
    const cohort = await w.cohortOf('WHO-5 once', pre20.map((pre, i) => ({ pre, post: pre + 1, who5: [1 + (i % 4), 2 + (i % 3)] as [number, number] })))
    expect((await w.release(cohort.id)).status).toBe(201)
    const released = (await w.leadReads(cohort.id))[0]!
    const scales = released.content.comparisons[0]!.scales.map((s) => `${s.instrument}/${s.scale}`)
    expect(scales).not.toContain('who-5/percentage')
    expect(scales).toEqual(expect.arrayContaining(['phq-9/total', 'who-5/raw']))
  })
})
