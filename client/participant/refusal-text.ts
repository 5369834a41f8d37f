/**
 * What a participant reads when the research team's server refuses something, in the page's language
 * (English or Persian). The server's own `message` is English, written for the team and for API users;
 * the participant page never shows it, only the text here for its `code` (the codes: README, "API
 * errors"). An unknown code gets the general text, so a new server refusal never reaches a Persian
 * page in English.
 */
import { t } from '../lib/i18n'
import type { Refusal } from './outbox'

/**
 * The text for answers or a submit the server refused (an outbox refusal, `Refusal`): what happened,
 * and where the answers are now. The outbox removes answers from the device only for `withdrawn`,
 * `link_not_found` and `consent_required` (outbox.ts, finalRefusals); every other refusal keeps them,
 * and its text says so.
 */
export function refusalText(r: Pick<Refusal, 'code' | 'slot' | 'question'>): string {
  switch (r.code) {
    case 'wave_not_open':
      return r.slot === 'enrolment' ? t('refused.notAccepted') : t('refused.waveNotOpen', { wave: t(`wave.${r.slot as 'pre' | 'post' | 'follow-up'}`) })
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
    // A submit refused as empty names the field `answers` (journey.ts, completeForm).
    case 'validation_failed':
      return r.question === 'answers' ? t('form.empty') : t('refused.notAccepted')
    default:
      return t('refused.notAccepted')
  }
}

/**
 * Why one answer was refused, for 'refused.question'. The page sends only answers that pass the
 * server's own rule (answerProblem) for the version it shows, so a refusal means the server holds
 * the question otherwise (a version deployed since the page was loaded): one text says so.
 */
export const answerRefusalReason = (): string => t('refused.answerNotAccepted')

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
