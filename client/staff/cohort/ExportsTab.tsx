/**
 * The researcher's exports: answers and scores for R, SPSS or a spreadsheet, with a data dictionary
 * and an R script that reproduces the report's paired tests. Every download is recorded in the audit
 * log on the server.
 */
import { api } from '../../lib/api'
import { t, type MessageKey } from '../../lib/i18n'
import type { CohortDetail } from '../types'

const files = [
  ['answers_long.csv', 'staff.dataExports.answersLong'],
  ['scores_long.csv', 'staff.dataExports.scoresLong'],
  ['wide.csv', 'staff.dataExports.wide'],
  ['dictionary.csv', 'staff.dataExports.dictionary'],
  ['value_labels.csv', 'staff.dataExports.valueLabels'],
  ['analysis.R', 'staff.dataExports.script'],
] as const satisfies readonly (readonly [string, MessageKey])[]

export function ExportsTab({ cohort }: { cohort: CohortDetail }) {
  return (
    <section className="panel" aria-labelledby="exports-heading">
      <h2 id="exports-heading">{t('staff.dataExports.title')}</h2>
      <p>{t('staff.dataExports.intro')}</p>
      <ul className="exports">
        {files.map(([file, about]) => {
          const url = api.cohorts[':id'].exports[':file'].$url({ param: { id: cohort.id, file }, query: { bom: '0' } })
          return (
            <li key={file}>
              <a className="button secondary" href={url.pathname} download data-testid={`export-${file}`}>
                {file}
              </a>{' '}
              {t(about)}
              {file.endsWith('.csv') && (
                <>
                  {' '}
                  <a href={`${url.pathname}?bom=1`} download data-testid={`export-${file}-excel`} title={t('staff.dataExports.excelAbout')}>
                    ({t('staff.dataExports.excel')})
                  </a>
                </>
              )}
            </li>
          )
        })}
      </ul>
      <p className="hint">{t('staff.dataExports.audit')}</p>
    </section>
  )
}
