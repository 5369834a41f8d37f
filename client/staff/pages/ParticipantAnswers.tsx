/**
 * A participant's stored answers (researchers only), form by form, with corrected values marked and
 * each correction's trail (old value, new value, who, when, why). A researcher corrects an answer
 * here, giving a reason; the server validates it by the form's own rules and scores the form again.
 * A correction names the value it corrects: when someone changed it since the page was loaded, the
 * server refuses (409) and the form shows the value stored now, to be corrected again from it.
 */
import { useState } from 'react'
import { Link } from 'wouter'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { Field } from '../../components/Field'
import { ErrorNotice } from '../../components/Notice'
import { dateTime } from '../format'
import { ApiFailure, call, useAction, useResource } from '../request'
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
                      onConflict={onCorrected}
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

type AnswerValue = string | number | boolean | (string | number)[] | null

/** A stored value as a correction names it; anything else (never stored) as "not answered". */
function answerValue(value: unknown): AnswerValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value
  return null
}

/** What a 409 `conflict` says was stored meanwhile: the value now and who corrected it (null: the participant). */
type Conflict = { currentValue: AnswerValue; correctedBy: string | null }

function conflictOf(error: unknown): Conflict | undefined {
  if (!(error instanceof ApiFailure) || error.status !== 409 || error.code !== 'conflict') return undefined
  const details = error.details
  if (!details || typeof details !== 'object' || !('currentValue' in details)) return undefined
  const correctedBy = 'correctedBy' in details && typeof details.correctedBy === 'string' ? details.correctedBy : null
  return { currentValue: answerValue(details.currentValue), correctedBy }
}

function CorrectionForm({ responseId, answer, onDone, onConflict }: { responseId: string; answer: Answer; onDone: (saved: boolean) => Promise<void>; onConflict: () => Promise<void> }) {
  const [value, setValue] = useState(answer.value === null || answer.value === undefined ? '' : String(answer.value))
  const [reason, setReason] = useState('')
  // The value this correction corrects: the one shown when the form opened, or after a conflict the
  // one stored now. The server refuses the correction when it is no longer the stored value.
  const [basis, setBasis] = useState<AnswerValue>(() => answerValue(answer.value))
  const [conflict, setConflict] = useState<Conflict | null>(null)
  const save = useAction(async () => {
    try {
      await call(api.responses[':id'].corrections.$post({ param: { id: responseId }, json: { question: answer.question, oldValue: basis, value: parsed(answer, value), reason } }))
    } catch (error) {
      const changed = conflictOf(error)
      if (!changed) throw error
      // Someone corrected it meanwhile: show what is stored now; saving again corrects that value.
      setConflict(changed)
      setBasis(changed.currentValue)
      await onConflict()
      return
    }
    await onDone(true)
  })
  const current = conflict && shown(conflict.currentValue, answer.options.find((o) => String(o.value) === String(conflict.currentValue))?.label)
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
      {conflict && (
        <div className="notice error" role="alert" data-testid="correction-conflict">
          <p>{conflict.correctedBy ? t('staff.answers.conflictBy', { who: conflict.correctedBy, value: current! }) : t('staff.answers.conflict', { value: current! })}</p>
          <p>{t('staff.answers.conflictAgain')}</p>
        </div>
      )}
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
