/**
 * A participant's stored answers (researchers only), form by form, with corrected values marked and
 * each correction's trail (old value, new value, who, when, why). A researcher corrects an answer
 * here, giving a reason; the server validates it by the form's own rules and scores the form again.
 */
import { useState } from 'react'
import { Link } from 'wouter'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { Field } from '../../components/Field'
import { ErrorNotice } from '../../components/Notice'
import { dateTime } from '../format'
import { call, useAction, useResource } from '../request'
import type { InferResponseType } from 'hono/client'
import { LoadError, Loading } from '../ui'

type AnswersPage = InferResponseType<(typeof api)['participants'][':id']['answers']['$get'], 200>
type FormAnswers = AnswersPage['responses'][number]
type Answer = FormAnswers['answers'][number]

const shown = (value: unknown, label?: string | null) => (value === null || value === undefined ? '–' : label ? `${label} (${String(value)})` : Array.isArray(value) ? value.join(', ') : String(value))

export function ParticipantAnswers({ participantId, studyId, onCorrected }: { participantId: string; studyId: string | undefined; onCorrected: () => Promise<void> }) {
  const page = useResource(() => call(api.participants[':id'].answers.$get({ param: { id: participantId } })), [participantId])
  if (page.error) return <LoadError error={page.error} retry={page.reload} />
  if (!page.data) return <Loading />
  const reload = async () => {
    await Promise.all([page.reload(), onCorrected()])
  }
  return (
    <section className="panel" aria-labelledby="answers-heading" data-testid="participant-answers">
      <h2 id="answers-heading">{t('staff.answers.title')}</h2>
      <p className="muted">{t('staff.answers.intro')}</p>
      {studyId && (
        <p>
          <Link href={`/studies/${studyId}/audit?participant=${participantId}`}>{t('staff.answers.auditLink')}</Link>
        </p>
      )}
      {page.data.responses.length === 0 && <p>{t('staff.answers.none')}</p>}
      {page.data.responses.map((form) => (
        <FormAnswersTable key={form.responseId} form={form} onCorrected={reload} />
      ))}
    </section>
  )
}

function FormAnswersTable({ form, onCorrected }: { form: FormAnswers; onCorrected: () => Promise<void> }) {
  const [editing, setEditing] = useState<string | null>(null)
  return (
    <div className="form-answers" data-testid={`answers-${form.instrument}-${form.wave ?? 'enrolment'}`}>
      <h3>
        {form.title} · {form.wave ? t(`staff.wave.${form.wave}`) : t('staff.answers.enrolment')}
        {form.status === 'draft' && <span className="muted"> · {t('staff.answers.draft')}</span>}
      </h3>
      <div className="table-scroll">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">{t('staff.answers.question')}</th>
              <th scope="col">{t('staff.answers.value')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('staff.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {form.answers.map((answer) => (
              <tr key={answer.question} className={answer.corrected ? 'corrected' : undefined}>
                <th scope="row">
                  {answer.title} <span className="muted">({answer.question})</span>
                </th>
                <td>
                  {shown(answer.value, answer.label)}
                  {answer.corrected && (
                    <span className="badge corrected-badge" data-testid="corrected">
                      {t('staff.answers.corrected')}
                    </span>
                  )}
                  {editing === answer.question && (
                    <CorrectionForm
                      responseId={form.responseId}
                      answer={answer}
                      onDone={async (saved) => {
                        setEditing(null)
                        if (saved) await onCorrected()
                      }}
                    />
                  )}
                </td>
                <td>
                  {editing !== answer.question && (
                    <button type="button" className="secondary small" onClick={() => setEditing(answer.question)} aria-label={t('staff.answers.correctOne', { question: answer.question })}>
                      {t('staff.answers.correct')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {form.corrections.length > 0 && (
        <details className="corrections" open>
          <summary>{t('staff.answers.history', { count: form.corrections.length })}</summary>
          <ul data-testid="correction-history">
            {form.corrections.map((c) => (
              <li key={c.id}>
                {t('staff.answers.historyLine', { question: c.question, from: shown(c.oldValue), to: shown(c.newValue), who: c.correctedByName, at: dateTime(c.correctedAt) })} <q>{c.reason}</q>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  )
}

/** The value typed or chosen, as the question stores it: a number for number questions, a choice's own value. */
function parsed(answer: Answer, input: string): string | number | boolean | null {
  if (input === '') return null
  if (answer.options.length > 0) return answer.options.find((o) => String(o.value) === input)?.value ?? input
  if (answer.kind === 'number') return Number(input)
  return input
}

function CorrectionForm({ responseId, answer, onDone }: { responseId: string; answer: Answer; onDone: (saved: boolean) => Promise<void> }) {
  const [value, setValue] = useState(answer.value === null || answer.value === undefined ? '' : String(answer.value))
  const [reason, setReason] = useState('')
  const save = useAction(async () => {
    await call(api.responses[':id'].corrections.$post({ param: { id: responseId }, json: { question: answer.question, value: parsed(answer, value), reason } }))
    await onDone(true)
  })
  return (
    <form
      className="inline-form correction-form"
      onSubmit={(e) => {
        e.preventDefault()
        void save.run()
      }}
    >
      <Field label={t('staff.answers.newValue')} error={save.fieldError('value')}>
        {(props) =>
          answer.options.length > 0 ? (
            <select {...props} value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">{t('staff.answers.noAnswer')}</option>
              {answer.options.map((o) => (
                <option key={String(o.value)} value={String(o.value)}>
                  {o.label} ({String(o.value)})
                </option>
              ))}
            </select>
          ) : (
            <input {...props} type={answer.kind === 'number' ? 'number' : 'text'} step="any" value={value} onChange={(e) => setValue(e.target.value)} />
          )
        }
      </Field>
      <Field label={t('staff.answers.reason')} hint={t('staff.answers.reasonHint')} error={save.fieldError('reason')}>
        {(props) => <textarea {...props} required minLength={3} maxLength={1000} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <ErrorNotice message={save.formError(['value', 'reason'])} />
      <div className="actions">
        <button type="submit" disabled={save.pending}>
          {t('staff.answers.save')}
        </button>
        <button type="button" className="secondary" onClick={() => void onDone(false)}>
          {t('staff.cancel')}
        </button>
      </div>
    </form>
  )
}
