/**
 * Code saturation (Guest, Namey & Chen 2020): new codes per interview in the order held, the
 * cumulative curve, the base/run/threshold assessment and the sentence for the Methods section.
 */
import { useCallback, useState } from 'react'
import { CopyButton } from '../../../components/CopyButton'
import { ErrorNotice } from '../../../components/Notice'
import { PlotFigure } from '../../../components/PlotFigure'
import { api } from '../../../lib/api'
import { t } from '../../../lib/i18n'
import { call, useResource } from '../../request'
import { LoadError, Loading } from '../../ui'
import { percent } from '../numbers'
import type { SaturationView } from '../types'
import { saturationPlot } from './saturation-plot'

type Parameters = { base: string; run: string; threshold: string }

/** The threshold is typed as a percentage (5), the API takes a proportion (0.05). */
const toQuery = (p: Parameters) => ({ base: p.base, run: p.run, threshold: String(Number(p.threshold) / 100) })

export function SaturationTab({ studyId }: { studyId: string }) {
  const [form, setForm] = useState<Parameters>({ base: '4', run: '2', threshold: '5' })
  const [applied, setApplied] = useState<Parameters>(form)
  const report = useResource(() => call(api.studies[':id'].saturation.$get({ param: { id: studyId }, query: toQuery(applied) })), [studyId, applied.base, applied.run, applied.threshold])
  const problems = report.error?.fieldProblems() ?? {}
  return (
    <section className="panel" aria-labelledby="saturation-heading">
      <h2 id="saturation-heading">{t('staff.saturation.title')}</h2>
      <p className="muted">{t('staff.saturation.intro')}</p>
      <form
        className="analysis-toolbar no-print"
        aria-label={t('staff.saturation.parameters')}
        onSubmit={(e) => {
          e.preventDefault()
          setApplied(form)
        }}
      >
        <NumberField label={t('staff.saturation.base')} hint={t('staff.saturation.baseHint')} value={form.base} min={1} step={1} error={problems.base} onChange={(base) => setForm({ ...form, base })} />
        <NumberField label={t('staff.saturation.run')} hint={t('staff.saturation.runHint')} value={form.run} min={1} step={1} error={problems.run} onChange={(run) => setForm({ ...form, run })} />
        <NumberField label={t('staff.saturation.threshold')} hint={t('staff.saturation.thresholdHint')} value={form.threshold} min={0} max={100} step={0.5} error={problems.threshold} onChange={(threshold) => setForm({ ...form, threshold })} />
        <button type="submit" className="secondary">
          {t('staff.saturation.update')}
        </button>
      </form>
      {report.error ? (
        Object.keys(problems).length > 0 ? null : <LoadError error={report.error} retry={report.reload} />
      ) : !report.data ? (
        <Loading />
      ) : (
        <SaturationBody report={report.data} />
      )}
    </section>
  )
}

function NumberField({ label, hint, value, min, max, step, error, onChange }: { label: string; hint: string; value: string; min: number; max?: number; step: number; error?: string; onChange: (value: string) => void }) {
  return (
    <label className={`field${error ? ' has-error' : ''}`}>
      <span>{label}</span>
      <input type="number" required min={min} max={max} step={step} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} />
      <small className="hint">{hint}</small>
      {error && <span className="field-error">{error}</span>}
    </label>
  )
}

function SaturationBody({ report }: { report: SaturationView }) {
  const caption = t('staff.saturation.caption')
  const make = useCallback(() => saturationPlot(report, caption), [report, caption])
  if (report.interviews.length === 0) return <p className="muted">{t('staff.saturation.noCodings')}</p>
  return (
    <>
      <h3>{t('staff.saturation.methods')}</h3>
      {report.methodsSentence ? (
        <div className="methods">
          <p className="methods-sentence" data-testid="methods-sentence">
            {report.methodsSentence}
          </p>
          <CopyButton text={report.methodsSentence} label={t('staff.saturation.copy')} />
        </div>
      ) : (
        <ErrorNotice message={report.unavailable ?? t('staff.saturation.notAssessed')} />
      )}
      {report.notCoded.length > 0 && <p className="muted">{t('staff.saturation.notCoded', { codes: report.notCoded.map((p) => p.label).join(', ') })}</p>}
      <PlotFigure caption={caption} make={make} note={t('staff.saturation.plotNote')}>
        <details className="plot-table" open>
          <summary>{t('staff.plot.showTable')}</summary>
          <table className="data compact" data-testid="saturation-table">
            <caption>{caption}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('staff.coding.order')}
                </th>
                <th scope="col">{t('staff.interviews.participant')}</th>
                <th scope="col" className="num">
                  {t('staff.saturation.codesApplied')}
                </th>
                <th scope="col" className="num">
                  {t('staff.saturation.newCodes')}
                </th>
                <th scope="col" className="num">
                  {t('staff.saturation.cumulative')}
                </th>
                <th scope="col">{t('staff.saturation.whichNew')}</th>
              </tr>
            </thead>
            <tbody>
              {report.interviews.map((p) => (
                <tr key={p.interview}>
                  <th scope="row" className="num">
                    {p.interview}
                  </th>
                  <td>{p.participant.label}</td>
                  <td className="num">{p.codes}</td>
                  <td className="num">{p.newCount}</td>
                  <td className="num">{p.cumulativeUnique}</td>
                  <td className="small">{p.newCodes.map((c) => c.name).join(', ') || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </PlotFigure>
      {report.guest && report.guest.steps.length > 0 && (
        <>
          <h3>{t('staff.saturation.runs')}</h3>
          <table className="data compact stats" data-testid="saturation-runs">
            <caption>{t('staff.saturation.runsCaption', { base: report.guest.baseCodes, threshold: percent(report.parameters.threshold) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('staff.saturation.runColumn')}</th>
                <th scope="col" className="num">
                  {t('staff.saturation.newCodes')}
                </th>
                <th scope="col" className="num">
                  {t('staff.saturation.ratio')}
                </th>
                <th scope="col">{t('staff.saturation.saturated')}</th>
              </tr>
            </thead>
            <tbody>
              {report.guest.steps.map((step) => (
                <tr key={step.runStart}>
                  <th scope="row">{step.runStart === step.runEnd ? t('staff.saturation.runOne', { n: step.runStart }) : t('staff.saturation.runMany', { from: step.runStart, to: step.runEnd })}</th>
                  <td className="num">{step.newCodes}</td>
                  <td className="num">{percent(step.ratio)}</td>
                  <td>{step.ratio <= report.parameters.threshold ? t('staff.yes') : t('staff.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  )
}
