/**
 * A transcript's text, line by line with speaker labels set off, its coded passages highlighted, and
 * a passage chosen by selecting it with the mouse (or the keyboard, with caret browsing).
 *
 * Offsets: the server counts Unicode code points, the browser's Selection counts UTF-16 units. Every
 * piece of text on the page carries `data-at`, its UTF-16 index in the transcript; a selection's ends
 * are read from those and converted with `toCodePointOffset`, so an emoji or a character outside the
 * Basic Multilingual Plane before the passage does not shift it.
 */
import { useCallback, useEffect, useMemo, useRef } from 'react'
import { startsWithSpeakerLabel, toCodePointOffset, toUtf16Index } from '../../../server/domain/qualitative/units'
import type { Span } from '../../../server/domain/qualitative/types'

/** A coded passage to highlight, in code points. */
export type Highlight = Span & { id: string; mine: boolean; label: string }

/** A coded passage's margin stripe, in code points: its code's colour, and the code's name on hover. */
export type Stripe = Span & { key: string; color: string; label: string }

type PlacedStripe = Stripe & { from: number; to: number; lane: number }

/**
 * Margin stripes in lanes, as MAXQDA draws coding stripes: each passage in the first lane free over
 * its whole length, so passages that overlap (several codes on one passage) stand side by side.
 */
function placeStripes(text: string, stripes: readonly Stripe[]): { placed: PlacedStripe[]; lanes: number } {
  const sorted = stripes.map((s) => ({ ...s, from: toUtf16Index(text, s.start), to: toUtf16Index(text, s.end) })).sort((a, b) => a.from - b.from || b.to - a.to)
  const laneEnds: number[] = []
  const placed = sorted.map((stripe) => {
    let lane = laneEnds.findIndex((end) => end <= stripe.from)
    if (lane < 0) lane = laneEnds.length
    laneEnds[lane] = stripe.to
    return { ...stripe, lane }
  })
  return { placed, lanes: laneEnds.length }
}

type Piece = { at: number; end: number; speaker: boolean; mine: number; others: number; pending: boolean; focused: boolean; labels: string[] }
type Line = { at: number; labelled: boolean; pieces: Piece[] }

/** The text split at every line break, speaker label end, highlight edge and selection edge. */
function layout(text: string, highlights: readonly Highlight[], pending: Span | null, focused: Span | null): Line[] {
  const u16 = (codePoint: number) => toUtf16Index(text, codePoint)
  const marks = highlights.map((h) => ({ ...h, from: u16(h.start), to: u16(h.end) }))
  const pendingU16 = pending && { from: u16(pending.start), to: u16(pending.end) }
  const focusedU16 = focused && { from: u16(focused.start), to: u16(focused.end) }
  const lines: Line[] = []
  let lineStart = 0
  for (const lineText of text.split('\n')) {
    const lineEnd = lineStart + lineText.length
    const labelled = startsWithSpeakerLabel(lineText)
    // The label runs to its colon, or to the end of a WebVTT voice tag `<v Name>`.
    const labelEnd = labelled ? lineStart + (/^\s*<v/.test(lineText) ? lineText.indexOf('>') : lineText.search(/[:：]/)) + 1 : lineStart
    const cuts = new Set([lineStart, lineEnd, labelEnd])
    for (const edge of [...marks, ...(pendingU16 ? [pendingU16] : []), ...(focusedU16 ? [focusedU16] : [])]) {
      if (edge.from > lineStart && edge.from < lineEnd) cuts.add(edge.from)
      if (edge.to > lineStart && edge.to < lineEnd) cuts.add(edge.to)
    }
    const sorted = [...cuts].sort((a, b) => a - b)
    const pieces: Piece[] = []
    for (let i = 0; i + 1 < sorted.length; i++) {
      const at = sorted[i]!
      const end = sorted[i + 1]!
      if (end <= at) continue
      const covering = marks.filter((m) => m.from <= at && m.to >= end)
      pieces.push({
        at,
        end,
        speaker: at < labelEnd,
        mine: covering.filter((m) => m.mine).length,
        others: covering.filter((m) => !m.mine).length,
        pending: !!pendingU16 && pendingU16.from <= at && pendingU16.to >= end,
        focused: !!focusedU16 && focusedU16.from <= at && focusedU16.to >= end,
        labels: [...new Set(covering.map((m) => m.label))],
      })
    }
    lines.push({ at: lineStart, labelled, pieces })
    lineStart = lineEnd + 1
  }
  return lines
}

const pieceOf = (node: Node | null | undefined, last: boolean): HTMLElement | null => {
  if (!node) return null
  if (node instanceof HTMLElement && node.dataset.at !== undefined) return node
  if (!(node instanceof Element)) return null
  const all = node.querySelectorAll<HTMLElement>('[data-at]')
  return (last ? all[all.length - 1] : all[0]) ?? null
}

const pieceEnd = (piece: HTMLElement) => Number(piece.dataset.at) + (piece.textContent?.length ?? 0)

/** The UTF-16 index in the transcript of a DOM position (a Selection's anchor or focus), or null. */
function indexAt(root: HTMLElement, node: Node, offset: number, textLength: number): number | null {
  if (!root.contains(node)) {
    // A selection dragged past the transcript: clamp to its start or end.
    const position = root.compareDocumentPosition(node)
    if (position & Node.DOCUMENT_POSITION_PRECEDING) return 0
    if (position & Node.DOCUMENT_POSITION_FOLLOWING) return textLength
    return null
  }
  if (node.nodeType === Node.TEXT_NODE) {
    const piece = node.parentElement?.closest<HTMLElement>('[data-at]')
    return piece && root.contains(piece) ? Number(piece.dataset.at) + offset : null
  }
  if (node instanceof HTMLElement && node.dataset.at !== undefined) return offset === 0 ? Number(node.dataset.at) : pieceEnd(node)
  // Between an element's children: the start of the next piece, or else the end of the one before.
  const children = node.childNodes
  for (let i = offset; i < children.length; i++) {
    const piece = pieceOf(children[i], false)
    if (piece) return Number(piece.dataset.at)
  }
  for (let i = Math.min(offset, children.length) - 1; i >= 0; i--) {
    const piece = pieceOf(children[i], true)
    if (piece) return pieceEnd(piece)
  }
  return null
}

/**
 * The passage the user selected inside `root`, in code points, without the white space at its ends;
 * null when nothing (or only white space) is selected there.
 */
export function selectedSpan(root: HTMLElement, text: string): Span | null {
  const selection = window.getSelection()
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null
  const range = selection.getRangeAt(0)
  if (!range.intersectsNode(root)) return null
  let from = indexAt(root, range.startContainer, range.startOffset, text.length)
  let to = indexAt(root, range.endContainer, range.endOffset, text.length)
  if (from === null || to === null) return null
  while (from < to && /\s/.test(text[from]!)) from++
  while (to > from && /\s/.test(text[to - 1]!)) to--
  if (to <= from) return null
  return { start: toCodePointOffset(text, from), end: toCodePointOffset(text, to) }
}

/** The code-point offset of a click, for showing the codings at that place. */
function clickedAt(root: HTMLElement, text: string): number | null {
  const selection = window.getSelection()
  if (!selection || selection.rangeCount === 0) return null
  const range = selection.getRangeAt(0)
  const at = indexAt(root, range.startContainer, range.startOffset, text.length)
  return at === null ? null : toCodePointOffset(text, at)
}

export function TranscriptText({
  text,
  highlights,
  pending,
  focused,
  label,
  onSelect,
  onClickAt,
  stripes = [],
}: {
  text: string
  highlights: readonly Highlight[]
  /** Margin stripes in the codes' colours, at the lines' start (the right in a right-to-left page). */
  stripes?: readonly Stripe[]
  pending: Span | null
  focused: Span | null
  label: string
  onSelect: (span: Span) => void
  onClickAt: (codePoint: number) => void
}) {
  const root = useRef<HTMLDivElement>(null)
  const lines = useMemo(() => layout(text, highlights, pending, focused), [text, highlights, pending, focused])
  const margin = useMemo(() => placeStripes(text, stripes), [text, stripes])
  /** The stripes that run beside a line [at, end): a blank line inside a passage keeps its stripe. */
  const stripesOf = (at: number, end: number) => margin.placed.filter((s) => s.from < Math.max(end, at + 1) && s.to > at)

  /** A passage selected in the text: take it. Returns whether there was one. */
  const takeSelection = useCallback((): boolean => {
    const element = root.current
    const span = element && selectedSpan(element, text)
    if (!span) return false
    onSelect(span)
    // The chosen passage is now drawn as a highlight of its own; the page changes under the
    // browser's selection, so let it go.
    window.getSelection()?.removeAllRanges()
    return true
  }, [text, onSelect])

  const readSelection = () => {
    if (takeSelection()) return
    const element = root.current
    const at = element && window.getSelection()?.isCollapsed ? clickedAt(element, text) : null
    if (at !== null && at !== undefined) onClickAt(at)
  }

  // A drag that starts in the text may end outside it, where the text's own mouseup never fires.
  useEffect(() => {
    const up = (event: MouseEvent) => {
      if (root.current && event.target instanceof Node && !root.current.contains(event.target)) takeSelection()
    }
    document.addEventListener('mouseup', up)
    return () => document.removeEventListener('mouseup', up)
  }, [takeSelection])

  return (
    <div
      ref={root}
      className={margin.lanes > 0 ? 'transcript-text with-stripes' : 'transcript-text'}
      style={{ '--stripe-lanes': margin.lanes } as React.CSSProperties}
      role="document"
      aria-label={label}
      data-testid="transcript-text"
      onMouseUp={readSelection}
      onKeyUp={(e) => {
        if (e.shiftKey) readSelection()
      }}
    >
      {lines.map((line) => {
        const lineEnd = line.pieces.at(-1)?.end ?? line.at
        const beside = stripesOf(line.at, lineEnd).map((s) => (
          <span key={s.key} className={s.from < line.at ? 'stripe continued' : 'stripe'} style={{ background: s.color, '--lane': s.lane } as React.CSSProperties} title={s.label} aria-hidden="true" data-testid="stripe" data-code={s.label} />
        ))
        return line.pieces.length === 0 ? (
          <div key={line.at} className="line blank">
            {beside}
          </div>
        ) : (
          <div key={line.at} className={line.labelled ? 'line turn-start' : 'line'}>
            {beside}
            {line.pieces.map((piece) => {
              const className = [
                piece.speaker && 'speaker',
                piece.mine > 0 && `coded coded-${Math.min(piece.mine, 3)}`,
                piece.others > 0 && 'coded-other',
                piece.pending && 'pending',
                piece.focused && 'focused',
              ]
                .filter(Boolean)
                .join(' ')
              const content = text.slice(piece.at, piece.end)
              return piece.labels.length > 0 ? (
                <mark key={piece.at} data-at={piece.at} className={className} title={piece.labels.join(', ')}>
                  {content}
                </mark>
              ) : (
                <span key={piece.at} data-at={piece.at} className={className || undefined}>
                  {content}
                </span>
              )
            })}
          </div>
        )
      })}
    </div>
  )
}
