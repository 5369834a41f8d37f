/** A study to release from, for the release tests: set up as a researcher would, cohorts imported from a CSV. */
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { testDeps } from './app'
import { signedInStaff } from './staff'

/**
 * A new study named `name` (time zone UTC) with a signed-in researcher of it: `by` is them as a
 * release names its maker. `cohortOf(name, ages)` adds a cohort whose participants P1, P2, … gave
 * those ages on the demographics form (imported, so consented on paper).
 */
export async function studyForReleases(name: string) {
  const deps = await testDeps()
  const study = await createStudy(deps, { name, timeZone: 'UTC' }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const by = { id: researcher.user.id, name: researcher.user.name }
  const cohortOf = async (cohortName: string, ages: number[]) => {
    const cohort = await createCohort(deps, { studyId: study.id, name: cohortName }, 'test')
    const rows = ['participant,wave,instrument,item,value', ...ages.map((a, i) => `P${i + 1},enrolment,demographics,age,${a}`)]
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    return cohort
  }
  return { deps, study, researcher, by, cohortOf }
}
