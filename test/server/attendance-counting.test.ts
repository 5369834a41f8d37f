/**
 * Attendance after a withdrawal, counted and saved (what 055a5d3 left):
 *
 * - A present mark counts as a session attended only where the participant could be marked present
 *   (`attendanceClosed`): the cohort report, wide.csv and the attendance sheet leave out marks that
 *   the server took before that rule, at sessions after the day a participant withdrew or after their
 *   data was deleted. The day is the study's, to the millisecond around its midnight.
 * - A withdrawal and an attendance save of the same participant at the same moment run one after the
 *   other. On PostgreSQL both lock the participant's row; on SQLite the one connection already makes
 *   them wait, so there these tests pass without the locks too.
 * - Saving one session's attendance reads that session's marks only, and the deletions of the
 *   withdrawn participants it is about only; the sheet reads the deletions of its withdrawn only.
 */
import { parse } from 'csv-parse/sync'
import { sql, type AliasNode, type Kysely, type KyselyPlugin, type QueryId, type RootOperationNode, type TableNode } from 'kysely'
import { describe, expect, it } from 'vitest'
import { findParticipant, type Participant } from '../../server/db/repositories/participants'
import { listGroupSessions, type GroupSession } from '../../server/db/repositories/studies'
import type { Database } from '../../server/db/schema'
import type { Deps } from '../../server/domain/deps'
import { exportFiles } from '../../server/domain/outcomes/exports'
import { cohortReport } from '../../server/domain/outcomes/report'
import { withdraw } from '../../server/domain/participation/journey'
import { addParticipants, attendanceSheet, createCohort, createStudy, recordAttendance } from '../../server/domain/staff/setup'
import { testApp } from '../helpers/app'
import { readExport, smallCohort } from '../helpers/export-cohort'
import { testEngine } from '../helpers/test-database'

/** wide.csv's sessions_attended, by participant code. */
async function sessionsAttended(deps: Deps, cohortId: string): Promise<Record<string, string>> {
  const wide = (await exportFiles(deps, cohortId)).find((f) => f.name === 'wide.csv')!
  return Object.fromEntries((parse(await readExport(wide), { columns: true }) as Record<string, string>[]).map((r) => [r.participant, r.sessions_attended]))
}

/** Marks written straight into the table, as the server took them before 055a5d3 refused them. */
async function oldMarks(db: Kysely<Database>, marks: { session: GroupSession; participant: { id: string } }[]): Promise<void> {
  await db
    .insertInto('attendance')
    .values(marks.map((m) => ({ group_session_id: m.session.id, participant_id: m.participant.id, present: 1, recorded_at: '2026-03-20T10:00:00.000Z' })))
    .execute()
}

describe('sessions attended after a withdrawal', () => {
  it('counts a present mark only at a session the participant could be marked present at: report, wide.csv and the sheet', async () => {
    const { deps, db } = await testApp()
    // P1 present at sessions 1 and 2, P2 at 1; P3 withdrew keeping their answers and P4 deleting them,
    // both at the clock's 2 March 09:00, the day of session 1 (sessions on 2, 5, 9 … March).
    const { cohort, byCode } = await smallCohort(deps)
    const sessions = await listGroupSessions(db, cohort.id)
    // P1 withdraws too: their mark at session 2 (5 March) was made before, for a later day.
    await withdraw(deps, byCode('P1'), { keepData: true })
    await oldMarks(db, [
      { session: sessions[2]!, participant: byCode('P1') },
      { session: sessions[0]!, participant: byCode('P3') },
      { session: sessions[3]!, participant: byCode('P3') },
      { session: sessions[0]!, participant: byCode('P4') },
    ])

    expect(await sessionsAttended(deps, cohort.id)).toEqual({ P1: '1', P2: '1', P3: '1', P4: '0', P10: '0', P11: '0' })
    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    expect(Object.fromEntries(report.participants.map((p) => [p.code, p.attended]))).toEqual({ P1: 1, P2: 1, P3: 1, P10: 0 })
    // The sheet shows a dash where a session is closed, and counts what it lists: the closed sessions' marks are not listed.
    const sheet = await attendanceSheet(deps, cohort.id)
    const codeOf = new Map(sheet.participants.map((p) => [p.id, p.code]))
    const seqOf = new Map(sessions.map((s) => [s.id, s.seq]))
    expect(sheet.attendance.map((a) => `${seqOf.get(a.groupSessionId)} ${codeOf.get(a.participantId)} ${a.present}`).sort()).toEqual(['1 P1 true', '1 P2 true', '1 P3 true', '2 P2 false'])
  })

  it("follows the sheet's closed sessions in the study's time zone, to the millisecond around midnight and across a change of clock", async () => {
    const { deps, db, clock } = await testApp()
    // Withdrawals one millisecond before and at the start of a session's day there. Compared as UTC
    // days instead, the first of each pair would count one session more.
    const zones = {
      // Sessions on 23, 26 Feb, 2, 5, 9 … March; clocks go forward on 8 March (EST -5, then EDT -4).
      'America/New_York': [
        { withdrawnAt: '2026-03-05T04:59:59.999Z', attended: 3 },
        { withdrawnAt: '2026-03-05T05:00:00.000Z', attended: 4 },
        { withdrawnAt: '2026-03-09T03:59:59.999Z', attended: 4 },
        { withdrawnAt: '2026-03-09T04:00:00.000Z', attended: 5 },
      ],
      // +03:30: session 3, on 2 March, starts on 1 March at 20:30 UTC.
      'Asia/Tehran': [
        { withdrawnAt: '2026-03-01T20:29:59.999Z', attended: 2 },
        { withdrawnAt: '2026-03-01T20:30:00.000Z', attended: 3 },
      ],
    }
    for (const [timeZone, withdrawals] of Object.entries(zones)) {
      const study = await createStudy(deps, { name: timeZone, timeZone }, 'test')
      const cohort = await createCohort(deps, { studyId: study.id, name: 'G', firstSession: '2026-02-23', sessions: 8 }, 'test')
      if (timeZone === 'America/New_York') expect([cohort.groupSessions[3]!.startsAt, cohort.groupSessions[4]!.startsAt]).toEqual(['2026-03-05T05:00:00.000Z', '2026-03-09T04:00:00.000Z'])
      else expect(cohort.groupSessions[2]!.startsAt).toBe('2026-03-01T20:30:00.000Z')
      // One per withdrawal, one who stays, and one who withdraws deleting their data.
      const created = await addParticipants(deps, { cohortId: cohort.id, count: withdrawals.length + 2 }, 'test')
      const participants = await Promise.all(created.map(async (p) => (await findParticipant(db, p.id))!))
      for (const [i, w] of withdrawals.entries()) {
        clock.set(w.withdrawnAt)
        await withdraw(deps, participants[i]!, { keepData: true })
      }
      clock.set('2026-03-10T12:00:00.000Z')
      await withdraw(deps, participants.at(-1)!, { keepData: false })
      await oldMarks(db, cohort.groupSessions.flatMap((session) => participants.map((participant) => ({ session, participant }))))

      const attended = await sessionsAttended(deps, cohort.id)
      expect(participants.map((p) => Number(attended[p.code]))).toEqual([...withdrawals.map((w) => w.attended), 8, 0])
      const sheet = await attendanceSheet(deps, cohort.id)
      expect(sheet.participants.map((p) => Number(attended[p.code]))).toEqual(sheet.participants.map((p) => 8 - ('withdrawn' in p ? p.withdrawn.closedSessions.length : 0)))
    }
  })
})

/** A cohort of three in a study in UTC, with 8 sessions from Monday 23 February 2026 (23, 26 Feb, 2, 5 … 19 Mar): none has withdrawn yet. */
async function cohortOfThree() {
  const { deps, db } = await testApp()
  const study = await createStudy(deps, { name: 'S', timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'G', firstSession: '2026-02-23', sessions: 8 }, 'test')
  const created = await addParticipants(deps, { cohortId: cohort.id, count: 3 }, 'test')
  const participants = await Promise.all(created.map(async (p) => (await findParticipant(db, p.id))!))
  const stored = async (session: GroupSession) =>
    (await db.selectFrom('attendance').select(['participant_id', 'present']).where('group_session_id', '=', session.id).execute()).map((m) => `${participants.find((p) => p.id === m.participant_id)!.code} ${m.present}`).sort()
  return { deps, db, study, cohort, sessions: cohort.groupSessions, participants: participants as [Participant, Participant, Participant], stored }
}

/**
 * `deps` over the same database that add to `values` every value of every row a statement returns,
 * to see what a piece of work reads.
 */
function recordingReads<D extends Deps>(deps: D): { deps: D; values: unknown[] } {
  const values: unknown[] = []
  const recording: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      for (const row of args.result.rows) values.push(...Object.values(row as object))
      return args.result
    },
  }
  return { deps: { ...deps, db: deps.db.withPlugin(recording) }, values }
}

describe('what an attendance save and the sheet read', () => {
  it("reads one session's marks, the participants it marks, and the deletions of its withdrawn participants only", async () => {
    const { deps, study, cohort, sessions, participants, stored } = await cohortOfThree()
    const [p1, p2, p3] = participants
    for (const session of sessions.slice(0, 2)) await recordAttendance(deps, session.id, participants.map((p) => ({ participantId: p.id, present: true })), 'test')
    // P1 withdraws on 2 March keeping their answers; in another cohort, Q1 withdraws deleting theirs.
    await withdraw(deps, p1, { keepData: true })
    const other = await createCohort(deps, { studyId: study.id, name: 'H', firstSession: '2026-02-23', sessions: 8 }, 'test')
    const [q1] = await addParticipants(deps, { cohortId: other.id, count: 1 }, 'test')
    await withdraw(deps, (await findParticipant(deps.db, q1!.id))!, { keepData: false })

    const save = recordingReads(deps)
    await recordAttendance(save.deps, sessions[3]!.id, [{ participantId: p1.id, present: false }, { participantId: p2.id, present: true }], 'test')
    expect(await stored(sessions[3]!)).toEqual(['P2 1'])
    const otherSessions = sessions.filter((s) => s.id !== sessions[3]!.id).map((s) => s.id)
    expect(save.values.filter((v) => [q1!.id, p3.id, ...otherSessions].includes(v as string))).toEqual([])

    const sheet = recordingReads(deps)
    expect((await attendanceSheet(sheet.deps, cohort.id)).participants).toHaveLength(3)
    expect(sheet.values).not.toContain(q1!.id)
  })
})

/** The table a statement reads first or writes: its first FROM, or the table it updates or inserts into. */
function tableOf(node: RootOperationNode): string | undefined {
  const target = node.kind === 'SelectQueryNode' || node.kind === 'DeleteQueryNode' ? node.from?.froms[0] : node.kind === 'UpdateQueryNode' ? node.table : node.kind === 'InsertQueryNode' ? node.into : undefined
  const table = target?.kind === 'AliasNode' ? (target as AliasNode).node : target
  return table?.kind === 'TableNode' ? (table as TableNode).table.identifier.name : undefined
}

/** A statement of this kind on this table. */
const statement =
  (kind: 'SelectQueryNode' | 'UpdateQueryNode' | 'DeleteQueryNode', table: keyof Database) =>
  (node: RootOperationNode): boolean =>
    node.kind === kind && tableOf(node) === table

/**
 * `deps` over the same database whose first transaction to run a statement that `pauseAfter` picks
 * stops there, once it has run, holding what it did (its locks too) until `release()`; `reached`
 * settles when it gets there. The transactions are `deps.db`'s own (serialisable and retried on
 * PostgreSQL), each seen through a plugin.
 */
function pausing<D extends Deps>(deps: D, pauseAfter: (node: RootOperationNode) => boolean) {
  let reach!: () => void
  let release!: () => void
  const reached = new Promise<void>((resolve) => (reach = resolve))
  const released = new Promise<void>((resolve) => (release = resolve))
  const pauseAt = new WeakSet<QueryId>()
  let paused = false
  const plugin: KyselyPlugin = {
    transformQuery: ({ node, queryId }) => {
      if (!paused && pauseAfter(node)) {
        paused = true
        pauseAt.add(queryId)
      }
      return node
    },
    transformResult: async ({ queryId, result }) => {
      if (pauseAt.has(queryId)) {
        reach()
        await released
      }
      return result
    },
  }
  const db = new Proxy(deps.db, {
    get(target, property) {
      if (property === 'transaction')
        return () => {
          const builder = target.transaction()
          return new Proxy(builder, {
            get: (b, p) => (p === 'execute' ? (work: Parameters<typeof b.execute>[0]) => b.execute((trx) => work(trx.withPlugin(plugin))) : Reflect.get(b, p, b)),
          })
        }
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { deps: { ...deps, db }, reached, release }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A promise and whether it has settled; its rejection is handled (the test awaits it later). */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false
  promise.then(
    () => (done = true),
    () => (done = true),
  )
  return { promise, settled: () => done }
}

/**
 * Whether work still runs once it must be waiting: on PostgreSQL, as soon as a transaction of this
 * database is seen waiting for a lock (or the work has finished); on SQLite, after 200 ms (a
 * transaction waits for the one connection, which nothing here can see).
 */
async function stillWaiting(db: Kysely<Database>, work: { settled: () => boolean }): Promise<boolean> {
  if (testEngine === 'sqlite') {
    await sleep(200)
    return !work.settled()
  }
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && !work.settled(); await sleep(20)) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db)
    if (rows[0]!.n > 0) break
  }
  return !work.settled()
}

describe('a withdrawal and an attendance save at the same moment', () => {
  // The withdrawal paused as it writes the status, and earlier, once it has begun (it deletes the
  // contact details before it writes the status).
  it.each([
    ['being written', statement('UpdateQueryNode', 'participant')],
    ['that has begun but not yet marked them withdrawn', statement('DeleteQueryNode', 'participant_contact')],
  ])('an attendance save waits for a withdrawal %s, then is refused', async (_, pauseAt) => {
    const { deps, db, sessions, participants, stored } = await cohortOfThree()
    const [p1] = participants
    const withdrawal = pausing(deps, pauseAt)
    const withdrawn = withdraw(withdrawal.deps, p1, { keepData: true })
    await withdrawal.reached

    // Session 4 is on 5 March, after the withdrawal on 2 March.
    const save = watched(recordAttendance(deps, sessions[3]!.id, [{ participantId: p1.id, present: true }], 'test'))
    expect(await stillWaiting(db, save)).toBe(true)
    withdrawal.release()
    await withdrawn
    await expect(save.promise).rejects.toMatchObject({ code: 'withdrawn' })
    expect(await stored(sessions[3]!)).toEqual([])
  })

  it('a withdrawal waits for an attendance save that has read the participant, which is written first', async () => {
    const { deps, db, cohort, sessions, participants, stored } = await cohortOfThree()
    const [p1] = participants
    const attendance = pausing(deps, statement('SelectQueryNode', 'participant'))
    const save = recordAttendance(attendance.deps, sessions[3]!.id, [{ participantId: p1.id, present: true }], 'test')
    await attendance.reached

    const withdrawn = watched(withdraw(deps, p1, { keepData: true }))
    expect(await stillWaiting(db, withdrawn)).toBe(true)
    attendance.release()
    await save
    expect((await withdrawn.promise).withdrawnAt).toBe('2026-03-02T09:00:00.000Z')
    // Marked before the withdrawal, for a later day: kept, and not counted.
    expect(await stored(sessions[3]!)).toEqual(['P1 1'])
    expect((await sessionsAttended(deps, cohort.id)).P1).toBe('0')
  })
})
