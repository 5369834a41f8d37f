/** The rows a cohort report is computed from, read in a few queries however large the cohort. */
import { sql, type Compilable, type ExpressionBuilder, type Kysely } from 'kysely'
import { sqliteHandle } from '../connection'
import { jsonColumns, rowsByValue, toColumns, type ColumnKind, type Columns } from '../columns.mjs'
import { readOnReaderThread, ReaderThreadStopped } from '../sqlite-reader'
import type { Database, DataSource, ParticipantStatus, WaveKind } from '../schema'
import { dataDeletionsQuery, naturalOrder, type Participant } from './participants'

export type ScoredResponse = {
  participantId: string
  /** Null for a form asked once (demographics). */
  waveId: string | null
  waveKind: WaveKind | null
  instrumentId: string
  instrumentVersion: string
  answers: Record<string, unknown>
  scores: { scale: string; score: number | null; bandIndex: number | null; prorated: boolean }[]
  /** When it was submitted, and where it came from (a link, an import, the demo). */
  completedAt: string | null
  source: DataSource
}

/**
 * Completed responses with their stored scale scores, of these participants (exports and a
 * participant's own report, a page of a few hundred at a time: one statement binds each id), ordered
 * by participant and response, each response's scores by scale id. (The cohort report reads whole
 * waves with `readReport`.) `withoutAnswers` leaves `answers` empty and `withoutScores` leaves
 * `scores` empty, for a caller that needs only the other: each is a statement and a conversion per row
 * saved.
 */
export async function listCompletedResponses(
  db: Kysely<Database>,
  of: { participantIds: string[]; withoutAnswers?: boolean; withoutScores?: boolean },
): Promise<ScoredResponse[]> {
  const ids = of.participantIds
  if (ids.length === 0) return []
  // Answers are the widest column and cost a JSON parse each: a caller that needs only scores skips them.
  const withAnswers = !of.withoutAnswers
  // Two statements, not one join: joined, each response's answers (the widest column) came once per
  // scale score, three times for the CBI.
  const [rows, scores] = await Promise.all([
    db
      .selectFrom('response')
      .leftJoin('wave', 'wave.id', 'response.wave_id')
      .select(['response.id', 'response.participant_id', 'response.wave_id', 'wave.kind', 'response.instrument_id', 'response.instrument_version', 'response.completed_at', 'response.source'])
      .$if(withAnswers, (q) => q.select('response.answers'))
      .where('response.participant_id', 'in', ids)
      .where('response.status', '=', 'complete')
      .orderBy('response.participant_id')
      .orderBy('response.id')
      .execute(),
    of.withoutScores
      ? []
      : db
          .selectFrom('scale_score')
          .innerJoin('response', 'response.id', 'scale_score.response_id')
          .select(['scale_score.response_id', 'scale_score.scale_id', 'scale_score.score', 'scale_score.band_index', 'scale_score.prorated'])
          .where('response.participant_id', 'in', ids)
          .where('response.status', '=', 'complete')
          .orderBy('scale_score.response_id')
          .orderBy('scale_score.scale_id')
          .execute(),
  ])
  const byResponse = new Map<string, ScoredResponse>()
  const list = rows.map((r) => {
    const response: ScoredResponse = {
      participantId: r.participant_id,
      waveId: r.wave_id,
      waveKind: r.kind,
      instrumentId: r.instrument_id,
      instrumentVersion: r.instrument_version,
      answers: withAnswers ? (JSON.parse((r as { answers: string }).answers) as Record<string, unknown>) : {},
      scores: [],
      completedAt: r.completed_at,
      source: r.source,
    }
    byResponse.set(r.id, response)
    return response
  })
  for (const s of scores) byResponse.get(s.response_id)?.scores.push({ scale: s.scale_id, score: s.score, bandIndex: s.band_index, prorated: s.prorated === 1 })
  return list
}

/**
 * The completed responses of one form as the cohort report reads them, column by column (issue 16:
 * no object per response, numbers in typed arrays): entry r of each column is response r's, in no
 * particular order.
 */
export type ReportForm = {
  request: ReportFormRequest
  /** Each response's participant: their row in the read's `ReportParticipants.participants` (−1 for none there). */
  participantRows: Int32Array
  /** Each response's instrument: the request's, or (an `otherThan` form) its own. */
  instrumentIds: string[] | null
  /** When a response submitted at a link was completed; null for one imported or from the demo (their dates are not checked). */
  linkCompletedAt: (string | null)[]
  /** Per item of the request's `items`: each response's answer to it where that is a number, NaN otherwise (unanswered, text). */
  items: Float64Array[]
  /**
   * Per scale of the request: each response's stored score (NaN where it has none, or where the
   * scale could not be scored), band index (−1 for none) and whether it was prorated (1, 0; −1
   * where the response has no stored score row of the scale).
   */
  scores: { score: Float64Array; bandIndex: Int32Array; prorated: Int32Array }[]
}

/**
 * One form the cohort report reads: the completed responses to one instrument at one wave (or, with
 * `otherThan`, to every instrument of the wave but those), with the stored scores of `scales` only,
 * and the answers to `items` only (Cronbach's α needs them at the two waves compared, nothing else
 * does; with none, the answers are not read).
 */
export type ReportFormRequest = { waveId: string; waveKind: WaveKind; scales: string[]; items: string[] } & ({ instrumentId: string } | { otherThan: string[] })

/**
 * The statement of one form: a row per response, its scores joined as columns (a left join per
 * scale), so each response, and its answers, comes once and no scale id or response id is read
 * back. Columns in order: participant_id, link_completed_at, [answers], then score, band and
 * prorated of each scale, [instrument_id]; `kinds` say how `toColumns` turns each (the participant id
 * into their row in the read's participants: `reportStatements`' first). Plain SQL of both engines.
 */
function reportFormQuery(db: Kysely<Database>, form: ReportFormRequest): { query: Compilable; columns: string[]; kinds: ColumnKind[] } {
  const k = db as unknown as Kysely<any>
  let q = k
    .selectFrom('response as r')
    .select(['r.participant_id', sql<string | null>`case when r.source = 'link' then r.completed_at end`.as('link_completed_at')])
  const columns = ['participant_id', 'link_completed_at']
  const kinds: ColumnKind[] = [{ kind: 'index', of: participantsStatement }, { kind: 'values' }]
  if (form.items.length > 0) {
    q = q.select('r.answers')
    columns.push('answers')
    kinds.push({ kind: 'json', keys: form.items })
  }
  form.scales.forEach((scale, i) => {
    const s = `s${i}`
    q = q
      .leftJoin(`scale_score as ${s}`, (join) => join.onRef(`${s}.response_id`, '=', 'r.id').on(`${s}.scale_id`, '=', scale))
      .select([`${s}.score as score_${i}`, `${s}.band_index as band_${i}`, `${s}.prorated as prorated_${i}`])
    columns.push(`score_${i}`, `band_${i}`, `prorated_${i}`)
    kinds.push({ kind: 'numbers' }, { kind: 'integers' }, { kind: 'integers' })
  })
  q = q.where('r.wave_id', '=', form.waveId).where('r.status', '=', 'complete')
  q = 'instrumentId' in form ? q.where('r.instrument_id', '=', form.instrumentId) : form.otherThan.length > 0 ? q.where('r.instrument_id', 'not in', form.otherThan) : q
  if ('instrumentId' in form) return { query: q, columns, kinds }
  return { query: q.select('r.instrument_id'), columns: [...columns, 'instrument_id'], kinds: [...kinds, { kind: 'values' }] }
}

/**
 * Engine-specific (the one place): on SQLite (in memory: a file's are read on its reader thread) the
 * statement runs on better-sqlite3 itself with rows as arrays (`raw`), without Kysely's object per
 * row, a third of the report's read at 10,000 participants (issue 16); on PostgreSQL, and inside a
 * transaction, through Kysely, each row's `columns` taken in order.
 */
async function rowsAsArrays(db: Kysely<Database>, query: Compilable, columns: string[]): Promise<unknown[][]> {
  const compiled = query.compile()
  const sqlite = sqliteHandle(db)
  if (sqlite) {
    // Holding Kysely's connection while reading: SQLite has one connection, and a transaction of
    // another request (a group commit of saves, a submit) may be open on it between two of its
    // awaits; read on the handle then, this would see that transaction's uncommitted rows.
    return db.connection().execute(async () => {
      // The statement is shared (connection.ts's memoizePrepare): Kysely runs the same text inside a
      // transaction and expects objects, so raw mode is set for this call only.
      const statement = sqlite.prepare(compiled.sql)
      try {
        return statement.raw(true).all(...compiled.parameters) as unknown[][]
      } finally {
        statement.raw(false)
      }
    })
  }
  const { rows } = await db.executeQuery<Record<string, unknown>>(compiled)
  return rows.map((r) => columns.map((c) => r[c]))
}

/** The index of `reportStatements`' participants statement, which every other's participant column is looked up in. */
const participantsStatement = 0

/** One statement of a report's read: its query, its columns' names in order, and how `toColumns` turns each. */
export type ReportStatement = { query: Compilable; columns: string[]; kinds: ColumnKind[] }

/**
 * Every statement a report reads with (issue 16: the benchmark's floor runs these very statements),
 * in order: the participants of the cohorts; the agreeing consents; the group sessions attended;
 * then a statement per form of `requests` (see `reportFormQuery`). Each statement after the first
 * gives its participants as their rows in the first ('index' columns), not as ids.
 */
export function reportStatements(db: Kysely<Database>, cohortIds: string[], requests: ReportFormRequest[]): ReportStatement[] {
  const participantColumns = ['id', 'cohort_id', 'code', 'status', 'source', 'created_at', 'withdrawn_at'] as const
  const byParticipant: ColumnKind = { kind: 'index', of: participantsStatement }
  return [
    {
      query: db.selectFrom('participant').select([...participantColumns]).where('cohort_id', 'in', cohortIds),
      columns: [...participantColumns],
      kinds: participantColumns.map(() => ({ kind: 'values' })),
    },
    {
      // Imported participants consented outside the platform: the participants statement's source says which (`tookPartWithConsent`).
      query: agreeingConsentsQuery(db, cohortIds),
      columns: ['participant_id'],
      kinds: [byParticipant],
    },
    {
      query: attendanceQuery(db, cohortIds),
      columns: ['participant_id', 'n'],
      kinds: [byParticipant, { kind: 'integers' }],
    },
    ...requests.map((request) => reportFormQuery(db, request)),
  ]
}

/**
 * The participants of a report's cohorts as read, in no particular order (`placeParticipants` orders
 * them): whether each agreed to take part (1; imported participants consented outside the platform)
 * and how many group sessions each attended, by the same rows.
 */
export type ReportParticipants = { participants: Participant[]; consented: Uint8Array; attended: Int32Array }

/** A report's read: its participants, and a promise per form of the request, in order, each settled as soon as its form is read. */
export type ReportRead = { participants: Promise<ReportParticipants>; forms: Promise<ReportForm>[] }

/**
 * Read a report's participants and the completed responses of each of its forms (see
 * `ReportFormRequest`), one statement each (`reportStatements`), so that the caller can work on one
 * form while the next is read. On a SQLite file the statements are read, and turned into columns
 * (but the answers, parsed here), on the database's reader thread, all in one snapshot
 * (`readOnReaderThread`, issue 16: the event loop does not wait for SQLite's 0.4 s at 10,000
 * participants); in memory,
 * inside a transaction and on PostgreSQL, through `db`, and turned into the same columns here, as
 * they are when the reader thread has stopped or cannot open the file. A rejected promise nobody
 * awaits (the caller stopped at an earlier one) does not end the process.
 */
export function readReport(db: Kysely<Database>, cohortIds: string[], requests: ReportFormRequest[]): ReportRead {
  const statements = reportStatements(db, cohortIds, requests)
  const sqlite = sqliteHandle(db)
  // The answers (JSON) come from the thread as text and are parsed here: the thread's reading is what
  // the report waits for, while this thread waits for it (issue 16: about 0.1 s less at 10,000 participants).
  const asText = (kinds: ColumnKind[]) => kinds.map((k): ColumnKind => (k.kind === 'json' ? { kind: 'values' } : k))
  const parseAnswers = (kinds: ColumnKind[], { length, columns }: Columns): Columns => ({
    length,
    columns: columns.map((column, j) => {
      const kind = kinds[j]!
      return kind.kind === 'json' ? jsonColumns(column as unknown[], kind.keys) : column
    }),
  })
  const onThread = sqlite
    ? readOnReaderThread(sqlite, statements.map((s) => ({ query: s.query.compile(), kinds: asText(s.kinds) })))?.map((read, i) => read.then((c) => parseAnswers(statements[i]!.kinds, c)))
    : undefined
  // Read here. A statement read here after the thread stopped looks its participants up in the
  // participants the caller gets (statement 0's columns, wherever they were read): read again here,
  // the participants could differ (one erased meanwhile) and every row after would be off by one.
  const columns: Promise<Columns>[] = []
  let rowOfParticipant: Promise<Map<unknown, number>> | undefined
  const here = async (i: number): Promise<Columns> => {
    const statement = statements[i]!
    if (i === participantsStatement) return toColumns(await rowsAsArrays(db, statement.query, statement.columns), statement.kinds)
    if (!rowOfParticipant) {
      rowOfParticipant = columns[participantsStatement]!.then((c) => rowsByValue(c.columns[0] as unknown[]))
      rowOfParticipant.catch(() => {}) // its failure is the participants' own, reported there
    }
    const lookup = rowOfParticipant
    const rows = await rowsAsArrays(db, statement.query, statement.columns)
    const rowOf = await lookup
    return toColumns(rows, statement.kinds, () => rowOf)
  }
  for (let i = 0; i < statements.length; i++) {
    // A reader thread that stopped, or cannot open the file, is no reason to fail the report: read here.
    columns.push(onThread ? onThread[i]!.catch((error: unknown) => (error instanceof ReaderThreadStopped ? here(i) : Promise.reject(error))) : here(i))
  }
  const participants = Promise.all(columns.slice(0, 3)).then(([p, c, a]) => reportParticipants(p!, c!, a!))
  const forms = requests.map((request, i) => columns[3 + i]!.then((c) => reportForm(request, c)))
  for (const promise of [participants, ...forms]) promise.catch(() => {})
  return { participants, forms }
}

function reportParticipants({ columns: p, length }: Columns, consents: Columns, attendance: Columns): ReportParticipants {
  const [id, cohortId, code, status, source, createdAt, withdrawnAt] = p as unknown[][]
  const participants = Array.from({ length }, (_, r): Participant => ({
    id: id![r] as string,
    cohortId: cohortId![r] as string,
    code: code![r] as string,
    status: status![r] as ParticipantStatus,
    source: source![r] as DataSource,
    createdAt: createdAt![r] as string,
    withdrawnAt: withdrawnAt![r] as string | null,
  }))
  const agreed = new Uint8Array(length)
  for (const r of consents.columns[0] as Int32Array) if (r >= 0) agreed[r] = 1
  const consented = new Uint8Array(length)
  for (let r = 0; r < length; r++) if (tookPartWithConsent(participants[r]!.source, agreed[r] === 1)) consented[r] = 1
  const attended = new Int32Array(length)
  const [who, n] = attendance.columns as [Int32Array, Int32Array]
  for (let j = 0; j < attendance.length; j++) if (who[j]! >= 0) attended[who[j]!] = n[j]!
  return { participants, consented, attended }
}

/**
 * The report's order of its participants: by cohort, in `cohortIds`' order, and within a cohort in
 * natural order of their codes (P2 before P10, as `listParticipants` gives them: the row order of
 * wide.csv, which R reads, so every sum over participants runs in the same order each time).
 * `ordered[i]` is the read row of the participant at place i, `placeOfRow[r]` the place of read row r.
 */
export function placeParticipants(participants: Participant[], cohortIds: string[]): { ordered: Int32Array; placeOfRow: Int32Array } {
  const cohortRank = new Map(cohortIds.map((id, k) => [id, k]))
  const rows = participants.map((_, r) => r)
  rows.sort((a, b) => cohortRank.get(participants[a]!.cohortId)! - cohortRank.get(participants[b]!.cohortId)! || naturalOrder(participants[a]!.code, participants[b]!.code))
  const ordered = Int32Array.from(rows)
  const placeOfRow = new Int32Array(participants.length)
  ordered.forEach((r, place) => (placeOfRow[r] = place))
  return { ordered, placeOfRow }
}

/** A form's columns (in `reportFormQuery`'s order) as a ReportForm. */
function reportForm(request: ReportFormRequest, { columns }: Columns): ReportForm {
  const first = request.items.length > 0 ? 3 : 2
  return {
    request,
    participantRows: columns[0] as Int32Array,
    instrumentIds: 'instrumentId' in request ? null : (columns.at(-1) as string[]),
    linkCompletedAt: columns[1] as (string | null)[],
    items: request.items.length > 0 ? (columns[2] as Float64Array[]) : [],
    scores: request.scales.map((_, i) => ({
      score: columns[first + 3 * i] as Float64Array,
      bandIndex: columns[first + 3 * i + 1] as Int32Array,
      prorated: columns[first + 3 * i + 2] as Int32Array,
    })),
  }
}

/**
 * The consent rule, the one place it is written (the report's funnel and `consented` column, and the
 * tracking page): a participant took part with consent when they agreed at their link (an agreeing
 * consent), or when they were imported (they consented outside the platform, on paper). `agreed`
 * also holds for a participant added with a link whose answers were imported (paper questionnaires,
 * consented on paper): see `agreeingConsentsQuery`.
 */
export function tookPartWithConsent(source: DataSource, agreed: boolean): boolean {
  return agreed || source === 'import'
}

/** The participants of a cohort with an agreeing consent (see `tookPartWithConsent` for the rule). */
export async function listAgreedParticipantIds(db: Kysely<Database>, cohortId: string): Promise<Set<string>> {
  const rows = await agreeingConsentsQuery(db, [cohortId]).execute()
  return new Set(rows.map((r) => r.participant_id))
}

/**
 * A row per agreeing consent of a participant of the cohorts, and one per participant added with a
 * link whose answers were imported and who did not decline at the link (they answered on paper, and
 * consented there: without this the funnel said "consented 0" beside a report of 12 pairs): its
 * participant's id (a participant may have several rows). Imported participants need no row (`tookPartWithConsent`), and are not looked
 * up: an import of 10,000 costs this statement nothing.
 */
function agreeingConsentsQuery(db: Kysely<Database>, cohortIds: string[]) {
  return db
    .selectFrom('consent')
    .innerJoin('participant', 'participant.id', 'consent.participant_id')
    .select('consent.participant_id')
    .where('participant.cohort_id', 'in', cohortIds)
    .where('consent.decision', '=', 'agree')
    .unionAll(
      db
        .selectFrom('participant')
        .select('participant.id as participant_id')
        .where('participant.cohort_id', 'in', cohortIds)
        .where('participant.source', '<>', 'import')
        .where((eb) => eb.exists(eb.selectFrom('response').select('response.id').whereRef('response.participant_id', '=', 'participant.id').where('response.source', '=', 'import')))
        // One who declined at their link is not taken to have consented on paper.
        .where((eb) => eb.not(eb.exists(eb.selectFrom('consent').select('consent.id').whereRef('consent.participant_id', '=', 'participant.id').where('consent.decision', '=', 'decline')))),
    )
}

/** Group sessions attended, per participant of the cohort who attended one (`countedMark` says which marks count). */
export async function countAttendance(db: Kysely<Database>, cohortId: string): Promise<Map<string, number>> {
  const rows = await attendanceQuery(db, [cohortId]).execute()
  return new Map(rows.map((r) => [r.participant_id, Number(r.n)]))
}

/**
 * Per participant of the cohorts who attended a group session of theirs: how many they attended
 * (`n`), counting the marks `countedMark` counts. Every count of sessions attended comes from here:
 * the cohort, study and pooled reports (`reportStatements`) and what is made from them (releases,
 * the pooled analysis), and wide.csv's sessions_attended (`countAttendance`).
 */
function attendanceQuery(db: Kysely<Database>, cohortIds: string[]) {
  return db
    .selectFrom('attendance')
    .innerJoin('group_session', 'group_session.id', 'attendance.group_session_id')
    .innerJoin('participant', 'participant.id', 'attendance.participant_id')
    .select(['attendance.participant_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('group_session.cohort_id', 'in', cohortIds)
    .where((eb) => countedMark(db, eb))
    .groupBy('attendance.participant_id')
}

/**
 * Whether an attendance mark counts as a session attended: the rule of the attendance sheet and of
 * saving a mark (`attendanceClosed` in server/domain/staff/setup.ts, which the sheet shows as a dash),
 * written in SQL here, once, for every count (`attendanceQuery`). A mark counts when it says present
 * and the participant could be marked present there: they have not withdrawn, or they have and their
 * data were not deleted (`dataDeletionsQuery`) and the session is on or before the day they withdrew,
 * in the study's time zone. Marks the rule leaves out were taken before it was enforced (055a5d3) and
 * stay in the table; the sheet does not list them.
 *
 * The day is compared without time zones, which SQLite lacks: a session starts at the first instant
 * of its day in the study's zone (`defaultSchedule`; migration 0180; moved with the study's zone), so
 * its day is on or before the day of the withdrawal there exactly when it starts at or before the
 * instant of the withdrawal. Both are `toISOString()` text (UTC, to the millisecond), whose text order
 * is their time order on both engines (PostgreSQL databases are collation C: db/postgres.ts). Plain
 * SQL: `participant.withdrawn_at is null or (group_session.starts_at <= participant.withdrawn_at and
 * attendance.participant_id not in (<deletions>))`; the deletions are read once per statement, and only
 * when a withdrawn participant has a mark to count.
 */
function countedMark(db: Kysely<Database>, eb: ExpressionBuilder<Database, 'attendance' | 'group_session' | 'participant'>) {
  return eb.and([
    eb('attendance.present', '=', 1),
    eb.or([
      eb('participant.withdrawn_at', 'is', null),
      eb.and([
        eb('group_session.starts_at', '<=', eb.ref('participant.withdrawn_at')),
        // `not in` a list holding a null is never true: the list has no nulls.
        eb('attendance.participant_id', 'not in', dataDeletionsQuery(db).where('audit_log.entity_id', 'is not', null).$narrowType<{ entity_id: string }>()),
      ]),
    ]),
  ])
}
