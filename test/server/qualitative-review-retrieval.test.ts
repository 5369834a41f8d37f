/**
 * Retrieval by change group across a study's cohorts (from the qualitative review). The change group
 * of each participant comes from their cohort's joint display; a cohort without the waves yet (a
 * new group, interviewed before its post wave) made the whole study's retrieval a 404 "This cohort
 * has no pre wave", and one where the instrument asked for was not given at both waves a 422,
 * though the other cohorts had their scores. Such a cohort's participants have no pair of scores
 * ('no_pair'); an instrument no cohort has is still a 422.
 */
import { describe, expect, it } from 'vitest'
import { createCode } from '../../server/domain/qualitative/codebook'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { addParticipants, createCohort, createStudy } from '../../server/domain/staff/setup'
import { testApp } from '../helpers/app'
import { itemLines } from '../helpers/export-cohort'
import { interviewFirstOfEachCoded } from '../helpers/qualitative'
import { signedInStaff } from '../helpers/staff'

const phq9 = (code: string, wave: 'pre' | 'post', total: number) =>
  itemLines(code, wave, 'phq-9', 'phq9_', Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3))))

describe('GET /studies/:id/segments?change=… with a cohort that has no waves yet', () => {
  it('gives that cohort’s participants no pair of scores, and the other cohorts their groups', async () => {
    const built = await testApp()
    const { deps } = built
    const study = await createStudy(deps, { name: 'Two groups' }, 'test')
    const groupA = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
    await importCohortCsv(deps, { cohortId: groupA.id, csv: ['participant,wave,instrument,item,value', ...phq9('P1', 'pre', 20), ...phq9('P1', 'post', 4)].join('\n') }, 'test')
    const groupB = await createCohort(deps, { studyId: study.id, name: 'Group B' }, 'test')
    await addParticipants(deps, { cohortId: groupB.id, count: 1 }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const category = await createCode(deps, study.id, { level: 'category', name: 'Fear' }, 'test')
    const code = await createCode(deps, study.id, { level: 'code', name: 'Less fear', parentId: category.id }, 'test')
    await interviewFirstOfEachCoded(deps, researcher.user, code.id, [
      [groupA.id, 'P1: I am less afraid of patients now.'],
      [groupB.id, 'P1: I am still afraid of patients.'],
    ])
    const get = async (query: string) => {
      const res = await built.app.request(`/api/studies/${study.id}/segments?${query}`, { headers: researcher.headers })
      return { status: res.status, body: (await res.json()) as Record<string, any> }
    }

    const improved = await get('change=improved')
    expect(improved.status, JSON.stringify(improved.body)).toBe(200)
    expect(improved.body.segments.map((s: any) => s.text)).toEqual(['I am less afraid of patients now.'])
    const noPair = await get('change=no_pair&instrument=phq-9')
    expect(noPair.status, JSON.stringify(noPair.body)).toBe(200)
    expect(noPair.body.segments.map((s: any) => s.text)).toEqual(['I am still afraid of patients.'])
    // An instrument no cohort gave at both waves is still named as the problem.
    const unknown = await get('change=improved&instrument=who-5')
    expect(unknown.status).toBe(422)
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: 'instrument' })])
  })
})
