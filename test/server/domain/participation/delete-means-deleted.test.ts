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
import { createCode } from '../../../../server/domain/qualitative/codebook'
import { addCodings } from '../../../../server/domain/qualitative/coding'
import { createCohort, createStudy, setWave } from '../../../../server/domain/staff/setup'
import { jsonRequest, shippedInstruments, testApp, testClock } from '../../../helpers/app'
import { codingStudy, spanOf } from '../../../helpers/qualitative'
import { testEngine } from '../../../helpers/test-database'

const words = 'I was afraid the head of department would read this. '

/** P1 consents, completes PHQ-9 with item 9 above 0 (a safety flag), is interviewed, coded, and comments on a quotation. */
async function participantWithEverything(deps: Deps, app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }) {
  const text = `Interviewer: How was it?\nP1: ${words.repeat(200)}`
  const study = await codingStudy(deps, [text])
  await setWave(deps, { cohortId: study.cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  const p1 = study.participants[0]!
  expect((await app.request(`/api/p/${p1.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
  const phq = Object.fromEntries([2, 2, 2, 2, 2, 1, 1, 1, 1].map((v, i) => [`phq9_${i + 1}`, v]))
  expect((await app.request(`/api/p/${p1.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: phq, clientId: 'submit-0001' }))).status).toBe(200)
  const code = await createCode(deps, study.study.id, { level: 'code', name: 'Fear of officials' }, `staff:${study.coderA.id}`)
  await addCodings(deps, study.transcripts[0]!, study.coderA.id, { codeIds: [code.id], ...spanOf(text, words.trim()) })
  return { study, p1 }
}

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
