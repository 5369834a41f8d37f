/**
 * Importing a codebook from another tool: a REFI-QDA `.qdc` or a CSV file, sent as it is to the
 * server, which checks it against the REFI-QDA schema and reports what it took and what it left.
 */
import { useId, useState } from 'react'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useAction } from '../request'
import type { ImportReportView } from './types'

export function CodebookImport({ studyId, onImported }: { studyId: string; onImported: () => Promise<void> }) {
  const id = useId()
  const [file, setFile] = useState<File | null>(null)
  const [report, setReport] = useState<ImportReportView | null>(null)
  const send = useAction(async () => {
    if (!file) return
    const format = /\.csv$/i.test(file.name) ? 'csv' : 'qdc'
    // The body is the file itself; the server reads it as UTF-8. No headers in `init`: they would
    // replace the client's, CSRF token included.
    const report = await call(api.studies[':id'].codebook.import.$post({ param: { id: studyId }, query: { format } }, { init: { body: file } }))
    setReport(report)
    await onImported()
  })
  return (
    <form
      className="inline-form codebook-import"
      aria-labelledby={`${id}-heading`}
      data-testid="codebook-import"
      onSubmit={(e) => {
        e.preventDefault()
        void send.run()
      }}
    >
      <h3 id={`${id}-heading`}>{t('staff.import.title')}</h3>
      <p className="muted small">{t('staff.import.help')}</p>
      <label>
        {t('staff.import.file')}
        <input type="file" accept=".qdc,.xml,.csv,text/csv,application/xml" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      </label>
      <div className="actions">
        <button type="submit" className="secondary" disabled={!file || send.pending}>
          {t('staff.import.submit')}
        </button>
      </div>
      <ErrorNotice message={send.error?.message} />
      {report && (
        <div role="status" data-testid="import-report">
          <p>{t('staff.import.report', { created: report.codes.created, matched: report.codes.matched })}</p>
          {!report.validation.valid && (
            <>
              <p className="small">{t('staff.import.invalid')}</p>
              <ul className="small">
                {report.validation.errors.slice(0, 5).map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </>
          )}
          {report.skipped.length > 0 && (
            <>
              <p className="small">{t('staff.import.skipped')}</p>
              <ul className="small">
                {report.skipped.map((s, i) => (
                  <li key={i}>{[s.name, s.reason].filter(Boolean).join(': ')}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </form>
  )
}
