/**
 * The message runner's every look asks for the deliveries still "sending"
 * (`listInterruptedDeliveries`); migration 0220 gives it a partial index, so the look reads the few
 * rows in flight, not every delivery the study ever made. SQLite's plan names the index it uses;
 * PostgreSQL chooses by its statistics, so its plan is not asserted. The statement names 'sending' as a
 * literal, so the plan is the one chosen at prepare time, before any value is bound.
 */
import { describe, expect, it } from 'vitest'
import { sqliteHandle } from '../../../server/db/connection'
import { listInterruptedDeliveries } from '../../../server/db/repositories/messaging'
import { freshTestDatabase, testEngine } from '../../helpers/test-database'

describe.skipIf(testEngine !== 'sqlite')('the deliveries still sending (migration 0220)', () => {
  it('are found through the partial index, not by reading every delivery', async () => {
    const db = await freshTestDatabase()
    const sqlite = sqliteHandle(db)!
    const statements: string[] = []
    const prepare = sqlite.prepare.bind(sqlite)
    sqlite.prepare = ((source: string) => {
      statements.push(source)
      return prepare(source)
    }) as typeof sqlite.prepare
    expect(await listInterruptedDeliveries(db)).toEqual([])
    sqlite.prepare = prepare
    const look = statements.find((s) => /from "message_delivery"/.test(s))
    expect(look).toBeDefined()
    const plan = sqlite.prepare(`explain query plan ${look}`).all('running').map((row) => (row as { detail: string }).detail)
    expect(plan.join('\n')).toMatch(/(SEARCH|SCAN) d USING INDEX message_delivery_sending_idx/)
    expect(plan.join('\n')).not.toMatch(/SCAN d( |$)(?!USING)/m)
    await db.destroy()
  })
})
