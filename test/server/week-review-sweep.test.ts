/**
 * Week review: after "delete my answers", nothing of the participant is left readable in any table,
 * beyond the participant row itself, their link, their consent decision (the record that they agreed)
 * and the withdrawal's audit entries with counts. In particular, no safety job still names a deleted
 * response and its PHQ-9 item-9 flag.
 */
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { jsonRequest, testApp } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'
import { participantWithEverything } from '../helpers/withdrawal'
import { testEngine } from '../helpers/test-database'

/** SQLite's catalogue lists the tables; the PostgreSQL run skips this sweep. */
describe.skipIf(testEngine === 'postgres')('after "delete my answers"', () => {
  it('no table (safety jobs included) holds a row naming their responses, their interview, or a correction', async () => {
    const { app, deps, db } = await testApp()
    const { study, p1 } = await participantWithEverything(deps, app, 3)
    const researcher = await signedInStaff(deps, [{ studyId: study.study.id, role: 'researcher' }])
    const response = (await db.selectFrom('response').select('id').where('participant_id', '=', p1.id).executeTakeFirstOrThrow()).id
    const corrected = await app.request(`/api/responses/${response}/corrections`, { ...jsonRequest('POST', { question: 'phq9_1', oldValue: 2, value: 3, reason: 'Paper form says XYZZY-REASON' }), headers: { ...researcher.headers, 'content-type': 'application/json' } })
    expect(corrected.status).toBe(201)

    expect((await app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: false }))).status).toBe(200)

    const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'transcript_fts%'`.execute(db)).rows.map((r) => r.name)
    const needles = [response, 'XYZZY-REASON', 'afraid']
    const found: string[] = []
    for (const table of tables) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows
      for (const row of rows) {
        const s = JSON.stringify(row)
        if (needles.some((n) => s.includes(n))) found.push(`${table}: ${s.slice(0, 300)}`)
        else if (s.includes(p1.id) && !['participant', 'participant_link', 'audit_log', 'consent'].includes(table)) found.push(`${table}: ${s.slice(0, 300)}`)
      }
    }
    expect(found).toEqual([])
    const audit = (await db.selectFrom('audit_log').selectAll().execute()).filter((r) => r.entity_id === p1.id || r.details.includes(p1.id) || r.actor.includes(p1.id))
    expect(audit.map((r) => r.action).sort()).toEqual(['interview.delete', 'participant.withdraw'])
  })
})
