/**
 * Found in an adversary review of 7984678 (attendance after a withdrawal), through the restore path: `balint
 * restore` makes the withdrawals recorded in the replaced database again in the restored one
 * (`reapplyWithdrawals`, given each participant's `withdrawnAt`). The attendance rule is about the
 * day the participant withdrew; a restore must not move that day to the day of the restore, or the
 * group leader re-entering the sessions lost since the backup can mark the participant present at
 * sessions after they left, and every count (sheet, report, wide.csv) takes those marks.
 */
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../server/db/repositories/participants'
import { ApiError } from '../../server/domain/errors'
import { reapplyWithdrawals } from '../../server/domain/participation/journey'
import { addParticipants, attendanceSheet, createCohort, createStudy, recordAttendance } from '../../server/domain/staff/setup'
import { testApp } from '../helpers/app'

describe('a restore keeps the day a participant withdrew', () => {
  it('refuses a present mark at a session after the recorded withdrawal day, made after the restore', async () => {
    const { deps, db, clock } = await testApp()
    const study = await createStudy(deps, { name: 'S', timeZone: 'UTC' }, 'test')
    // Sessions on 23, 26 Feb, 2, 5, 9, 12, 16, 19 March 2026.
    const cohort = await createCohort(deps, { studyId: study.id, name: 'G', firstSession: '2026-02-23', sessions: 8 }, 'test')
    const [created] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    const p1 = (await findParticipant(db, created!.id))!

    // The database being replaced says P1 withdrew on 3 March, keeping their answers; the backup is
    // older and does not know it. The restore runs on 20 March.
    const withdrawnAt = '2026-03-03T10:00:00.000Z'
    clock.set('2026-03-20T08:00:00.000Z')
    await reapplyWithdrawals(deps, [{ participantId: p1.id, withdrawnAt, deleted: false }])

    // The leader re-enters 5 March from paper: P1 had left, they cannot have been present.
    const fifthOfMarch = cohort.groupSessions[3]!
    expect(fifthOfMarch.startsAt).toBe('2026-03-05T00:00:00.000Z')
    const refused = await recordAttendance(deps, fifthOfMarch.id, [{ participantId: p1.id, present: true }], 'test').then(
      () => null,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(ApiError)
    expect(refused).toMatchObject({ code: 'withdrawn' })

    // The participant withdrew on 3 March: that is what they, and the attendance rule, go by.
    expect((await findParticipant(db, p1.id))!.withdrawnAt).toBe(withdrawnAt)
    const sheet = await attendanceSheet(deps, cohort.id)
    const row = sheet.participants.find((p) => p.id === p1.id)!
    expect('withdrawn' in row ? row.withdrawn.on : null).toBe('2026-03-03')
  })
})
