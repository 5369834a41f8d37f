import type { Kysely } from 'kysely'
import type { Database } from '../schema'

/** A passage of a transcript, in code points (start inclusive, end exclusive). */
export type Span = { transcriptId: string; start: number; end: number }

/**
 * The passages whose participant's latest member-check answer about them is "withdraw": every
 * member check of the study's participants with its coding's span, oldest first, reduced to the
 * latest per coding.
 */
export async function listWithdrawnSpans(db: Kysely<Database>, filter: { studyId: string } | { transcriptId: string }): Promise<Span[]> {
  let query = db
    .selectFrom('member_check')
    .innerJoin('coding', 'coding.id', 'member_check.coding_id')
    .innerJoin('participant', 'participant.id', 'member_check.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .select(['member_check.coding_id', 'member_check.decision', 'coding.transcript_id', 'coding.start_offset', 'coding.end_offset'])
    .orderBy('member_check.decided_at')
    .orderBy('member_check.id')
  query = 'studyId' in filter ? query.where('cohort.study_id', '=', filter.studyId) : query.where('coding.transcript_id', '=', filter.transcriptId)
  const latest = new Map<string, { decision: string; span: Span }>()
  for (const r of await query.execute()) latest.set(r.coding_id, { decision: r.decision, span: { transcriptId: r.transcript_id, start: r.start_offset, end: r.end_offset } })
  return [...latest.values()].filter((x) => x.decision === 'withdraw').map((x) => x.span)
}
