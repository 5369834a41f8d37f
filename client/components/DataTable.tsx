import type { ReactNode } from 'react'
import { t } from '../lib/i18n'

/**
 * A table of rows that scrolls sideways on a narrow screen instead of squeezing its columns, with a
 * caption for screen readers.
 *
 * @example
 * <DataTable className="compact" testId="codings" caption="Your codings" head={<><th scope="col">Code</th><ActionsHeader /></>}>
 *   {rows.map((row) => <tr key={row.id}>…</tr>)}
 * </DataTable>
 */
export function DataTable({ className, testId, caption, head, children }: { className?: string; testId?: string; caption?: string; head: ReactNode; children: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className={className ? `data ${className}` : 'data'} data-testid={testId}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

/** The header of a column of row actions (buttons): named for screen readers, blank on screen. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">{t('staff.actions')}</span>
    </th>
  )
}
