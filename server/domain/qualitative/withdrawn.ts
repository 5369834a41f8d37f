/**
 * Withdrawn stays withdrawn. A quotation its participant asked in member checking to be withdrawn
 * is a passage of their words, not one coding: any coding that overlaps it — another coder's of the
 * same words, or one taking them in with more around them — is withdrawn with it. Table 2, the joint
 * display and the choice of a quotation all ask here.
 *
 * The words, not the offsets: once a transcript's codings are deleted its text may be replaced
 * (names taken out), which moves every passage. A withdrawn passage is where its words are in the
 * text as it is now: at the coding's offsets while they still hold those words, otherwise at every
 * place the words occur as whole words (all of them: which one was meant cannot be told), and nowhere when the text
 * no longer holds them.
 */
import { listWithdrawnSpans, type Span, type WithdrawnSpan } from '../../db/repositories/withdrawn'
import type { Deps } from '../deps'
import { codePointLength, codePointSlicer, type CodePointSlicer } from './units'

export type WithdrawnPassages = { overlaps: (coding: Span) => boolean }

/**
 * Where a withdrawn passage's words are in its transcript's current text, in code points.
 *
 * @example
 * placesOfWords({ transcriptId: 't', start: 0, end: 2, words: 'ab', transcriptText: 'xab ab' }, slicer)
 * // => [{ transcriptId: 't', start: 1, end: 3 }, { transcriptId: 't', start: 4, end: 6 }]
 */
export function placesOfWords(span: WithdrawnSpan, slicer: CodePointSlicer): Span[] {
  const { transcriptId, words, transcriptText: text } = span
  if (words === '') return []
  if (span.end <= slicer.length && slicer.slice(span.start, span.end) === words) return [{ transcriptId, start: span.start, end: span.end }]
  const places: Span[] = []
  const length = codePointLength(words)
  // Whole words only: a withdrawn "no" is not the "no" of "know" or "nothing" (found by a review).
  const startsInWord = wordCharacter.test(Array.from(words)[0] ?? '')
  const endsInWord = wordCharacter.test(Array.from(words).at(-1) ?? '')
  // Counted on from the previous place, so a long text is walked once.
  let points = 0
  let index = 0
  for (let at = text.indexOf(words); at >= 0; at = text.indexOf(words, at + 1)) {
    const before = Array.from(text.slice(Math.max(0, at - 2), at)).at(-1) ?? ''
    const after = Array.from(text.slice(at + words.length, at + words.length + 2))[0] ?? ''
    if ((startsInWord && wordCharacter.test(before)) || (endsInWord && wordCharacter.test(after))) continue
    points += codePointLength(text.slice(index, at))
    index = at
    places.push({ transcriptId, start: points, end: points + length })
  }
  return places
}

/**
 * A letter, digit or combining mark, or a zero-width (non-)joiner: part of a word. In Persian the
 * ZWNJ (U+200C) joins the parts of one word (نمی‌دانم, "I do not know"), so دانم ("I know") after it
 * is no word of its own.
 */
const wordCharacter = /^[\p{L}\p{N}\p{M}\u200C\u200D]$/u

/**
 * The study's (or one transcript's) withdrawn passages, in the transcripts' current text.
 *
 * @example
 * const withdrawn = await loadWithdrawnPassages(deps, { studyId })
 * withdrawn.overlaps({ transcriptId, start: 10, end: 40 }) // true when any withdrawn passage shares a code point
 */
export async function loadWithdrawnPassages(deps: Pick<Deps, 'db'>, filter: { studyId: string } | { transcriptId: string }): Promise<WithdrawnPassages> {
  // By transcript: a coding is checked against its own transcript's passages, not the whole study's.
  const byTranscript = new Map<string, Span[]>()
  const slicers = new Map<string, CodePointSlicer>()
  for (const withdrawn of await listWithdrawnSpans(deps.db, filter)) {
    let slicer = slicers.get(withdrawn.transcriptId)
    if (!slicer) slicers.set(withdrawn.transcriptId, (slicer = codePointSlicer(withdrawn.transcriptText)))
    for (const span of placesOfWords(withdrawn, slicer)) {
      const spans = byTranscript.get(span.transcriptId)
      if (spans) spans.push(span)
      else byTranscript.set(span.transcriptId, [span])
    }
  }
  return {
    overlaps: (coding) => byTranscript.get(coding.transcriptId)?.some((s) => s.start < coding.end && coding.start < s.end) ?? false,
  }
}
