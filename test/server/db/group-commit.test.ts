/**
 * Group commit (server/db/group-commit.ts): work arriving together shares a transaction on SQLite,
 * yet each piece runs as if alone. On PostgreSQL each is its own transaction; the same behaviour holds,
 * except that the order is some serial order rather than the order of arrival.
 */
import { CompiledQuery, type Kysely } from 'kysely'
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../../server/db/connection'
import { inGroupCommit, maxGroupCommitBatch } from '../../../server/db/group-commit'
import { migrateToLatest } from '../../../server/db/migrate'
import type { Database as Schema } from '../../../server/db/schema'
import { freshTestDatabase, testEngine } from '../../helpers/test-database'
import { readReport } from '../../../server/db/repositories/report-data'
import { insertResponse } from '../../../server/db/repositories/responses'
import { loadInstruments, shippedInstrumentsFolder } from '../../../server/domain/instruments/registry'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'

const opened: Kysely<Schema>[] = []
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy()
})

async function database() {
  const db = await freshTestDatabase()
  opened.push(db)
  return db
}

const audit = (id: string) => ({ id, actor: 'test', action: 'test.write', entity: 'test', entity_id: id, details: '{}', at: '2026-11-30T00:00:00.000Z' })
const ids = async (db: Kysely<Schema>) => (await db.selectFrom('audit_log').select('id').where('action', '=', 'test.write').orderBy('id').execute()).map((r) => r.id)

describe('group commit', () => {
  it('keeps the writes of every piece of work that succeeds, and nothing of one that throws, when they arrive together', async () => {
    const db = await database()
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((id) =>
        inGroupCommit(db, async (trx) => {
          await trx.insertInto('audit_log').values(audit(id)).execute()
          if (id === 'b') throw new Error('b refused after writing')
          return id
        }),
      ),
    )
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('b refused after writing')
    expect(await ids(db)).toEqual(['a', 'c', 'd'])
  })

  // PostgreSQL runs them as concurrent serialisable transactions: some serial order, not arrival order.
  it.skipIf(testEngine === 'postgres')('runs the pieces one after the other in arrival order, each seeing the writes of those before it', async () => {
    const db = await database()
    const seen = await Promise.all(
      [1, 2, 3].map((n) =>
        inGroupCommit(db, async (trx) => {
          const before = await ids(trx)
          await trx.insertInto('audit_log').values(audit(`w${n}`)).execute()
          return before
        }),
      ),
    )
    expect(seen).toEqual([[], ['w1'], ['w1', 'w2']])
  })

  it(`takes more than ${maxGroupCommitBatch} pieces arriving at once in several transactions, losing none`, async () => {
    const db = await database()
    const count = maxGroupCommitBatch * 2 + 5
    const written = await Promise.all(Array.from({ length: count }, (_, i) => inGroupCommit(db, (trx) => trx.insertInto('audit_log').values(audit(`n${String(i).padStart(4, '0')}`)).execute().then(() => i))))
    expect(written).toEqual(Array.from({ length: count }, (_, i) => i))
    expect((await ids(db)).length).toBe(count)
  })
})

describe.skipIf(testEngine === 'postgres')('group commit on a SQLite file', () => {
  it('answers only once the batch is committed: another connection already sees every write when the promises resolve', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'balint-group-')), 'balint.sqlite')
    const db = openDatabase(path)
    await migrateToLatest(db)
    const other = new Database(path, { readonly: true })
    const visibleAtResolution: number[] = []
    const count = (): number => (other.prepare(`select count(*) as n from audit_log where action = 'test.write'`).get() as { n: number }).n
    await Promise.all(['x', 'y', 'z'].map((id) => inGroupCommit(db, (trx) => trx.insertInto('audit_log').values(audit(id)).execute()).then(() => visibleAtResolution.push(count()))))
    expect(visibleAtResolution).toEqual([3, 3, 3])
    other.close()
    await closeDatabase(db)
  })

  it('runs each piece again alone when the shared transaction cannot commit: only the one that cannot be stored fails', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'balint-group-')), 'balint.sqlite')
    const db = openDatabase(path)
    await migrateToLatest(db)
    // A deferred foreign-key violation is checked at COMMIT: the whole batch then fails.
    await db.executeQuery(CompiledQuery.raw('pragma defer_foreign_keys = on'))
    const results = await Promise.allSettled([
      inGroupCommit(db, (trx) => trx.insertInto('audit_log').values(audit('fine')).execute()),
      inGroupCommit(db, async (trx) => {
        await trx.executeQuery(CompiledQuery.raw('pragma defer_foreign_keys = on'))
        await trx.executeQuery(CompiledQuery.raw(`insert into response_answer (response_id, question, value, answered_at, device_id, received_at) values ('no such response', 'q', '1', 'a', 'd', 'r')`))
      }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected'])
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/)
    expect(await ids(db)).toEqual(['fine'])
    // The connection is usable afterwards.
    await inGroupCommit(db, (trx) => trx.insertInto('audit_log').values(audit('after')).execute())
    expect(await ids(db)).toEqual(['after', 'fine'])
    await closeDatabase(db)
  })
})

describe.skipIf(testEngine === 'postgres')("the cohort report's reads on SQLite (a file's on its reader thread, in memory on SQLite's own handle)", () => {
  it.each(['a file', 'memory'])('never see the rows of a transaction still open on the connection (a save rolled back later is never read): %s', async (where) => {
    const path = where === 'memory' ? ':memory:' : join(mkdtempSync(join(tmpdir(), 'balint-dirty-')), 'balint.sqlite')
    const db = openDatabase(path)
    await migrateToLatest(db)
    const deps = { db, instruments: loadInstruments([shippedInstrumentsFolder]), now: () => new Date('2026-03-02T09:00:00.000Z') }
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'C' }, 'test')
    const wave = await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
    const [participant] = await addParticipants(deps, { cohortId: cohort.id, count: 1 }, 'test')
    const request = { waveId: wave.id, waveKind: 'pre' as const, scales: ['total'], items: ['phq9_1'], instrumentId: 'phq-9' }

    let inserted!: () => void
    const insertedNow = new Promise<void>((resolve) => (inserted = resolve))
    const saving = inGroupCommit(db, async (trx) => {
      await insertResponse(trx, { participantId: participant!.id, waveId: wave.id, instrumentId: 'phq-9', instrumentVersion: '1.0.0', answers: { phq9_1: 1 }, status: 'complete', revision: 1, clientId: null, source: 'link', completedAt: '2026-03-02T09:00:00.000Z' }, deps.now())
      inserted()
      await new Promise((resolve) => setTimeout(resolve, 50))
      throw new Error('refused after writing')
    })
    await insertedNow
    // Expected before the read is awaited: a read on the reader thread does not wait for the
    // connection, and the save's rejection must not go unhandled meanwhile.
    const refused = expect(saving).rejects.toThrow('refused after writing')
    const read = readReport(db, [cohort.id], [request])
    const [form] = await Promise.all(read.forms)
    await refused
    expect(form!.participantRows).toEqual(new Int32Array(0))
    expect((await read.participants).participants.map((p) => p.id)).toEqual([participant!.id])
    await closeDatabase(db)
  })
})
