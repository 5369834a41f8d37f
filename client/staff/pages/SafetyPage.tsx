/**
 * A study's Safety view (researchers): the open safety flags across its cohorts, oldest first, each
 * acknowledged with the action taken; those open longer than the study's time are highlighted. Below,
 * the last acknowledged flags and the study's safety settings (what participants see, who is told).
 */
import { useState } from 'react'
import { Link } from 'wouter'
import { DataTable } from '../../components/DataTable'
import { Field } from '../../components/Field'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { language, t, type MessageKey } from '../../lib/i18n'
import { dateTime } from '../format'
import { call, useAction, useResource } from '../request'
import { SettingsForm } from '../SettingsForm'
import { Breadcrumbs, LoadError, Loading, usePageTitle } from '../ui'

type SafetyView = Awaited<ReturnType<typeof loadSafety>>
type Flag = SafetyView['open'][number]

/**
 * Our own words for the flags of the instruments we ship, whose files are English only (PHQ-9 has no
 * validated Persian text we may reproduce, so it has no Persian file to carry them).
 */
const shippedFlagLabels: Partial<Record<string, MessageKey>> = { 'phq9-item9': 'staff.safety.flagLabel.phq9Item9' }

/** A flag's words in the page's language: the instrument file's own where it has them, else ours, else the file's English. */
function flagLabel(flag: Pick<Flag, 'flagId' | 'label' | 'labelFa'>): string {
  if (language() !== 'fa') return flag.label
  const ours = shippedFlagLabels[flag.flagId]
  return flag.labelFa ?? (ours ? t(ours) : flag.label)
}

const loadSafety = (id: string) => call(api.studies[':id'].safety.$get({ param: { id } }))

export function SafetyPage({ id }: { id: string }) {
  const page = useResource(async () => {
    const [study, safety] = await Promise.all([call(api.studies[':id'].$get({ param: { id } })), loadSafety(id)])
    return { study, safety }
  }, [id])
  usePageTitle(page.data ? `${t('staff.safety.title')} · ${page.data.study.name}` : undefined)
  if (page.error) return <LoadError error={page.error} retry={page.reload} />
  if (!page.data) return <Loading />
  const { study, safety } = page.data
  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, { label: study.name, href: `/studies/${id}` }, { label: t('staff.safety.title') }]} />
      <header className="page-header">
        <h1 tabIndex={-1}>{t('staff.safety.title')}</h1>
        <p>{t('staff.safety.intro', { hours: safety.settings.renotifyAfterHours })}</p>
      </header>
      {!safety.email && (
        <p className="notice" role="status" data-testid="safety-no-smtp">
          {t('staff.safety.noSmtp')}
        </p>
      )}
      <section className="panel" aria-labelledby="open-flags-heading">
        <h2 id="open-flags-heading">{t('staff.safety.open', { n: safety.open.length })}</h2>
        {safety.open.length === 0 ? (
          <p data-testid="no-open-flags">{t('staff.safety.noneOpen')}</p>
        ) : (
          <ol className="safety-flags" data-testid="open-flags">
            {safety.open.map((flag) => (
              <OpenFlag key={`${flag.responseId}/${flag.flagId}`} studyId={id} flag={flag} onDone={page.reload} />
            ))}
          </ol>
        )}
      </section>
      <section className="panel" aria-labelledby="acknowledged-heading">
        <h2 id="acknowledged-heading">{t('staff.safety.acknowledged')}</h2>
        {safety.acknowledged.length === 0 ? (
          <p>{t('staff.safety.noneAcknowledged')}</p>
        ) : (
          <DataTable
            testId="acknowledged-flags"
            head={
              <>
                <th scope="col">{t('staff.safety.participant')}</th>
                <th scope="col">{t('staff.safety.flag')}</th>
                <th scope="col">{t('staff.safety.raisedAt')}</th>
                <th scope="col">{t('staff.safety.action')}</th>
                <th scope="col">{t('staff.safety.acknowledgedAt')}</th>
              </>
            }
          >
            {safety.acknowledged.map((flag) => (
              <tr key={`${flag.responseId}/${flag.flagId}`}>
                <th scope="row">
                  <Link href={`/participants/${flag.participantId}`}>{flag.code}</Link> <span className="muted">({flag.cohortName})</span>
                </th>
                <td>
                  {flagLabel(flag)} · {flag.instrumentTitle} · {flag.item} = {flag.answer}
                </td>
                <td>{dateTime(flag.raisedAt)}</td>
                <td className="pre-line">{flag.acknowledgement?.action}</td>
                <td>{flag.acknowledgement ? dateTime(flag.acknowledgement.at) : ''}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <SafetySettingsForm studyId={id} settings={safety.settings} onSaved={page.reload} />
    </>
  )
}

function OpenFlag({ studyId, flag, onDone }: { studyId: string; flag: Flag; onDone: () => Promise<void> }) {
  const [action, setAction] = useState('')
  const acknowledge = useAction(async () => {
    await call(api.studies[':id'].safety.flags[':responseId'][':flagId'].acknowledge.$post({ param: { id: studyId, responseId: flag.responseId, flagId: flag.flagId }, json: { action } }))
    await onDone()
  })
  return (
    <li className={`safety-flag${flag.overdue ? ' overdue' : ''}`} data-testid="open-flag">
      <p className="flag-head">
        <strong>
          <Link href={`/participants/${flag.participantId}`}>{flag.code}</Link>
        </strong>{' '}
        <span className="muted">({flag.cohortName})</span> · {dateTime(flag.raisedAt)}
        {flag.overdue && (
          <span className="badge warning" data-testid="overdue">
            {t('staff.safety.overdue')}
          </span>
        )}
      </p>
      <p>
        {flagLabel(flag)}. {t('staff.safety.answer', { instrument: flag.instrumentTitle, item: flag.item, answer: flag.answer })}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void acknowledge.run()
        }}
      >
        <Field label={t('staff.safety.actionLabel')} hint={t('staff.safety.actionHint')} error={acknowledge.fieldError('action')}>
          {(props) => <textarea {...props} rows={2} required maxLength={4000} value={action} onChange={(e) => setAction(e.target.value)} data-testid="ack-action" />}
        </Field>
        <ErrorNotice message={acknowledge.formError(['action'])} />
        <button type="submit" disabled={acknowledge.pending} data-testid="ack-submit">
          {t('staff.safety.acknowledge')}
        </button>
      </form>
    </li>
  )
}

function SafetySettingsForm({ studyId, settings, onSaved }: { studyId: string; settings: SafetyView['settings']; onSaved: () => Promise<void> }) {
  const [form, setForm] = useState({
    en: settings.supportText.en ?? '',
    fa: settings.supportText.fa ?? '',
    contact: settings.contact ?? '',
    emails: settings.notifyEmails.join(', '),
    hours: String(settings.renotifyAfterHours),
  })
  const save = async () => {
    await call(
      api.studies[':id'].safety.settings.$put({
        param: { id: studyId },
        json: {
          supportText: { en: form.en, fa: form.fa },
          contact: form.contact,
          notifyEmails: form.emails
            .split(/[,;\s]+/)
            .map((e) => e.trim())
            .filter(Boolean),
          renotifyAfterHours: Number(form.hours),
        },
      }),
    )
    await onSaved()
  }
  return (
    <SettingsForm title={t('staff.safety.settings')} fields={['supportText.en', 'supportText.fa', 'contact', 'notifyEmails', 'renotifyAfterHours']} save={save} submitLabel={t('staff.settings.save')} submitTestId="safety-save">
      {(fieldError) => (
        <>
          <Field label={t('staff.safety.supportEn')} hint={t('staff.safety.supportHint')} error={fieldError('supportText.en')}>
            {(props) => <textarea {...props} dir="ltr" lang="en" rows={3} maxLength={4000} value={form.en} onChange={(e) => setForm({ ...form, en: e.target.value })} data-testid="support-en" />}
          </Field>
          <Field label={t('staff.safety.supportFa')} hint={t('staff.safety.supportHint')} error={fieldError('supportText.fa')}>
            {(props) => <textarea {...props} dir="rtl" lang="fa" rows={3} maxLength={4000} value={form.fa} onChange={(e) => setForm({ ...form, fa: e.target.value })} data-testid="support-fa" />}
          </Field>
          <Field label={t('staff.safety.contact')} error={fieldError('contact')}>
            {(props) => <input {...props} maxLength={500} value={form.contact} onChange={(e) => setForm({ ...form, contact: e.target.value })} data-testid="support-contact" />}
          </Field>
          <Field label={t('staff.safety.notifyEmails')} hint={t('staff.safety.notifyEmailsHint')} error={fieldError('notifyEmails')}>
            {(props) => <input {...props} dir="ltr" value={form.emails} onChange={(e) => setForm({ ...form, emails: e.target.value })} data-testid="notify-emails" />}
          </Field>
          <Field label={t('staff.safety.renotifyAfterHours')} hint={t('staff.safety.renotifyHint')} error={fieldError('renotifyAfterHours')} className="short">
            {(props) => <input {...props} type="number" min={1} max={336} step={1} required value={form.hours} onChange={(e) => setForm({ ...form, hours: e.target.value })} data-testid="renotify-hours" />}
          </Field>
        </>
      )}
    </SettingsForm>
  )
}
