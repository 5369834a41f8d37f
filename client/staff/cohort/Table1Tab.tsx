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
import { Table1Table } from '../Table1Table'
import { fixed, percent, score } from '../format'
import { OtherAnswers } from './OtherAnswers'

// In the current language's digits (Persian on a Persian page), one decimal as in a manuscript's Table 1.
const one = (v: number | null) => (v === null ? '–' : fixed(v, 1))

export function Table1Tab({ cohort }: { cohort: CohortDetail }) {
  // With format=json the answer is the table; the route's type also lists the CSV and Markdown text.
  const table = useResource(() => call(api.cohorts[':id'].table1.$get({ param: { id: cohort.id }, query: { format: 'json' } })) as Promise<Table1>, [cohort.id])
  if (table.error) return <LoadError error={table.error} retry={table.reload} />
  if (!table.data) return <Loading />
  const download = (format: 'csv' | 'md') => {
    const url = api.cohorts[':id'].table1.$url({ param: { id: cohort.id }, query: { format } })
    return url.pathname + url.search
  }
  return (
    <Table1View data={table.data} download={download}>
      <OtherAnswers cohortId={cohort.id} />
    </Table1View>
  )
}

/** A live Table 1 (a cohort's, or the whole study's) with its CSV and Markdown downloads; `children` follow the table. */
export function Table1View({ data, download, children }: { data: Table1; download: (format: 'csv' | 'md') => string; children?: React.ReactNode }) {
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
      <Table1Table
        testId="table1"
        rows={{
          continuous: data.continuous.map((c) => ({
            variable: c.variable,
            label: c.label,
            labels: c.labels,
            value: `${c.mean === null ? suppressed : `${one(c.mean)} (${one(c.sd)})`}${c.min !== null && c.max !== null ? ` [${score(c.min)}–${score(c.max)}]` : ''}${c.n !== null ? `, n = ${score(c.n)}` : ''}`,
          })),
          categorical: data.categorical.map((c) => ({
            variable: c.variable,
            label: c.label,
            labels: c.labels,
            multiple: c.multiple,
            levels: c.levels.map((l) => ({ value: l.value, label: l.label, labels: l.labels, offered: l.offered, shown: l.n === null ? suppressed : l.percent === null ? `${score(l.n)} (–)` : `${score(l.n)} (${percent(l.percent, 1)})` })),
          })),
        }}
      />
      {children}
    </section>
  )
}
