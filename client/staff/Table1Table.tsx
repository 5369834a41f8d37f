/**
 * Table 1 as a table: one row per number question, a group of rows per choice question. Used by the
 * researcher's live Table 1 (a cohort's or the whole study's) and by a release's, which differ only in
 * how each value is written: the caller gives the values as text.
 */
import type { ReactNode } from 'react'
import { inLanguage, t } from '../lib/i18n'

type Labelled = { label: string; labels?: Record<string, string> }

export type Table1Rows = {
  continuous: (Labelled & { variable: string; value: ReactNode })[]
  categorical: (Labelled & { variable: string; levels: (Labelled & { value: string; shown: ReactNode })[] })[]
}

export function Table1Table({ rows, testId, head = true }: { rows: Table1Rows; testId: string; head?: boolean }) {
  return (
    <table className="data" data-testid={testId}>
      {head && (
        <thead>
          <tr>
            <th scope="col">{t('staff.table1.characteristic')}</th>
            <th scope="col">{t('staff.table1.value')}</th>
          </tr>
        </thead>
      )}
      <tbody>
        {rows.continuous.map((c) => (
          <tr key={c.variable}>
            <th scope="row">{t('staff.table1.meanSd', { label: inLanguage(c) })}</th>
            <td>{c.value}</td>
          </tr>
        ))}
        {rows.categorical.flatMap((c) => [
          <tr key={c.variable} className="group">
            <th scope="rowgroup" colSpan={2}>
              {t('staff.table1.counts', { label: inLanguage(c) })}
            </th>
          </tr>,
          ...c.levels.map((l) => (
            <tr key={`${c.variable}/${l.value}`}>
              <th scope="row" className="level">
                {inLanguage(l)}
              </th>
              <td>{l.shown}</td>
            </tr>
          )),
        ])}
      </tbody>
    </table>
  )
}
