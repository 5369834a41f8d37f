/**
 * Beside a transcript: what the interviewer noted during the interview, question by question, and
 * what the participant answered about the quotations taken from it (member checking), with their
 * comments. Read-only here; the interviewer writes notes on the interview page.
 */
import { useId } from 'react'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { dateTime } from '../format'
import { call, useResource } from '../request'
import { LoadError, Loading } from '../ui'

export function InterviewNotes({ studyId, transcriptId }: { studyId: string; transcriptId: string }) {
  const headingId = useId()
  const notes = useResource(() => call(api.studies[':id'].notes.$get({ param: { id: studyId }, query: { transcript: transcriptId } })), [studyId, transcriptId])
  const own = notes.data?.[0]
  return (
    <section className="panel interview-notes" aria-labelledby={headingId} data-testid="interview-notes">
      <h2 id={headingId}>{t('staff.notes.title')}</h2>
      {notes.error ? (
        <LoadError error={notes.error} retry={notes.reload} />
      ) : !notes.data ? (
        <Loading />
      ) : (
        <>
          <h3>{t('staff.notes.interviewer')}</h3>
          {!own || own.interviewerNotes.length === 0 ? (
            <p className="muted">{t('staff.notes.noInterviewerNotes')}</p>
          ) : (
            <dl className="notes-list">
              {own.interviewerNotes.map((n) => (
                <div key={n.questionId}>
                  <dt>{n.question}</dt>
                  <dd className="note-text">{n.text}</dd>
                </div>
              ))}
            </dl>
          )}
          <h3>{t('staff.notes.memberChecks')}</h3>
          {!own || own.memberChecks.length === 0 ? (
            <p className="muted">{t('staff.notes.noMemberChecks')}</p>
          ) : (
            <ul className="plain-list member-checks">
              {own.memberChecks.map((c) => (
                <li key={`${c.codingId}-${c.decidedAt}`}>
                  <blockquote>“{c.quotation}”</blockquote>
                  <p>
                    <span className="badge">{t(`staff.quote.memberCheck.${c.decision}`)}</span> <span className="muted small">{dateTime(c.decidedAt)}</span>
                  </p>
                  {c.comment && <p className="note-text">{c.comment}</p>}
                </li>
              ))}
            </ul>
          )}
          <p className="no-print">
            <a href={`/api/studies/${studyId}/notes.csv`} download>
              {t('staff.notes.downloadCsv')}
            </a>
          </p>
        </>
      )}
    </section>
  )
}
