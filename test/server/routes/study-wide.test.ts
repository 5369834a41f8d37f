/**
 * The whole study at once (issue 17): the study-wide report and Table 1 are the cohort computation
 * over the participants of every cohort, so they equal the report of one cohort holding the same
 * people (whose statistics the R tests check), and one pooled figure is checked against R here.
 * Program leads cannot read them live (they read study-wide releases: disclosure-attacks.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { cohortReport, studyReport } from '../../../server/domain/outcomes/report'
import { cohortTable1, studyTable1 } from '../../../server/domain/outcomes/table1'
import { createCohort, createStudy } from '../../../server/domain/staff/setup'
import type { Deps } from '../../../server/domain/deps'
import { listWaves } from '../../../server/db/repositories/studies'
import { testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

/** PHQ-9 item answers (0–3) that sum to `total`. */
const items = (total: number) => Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3)))
const groups = [
  { pre: [16, 12, 20, 9, 14], post: [10, 11, 12, 9, 8], age: [31, 44, 29, 52, 38] },
  { pre: [18, 7, 15, 11], post: [17, 9, 6, 5], age: [27, 35, 61, 40] },
]

/** CSV rows of PHQ-9 pre and post and the age of these people, numbered from `first`. */
function rows(group: (typeof groups)[number], first = 1): string[] {
  return group.pre.flatMap((pre, i) => {
    const code = `P${first + i}`
    return [
      ...items(pre).map((v, k) => `${code},pre,phq-9,phq9_${k + 1},${v}`),
      ...items(group.post[i]!).map((v, k) => `${code},post,phq-9,phq9_${k + 1},${v}`),
      `${code},enrolment,demographics,age,${group.age[i]}`,
    ]
  })
}

async function importInto(deps: Deps, studyId: string, name: string, lines: string[]) {
  const cohort = await createCohort(deps, { studyId, name, sessions: 8 }, 'test')
  await importCohortCsv(deps, { cohortId: cohort.id, csv: ['participant,wave,instrument,item,value', ...lines].join('\n') }, 'test')
  return cohort
}

describe('the study-wide report and Table 1', () => {
  it('equal the cohort computation over one cohort holding the same participants, and R', async () => {
    const { deps } = await testApp()
    const twoGroups = await createStudy(deps, { name: 'Two groups' }, 'test')
    await importInto(deps, twoGroups.id, 'Group A', rows(groups[0]!))
    await importInto(deps, twoGroups.id, 'Group B', rows(groups[1]!))
    const oneGroup = await createStudy(deps, { name: 'One group' }, 'test')
    const merged = await importInto(deps, oneGroup.id, 'Everyone', [...rows(groups[0]!), ...rows(groups[1]!, 6)])

    const wide = await studyReport(deps, twoGroups.id, { from: 'pre', to: 'post' })
    const single = await cohortReport(deps, merged.id, { from: 'pre', to: 'post' })
    expect(wide.funnel).toEqual(single.funnel)
    expect(wide.funnel).toMatchObject({ enrolled: 9, paired: 9, completed: { pre: 9, post: 9 } })
    expect(wide.cohorts.map((c) => c.name)).toEqual(['Group A', 'Group B'])
    expect(wide.scales).toEqual(single.scales)
    // Codes are per cohort: the rows are named with their cohort.
    expect(wide.participants.map((p) => p.code)).toEqual(['Group A · P1', 'Group A · P2', 'Group A · P3', 'Group A · P4', 'Group A · P5', 'Group B · P1', 'Group B · P2', 'Group B · P3', 'Group B · P4'])

    // R 4.x:
    //   pre <- c(16,12,20,9,14,18,7,15,11); post <- c(10,11,12,9,8,17,9,6,5)
    //   t.test(post, pre, paired = TRUE)  # t = -2.97670278893794, p = 0.017689203372492,
    //                                      # 95% CI -6.90154903502560 -0.87622874275218
    //   age <- c(31,44,29,52,38,27,35,61,40); mean(age); sd(age)  # 39.6666666666667 11.1803398874989
    const phq = wide.scales.find((s) => s.instrument === 'phq-9' && s.scale === 'total')!
    expect(phq.change.mean).toBeCloseTo(-35 / 9, 12)
    expect(phq.pairedT!.t).toBeCloseTo(-2.97670278893794, 10)
    expect(phq.pairedT!.p).toBeCloseTo(0.017689203372492, 10)
    expect(phq.change.ci95![0]).toBeCloseTo(-6.9015490350256, 10)
    expect(phq.change.ci95![1]).toBeCloseTo(-0.87622874275218, 10)

    const table = await studyTable1(deps, twoGroups.id)
    const singleTable = await cohortTable1(deps, merged.id)
    expect({ ...table, cohort: null }).toEqual({ ...singleTable, cohort: null })
    expect(table.cohort).toEqual({ id: twoGroups.id, name: 'all cohorts of Two groups' })
    const age = table.continuous.find((c) => c.variable === 'age')!
    expect(age).toMatchObject({ n: 9, min: 27, max: 61 })
    expect(age.mean).toBeCloseTo(39.6666666666667, 12)
    expect(age.sd).toBeCloseTo(11.1803398874989, 12)
  }, 30_000)

  it('counts a participant as completing a wave by their own cohort’s questionnaires, when cohorts ask different ones', async () => {
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'Different waves' }, 'test')
    await importInto(deps, study.id, 'Group A', rows(groups[0]!))
    // Group B also asked the GAD-7 at pre: its people completed pre only with both.
    const b = await importInto(deps, study.id, 'Group B', [...rows(groups[1]!), ...['P1', 'P2'].flatMap((code) => Array.from({ length: 7 }, (_, k) => `${code},pre,gad-7,gad7_${k + 1},1`))])
    expect((await listWaves(deps.db, b.id)).find((w) => w.kind === 'pre')!.instruments).toEqual(['phq-9', 'gad-7'])
    const wide = await studyReport(deps, study.id, { from: 'pre', to: 'post' })
    // A's five completed pre with the PHQ-9 alone; of B's four, the two with the GAD-7 too.
    expect(wide.funnel.completed).toEqual({ pre: 7, post: 9 })
    expect(wide.funnel.paired).toBe(7)
    // The PHQ-9's pairs are still all nine; the GAD-7, asked at pre only, has its α at pre.
    expect(wide.scales.find((s) => s.instrument === 'phq-9')!.n).toBe(9)
    expect(wide.singleWaveReliability!.map((r) => `${r.instrument}@${r.wave}`)).toContain('gad-7@pre')
  }, 30_000)

  it('serves researchers JSON, CSV and Markdown, refuses program leads, and says which wave no cohort has', async () => {
    const { app, deps } = await testApp()
    const study = await createStudy(deps, { name: 'Two groups' }, 'test')
    await importInto(deps, study.id, 'Group A', rows(groups[0]!))
    await importInto(deps, study.id, 'Group B', rows(groups[1]!))
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const lead = await signedInStaff(deps, [{ studyId: study.id, role: 'program_lead' }])
    const get = (path: string, headers = researcher.headers) => app.request(`/api/studies/${study.id}/${path}`, { headers })

    const json = (await (await get('report')).json()) as any
    expect(json).toMatchObject({ view: 'researcher', cohort: { id: study.id, name: 'All cohorts of Two groups' }, funnel: { paired: 9 } })
    expect(json.cohorts.map((c: any) => c.name)).toEqual(['Group A', 'Group B'])
    const md = await get('report?format=md')
    expect(md.headers.get('content-type')).toContain('text/markdown')
    expect(await md.text()).toContain('All cohorts of Two groups')
    expect(await (await get('table1?format=csv')).text()).toMatch(/^variable,label,level,n,percent,mean,sd,min,max/)
    expect(await (await get('table1?format=md')).text()).toContain('# Table 1. Participants of all cohorts of Two groups (n = 9)')

    for (const path of ['report', 'table1']) {
      const res = await get(path, lead.headers)
      expect(res.status).toBe(403)
      expect(((await res.json()) as any).error.code).toBe('forbidden')
    }
    const missing = await get('report?from=pre&to=follow-up')
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).error).toMatchObject({ code: 'not_found', message: 'This study has no follow-up wave.' })
    const bad = await get('report?from=pre&to=pre')
    expect(bad.status).toBe(422)
  }, 30_000)
})
