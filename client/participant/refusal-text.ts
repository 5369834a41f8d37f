/**
 * What a participant reads when the research team's server refuses something, in the page's language
 * (English or Persian). The server's own `message` is English, written for the team and for API users;
 * the participant page never shows it, only the text here for its `code` (the codes: README, "API
 * errors"). An unknown code gets the general text, so a new server refusal never reaches a Persian
 * page in English.
 */
import { t } from '../lib/i18n'
import { finalRefusals, type Refusal } from './outbox'

/**
 * The text for answers or a submit the server refused (an outbox refusal, `Refusal`): what happened,
 * and where the answers are now. The outbox removes refused answers from the device only for
 * `withdrawn`, `link_not_found` and `consent_required` (outbox.ts, finalRefusals); every other refusal
 * keeps them, and its text says so: on this device, or, when the browser does not let the page store
 * anything (`persistent` false: Outbox.persistent), only on the open page, which must stay open. A
 * refused submit (`submit`) was sent after its answers were stored: its text is about the submit,
 * and the form opens again to submit once more.
 */
export function refusalText(r: Pick<Refusal, 'code' | 'slot' | 'question' | 'submit'>, persistent = true): string {
  const wave = () => t(`wave.${r.slot as 'pre' | 'post' | 'follow-up'}`)
  if (r.submit) {
    switch (r.code) {
      case 'withdrawn':
        return t('refused.submitWithdrawn')
      case 'link_not_found':
        return t('refused.submitLinkNotFound')
      case 'link_replaced':
        return t('refused.submitLinkReplaced')
      case 'not_found':
        return t('refused.submitNotInWave')
      case 'wave_not_open':
        return r.slot === 'enrolment' ? t('refused.submitNotAccepted') : t('refused.submitWaveNotOpen', { wave: wave() })
      // Refused as empty, the submit names no question (the server's field is `answers`: transport.ts).
      case 'validation_failed':
        return r.question === null ? t('form.empty') : t('refused.submitNotAccepted')
      default:
        return t('refused.submitNotAccepted')
    }
  }
  if (!persistent) {
    if (r.code === 'wave_not_open' && r.slot !== 'enrolment') return t('refused.waveNotOpenUnkept', { wave: wave() })
    if (r.code === 'link_replaced') return t('refused.linkReplacedUnkept')
    if (!finalRefusals.has(r.code)) return t('refused.notAcceptedUnkept')
  }
  switch (r.code) {
    case 'wave_not_open':
      return r.slot === 'enrolment' ? t('refused.notAccepted') : t('refused.waveNotOpen', { wave: wave() })
    case 'withdrawn':
      return t('refused.withdrawn')
    case 'link_not_found':
      return t('refused.linkNotFound')
    case 'consent_required':
      return t('refused.consentRequired')
    case 'link_replaced':
      return t('refused.linkReplaced')
    case 'not_found':
      return t('refused.notInWave')
    default:
      return t('refused.notAccepted')
  }
}

/**
 * The text for a refusal the participant puts away once read (`dismissibleRefusals`): the form
 * `title` submitted elsewhere first (`already_complete`), or taken out of its wave (`not_found`), with
 * `count` answers given here that it did not store. A form taken out of its wave may be named by no
 * title (`undefined`: answers kept before titles were kept with them): it is then "a questionnaire you
 * answered here". With no answer kept, the text is about its refused submit (`submit`), or says
 * there is nothing more to do.
 */
export function dismissibleRefusalText(r: Pick<Refusal, 'code' | 'submit'>, title: string | undefined, count: number): string {
  if (r.code === 'already_complete') return t('refused.submittedElsewhere', { title: title ?? t('refused.formUntitled'), count })
  const form = title === undefined ? t('refused.formUntitled') : t('refused.formTitled', { title })
  if (count > 0) return t('refused.removedForm', { form, count })
  return r.submit ? t('refused.submitRemovedForm', { form }) : t('refused.removedFormNone', { form })
}

/**
 * The text for a refusal about one question (`title`, as the form shows it): an answer refused, or a
 * submit refused for want of that answer (`submit`). The page sends only answers that pass the
 * server's own rule (answerProblem) for the version it shows, so a refusal means the server holds
 * the question otherwise (a version deployed since the page was loaded): one text says so.
 */
export function questionRefusalText(r: Pick<Refusal, 'submit'>, title: string): string {
  return r.submit ? t('refused.submitQuestion', { question: title }) : t('refused.question', { question: title, reason: t('refused.answerNotAccepted') })
}

/**
 * The text for a refused request other than answers: consent, withdrawal, reminders, a quote's
 * answer. `error` is the body's `error` (lib/api.ts, errorOf; `http_<status>` when the body was not
 * ours). A changed information sheet (`conflict` with `details.currentVersion`, journey.ts,
 * recordConsent) has its own text; another `conflict` means another tab or device got there first.
 */
export function requestErrorText(error: { code: string; details?: unknown }): string {
  switch (error.code) {
    case 'withdrawn':
      return t('error.withdrawn')
    case 'link_not_found':
      return t('link.inactive.body')
    case 'link_replaced':
      return t('link.replaced.body')
    case 'conflict': {
      const details = error.details as { currentVersion?: unknown } | undefined
      return details?.currentVersion !== undefined ? t('error.consentChanged') : t('error.changedElsewhere')
    }
    case 'rate_limited':
    case 'internal_error':
      return t('error.busy')
    default:
      return /^http_(5\d\d|408|429)$/.test(error.code) ? t('error.busy') : t('error.notAccepted')
  }
}

/**
 * Whether a refusal is about one question of the form (`question`, which the form goes back to), not
 * the whole form: only when the server named that question as the one at fault (`ofQuestion`, a 422
 * naming it). Every other refusal (a closed wave, a withdrawal, a replaced link, a 422 naming no
 * answer sent) refuses the batch whole, and the outbox names its first answer's question, which the
 * participant could do nothing about (found by three reviews: "Your answer to … was not stored (You
 * have withdrawn …)", and the form went back to it).
 */
export const aboutQuestion = (r: Refusal, questions: ReadonlyMap<string, unknown>): r is Refusal & { question: string } => r.ofQuestion === true && r.question !== null && questions.has(r.question)
