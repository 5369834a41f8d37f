/** One row per participant and scale (researchers only): scores, change, reliable change and bands. */
import { Link } from 'wouter'
import { ChangeHeaders } from '../../components/ChangeHeaders'
import { t } from '../../lib/i18n'
import { fixed, score, signed } from '../format'
import type { ResearcherReport, ScaleReport } from '../types'
import { FootnoteList, Footnotes } from './notes'
import { classLabel } from './labels'
import { scaleTitle } from './StatisticsTable'

export function ParticipantTable({ report, idOf }: { report: ResearcherReport; idOf: (code: string) => string | undefined }) {
  const notes = new Footnotes('participants')
  const scaleOf = (instrument: string, scale: string) => report.scales.find((s) => s.instrument === instrument && s.scale === scale)
  const waves = { from: t(`staff.wave.${report.from}`), to: t(`staff.wave.${report.to}`) }
  const noScore = t('staff.report.noScoreAtWave')
  const why = (spec: ScaleReport | undefined, change: number | null) => (change === null ? noScore : (spec?.unavailable.rci ?? t('staff.report.notComputed')))

  const groups = report.participants.map((p) => ({
    participant: p,
    rows: p.scales.map((s) => {
      const spec = scaleOf(s.instrument, s.scale)
      return {
        key: `${s.instrument}/${s.scale}`,
        scale: spec ? scaleTitle(spec) : `${s.instrument} ${s.scale}`,
        pre: s.pre === null ? notes.missing(t('staff.report.noScoreAt', { wave: waves.from })) : score(s.pre),
        post: s.post === null ? notes.missing(t('staff.report.noScoreAt', { wave: waves.to })) : score(s.post),
        change: s.change === null ? notes.missing(noScore) : signed(s.change),
        rci: s.rci === null ? notes.missing(why(spec, s.change)) : fixed(s.rci),
        classification: s.classification === null ? notes.missing(why(spec, s.change)) : <span className={`class class-${s.classification}`}>{classLabel(s.classification)}</span>,
        bands: [s.bandPre ?? '–', s.bandPost ?? '–'],
      }
    }),
  }))

  return (
    <>
      <div className="table-scroll">
        <table className="data participants" data-testid="participant-table">
          <caption>{t('staff.report.participantsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('staff.tracking.code')}</th>
              <th scope="col" className="num">
                {t('staff.plot.attended')}
              </th>
              <th scope="col">{t('staff.report.scale')}</th>
              <ChangeHeaders waves={waves} />
              <th scope="col">{t('staff.report.bandAt', { wave: waves.from })}</th>
              <th scope="col">{t('staff.report.bandAt', { wave: waves.to })}</th>
            </tr>
          </thead>
          {groups.map(({ participant, rows }) => {
            const id = idOf(participant.code)
            return (
              <tbody key={participant.code} className={participant.withdrawn ? 'withdrawn' : undefined}>
                {rows.map((row, i) => (
                  <tr key={row.key}>
                    {i === 0 && (
                      <>
                        <th scope="rowgroup" rowSpan={rows.length} className="code">
                          {id ? <Link href={`/participants/${id}`}>{participant.code}</Link> : participant.code}
                          {participant.withdrawn && <span className="badge muted">{t('staff.participantStatus.withdrawn')}</span>}
                        </th>
                        <td rowSpan={rows.length} className="num">
                          {participant.attended}
                        </td>
                      </>
                    )}
                    <td>{row.scale}</td>
                    <td className="num">{row.pre}</td>
                    <td className="num">{row.post}</td>
                    <td className="num">{row.change}</td>
                    <td className="num">{row.rci}</td>
                    <td>{row.classification}</td>
                    <td>{row.bands[0]}</td>
                    <td>{row.bands[1]}</td>
                  </tr>
                ))}
              </tbody>
            )
          })}
        </table>
      </div>
      <FootnoteList notes={notes} />
    </>
  )
}
