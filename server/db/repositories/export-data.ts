/**
 * The rows the researcher exports are written from. Exports read a page of participants at a time,
 * so a study of any size is written in bounded memory.
 */
import type { Kysely } from 'kysely'
import type { Database, WaveKind } from '../schema'

export type ExportScore = { scale: string; score: number | null; bandIndex: number | null; prorated: boolean }

/** A completed response with its wave's kind (null: a form asked once) and its stored scale scores. */
export type ExportResponse = {
  participantId: string
  waveKind: WaveKind | null
  instrumentId: string
  instrumentVersion: string
  answers: Record<string, unknown>
  scores: ExportScore[]
}

/** Completed responses of these participants (at most a few hundred per call: one statement binds each id). */
export async function listCompletedResponsesOf(db: Kysely<Database>, participantIds: string[]): Promise<ExportResponse[]> {
  if (participantIds.length === 0) return []
  const rows = await db
    .selectFrom('response')
    .leftJoin('wave', 'wave.id', 'response.wave_id')
    .leftJoin('scale_score', 'scale_score.response_id', 'response.id')
    .select([
      'response.id',
      'response.participant_id',
      'wave.kind',
      'response.instrument_id',
      'response.instrument_version',
      'response.answers',
      'scale_score.scale_id',
      'scale_score.score',
      'scale_score.band_index',
      'scale_score.prorated',
    ])
    .where('response.participant_id', 'in', participantIds)
    .where('response.status', '=', 'complete')
    .orderBy('response.participant_id')
    .orderBy('response.id')
    .execute()
  const byResponse = new Map<string, ExportResponse>()
  for (const r of rows) {
    let response = byResponse.get(r.id)
    if (!response) {
      response = {
        participantId: r.participant_id,
        waveKind: r.kind,
        instrumentId: r.instrument_id,
        instrumentVersion: r.instrument_version,
        answers: JSON.parse(r.answers) as Record<string, unknown>,
        scores: [],
      }
      byResponse.set(r.id, response)
    }
    if (r.scale_id !== null) response.scores.push({ scale: r.scale_id, score: r.score, bandIndex: r.band_index, prorated: r.prorated === 1 })
  }
  return [...byResponse.values()]
}

/** Which versions of which instruments the cohort's completed responses were given in, per wave (null: asked once). */
export async function listResponseVersions(db: Kysely<Database>, cohortId: string): Promise<{ waveKind: WaveKind | null; instrumentId: string; instrumentVersion: string }[]> {
  const rows = await db
    .selectFrom('response')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .leftJoin('wave', 'wave.id', 'response.wave_id')
    .select(['wave.kind', 'response.instrument_id', 'response.instrument_version'])
    .distinct()
    .where('participant.cohort_id', '=', cohortId)
    .where('response.status', '=', 'complete')
    .orderBy('response.instrument_id')
    .orderBy('response.instrument_version')
    .execute()
  return rows.map((r) => ({ waveKind: r.kind, instrumentId: r.instrument_id, instrumentVersion: r.instrument_version }))
}
