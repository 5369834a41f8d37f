/**
 * One participant (researchers only): scores and bands at each wave, change with its reliable
 * change classification, and any safety flag, shown first.
 */
import { api } from '../../lib/api'
import { ChangeHeaders } from '../../components/ChangeHeaders'
import { t } from '../../lib/i18n'
import { FootnoteList, Footnotes } from '../cohort/notes'
import { classLabel } from '../cohort/labels'
import { dateTime, fixed, score, signed } from '../format'
import { call, useResource } from '../request'
import type { Instrument, ParticipantReport } from '../types'
import { ParticipantAnswers } from './ParticipantAnswers'
import { Breadcrumbs, LoadError, Loading, participantStatusLabel, usePageTitle } from '../ui'

export function ParticipantReportPage({ id }: { id: string }) {
  const report = useResource(() => call(api.participants[':id'].report.$get({ param: { id } })), [id])
  const cohortId = report.data?.participant.cohortId
  const cohort = useResource(() => (cohortId ? call(api.cohorts[':id'].$get({ param: { id: cohortId } })) : Promise.resolve(null)), [cohortId])
  const instruments = useResource(() => call(api.instruments.$get()), [])
  usePageTitle(report.data ? t('staff.participant.title', { code: report.data.participant.code }) : undefined)
  if (report.error) return <LoadError error={report.error} retry={report.reload} />
  if (!report.data) return <Loading />
  const data = report.data
  const c = cohort.data

  return (
    <div className="participant-report">
      <Breadcrumbs
        items={[
          { label: t('staff.home.title'), href: '/' },
          ...(c ? [{ label: c.study.name, href: `/studies/${c.study.id}` }, { label: c.name, href: `/cohorts/${c.id}/participants` }] : []),
          { label: data.participant.code },
        ]}
      />
      <header className="page-header">
        {c && <p className="print-only">{t('staff.participant.printedFrom', { study: c.study.name, cohort: c.name, at: dateTime(new Date().toISOString()) })}</p>}
        <h1 tabIndex={-1}>{t('staff.participant.title', { code: data.participant.code })}</h1>
        <p>
          {t('staff.tracking.status')}: <span className={`status status-${data.participant.status}`}>{participantStatusLabel(data.participant.status)}</span>
          <button type="button" className="secondary small no-print print-button" onClick={() => window.print()}>
            {t('staff.report.print')}
          </button>
        </p>
      </header>
      <Flags flags={data.flags} instruments={instruments.data} />
      <Scores report={data} instruments={instruments.data} />
      {data.changes.map((change) => (
        <Change key={`${change.from}-${change.to}`} change={change} instruments={instruments.data} />
      ))}
      <ParticipantAnswers participantId={data.participant.id} studyId={c?.study.id} onCorrected={report.reload} />
    </div>
  )
}

function instrumentTitle(instruments: Instrument[] | undefined, id: string): string {
  return instruments?.find((i) => i.id === id)?.title ?? id
}

/** A scale by its own label ("PHQ-9 total", "Personal burnout"), as in the cohort report. */
function scaleName(instruments: Instrument[] | undefined, instrument: string, scale: string, label?: string): string {
  return label ?? instruments?.find((i) => i.id === instrument)?.scales.find((s) => s.id === scale)?.label ?? `${instrument} ${scale}`
}

function Flags({ flags, instruments }: { flags: ParticipantReport['flags']; instruments: Instrument[] | undefined }) {
  if (flags.length === 0) {
    return (
      <section className="panel" aria-labelledby="flags-heading">
        <h2 id="flags-heading">{t('staff.participant.flags')}</h2>
        <p>{t('staff.participant.noFlags')}</p>
      </section>
    )
  }
  return (
    <section className="panel flags" aria-labelledby="flags-heading" role="alert" data-testid="safety-flags">
      <h2 id="flags-heading">{t('staff.participant.flagsRaised', { n: flags.length })}</h2>
      <p>{t('staff.participant.flagsAdvice')}</p>
      <ul>
        {flags.map((flag, i) => (
          <li key={i} className={`flag flag-${flag.severity}`}>
            <strong>{flag.severity === 'safety' ? t('staff.participant.safetyFlag') : flag.severity}</strong> {flag.label}.{' '}
            {t('staff.participant.flagText', {
              instrument: instrumentTitle(instruments, flag.instrument),
              item: flag.item,
              value: flag.value,
              wave: flag.wave ? t(`staff.wave.${flag.wave}`) : t('staff.participant.noWave'),
            })}
          </li>
        ))}
      </ul>
    </section>
  )
}

/** Scores by scale (rows) and wave (columns), each with its band. */
function Scores({ report, instruments }: { report: ParticipantReport; instruments: Instrument[] | undefined }) {
  const scales: { key: string; instrument: string; scale: string; label: string }[] = []
  for (const wave of report.waves)
    for (const s of wave.scores) {
      const key = `${s.instrument}/${s.scale}`
      if (!scales.some((x) => x.key === key)) scales.push({ key, instrument: s.instrument, scale: s.scale, label: s.label })
    }
  return (
    <section className="panel" aria-labelledby="scores-heading">
      <h2 id="scores-heading">{t('staff.participant.scores')}</h2>
      {scales.length === 0 ? (
        <p>{t('staff.participant.noScores')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="participant-scores">
            <thead>
              <tr>
                <th scope="col">{t('staff.report.scale')}</th>
                {report.waves.map((w) => (
                  <th scope="col" key={w.kind}>
                    {t(`staff.wave.${w.kind}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {scales.map((s) => (
                <tr key={s.key}>
                  <th scope="row">{scaleName(instruments, s.instrument, s.scale, s.label)}</th>
                  {report.waves.map((w) => {
                    const found = w.scores.find((x) => x.instrument === s.instrument && x.scale === s.scale)
                    return (
                      <td key={w.kind}>
                        {found && found.score !== null ? (
                          <>
                            <span className="score">{score(found.score)}</span>
                            {found.band && <span className="cell-note">{found.band}</span>}
                          </>
                        ) : (
                          <span className="muted">{found ? t('staff.participant.notScored') : t('staff.participant.notAnswered')}</span>
                        )}
                      </td>
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function Change({ change, instruments }: { change: ParticipantReport['changes'][number]; instruments: Instrument[] | undefined }) {
  const notes = new Footnotes(`change-${change.from}-${change.to}`)
  const waves = { from: t(`staff.wave.${change.from}`), to: t(`staff.wave.${change.to}`) }
  const rows = change.scales.map((s) => ({
    key: `${s.instrument}/${s.scale}`,
    name: scaleName(instruments, s.instrument, s.scale),
    pre: s.pre === null ? '–' : score(s.pre),
    post: s.post === null ? '–' : score(s.post),
    change: s.change === null ? '–' : signed(s.change),
    rci: s.rci === null ? notes.missing(t('staff.participant.noRci')) : fixed(s.rci),
    classification: s.classification === null ? notes.missing(t('staff.participant.noRci')) : <span className={`class class-${s.classification}`}>{classLabel(s.classification)}</span>,
    bands: `${s.bandPre ?? '–'} → ${s.bandPost ?? '–'}`,
  }))
  return (
    <section className="panel" aria-labelledby={`change-${change.from}-${change.to}`}>
      <h2 id={`change-${change.from}-${change.to}`}>{t('staff.participant.change', waves)}</h2>
      {rows.length === 0 ? (
        <p>{t('staff.participant.noChange', waves)}</p>
      ) : (
        <>
          <div className="table-scroll">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('staff.report.scale')}</th>
                  <ChangeHeaders waves={waves} />
                  <th scope="col">{t('staff.participant.bands')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key}>
                    <th scope="row">{row.name}</th>
                    <td className="num">{row.pre}</td>
                    <td className="num">{row.post}</td>
                    <td className="num">{row.change}</td>
                    <td className="num">{row.rci}</td>
                    <td>{row.classification}</td>
                    <td>{row.bands}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <FootnoteList notes={notes} />
        </>
      )}
    </section>
  )
}
