/**
 * The saturation figure, drawn with Observable Plot: new codes per interview as bars and the
 * cumulative number of unique codes as a line, on one axis (both count codes), in interview order.
 * The end of the base and the interview at which saturation was reached are marked.
 */
import * as Plot from '@observablehq/plot'
import { t } from '../../../lib/i18n'
import type { SaturationView } from '../types'

const ink = '#1d2a2f'
const bar = '#7fb7a6'
const line = '#1f6f5c'
const mark = '#D55E00'

export function saturationPlot(report: SaturationView, label: string): Element {
  const points = report.interviews.map((p) => ({ ...p, x: String(p.interview) }))
  const domain = points.map((p) => p.x)
  const base = report.parameters.base
  const saturatedAt = report.guest?.saturatedAt ?? null
  return Plot.plot({
    width: 720,
    height: 320,
    marginLeft: 48,
    marginBottom: 44,
    style: { fontFamily: 'inherit', fontSize: '12px', color: ink, background: 'transparent', overflow: 'visible' },
    ariaLabel: label,
    ariaDescription: t('staff.plot.seeTable'),
    x: { type: 'band', domain, label: t('staff.saturation.axisInterview'), padding: 0.25 },
    y: { label: t('staff.saturation.axisCodes'), grid: true, nice: true, zero: true },
    marks: [
      Plot.barY(points, { x: 'x', y: 'newCount', fill: bar, title: (d: (typeof points)[number]) => t('staff.saturation.barTitle', { n: d.interview, code: d.participant.label, count: d.newCount }) }),
      Plot.lineY(points, { x: 'x', y: 'cumulativeUnique', stroke: line, strokeWidth: 2.5, marker: 'circle' }),
      Plot.text(points.slice(-1), { x: 'x', y: 'cumulativeUnique', text: () => t('staff.saturation.cumulative'), dy: -12, fill: line, fontWeight: 'bold', textAnchor: 'end' }),
      ...(base < points.length ? [Plot.ruleX([String(base)], { stroke: ink, strokeDasharray: '4,3', strokeOpacity: 0.6, dx: 0 })] : []),
      ...(base < points.length ? [Plot.text([String(base)], { x: (d: string) => d, frameAnchor: 'top', text: () => t('staff.saturation.baseEnd'), dy: -4, textAnchor: 'middle', fill: ink })] : []),
      ...(saturatedAt !== null ? [Plot.ruleX([String(saturatedAt)], { stroke: mark, strokeWidth: 2 })] : []),
      ...(saturatedAt !== null ? [Plot.text([String(saturatedAt)], { x: (d: string) => d, frameAnchor: 'top', text: () => t('staff.saturation.reached'), dy: 10, textAnchor: 'start', dx: 6, fill: mark, fontWeight: 'bold' })] : []),
      Plot.ruleY([0]),
    ],
  })
}
