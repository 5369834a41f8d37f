/**
 * The stages around the questionnaires: the progress header that stays in view, the short break
 * between questionnaires, and the copy of the information sheet the participant agreed to.
 */
import { useEffect, useState } from 'react'
import { Model } from 'survey-core'
import { Survey } from 'survey-react-ui'
import type { FormState } from '../../server/contracts/participant'
import { formatDate, language, t } from '../lib/i18n'
import { localText, minutesFor } from './progress'
import { applyParticipantTheme } from './theme'

/**
 * Where the participant is: the wave, "questionnaire n of m", the questions left in the wave and the
 * minutes they take. Shown in the sticky top bar, so it stays in view while the page scrolls.
 */
export function ProgressHeader({ place, questionsLeft }: { place: string; questionsLeft: number }) {
  return (
    <div className="progress" data-testid="progress">
      <p className="step">{place}</p>
      <p className="left" data-testid="questions-left">
        {t('progress.left', { count: questionsLeft })} · {t('progress.minutes', { count: minutesFor(questionsLeft) })}
      </p>
    </div>
  )
}

/**
 * Between two questionnaires: what was just finished and whether it is saved (only "saved" once the
 * server confirmed it), what comes next and how long it takes, and one button to go on.
 */
export function BreakPage({
  finished,
  confirmed,
  notStored,
  refused,
  persistent,
  step,
  total,
  nextForm,
  nextQuestions,
  onContinue,
}: {
  finished: FormState
  confirmed: boolean
  /** Answers given here that were not added: the form had been submitted elsewhere first. */
  notStored: number
  /** The server refused some of its answers (they stay on the device, marked): never say they will be sent when the connection returns. */
  refused: boolean
  persistent: boolean
  step: number
  total: number
  nextForm: FormState
  nextQuestions: number
  onContinue: () => void
}) {
  const lang = language()
  return (
    <section className="card break" data-testid="break" aria-labelledby="break-title">
      <h2 id="break-title">{total > 1 ? t('break.title', { title: localText(finished.instrument.title, lang), current: step, total }) : t('break.titleAlone', { title: localText(finished.instrument.title, lang) })}</h2>
      <p data-testid="break-saved">{notStored > 0 ? t('break.submittedElsewhere', { count: notStored }) : confirmed ? t('break.saved') : refused ? t('break.refused') : persistent ? t('break.kept') : t('status.unkept')}</p>
      <h3>{t('break.next', { title: localText(nextForm.instrument.title, lang) })}</h3>
      <p data-testid="break-size">
        {t('progress.questions', { count: nextQuestions })} · {t('progress.minutes', { count: minutesFor(nextQuestions) })}
      </p>
      <p>{t('break.pause')}</p>
      <div className="actions">
        <button onClick={onContinue} data-testid="break-continue" autoFocus>
          {t('break.continue')}
        </button>
      </div>
    </section>
  )
}

/**
 * A refusal nothing on the page can mend (`dismissibleRefusals`: a questionnaire submitted from
 * another device or tab first, or taken out of its wave), said once in the page's language
 * (`dismissibleRefusalText`) until the participant has read it; the answers it was about stay on the
 * device until then.
 */
export function DismissibleRefusal({ text, onDismiss }: { text: string; onDismiss: () => void }) {
  return (
    <div className="card refusal" role="alert" data-testid="refusal">
      <p>{text}</p>
      <div className="actions">
        <button className="secondary" onClick={onDismiss} data-testid="refusal-dismiss">
          {t('refused.understood')}
        </button>
      </div>
    </div>
  )
}

/** Text that goes into the downloaded copy as text, never as markup. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The information sheet as it was when the participant agreed (its version and the day), to read
 * again at any time and to download as a page of its own. The sheet's HTML comes from the consent
 * instrument file, written by the research team, as SurveyJS shows it on the consent page.
 */
export function ConsentCopy({ agreed, decidedAt, timeZone, onBack }: { agreed: { version: string; survey: unknown }; decidedAt: string; timeZone: string; onBack: () => void }) {
  const [model] = useState(() => {
    const model = new Model(agreed.survey)
    model.locale = language()
    model.mode = 'display'
    model.showNavigationButtons = false
    model.data = { consent: 'agree' }
    applyParticipantTheme(model)
    return model
  })
  const meta = t('consent.copy.meta', { version: agreed.version, date: formatDate(decidedAt, timeZone) })
  // The copy as a page of its own, made and revoked in one effect (StrictMode runs effects twice).
  const [download, setDownload] = useState<string | undefined>(undefined)
  useEffect(() => {
    const sheet = model
      .getAllQuestions()
      .map((q) => (q.getType() === 'html' ? String((q as unknown as { processedHtml: string }).processedHtml) : `<p><strong>${escapeHtml(q.processedTitle)}</strong><br>${escapeHtml(String(q.displayValue ?? ''))}</p>`))
      .join('\n')
    const html = `<!doctype html>\n<html lang="${language()}" dir="${document.documentElement.dir}"><head><meta charset="utf-8"><title>${escapeHtml(t('consent.copy.title'))}</title></head>\n<body>\n<h1>${escapeHtml(t('consent.copy.title'))}</h1>\n<p>${escapeHtml(meta)}</p>\n${sheet}\n</body></html>\n`
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }))
    setDownload(url)
    return () => URL.revokeObjectURL(url)
  }, [model, meta])
  return (
    <section className="card consent-copy" data-testid="consent-copy" aria-labelledby="consent-copy-title">
      <h2 id="consent-copy-title">{t('consent.copy.title')}</h2>
      <p data-testid="consent-copy-meta">{meta}</p>
      <div className="actions">
        <a className="button" href={download} download={`consent-${agreed.version}.html`} data-testid="consent-download">
          {t('consent.copy.download')}
        </a>
        <button className="secondary" onClick={onBack}>
          {t('consent.copy.back')}
        </button>
      </div>
      <Survey model={model} />
    </section>
  )
}
