/**
 * A study to attack releases in: cohorts imported from made-up people (PHQ-9 totals at each wave,
 * Table 1 answers, WHO-5 items), a researcher who releases, and a program lead who reads the releases
 * through HTTP only, as a program lead would. Shared by the disclosure attack suites.
 */
import { expect } from 'vitest'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import type { Release, ReleasedScale } from '../../server/domain/outcomes/release'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { testApp, testDeps } from './app'
import { signedInStaff } from './staff'

/** PHQ-9 item answers (0–3) that sum to `total`. */
export function items(total: number): number[] {
  return Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))
}

/** A made-up participant: PHQ-9 totals per wave, Table 1 answers, and WHO-5 at pre and post (each item the same). */
export type Person = { pre?: number; post?: number; followUp?: number; sex?: string; age?: number; sleep?: number; who5?: [number, number]; cbiPersonal?: [number[], number[]] }

/** The people as the import's long CSV, coded P1, P2 … after `offset`. */
export function csvOf(people: Person[], offset = 0): string {
  const rows = ['participant,wave,instrument,item,value']
  people.forEach((p, i) => {
    const code = `P${i + 1 + offset}`
    for (const [wave, total] of [['pre', p.pre], ['post', p.post], ['follow-up', p.followUp]] as const) {
      if (total !== undefined) items(total).forEach((v, k) => rows.push(`${code},${wave},phq-9,phq9_${k + 1},${v}`))
    }
    if (p.sex) rows.push(`${code},enrolment,demographics,sex,${p.sex}`)
    if (p.age !== undefined) rows.push(`${code},enrolment,demographics,age,${p.age}`)
    if (p.sleep !== undefined) rows.push(`${code},enrolment,demographics,sleep_hours,${p.sleep}`)
    // CBI personal burnout items (100, 75, 50, 25 or 0) at pre and post.
    if (p.cbiPersonal) p.cbiPersonal.forEach((values, w) => values.forEach((v, k) => rows.push(`${code},${w === 0 ? 'pre' : 'post'},cbi,cbi_p${k + 1},${v}`)))
    if (p.who5) p.who5.forEach((item, w) => [1, 2, 3, 4, 5].forEach((k) => rows.push(`${code},${w === 0 ? 'pre' : 'post'},who-5,who5_${k},${item}`)))
  })
  return `${rows.join('\n')}\n`
}

/**
 * A new study named `name` (time zone UTC), in a database of its own, with a signed-in researcher of
 * it: `by` is them as a release names its maker. `cohortOf(name, ages)` adds a cohort whose
 * participants P1, P2, … gave those ages on the demographics form (imported, so consented on paper).
 * For release tests that call the domain functions directly (`releaseWorld` goes through HTTP).
 */
export async function studyForReleases(name: string) {
  const deps = await testDeps()
  const study = await createStudy(deps, { name, timeZone: 'UTC' }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const by = { id: researcher.user.id, name: researcher.user.name }
  const cohortOf = async (cohortName: string, ages: number[]) => {
    const cohort = await createCohort(deps, { studyId: study.id, name: cohortName }, 'test')
    await importCohortCsv(deps, { cohortId: cohort.id, csv: csvOf(ages.map((age) => ({ age }))) }, 'test')
    return cohort
  }
  return { deps, study, researcher, by, cohortOf }
}

export async function releaseWorld() {
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
  const post = async (path: string) => {
    built.clock.advance(60_000)
    const res = await built.app.request(path, { method: 'POST', headers: researcher.headers })
    return { status: res.status, body: (await res.json()) as any }
  }
  const release = (cohortId: string) => post(`/api/cohorts/${cohortId}/releases`)
  const releaseStudy = () => post(`/api/studies/${study.id}/releases`)
  /** Every release of a cohort (or, with null, every study-wide release) as the program lead reads it, newest first as listed. */
  const leadReads = async (cohortId: string | null): Promise<Release[]> => {
    const list = await built.app.request(cohortId ? `/api/cohorts/${cohortId}/releases` : `/api/studies/${study.id}/releases`, { headers: lead.headers })
    expect(list.status).toBe(200)
    const out: Release[] = []
    for (const r of (await list.json()) as { id: string }[]) {
      const res = await built.app.request(`/api/releases/${r.id}`, { headers: lead.headers })
      expect(res.status).toBe(200)
      out.push((await res.json()) as Release)
    }
    return out
  }
  const leadReadsStudy = () => leadReads(null)
  const releasedRows = async () => [...(await built.db.selectFrom('program_lead_release').selectAll().execute()), ...(await built.db.selectFrom('study_release').selectAll().execute())]
  return { ...built, study, researcher, lead, cohortOf, addTo, release, releaseStudy, leadReads, leadReadsStudy, releasedRows }
}

/** A release's PHQ-9 total, in its `comparison`th comparison (0: pre→post). */
export const phqOf = (r: Release, comparison = 0): ReleasedScale => r.content.comparisons[comparison]!.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!
