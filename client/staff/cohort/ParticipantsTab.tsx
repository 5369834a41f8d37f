/**
 * Participants of a cohort: who has consented and how far each is with each wave; adding
 * participants (their links are shown once), and replacing or revoking a link.
 */
import { useState } from 'react'
import { Link } from 'wouter'
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog'
import { Field } from '../../components/Field'
import { Funnel } from '../../components/Funnel'
import { NewLinks, type ShownLink } from '../../components/NewLinks'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { formatLastDay, formatDate, t } from '../../lib/i18n'
import { dateTime } from '../format'
import { call, useAction, useResource } from '../request'
import type { CohortDetail, Tracking, TrackingRow } from '../types'
import { LoadError, Loading } from '../ui'
import { ActionsHeader, DataTable } from '../../components/DataTable'

type Shown = { links: ShownLink[]; title: string; note?: string }

/** New links appear above the table: take the keyboard there so they are not missed. */
const focusNewLinks = () => requestAnimationFrame(() => document.getElementById('new-links-title')?.focus())
type Pending = { kind: 'reissue' | 'revoke'; row: TrackingRow }

export function ParticipantsTab({ cohort }: { cohort: CohortDetail }) {
  const tracking = useResource(() => call(api.cohorts[':id'].tracking.$get({ param: { id: cohort.id } })), [cohort.id])
  const [shown, setShown] = useState<Shown | null>(null)
  const confirmation = useConfirmation<Pending>()
  const [status, setStatus] = useState<string | null>(null)
  const [count, setCount] = useState('1')

  const add = useAction(async () => {
    const links = await call(api.cohorts[':id'].participants.$post({ param: { id: cohort.id }, json: { count: Number(count) } }))
    setShown({ links, title: t('staff.links.addedTitle', { count: links.length }) })
    focusNewLinks()
    await tracking.reload()
  })
  const reissue = useAction(async (row: TrackingRow) => {
    const link = await call(api.participants[':id'].link.$post({ param: { id: row.id } }))
    setShown({ links: [link], title: t('staff.links.newTitle', { code: link.code }), note: t('staff.links.oldStops', { code: link.code }) })
    focusNewLinks()
    await tracking.reload()
  })
  const revoke = useAction(async (row: TrackingRow) => {
    await call(api.participants[':id'].link.$delete({ param: { id: row.id } }))
    // A link just shown for this participant no longer works: do not leave it on the page.
    setShown((current) => {
      const links = current?.links.filter((l) => l.id !== row.id) ?? []
      return current && links.length > 0 ? { ...current, links } : null
    })
    setStatus(t('staff.links.revoked', { code: row.code }))
    await tracking.reload()
  })

  if (tracking.error) return <LoadError error={tracking.error} retry={tracking.reload} />
  if (!tracking.data) return <Loading />
  const data = tracking.data
  const actionError = reissue.error ?? revoke.error

  return (
    <div className="tab-panel">
      <section className="panel" aria-labelledby="completion-heading">
        <h2 id="completion-heading">{t('staff.tracking.completion')}</h2>
        <TrackingFunnel tracking={data} />
      </section>

      <section className="panel" aria-labelledby="participants-heading">
        <h2 id="participants-heading">{t('staff.tracking.participants')}</h2>
        <form
          className="no-print"
          onSubmit={(e) => {
            e.preventDefault()
            void add.run()
          }}
        >
          <div className="row">
            <Field label={t('staff.tracking.addCount')} error={add.fieldError('count')} className="short">
              {(props) => <input {...props} type="number" min={1} max={1000} step={1} required value={count} onChange={(e) => setCount(e.target.value)} />}
            </Field>
            <button type="submit" disabled={add.pending}>
              {t('staff.tracking.add')}
            </button>
          </div>
          <ErrorNotice message={add.formError(['count'])} />
        </form>
        {shown && <NewLinks links={shown.links} title={shown.title} note={shown.note} onDismiss={() => setShown(null)} />}
        <ErrorNotice message={actionError?.message} />
        <StatusNotice message={status} />
        {data.participants.length === 0 ? (
          <p>{t('staff.tracking.none')}</p>
        ) : (
          <DataTable
            className="tracking"
            testId="tracking"
            head={
              <>
                <th scope="col">{t('staff.tracking.code')}</th>
                <th scope="col">{t('staff.tracking.status')}</th>
                <th scope="col">{t('staff.tracking.consent')}</th>
                {data.waves.map((wave) => (
                  <th scope="col" key={wave.kind}>
                    {t(`staff.wave.${wave.kind}`)}
                    <span className="th-note">
                      {wave.state === 'open'
                        ? t('staff.waveState.open', { closes: formatLastDay(wave.closesAt, cohort.study.timeZone) })
                        : wave.state === 'upcoming'
                          ? t('staff.waveState.upcoming', { opens: formatDate(wave.opensAt, cohort.study.timeZone) })
                          : t('staff.waveState.closed', { closes: formatLastDay(wave.closesAt, cohort.study.timeZone) })}
                    </span>
                  </th>
                ))}
                <th scope="col">{t('staff.tracking.link')}</th>
                <ActionsHeader />
              </>
            }
          >
            {data.participants.map((row) => (
              <tr key={row.id} className={row.status === 'withdrawn' ? 'withdrawn' : undefined}>
                <th scope="row">
                  <Link href={`/participants/${row.id}`} className="code">
                    {row.code}
                  </Link>
                </th>
                <td>
                  <span className={`status status-${row.status}`}>{t(`staff.participantStatus.${row.status}`)}</span>
                  {row.imported && <span className="badge muted">{t('staff.tracking.imported')}</span>}
                </td>
                <td>{row.consented ? t('staff.yes') : t('staff.no')}</td>
                {data.waves.map((wave) => {
                  const progress = row.waves[wave.kind]
                  if (!progress) return <td key={wave.kind}>–</td>
                  return (
                    <td key={wave.kind}>
                      <span className={`progress progress-${progress.progress.replace(' ', '-')}`}>{t(`staff.progress.${progress.progress}`)}</span>
                      {progress.progress === 'in progress' && <span className="cell-note">{t('staff.tracking.forms', { done: progress.completedForms, total: progress.forms })}</span>}
                      {progress.lastAnswerAt && <span className="cell-note">{t('staff.tracking.lastAnswer', { at: dateTime(progress.lastAnswerAt) })}</span>}
                    </td>
                  )
                })}
                <td>{row.hasLink ? t('staff.tracking.linkActive') : <span className="muted">{t('staff.tracking.linkNone')}</span>}</td>
                <td className="actions-cell no-print">
                  <button type="button" className="secondary small" disabled={row.status === 'withdrawn'} onClick={() => confirmation.ask({ kind: 'reissue', row })}>
                    {t('staff.links.new')}
                    <span className="visually-hidden"> {row.code}</span>
                  </button>
                  {row.hasLink && (
                    <button type="button" className="secondary small danger-text" onClick={() => confirmation.ask({ kind: 'revoke', row })}>
                      {t('staff.links.revoke')}
                      <span className="visually-hidden"> {row.code}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <ConfirmDialog
        confirmation={confirmation}
        title={({ kind, row }) => (kind === 'revoke' ? t('staff.links.revokeTitle', { code: row.code }) : t('staff.links.newConfirmTitle', { code: row.code }))}
        body={({ kind }) => <p>{kind === 'revoke' ? t('staff.links.revokeBody') : t('staff.links.newConfirmBody')}</p>}
        confirmLabel={({ kind }) => (kind === 'revoke' ? t('staff.links.revoke') : t('staff.links.new'))}
        danger={({ kind }) => kind === 'revoke'}
        onConfirm={({ kind, row }) => {
          setStatus(null)
          void (kind === 'revoke' ? revoke.run(row) : reissue.run(row))
        }}
      />
    </div>
  )
}

function TrackingFunnel({ tracking }: { tracking: Tracking }) {
  const steps = [
    { label: t('staff.funnel.enrolled'), value: tracking.funnel.enrolled },
    { label: t('staff.funnel.consented'), value: tracking.funnel.consented },
    ...tracking.waves.map((wave) => ({ label: t('staff.funnel.completedWave', { wave: t(`staff.wave.${wave.kind}`) }), value: tracking.funnel[wave.kind] ?? 0 })),
  ]
  return <Funnel steps={steps} label={t('staff.tracking.completion')} />
}
