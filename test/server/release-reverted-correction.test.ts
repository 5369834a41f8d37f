/**
 * Found in an adversary review of 99aa95e: withCorrections writes a participant whose answers behind a figure
 * were corrected as `<id>@<number of those corrections>`, so the release check sees them as another
 * person and refuses while 1 to minN − 1 differ. It counts corrections, not what they left: a
 * correction made on the wrong participant's form and put right again at once (male → female, then
 * female → male) leaves every answer as it was released, yet the participant stays `<id>@2` for good.
 * In a cohort that has finished (everyone has answered; nobody more will join), no later release of
 * the cohort can ever be made: the refusal's advice, wait for more people or for the group to be the
 * same again, can never come true, though the release would show exactly what the program lead
 * already has.
 */
import { describe, expect, it } from 'vitest'
import { listParticipants } from '../../server/db/repositories/participants'
import { findResponse } from '../../server/db/repositories/responses'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { releaseCohort } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { testDeps } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

describe('a correction put right again before the next release', () => {
  it('does not stop the cohort from ever being released again', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Reverted', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    for (let i = 1; i <= 30; i++) rows.push(`P${i},enrolment,demographics,sex,${i <= 12 ? 'female' : 'male'}`)
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const by = { id: researcher.user.id, name: researcher.user.name }
    const first = await releaseCohort(deps, cohort.id, by)

    // The researcher corrects P30's form instead of P29's, sees it, and puts it back.
    const p30 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P30')!
    const response = (await findResponse(deps.db, p30.id, null, 'demographics'))!
    const correct = (oldValue: string, value: string, reason: string) => correctAnswer(deps, { responseId: response.id, question: 'sex', oldValue, value, reason }, `staff:${researcher.user.id}`)
    await correct('male', 'female', 'Paper form says female')
    await correct('female', 'male', 'Wrong form: that was P29\'s paper; put back')

    // Every answer is as it was released: the same 30 people, the same answers, the same figures.
    const second = await releaseCohort(deps, cohort.id, by)
    expect(second.content.table1).toEqual(first.content.table1)
  })
})
