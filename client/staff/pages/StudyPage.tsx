/** A study: its cohorts, and for researchers a new cohort, the study's settings, and who works on it. */
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { CheckboxField, Field } from '../../components/Field'
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { isLanguage, languages, t } from '../../lib/i18n'
import { dateTime } from '../format'
import { call, useAction, useResource } from '../request'
import { useMe } from '../session'
import { roles as allRoles, type Role, type StudyDetail, type StudyStaffRow } from '../types'
import { Breadcrumbs, LoadError, Loading, RoleBadges, roleLabel, usePageTitle } from '../ui'
import { ActionsHeader, DataTable } from '../../components/DataTable'
import { DisclosurePolicySettings } from '../DisclosurePolicySettings'
import { StudyFormSettings } from '../StudyFormSettings'
import { SettingsForm } from '../SettingsForm'

export function StudyPage({ id }: { id: string }) {
  const study = useResource(() => call(api.studies[':id'].$get({ param: { id } })), [id])
  usePageTitle(study.data?.name)
  if (study.error) return <LoadError error={study.error} retry={study.reload} />
  if (!study.data) return <Loading />
  const data = study.data
  const researcher = data.roles.includes('researcher')
  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, { label: data.name }]} />
      <header className="page-header">
        <h1 tabIndex={-1}>{data.name}</h1>
        <p>
          {t('staff.study.yourRoles')} <RoleBadges roles={data.roles} />
        </p>
      </header>
      <section className="panel" aria-labelledby="cohorts-heading">
        <h2 id="cohorts-heading">{t('staff.study.cohorts')}</h2>
        {data.cohorts.length === 0 ? (
          <p>{t('staff.study.noCohorts')}</p>
        ) : (
          <DataTable
            head={
              <>
                <th scope="col">{t('staff.study.cohort')}</th>
                <th scope="col">{t('staff.study.leader')}</th>
                <th scope="col">{t('staff.study.coLeaders')}</th>
                <th scope="col">{t('staff.study.createdAt')}</th>
              </>
            }
          >
            {data.cohorts.map((cohort) => (
              <tr key={cohort.id}>
                <th scope="row">
                  <Link href={`/cohorts/${cohort.id}`}>{cohort.name}</Link>
                </th>
                <td>{cohort.leader ?? '–'}</td>
                <td>{cohort.coLeaders.length > 0 ? cohort.coLeaders.join(', ') : '–'}</td>
                <td>{dateTime(cohort.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
        {(researcher || data.roles.includes('program_lead')) && data.cohorts.length > 1 && (
          <p>
            <Link href={`/studies/${id}/all-groups`} data-testid="study-wide-link">
              {t(researcher ? 'staff.studyWide.link' : 'staff.studyWide.linkLead')}
            </Link>{' '}
            <span className="muted">— {t(researcher ? 'staff.studyWide.linkAbout' : 'staff.studyWide.linkLeadAbout')}</span>
          </p>
        )}
        {researcher && data.cohorts.length > 1 && (
          <p>
            <Link href={`/studies/${id}/pooled`} data-testid="pooled-link">
              {t('staff.pooled.link')}
            </Link>{' '}
            <span className="muted">— {t('staff.pooled.linkAbout')}</span>
          </p>
        )}
        {researcher && <NewCohortForm studyId={id} />}
      </section>
      {researcher && (
        <section className="panel" aria-labelledby="safety-heading">
          <h2 id="safety-heading">{t('staff.safety.title')}</h2>
          <p>
            <Link href={`/studies/${id}/safety`} data-testid="safety-link">
              {t('staff.safety.link')}
            </Link>{' '}
            <span className="muted">— {t('staff.safety.linkAbout')}</span>
          </p>
        </section>
      )}
      {researcher && <QualitativeLinks study={data} />}
      {!researcher && data.roles.includes('interviewer') && (
        <section className="panel" aria-labelledby="interviews-heading">
          <h2 id="interviews-heading">{t('staff.interviews.title')}</h2>
          <Link href="/interviews">{t('staff.interviews.open')}</Link>
        </section>
      )}
      {researcher && <StudySettings study={data} onSaved={study.reload} />}
      {researcher && <DisclosurePolicySettings studyId={id} />}
      {researcher && <StudyFormSettings studyId={id} />}
      {researcher && <StudyStaff studyId={id} />}
    </>
  )
}

/** Researchers: the interviews' coding, the codebook and the analyses (where each cohort's joint display is). */
function QualitativeLinks({ study }: { study: StudyDetail }) {
  return (
    <section className="panel" aria-labelledby="qualitative-heading">
      <h2 id="qualitative-heading">{t('staff.qualitative.title')}</h2>
      <ul className="link-list">
        <li>
          <Link href={`/studies/${study.id}/coding`}>{t('staff.qualitative.coding')}</Link> <span className="muted">— {t('staff.qualitative.codingAbout')}</span>
        </li>
        <li>
          <Link href={`/studies/${study.id}/codebook`}>{t('staff.qualitative.codebook')}</Link> <span className="muted">— {t('staff.qualitative.codebookAbout')}</span>
        </li>
        <li>
          <Link href={`/studies/${study.id}/retrieval`}>{t('staff.qualitative.retrieval')}</Link> <span className="muted">— {t('staff.qualitative.retrievalAbout')}</span>
        </li>
        <li>
          <Link href={`/studies/${study.id}/analysis`}>{t('staff.qualitative.analysis')}</Link> <span className="muted">— {t('staff.qualitative.analysisAbout')}</span>
        </li>
        <li>
          <Link href={`/studies/${study.id}/audit`} data-testid="audit-link">
            {t('staff.audit.title')}
          </Link>{' '}
          <span className="muted">— {t('staff.audit.linkAbout')}</span>
        </li>
      </ul>
    </section>
  )
}

function NewCohortForm({ studyId }: { studyId: string }) {
  const [, navigate] = useLocation()
  const [form, setForm] = useState({ name: '', leader: '', coLeaders: '', firstSession: '', sessions: '8' })
  const create = useAction(async () => {
    const cohort = await call(
      api.studies[':id'].cohorts.$post({
        param: { id: studyId },
        json: {
          name: form.name,
          ...(form.leader.trim() ? { leader: form.leader.trim() } : {}),
          coLeaders: form.coLeaders
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean),
          ...(form.firstSession ? { firstSession: form.firstSession } : {}),
          sessions: Number(form.sessions),
        },
      }),
    )
    navigate(`/cohorts/${cohort.id}`)
  })
  const fields = ['name', 'leader', 'coLeaders', 'firstSession', 'sessions']
  return (
    <form
      className="inline-form"
      aria-labelledby="new-cohort-heading"
      onSubmit={(e) => {
        e.preventDefault()
        void create.run()
      }}
    >
      <h3 id="new-cohort-heading">{t('staff.cohort.new')}</h3>
      <div className="grid-fields">
        <Field label={t('staff.cohort.name')} error={create.fieldError('name')}>
          {(props) => <input {...props} required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label={t('staff.cohort.leader')} hint={t('staff.optional')} error={create.fieldError('leader')}>
          {(props) => <input {...props} maxLength={200} value={form.leader} onChange={(e) => setForm({ ...form, leader: e.target.value })} />}
        </Field>
        <Field label={t('staff.cohort.coLeaders')} hint={t('staff.cohort.coLeadersHint')} error={create.fieldError('coLeaders')}>
          {(props) => <textarea {...props} rows={2} value={form.coLeaders} onChange={(e) => setForm({ ...form, coLeaders: e.target.value })} />}
        </Field>
        <Field label={t('staff.cohort.firstSession')} hint={t('staff.cohort.firstSessionHint')} error={create.fieldError('firstSession')}>
          {(props) => <input {...props} type="date" value={form.firstSession} onChange={(e) => setForm({ ...form, firstSession: e.target.value })} />}
        </Field>
        <Field label={t('staff.cohort.sessions')} hint={t('staff.cohort.sessionsHint')} error={create.fieldError('sessions')}>
          {(props) => <input {...props} type="number" min={0} max={100} step={1} required value={form.sessions} onChange={(e) => setForm({ ...form, sessions: e.target.value })} />}
        </Field>
      </div>
      <ErrorNotice message={create.formError(fields)} />
      <div className="actions">
        <button type="submit" disabled={create.pending}>
          {t('staff.cohort.create')}
        </button>
      </div>
    </form>
  )
}

function StudySettings({ study, onSaved }: { study: StudyDetail; onSaved: () => Promise<void> }) {
  const [form, setForm] = useState({
    minCellSize: String(study.minCellSize),
    participantFeedback: study.participantFeedback,
    supportContact: study.supportContact ?? '',
    consentInstrument: study.consentInstrument,
    language: study.language,
    timeZone: study.timeZone,
  })
  // Consent texts are versioned instrument files; the study picks which one its participants see.
  const instruments = useResource(() => call(api.instruments.$get()), [])
  const consentForms = (instruments.data ?? []).filter((i) => i.kind === 'consent')
  const save = async () => {
    await call(
      api.studies[':id'].$patch({
        param: { id: study.id },
        json: {
          minCellSize: Number(form.minCellSize),
          participantFeedback: form.participantFeedback,
          supportContact: form.supportContact.trim() || null,
          consentInstrument: form.consentInstrument,
          language: isLanguage(form.language) ? form.language : undefined,
          timeZone: form.timeZone.trim(),
        },
      }),
    )
    await onSaved()
  }
  return (
    <SettingsForm title={t('staff.settings.title')} fields={['minCellSize', 'participantFeedback', 'supportContact', 'consentInstrument', 'language', 'timeZone']} save={save} submitLabel={t('staff.settings.save')}>
      {(fieldError) => (
        <>
          <Field label={t('staff.settings.minCellSize')} hint={t('staff.settings.minCellSizeHint')} error={fieldError('minCellSize')} className="short">
            {(props) => <input {...props} type="number" min={2} max={100} step={1} required value={form.minCellSize} onChange={(e) => setForm({ ...form, minCellSize: e.target.value })} />}
          </Field>
          <CheckboxField
            label={t('staff.settings.participantFeedback')}
            hint={t('staff.settings.participantFeedbackHint')}
            checked={form.participantFeedback}
            onChange={(participantFeedback) => setForm({ ...form, participantFeedback })}
            error={fieldError('participantFeedback')}
          />
          <Field label={t('staff.settings.supportContact')} hint={t('staff.settings.supportContactHint')} error={fieldError('supportContact')}>
            {(props) => <textarea {...props} rows={3} maxLength={2000} value={form.supportContact} onChange={(e) => setForm({ ...form, supportContact: e.target.value })} />}
          </Field>
          <Field label={t('staff.settings.consent')} hint={t('staff.settings.consentHint')} error={fieldError('consentInstrument')}>
            {(props) => (
              <select {...props} value={form.consentInstrument} onChange={(e) => setForm({ ...form, consentInstrument: e.target.value })}>
                {consentForms.length === 0 && <option value={form.consentInstrument}>{form.consentInstrument}</option>}
                {consentForms.map((i) => (
                  <option key={i.id} value={i.id}>
                    {t('staff.settings.consentOption', { title: i.title, id: i.id, version: i.version })}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('staff.settings.language')} hint={t('staff.settings.languageHint')} error={fieldError('language')} className="short">
            {(props) => (
              <select {...props} value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value })} data-testid="study-language">
                {Object.entries(languages).map(([code, { name }]) => (
                  <option key={code} value={code} lang={code}>
                    {name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('staff.settings.timeZone')} hint={t('staff.settings.timeZoneHint')} error={fieldError('timeZone')}>
            {(props) => <input {...props} dir="ltr" list="time-zones" required maxLength={64} value={form.timeZone} onChange={(e) => setForm({ ...form, timeZone: e.target.value })} data-testid="study-time-zone" />}
          </Field>
          <datalist id="time-zones">
            {Intl.supportedValuesOf('timeZone').map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </>
      )}
    </SettingsForm>
  )
}

function StudyStaff({ studyId }: { studyId: string }) {
  const me = useMe()
  const staff = useResource(() => call(api.studies[':id'].staff.$get({ param: { id: studyId } })), [studyId])
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('program_lead')
  const removal = useConfirmation<StudyStaffRow>()
  const grant = useAction(async () => {
    await call(api.studies[':id'].staff.$post({ param: { id: studyId }, json: { email, role } }))
    setEmail('')
    await staff.reload()
  })
  const revoke = useAction(async (row: StudyStaffRow) => {
    await call(api.studies[':id'].staff[':userId'][':role'].$delete({ param: { id: studyId, userId: row.userId, role: row.role } }))
    await staff.reload()
  })
  return (
    <section className="panel" aria-labelledby="staff-heading">
      <h2 id="staff-heading">{t('staff.team.title')}</h2>
      <p className="muted">{t('staff.team.intro')}</p>
      {staff.error ? (
        <LoadError error={staff.error} retry={staff.reload} />
      ) : !staff.data ? (
        <Loading />
      ) : (
        <DataTable
          testId="study-staff"
          head={
            <>
              <th scope="col">{t('staff.field.name')}</th>
              <th scope="col">{t('staff.field.email')}</th>
              <th scope="col">{t('staff.team.role')}</th>
              <ActionsHeader />
            </>
          }
        >
          {staff.data.map((row) => (
            <tr key={`${row.userId}/${row.role}`}>
              <th scope="row">{row.name}</th>
              <td>{row.email}</td>
              <td>
                <RoleBadges roles={[row.role]} />
              </td>
              <td className="actions-cell">
                {!(row.userId === me.user.id && row.role === 'researcher') && (
                  <button type="button" className="secondary small" onClick={() => removal.ask(row)}>
                    {t('staff.team.remove')}
                    <span className="visually-hidden">{t('staff.team.removeWhom', { name: row.name, role: roleLabel(row.role) })}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <ErrorNotice message={revoke.error?.message} />
      <form
        className="inline-form"
        aria-labelledby="grant-heading"
        onSubmit={(e) => {
          e.preventDefault()
          void grant.run()
        }}
      >
        <h3 id="grant-heading">{t('staff.team.add')}</h3>
        <div className="row">
          <Field label={t('staff.team.email')} hint={t('staff.team.emailHint')} error={grant.fieldError('email')}>
            {(props) => <input {...props} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <Field label={t('staff.team.role')} error={grant.fieldError('role')}>
            {(props) => (
              <select {...props} value={role} onChange={(e) => setRole(allRoles.find((r) => r === e.target.value) ?? role)}>
                {allRoles.map((r) => (
                  <option key={r} value={r}>
                    {roleLabel(r)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" disabled={grant.pending}>
            {t('staff.team.grant')}
          </button>
        </div>
        <p className="hint">{t(`staff.role.${role}.about`)}</p>
        <ErrorNotice message={grant.formError(['email', 'role'])} />
      </form>
      <ConfirmDialog
        confirmation={removal}
        title={t('staff.team.confirmTitle')}
        body={(row) => <p>{t('staff.team.confirmBody', { name: row.name, role: roleLabel(row.role) })}</p>}
        confirmLabel={t('staff.team.remove')}
        danger
        onConfirm={(row) => void revoke.run(row)}
      />
    </section>
  )
}
