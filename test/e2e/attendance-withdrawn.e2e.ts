/**
 * The attendance sheet of a cohort with a participant who has withdrawn, in a real browser: they are
 * listed as withdrawn, their mark from before stays, the sessions after the day they withdrew have no
 * checkbox, and saving a later session says nothing about them. Screenshots in English and Persian in
 * test-results/screenshots/.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../server/db/repositories/participants'
import { grantRole } from '../../server/db/repositories/staff'
import { withdraw } from '../../server/domain/participation/journey'
import { createStaffUser } from '../../server/domain/staff/auth'
import { addParticipants, createCohort, createStudy, recordAttendance } from '../../server/domain/staff/setup'
import { screenshot } from './helpers/browser'
import { type TestServer, useServerAndBrowser } from './helpers/server'
import { signIn, staffPassword } from './helpers/staff'

let server: TestServer
let browser: Browser
useServerAndBrowser((s, b) => ((server = s), (browser = b)))

describe('the attendance sheet after a withdrawal', () => {
  it('shows the withdrawn participant with their earlier mark and no checkbox at later sessions, and saves the others', async () => {
    const study = await createStudy(server.deps, { name: 'Attendance study', timeZone: 'UTC' }, 'test')
    const user = await createStaffUser(server.deps, { email: 'attendance.leader@example.org', name: 'Lale Leader', password: staffPassword, isAdmin: false }, 'test')
    await grantRole(server.db, { studyId: study.id, userId: user.id, role: 'researcher' }, new Date())
    // The first session is today (the default schedule), the others on later days.
    const cohort = await createCohort(server.deps, { studyId: study.id, name: 'Group 1', sessions: 4 }, 'test')
    const [p1, p2] = await addParticipants(server.deps, { cohortId: cohort.id, count: 2 }, 'test')
    const sessions = await server.db.selectFrom('group_session').select(['id', 'seq']).where('cohort_id', '=', cohort.id).orderBy('seq').execute()
    await recordAttendance(server.deps, sessions[0]!.id, [{ participantId: p1!.id, present: true }, { participantId: p2!.id, present: true }], 'test')
    // P1 withdraws today, keeping their answers.
    await withdraw(server.deps, (await findParticipant(server.db, p1!.id))!, { keepData: true })

    const context = await browser.newContext({ viewport: { width: 1100, height: 700 }, deviceScaleFactor: 1 })
    const page = await context.newPage()
    await signIn(page, server.baseUrl, 'attendance.leader@example.org')
    await page.goto(`${server.baseUrl}/cohorts/${cohort.id}/sessions`)
    const sheet = page.getByTestId('attendance')
    await sheet.waitFor()
    const row = sheet.locator('tr[data-withdrawn]')
    expect(await row.locator('th').innerText()).toMatch(/^P1\s*withdrawn /)
    // Session 1 (today, the day they withdrew) keeps its mark; sessions 2–4 are closed to them.
    expect(await page.getByLabel('P1 present at session 1').isChecked()).toBe(true)
    for (const n of [2, 3, 4]) expect(await page.getByLabel(`P1 present at session ${n}`).count()).toBe(0)
    expect(await row.getByText('P1 had withdrawn by session 2: not marked').count()).toBe(1)
    await screenshot(page, 'attendance-withdrawn')

    await page.getByLabel('P2 present at session 2').check()
    await page.getByRole('button', { name: 'Save attendance of session 2' }).click()
    await expect.poll(() => sheet.getByText('Not saved').count()).toBe(0)
    const stored = await server.db.selectFrom('attendance').select(['participant_id', 'present']).where('group_session_id', '=', sessions[1]!.id).execute()
    expect(stored).toEqual([{ participant_id: p2!.id, present: 1 }])

    await page.getByTestId('staff-language').selectOption('fa')
    await page.getByTestId('attendance').waitFor()
    await screenshot(page, 'attendance-withdrawn-fa')
    await context.close()
  })
})
