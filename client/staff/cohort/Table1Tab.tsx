/**
 * Table 1: who took part, from the demographics form. Program leads get the same table with small
 * counts suppressed by the server; the CSV and Markdown files are the same table for a manuscript.
 */
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useResource } from '../request'
import type { Table1 } from '../../../server/domain/outcomes/table1'
import type { CohortDetail } from '../types'
import { LoadError, Loading } from '../ui'
import { OtherAnswers } from './OtherAnswers'

const one = (v: number | null) => (v === null ? '–' : v.toFixed(1))

export function Table1Tab({ cohort }: { cohort: CohortDetail }) {
  // With format=json the answer is the table; the route's type also lists the CSV and Markdown text.
  const table = useResource(() => call(api.cohorts[':id'].table1.$get({ param: { id: cohort.id }, query: { format: 'json' } })) as Promise<Table1>, [cohort.id])
  if (table.error) return <LoadError error={table.error} retry={table.reload} />
  if (!table.data) return <Loading />
  const data = table.data
  const download = (format: 'csv' | 'md') => {
    const url = api.cohorts[':id'].table1.$url({ param: { id: cohort.id }, query: { format } })
    return url.pathname + url.search
  }
  const suppressed = data.suppression ? t('staff.table1.suppressed', { n: data.suppression.minCellSize }) : '–'
  return (
    <section className="panel" aria-labelledby="table1-heading">
      <div className="toolbar no-print">
        <a className="button secondary" href={download('csv')} download>
          {t('staff.download.csv')}
        </a>
        <a className="button secondary" href={download('md')} download>
          {t('staff.download.md')}
        </a>
      </div>
      <h2 id="table1-heading">{t('staff.table1.title', { n: data.n ?? suppressed })}</h2>
      {data.suppression && <p className="notice">{t('staff.table1.suppressionNote', { n: data.suppression.minCellSize })}</p>}
      <table className="data" data-testid="table1">
        <thead>
          <tr>
            <th scope="col">{t('staff.table1.characteristic')}</th>
            <th scope="col">{t('staff.table1.value')}</th>
          </tr>
        </thead>
        <tbody>
          {data.continuous.map((c) => (
            <tr key={c.variable}>
              <th scope="row">{t('staff.table1.meanSd', { label: c.label })}</th>
              <td>
                {c.mean === null ? suppressed : `${one(c.mean)} (${one(c.sd)})`}
                {c.min !== null && c.max !== null ? ` [${c.min}–${c.max}]` : ''}
                {c.n !== null ? `, n = ${c.n}` : ''}
              </td>
            </tr>
          ))}
          {data.categorical.flatMap((c) => [
            <tr key={c.variable} className="group">
              <th scope="rowgroup" colSpan={2}>
                {t('staff.table1.counts', { label: c.label })}
              </th>
            </tr>,
            ...c.levels.map((l) => (
              <tr key={`${c.variable}/${l.value}`}>
                <th scope="row" className="level">
                  {l.label}
                </th>
                <td>{l.n === null ? suppressed : l.percent === null ? `${l.n} (–)` : `${l.n} (${one(l.percent)}%)`}</td>
              </tr>
            )),
          ])}
        </tbody>
      </table>
      <OtherAnswers cohortId={cohort.id} />
    </section>
  )
}
