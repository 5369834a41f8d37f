/**
 * The report's figures, drawn with Observable Plot. Each function takes one scale's rows and returns
 * the element Plot made; `PlotFigure` puts it on the page and the caller adds the table beside it.
 * All text comes through t(); the palette is Okabe–Ito, readable with the common colour-vision
 * deficiencies, and the classification is also told by the symbol.
 */
import * as Plot from '@observablehq/plot'
import { t } from '../../lib/i18n'
import { fixed, score } from '../format'
import { changeClasses, type ChangeClass, type ScaleReport } from '../types'
import { classLabel } from './labels'

export type PlotRow = {
  code: string
  attended: number
  pre: number | null
  post: number | null
  change: number | null
  rci: number | null
  classification: ChangeClass | null
}

const ink = '#1d2a2f'
const accent = '#1f6f5c'
const muted = '#7f9a92'
const classColour: Record<ChangeClass, string> = { recovered: '#009E73', improved: '#56B4E9', unchanged: '#999999', deteriorated: '#D55E00' }
const classSymbol: Record<ChangeClass, string> = { recovered: 'star', improved: 'circle', unchanged: 'square', deteriorated: 'triangle' }


const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length

function base(label: string) {
  return {
    width: 420,
    height: 300,
    marginLeft: 48,
    marginBottom: 42,
    style: { fontFamily: 'inherit', fontSize: '12px', color: ink, background: 'transparent', overflow: 'visible' },
    ariaLabel: label,
    ariaDescription: t('staff.plot.seeTable'),
  }
}

/** The classifications present, in their fixed order, for the colour and symbol legends. */
function classScales(rows: PlotRow[]) {
  const present: (ChangeClass | null)[] = [...changeClasses.filter((c) => rows.some((r) => r.classification === c)), ...(rows.some((r) => r.classification === null) ? [null] : [])]
  // One legend: Plot draws the symbol legend in the colours of the colour scale when fill and symbol
  // are bound to the same field (`cls`, see `classified`).
  return {
    color: { domain: present.map(classLabel), range: present.map((c) => (c ? classColour[c] : '#c4cbc9')) },
    symbol: { legend: true, domain: present.map(classLabel), range: present.map((c) => (c ? classSymbol[c] : 'diamond')) },
  }
}

/** Rows with their classification in words, the field both colour and symbol are bound to. */
const classified = <T extends PlotRow>(rows: T[]) => rows.map((r) => ({ ...r, cls: classLabel(r.classification) }))

export const paired = (rows: PlotRow[]) => rows.filter((r): r is PlotRow & { pre: number; post: number; change: number } => r.pre !== null && r.post !== null && r.change !== null)

/** Each participant's line from the first wave to the second, with the mean drawn over them. */
export function prePostLines(rows: PlotRow[], scale: ScaleReport, waves: { from: string; to: string }, label: string): Element {
  const pairs = paired(rows)
  const points = pairs.flatMap((r) => [
    { code: r.code, wave: waves.from, score: r.pre },
    { code: r.code, wave: waves.to, score: r.post },
  ])
  const means = pairs.length > 0 ? [{ wave: waves.from, score: mean(pairs.map((r) => r.pre)) }, { wave: waves.to, score: mean(pairs.map((r) => r.post)) }] : []
  return Plot.plot({
    ...base(label),
    marginRight: 60,
    x: { type: 'point', domain: [waves.from, waves.to], label: null, padding: 0.4 },
    y: { domain: [scale.range.min, scale.range.max], label: t('staff.plot.score'), grid: true, tickFormat: score },
    marks: [
      Plot.line(points, { x: 'wave', y: 'score', z: 'code', stroke: muted, strokeOpacity: 0.7, strokeWidth: 1.5 }),
      Plot.dot(points, { x: 'wave', y: 'score', fill: muted, r: 3.5, title: (d: (typeof points)[number]) => `${d.code}: ${score(d.score)}` }),
      Plot.line(means, { x: 'wave', y: 'score', stroke: accent, strokeWidth: 3.5 }),
      Plot.dot(means, { x: 'wave', y: 'score', fill: accent, r: 5.5 }),
      Plot.text(means.slice(-1), { x: 'wave', y: 'score', text: () => t('staff.plot.mean'), dx: 10, textAnchor: 'start', fill: accent, fontWeight: 'bold' }),
    ],
  })
}

/** Each participant's change as a dot, stacked where they coincide, with no change and the mean change marked. */
export function changeDistribution(rows: PlotRow[], waves: { from: string; to: string }, label: string): Element {
  const pairs = paired(rows)
  const meanChange = pairs.length > 0 ? mean(pairs.map((r) => r.change)) : null
  const { color, symbol } = classScales(pairs)
  return Plot.plot({
    ...base(label),
    height: 170,
    marginTop: 30,
    color,
    symbol,
    x: { label: t('staff.plot.changeAxis', waves), nice: true, grid: true, tickFormat: score },
    y: { axis: null },
    marks: [
      Plot.ruleX([0], { stroke: ink, strokeWidth: 1.5 }),
      Plot.dot(classified(pairs), Plot.dodgeY({ x: 'change', r: 6, anchor: 'bottom', padding: 2, fill: 'cls', symbol: 'cls', stroke: 'white', title: (d: PlotRow) => `${d.code}: ${score(d.change!)}` })),
      ...(meanChange === null
        ? []
        : [
            Plot.ruleX([meanChange], { stroke: accent, strokeWidth: 2, strokeDasharray: '5,3' }),
            Plot.text([meanChange], { x: (d: number) => d, frameAnchor: 'top', dy: -14, text: (d: number) => t('staff.plot.meanValue', { value: fixed(d) }), fill: accent, fontWeight: 'bold' }),
          ]),
    ],
  })
}

/**
 * Jacobson & Truax (1991): first wave across, second up. Points on the diagonal did not change;
 * inside the band the change is within measurement error (|RCI| < 1.96); the dashed lines are the
 * clinical cut-off.
 */
export function jacobsonTruax(rows: PlotRow[], scale: ScaleReport, waves: { from: string; to: string }, label: string): Element {
  const pairs = paired(rows)
  const { min, max } = scale.range
  const band = scale.rci?.reliableChangePoints
  const cutoff = scale.cutoff?.value
  const { color, symbol } = classScales(pairs)
  return Plot.plot({
    ...base(label),
    width: 380,
    height: 380,
    marginBottom: 40,
    color,
    symbol,
    x: { domain: [min, max], label: t('staff.plot.scoreAt', { wave: waves.from }), tickFormat: score },
    y: { domain: [min, max], label: t('staff.plot.scoreAt', { wave: waves.to }), tickFormat: score },
    marks: [
      ...(band === undefined ? [] : [Plot.areaY([min, max], { x: (d: number) => d, y1: (d: number) => d - band, y2: (d: number) => d + band, fill: accent, fillOpacity: 0.12, clip: true })]),
      Plot.line(
        [
          [min, min],
          [max, max],
        ],
        { stroke: ink, strokeOpacity: 0.6, strokeDasharray: '2,3' },
      ),
      ...(cutoff === undefined
        ? []
        : [
            Plot.ruleX([cutoff], { stroke: '#b3541e', strokeDasharray: '6,4' }),
            Plot.ruleY([cutoff], { stroke: '#b3541e', strokeDasharray: '6,4' }),
            Plot.text([cutoff], { x: (d: number) => d, frameAnchor: 'top', dx: 4, dy: 6, textAnchor: 'start', text: () => t('staff.plot.cutoff', { value: fixed(cutoff) }), fill: '#b3541e' }),
          ]),
      Plot.dot(classified(pairs), { x: 'pre', y: 'post', r: 6, fill: 'cls', symbol: 'cls', stroke: 'white', title: (d: PlotRow) => `${d.code}: ${score(d.pre!)} → ${score(d.post!)}` }),
      Plot.frame({ stroke: '#c4cbc9' }),
    ],
  })
}

/** Sessions attended across, change up: is more attendance followed by more change? */
export function attendanceAndChange(rows: PlotRow[], sessions: number, waves: { from: string; to: string }, label: string): Element {
  const pairs = paired(rows)
  const most = Math.max(sessions, ...pairs.map((r) => r.attended))
  return Plot.plot({
    ...base(label),
    x: { domain: [0, Math.max(1, most)], label: t('staff.plot.attended'), ticks: Array.from({ length: Math.max(1, most) + 1 }, (_, i) => i), tickFormat: score, inset: 10 },
    y: { label: t('staff.plot.changeAxis', waves), grid: true, nice: true, inset: 10, tickFormat: score },
    marks: [
      Plot.ruleY([0], { stroke: ink, strokeWidth: 1.5 }),
      Plot.dot(pairs, { x: 'attended', y: 'change', r: 6, fill: accent, fillOpacity: 0.85, stroke: 'white', title: (d: PlotRow) => `${d.code}: ${t('staff.plot.attendedN', { count: d.attended })}, ${score(d.change!)}` }),
    ],
  })
}
