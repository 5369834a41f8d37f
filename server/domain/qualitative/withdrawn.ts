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
export async function loadWithdrawnPassages(deps: Deps, filter: { studyId: string } | { transcriptId: string }): Promise<WithdrawnPassages> {
  const spans = await listWithdrawnSpans(deps.db, filter)
  return {
    overlaps: (coding) => spans.some((s) => s.transcriptId === coding.transcriptId && s.start < coding.end && coding.start < s.end),
  }
}
