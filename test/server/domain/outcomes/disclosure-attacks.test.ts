/**
 * The attack suite: tests that play a program lead who wants to learn about one person from what
 * they are shown, and try every attack of issue 10 — order statistics at n = 5, 6, 8 and 10,
 * integer search for score sets matching every shown figure, differencing across releases, across
 * waves and across cohorts of one study, subtraction in the funnel, and Table 1 homogeneity. Each
 * attack must fail. The first test shows that the attacker is real: on the figures the program lead
 * used to get (the live report at n = 5) it recovers every score.
 *
 * The program lead's side goes through HTTP only, as a program lead would.
 */
import { describe, expect, it } from 'vitest'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { cohortReport } from '../../../../server/domain/outcomes/report'
import type { Release, ReleasedScale } from '../../../../server/domain/outcomes/release'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { integerSearch, shownAs, type Shown } from '../../../helpers/disclosure-attacker'
import { testApp } from '../../../helpers/app'
import { signedInStaff } from '../../../helpers/staff'

/** PHQ-9 item answers (0–3) that sum to `total`. */
function items(total: number): number[] {
  return Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))
}

type Person = { pre?: number; post?: number; followUp?: number; sex?: string; age?: number }

function csvOf(people: Person[], offset = 0): string {
  const rows = ['participant,wave,instrument,item,value']
  people.forEach((p, i) => {
    const code = `P${i + 1 + offset}`
    for (const [wave, total] of [['pre', p.pre], ['post', p.post], ['follow-up', p.followUp]] as const) {
      if (total !== undefined) items(total).forEach((v, k) => rows.push(`${code},${wave},phq-9,phq9_${k + 1},${v}`))
    }
    if (p.sex) rows.push(`${code},enrolment,demographics,sex,${p.sex}`)
    if (p.age !== undefined) rows.push(`${code},enrolment,demographics,age,${p.age}`)
  })
  return `${rows.join('\n')}\n`
}

async function world() {
  const built = await testApp()
  const study = await createStudy(built.deps, { name: 'Attacked study' }, 'test')
  const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
  const lead = await signedInStaff(built.deps, [{ studyId: study.id, role: 'program_lead' }])
  const cohortOf = async (name: string, people: Person[]) => {
    const cohort = await createCohort(built.deps, { studyId: study.id, name }, 'test')
    await importCohortCsv(built.deps, { cohortId: cohort.id, csv: csvOf(people) }, 'test')
    return cohort
  }
  const addTo = async (cohortId: string, people: Person[], offset: number) => importCohortCsv(built.deps, { cohortId, csv: csvOf(people, offset) }, 'test')
  const release = async (cohortId: string) => {
    built.clock.advance(60_000)
    const res = await built.app.request(`/api/cohorts/${cohortId}/releases`, { method: 'POST', headers: researcher.headers })
    return { status: res.status, body: (await res.json()) as any }
  }
  /** Every release of the cohort as the program lead reads it. */
  const leadReads = async (cohortId: string): Promise<Release[]> => {
    const list = await built.app.request(`/api/cohorts/${cohortId}/releases`, { headers: lead.headers })
    expect(list.status).toBe(200)
    const out: Release[] = []
    for (const r of (await list.json()) as { id: string }[]) {
      const res = await built.app.request(`/api/releases/${r.id}`, { headers: lead.headers })
      expect(res.status).toBe(200)
      out.push((await res.json()) as Release)
    }
    return out
  }
  return { ...built, study, researcher, lead, cohortOf, addTo, release, leadReads }
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
    })
  }
})
