/**
 * The qualitative side's shared vocabulary: the codebook (theme → category → code), transcripts and
 * the codings of their passages. Plain data, so the analyses (agreement, saturation, Table 2, the
 * REFI-QDA exchange files) are pure functions over it.
 *
 * Offsets are in Unicode code points of the transcript's plain text (not JavaScript's UTF-16 units),
 * start inclusive and end exclusive, so that MAXQDA, NVivo, ATLAS.ti and QualCoder, which count
 * characters, find the same passage. `[...text].slice(start, end).join('')` is the coded text.
 */

export type CodeLevel = 'theme' | 'category' | 'code'

export type CodeNode = {
  id: string
  parentId: string | null
  level: CodeLevel
  name: string
  description: string | null
  /** `#rrggbb`, written to REFI-QDA's `color` attribute; absent or null for none. */
  color?: string | null
}

export type TranscriptDoc = {
  id: string
  /** The participant's pseudonymous code, P1, P2 … */
  participantCode: string
  /** Position of the interview in the order interviews were held (1-based): saturation follows it. */
  interviewOrder: number
  /** Plain text; a WebVTT upload is stored as its text with speaker turns on their own lines. */
  text: string
  createdAt: string
}

export type CodedSegment = {
  id: string
  transcriptId: string
  codeId: string
  /** Staff user id of the coder. */
  coderId: string
  start: number
  end: number
  /** A copy of the coded text at the time of coding. */
  text: string
  createdAt: string
  /** True for a coding of the consensus set (recorded by resolving a disagreement, migration 0061). */
  consensus?: boolean
}

/** A span of a transcript in code points, start inclusive, end exclusive. */
export type Span = { start: number; end: number }
