/**
 * Rows the researcher exports need beyond the completed responses (which come from
 * report-data.ts's listCompletedResponses, a page of participants at a time).
 */
import type { Kysely } from 'kysely'
import type { Database, WaveKind } from '../schema'

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
