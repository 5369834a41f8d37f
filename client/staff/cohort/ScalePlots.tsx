/** The four figures of one scale (researchers only), each followed by its data as a table. */
import { useCallback } from 'react'
import { PlotFigure } from '../../components/PlotFigure'
import { t } from '../../lib/i18n'
import { fixed, score, signed } from '../format'
import type { ScaleReport } from '../types'
import { classLabel } from './labels'
import { attendanceAndChange, changeDistribution, jacobsonTruax, paired, prePostLines, type PlotRow } from './report-plots'
import { scaleTitle } from './StatisticsTable'

type Waves = { from: string; to: string }

/** Whether every cell of a column is a number (or a dash): those are right-aligned. */
const numericColumn = (rows: (string | number)[][], column: number) => rows.every((row) => typeof row[column] === 'number' || /^[-+]?[\d.,]+$|^–$/.test(String(row[column])))

function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: (string | number)[][] }) {
  const numeric = head.map((_, i) => i > 0 && numericColumn(rows, i))
  return (
    <details className="plot-table">
      <summary>{t('staff.plot.showTable')}</summary>
      <table className="data compact">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th scope="col" key={h} className={numeric[i] ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([first, ...rest], i) => (
            <tr key={i}>
              <th scope="row">{first}</th>
              {rest.map((cell, j) => (
                <td key={j} className={numeric[j + 1] ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  )
}

export function ScalePlots({ scale, rows, waves, sessions }: { scale: ScaleReport; rows: PlotRow[]; waves: Waves; sessions: number }) {
  const title = scaleTitle(scale)
  const pairs = paired(rows)
  const captions = {
    lines: t('staff.plot.linesCaption', { scale: title, ...waves }),
    change: t('staff.plot.changeCaption', { scale: title }),
    jt: t('staff.plot.jtCaption', { scale: title }),
    attendance: t('staff.plot.attendanceCaption', { scale: title }),
  }
  const makeLines = useCallback(() => prePostLines(rows, scale, waves, captions.lines), [rows, scale, waves, captions.lines])
  const makeChange = useCallback(() => changeDistribution(rows, waves, captions.change), [rows, waves, captions.change])
  const makeJt = useCallback(() => jacobsonTruax(rows, scale, waves, captions.jt), [rows, scale, waves, captions.jt])
  const makeAttendance = useCallback(() => attendanceAndChange(rows, sessions, waves, captions.attendance), [rows, sessions, waves, captions.attendance])
  const direction = scale.direction === 'higher-is-worse' ? t('staff.plot.lowerIsBetter') : t('staff.plot.higherIsBetter')

  return (
    <section className="scale-plots" aria-labelledby={`plots-${scale.instrument}-${scale.scale}`}>
      <h3 id={`plots-${scale.instrument}-${scale.scale}`}>{title}</h3>
      {pairs.length === 0 ? (
        <p className="muted">{t('staff.plot.noPairs')}</p>
      ) : (
        <div className="plot-grid">
          <PlotFigure caption={captions.lines} make={makeLines}>
            <DataTable caption={captions.lines} head={[t('staff.tracking.code'), waves.from, waves.to, t('staff.report.change')]} rows={pairs.map((r) => [r.code, score(r.pre), score(r.post), signed(r.change)])} />
          </PlotFigure>
          <PlotFigure caption={captions.change} make={makeChange} note={direction}>
            <DataTable caption={captions.change} head={[t('staff.tracking.code'), t('staff.report.change'), t('staff.report.classification')]} rows={pairs.map((r) => [r.code, signed(r.change), classLabel(r.classification)])} />
          </PlotFigure>
          <PlotFigure
            caption={captions.jt}
            make={makeJt}
            note={
              <>
                {scale.rci ? t('staff.plot.jtBand', { points: fixed(scale.rci.reliableChangePoints) }) : t('staff.plot.jtNoBand', { reason: scale.unavailable.rci ?? '' })}{' '}
                {scale.cutoff ? t('staff.plot.jtCutoff', { value: fixed(scale.cutoff.value), criterion: scale.cutoff.criterion }) : t('staff.plot.jtNoCutoff', { reason: scale.unavailable.cutoff ?? '' })}
              </>
            }
          >
            <DataTable
              caption={captions.jt}
              head={[t('staff.tracking.code'), waves.from, waves.to, t('staff.report.rci'), t('staff.report.classification')]}
              rows={pairs.map((r) => [r.code, score(r.pre), score(r.post), r.rci === null ? '–' : fixed(r.rci), classLabel(r.classification)])}
            />
          </PlotFigure>
          <PlotFigure caption={captions.attendance} make={makeAttendance} note={direction}>
            <DataTable caption={captions.attendance} head={[t('staff.tracking.code'), t('staff.plot.attended'), t('staff.report.change')]} rows={pairs.map((r) => [r.code, r.attended, signed(r.change)])} />
          </PlotFigure>
        </div>
      )}
    </section>
  )
}
