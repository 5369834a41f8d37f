/**
 * The cohort report, for researchers: the statistics, the figures and every participant. (Program
 * leads never get it: they see released, disclosure-controlled snapshots, ReleasesTab.)
 */
import { useMemo, useState } from 'react'
import { defaultWaves, orderedKinds, WavePairSelect } from '../WaveSelect'
import { Funnel, type FunnelStep } from '../../components/Funnel'
import { api } from '../../lib/api'
import { formatNumber, t } from '../../lib/i18n'
import { dateTime } from '../format'
import { call, useResource } from '../request'
import { waveKinds, type CohortDetail, type CohortReportView, type ResearcherReport, type WaveKind } from '../types'
import { LoadError, Loading } from '../ui'
import { ParticipantTable } from './ParticipantTable'
import type { PlotRow } from './report-plots'
import { ScalePlots } from './ScalePlots'
import { StatisticsTable } from './StatisticsTable'

function loadReport(id: string, from: WaveKind, to: WaveKind): Promise<CohortReportView> {
  // With format=json the answer is the report object; the route's response type also lists the
  // CSV and Markdown text variants, which this call never receives.
  return call(api.cohorts[':id'].report.$get({ param: { id }, query: { from, to, format: 'json' } })) as Promise<CohortReportView>
}

/** The same report as a file (the server writes CSV and Markdown), for R, a spreadsheet or an appendix. */
function downloadUrl(id: string, waves: { from: WaveKind; to: WaveKind }, format: 'csv' | 'md'): string {
  const url = api.cohorts[':id'].report.$url({ param: { id }, query: { ...waves, format } })
  return url.pathname + url.search
}

export function ReportTab({ cohort }: { cohort: CohortDetail }) {
  const kinds = orderedKinds(cohort.waves.map((w) => w.kind))
  const [waves, setWaves] = useState<{ from: WaveKind; to: WaveKind }>(defaultWaves(kinds))
  const researcher = cohort.roles.includes('researcher')
  const report = useResource(() => loadReport(cohort.id, waves.from, waves.to), [cohort.id, waves.from, waves.to])
  // Researchers' codes link to each participant's page; the report itself names participants by code only.
  const tracking = useResource(() => (researcher ? call(api.cohorts[':id'].tracking.$get({ param: { id: cohort.id } })) : Promise.resolve(null)), [cohort.id, researcher])
  const idOf = useMemo(() => {
    const ids = new Map(tracking.data?.participants.map((p) => [p.code, p.id]))
    return (code: string) => ids.get(code)
  }, [tracking.data])

  return (
    <div className="tab-panel report">
      <div className="report-toolbar no-print">
        <WavePairSelect kinds={kinds} waves={waves} onChange={setWaves} />
        <a className="button secondary" href={downloadUrl(cohort.id, waves, 'csv')} download={`report-${waves.from}-${waves.to}.csv`}>
          {t('staff.report.csv')}
        </a>
        <a className="button secondary" href={downloadUrl(cohort.id, waves, 'md')} download={`report-${waves.from}-${waves.to}.md`}>
          {t('staff.report.markdown')}
        </a>
        <button type="button" className="secondary" onClick={() => window.print()}>
          {t('staff.report.print')}
        </button>
      </div>
      {report.error ? <LoadError error={report.error} retry={report.reload} /> : !report.data ? <Loading /> : <ReportBody report={report.data} sessions={cohort.sessions.length} idOf={idOf} />}
    </div>
  )
}

export function ReportBody({ report, sessions, idOf }: { report: CohortReportView; sessions: number; idOf: (code: string) => string | undefined }) {
  const waves = useMemo(() => ({ from: t(`staff.wave.${report.from}`), to: t(`staff.wave.${report.to}`) }), [report.from, report.to])
  return (
    <>
      <section className="panel" aria-labelledby="report-heading">
        <h2 id="report-heading">{t('staff.report.title', waves)}</h2>
        <p className="muted">
          {t('staff.report.generated', { at: dateTime(report.generatedAt), study: report.cohort.studyName, cohort: report.cohort.name })} {t('staff.report.changeIs', waves)}
        </p>
        <h3>{t('staff.report.participation')}</h3>
        <ReportFunnel report={report} />
        {report.view === 'researcher' && <OutsideWave report={report} />}
      </section>
      <section className="panel" aria-labelledby="stats-heading">
        <h2 id="stats-heading">{t('staff.report.statistics')}</h2>
        {report.scales.length === 0 ? <p>{t('staff.report.noScales')}</p> : <StatisticsTable report={report} />}
      </section>
      {report.view === 'researcher' && report.scales.length > 0 && <Figures report={report} waves={waves} sessions={sessions} />}
      {report.view === 'researcher' && (
        <section className="panel" aria-labelledby="per-participant-heading">
          <h2 id="per-participant-heading">{t('staff.report.perParticipant')}</h2>
          {report.participants.length === 0 ? <p>{t('staff.report.noParticipants')}</p> : <ParticipantTable report={report} idOf={idOf} />}
        </section>
      )}
    </>
  )
}

/** Questionnaires submitted outside their wave's dates: counted, and flagged for the researcher to judge. */
function OutsideWave({ report }: { report: ResearcherReport }) {
  const outside = report.outsideWave ?? []
  if (outside.length === 0) return null
  return (
    <div className="notice warning" data-testid="outside-wave">
      <p>{t('staff.report.outsideWave', { count: outside.length })}</p>
      <ul>
        {outside.map((o) => (
          <li key={`${o.participantId}-${o.wave}-${o.instrument}`}>
            {t('staff.report.outsideWaveLine', { code: o.code, wave: t(`staff.wave.${o.wave}`), instrument: o.instrument, at: dateTime(o.completedAt), opens: dateTime(o.opensAt), closes: dateTime(o.closesAt) })}
          </li>
        ))}
      </ul>
    </div>
  )
}

function Figures({ report, waves, sessions }: { report: ResearcherReport; waves: { from: string; to: string }; sessions: number }) {
  const rowsByScale = useMemo(
    () =>
      new Map(
        report.scales.map((scale) => [
          `${scale.instrument}/${scale.scale}`,
          report.participants.flatMap((p): PlotRow[] =>
            p.scales.filter((s) => s.instrument === scale.instrument && s.scale === scale.scale).map((s) => ({ code: p.code, attended: p.attended, pre: s.pre, post: s.post, change: s.change, rci: s.rci, classification: s.classification })),
          ),
        ]),
      ),
    [report],
  )
  return (
    <section className="panel" aria-labelledby="figures-heading" data-testid="figures">
      <h2 id="figures-heading">{t('staff.report.figures')}</h2>
      <p className="muted no-print">{t('staff.report.figuresIntro')}</p>
      {report.scales.map((scale) => (
        <ScalePlots key={`${scale.instrument}/${scale.scale}`} scale={scale} rows={rowsByScale.get(`${scale.instrument}/${scale.scale}`)!} waves={waves} sessions={sessions} />
      ))}
    </section>
  )
}

function ReportFunnel({ report }: { report: CohortReportView }) {
  const missing = t('staff.report.notComputed')
  const f = report.funnel
  const steps: FunnelStep[] = [
    { label: t('staff.funnel.enrolled'), value: f.enrolled },
    { label: t('staff.funnel.consented'), value: f.consented, missing },
    ...waveKinds.filter((k) => k in f.completed).map((k) => ({ label: t('staff.funnel.completedWave', { wave: t(`staff.wave.${k}`) }), value: f.completed[k] ?? null, missing })),
    { label: t('staff.funnel.paired', { from: t(`staff.wave.${report.from}`), to: t(`staff.wave.${report.to}`) }), value: f.paired, missing },
  ]
  return (
    <>
      <Funnel steps={steps} label={t('staff.report.participation')} />
      <p className="muted">
        {t('staff.funnel.withdrawn')}: {f.withdrawn === null ? missing : formatNumber(f.withdrawn)}
      </p>
    </>
  )
}
