/** The rows a cohort report is computed from, read in a few queries however large the cohort. */
import { sql, type Compilable, type Kysely } from 'kysely'
import { sqliteHandle } from '../connection'
import type { Database, DataSource, WaveKind } from '../schema'

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
 * waves with `listReportForms`.) `withoutAnswers` leaves `answers` empty and `withoutScores` leaves
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
 * no object per response): entry r of each array is response r's, in no particular order.
 */
export type ReportForm = {
  request: ReportFormRequest
  participantIds: string[]
  /** Each response's instrument: the request's, or (an `otherThan` form) its own. */
  instrumentIds: string[] | null
  /** When a response submitted at a link was completed; null for one imported or from the demo (their dates are not checked). */
  linkCompletedAt: (string | null)[]
  /** The answers as stored (JSON text), when the request asked for them. */
  answers: string[] | null
  /** Per scale of the request: each response's stored score, band and whether it was prorated, all null where it has no stored score of the scale. */
  scores: { score: (number | null)[]; bandIndex: (number | null)[]; prorated: (boolean | null)[] }[]
}

/**
 * One form the cohort report reads: the completed responses to one instrument at one wave (or, with
 * `otherThan`, to every instrument of the wave but those), with the stored scores of `scales` only and
 * the answers only `withAnswers` (Cronbach's α needs them at the two waves compared, nothing else does).
 */
export type ReportFormRequest = { waveId: string; waveKind: WaveKind; scales: string[]; withAnswers: boolean } & ({ instrumentId: string } | { otherThan: string[] })

/**
 * The statement of one form: a row per response, its scores joined as columns (a left join per
 * scale), so each response, and its answers, comes once and no scale id or response id is read
 * back. Columns in order: participant_id, link_completed_at, [answers], then score, band and
 * prorated of each scale. Plain SQL of both engines. Exported for the benchmark's floor (issue 16),
 * which runs the same statements on better-sqlite3.
 */
export function reportFormQuery(db: Kysely<Database>, form: ReportFormRequest): { query: Compilable; columns: string[] } {
  const k = db as unknown as Kysely<any>
  let q = k
    .selectFrom('response as r')
    .select(['r.participant_id', sql<string | null>`case when r.source = 'link' then r.completed_at end`.as('link_completed_at')])
  const columns = ['participant_id', 'link_completed_at']
  if (form.withAnswers) {
    q = q.select('r.answers')
    columns.push('answers')
  }
  form.scales.forEach((scale, i) => {
    const s = `s${i}`
    q = q
      .leftJoin(`scale_score as ${s}`, (join) => join.onRef(`${s}.response_id`, '=', 'r.id').on(`${s}.scale_id`, '=', scale))
      .select([`${s}.score as score_${i}`, `${s}.band_index as band_${i}`, `${s}.prorated as prorated_${i}`])
    columns.push(`score_${i}`, `band_${i}`, `prorated_${i}`)
  })
  q = q.where('r.wave_id', '=', form.waveId).where('r.status', '=', 'complete')
  q = 'instrumentId' in form ? q.where('r.instrument_id', '=', form.instrumentId) : form.otherThan.length > 0 ? q.where('r.instrument_id', 'not in', form.otherThan) : q
  return { query: 'instrumentId' in form ? q : q.select('r.instrument_id'), columns: 'instrumentId' in form ? columns : [...columns, 'instrument_id'] }
}

/**
 * Engine-specific (the one place): on SQLite the statement runs on better-sqlite3 itself with rows as
 * arrays (`raw`), without Kysely's object per row, a third of the report's read at 10,000
 * participants (issue 16); on PostgreSQL, and inside a transaction, through Kysely, each row's
 * `columns` taken in order.
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

/** The completed responses of each of the cohort report's forms (see `ReportFormRequest`): one statement per form. */
export async function listReportForms(db: Kysely<Database>, requests: ReportFormRequest[]): Promise<ReportForm[]> {
  return Promise.all(
    requests.map(async (request): Promise<ReportForm> => {
      const { query, columns } = reportFormQuery(db, request)
      const rows = await rowsAsArrays(db, query, columns)
      const column = (c: number) => rows.map((row) => row[c])
      const first = request.withAnswers ? 3 : 2
      return {
        request,
        participantIds: column(0) as string[],
        instrumentIds: 'instrumentId' in request ? null : (column(columns.length - 1) as string[]),
        linkCompletedAt: column(1) as (string | null)[],
        answers: request.withAnswers ? (column(2) as string[]) : null,
        scores: request.scales.map((_, i) => ({
          score: column(first + 3 * i) as (number | null)[],
          bandIndex: column(first + 3 * i + 1) as (number | null)[],
          prorated: rows.map((row) => (row[first + 3 * i + 2] === null || row[first + 3 * i + 2] === undefined ? null : row[first + 3 * i + 2] === 1)),
        })),
      }
    }),
  )
}

/** Participants who agreed to take part (imported participants consented outside the platform). */
export async function listConsentedParticipantIds(db: Kysely<Database>, cohortId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('participant')
    .leftJoin('consent', (join) => join.onRef('consent.participant_id', '=', 'participant.id').on('consent.decision', '=', 'agree'))
    .select(['participant.id', 'participant.source', 'consent.id as consent_id'])
    .where('participant.cohort_id', '=', cohortId)
    .execute()
  return new Set(rows.filter((r) => r.consent_id !== null || r.source === 'import').map((r) => r.id))
}

/** Group sessions attended, per participant. */
export async function countAttendance(db: Kysely<Database>, cohortId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('attendance')
    .innerJoin('group_session', 'group_session.id', 'attendance.group_session_id')
    .select(['attendance.participant_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('group_session.cohort_id', '=', cohortId)
    .where('attendance.present', '=', 1)
    .groupBy('attendance.participant_id')
    .execute()
  return new Map(rows.map((r) => [r.participant_id, Number(r.n)]))
}
