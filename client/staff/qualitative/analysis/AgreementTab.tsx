/**
 * Inter-coder agreement of two coders on fixed units (sentences or speaker turns): per code and
 * overall, percent agreement, Cohen's κ and Brennan–Prediger κ; then every unit they disagree on,
 * where the coders record how they resolved it after discussing it.
 */
import { useId, useState } from 'react'
import { Link } from 'wouter'
import { ErrorNotice } from '../../../components/Notice'
import { api } from '../../../lib/api'
import { t } from '../../../lib/i18n'
import { dateTime } from '../../format'
import { call, useAction, useResource } from '../../request'
import { LoadError, Loading } from '../../ui'
import { coefficient, percent } from '../numbers'
import { studyCoders, type Coder } from '../coders'
import type { AgreementView, DisagreementView } from '../types'

type Unit = 'sentence' | 'turn'
type Query = { coderA: string; coderB: string; unit: Unit }

export function AgreementTab({ studyId }: { studyId: string }) {
  const coders = useResource(() => studyCoders(studyId), [studyId])
  if (coders.error) return <LoadError error={coders.error} retry={coders.reload} />
  if (!coders.data) return <Loading />
  return <Agreement studyId={studyId} coders={coders.data} />
}

function Agreement({ studyId, coders }: { studyId: string; coders: Coder[] }) {
  // The two who coded most, to start with.
  const [form, setForm] = useState<Query>({ coderA: coders[0]?.id ?? '', coderB: coders[1]?.id ?? '', unit: 'sentence' })
  const [query, setQuery] = useState<Query | null>(coders.length >= 2 ? form : null)
  const report = useResource(
    () => (query ? call(api.studies[':id'].agreement.$get({ param: { id: studyId }, query })) : Promise.resolve(null)),
    [studyId, query?.coderA, query?.coderB, query?.unit],
  )
  const names = new Map(coders.map((c) => [c.id, c.name]))
  const problems = report.error?.fieldProblems() ?? {}
  return (
    <section className="panel" aria-labelledby="agreement-heading">
      <h2 id="agreement-heading">{t('staff.agreement.title')}</h2>
      <p className="muted">{t('staff.agreement.intro')}</p>
      {coders.length < 2 ? (
        <p className="warning">{t('staff.agreement.needTwo')}</p>
      ) : (
        <form
          className="analysis-toolbar no-print"
          aria-label={t('staff.agreement.choose')}
          onSubmit={(e) => {
            e.preventDefault()
            setQuery(form)
          }}
        >
          <CoderSelect label={t('staff.agreement.coderA')} value={form.coderA} coders={coders} error={problems.coderA} onChange={(coderA) => setForm({ ...form, coderA })} />
          <CoderSelect label={t('staff.agreement.coderB')} value={form.coderB} coders={coders} error={problems.coderB} onChange={(coderB) => setForm({ ...form, coderB })} />
          <label className="field">
            <span>{t('staff.agreement.unit')}</span>
            <select value={form.unit} onChange={(e) => setForm({ ...form, unit: e.target.value === 'turn' ? 'turn' : 'sentence' })}>
              <option value="sentence">{t('staff.agreement.unit.sentence')}</option>
              <option value="turn">{t('staff.agreement.unit.turn')}</option>
            </select>
          </label>
          <button type="submit" className="secondary">
            {t('staff.agreement.compare')}
          </button>
        </form>
      )}
      {report.error ? (
        <ErrorNotice message={report.error.message} />
      ) : report.loading && !report.data ? (
        <Loading />
      ) : report.data ? (
        <AgreementBody studyId={studyId} report={report.data} names={names} onResolved={report.reload} />
      ) : null}
    </section>
  )
}

function CoderSelect({ label, value, coders, error, onChange }: { label: string; value: string; coders: Coder[]; error?: string; onChange: (value: string) => void }) {
  return (
    <label className={`field${error ? ' has-error' : ''}`}>
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined}>
        {coders.map((c) => (
          <option key={c.id} value={c.id}>
            {t('staff.agreement.coderOption', { name: c.name, count: c.codings })}
          </option>
        ))}
      </select>
      {error && <span className="field-error">{error}</span>}
    </label>
  )
}

function AgreementBody({ studyId, report, names, onResolved }: { studyId: string; report: AgreementView; names: ReadonlyMap<string, string>; onResolved: () => Promise<void> }) {
  const [unresolvedOnly, setUnresolvedOnly] = useState(false)
  const o = report.overall
  const unitName = t(`staff.agreement.units.${report.unit}`)
  const compared = report.transcripts.filter((tr) => tr.compared)
  const shown = unresolvedOnly ? report.disagreements.filter((d) => !d.resolution) : report.disagreements
  return (
    <>
      <h3>{t('staff.agreement.overall')}</h3>
      <dl className="facts agreement-facts" data-testid="agreement-overall">
        <div>
          <dt>{t('staff.agreement.percent')}</dt>
          <dd>{percent(o.percentAgreement)}</dd>
        </div>
        <div>
          <dt>{t('staff.agreement.kappa')}</dt>
          <dd>{coefficient(o.cohensKappa)}</dd>
        </div>
        <div>
          <dt>{t('staff.agreement.bp')}</dt>
          <dd>{coefficient(o.brennanPrediger)}</dd>
        </div>
        <div>
          <dt>{t('staff.agreement.pooledCodeKappa')}</dt>
          <dd>{coefficient(o.pooledCodeKappa)}</dd>
        </div>
        <div>
          <dt>{t('staff.agreement.codedOnly')}</dt>
          <dd>{o.codedOnlyAgreement === null ? '–' : percent(o.codedOnlyAgreement)}</dd>
        </div>
        <div>
          <dt>{t('staff.agreement.basis')}</dt>
          <dd>{t('staff.agreement.basisValue', { units: o.units, unit: unitName, codes: o.codes, transcripts: compared.length })}</dd>
        </div>
      </dl>
      <p className="muted small" data-testid="agreement-definition">{o.definition}</p>
      {o.reason && <p className="muted">{o.reason}</p>}
      {report.transcripts.length > compared.length && (
        <p className="muted">{t('staff.agreement.notCompared', { codes: report.transcripts.filter((tr) => !tr.compared).map((tr) => tr.participant.label).join(', ') })}</p>
      )}

      <h3>{t('staff.agreement.perCode')}</h3>
      <div className="table-scroll">
        <table className="data compact" data-testid="agreement-per-code">
          <caption>{t('staff.agreement.perCodeCaption', { a: report.coders.A.name, b: report.coders.B.name, unit: unitName })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('staff.coding.code')}</th>
              <th scope="col" className="num" title={t('staff.agreement.bothTitle')}>
                {t('staff.agreement.both')}
              </th>
              <th scope="col" className="num">
                {t('staff.agreement.onlyA')}
              </th>
              <th scope="col" className="num">
                {t('staff.agreement.onlyB')}
              </th>
              <th scope="col" className="num">
                {t('staff.agreement.neither')}
              </th>
              <th scope="col" className="num">
                {t('staff.agreement.percent')}
              </th>
              <th scope="col" className="num">
                {t('staff.agreement.kappa')}
              </th>
              <th scope="col" className="num">
                {t('staff.agreement.bp')}
              </th>
            </tr>
          </thead>
          <tbody>
            {report.perCode.map((row) => (
              <tr key={row.code.id}>
                <th scope="row">
                  {row.code.name}
                  {(row.theme || row.category) && <span className="cell-note">{[row.theme?.name, row.category?.name].filter(Boolean).join(' › ')}</span>}
                </th>
                <td className="num">{row.a}</td>
                <td className="num">{row.b}</td>
                <td className="num">{row.c}</td>
                <td className="num">{row.d}</td>
                <td className="num">{percent(row.percentAgreement)}</td>
                <td className="num">
                  {coefficient(row.cohensKappa)}
                  {row.reason && <span className="cell-note">{row.reason}</span>}
                </td>
                <td className="num">{coefficient(row.brennanPrediger)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('staff.agreement.overall')}</th>
              <td className="num">{o.a}</td>
              <td className="num">{o.b}</td>
              <td className="num">{o.c}</td>
              <td className="num">{o.d}</td>
              <td className="num">{percent(o.percentAgreement)}</td>
              <td className="num">{coefficient(o.cohensKappa)}</td>
              <td className="num">{coefficient(o.brennanPrediger)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted small">{t('staff.agreement.statsNote')}</p>

      <h3>{t('staff.agreement.disagreements', { n: report.disagreements.length, resolved: report.resolved })}</h3>
      {report.disagreements.length === 0 ? (
        <p className="muted">{t('staff.agreement.noDisagreements')}</p>
      ) : (
        <>
          <label className="check no-print">
            <input type="checkbox" checked={unresolvedOnly} onChange={(e) => setUnresolvedOnly(e.target.checked)} />
            <span>{t('staff.agreement.unresolvedOnly', { n: report.unresolved })}</span>
          </label>
          <ol className="disagreements" data-testid="disagreements">
            {shown.map((d) => (
              <DisagreementItem key={`${d.transcriptId}/${d.code.id}/${d.span.start}`} d={d} report={report} names={names} studyId={studyId} onResolved={onResolved} />
            ))}
          </ol>
        </>
      )}
    </>
  )
}

function DisagreementItem({ d, report, names, onResolved }: { d: DisagreementView; report: AgreementView; names: ReadonlyMap<string, string>; studyId: string; onResolved: () => Promise<void> }) {
  const id = useId()
  const [decision, setDecision] = useState<'applies' | 'does_not_apply'>('applies')
  const [note, setNote] = useState('')
  const [open, setOpen] = useState(false)
  const record = useAction(async () => {
    await call(api.transcripts[':id'].resolutions.$post({ param: { id: d.transcriptId }, json: { codeId: d.code.id, start: d.span.start, end: d.span.end, decision, note } }))
    setOpen(false)
    await onResolved()
  })
  const coder = d.codedBy === 'A' ? report.coders.A : report.coders.B
  const other = d.codedBy === 'A' ? report.coders.B : report.coders.A
  return (
    <li className={d.resolution ? 'disagreement resolved' : 'disagreement'}>
      <p className="disagreement-head">
        <strong>{d.code.name}</strong> · <Link href={`/transcripts/${d.transcriptId}?coders=all`}>{d.participant.label}</Link> ·{' '}
        <span className="muted">{t('staff.agreement.codedBy', { coder: coder.name, other: other.name })}</span>
      </p>
      <blockquote className="unit-text">{d.text}</blockquote>
      {d.resolution ? (
        <p className="resolution">
          <span className={`badge ${d.resolution.decision === 'applies' ? '' : 'muted'}`}>{t(`staff.agreement.decision.${d.resolution.decision}`)}</span> {d.resolution.note}
          <span className="muted small"> — {t('staff.history.byAt', { who: names.get(d.resolution.decidedBy) ?? d.resolution.decidedBy, at: dateTime(d.resolution.decidedAt) })}</span>
        </p>
      ) : open ? (
        <form
          className="resolve-form"
          onSubmit={(e) => {
            e.preventDefault()
            void record.run()
          }}
        >
          <fieldset>
            <legend>{t('staff.agreement.resolveLegend', { code: d.code.name })}</legend>
            {(['applies', 'does_not_apply'] as const).map((value) => (
              <label key={value} className="radio">
                <input type="radio" name={`${id}-decision`} value={value} checked={decision === value} onChange={() => setDecision(value)} autoFocus={value === 'applies'} /> {t(`staff.agreement.decision.${value}`)}
              </label>
            ))}
          </fieldset>
          <label htmlFor={`${id}-note`}>{t('staff.agreement.note')}</label>
          <input id={`${id}-note`} type="text" maxLength={5000} value={note} onChange={(e) => setNote(e.target.value)} />
          <ErrorNotice message={record.error?.message} />
          <div className="actions">
            <button type="submit" className="small" disabled={record.pending}>
              {t('staff.agreement.record')}
            </button>
            <button type="button" className="secondary small" onClick={() => setOpen(false)}>
              {t('staff.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="secondary small no-print" onClick={() => setOpen(true)}>
          {t('staff.agreement.resolve')}
        </button>
      )}
    </li>
  )
}
