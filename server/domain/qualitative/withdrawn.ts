/**
 * Withdrawn stays withdrawn. A quotation its participant asked in member checking to be withdrawn
 * is a passage of their words, not one coding: any coding that overlaps it — another coder's of the
 * same words, or one taking them in with more around them — is withdrawn with it. Table 2, the joint
 * display and the choice of a quotation all ask here.
 */
import { listWithdrawnSpans, type Span } from '../../db/repositories/withdrawn'
import type { Deps } from '../deps'

export type WithdrawnPassages = { overlaps: (coding: Span) => boolean }

/**
 * The study's (or one transcript's) withdrawn passages.
 *
 * @example
 * const withdrawn = await loadWithdrawnPassages(deps, { studyId })
 * withdrawn.overlaps({ transcriptId, start: 10, end: 40 }) // true when any withdrawn passage shares a code point
 */
export async function loadWithdrawnPassages(deps: Pick<Deps, 'db'>, filter: { studyId: string } | { transcriptId: string }): Promise<WithdrawnPassages> {
  // By transcript: a coding is checked against its own transcript's passages, not the whole study's.
  const byTranscript = new Map<string, Span[]>()
  for (const span of await listWithdrawnSpans(deps.db, filter)) {
    const spans = byTranscript.get(span.transcriptId)
    if (spans) spans.push(span)
    else byTranscript.set(span.transcriptId, [span])
  }
  return {
    overlaps: (coding) => byTranscript.get(coding.transcriptId)?.some((s) => s.start < coding.end && coding.start < s.end) ?? false,
  }
}
