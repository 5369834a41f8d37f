/**
 * Delete means deleted: "delete my answers" leaves in the audit log only the fact of the withdrawal
 * (with counts of what went), no safety flag, score or words; and the deleted words are not left
 * readable in the SQLite file's free pages or its write-ahead log.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../server/db/connection'
import { migrateToLatest } from '../../../../server/db/migrate'
import { findParticipant } from '../../../../server/db/repositories/participants'
import type { Deps } from '../../../../server/domain/deps'
import { withdraw } from '../../../../server/domain/participation/journey'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { jsonRequest, shippedInstruments, testApp, testClock } from '../../../helpers/app'
import { interviewWords, participantWithEverything } from '../../../helpers/withdrawal'
import { testEngine } from '../../../helpers/test-database'

const words = interviewWords

describe('the audit log after "delete my answers"', () => {
  it('keeps only the withdrawal and the counts of what was deleted: no safety flag, no completed forms, no codings', async () => {
    const { app, deps, db } = await testApp()
    const { p1 } = await participantWithEverything(deps, app)
    const about = async () => (await db.selectFrom('audit_log').selectAll().orderBy('at').orderBy('id').execute()).filter((r) => r.actor === `participant:${p1.id}` || [p1.id].includes(r.entity_id ?? '') || r.action.startsWith('response.') || r.action.startsWith('coding.') || r.action.startsWith('interview.') || r.action.startsWith('transcript.') || r.details.includes(p1.id))
    expect((await about()).map((r) => r.action)).toEqual(expect.arrayContaining(['consent.agree', 'response.flagged', 'response.complete', 'interview.start', 'transcript.upload', 'coding.add']))

    const res = await app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: false }))
    expect(res.status).toBe(200)
    const left = await about()
    expect(left.map((r) => r.action)).toEqual(['interview.delete', 'participant.withdraw'])
    expect(JSON.parse(left[1]!.details)).toEqual({ keepData: false, deletedResponses: 1 })
    expect(JSON.stringify(await db.selectFrom('audit_log').selectAll().execute())).not.toMatch(/phq9-item9|afraid/)
  })

  it('keeps every entry when the participant withdraws keeping their answers', async () => {
    const { app, deps, db } = await testApp()
    const { p1 } = await participantWithEverything(deps, app)
    const before = await db.selectFrom('audit_log').selectAll().execute()
    expect((await app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: true }))).status).toBe(200)
    const after = await db.selectFrom('audit_log').selectAll().execute()
    expect(after.slice(0, before.length)).toEqual(before)
    expect(after.slice(before.length).map((r) => r.action)).toEqual(['participant.withdraw'])
  })

  it('still refuses to change or remove any other audit entry', async () => {
    const { db, deps } = await testApp()
    await createStudy(deps, { name: 'S' }, 'test')
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/)
    await expect(db.updateTable('audit_log').set({ details: '{}' }).execute()).rejects.toThrow(/append-only/)
  })
})

/** Skipped in the PostgreSQL run: SQLite's file, free pages and WAL (secure_delete); PostgreSQL reclaims deleted rows by vacuum. */
describe.skipIf(testEngine === 'postgres')('the database file after "delete my answers"', () => {
  let folder: string | undefined
  afterEach(() => {
    if (folder) rmSync(folder, { recursive: true, force: true })
  })

  it('holds the deleted words nowhere: not in free pages, not in the write-ahead log', async () => {
    folder = mkdtempSync(join(tmpdir(), 'balint-delete-'))
    const path = join(folder, 'balint.sqlite')
    const db = openDatabase(path)
    await migrateToLatest(db)
    const clock = testClock()
    const deps: Deps = { db, instruments: shippedInstruments(), now: clock.now }
    const { createApp } = await import('../../../../server/app')
    const app = createApp(deps)
    const { p1 } = await participantWithEverything(deps, app)
    // Another participant's study, so the file holds more than the deleted rows.
    const other = await createStudy(deps, { name: 'Other' }, 'test')
    await createCohort(deps, { studyId: other.id, name: 'Other group' }, 'test')

    const bytes = () => Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)])
    expect(bytes().includes(Buffer.from('head of department'))).toBe(true)
    await withdraw(deps, (await findParticipant(db, p1.id))!, { keepData: false })
    expect(bytes().includes(Buffer.from('head of department'))).toBe(false)
    await db.destroy()
  })
})
