/**
 * The group-session schedule and attendance: sessions across, participants down, a checkbox per
 * participant and session. Each session (column) is saved on its own, as a leader marks it after
 * the session. A participant who has withdrawn is shown as such, with their marks from before; the
 * sessions closed to them (after the day they withdrew, or all once their data was deleted) have no
 * checkbox, and a saved column says nothing about them there (the server refuses "present").
 */
import { useEffect, useState } from 'react'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { shortDate } from '../format'
import { call, useAction, useResource } from '../request'
import type { CohortDetail, SessionSheet } from '../types'
import { LoadError, Loading } from '../ui'

const key = (sessionId: string, participantId: string) => `${sessionId}|${participantId}`

function marksOf(sheet: SessionSheet): Map<string, boolean> {
  return new Map(sheet.attendance.map((a) => [key(a.groupSessionId, a.participantId), a.present]))
}

type SheetRow = SessionSheet['participants'][number]

/** The sessions this participant can no longer be marked at: they withdrew before them. */
function closedTo(p: SheetRow): ReadonlySet<string> {
  return new Set('withdrawn' in p ? p.withdrawn.closedSessions : [])
}

export function SessionsTab({ cohort }: { cohort: CohortDetail }) {
  const sheet = useResource(() => call(api.cohorts[':id'].sessions.$get({ param: { id: cohort.id } })), [cohort.id])
  const [marks, setMarks] = useState<Map<string, boolean>>(new Map())
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set())
  const [saved, setSaved] = useState<ReadonlySet<string>>(new Set())
  useEffect(() => {
    if (sheet.data) setMarks(marksOf(sheet.data))
  }, [sheet.data])

  const save = useAction(async (sessionId: string) => {
    const participants = sheet.data?.participants ?? []
    await call(
      api.sessions[':id'].attendance.$put({
        param: { id: sessionId },
        json: { attendance: participants.filter((p) => !closedTo(p).has(sessionId)).map((p) => ({ participantId: p.id, present: marks.get(key(sessionId, p.id)) ?? false })) },
      }),
    )
    setChanged((current) => new Set([...current].filter((id) => id !== sessionId)))
    setSaved((current) => new Set(current).add(sessionId))
  })

  if (sheet.error) return <LoadError error={sheet.error} retry={sheet.reload} />
  if (!sheet.data) return <Loading />
  const { sessions, participants } = sheet.data
  if (sessions.length === 0) return <p className="panel">{t('staff.sessions.none')}</p>

  const toggle = (sessionId: string, participantId: string, present: boolean) => {
    setMarks((current) => new Map(current).set(key(sessionId, participantId), present))
    setChanged((current) => new Set(current).add(sessionId))
    setSaved((current) => new Set([...current].filter((id) => id !== sessionId)))
  }

  return (
    <div className="tab-panel">
      <section className="panel" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">{t('staff.sessions.title')}</h2>
        <p className="muted">{t('staff.sessions.intro')}</p>
        {participants.some((p) => 'withdrawn' in p) && <p className="muted">{t('staff.sessions.withdrawnNote')}</p>}
        {participants.length === 0 ? (
          <p>{t('staff.sessions.noParticipants')}</p>
        ) : (
          <div className="table-scroll">
            <table className="data attendance" data-testid="attendance">
              <thead>
                <tr>
                  <th scope="col">{t('staff.tracking.code')}</th>
                  {sessions.map((session) => (
                    <th scope="col" key={session.id} className="center">
                      {t('staff.sessions.session', { n: session.seq })}
                      <span className="th-note">{shortDate(session.startsAt, cohort.study.timeZone)}</span>
                    </th>
                  ))}
                  <th scope="col" className="num">
                    {t('staff.sessions.attended')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {participants.map((p) => {
                  const closed = closedTo(p)
                  return (
                    <tr key={p.id} data-withdrawn={'withdrawn' in p || undefined}>
                      <th scope="row" className="code">
                        {p.code}
                        {'withdrawn' in p && <span className="badge muted">{t('staff.sessions.withdrawn', { date: shortDate(`${p.withdrawn.on}T12:00:00Z`, 'UTC') })}</span>}
                      </th>
                      {sessions.map((session) => (
                        <td key={session.id} className="center">
                          {closed.has(session.id) ? (
                            <span className="muted" title={t('staff.sessions.closed', { code: p.code, n: session.seq })}>
                              <span aria-hidden="true">–</span>
                              <span className="visually-hidden">{t('staff.sessions.closed', { code: p.code, n: session.seq })}</span>
                            </span>
                          ) : (
                            <input
                              type="checkbox"
                              checked={marks.get(key(session.id, p.id)) ?? false}
                              onChange={(e) => toggle(session.id, p.id, e.target.checked)}
                              aria-label={t('staff.sessions.present', { code: p.code, n: session.seq })}
                            />
                          )}
                        </td>
                      ))}
                      <td className="num">{sessions.filter((s) => marks.get(key(s.id, p.id))).length}</td>
                    </tr>
                  )
                })}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">
                    <span className="visually-hidden">{t('staff.actions')}</span>
                  </th>
                  {sessions.map((session) => (
                    <td key={session.id} className="center">
                      <button
                        type="button"
                        className={changed.has(session.id) ? 'small' : 'secondary small'}
                        disabled={save.pending}
                        onClick={() => void save.run(session.id)}
                        aria-label={t('staff.sessions.saveSession', { n: session.seq })}
                      >
                        {t('staff.sessions.save')}
                      </button>
                      <span className="cell-note" role="status">
                        {changed.has(session.id) ? t('staff.sessions.unsaved') : saved.has(session.id) ? t('staff.saved') : ''}
                      </span>
                    </td>
                  ))}
                  <td />
                </tr>
              </tfoot>
            </table>
          </div>
        )}
        <ErrorNotice message={save.error?.message} />
      </section>
    </div>
  )
}
