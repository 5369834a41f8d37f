/**
 * The audit log (issue 17): a study's researchers read what was done in their study; administrators
 * read every study's entries (`studyId` undefined). Filters by participant, staff member, action and
 * dates travel in the address, so a participant's page can link to their own entries; the same
 * filters download the entries as CSV.
 */
import { useState } from 'react'
import { useSearch } from 'wouter'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { DataTable } from '../../components/DataTable'
import { Field } from '../../components/Field'
import { dateTime } from '../format'
import { call, useResource } from '../request'
import { Breadcrumbs, LoadError, Loading, usePageTitle } from '../ui'

type Filters = { participant: string; user: string; action: string; from: string; to: string }
const filterKeys = ['participant', 'user', 'action', 'from', 'to'] as const

function fromSearch(search: string): Filters {
  const params = new URLSearchParams(search)
  return Object.fromEntries(filterKeys.map((k) => [k, params.get(k) ?? ''])) as Filters
}

/** The filters that are set, as query parameters. */
function query(filters: Filters): Record<string, string> {
  return Object.fromEntries(filterKeys.filter((k) => filters[k] !== '').map((k) => [k, filters[k]]))
}

export function AuditLogPage({ studyId }: { studyId?: string }) {
  const search = useSearch()
  const [filters, setFilters] = useState<Filters>(() => fromSearch(search))
  const [applied, setApplied] = useState<Filters>(filters)
  const study = useResource(() => (studyId ? call(api.studies[':id'].$get({ param: { id: studyId } })) : Promise.resolve(null)), [studyId])
  // The people to filter by: the study's staff, or (for administrators) every account.
  const staff = useResource(
    async (): Promise<{ id: string; name: string; email: string }[]> =>
      studyId ? (await call(api.studies[':id'].staff.$get({ param: { id: studyId } }))).map((s) => ({ id: s.userId, name: s.name, email: s.email })) : await call(api['staff-users'].$get()),
    [studyId],
  )
  const log = useResource(
    () => (studyId ? call(api.studies[':id'].audit.$get({ param: { id: studyId }, query: query(applied) })) : call(api.audit.$get({ query: query(applied) }))),
    [studyId, JSON.stringify(applied)],
  )
  usePageTitle(t('staff.audit.title'))
  const csvHref = `${studyId ? `/api/studies/${studyId}/audit.csv` : '/api/audit.csv'}?${new URLSearchParams(query(applied)).toString()}`
  const people = staff.data ?? []
  const uniquePeople = people.filter((p, i) => people.findIndex((q) => q.id === p.id) === i)

  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, ...(study.data ? [{ label: study.data.name, href: `/studies/${study.data.id}` }] : []), { label: t('staff.audit.title') }]} />
      <header className="page-header">
        <h1 tabIndex={-1}>{t('staff.audit.title')}</h1>
        <p className="muted">{studyId ? t('staff.audit.introStudy') : t('staff.audit.introAll')}</p>
      </header>
      <form
        className="panel inline-form"
        aria-label={t('staff.audit.filters')}
        onSubmit={(e) => {
          e.preventDefault()
          setApplied(filters)
        }}
      >
        <div className="grid-fields">
          {filters.participant !== '' && (
            <Field label={t('staff.audit.participant')}>
              {(props) => (
                <select {...props} value={filters.participant} onChange={(e) => setFilters({ ...filters, participant: e.target.value })}>
                  <option value="">{t('staff.audit.any')}</option>
                  <option value={filters.participant}>{t('staff.audit.thisParticipant')}</option>
                </select>
              )}
            </Field>
          )}
          <Field label={t('staff.audit.user')}>
            {(props) => (
              <select {...props} value={filters.user} onChange={(e) => setFilters({ ...filters, user: e.target.value })} data-testid="audit-user">
                <option value="">{t('staff.audit.any')}</option>
                {uniquePeople.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} ({p.email})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('staff.audit.action')}>
            {(props) => (
              <select {...props} value={filters.action} onChange={(e) => setFilters({ ...filters, action: e.target.value })} data-testid="audit-action">
                <option value="">{t('staff.audit.any')}</option>
                {(log.data?.actions ?? []).map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('staff.audit.from')}>{(props) => <input {...props} type="date" value={filters.from} onChange={(e) => setFilters({ ...filters, from: e.target.value })} />}</Field>
          <Field label={t('staff.audit.to')}>{(props) => <input {...props} type="date" value={filters.to} onChange={(e) => setFilters({ ...filters, to: e.target.value })} />}</Field>
        </div>
        <div className="actions">
          <button type="submit">{t('staff.audit.apply')}</button>
          <a className="button secondary" href={csvHref} download="audit-log.csv" data-testid="audit-csv">
            {t('staff.audit.csv')}
          </a>
        </div>
      </form>
      {log.error ? (
        <LoadError error={log.error} retry={log.reload} />
      ) : !log.data ? (
        <Loading />
      ) : (
        <section className="panel" aria-labelledby="audit-entries">
          <h2 id="audit-entries">{t('staff.audit.entries', { count: log.data.entries.length })}</h2>
          {log.data.truncated && <p className="muted">{t('staff.audit.truncated', { n: log.data.entries.length })}</p>}
          {log.data.entries.length === 0 ? (
            <p>{t('staff.audit.none')}</p>
          ) : (
            <DataTable
              testId="audit-entries"
              head={
                <>
                  <th scope="col">{t('staff.audit.at')}</th>
                  <th scope="col">{t('staff.audit.who')}</th>
                  <th scope="col">{t('staff.audit.action')}</th>
                  <th scope="col">{t('staff.audit.about')}</th>
                  <th scope="col">{t('staff.audit.details')}</th>
                </>
              }
            >
              {log.data.entries.map((e) => (
                <tr key={e.id}>
                  <td>{dateTime(e.at)}</td>
                  <td>{e.actorName}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.entity} <span className="muted">{e.entityId ?? ''}</span>
                  </td>
                  <td>
                    <code className="audit-details">{JSON.stringify(e.details)}</code>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      )}
    </>
  )
}
