import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { Model, type SurveyModel } from 'survey-core'
import { Survey } from 'survey-react-ui'
import { answerProblem, defaultMaxLength, surveyQuestions, type Question } from '../../server/contracts/answer-rules'
import type { FormState } from '../../server/contracts/participant'
import { formatNumber, language, t } from '../lib/i18n'
import { formLanguage } from './language'
import { readNumber } from './numbers'
import { aboutQuestion, questionRefusalText, refusalText } from './refusal-text'
import type { Outbox } from './outbox'
import { applyParticipantTheme } from './theme'

type Props = {
  slot: string
  form: FormState
  outbox: Outbox
  onComplete: (slot: string, instrument: string) => void
  /** Told the number of questions on screen still without an answer, whenever it changes. */
  onProgress?: (form: string, unanswered: number) => void
}

/** The first question without an answer, so a participant who comes back resumes where they left off. */
function firstUnanswered(model: SurveyModel): string | undefined {
  return model.getAllQuestions(true).find((q) => q.isEmpty())?.name
}

/** The message a participant reads when an answer does not fit the question (the rule is the server's, answerProblem). */
function problemText(q: Question, value: unknown): string | null {
  if (q.kind === 'number') {
    if (value === undefined || value === null || value === '') return null
    const number = typeof value === 'number' ? value : readNumber(String(value))
    if (number === null) return t('answer.notNumber')
    if (answerProblem(q, number) === null) return null
    return q.step === 1 ? t('answer.wholeNumber', { min: q.min, max: q.max }) : t('answer.numberStep', { min: q.min, max: q.max, step: q.step })
  }
  if (q.kind === 'text') {
    if (typeof value !== 'string' || answerProblem(q, value) === null) return null
    return t('answer.tooLong', { max: q.maxLength, length: value.length })
  }
  if (value === undefined || value === null) return null
  return answerProblem(q, value) === null ? null : t('answer.invalid')
}

/** The value to store: numbers read from whatever digits were typed. Undefined: not storable as typed. */
function storable(q: Question | undefined, value: unknown): unknown {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return null
  if (q?.kind === 'number' && typeof value !== 'number') return readNumber(String(value)) ?? undefined
  return value
}

/** The questions shown to this participant (conditions applied) that have no answer yet. */
function unansweredCount(model: SurveyModel): number {
  return model.getAllQuestions(true).filter((q) => q.isEmpty()).length
}

/**
 * One questionnaire, one question per screen (phones first), with a progress bar. A single-choice
 * question moves on by itself once answered (SurveyJS's auto-advance, after settings.autoAdvanceDelay),
 * so a Likert item costs one tap; Previous goes back, and the last question waits for Complete, so the
 * participant can review and change answers before submitting. Each answer goes
 * to the outbox as it is given. The form checks each answer with the server's own rule as it is
 * given; a questionnaire cannot be submitted empty, and skipped questions are confirmed first.
 */
export function FormView({ slot, form, outbox, onComplete, onProgress }: Props) {
  const id = form.instrument.id
  const questions = useMemo(() => new Map(surveyQuestions(form.instrument.survey as { pages: Record<string, unknown>[] }).map((q) => [q.name, q])), [form.instrument.survey])
  const [skipped, setSkipped] = useState<string[] | null>(null)
  const [emptyWarning, setEmptyWarning] = useState(false)
  useSyncExternalStore(
    (notify) => outbox.subscribe(notify),
    () => outbox.version,
  )
  // Answers found on the device after the form opened (given in another tab, or on an earlier visit
  // while storage was slow to open) are shown in it, without being sent again as new answers.
  const foundOnDevice = outbox.foundOnDevice
  const showingFound = useRef(false)
  const refusals = outbox.refusals.filter((r) => r.slot === slot && r.instrument === id)

  // Create the model once per form (SurveyJS samples that create it on every render lose answers).
  const [model] = useState(() => {
    const model = new Model(form.instrument.survey)
    model.locale = formLanguage(form.instrument.languages)
    model.questionsOnPageMode = 'questionPerPage'
    model.showProgressBar = true
    model.progressBarLocation = 'top'
    model.progressBarType = 'questions'
    // SurveyJS words its "Answered 3/10 questions" in the form's language with Latin digits; the bar
    // is the page's, so it speaks the page's language with its digits ("۳ از ۱۰ پاسخ داده شده"),
    // isolated (FSI … PDI) so that Persian reads right to left inside an English form's box.
    model.onGetProgressText.add((_, options) => {
      options.text = `\u2068${t('progress.answered', { answered: formatNumber(options.answeredQuestionCount), total: formatNumber(options.questionCount) })}\u2069`
    })
    model.textUpdateMode = 'onTyping'
    model.checkErrorsMode = 'onValueChanged'
    model.showCompletePage = false
    model.autoAdvanceEnabled = true
    // Never submit by itself: the last screen waits for Complete, after a chance to review.
    model.autoAdvanceAllowComplete = false
    applyParticipantTheme(model)
    // The next question appears where the last one was. At 200 % zoom or with the phone turned
    // sideways the page is scrolled by then, and the new question's title would sit under the sticky
    // bar: bring it into view below the bar (participant.css's scroll-padding-top) when it is hidden.
    model.onAfterRenderQuestion.add((_, options) => {
      const keys = numberBoxes.get(options.question.name)
      if (keys) options.htmlElement.querySelector('input')?.setAttribute('inputmode', keys)
      const bar = document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0
      if (options.htmlElement.getBoundingClientRect().top < bar) options.htmlElement.scrollIntoView({ block: 'start' })
    })
    // Number boxes are text boxes read by readNumber: a browser's number box drops Persian digits.
    // A phone still shows its number keys for them (`inputmode`, WHATWG HTML): found by a newcomer's
    // walk-through, the whole keyboard came up for an age. Not where a number may be negative: the
    // number keys of some phones have no minus.
    const numberBoxes = new Map<string, 'numeric' | 'decimal'>()
    for (const question of model.getAllQuestions()) {
      if (question.getType() === 'text' && question.inputType === 'number') {
        // Read before the type changes: SurveyJS keeps min and step for number boxes only.
        const { min, step } = question.toJSON() as { min?: unknown; step?: unknown }
        question.inputType = 'text'
        if (min !== undefined && min !== '' && Number(min) >= 0) numberBoxes.set(question.name, step !== undefined && step !== '' && !Number.isInteger(Number(step)) ? 'decimal' : 'numeric')
      }
      // With textUpdateMode 'onTyping' (typed answers are kept as they are typed), SurveyJS 3 treats a
      // choice as typed text too (QuestionSelectBase.isTextValue is true "for comments and others") and
      // never auto-advances. A choice is a choice: its value is not typed text. The "Other" box of the
      // question still updates as it is typed (that goes through setComment, not this).
      if (question.getType() === 'radiogroup' || question.getType() === 'rating') (question as unknown as { getDataLocNotification: () => false }).getDataLocNotification = () => false
    }
    const data: Record<string, unknown> = { ...(form.response?.answers ?? {}), ...outbox.confirmedAnswers(slot, id), ...outbox.pendingAnswers(slot, id) }
    for (const [key, value] of Object.entries(data)) if (value === null) delete data[key]
    model.data = data
    const refused = outbox.refusals.find((r) => r.slot === slot && r.instrument === id && aboutQuestion(r, questions))
    const resumeAt = refused?.question ?? (Object.keys(data).length > 0 ? firstUnanswered(model) : undefined)
    if (resumeAt) model.currentElementName = resumeAt
    return model
  })

  // Take the participant back to a question the server refused.
  const refusedQuestion = refusals.find((r) => aboutQuestion(r, questions))?.question
  useEffect(() => {
    if (refusedQuestion && model.getQuestionByName(refusedQuestion)) model.currentElementName = refusedQuestion
  }, [model, refusedQuestion])

  useEffect(() => {
    const validate = (sender: SurveyModel, options: { name: string; value: unknown; error?: string }) => {
      const q = questions.get(options.name)
      const problem = q && problemText(q, options.value)
      if (problem) options.error = problem
      else if (q && (q.kind === 'choice' || q.kind === 'choices') && q.otherComment) {
        const comment = sender.getValue(`${options.name}-Comment`) ?? sender.getComment(options.name)
        if (typeof comment === 'string' && comment.length > defaultMaxLength) options.error = t('answer.tooLong', { max: defaultMaxLength, length: comment.length })
      }
    }
    const changed = (_sender: SurveyModel, options: { name: string; value: unknown }) => {
      if (showingFound.current) return
      const base = options.name.endsWith('-Comment') ? options.name.slice(0, -'-Comment'.length) : options.name
      const q = options.name.endsWith('-Comment') ? ({ name: options.name, required: false, conditional: false, kind: 'text', maxLength: defaultMaxLength } as const) : questions.get(base)
      if (!q) return
      // What does not fit is shown on the spot (onValidateQuestion) and not sent: the server would refuse it.
      if (problemText(q, options.value)) return
      const value = storable(q, options.value)
      if (value === undefined) return
      setEmptyWarning(false)
      void outbox.answer(slot, id, options.name, value, form.instrument.title)
    }
    const progressed = () => onProgress?.(`${slot}/${id}`, unansweredCount(model))
    progressed()
    const completing = (sender: SurveyModel, options: { allow: boolean }) => {
      const visible = sender.getAllQuestions(true)
      const unanswered = visible.filter((q) => q.isEmpty())
      if (unanswered.length === visible.length) {
        options.allow = false
        setEmptyWarning(true)
        return
      }
      if (unanswered.length > 0 && skipped === null) {
        options.allow = false
        setSkipped(unanswered.map((q) => q.name))
      }
    }
    const completed = () => {
      void outbox.complete(slot, id)
      onComplete(slot, id)
    }
    model.onValidateQuestion.add(validate)
    model.onValueChanged.add(changed)
    model.onCompleting.add(completing)
    model.onComplete.add(completed)
    model.onValueChanged.add(progressed)
    return () => {
      model.onValueChanged.remove(progressed)
      model.onValidateQuestion.remove(validate)
      model.onValueChanged.remove(changed)
      model.onCompleting.remove(completing)
      model.onComplete.remove(completed)
    }
  }, [model, outbox, slot, id, onComplete, onProgress, questions, skipped, showingFound])

  useEffect(() => {
    if (foundOnDevice === 0) return
    const found = { ...outbox.confirmedAnswers(slot, id), ...outbox.pendingAnswers(slot, id) }
    // Only questions blank here are filled: what is on screen (an answer given on this page, a value
    // being typed) stays, and the participant stays on their question (a dropdown set in code would
    // move the form on).
    const current = model.currentElementName
    showingFound.current = true
    try {
      for (const [question, value] of Object.entries(found)) {
        if (value === null || !model.getQuestionByName(question) || !model.getQuestionByName(question)!.isEmpty()) continue
        model.setValue(question, value)
      }
    } finally {
      showingFound.current = false
    }
    if (current && model.currentElementName !== current) model.currentElementName = current
    onProgress?.(`${slot}/${id}`, unansweredCount(model))
  }, [foundOnDevice, model, outbox, slot, id, onProgress, showingFound])

  const titleOf = (name: string) => model.getQuestionByName(name)?.processedTitle ?? name

  if (skipped && skipped.length > 0) {
    return (
      <section className="card" data-testid="skipped">
        <h2>{t('skipped.title')}</h2>
        <p>{t('skipped.body', { count: skipped.length })}</p>
        <ul>
          {skipped.map((name) => (
            <li key={name}>{titleOf(name)}</li>
          ))}
        </ul>
        <div className="actions">
          <button
            onClick={() => {
              model.currentElementName = skipped[0]!
              setSkipped(null)
            }}
          >
            {t('skipped.goBack')}
          </button>
          <button
            className="secondary"
            onClick={() => {
              setSkipped([])
              // The state update above lands before SurveyJS asks again.
              setTimeout(() => model.completeLastPage(), 0)
            }}
          >
            {t('skipped.leave')}
          </button>
        </div>
      </section>
    )
  }

  return (
    <>
      {emptyWarning && (
        <p className="card" role="alert" data-testid="empty-warning">
          {t('form.empty')}
        </p>
      )}
      {refusals.map((r) => (
        <p className="card refusal" role="alert" key={`${r.question}`} data-testid="refusal">
          {aboutQuestion(r, questions) ? questionRefusalText(r, titleOf(r.question)) : refusalText(r, outbox.persistent)}
        </p>
      ))}
      <Survey model={model} />
    </>
  )
}
