/**
 * Researchers: who interviews whom. An interviewer sees only the participants assigned here; the
 * account needs the interviewer role in the study first (given under "Staff and roles").
 */
import { useState } from 'react'
import { Link } from 'wouter'
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog'
import { Field } from '../../components/Field'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useAction, useResource } from '../request'
import type { StudyDetail } from '../types'
import { LoadError, Loading } from '../ui'
import { interviewStatusLabel } from './AssignedParticipants'
import { ActionsHeader, DataTable } from '../../components/DataTable'

async function loadAssignments(study: StudyDetail) {
  const [assignments, staff, trackings] = await Promise.all([
    call(api.studies[':id']['interview-assignments'].$get({ param: { id: study.id } })),
    call(api.studies[':id'].staff.$get({ param: { id: study.id } })),
    Promise.all(study.cohorts.map((c) => call(api.cohorts[':id'].tracking.$get({ param: { id: c.id } })).then((tracking) => ({ cohort: c, participants: tracking.participants })))),
  ])
  return { assignments, interviewers: staff.filter((s) => s.role === 'interviewer'), cohorts: trackings }
}

type Assignment = Awaited<ReturnType<typeof loadAssignments>>['assignments'][number]

export function InterviewAssignments({ study }: { study: StudyDetail }) {
  const data = useResource(() => loadAssignments(study), [study])
  const [form, setForm] = useState({ interviewerId: '', participantId: '' })
  const removal = useConfirmation<Assignment>()
  const assign = useAction(async (interviewerId: string, participantId: string) => {
    await call(api.studies[':id']['interview-assignments'].$post({ param: { id: study.id }, json: { interviewerId, participantId } }))
    setForm({ ...form, participantId: '' })
    await data.reload()
  })
  const unassign = useAction(async (a: Assignment) => {
    await call(api.studies[':id']['interview-assignments'][':assignmentId'].$delete({ param: { id: study.id, assignmentId: a.id } }))
    await data.reload()
  })
  if (data.error) return <LoadError error={data.error} retry={data.reload} />
  if (!data.data) return <Loading />
  const { assignments, interviewers, cohorts } = data.data
  const interviewerId = form.interviewerId || interviewers[0]?.userId || ''
  return (
    <>
      {assignments.length === 0 ? (
        <p className="muted">{t('staff.assign.none')}</p>
      ) : (
        <DataTable
          className="compact"
          testId="interview-assignments"
          caption={t('staff.assign.caption')}
          head={
            <>
              <th scope="col">{t('staff.interviews.participant')}</th>
              <th scope="col">{t('staff.role.interviewer')}</th>
              <th scope="col">{t('staff.interviews.interview')}</th>
              <ActionsHeader />
            </>
          }
        >
          {assignments.map((a) => (
            <tr key={a.id}>
              <th scope="row" className="code">
                <Link href={`/participants/${a.participantId}`}>{a.participantCode}</Link>
              </th>
              <td>{a.interviewerName}</td>
              <td>{interviewStatusLabel(a.interviewStatus)}</td>
              <td className="actions-cell">
                <button type="button" className="secondary small" onClick={() => removal.ask(a)}>
                  {t('staff.assign.remove')}
                  <span className="visually-hidden"> {t('staff.assign.removeWhom', { code: a.participantCode, name: a.interviewerName })}</span>
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <ErrorNotice message={unassign.error?.message} />
      {interviewers.length === 0 ? (
        <p className="warning">{t('staff.assign.noInterviewers')}</p>
      ) : (
        <form
          className="inline-form"
          aria-labelledby="assign-heading"
          onSubmit={(e) => {
            e.preventDefault()
            void assign.run(interviewerId, form.participantId)
          }}
        >
          <h3 id="assign-heading">{t('staff.assign.add')}</h3>
          <div className="row">
            <Field label={t('staff.role.interviewer')} error={assign.fieldError('interviewerId')}>
              {(props) => (
                <select {...props} value={interviewerId} onChange={(e) => setForm({ ...form, interviewerId: e.target.value })}>
                  {interviewers.map((i) => (
                    <option key={i.userId} value={i.userId}>
                      {i.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('staff.interviews.participant')} error={assign.fieldError('participantId')}>
              {(props) => (
                <select {...props} required value={form.participantId} onChange={(e) => setForm({ ...form, participantId: e.target.value })}>
                  <option value="">{t('staff.waves.choose')}</option>
                  {cohorts.map(({ cohort, participants }) => (
                    <optgroup key={cohort.id} label={cohort.name}>
                      {participants
                        .filter((p) => p.status !== 'withdrawn')
                        .map((p) => (
                          <option key={p.id} value={p.id}>
                            {p.code}
                          </option>
                        ))}
                    </optgroup>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit" disabled={assign.pending || !form.participantId}>
              {t('staff.assign.button')}
            </button>
          </div>
          <ErrorNotice message={assign.formError(['interviewerId', 'participantId'])} />
        </form>
      )}
      <ConfirmDialog
        confirmation={removal}
        title={t('staff.assign.confirmTitle')}
        body={(a) => <p>{t('staff.assign.confirmBody', { code: a.participantCode, name: a.interviewerName })}</p>}
        confirmLabel={t('staff.assign.remove')}
        danger
        onConfirm={(a) => void unassign.run(a)}
      />
    </>
  )
}
