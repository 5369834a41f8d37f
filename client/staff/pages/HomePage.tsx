/** The signed-in user's studies; for administrators, creating studies and staff accounts. */
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { CheckboxField, Field, NewPasswordField } from '../../components/Field'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { dateTime } from '../format'
import { AssignedParticipants } from '../qualitative/AssignedParticipants'
import { call, useAction, useResource } from '../request'
import { useMe } from '../session'
import { LoadError, Loading, RoleBadges, usePageTitle } from '../ui'
import type { StaffAccount } from '../types'

export function HomePage() {
  usePageTitle(t('staff.home.title'))
  const me = useMe()
  const studies = useResource(() => call(api.studies.$get()), [])
  return (
    <>
      <h1 tabIndex={-1}>{t('staff.home.title')}</h1>
      <section className="panel" aria-labelledby="studies-heading">
        <h2 id="studies-heading">{t('staff.home.studies')}</h2>
        {studies.error ? (
          <LoadError error={studies.error} retry={studies.reload} />
        ) : !studies.data ? (
          <Loading />
        ) : studies.data.length === 0 ? (
          <p>{me.user.isAdmin ? t('staff.home.noStudiesAdmin') : t('staff.home.noStudies')}</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('staff.home.study')}</th>
                <th scope="col">{t('staff.home.yourRoles')}</th>
              </tr>
            </thead>
            <tbody>
              {studies.data.map((study) => (
                <tr key={study.id}>
                  <th scope="row">
                    <Link href={`/studies/${study.id}`}>{study.name}</Link>
                  </th>
                  <td>
                    <RoleBadges roles={study.roles} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {me.user.isAdmin && (
          <p>
            <Link href="/audit" data-testid="audit-all-link">
              {t('staff.audit.allStudies')}
            </Link>
          </p>
        )}
        {me.user.isAdmin && <NewStudyForm />}
        {me.user.isAdmin && studies.data?.length === 0 && <DemoStudy />}
      </section>
      {studies.data?.some((study) => study.roles.includes('interviewer')) && <YourInterviews />}
      {me.user.isAdmin && <StaffAccounts />}
    </>
  )
}

/** For interviewers: the participants assigned to them, straight from the home page. */
function YourInterviews() {
  const assigned = useResource(() => call(api.interviewer.participants.$get()), [])
  return (
    <section className="panel" aria-labelledby="interviews-heading">
      <h2 id="interviews-heading">{t('staff.interviews.title')}</h2>
      {assigned.error ? <LoadError error={assigned.error} retry={assigned.reload} /> : !assigned.data ? <Loading /> : <AssignedParticipants rows={assigned.data} />}
      <p>
        <Link href="/interviews">{t('staff.interviews.open')}</Link>
      </p>
    </section>
  )
}

function NewStudyForm() {
  const [, navigate] = useLocation()
  const [name, setName] = useState('')
  const create = useAction(async () => {
    const study = await call(api.studies.$post({ json: { name } }))
    navigate(`/studies/${study.id}`)
  })
  return (
    <form
      className="inline-form"
      aria-labelledby="new-study-heading"
      onSubmit={(e) => {
        e.preventDefault()
        void create.run()
      }}
    >
      <h3 id="new-study-heading">{t('staff.home.newStudy')}</h3>
      <div className="row">
        <Field label={t('staff.home.studyName')} error={create.fieldError('name')}>
          {(props) => <input {...props} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <button type="submit" disabled={create.pending}>
          {t('staff.home.createStudy')}
        </button>
      </div>
      <ErrorNotice message={create.formError(['name'])} />
    </form>
  )
}

/** First run: a demo study with invented data, so the reports can be seen before any real participant answers. */
function DemoStudy() {
  const [, navigate] = useLocation()
  const create = useAction(async () => {
    const demo = await call(api.demo.$post())
    navigate(`/studies/${demo.studyId}`)
  })
  return (
    <div className="inline-form">
      <h3>{t('staff.home.demo')}</h3>
      <p className="muted">{t('staff.home.demoAbout')}</p>
      <button type="button" className="secondary" disabled={create.pending} onClick={() => void create.run()}>
        {create.pending ? t('staff.working') : t('staff.home.demoButton')}
      </button>
      <ErrorNotice message={create.error?.message} />
    </div>
  )
}

/**
 * An administrator's actions on one account. The server refuses what must not happen (the last
 * administrator disabled or demoted) and says why; the message is shown here.
 */
function AccountActions({ user, onChange }: { user: StaffAccount; onChange: () => Promise<void> }) {
  const [notice, setNotice] = useState<string | null>(null)
  const [link, setLink] = useState<string | null>(null)
  const update = useAction(async (change: { disabled?: boolean; isAdmin?: boolean }) => {
    await call(api['staff-users'][':id'].$patch({ param: { id: user.id }, json: change }))
    await onChange()
  })
  const endSessions = useAction(async () => {
    const result = await call(api['staff-users'][':id'].sessions.$delete({ param: { id: user.id } }))
    setNotice(t('staff.accounts.sessionsEnded', { count: result.endedSessions, email: user.email }))
  })
  const reset = useAction(async () => {
    const made = await call(api['staff-users'][':id']['password-link'].$post({ param: { id: user.id } }))
    setNotice(t('staff.accounts.resetLink', { email: made.email, expires: dateTime(made.expiresAt) }))
    setLink(made.link)
  })
  const error = update.error ?? endSessions.error ?? reset.error
  return (
    <div className="account-actions" data-testid={`account-actions-${user.email}`}>
      <button type="button" className="secondary small" onClick={() => void update.run({ disabled: !user.disabled })}>
        {user.disabled ? t('staff.accounts.enable') : t('staff.accounts.disable')}
      </button>{' '}
      <button type="button" className="secondary small" onClick={() => void update.run({ isAdmin: !user.isAdmin })}>
        {user.isAdmin ? t('staff.accounts.removeAdmin') : t('staff.accounts.makeAdmin')}
      </button>{' '}
      <button type="button" className="secondary small" onClick={() => void endSessions.run()}>
        {t('staff.accounts.endSessions')}
      </button>{' '}
      {!user.disabled && (
        <button type="button" className="secondary small" onClick={() => void reset.run()}>
          {t('staff.accounts.resetPassword')}
        </button>
      )}
      <StatusNotice message={notice} />
      {link && (
        <p>
          <code data-testid="password-link">{link}</code>
        </p>
      )}
      <ErrorNotice message={error?.message} />
    </div>
  )
}

function StaffAccounts() {
  const accounts = useResource(() => call(api['staff-users'].$get()), [])
  const [form, setForm] = useState({ name: '', email: '', password: '', isAdmin: false })
  const [created, setCreated] = useState<string | null>(null)
  const create = useAction(async () => {
    const user = await call(api['staff-users'].$post({ json: form }))
    setForm({ name: '', email: '', password: '', isAdmin: false })
    setCreated(t('staff.accounts.created', { email: user.email }))
    await accounts.reload()
  })
  return (
    <section className="panel" aria-labelledby="accounts-heading">
      <h2 id="accounts-heading">{t('staff.accounts.title')}</h2>
      <p className="muted">{t('staff.accounts.intro')}</p>
      {accounts.error ? (
        <LoadError error={accounts.error} retry={accounts.reload} />
      ) : !accounts.data ? (
        <Loading />
      ) : (
        <table className="data" data-testid="staff-accounts">
          <thead>
            <tr>
              <th scope="col">{t('staff.field.name')}</th>
              <th scope="col">{t('staff.field.email')}</th>
              <th scope="col">{t('staff.accounts.kind')}</th>
              <th scope="col">{t('staff.accounts.createdAt')}</th>
              <th scope="col">{t('staff.accounts.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {accounts.data.map((user) => (
              <tr key={user.id}>
                <th scope="row">{user.name}</th>
                <td>{user.email}</td>
                <td>
                  {user.isAdmin ? t('staff.admin') : t('staff.accounts.staff')}
                  {user.disabled && <span className="badge muted">{t('staff.accounts.disabled')}</span>}
                </td>
                <td>{dateTime(user.createdAt)}</td>
                <td>
                  <AccountActions user={user} onChange={accounts.reload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline-form"
        aria-labelledby="new-account-heading"
        onSubmit={(e) => {
          e.preventDefault()
          setCreated(null)
          void create.run()
        }}
      >
        <h3 id="new-account-heading">{t('staff.accounts.new')}</h3>
        <div className="grid-fields">
          <Field label={t('staff.field.name')} error={create.fieldError('name')}>
            {(props) => <input {...props} required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
          </Field>
          <Field label={t('staff.field.email')} error={create.fieldError('email')}>
            {(props) => <input {...props} type="email" required autoComplete="off" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />}
          </Field>
          <NewPasswordField label={t('staff.accounts.password')} value={form.password} onChange={(password) => setForm({ ...form, password })} error={create.fieldError('password')} />
        </div>
        <CheckboxField label={t('staff.accounts.isAdmin')} hint={t('staff.accounts.isAdminHint')} checked={form.isAdmin} onChange={(isAdmin) => setForm({ ...form, isAdmin })} error={create.fieldError('isAdmin')} />
        <ErrorNotice message={create.formError(['name', 'email', 'password', 'isAdmin'])} />
        <div className="actions">
          <button type="submit" disabled={create.pending}>
            {t('staff.accounts.create')}
          </button>
          <StatusNotice message={created} />
        </div>
      </form>
    </section>
  )
}
