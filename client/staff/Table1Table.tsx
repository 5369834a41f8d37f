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
  /**
   * `multiple`: a question that takes several choices (each level's percentage is of those answering,
   * and they may sum past 100 %); a level `offered: false` is a stored value the form no longer offers.
   */
  categorical: (Labelled & { variable: string; multiple?: boolean; levels: (Labelled & { value: string; offered?: boolean; shown: ReactNode })[] })[]
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
              {t(c.multiple ? 'staff.table1.countsSeveral' : 'staff.table1.counts', { label: inLanguage(c) })}
            </th>
          </tr>,
          ...c.levels.map((l) => (
            <tr key={`${c.variable}/${l.value}`}>
              <th scope="row" className="level">
                {l.offered === false ? t('staff.table1.notOffered', { value: l.value }) : inLanguage(l)}
              </th>
              <td>{l.shown}</td>
            </tr>
          )),
        ])}
      </tbody>
    </table>
  )
}
