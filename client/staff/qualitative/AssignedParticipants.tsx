/** The participants assigned to the signed-in interviewer, with where each interview stands. */
import { Link } from 'wouter'
import { t } from '../../lib/i18n'
import { dateTime } from '../format'
import { participantStatusLabel } from '../ui'
import type { AssignedParticipant } from './types'
import { DataTable } from '../../components/DataTable'

export function interviewStatusLabel(status: AssignedParticipant['interviewStatus']): string {
  return t(`staff.interview.status.${status}`)
}

export function AssignedParticipants({ rows }: { rows: AssignedParticipant[] }) {
  if (rows.length === 0) return <p>{t('staff.interviews.none')}</p>
  return (
    <DataTable
      testId="assigned-participants"
      caption={t('staff.interviews.caption')}
      head={
        <>
          <th scope="col">{t('staff.interviews.participant')}</th>
          <th scope="col">{t('staff.home.study')}</th>
          <th scope="col">{t('staff.study.cohort')}</th>
          <th scope="col">{t('staff.interviews.interview')}</th>
          <th scope="col">{t('staff.interviews.transcript')}</th>
        </>
      }
    >
      {rows.map((row) => (
        <tr key={row.participantId} className={row.participantStatus === 'withdrawn' ? 'withdrawn' : undefined}>
          <th scope="row">
            <Link href={`/interviews/${row.participantId}`} className="code">
              {row.participantCode}
            </Link>
            {row.participantStatus === 'withdrawn' && <span className="badge muted">{participantStatusLabel(row.participantStatus)}</span>}
          </th>
          <td>{row.study.name}</td>
          <td>{row.cohort.name}</td>
          <td>
            <span className={`progress progress-${row.interviewStatus.replace('_', '-')}`}>{interviewStatusLabel(row.interviewStatus)}</span>
            {row.interview && <span className="cell-note">{t('staff.interviews.startedAt', { at: dateTime(row.interview.startedAt) })}</span>}
          </td>
          <td>{row.interview?.hasTranscript ? t('staff.yes') : t('staff.no')}</td>
        </tr>
      ))}
    </DataTable>
  )
}
