/**
 * Table 2 as in Sheikhoonesi et al. (2021): theme, category, code and one meaning unit with the
 * participant who said it. Themes and categories span their rows, as in the paper; the same table
 * downloads as CSV or Markdown, written by the server.
 */
import { Link } from 'wouter'
import { api } from '../../../lib/api'
import { t } from '../../../lib/i18n'
import { call, useResource } from '../../request'
import { LoadError, Loading } from '../../ui'
import { downloadPath } from '../numbers'
import type { Table2RowView, Table2View } from '../types'

function loadTable2(studyId: string): Promise<Table2View> {
  // With format=json the answer is the table; the route's type also lists the CSV and Markdown text.
  return call(api.studies[':id'].table2.$get({ param: { id: studyId }, query: { format: 'json' } })) as Promise<Table2View>
}

/** How many consecutive rows, from `index`, share the same key: the row span of a theme or category cell. */
function spanFrom(rows: Table2RowView[], index: number, key: (row: Table2RowView) => string): number {
  let n = 1
  while (index + n < rows.length && key(rows[index + n]!) === key(rows[index]!)) n++
  return n
}

export function Table2Tab({ studyId }: { studyId: string }) {
  const table = useResource(() => loadTable2(studyId), [studyId])
  const csv = downloadPath(api.studies[':id'].table2.$url({ param: { id: studyId }, query: { format: 'csv' } }))
  const md = downloadPath(api.studies[':id'].table2.$url({ param: { id: studyId }, query: { format: 'md' } }))
  return (
    <section className="panel" aria-labelledby="table2-heading">
      <div className="report-toolbar no-print">
        <a className="button secondary" href={csv} download="table-2.csv">
          {t('staff.table2.csv')}
        </a>
        <a className="button secondary" href={md} download="table-2.md">
          {t('staff.table2.markdown')}
        </a>
        <button type="button" className="secondary" onClick={() => window.print()}>
          {t('staff.print')}
        </button>
      </div>
      <h2 id="table2-heading">{t('staff.table2.title')}</h2>
      {table.error ? <LoadError error={table.error} retry={table.reload} /> : !table.data ? <Loading /> : <Table2Body studyId={studyId} table={table.data} />}
    </section>
  )
}

function Table2Body({ studyId, table }: { studyId: string; table: Table2View }) {
  if (table.rows.length === 0) return <p className="muted">{t('staff.table2.empty')}</p>
  const themeKey = (row: Table2RowView) => row.theme?.id ?? '–'
  const categoryKey = (row: Table2RowView) => `${themeKey(row)}/${row.category?.id ?? '–'}`
  return (
    <>
      <div className="table-scroll">
        <table className="data table2" data-testid="table2">
          <caption>{t('staff.table2.caption', { study: table.study.name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('staff.codebook.level.theme')}</th>
              <th scope="col">{t('staff.codebook.level.category')}</th>
              <th scope="col">{t('staff.codebook.level.code')}</th>
              <th scope="col">{t('staff.table2.meaningUnit')}</th>
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => {
              const newTheme = i === 0 || themeKey(table.rows[i - 1]!) !== themeKey(row)
              const newCategory = newTheme || categoryKey(table.rows[i - 1]!) !== categoryKey(row)
              return (
                <tr key={row.code?.id ?? row.category?.id ?? row.theme?.id ?? i} className={newTheme && i > 0 ? 'group-start' : undefined}>
                  {newTheme && (
                    <th scope="row" rowSpan={spanFrom(table.rows, i, themeKey)}>
                      {row.theme?.name ?? <span className="muted">{t('staff.codebook.ungrouped')}</span>}
                    </th>
                  )}
                  {newCategory && (
                    <th scope="row" rowSpan={spanFrom(table.rows, i, categoryKey)} className="category-cell">
                      {row.category?.name ?? <span className="muted">–</span>}
                    </th>
                  )}
                  <th scope="row" className="code-cell">
                    {row.code ? row.code.name : <span className="muted">{t('staff.table2.noCode')}</span>}
                    {row.code?.description && <span className="cell-note">{row.code.description}</span>}
                  </th>
                  <td className="quote-cell">
                    {row.meaningUnits.length > 0 ? (
                      row.meaningUnits.map((unit) => (
                        <p key={unit.codingId} className="meaning-unit">
                          “{unit.text}” <span className="participant-ref">({unit.participant.label})</span>
                          {unit.memberCheck && <span className="cell-note">{t(`staff.quote.memberCheck.${unit.memberCheck.decision}`)}</span>}
                        </p>
                      ))
                    ) : row.code ? (
                      <Link href={`/studies/${studyId}/codebook?code=${row.code.id}`} className="no-print">
                        {t('staff.table2.chooseQuote')}
                      </Link>
                    ) : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <p className="muted">{t('staff.table2.summary', { with: table.withMeaningUnit, codes: table.codes })}</p>
    </>
  )
}
