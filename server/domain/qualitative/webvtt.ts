import type { Span } from './types'
import { codePointLength, startsWithSpeakerLabel } from './units'

/** One cue (or one voice of a cue) of a WebVTT file, placed in the plain text. */
export type WebVttCue = {
  /** Start time in milliseconds. */
  start: number
  /** End time in milliseconds. */
  end: number
  /** The name of the `<v Name>` voice, or null when the cue has none. */
  speaker: string | null
  /** The cue text without tags, references decoded, whitespace (no-break spaces too) collapsed to single spaces. */
  text: string
  /** Where `text` stands in the plain text, in code points (the `Speaker: ` prefix excluded). */
  span: Span
}

export type ParsedWebVtt = { text: string; cues: WebVttCue[] }

/**
 * Parse a WebVTT file (a transcript exported by Zoom, Teams, Whisper or noScribe) into plain text,
 * one line per speaker turn, and its cues placed in that text.
 *
 * The format (W3C, "WebVTT: The Web Video Text Tracks Format", https://www.w3.org/TR/webvtt1/):
 * - an optional byte-order mark, then `WEBVTT` alone or followed by a space or tab and any text;
 *   further header lines (legacy `Kind:`/`Language:` metadata) run to the first blank line;
 * - blocks separated by blank lines (line ends `\r\n`, `\n` or `\r`): `NOTE` (comment), `STYLE`
 *   and `REGION` blocks are skipped; a cue is an optional identifier line (without `-->`), a timing
 *   line `start --> end [settings]` and payload lines;
 * - a timestamp is `[hh:]mm:ss.ttt`: hours optional, minutes and seconds two digits 00–59,
 *   milliseconds exactly three digits; a first field of other than two digits or above 59 is read
 *   as hours, so it then needs all three fields (the spec's "collect a WebVTT timestamp"; like its
 *   parser, a one-digit hour `1:02:03.004` is accepted although the syntax asks for two); settings
 *   after the end time are ignored;
 * - payload tags: `<v Name>` / `<v.class Name>` (voice: the speaker), `<c>`, `<i>`, `<b>`, `<u>`,
 *   `<ruby>`, `<rt>`, `<lang xx>` and inner timestamps `<00:01.000>` — all stripped, their text
 *   kept; character references `&amp; &lt; &gt; &nbsp; &lrm; &rlm;` and numeric ones decoded.
 *
 * The text: each cue's payload lines are joined by a space; a cue with a voice becomes the line
 * `Name: text`, and the cues that follow with the same voice are appended to that line (one speaker
 * turn), separated by a space; a cue without a voice is a line of its own (no speaker to join on).
 * A cue without a voice tag whose text begins with a speaker label, `Name: text` as Zoom writes its
 * transcripts, is read as a voice too (the label rule of `splitUnits`' turns). A cue holding several
 * voices is split into one entry per voice, with the same times. Cues with
 * no text are dropped. Lines are joined with `\n`.
 *
 * Stricter than a browser, which silently drops what it cannot read: a transcript that loses a cue
 * loses data, so a block that is not a cue, comment, style or region, a malformed timestamp, or an
 * end time before the start time is an error.
 *
 * @throws {RangeError} with the 1-based line number: no `WEBVTT` header, a malformed timing line or
 *   timestamp, an end before its start, a block without cue timings
 * @example
 * parseWebVtt('WEBVTT\n\n00:01.000 --> 00:04.000\n<v Interviewer>How was it?\n\n' +
 *   '00:04.500 --> 00:06.000\n<v P3>Good.\n\n00:06.000 --> 00:08.000\n<v P3>Really good.')
 * // => { text: 'Interviewer: How was it?\nP3: Good. Really good.',
 * //      cues: [{ start: 1000, end: 4000, speaker: 'Interviewer', text: 'How was it?', span: { start: 13, end: 24 } },
 * //             { start: 4500, end: 6000, speaker: 'P3', text: 'Good.', span: { start: 29, end: 34 } },
 * //             { start: 6000, end: 8000, speaker: 'P3', text: 'Really good.', span: { start: 35, end: 47 } }] }
 */
export function parseWebVtt(vtt: string): ParsedWebVtt {
  const lines = vtt.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  const header = lines[0] ?? ''
  if (!/^WEBVTT(?:[ \t].*)?$/.test(header)) {
    throw new RangeError(`Line 1: a WebVTT file starts with "WEBVTT" (found "${preview(header)}").`)
  }

  // Header lines run to the first blank line; a line with "-->" already starts a cue (as browsers read it).
  let i = 1
  while (i < lines.length && lines[i] !== '' && !lines[i]!.includes('-->')) i++

  const voiced: VoicedText[] = []
  while (i < lines.length) {
    if (lines[i] === '') {
      i++
      continue
    }
    // Collect a block: up to a blank line, or up to a "-->" line that is neither its first nor its
    // second line (the spec's block collection: such a line starts the next cue).
    const blockStart = i
    const block: string[] = []
    while (i < lines.length && lines[i] !== '') {
      if (block.length >= 1 && lines[i]!.includes('-->') && (block.length >= 2 || block[0]!.includes('-->'))) break
      block.push(lines[i]!)
      i++
    }
    const first = block[0]!
    if (/^(?:NOTE|STYLE|REGION)(?:[ \t]|$)/.test(first) && !first.includes('-->')) continue

    const timingIndex = first.includes('-->') ? 0 : block[1]?.includes('-->') ? 1 : -1
    if (timingIndex === -1) {
      throw new RangeError(
        `Line ${blockStart + 1}: expected cue timings "start --> end" on this line or the next (found "${preview(first)}").`,
      )
    }
    const lineNumber = blockStart + 1 + timingIndex
    const { start, end } = parseCueTimings(block[timingIndex]!, lineNumber)
    const payload = block.slice(timingIndex + 1).join('\n')
    for (const part of voiceParts(payload)) voiced.push({ start, end, ...labelledSpeaker(part) })
  }
  return assemble(voiced)
}

/**
 * WebVTT timestamp to milliseconds, by the spec's "collect a WebVTT timestamp": `mm:ss.ttt` or
 * `hh:mm:ss.ttt` (hours one or more digits), minutes and seconds 00–59, three-digit milliseconds.
 *
 * @throws {RangeError} anything else
 * @example
 * parseWebVttTimestamp('01:02:03.004') // => 3723004
 * parseWebVttTimestamp('02:03.004')    // => 123004
 */
export function parseWebVttTimestamp(timestamp: string): number {
  const match = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/.exec(timestamp)
  // "60:00.000" has no hours and a first field above 59, which the spec reads as hours and then
  // misses the seconds: an error, like any minute or second above 59.
  if (!match) throw new RangeError(`"${timestamp}" is not a WebVTT timestamp ([hh:]mm:ss.ttt).`)
  const [, hours, minutes, seconds, milliseconds] = match
  const m = Number(minutes)
  const s = Number(seconds)
  if (m > 59 || s > 59) throw new RangeError(`"${timestamp}" has minutes or seconds above 59.`)
  return ((Number(hours ?? 0) * 60 + m) * 60 + s) * 1000 + Number(milliseconds)
}

// ---------------------------------------------------------------------------------------------

type VoicedText = { start: number; end: number; speaker: string | null; text: string }

function preview(line: string): string {
  return line.length > 60 ? `${line.slice(0, 57)}...` : line
}

function parseCueTimings(line: string, lineNumber: number): { start: number; end: number } {
  const match = /^(\S+?)[ \t]*-->[ \t]*(\S+?)(?:[ \t].*)?$/.exec(line)
  if (!match) {
    throw new RangeError(`Line ${lineNumber}: "${preview(line)}" is not a cue timing line ("start --> end").`)
  }
  let start: number
  let end: number
  try {
    start = parseWebVttTimestamp(match[1]!)
    end = parseWebVttTimestamp(match[2]!)
  } catch (error) {
    throw new RangeError(`Line ${lineNumber}: ${(error as Error).message}`)
  }
  if (end < start) throw new RangeError(`Line ${lineNumber}: the cue ends (${match[2]}) before it starts (${match[1]}).`)
  return { start, end }
}

const NAMED_REFERENCES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00A0',
  lrm: '\u200E',
  rlm: '\u200F',
}

function decodeReferences(text: string): string {
  return text.replace(/&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([a-zA-Z]+));/g, (whole, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED_REFERENCES[name] ?? whole
    const code = decimal !== undefined ? Number(decimal) : parseInt(hex!, 16)
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole
  })
}

/** Collapse whitespace (new lines of the payload included) to single spaces and trim. */
function tidy(text: string): string {
  return text.replace(/\s+/gu, ' ').trim()
}

/**
 * The payload's text split at voice tags: text before the first `<v>` and after a `</v>` has no
 * speaker; `<v Name>` opens a part for Name that runs to `</v>` or the next `<v>`.
 */
function voiceParts(payload: string): { speaker: string | null; text: string }[] {
  const parts: { speaker: string | null; text: string }[] = []
  let speaker: string | null = null
  let buffer = ''
  const flush = () => {
    const text = tidy(decodeReferences(buffer))
    if (text !== '') parts.push({ speaker, text })
    buffer = ''
  }
  // A tag is "<" up to ">"; a "<" with no ">" after it is kept as text.
  const tag = /<([^>]*)>/g
  let last = 0
  for (let match = tag.exec(payload); match; match = tag.exec(payload)) {
    buffer += payload.slice(last, match.index)
    last = tag.lastIndex
    const inside = match[1]!
    const voice = /^v(?:\.[^\s]*)?[ \t\n]+([^]*)$/.exec(inside)
    if (voice) {
      flush()
      const name = tidy(decodeReferences(voice[1]!))
      speaker = name === '' ? null : name
    } else if (/^\/v\s*$/.test(inside)) {
      flush()
      speaker = null
    }
    // Every other tag (<c.x>, <i>, <b>, <u>, <ruby>, <rt>, <lang>, <00:01.000> and their end tags) is dropped.
  }
  buffer += payload.slice(last)
  flush()
  return parts
}

/**
 * Zoom writes no voice tags but starts each cue with "Name: ". A part without a voice whose text
 * starts with a label (the turn rule of units.ts) takes the label as its speaker.
 */
function labelledSpeaker(part: { speaker: string | null; text: string }): { speaker: string | null; text: string } {
  if (part.speaker !== null || !startsWithSpeakerLabel(part.text) || part.text.startsWith('<')) return part
  const colon = /[:：]/.exec(part.text)!
  const speaker = part.text.slice(0, colon.index).trim()
  const text = part.text.slice(colon.index + 1).trim()
  return text === '' ? part : { speaker, text }
}

function assemble(parts: VoicedText[]): ParsedWebVtt {
  const lines: string[] = []
  const cues: WebVttCue[] = []
  let offset = 0 // code points in the text so far, including the "\n" after each finished line
  let lineLength = 0 // code points in the current (last) line
  let lineSpeaker: string | null = null

  for (const part of parts) {
    const joins = part.speaker !== null && part.speaker === lineSpeaker && lines.length > 0
    let textStart: number
    if (joins) {
      lines[lines.length - 1] += ` ${part.text}`
      textStart = offset + lineLength + 1
      lineLength += 1 + codePointLength(part.text)
    } else {
      if (lines.length > 0) offset += lineLength + 1
      const prefix = part.speaker === null ? '' : `${part.speaker}: `
      lines.push(prefix + part.text)
      textStart = offset + codePointLength(prefix)
      lineLength = codePointLength(prefix) + codePointLength(part.text)
      lineSpeaker = part.speaker
    }
    cues.push({
      start: part.start,
      end: part.end,
      speaker: part.speaker,
      text: part.text,
      span: { start: textStart, end: textStart + codePointLength(part.text) },
    })
  }
  return { text: lines.join('\n'), cues }
}
