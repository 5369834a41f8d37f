/**
 * The forest plot of a pooled report: one row per cohort with its own mean change and 95% t
 * interval (square sized by its number of pairs) and the model's prediction for it (open circle,
 * shrunk towards the pooled mean), and the pooled REML estimate (diamond) with its CI (thick line)
 * at the bottom. The line at 0 is no change. Drawn with Observable Plot, as the cohort report's figures.
 */
import * as Plot from '@observablehq/plot'
import { t } from '../../lib/i18n'
import { fixed } from '../format'
import type { PooledScale } from '../types'

const ink = '#1d2a2f'
const accent = '#1f6f5c'
const muted = '#7f9a92'

export function forestPlot(scale: PooledScale, waves: { from: string; to: string }, label: string): Element {
  const pooledLabel = t('staff.pooled.pooledRow')
  const rows = scale.cohortEstimates.map((c) => ({ ...c, row: `${c.cohortName} (n = ${c.n})` }))
  const domain = [...rows.map((r) => r.row), ...(scale.pooled ? [pooledLabel] : [])]
  const intervals = rows.filter((r) => r.ci95 !== null).map((r) => ({ row: r.row, lower: r.ci95![0], upper: r.ci95![1] }))
  const pooled = scale.pooled
  return Plot.plot({
    width: 620,
    height: 60 + 34 * domain.length,
    marginLeft: 170,
    marginRight: 30,
    marginBottom: 42,
    style: { fontFamily: 'inherit', fontSize: '12px', color: ink, background: 'transparent', overflow: 'visible' },
    ariaLabel: label,
    ariaDescription: t('staff.plot.seeTable'),
    x: { label: t('staff.plot.changeAxis', waves), grid: true, nice: true },
    y: { domain, label: null },
    r: { range: [3, 9] },
    marks: [
      Plot.ruleX([0], { stroke: ink, strokeWidth: 1.2 }),
      Plot.ruleY(intervals, { y: 'row', x1: 'lower', x2: 'upper', stroke: muted, strokeWidth: 2 }),
      Plot.dot(rows, { x: 'mean', y: 'row', r: 'n', symbol: 'square', fill: muted, title: (d: (typeof rows)[number]) => `${d.cohortName}: ${fixed(d.mean)}` }),
      Plot.dot(
        rows.filter((r) => r.predicted !== null),
        { x: 'predicted', y: 'row', r: 4, stroke: accent, strokeWidth: 2, fill: 'white', title: (d: (typeof rows)[number]) => `${t('staff.pooled.predicted')}: ${fixed(d.predicted!)}` },
      ),
      ...(pooled
        ? [
            Plot.ruleY([pooled], { y: () => pooledLabel, x1: (d: typeof pooled) => d.ci95[0], x2: (d: typeof pooled) => d.ci95[1], stroke: accent, strokeWidth: 5 }),
            Plot.dot([pooled], { x: 'estimate', y: () => pooledLabel, symbol: 'diamond', r: 9, fill: accent, stroke: 'white', title: (d: typeof pooled) => `${pooledLabel}: ${fixed(d.estimate)} [${fixed(d.ci95[0])}, ${fixed(d.ci95[1])}]` }),
            Plot.ruleX([pooled.estimate], { stroke: accent, strokeDasharray: '4,3' }),
          ]
        : []),
    ],
  })
}
