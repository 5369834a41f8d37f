import type { Span } from './types'

/**
 * Units of a transcript (sentences or speaker turns) and the code-point arithmetic under them.
 *
 * Every offset here is in Unicode code points, the unit of `Span` (see types.ts): an emoji such as
 * 😀 is one code point but two JavaScript (UTF-16) units, and a Persian word stays one code point per
 * letter. The browser reports selection offsets in UTF-16 units, so `toCodePointOffset` and
 * `toUtf16Index` convert at that boundary.
 */

export type UnitKind = 'sentence' | 'turn'

/**
 * Code-point length: the number of Unicode code points in `text` (what MAXQDA, NVivo, ATLAS.ti and
 * QualCoder count as characters), not JavaScript's `text.length` of UTF-16 units.
 *
 * @example
 * codePointLength('سلام 😀') // => 6 (text.length is 7)
 */
export function codePointLength(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    // A high surrogate followed by a low surrogate is one code point; skip the low one.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    count++
  }
  return count
}

/**
 * Slice by code points: the text from code point `start` (inclusive) to `end` (exclusive), like
 * `[...text].slice(start, end).join('')`. `end` defaults to the end of the text. Each call counts
 * from the start of the text: to slice one text many times, use `codePointSlicer`.
 *
 * @throws {RangeError} offsets that are not integers, negative, past the end, or end before start
 * @example
 * sliceCodePoints('a😀b', 1, 2) // => '😀'
 */
export function sliceCodePoints(text: string, start: number, end: number = codePointLength(text)): string {
  const length = codePointLength(text)
  assertSpanWithin({ start, end }, length, 'sliceCodePoints')
  return text.slice(toUtf16Index(text, start), toUtf16Index(text, end))
}

/**
 * Code-point slicer of one text: `slice(start, end)` gives what `sliceCodePoints(text, start, end)`
 * gives, in constant time after one pass over the text. `sliceCodePoints` counts from the start of
 * the text on every call, so slicing a passage per coding of a long transcript grows with the
 * square of its length; build one slicer per transcript instead. A text without surrogate pairs
 * (Persian, English: no emoji) has one UTF-16 unit per code point and is sliced as it is.
 *
 * @throws {RangeError} from `slice`, as sliceCodePoints: offsets that are not integers, negative,
 *   past the end, or end before start
 * @example
 * const slicer = codePointSlicer('a😀b سلام')
 * slicer.length // => 7
 * slicer.slice(1, 2) // => '😀'
 * slicer.slice(4) // => 'سلام'
 */
export function codePointSlicer(text: string): CodePointSlicer {
  const starts = SURROGATE_PAIR.test(text) ? codePointStarts(text) : null
  const length = starts === null ? text.length : starts.length - 1
  return {
    length,
    slice(start: number, end: number = length): string {
      assertSpanWithin({ start, end }, length, 'sliceCodePoints')
      return starts === null ? text.slice(start, end) : text.slice(starts[start], starts[end])
    },
  }
}

export type CodePointSlicer = {
  /** The text's length in code points. */
  length: number
  /** The text from code point `start` (inclusive) to `end` (exclusive, the end of the text when absent). */
  slice: (start: number, end?: number) => string
}

/** A high surrogate followed by a low one: a code point of two UTF-16 units (no `u` flag, so units are matched). */
const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/

/** The UTF-16 index at which each code point starts, then the text's length: a pair counts as one code point, a lone surrogate as one, as in codePointLength. */
function codePointStarts(text: string): Int32Array {
  const starts = new Int32Array(codePointLength(text) + 1)
  let point = 0
  for (let i = 0; i < text.length; i++) {
    starts[point++] = i
    const unit = text.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
  }
  starts[point] = text.length
  return starts
}

/**
 * UTF-16 index to code-point offset: how many code points precede the UTF-16 index `utf16Index`
 * (what the browser's Selection/Range APIs and `String.prototype.indexOf` report).
 *
 * An index in the middle of a surrogate pair names no character boundary; the browser never gives
 * one for a selection, so it is rejected rather than silently rounded.
 *
 * @throws {RangeError} a non-integer or out-of-range index, or one inside a surrogate pair
 * @example
 * toCodePointOffset('😀 hi', 3) // => 2 (the emoji is 2 UTF-16 units, 1 code point)
 */
export function toCodePointOffset(text: string, utf16Index: number): number {
  if (!Number.isInteger(utf16Index) || utf16Index < 0 || utf16Index > text.length) {
    throw new RangeError(`UTF-16 index ${utf16Index} is outside the text (0..${text.length}).`)
  }
  if (splitsSurrogatePair(text, utf16Index)) {
    throw new RangeError(`UTF-16 index ${utf16Index} falls inside a surrogate pair (the middle of one character).`)
  }
  return codePointLength(text.slice(0, utf16Index))
}

/**
 * Code-point offset to UTF-16 index: the JavaScript string index at which code point `codePoint`
 * starts (the text's `length` for the offset just past the last code point).
 *
 * @throws {RangeError} a non-integer, negative or past-the-end offset
 * @example
 * toUtf16Index('😀 hi', 2) // => 3
 */
export function toUtf16Index(text: string, codePoint: number): number {
  if (!Number.isInteger(codePoint) || codePoint < 0) {
    throw new RangeError(`Code-point offset ${codePoint} must be a non-negative integer.`)
  }
  let index = 0
  for (let seen = 0; seen < codePoint; seen++) {
    if (index >= text.length) {
      throw new RangeError(`Code-point offset ${codePoint} is past the end of the text (${codePointLength(text)} code points).`)
    }
    const unit = text.charCodeAt(index)
    const next = text.charCodeAt(index + 1)
    index += unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1
  }
  return index
}

/**
 * Split a transcript into units (sentences or speaker turns), as code-point spans with the
 * surrounding whitespace trimmed off; a unit is never empty. These are the units on which
 * inter-coder agreement is counted, so the same text always gives the same units.
 *
 * Sentences: a sentence ends
 * - after `.`, `!`, `?`, `…`, the Arabic/Persian question mark `؟` or the Arabic full stop `۔`
 *   (a run of them, and any closing quotes or brackets after it, stays with the sentence) when
 *   whitespace or the end of the text follows — so `3.5` and `www.example.org` do not split, but
 *   an abbreviation such as `Dr. Ahmadi` does (a heuristic: both coders get the same units);
 * - after the full-width `。`, `！`, `？` even without whitespace (Chinese and Japanese put none);
 * - at every line break.
 *
 * Turns (the rule): a line *starts a turn* when it begins with a speaker label, either a WebVTT
 * voice tag `<v Name>` or a name followed by a colon and whitespace (or the end of the line), the
 * name being at most 40 characters and 4 words of letters, digits, spaces and `. _ - ' ’ ( )`
 * (so `Interviewer:`, `I:`, `P3:`, `Dr. Ahmadi:`, `مصاحبه‌گر:` are labels; `10:30` is not, and
 * neither is a sentence such as `What I told my colleagues at the time was: no`, five words
 * and more). The turn runs to the line before the next labelled line — blank lines and unlabelled
 * continuation paragraphs included — and includes its label. Text before the first labelled line is
 * split into paragraphs. A text with no labelled line at all is split into paragraphs, each
 * paragraph (separated by one or more blank lines) being a turn.
 *
 * @param text - the transcript's plain text
 * @param unit - 'sentence' or 'turn'
 * @returns spans in code points, in text order, non-overlapping and non-empty
 * @example
 * splitUnits('Interviewer: How was it?\nP3: Good. Really good.', 'sentence')
 * // => [{ start: 0, end: 24 }, { start: 25, end: 34 }, { start: 35, end: 47 }]
 * splitUnits('Interviewer: How was it?\nP3: Good. Really good.', 'turn')
 * // => [{ start: 0, end: 24 }, { start: 25, end: 47 }]
 */
export function splitUnits(text: string, unit: UnitKind): Span[] {
  const points = Array.from(text)
  if (unit === 'sentence') return splitSentences(points)
  if (unit === 'turn') return splitTurns(points)
  throw new RangeError(`Unknown unit "${String(unit)}" (use 'sentence' or 'turn').`)
}

/**
 * Speaker-label test: whether `line` begins with a speaker label under the turn rule of
 * `splitUnits` (a `<v Name>` voice tag, or a short name followed by a colon and whitespace).
 *
 * @example
 * startsWithSpeakerLabel('P3: It was good.') // => true
 * startsWithSpeakerLabel('10:30 we started') // => false
 */
export function startsWithSpeakerLabel(line: string): boolean {
  return SPEAKER_LABEL.test(line)
}

// ---------------------------------------------------------------------------------------------

const LINE_BREAKS = new Set(['\n', '\r', '\u2028', '\u2029', '\u0085'])
const TERMINATORS_NEEDING_SPACE = new Set(['.', '!', '?', '…', '\u061F' /* ؟ */, '\u06D4' /* ۔ */])
const FULL_WIDTH_TERMINATORS = new Set(['\u3002' /* 。 */, '\uFF01' /* ！ */, '\uFF1F' /* ？ */, '\uFF61' /* ｡ */])
const CLOSERS = new Set(['"', "'", '\u201D', '\u2019', '\u00BB', '\u203A', ')', ']', '}', '\u300D', '\u300F', '\uFF09'])
const WHITESPACE = /^\s$/u

/**
 * A speaker label at the start of a line. The name: starts with a letter or digit, then up to 39
 * letters, marks (Persian needs the zero-width non-joiner U+200C and combining marks), digits,
 * spaces and `. _ - ' ’ ( )`; at most 4 words; then an ASCII or full-width colon followed by
 * whitespace or the end of the line.
 */
const SPEAKER_LABEL = new RegExp(
  String.raw`^[ \t]*(?:<v(?:\.[^\s>]*)?[ \t]+[^>]+>|(?=[^:：\n]{1,40}[:：](?:\s|$))[\p{L}\p{N}][\p{L}\p{M}\p{N}\u200C\u200D._'’()\-]*(?:[ \t]+[\p{L}\p{M}\p{N}\u200C\u200D._'’()\-]+){0,3}[ \t]*[:：](?:\s|$))`,
  'u',
)

function isWhitespace(point: string): boolean {
  return WHITESPACE.test(point)
}

/** Trim whitespace off [start, end) and keep the span when anything is left. */
function pushTrimmed(spans: Span[], points: string[], start: number, end: number): void {
  let s = start
  let e = end
  while (s < e && isWhitespace(points[s]!)) s++
  while (e > s && isWhitespace(points[e - 1]!)) e--
  if (e > s) spans.push({ start: s, end: e })
}

function splitSentences(points: string[]): Span[] {
  const spans: Span[] = []
  let start = 0
  let i = 0
  while (i < points.length) {
    const point = points[i]!
    if (LINE_BREAKS.has(point)) {
      pushTrimmed(spans, points, start, i)
      start = i + 1
      i++
      continue
    }
    const needsSpace = TERMINATORS_NEEDING_SPACE.has(point)
    const fullWidth = FULL_WIDTH_TERMINATORS.has(point)
    if (needsSpace || fullWidth) {
      let j = i + 1
      while (j < points.length && (TERMINATORS_NEEDING_SPACE.has(points[j]!) || FULL_WIDTH_TERMINATORS.has(points[j]!))) j++
      while (j < points.length && CLOSERS.has(points[j]!)) j++
      if (fullWidth || j === points.length || isWhitespace(points[j]!)) {
        pushTrimmed(spans, points, start, j)
        start = j
      }
      i = j
      continue
    }
    i++
  }
  pushTrimmed(spans, points, start, points.length)
  return spans
}

type Line = { start: number; end: number; text: string }

/** Lines of the text in code points, without their line breaks (`\r\n` is one break). */
function linesOf(points: string[]): Line[] {
  const lines: Line[] = []
  let start = 0
  for (let i = 0; i <= points.length; i++) {
    if (i === points.length || LINE_BREAKS.has(points[i]!)) {
      lines.push({ start, end: i, text: points.slice(start, i).join('') })
      if (points[i] === '\r' && points[i + 1] === '\n') i++
      start = i + 1
    }
  }
  return lines
}

function isBlank(line: Line): boolean {
  return line.text.trim() === ''
}

/** Paragraphs of lines[from, to): runs of non-blank lines. */
function pushParagraphs(spans: Span[], points: string[], lines: Line[], from: number, to: number): void {
  let paragraphStart: number | null = null
  let paragraphEnd = 0
  for (let k = from; k < to; k++) {
    const line = lines[k]!
    if (isBlank(line)) {
      if (paragraphStart !== null) pushTrimmed(spans, points, paragraphStart, paragraphEnd)
      paragraphStart = null
    } else {
      if (paragraphStart === null) paragraphStart = line.start
      paragraphEnd = line.end
    }
  }
  if (paragraphStart !== null) pushTrimmed(spans, points, paragraphStart, paragraphEnd)
}

function splitTurns(points: string[]): Span[] {
  const lines = linesOf(points)
  const labelled = lines.map((line) => SPEAKER_LABEL.test(line.text))
  const first = labelled.indexOf(true)
  const spans: Span[] = []
  if (first === -1) {
    pushParagraphs(spans, points, lines, 0, lines.length)
    return spans
  }
  pushParagraphs(spans, points, lines, 0, first)
  let turnStart = first
  for (let k = first + 1; k <= lines.length; k++) {
    if (k === lines.length || labelled[k]) {
      pushTrimmed(spans, points, lines[turnStart]!.start, lines[k - 1]!.end)
      turnStart = k
    }
  }
  return spans
}

function splitsSurrogatePair(text: string, utf16Index: number): boolean {
  if (utf16Index <= 0 || utf16Index >= text.length) return false
  const before = text.charCodeAt(utf16Index - 1)
  const at = text.charCodeAt(utf16Index)
  return before >= 0xd800 && before <= 0xdbff && at >= 0xdc00 && at <= 0xdfff
}

/**
 * Span check: throws a RangeError unless the span lies within a text of `length` code points,
 * 0 ≤ start ≤ end ≤ length, all integers. `what` names the span in the message. Used where a coding
 * from the database or the browser meets its transcript.
 *
 * @throws {RangeError} a span outside the text, reversed, or with non-integer offsets
 * @example
 * assertSpanWithin({ start: 2, end: 9 }, 5, 'Coding k1') // throws "Coding k1: span 2..9 is not within 0..5 code points …"
 */
export function assertSpanWithin(span: Span, length: number, what: string): void {
  const { start, end } = span
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > length) {
    throw new RangeError(`${what}: span ${start}..${end} is not within 0..${length} code points (start ≤ end, integers).`)
  }
}
