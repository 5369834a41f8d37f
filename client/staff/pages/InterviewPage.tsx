/**
 * One interview, as the interviewer holds it: the guide's questions one after another with a notes
 * box under each (saved as typed), when it started and ended, the participant's consent to record,
 * and the transcript afterwards.
 */
import { instantOfWallTime, wallTimeInZone } from '../../../server/domain/dates'
import { useEffect, useId, useState } from 'react'
import { CheckboxField, Field } from '../../components/Field'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { dateTime, dateTimeIn } from '../format'
import { localized } from '../qualitative/localized'
import { interviewStatusLabel } from '../qualitative/AssignedParticipants'
import type { AssignedParticipant, Guide, GuideQuestion, InterviewDetail, InterviewNote } from '../qualitative/types'
import { useNoteSaver } from '../qualitative/use-note-saver'
import { ApiFailure, call, useAction, useResource } from '../request'
import { Breadcrumbs, LoadError, Loading, usePageTitle } from '../ui'
import '../qualitative/qualitative.css'

async function loadInterviewPage(participantId: string) {
  // The interviewer's own list says where the participant belongs (and so which guides apply);
  // anyone not on it is not theirs to interview.
  const assigned = await call(api.interviewer.participants.$get())
  const row = assigned.find((r) => r.participantId === participantId)
  if (!row) throw new ApiFailure(404, 'not_found', t('staff.interview.notAssigned'))
  const interview = row.interview ? await call(api.interviews[':id'].$get({ param: { id: row.interview.id } })) : null
  const guides = interview ? [] : await call(api.studies[':id']['interview-guides'].$get({ param: { id: row.study.id } }))
  return { row, interview, guides }
}

export function InterviewPage({ participantId }: { participantId: string }) {
  const page = useResource(() => loadInterviewPage(participantId), [participantId])
  const code = page.data?.row.participantCode
  usePageTitle(code ? t('staff.interview.title', { code }) : undefined)
  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, { label: t('staff.interviews.title'), href: '/interviews' }, { label: code ?? '…' }]} />
      {page.error ? (
        <LoadError error={page.error} retry={page.reload} />
      ) : !page.data ? (
        <Loading />
      ) : page.data.interview ? (
        <InterviewWork key={page.data.interview.id} row={page.data.row} initial={page.data.interview} />
      ) : (
        <NotStarted row={page.data.row} guides={page.data.guides} onStarted={page.reload} />
      )}
    </>
  )
}

function InterviewHeader({ row, guide, status }: { row: AssignedParticipant; guide: Guide; status?: InterviewDetail['status'] }) {
  return (
    <header className="page-header">
      <h1 tabIndex={-1}>{t('staff.interview.title', { code: row.participantCode })}</h1>
      <p>
        {row.study.name} · {row.cohort.name} · {t('staff.interview.guide', { title: localized(guide.title), version: guide.version })}
        {status && <span className="badge">{interviewStatusLabel(status)}</span>}
      </p>
    </header>
  )
}

/** Before the interview: the introduction to read out, the consent question, and the button that starts it. */
function NotStarted({ row, guides, onStarted }: { row: AssignedParticipant; guides: Guide[]; onStarted: () => Promise<void> }) {
  const defaultGuide = guides.find((g) => g.id === 'balint-interview-guide') ?? guides[0]
  const [guideKey, setGuideKey] = useState(defaultGuide ? `${defaultGuide.id}@${defaultGuide.version}` : '')
  const [consent, setConsent] = useState(false)
  const guide = guides.find((g) => `${g.id}@${g.version}` === guideKey) ?? defaultGuide
  const start = useAction(async () => {
    await call(api.participants[':id'].interview.$post({ param: { id: row.participantId }, json: { consentToRecord: consent, ...(guide ? { guideId: guide.id, guideVersion: guide.version } : {}) } }))
    await onStarted()
  })
  if (!guide) return <ErrorNotice message={t('staff.interview.noGuide')} />
  return (
    <>
      <InterviewHeader row={row} guide={guide} />
      <section className="panel" aria-labelledby="begin-heading">
        <h2 id="begin-heading">{t('staff.interview.begin')}</h2>
        {guide.introduction && <p className="read-out">{localized(guide.introduction)}</p>}
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void start.run()
          }}
        >
          {guides.length > 1 && (
            <Field label={t('staff.interview.chooseGuide')} className="short">
              {(props) => (
                <select {...props} value={guideKey} onChange={(e) => setGuideKey(e.target.value)}>
                  {guides.map((g) => (
                    <option key={`${g.id}@${g.version}`} value={`${g.id}@${g.version}`}>
                      {t('staff.interview.guide', { title: localized(g.title), version: g.version })}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <CheckboxField label={t('staff.interview.consent')} hint={t('staff.interview.consentHint')} checked={consent} onChange={setConsent} error={start.fieldError('consentToRecord')} />
          <ErrorNotice message={start.formError(['consentToRecord'])} />
          <div className="actions">
            <button type="submit" disabled={start.pending}>
              {t('staff.interview.start')}
            </button>
          </div>
        </form>
      </section>
      <GuidePrompts questions={guide.questions} />
    </>
  )
}

/** The interview under way or done: its times and consent, the questions with notes, the transcript. */
function InterviewWork({ row, initial }: { row: AssignedParticipant; initial: InterviewDetail }) {
  const [interview, setInterview] = useState(initial)
  // After a withdrawal nothing more is recorded about the participant (the server refuses it with
  // 409): the interview is shown as it stood, every control disabled.
  const withdrawn = row.participantStatus === 'withdrawn'
  return (
    <>
      <InterviewHeader row={row} guide={interview.guide} status={interview.status} />
      {withdrawn && (
        <p className="notice info" role="status" data-testid="interview-withdrawn">
          {t('staff.interview.withdrawn')}
        </p>
      )}
      <fieldset className="unframed" disabled={withdrawn}>
        <InterviewFacts interview={interview} timeZone={row.study.timeZone} onChanged={setInterview} />
        {interview.guide.introduction && (
          <section className="panel" aria-labelledby="intro-heading">
            <h2 id="intro-heading">{t('staff.interview.introduction')}</h2>
            <p className="read-out">{localized(interview.guide.introduction)}</p>
          </section>
        )}
        <GuidePrompts questions={interview.guide.questions} interviewId={interview.id} notes={interview.notes} />
        {interview.guide.closing && (
          <section className="panel" aria-labelledby="closing-heading">
            <h2 id="closing-heading">{t('staff.interview.closing')}</h2>
            <p className="read-out">{localized(interview.guide.closing)}</p>
          </section>
        )}
        <TranscriptUpload interview={interview} onSaved={setInterview} />
      </fieldset>
    </>
  )
}

/** The interview's start and end, shown and typed in the study's time zone (not the browser's), with its duration. */
function InterviewFacts({ interview, timeZone, onChanged }: { interview: InterviewDetail; timeZone: string; onChanged: (interview: InterviewDetail) => void }) {
  const update = useAction(async (changes: { startedAt?: string; endedAt?: string | null; consentToRecord?: boolean }) => {
    onChanged(await call(api.interviews[':id'].$patch({ param: { id: interview.id }, json: changes })))
  })
  const now = () => new Date().toISOString()
  return (
    <section className="panel" aria-labelledby="facts-heading">
      <h2 id="facts-heading">{t('staff.interview.details')}</h2>
      <dl className="interview-times">
        <div>
          <dt>{t('staff.interview.startedAt')}</dt>
          <dd data-testid="interview-started">{dateTimeIn(interview.startedAt, timeZone)}</dd>
          <dd>
            <button type="button" className="secondary small" disabled={update.pending} onClick={() => void update.run({ startedAt: now() })}>
              {t('staff.interview.startNow')}
            </button>
          </dd>
        </div>
        <div>
          <dt>{t('staff.interview.endedAt')}</dt>
          <dd data-testid="interview-ended">{interview.endedAt ? dateTimeIn(interview.endedAt, timeZone) : t('staff.interview.notEnded')}</dd>
          <dd>
            {interview.endedAt ? (
              <button type="button" className="secondary small" disabled={update.pending} onClick={() => void update.run({ endedAt: null })}>
                {t('staff.interview.reopen')}
              </button>
            ) : (
              <button type="button" className="small" disabled={update.pending} onClick={() => void update.run({ endedAt: now() })}>
                {t('staff.interview.endNow')}
              </button>
            )}
          </dd>
        </div>
      </dl>
      {/* Keyed by the stored times: "start now" or "end now" refill the inputs. */}
      <InterviewTimesForm key={`${interview.startedAt}|${interview.endedAt ?? ''}`} interview={interview} timeZone={timeZone} pending={update.pending} onSave={(changes) => void update.run(changes)} error={update.fieldError('endedAt') ?? update.fieldError('startedAt')} />
      <CheckboxField
        label={t('staff.interview.consent')}
        hint={interview.transcript ? t('staff.interview.consentLocked') : t('staff.interview.consentHint')}
        checked={interview.consentToRecord}
        disabled={update.pending || (interview.transcript !== null && interview.consentToRecord)}
        onChange={(consentToRecord) => void update.run({ consentToRecord })}
        error={update.fieldError('consentToRecord')}
      />
      <ErrorNotice message={update.formError(['consentToRecord'])} />
    </section>
  )
}

/** Minutes between two ISO times, as "1 h 05 min". */
function duration(fromIso: string, toIso: string): string {
  const minutes = Math.round((new Date(toIso).getTime() - new Date(fromIso).getTime()) / 60_000)
  return minutes >= 60 ? t('staff.interview.durationHours', { h: Math.floor(minutes / 60), m: String(minutes % 60).padStart(2, '0') }) : t('staff.interview.durationMinutes', { m: minutes })
}

/**
 * Start and end typed as date and time, for an interview entered afterwards. The inputs hold the
 * wall-clock time in the study's time zone (named beside them), so an interviewer travelling, or a
 * researcher abroad, enters the time as it was where the study runs; the server stores UTC.
 */
function InterviewTimesForm({
  interview,
  timeZone,
  pending,
  onSave,
  error,
}: {
  interview: InterviewDetail
  timeZone: string
  pending: boolean
  onSave: (changes: { startedAt: string; endedAt: string | null }) => void
  error?: string
}) {
  const [start, setStart] = useState(() => wallTimeInZone(new Date(interview.startedAt), timeZone))
  const [end, setEnd] = useState(() => (interview.endedAt ? wallTimeInZone(new Date(interview.endedAt), timeZone) : ''))
  return (
    <form
      className="inline-form interview-times-form"
      data-testid="interview-times"
      onSubmit={(e) => {
        e.preventDefault()
        // A datetime-local value has no zone: it is read in the study's, never the browser's.
        onSave({ startedAt: instantOfWallTime(start, timeZone).toISOString(), endedAt: end === '' ? null : instantOfWallTime(end, timeZone).toISOString() })
      }}
    >
      <p className="muted small">{t('staff.interview.timesHelp', { zone: timeZone })}</p>
      <label>
        {t('staff.interview.startedAt')}
        <input type="datetime-local" required value={start} onChange={(e) => setStart(e.currentTarget.value)} />
      </label>
      <label>
        {t('staff.interview.endedAt')}
        <input type="datetime-local" value={end} onChange={(e) => setEnd(e.currentTarget.value)} />
      </label>
      {interview.endedAt && <p data-testid="interview-duration">{t('staff.interview.duration', { d: duration(interview.startedAt, interview.endedAt) })}</p>}
      {error && <p className="field-error">{error}</p>}
      <div className="actions">
        <button type="submit" className="secondary small" disabled={pending || start === ''}>
          {t('staff.interview.saveTimes')}
        </button>
      </div>
    </form>
  )
}

/** The guide's main questions in order, each with its probes and, once the interview has started, a notes box. */
function GuidePrompts({ questions, interviewId, notes = [] }: { questions: GuideQuestion[]; interviewId?: string; notes?: InterviewNote[] }) {
  return (
    <ol className="prompts" aria-label={t('staff.interview.questions')}>
      {questions.map((question, i) => (
        <li key={question.id} className="panel prompt" data-question={question.id}>
          <p className="prompt-number">{t('staff.interview.questionOf', { n: i + 1, total: questions.length })}</p>
          <h2 className="prompt-text" id={`q-${question.id}`}>
            {localized(question.text)}
          </h2>
          {question.probes.length > 0 && (
            <>
              <h3 className="probes-heading">{t('staff.interview.probes')}</h3>
              <ul className="probes">
                {question.probes.map((probe, j) => (
                  <li key={j}>{localized(probe)}</li>
                ))}
              </ul>
            </>
          )}
          {interviewId ? (
            <NoteBox interviewId={interviewId} questionId={question.id} number={i + 1} note={notes.find((n) => n.questionId === question.id)} />
          ) : (
            <p className="muted">{t('staff.interview.notesAfterStart')}</p>
          )}
        </li>
      ))}
    </ol>
  )
}

function NoteBox({ interviewId, questionId, number, note }: { interviewId: string; questionId: string; number: number; note?: InterviewNote }) {
  const id = useId()
  const [text, setText] = useState(note?.text ?? '')
  const saver = useNoteSaver(interviewId, questionId, note?.revision ?? 0)
  const savedAt = saver.savedAt ?? note?.updatedAt ?? null
  // Closing the tab while a note is unsent: the browser asks first.
  const unsaved = saver.status !== 'saved'
  useEffect(() => {
    if (!unsaved) return
    const warn = (event: BeforeUnloadEvent) => event.preventDefault()
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [unsaved])
  const statusText =
    saver.status === 'error'
      ? t('staff.notes.error', { message: saver.error ?? '' })
      : saver.status === 'saved'
        ? savedAt
          ? t('staff.notes.savedAt', { at: dateTime(savedAt) })
          : t('staff.notes.empty')
        : t('staff.notes.saving')
  return (
    <div className="note-box">
      <label htmlFor={id}>{t('staff.notes.label', { n: number })}</label>
      <textarea
        id={id}
        rows={5}
        maxLength={50_000}
        value={text}
        aria-describedby={`${id}-status`}
        onChange={(e) => {
          setText(e.target.value)
          saver.change(e.target.value)
        }}
        onBlur={() => void saver.flush()}
      />
      <p className="print-only note-print">{text}</p>
      <div className="note-status-row no-print">
        <p id={`${id}-status`} className={`note-status note-${saver.status === 'saved' && !savedAt ? 'empty' : saver.status}`} role="status" data-testid={`note-status-${questionId}`} data-status={saver.status}>
          {statusText}
        </p>
        {saver.status === 'error' && (
          <button type="button" className="secondary small" onClick={() => void saver.flush()}>
            {t('staff.retry')}
          </button>
        )}
      </div>
    </div>
  )
}

type TranscriptFormat = 'text' | 'vtt'

/** WebVTT by its file name or its first line ("WEBVTT"); anything else is plain text. */
function formatOf(name: string, content: string): TranscriptFormat {
  return /\.vtt$/i.test(name) || /^\uFEFF?WEBVTT(?:[ \t]|$)/m.test(content.slice(0, 20)) ? 'vtt' : 'text'
}

function TranscriptUpload({ interview, onSaved }: { interview: InterviewDetail; onSaved: (interview: InterviewDetail) => void }) {
  const [content, setContent] = useState('')
  const [format, setFormat] = useState<TranscriptFormat>('text')
  const [fileName, setFileName] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const save = useAction(async () => {
    await call(api.interviews[':id'].transcript.$put({ param: { id: interview.id }, json: { format, content } }))
    const updated = await call(api.interviews[':id'].$get({ param: { id: interview.id } }))
    onSaved(updated)
    setSaved(t('staff.transcript.saved', { length: updated.transcript?.length ?? 0 }))
    setContent('')
    setFileName(null)
  })
  const consent = interview.consentToRecord
  return (
    <section className="panel" aria-labelledby="transcript-heading">
      <h2 id="transcript-heading">{t('staff.transcript.title')}</h2>
      {interview.transcript ? (
        <p data-testid="transcript-stored">
          {t('staff.transcript.stored', { format: t(`staff.transcript.format.${interview.transcript.format}`), length: interview.transcript.length, at: dateTime(interview.transcript.updatedAt) })}
        </p>
      ) : (
        <p className="muted">{t('staff.transcript.none')}</p>
      )}
      {!consent && <p className="warning">{t('staff.transcript.needsConsent')}</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setSaved(null)
          void save.run()
        }}
      >
        <fieldset disabled={!consent} className="plain">
          <Field label={t('staff.transcript.file')} hint={t('staff.transcript.fileHint')}>
            {(props) => (
              <input
                {...props}
                type="file"
                accept=".txt,.vtt,text/plain,text/vtt"
                onChange={async (e) => {
                  const file = e.target.files?.[0]
                  if (!file) return
                  const text = await file.text()
                  setFileName(file.name)
                  setContent(text)
                  setFormat(formatOf(file.name, text))
                }}
              />
            )}
          </Field>
          <Field label={t('staff.transcript.paste')} hint={fileName ? t('staff.transcript.fromFile', { name: fileName }) : undefined} error={save.fieldError('content')}>
            {(props) => (
              <textarea
                {...props}
                rows={8}
                className="transcript-paste"
                value={content}
                onChange={(e) => {
                  setContent(e.target.value)
                  setFormat(formatOf(fileName ?? '', e.target.value))
                }}
              />
            )}
          </Field>
          <fieldset>
            <legend>{t('staff.transcript.formatLegend')}</legend>
            {(['text', 'vtt'] as const).map((f) => (
              <label key={f} className="radio">
                <input type="radio" name="transcript-format" value={f} checked={format === f} onChange={() => setFormat(f)} /> {t(`staff.transcript.format.${f}`)}
              </label>
            ))}
          </fieldset>
          <ErrorNotice message={save.formError(['content'])} />
          <div className="actions">
            <button type="submit" disabled={save.pending || content.trim() === ''}>
              {interview.transcript ? t('staff.transcript.replace') : t('staff.transcript.save')}
            </button>
            <StatusNotice message={saved} />
          </div>
        </fieldset>
      </form>
    </section>
  )
}
