/** How often each code was applied in each participant's interview, by one coder or by all. */
import { useState } from 'react'
import { api } from '../../../lib/api'
import { t } from '../../../lib/i18n'
import { call, useResource } from '../../request'
import { LoadError, Loading } from '../../ui'
import { studyCoders } from '../coders'
import { downloadPath } from '../numbers'
import type { CodeFrequenciesView } from '../types'

function loadFrequencies(studyId: string, coder: string): Promise<CodeFrequenciesView> {
  return call(api.studies[':id']['code-frequencies'].$get({ param: { id: studyId }, query: { format: 'json', ...(coder ? { coder } : {}) } })) as Promise<CodeFrequenciesView>
}

export function FrequenciesTab({ studyId }: { studyId: string }) {
  const [coder, setCoder] = useState('')
  const coders = useResource(() => studyCoders(studyId), [studyId])
  const table = useResource(() => loadFrequencies(studyId, coder), [studyId, coder])
  const csv = downloadPath(api.studies[':id']['code-frequencies'].$url({ param: { id: studyId }, query: { format: 'csv', ...(coder ? { coder } : {}) } }))
  return (
    <section className="panel" aria-labelledby="frequencies-heading">
      <div className="analysis-toolbar no-print">
        <label className="field">
          <span>{t('staff.freq.coder')}</span>
          <select value={coder} onChange={(e) => setCoder(e.target.value)}>
            <option value="">{t('staff.freq.allCoders')}</option>
            {coders.data?.map((c) => (
              <option key={c.id} value={c.id}>
                {t('staff.agreement.coderOption', { name: c.name, count: c.codings })}
              </option>
            ))}
          </select>
        </label>
        <a className="button secondary" href={csv} download="code-frequencies.csv">
          {t('staff.freq.csv')}
        </a>
      </div>
      <h2 id="frequencies-heading">{t('staff.freq.title')}</h2>
      {table.error ? <LoadError error={table.error} retry={table.reload} /> : !table.data ? <Loading /> : <FrequencyTable table={table.data} />}
    </section>
  )
}

function FrequencyTable({ table }: { table: CodeFrequenciesView }) {
  if (table.rows.length === 0) return <p className="muted">{t('staff.freq.noCodes')}</p>
  if (table.participants.length === 0) return <p className="muted">{t('staff.freq.noTranscripts')}</p>
  const max = Math.max(1, ...table.rows.flatMap((r) => r.counts))
  return (
    <div className="table-scroll">
      <table className="data compact frequencies" data-testid="frequencies">
        <caption>{table.coder ? t('staff.freq.captionCoder', { coder: table.coder.name }) : t('staff.freq.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('staff.coding.code')}</th>
            {table.participants.map((p) => (
              <th scope="col" key={p.id} className="num">
                {p.label}
              </th>
            ))}
            <th scope="col" className="num">
              {t('staff.freq.total')}
            </th>
            <th scope="col" className="num">
              {t('staff.freq.participants')}
            </th>
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.code.id}>
              <th scope="row">
                {row.code.name}
                {(row.theme || row.category) && <span className="cell-note">{[row.theme?.name, row.category?.name].filter(Boolean).join(' › ')}</span>}
              </th>
              {row.counts.map((count, i) => (
                <td key={table.participants[i]!.id} className={count === 0 ? 'num count-0' : 'num'}>
                  {/* The shade repeats the number for the eye; the number is what is read. */}
                  <span className="heat" style={count > 0 ? { background: `rgba(31, 111, 92, ${0.12 + (0.5 * count) / max})` } : undefined}>
                    {count}
                  </span>
                </td>
              ))}
              <td className="num">
                <strong>{row.total}</strong>
              </td>
              <td className="num">{t('staff.freq.ofParticipants', { n: row.participants, total: table.participants.length })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
