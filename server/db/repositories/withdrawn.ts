import type { Kysely } from 'kysely'
import type { Database } from '../schema'

/** A passage of a transcript, in code points (start inclusive, end exclusive). */
export type Span = { transcriptId: string; start: number; end: number }

/** A withdrawn passage as its coding holds it: where it was, the words as coded, and the transcript's text now. */
export type WithdrawnSpan = Span & { words: string; transcriptText: string }

/**
 * The passages whose participant's latest member-check answer about them is "withdraw": every
 * member check of the study's participants with its coding's span (deleted codings too) and the
 * coded words, oldest first, reduced to the latest per coding; each with its transcript's current
 * text, read once per transcript that has a withdrawn passage.
 */
export async function listWithdrawnSpans(db: Kysely<Database>, filter: { studyId: string } | { transcriptId: string }): Promise<WithdrawnSpan[]> {
  let query = db
    .selectFrom('member_check')
    .innerJoin('coding', 'coding.id', 'member_check.coding_id')
    .innerJoin('participant', 'participant.id', 'member_check.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .select(['member_check.coding_id', 'member_check.decision', 'coding.transcript_id', 'coding.start_offset', 'coding.end_offset', 'coding.text'])
    .orderBy('member_check.decided_at')
    .orderBy('member_check.id')
  query = 'studyId' in filter ? query.where('cohort.study_id', '=', filter.studyId) : query.where('coding.transcript_id', '=', filter.transcriptId)
  const latest = new Map<string, { decision: string; span: Span & { words: string } }>()
  for (const r of await query.execute()) latest.set(r.coding_id, { decision: r.decision, span: { transcriptId: r.transcript_id, start: r.start_offset, end: r.end_offset, words: r.text } })
  const spans = [...latest.values()].filter((x) => x.decision === 'withdraw').map((x) => x.span)
  if (spans.length === 0) return []
  const ids = [...new Set(spans.map((s) => s.transcriptId))]
  const texts = new Map((await db.selectFrom('transcript').select(['id', 'text']).where('id', 'in', ids).execute()).map((t) => [t.id, t.text]))
  // A transcript deleted with its participant's data takes its codings and member checks with it.
  return spans.flatMap((s) => (texts.has(s.transcriptId) ? [{ ...s, transcriptText: texts.get(s.transcriptId)! }] : []))
}
