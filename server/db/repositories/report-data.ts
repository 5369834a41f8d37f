/** The rows a cohort report is computed from, read in a few queries however large the cohort. */
import type { Kysely } from 'kysely'
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
 * Completed responses with their stored scale scores, of these waves (the cohort report; optionally of
 * these instruments only, for a participant's own reliable change) or of these participants (exports
 * and a participant's own report, a page of a few hundred at a time: one
 * statement binds each id). A page of participants comes ordered by participant and response, each
 * response's scores by scale id; a whole wave comes in no particular order (the report groups the
 * rows by participant itself, and sorting a whole cohort's rows in SQL cost it as much as reading them).
 * `withoutAnswers` leaves `answers` empty and `withoutScores` leaves `scores` empty, for a caller that
 * needs only the other: each is a statement and a conversion per row saved.
 */
export async function listCompletedResponses(
  db: Kysely<Database>,
  of: ({ waveIds: string[]; instrumentIds?: string[] } | { participantIds: string[] }) & { withoutAnswers?: boolean; withoutScores?: boolean },
): Promise<ScoredResponse[]> {
  const ids = 'waveIds' in of ? of.waveIds : of.participantIds
  if (ids.length === 0) return []
  const byWave = 'waveIds' in of
  const column = byWave ? 'response.wave_id' : 'response.participant_id'
  const instrumentIds = byWave ? of.instrumentIds : undefined
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
      .where(column, 'in', ids)
      .$if(instrumentIds !== undefined, (q) => q.where('response.instrument_id', 'in', instrumentIds!))
      .where('response.status', '=', 'complete')
      .$if(!byWave, (q) => q.orderBy('response.participant_id').orderBy('response.id'))
      .execute(),
    of.withoutScores
      ? []
      : db
          .selectFrom('scale_score')
          .innerJoin('response', 'response.id', 'scale_score.response_id')
          .select(['scale_score.response_id', 'scale_score.scale_id', 'scale_score.score', 'scale_score.band_index', 'scale_score.prorated'])
          .where(column, 'in', ids)
          .$if(instrumentIds !== undefined, (q) => q.where('response.instrument_id', 'in', instrumentIds!))
          .where('response.status', '=', 'complete')
          .$if(!byWave, (q) => q.orderBy('scale_score.response_id').orderBy('scale_score.scale_id'))
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
