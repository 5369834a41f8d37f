/**
 * The pooled report of a study's groups: for each scale, the REML random-intercept model's pooled
 * change, variances, ICC and design effect, the attendance model, and a forest plot of the groups,
 * with the same figures as a table. Researchers only (the server checks).
 */
import { useCallback, useState } from 'react'
import { PlotFigure } from '../../components/PlotFigure'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { fixed, pValue, signedFixed } from '../format'
import { forestPlot } from '../pooled/forest-plot'
import { call, useResource } from '../request'
import type { PooledReport, PooledScale, WaveKind } from '../types'
import { Breadcrumbs, LoadError, Loading, usePageTitle } from '../ui'
import { WaveSelect } from '../WaveSelect'

const interval = (ci: [number, number] | null) => (ci ? `[${fixed(ci[0])}, ${fixed(ci[1])}]` : '–')

export function PooledReportPage({ id }: { id: string }) {
  const [waves, setWaves] = useState<{ from: WaveKind; to: WaveKind }>({ from: 'pre', to: 'post' })
  const study = useResource(() => call(api.studies[':id'].$get({ param: { id } })), [id])
  const report = useResource(() => call(api.studies[':id']['pooled-report'].$get({ param: { id }, query: { from: waves.from, to: waves.to, format: 'json' } })) as Promise<PooledReport>, [id, waves.from, waves.to])
  usePageTitle(study.data ? `${t('staff.pooled.title')} — ${study.data.name}` : undefined)
  if (report.error) return <LoadError error={report.error} retry={report.reload} />
  if (!report.data) return <Loading />
  const data = report.data
  const waveNames = { from: t(`staff.wave.${data.from}`), to: t(`staff.wave.${data.to}`) }
  const script = api.studies[':id']['pooled-report'].$url({ param: { id }, query: { from: data.from, to: data.to, format: 'r' } })
  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, { label: data.study.name, href: `/studies/${id}` }, { label: t('staff.pooled.title') }]} />
      <header className="page-header">
        <h1 tabIndex={-1}>{t('staff.pooled.title')}</h1>
        <p>{t('staff.pooled.intro', waveNames)}</p>
        <div className="inline-form">
          <WaveSelect inline label={t('staff.report.from')} value={waves.from} kinds={['pre', 'post', 'follow-up']} onChange={(from) => setWaves((w) => ({ ...w, from }))} />
          <WaveSelect inline label={t('staff.report.to')} value={waves.to} kinds={['pre', 'post', 'follow-up']} onChange={(to) => setWaves((w) => ({ ...w, to }))} />
        </div>
        {data.cohorts
          .filter((c) => !c.included)
          .map((c) => (
            <p key={c.id} className="muted">
              {t('staff.pooled.excluded', { name: c.name, reason: c.reason ?? '' })}
            </p>
          ))}
        <p>
          <a href={script.pathname + script.search} download="pooled-analysis.R" data-testid="pooled-script">
            {t('staff.pooled.script')}
          </a>
        </p>
      </header>
      {data.scales.length === 0 && <p>{t('staff.pooled.none')}</p>}
      {data.scales.map((scale) => (
        <PooledScaleSection key={`${scale.instrument}/${scale.scale}`} scale={scale} waves={waveNames} />
      ))}
    </>
  )
}

function PooledScaleSection({ scale, waves }: { scale: PooledScale; waves: { from: string; to: string } }) {
  const caption = t('staff.pooled.forestCaption', { scale: `${scale.instrumentTitle}: ${scale.label}` })
  const make = useCallback(() => forestPlot(scale, waves, caption), [scale, waves, caption])
  const reasons = [...Object.values(scale.unavailable), ...Object.values(scale.warnings)]
  return (
    <section className="panel" aria-label={`${scale.instrumentTitle}: ${scale.label}`} data-testid={`pooled-${scale.instrument}-${scale.scale}`}>
      <h2>
        {scale.instrumentTitle}: {scale.label}
      </h2>
      <table className="data compact" data-testid="pooled-model">
        <tbody>
          <tr>
            <th scope="row">{t('staff.pooled.estimate')}</th>
            <td className="num">{scale.pooled ? `${signedFixed(scale.pooled.estimate)} ${interval(scale.pooled.ci95)}` : '–'}</td>
            <td>{scale.pooled ? t('staff.pooled.tp', { df: scale.pooled.df, t: fixed(scale.pooled.t), p: pValue(scale.pooled.p) }) : ''}</td>
          </tr>
          <tr>
            <th scope="row">{t('staff.pooled.between')}</th>
            <td className="num">{scale.betweenVariance === null ? '–' : fixed(scale.betweenVariance)}</td>
            <td />
          </tr>
          <tr>
            <th scope="row">{t('staff.pooled.within')}</th>
            <td className="num">{scale.withinVariance === null ? '–' : fixed(scale.withinVariance)}</td>
            <td />
          </tr>
          <tr>
            <th scope="row">{t('staff.pooled.icc')}</th>
            <td className="num">{scale.icc === null ? '–' : fixed(scale.icc, 3)}</td>
            <td />
          </tr>
          <tr>
            <th scope="row">{t('staff.pooled.deff')}</th>
            <td className="num">{scale.designEffect === null ? '–' : fixed(scale.designEffect)}</td>
            <td />
          </tr>
          <tr>
            <th scope="row">{t('staff.pooled.attendance')}</th>
            <td className="num">{scale.attendance ? `${signedFixed(scale.attendance.perSession.estimate)} ${interval(scale.attendance.perSession.ci95)}` : '–'}</td>
            <td>{scale.attendance ? t('staff.pooled.tp', { df: scale.attendance.perSession.df, t: fixed(scale.attendance.perSession.t), p: pValue(scale.attendance.perSession.p) }) : ''}</td>
          </tr>
        </tbody>
      </table>
      {reasons.length > 0 && (
        <ul className="muted">
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      <PlotFigure caption={caption} make={make} note={t('staff.pooled.forestNote')}>
        <details className="plot-table" open>
          <summary>{t('staff.plot.showTable')}</summary>
          <table className="data compact" data-testid="forest-table">
            <caption>{caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t('staff.pooled.group')}</th>
                <th scope="col" className="num">
                  {t('staff.pooled.n')}
                </th>
                <th scope="col" className="num">
                  {t('staff.pooled.mean')}
                </th>
                <th scope="col" className="num">
                  {t('staff.pooled.predicted')}
                </th>
              </tr>
            </thead>
            <tbody>
              {scale.cohortEstimates.map((c) => (
                <tr key={c.cohortId}>
                  <th scope="row">{c.cohortName}</th>
                  <td className="num">{c.n}</td>
                  <td className="num">
                    {signedFixed(c.mean)} {interval(c.ci95)}
                  </td>
                  <td className="num">{c.predicted === null ? '–' : signedFixed(c.predicted)}</td>
                </tr>
              ))}
              {scale.pooled && (
                <tr>
                  <th scope="row">{t('staff.pooled.pooledRow')}</th>
                  <td className="num">{scale.n}</td>
                  <td className="num">
                    {signedFixed(scale.pooled.estimate)} {interval(scale.pooled.ci95)}
                  </td>
                  <td />
                </tr>
              )}
            </tbody>
          </table>
        </details>
      </PlotFigure>
    </section>
  )
}
