/**
 * The audit log's CSV export (issue 17): every matching entry, not the page the viewer shows, with
 * actors named as the viewer names them (staff by name and email, participants by their code), in a
 * number of statements that does not grow with the entries.
 */
import { describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { createApp } from '../../../../server/app'
import { insertAudit } from '../../../../server/db/repositories/audit'
import type { Deps } from '../../../../server/domain/deps'
import { auditLog, auditLogCsv } from '../../../../server/domain/staff/audit-log'
import { addParticipants, createCohort, createStudy, type NewParticipant } from '../../../../server/domain/staff/setup'
import { countingStatements, testApp } from '../../../helpers/app'
import { signedInStaff } from '../../../helpers/staff'

/** A study with `count` participants, each of whom made one `consent.agree` entry, a second apart. */
async function studyWithParticipantEntries(deps: Deps, count: number) {
  const study = await createStudy(deps, { name: 'Audit study' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A', sessions: 0 }, 'test')
  const participants = await addEntries(deps, cohort.id, count)
  return { study, cohort, participants }
}

/** `count` new participants of the cohort, each with one entry that they made. */
async function addEntries(deps: Deps, cohortId: string, count: number): Promise<NewParticipant[]> {
  const participants = await addParticipants(deps, { cohortId, count }, 'test')
  const start = deps.now().getTime()
  for (const [i, p] of participants.entries()) {
    await insertAudit(deps.db, { actor: `participant:${p.id}`, action: 'consent.agree', entity: 'participant', entityId: p.id }, new Date(start + i * 1000))
  }
  return participants
}

const rowsOf = async (res: Response) => {
  expect(res.status).toBe(200)
  return parse(await res.text(), { columns: true }) as Record<string, string>[]
}

describe('the audit CSV export', () => {
  it('has every matching entry of a study with more than a page of them; the viewer still shows a page', async () => {
    const { app, deps } = await testApp()
    const { study, participants } = await studyWithParticipantEntries(deps, 600)
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const admin = await signedInStaff(deps, [], { isAdmin: true })

    const studyCsv = await rowsOf(await app.request(`/api/studies/${study.id}/audit.csv?action=consent.agree`, { headers: researcher.headers }))
    expect(studyCsv).toHaveLength(600)
    // Newest first: the last participant's entry was written last.
    expect(studyCsv.map((r) => r.entity_id)).toEqual(participants.map((p) => p.id).reverse())

    const adminCsv = await rowsOf(await app.request(`/api/audit.csv?study=${study.id}&action=consent.agree`, { headers: admin.headers }))
    expect(adminCsv).toEqual(studyCsv)

    const page = await (await app.request(`/api/studies/${study.id}/audit?action=consent.agree`, { headers: researcher.headers })).json()
    expect(page.entries).toHaveLength(500)
    expect(page.truncated).toBe(true)
    const adminPage = await (await app.request(`/api/audit?study=${study.id}&action=consent.agree`, { headers: admin.headers })).json()
    expect(adminPage.entries).toHaveLength(500)
    expect(adminPage.truncated).toBe(true)
  })

  it('names participants by their code and staff by name and email, other actors as they are', async () => {
    const { app, deps } = await testApp()
    const { study, participants } = await studyWithParticipantEntries(deps, 600)
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const at = new Date(deps.now().getTime() + 3600_000)
    await insertAudit(deps.db, { actor: `staff:${researcher.user.id}`, action: 'study.update', entity: 'study', entityId: study.id }, at)
    await insertAudit(deps.db, { actor: 'system', action: 'study.update', entity: 'study', entityId: study.id }, at)
    // A participant whose data was erased, or an id that never was: the actor as written.
    await insertAudit(deps.db, { actor: 'participant:gone', action: 'study.update', entity: 'study', entityId: study.id }, at)

    const rows = await rowsOf(await app.request(`/api/studies/${study.id}/audit.csv`, { headers: researcher.headers }))
    expect(Object.keys(rows[0]!)).toEqual(['at', 'actor', 'actor_name', 'action', 'entity', 'entity_id', 'details'])
    const codes = new Map(participants.map((p) => [`participant:${p.id}`, p.code]))
    const byParticipants = rows.filter((r) => codes.has(r.actor!))
    expect(byParticipants).toHaveLength(600)
    for (const row of byParticipants) expect(row.actor_name).toBe(codes.get(row.actor!))
    const named = Object.fromEntries(rows.filter((r) => r.action === 'study.update').map((r) => [r.actor, r.actor_name]))
    expect(named).toEqual({ [`staff:${researcher.user.id}`]: `${researcher.user.name} <${researcher.email}>`, system: 'system', 'participant:gone': 'participant:gone' })
  })

  it('reads the database in as many statements for 600 participant actors as for 6', async () => {
    const { deps } = await testApp()
    const counted = countingStatements(deps)
    const app = createApp(counted.deps)
    const { study, cohort } = await studyWithParticipantEntries(deps, 6)
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const exportCounting = async () => {
      counted.reset()
      const rows = await rowsOf(await app.request(`/api/studies/${study.id}/audit.csv?action=consent.agree`, { headers: researcher.headers }))
      return { rows: rows.length, statements: counted.count() }
    }
    const few = await exportCounting()
    expect(few.rows).toBe(6)
    await addEntries(deps, cohort.id, 594)
    const many = await exportCounting()
    expect(many).toEqual({ rows: 600, statements: few.statements })
  })
})

describe('auditLog and auditLogCsv', () => {
  it('refuse to make a CSV of a page, and a page of no whole number of entries', async () => {
    const { deps } = await testApp()
    const { study } = await studyWithParticipantEntries(deps, 3)
    const page = await auditLog(deps, study.id, {}, { limit: 2 })
    expect(page).toMatchObject({ truncated: true, entries: [{ actorName: 'P3' }, { actorName: 'P2' }] })
    expect(() => auditLogCsv(page)).toThrow(/every matching entry/)
    await expect(auditLog(deps, study.id, {}, { limit: 0 })).rejects.toThrow(RangeError)
    await expect(auditLog(deps, study.id, {}, { limit: 2.5 })).rejects.toThrow(RangeError)
  })
})
