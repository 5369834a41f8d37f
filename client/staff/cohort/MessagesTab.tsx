/**
 * Invitations and reminders for a cohort (researchers): the study's schedule and the jobs it made
 * for each wave, each participant's optional contact details, messages to send by hand (copy, a
 * WhatsApp link, a printable sheet of letters with QR codes) and the delivery log. Every message
 * carries a newly minted personal link, shown here this once.
 */
import { useState } from 'react'
import { CopyButton } from '../../components/CopyButton'
import { DataTable } from '../../components/DataTable'
import { Field, CheckboxField } from '../../components/Field'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { QrCode } from '../../components/QrCode'
import { ShownOnce } from '../../components/ShownOnce'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { dateTime } from '../format'
import { call, useAction, useResource } from '../request'
import { waveKinds, type CohortDetail, type WaveKind } from '../types'
import { SettingsForm } from '../SettingsForm'
import { LoadError, Loading } from '../ui'

type View = Awaited<ReturnType<typeof loadMessages>>
type Row = View['participants'][number]
type Prepared = { participantId: string; code: string; subject: string; text: string; link: string; phone: string | null; email: string | null }
type MessageKind = 'invitation' | 'reminder'

const loadMessages = (id: string) => call(api.cohorts[':id'].messages.$get({ param: { id } }))

/** A link the user clicks to open WhatsApp with the message filled in; the page itself requests nothing. */
const whatsAppLink = (text: string) => `https://wa.me/?text=${encodeURIComponent(text)}`


export function MessagesTab({ cohort }: { cohort: CohortDetail }) {
  const view = useResource(() => loadMessages(cohort.id), [cohort.id])
  const waves = waveKinds.filter((k) => cohort.waves.some((w) => w.kind === k))
  const [choice, setChoice] = useState<{ wave: WaveKind; kind: MessageKind }>({ wave: waves[0] ?? 'pre', kind: 'invitation' })
  const [prepared, setPrepared] = useState<{ title: string; messages: Prepared[] } | null>(null)
  const letters = useAction(async () => {
    const messages = await call(api.cohorts[':id'].messages.$post({ param: { id: cohort.id }, json: choice }))
    setPrepared({ title: t('staff.messages.lettersTitle', { count: messages.length }), messages })
    await view.reload()
  })
  if (view.error) return <LoadError error={view.error} retry={view.reload} />
  if (!view.data) return <Loading />
  const data = view.data
  return (
    <div className="tab-panel">
      {!data.email && (
        <p className="notice" role="status" data-testid="no-smtp">
          {t('staff.messages.noSmtp')}
        </p>
      )}
      <ScheduleForm studyId={cohort.study.id} settings={data.settings} onSaved={view.reload} />
      <section className="panel" aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">{t('staff.messages.jobs')}</h2>
        {data.jobs.length === 0 ? (
          <p>{t('staff.messages.noJobs')}</p>
        ) : (
          <DataTable
            testId="message-jobs"
            head={
              <>
                <th scope="col">{t('staff.messages.wave')}</th>
                <th scope="col">{t('staff.messages.kind')}</th>
                <th scope="col">{t('staff.messages.due')}</th>
                <th scope="col">{t('staff.messages.status')}</th>
              </>
            }
          >
            {data.jobs.map((job) => (
              <tr key={job.id} className={job.waiting ? 'waiting' : undefined}>
                <td>{t(`staff.wave.${job.wave}`)}</td>
                <td>{job.kind === 'invitation' ? t('staff.messages.invitation') : t('staff.messages.reminderDays', { count: job.days ?? 0 })}</td>
                <td>{dateTime(job.dueAt)}</td>
                <td>
                  {job.waiting ? <strong>{t('staff.messages.waiting')}</strong> : job.status === 'done' && job.closedBy === 'by_hand' ? t('staff.messages.doneByHand') : t(`staff.messages.job.${job.status}`)}
                  {job.problem && <span className="cell-note">{job.problem}</span>}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <section className="panel" aria-labelledby="by-hand-heading">
        <h2 id="by-hand-heading">{t('staff.messages.byHand')}</h2>
        <p className="muted">{t('staff.messages.byHandIntro')}</p>
        <div className="row no-print">
          <Field label={t('staff.messages.wave')} className="short">
            {(props) => (
              <select {...props} value={choice.wave} onChange={(e) => setChoice({ ...choice, wave: e.target.value as WaveKind })} data-testid="letters-wave">
                {waves.map((k) => (
                  <option key={k} value={k}>
                    {t(`staff.wave.${k}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('staff.messages.kind')} className="short">
            {(props) => (
              <select {...props} value={choice.kind} onChange={(e) => setChoice({ ...choice, kind: e.target.value as MessageKind })} data-testid="letters-kind">
                <option value="invitation">{t('staff.messages.invitation')}</option>
                <option value="reminder">{t('staff.messages.reminder')}</option>
              </select>
            )}
          </Field>
          <button type="button" disabled={letters.pending || waves.length === 0} onClick={() => void letters.run()} data-testid="prepare-letters">
            {t('staff.messages.prepareLetters')}
          </button>
        </div>
        <ErrorNotice message={letters.error?.message} />
        {prepared && <Letters title={prepared.title} messages={prepared.messages} onDismiss={() => setPrepared(null)} />}
        <Contacts rows={data.participants} waves={waves} choice={choice} onChanged={view.reload} />
      </section>
      <section className="panel" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">{t('staff.messages.log')}</h2>
        {data.deliveries.length === 0 ? (
          <p>{t('staff.messages.noDeliveries')}</p>
        ) : (
          <DataTable
            testId="deliveries"
            head={
              <>
                <th scope="col">{t('staff.messages.when')}</th>
                <th scope="col">{t('staff.messages.participant')}</th>
                <th scope="col">{t('staff.messages.wave')}</th>
                <th scope="col">{t('staff.messages.kind')}</th>
                <th scope="col">{t('staff.messages.channel')}</th>
                <th scope="col">{t('staff.messages.status')}</th>
              </>
            }
          >
            {data.deliveries.map((d) => (
              <tr key={d.id}>
                <td>{dateTime(d.sentAt ?? d.createdAt)}</td>
                <th scope="row">{d.code}</th>
                <td>{d.wave ? t(`staff.wave.${d.wave}`) : '–'}</td>
                <td>{d.kind === 'invitation' ? t('staff.messages.invitation') : t('staff.messages.reminder')}</td>
                <td>{d.channel === 'email' ? t('staff.messages.channel.email') : t('staff.messages.channel.byHand')}</td>
                <td>
                  {t(`staff.messages.delivery.${d.status}`)}
                  {d.status === 'unknown' && <span className="cell-note">{t('staff.messages.delivery.unknownNote')}</span>}
                  {d.error && <span className="cell-note">{d.error}</span>}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </div>
  )
}

function ScheduleForm({ studyId, settings, onSaved }: { studyId: string; settings: View['settings']; onSaved: () => Promise<void> }) {
  const [form, setForm] = useState({ inviteOnOpen: settings.inviteOnOpen, reminderDays: settings.reminderDays.join(', '), emailName: settings.emailName ?? '' })
  const save = async () => {
    const reminderDays = form.reminderDays
      .split(/[,\s]+/)
      .filter(Boolean)
      .map(Number)
    await call(api.studies[':id'].messaging.$put({ param: { id: studyId }, json: { inviteOnOpen: form.inviteOnOpen, reminderDays, emailName: form.emailName } }))
    await onSaved()
  }
  return (
    <SettingsForm title={t('staff.messages.schedule')} intro={<p className="muted">{t('staff.messages.scheduleIntro')}</p>} fields={['inviteOnOpen', 'reminderDays', 'emailName']} save={save} submitLabel={t('staff.messages.saveSchedule')} submitTestId="schedule-save">
      {(fieldError) => (
        <>
          <CheckboxField label={t('staff.messages.inviteOnOpen')} checked={form.inviteOnOpen} onChange={(inviteOnOpen) => setForm({ ...form, inviteOnOpen })} error={fieldError('inviteOnOpen')} />
          <Field label={t('staff.messages.reminderDaysLabel')} hint={t('staff.messages.reminderDaysHint')} error={fieldError('reminderDays')} className="short">
            {(props) => <input {...props} dir="ltr" value={form.reminderDays} onChange={(e) => setForm({ ...form, reminderDays: e.target.value })} data-testid="reminder-days" />}
          </Field>
          <Field label={t('staff.messages.emailNameLabel')} hint={t('staff.messages.emailNameHint')} error={fieldError('emailName')}>
            {(props) => <input {...props} value={form.emailName} maxLength={80} onChange={(e) => setForm({ ...form, emailName: e.target.value })} data-testid="email-name" />}
          </Field>
        </>
      )}
    </SettingsForm>
  )
}

function Contacts({ rows, waves, choice, onChanged }: { rows: Row[]; waves: WaveKind[]; choice: { wave: WaveKind; kind: MessageKind }; onChanged: () => Promise<void> }) {
  return (
    <DataTable
      className="contacts"
      testId="contacts"
      caption={t('staff.messages.contacts')}
      head={
        <>
          <th scope="col">{t('staff.messages.participant')}</th>
          <th scope="col">{t('staff.messages.completed')}</th>
          <th scope="col">{t('staff.messages.contact')}</th>
          <th scope="col">{t('staff.messages.message')}</th>
        </>
      }
    >
      {rows.map((row) => (
        <ContactRow key={row.id} row={row} waves={waves} choice={choice} onChanged={onChanged} />
      ))}
    </DataTable>
  )
}

function ContactRow({ row, waves, choice, onChanged }: { row: Row; waves: WaveKind[]; choice: { wave: WaveKind; kind: MessageKind }; onChanged: () => Promise<void> }) {
  const [form, setForm] = useState({ email: row.email ?? '', phone: row.phone ?? '', language: row.language ?? '' })
  const [message, setMessage] = useState<Prepared | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const save = useAction(async () => {
    await call(
      api.participants[':id'].contact.$put({
        param: { id: row.id },
        json: { email: form.email.trim() || null, phone: form.phone.trim() || null, language: form.language === 'en' || form.language === 'fa' ? form.language : null },
      }),
    )
    setSaved(t('staff.saved'))
    await onChanged()
  })
  const prepare = useAction(async () => {
    setMessage(await call(api.participants[':id'].message.$post({ param: { id: row.id }, json: choice })))
    await onChanged()
  })
  const withdrawn = row.status === 'withdrawn'
  return (
    <tr className={withdrawn ? 'withdrawn' : undefined} data-testid={`contact-${row.code}`}>
      <th scope="row">
        {row.code}
        {withdrawn && <span className="cell-note">{t('staff.participantStatus.withdrawn')}</span>}
        {row.remindersOptOut && <span className="cell-note">{t('staff.messages.optedOut')}</span>}
      </th>
      <td>{waves.filter((w) => row.completed.includes(w)).map((w) => t(`staff.wave.${w}`)).join(', ') || '–'}</td>
      <td>
        {!withdrawn && (
          <form
            className="contact-form"
            onSubmit={(e) => {
              e.preventDefault()
              setSaved(null)
              void save.run()
            }}
          >
            <input type="email" dir="ltr" aria-label={t('staff.messages.emailOf', { code: row.code })} placeholder={t('staff.messages.email')} value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} data-testid="contact-email" />
            <input type="tel" dir="ltr" aria-label={t('staff.messages.phoneOf', { code: row.code })} placeholder={t('staff.messages.phone')} value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
            <select aria-label={t('staff.messages.languageOf', { code: row.code })} value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value })}>
              <option value="">{t('staff.messages.studyLanguage')}</option>
              <option value="en">English</option>
              <option value="fa" lang="fa">
                فارسی
              </option>
            </select>
            <button type="submit" className="secondary small" disabled={save.pending} data-testid="contact-save">
              {t('staff.messages.saveContact')}
            </button>
            <StatusNotice message={saved} />
            <ErrorNotice message={save.error?.message} />
          </form>
        )}
      </td>
      <td>
        {!withdrawn && (
          <button type="button" className="secondary small" disabled={prepare.pending} onClick={() => void prepare.run()} data-testid="prepare-message">
            {t('staff.messages.prepare')}
            <span className="visually-hidden"> {row.code}</span>
          </button>
        )}
        <ErrorNotice message={prepare.error?.message} />
        {message && (
          <div className="prepared-message" data-testid="prepared-message">
            <textarea readOnly rows={6} value={message.text} aria-label={t('staff.messages.textOf', { code: row.code })} />
            <div className="actions">
              <CopyButton text={message.text} />
              <a className="button secondary small" href={whatsAppLink(message.text)} target="_blank" rel="noopener noreferrer" data-testid="whatsapp-link">
                {t('staff.messages.whatsApp')}
              </a>
            </div>
          </div>
        )}
      </td>
    </tr>
  )
}

function Letters({ title, messages, onDismiss }: { title: string; messages: Prepared[]; onDismiss: () => void }) {
  return (
    <ShownOnce className="letters" title={title} testId="letters" warningOnPaper={false} canPrint={messages.length > 0} onDismiss={onDismiss}>
      {messages.length === 0 && <p>{t('staff.messages.nobody')}</p>}
      {messages.map((m) => (
        <article key={m.participantId} className="letter" data-testid="letter">
          <h4>{m.subject}</h4>
          <p className="pre-line">{m.text}</p>
          <QrCode text={m.link} label={t('staff.links.qrLabel', { code: m.code })} size={160} />
          <p className="code">{m.code}</p>
        </article>
      ))}
    </ShownOnce>
  )
}
