/**
 * Plots for program leads, drawn only from a release's own figures: each scale's released mean at
 * the first and the later wave, on the scale's full range, with its table. Nothing per person and
 * nothing that was not released: a scale whose means were withheld has no plot.
 */
import * as Plot from '@observablehq/plot'
import { useCallback } from 'react'
import { PlotFigure } from '../../components/PlotFigure'
import { inLanguage, t } from '../../lib/i18n'
import { released } from '../format'

type ReleasedScaleMeans = { instrument: string; scale: string; label: string; range: { min: number; max: number }; pre: { mean: number | null }; post: { mean: number | null } }

export function ReleasedPlots({ from, to, scales }: { from: string; to: string; scales: ReleasedScaleMeans[] }) {
  const drawn = scales.filter((s) => s.pre.mean !== null && s.post.mean !== null)
  if (drawn.length === 0) return null
  return (
    <div className="plots" data-testid="released-plots">
      {drawn.map((s) => (
        <ReleasedMeans key={`${s.instrument}/${s.scale}`} scale={s} from={from} to={to} />
      ))}
    </div>
  )
}

function ReleasedMeans({ scale, from, to }: { scale: ReleasedScaleMeans; from: string; to: string }) {
  const caption = t('staff.release.plotCaption', { scale: inLanguage(scale), from, to })
  const points = [
    { wave: from, mean: scale.pre.mean! },
    { wave: to, mean: scale.post.mean! },
  ]
  const make = useCallback(
    () =>
      Plot.plot({
        width: 260,
        height: 220,
        marginLeft: 44,
        style: { fontFamily: 'inherit', fontSize: '12px', background: 'transparent' },
        ariaLabel: caption,
        x: { domain: [from, to], label: null },
        y: { domain: [scale.range.min, scale.range.max], label: t('staff.release.plotMean'), grid: true, tickFormat: released },
        marks: [Plot.line(points, { x: 'wave', y: 'mean', stroke: '#1f6f5c' }), Plot.dot(points, { x: 'wave', y: 'mean', fill: '#1f6f5c', r: 4 }), Plot.text(points, { x: 'wave', y: 'mean', text: (p: { mean: number }) => released(p.mean), dy: -10 })],
      }),
    [caption, from, to, scale.range.min, scale.range.max, scale.pre.mean, scale.post.mean],
  )
  return (
    <PlotFigure caption={caption} make={make}>
      <table className="data compact" data-testid="released-plot-table">
        <caption>{caption}</caption>
        <tbody>
          {points.map((p) => (
            <tr key={p.wave}>
              <th scope="row">{p.wave}</th>
              <td className="num">{released(p.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </PlotFigure>
  )
}
