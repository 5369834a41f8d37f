/**
 * The one translation layer: every piece of interface text comes from here. Questionnaire texts come
 * from the instrument files (SurveyJS localizable strings); SurveyJS's own buttons use its locales.
 *
 * i18next does the work underneath (language fallback, plural rules from CLDR through Intl.PluralRules,
 * numbers in the language's own digits); the catalogues stay flat keys with `{placeholder}` texts, and a
 * text that depends on a count has `key_one` / `key_other` forms, called as `t('key', { count })`.
 * Persian texts live beside each English catalogue (messages.fa.ts) and are loaded only when needed.
 */
import { peopleLocales } from '../../server/contracts/locales'
import i18next from 'i18next'
import type { staffEn } from '../staff/messages'

const en = {
  'app.title': 'Balint Outcomes',
  'status.saved': 'All answers saved',
  'status.saving': 'Saving…',
  'status.kept': 'Not sent yet. Your answers are kept on this device and will be sent when the connection returns.',
  'status.unkept': 'Not sent yet, and not kept: this browser does not let the page store anything. Please stay online and keep this page open until it says saved.',
  'status.unread': 'Your answers on this page are saved. Answers kept on this device from an earlier visit could not be read yet: please open this link again later, while online, so that they are sent too.',
  'status.unkeptSaved': 'All answers saved. This browser does not let the page keep answers, so please stay online while you answer.',
  'offline.fromDevice': 'No connection. This is the questionnaire as it was kept on this device; you can go on, and your answers will be sent when the connection returns.',
  'answer.notNumber': 'Please type a number, using digits only (for example 34 or ۳۴).',
  'answer.wholeNumber': 'Please give a whole number from {min} to {max}.',
  'answer.numberStep': 'Please give a number from {min} to {max}, in steps of {step}.',
  'answer.tooLong': 'This answer is {length} characters long; the most it can hold is {max}. Please shorten it.',
  'answer.invalid': 'This answer is not one of the choices.',
  'refused.question': 'Your answer to "{question}" was not stored ({reason}). Please check it.',
  'form.empty': 'Nothing is answered yet. Please answer at least one question before you submit.',
  'skipped.title': 'Leave these unanswered?',
  'skipped.body_one': '{count} question has no answer. You may leave it unanswered, or go back and answer it.',
  'skipped.body_other': '{count} questions have no answer. You may leave them unanswered, or go back and answer them.',
  'skipped.goBack': 'Go back and answer',
  'skipped.leave': 'Leave unanswered and submit',
  'done.waitingTitle': 'Almost done',
  'status.error': 'Some answers could not be saved: please read the message below.',
  'status.notAdded': 'Some answers given here were not added: please read the message below.',
  'loading': 'Loading…',
  'loading.offline': 'No connection yet. Trying again…',
  'link.inactive.title': 'This link is not active',
  'link.inactive.body': 'If you were invited to take part in a study, please contact the research team who sent you the link.',
  'link.replaced.title': 'This link has been replaced',
  'link.replaced.body': 'The research team has sent you a newer link. Please open the link in their most recent message; your answers so far are kept. If you cannot find it, contact the research team.',
  'consent.declined.title': 'Thank you',
  'consent.declined.body': 'You chose not to take part. Only that decision has been recorded; no other information was collected. If you change your mind, you can come back to this link at any time.',
  'consent.declined.again': 'Read the information again',
  'consent.submit': 'Continue',
  'consent.offline': 'Your decision could not be sent because there is no connection. Please try again when you are online.',
  'form.step': 'Questionnaire {current} of {total}',
  'form.enrolment': 'About you',
  'form.completedOffline': 'Submitted on this device. It will be sent to the research team as soon as the connection returns.',
  'done.title': 'Thank you',
  'done.body': 'You have completed every questionnaire that is open now.',
  'done.pending': 'Your answers are kept on this device and will be sent when the connection returns. Please keep this page open or come back to this link later.',
  'done.refused': 'The research team’s server did not accept some of your answers, so they cannot be sent as they are. The message on this page says why, where they are, and what you can do.',
  'waves.title': 'Your questionnaires',
  'wave.pre': 'Before the group',
  'wave.post': 'After the group',
  'wave.follow-up': 'Follow-up',
  'wave.open': 'Open until {closes}',
  'wave.upcoming': 'Opens on {opens} and stays open until {closes}',
  'wave.closed': 'Closed on {closes}',
  'wave.complete': 'Completed',
  'waves.noneOpen': 'No questionnaire is open right now. The dates are below; you can come back to this link then.',
  'waves.none': 'No questionnaires have been scheduled yet. The research team will let you know when they open.',
  'withdraw.link': 'Withdraw from the study',
  'withdraw.title': 'Withdraw from the study',
  'withdraw.body': 'You can stop taking part at any time, without giving a reason. Nothing more will be asked of you. Please choose what happens to the answers you have already given:',
  'withdraw.keep': 'Keep my answers for the research, and my interview if I gave one (they stay pseudonymous)',
  'withdraw.delete': 'Delete my answers, and my interview if I gave one: its notes, its transcript and any quotes taken from it',
  'withdraw.confirm': 'Withdraw',
  'withdraw.cancel': 'Go back',
  'withdraw.offline': 'Withdrawing needs a connection. Please try again when you are online.',
  'withdrawn.title': 'You have withdrawn from the study',
  'withdrawn.body': 'Thank you for your time. Nothing more will be collected through this link.',
  'participant.results.title': 'Your results',
  'participant.results.intro': 'These are your own scores before and after the group. They are not a diagnosis; if anything here worries you, please talk to someone you trust or to the research team.',
  'participant.results.before': 'Before: {score} ({band})',
  'participant.results.after': 'after: {score} ({band})',
  'participant.results.better': 'This changed for the better.',
  'participant.results.worse': 'This got worse.',
  'participant.results.same': 'This stayed about the same.',
  'participant.results.lowerBetter': 'On this questionnaire a lower score means fewer difficulties.',
  'participant.results.higherBetter': 'On this questionnaire a higher score means more well-being.',
  'participant.results.supportWorse': 'Some of your answers suggest that things have been harder for you lately. You do not have to manage this alone.',
  'participant.results.supportFlag': 'One of your answers said you have had thoughts of harming yourself or of being better off dead. Please reach out for support now; you do not have to manage this alone.',
  'participant.results.contact': 'You can contact: {contact}.',
  'participant.results.contactTeam': 'Please contact the research team named in your invitation, your doctor, or a local crisis line.',
  'participant.quotes.title': 'Quotes from your interview',
  'participant.quotes.intro': 'The research team would like to use these words from your interview, without your name, to illustrate what participants said about the group. Please tell us for each one whether it can be used as it is, whether you want to add a comment, or whether you want it withdrawn. You can change your answer later.',
  'participant.quotes.usedFor': 'Used to illustrate: {where}',
  'participant.quotes.question': 'May we use this quote?',
  'participant.quotes.confirm': 'Yes, it can be used as it is',
  'participant.quotes.comment': 'I want to add a comment',
  'participant.quotes.withdraw': 'Please withdraw it: do not use these words',
  'participant.quotes.commentLabel': 'Your comment (optional)',
  'participant.quotes.commentRequired': 'Your comment',
  'participant.quotes.send': 'Send my answer',
  'participant.quotes.sending': 'Sending…',
  'participant.quotes.change': 'Change my answer',
  'participant.quotes.cancel': 'Keep my answer',
  'participant.quotes.answered.confirm': 'You confirmed this quote on {at}.',
  'participant.quotes.answered.comment': 'You commented on this quote on {at}.',
  'participant.quotes.answered.withdraw': 'You asked for this quote to be withdrawn on {at}. It will not be used.',
  'participant.quotes.yourComment': 'Your comment: {comment}',
  'participant.quotes.offline': 'Your answer could not be sent because there is no connection. Please try again when you are online.',
  'wave.closesSoon': 'This questionnaire closes soon: you can answer until {closes}.',
  'language.label': 'Language',
  'progress.left_one': '{count} question left',
  'progress.left_other': '{count} questions left',
  'progress.questions_one': '{count} question',
  'progress.questions_other': '{count} questions',
  'progress.minutes_one': 'about {count} minute',
  'progress.minutes_other': 'about {count} minutes',
  'progress.answered': 'Answered {answered} of {total}',
  'break.title': 'Done: {title} (questionnaire {current} of {total})',
  'break.titleAlone': 'Done: {title}',
  'break.saved': 'Your answers to it are saved with the research team.',
  'break.kept': 'Your answers to it are kept on this device and will be sent to the research team when the connection returns.',
  'refused.waveNotOpen': 'These questionnaires ({wave}) are not open now, so these answers could not be stored. They are kept on this device. If you think this is a mistake, please contact the research team.',
  'break.refused': 'The research team’s server did not accept some of your answers to it, so they cannot be sent as they are. The message on this page says why, where they are, and what you can do.',
  'break.next': 'Next: {title}',
  'break.pause': 'Take a short break if you like. Your place is kept, even if you close this page and come back to the link later.',
  'break.continue': 'Continue',
  'break.submittedElsewhere_one': 'It had already been submitted from another device or browser tab, with the answers given there: {count} answer you gave here after that was not added.',
  'break.submittedElsewhere_other': 'It had already been submitted from another device or browser tab, with the answers given there: {count} answers you gave here after that were not added.',
  'refused.submittedElsewhere_one': '"{title}" had already been submitted from another device or browser tab, with the answers given there. Your answer to {count} question, given here after that, was not added.',
  'refused.submittedElsewhere_other': '"{title}" had already been submitted from another device or browser tab, with the answers given there. Your answers to {count} questions, given here after that, were not added.',
  'refused.understood': 'I understand',
  'refused.removedForm_one': '{form} is no longer among your questionnaires, so your answer to {count} question, given here, could not be stored. It is kept here until you press “I understand”. If you think this is a mistake, please contact the research team before you do.',
  'refused.removedForm_other': '{form} is no longer among your questionnaires, so your answers to {count} questions, given here, could not be stored. They are kept here until you press “I understand”. If you think this is a mistake, please contact the research team before you do.',
  'refused.submitRemovedForm': '{form} is no longer among your questionnaires, so it could not be submitted. There is nothing more for you to do for it.',
  'refused.removedFormNone': '{form} is no longer among your questionnaires. There is nothing more for you to do for it.',
  'refused.formTitled': '"{title}"',
  'refused.formUntitled': 'A questionnaire you answered here',
  'waves.oneAtATime': 'More than one set of questionnaires is open. Please answer "{first}" first; "{later}" comes once it is done.',
  'done.next': 'What happens next',
  'done.stored': 'Your answers have reached the research team; there is nothing more to do now.',
  'done.nextWave': 'The next questionnaires, "{wave}", open on {opens}. Please come back to this same link then (you may want to bookmark it).',
  'done.noMore': 'No more questionnaires are planned for you at the moment. The research team will contact you if anything else is needed.',
  'consent.copy.link': 'What I agreed to',
  'consent.copy.title': 'What you agreed to',
  'consent.copy.meta': 'Information sheet version {version}, agreed on {date}.',
  'consent.copy.download': 'Download a copy',
  'consent.copy.back': 'Back',
  'safety.title': 'You do not have to manage this alone',
  'safety.default': 'One of your answers said that you have had thoughts of harming yourself or of being better off dead. If you are in danger now, please call your local emergency services. Otherwise, please talk today to someone you trust, to your doctor or to a crisis line near you.',
  'safety.contactLabel': 'The research team’s contact for support:',
  'safety.teamSees': 'The research team sees this answer and may get in touch with you.',
  'reminders.optOut': 'Send me no reminders',
  'reminders.optIn': 'Send me reminders again',
  'reminders.none': 'You get no reminders before a questionnaire closes.',
  'reminders.offline': 'This needs a connection. Please try again when you are online.',
  'refused.withdrawn': 'You have withdrawn from this study, so these answers were not stored, and they have been removed from this device.',
  'refused.linkNotFound': 'This link is no longer active, so these answers were not stored, and they have been removed from this device. If you were invited to a study, please contact the research team.',
  'refused.consentRequired': 'No agreement to take part is recorded for this link, so these answers were not stored, and they have been removed from this device. Please contact the research team.',
  'refused.linkReplaced': 'This link has been replaced by the one in the research team’s most recent message. These answers are kept on this device, and are sent when you open that link on this device.',
  'refused.notInWave': 'This questionnaire is no longer part of these questionnaires, so these answers could not be stored. They are kept on this device. Please contact the research team.',
  'refused.notAccepted': 'The research team’s server did not accept these answers. They are kept on this device. Please contact the research team.',
  'refused.answerNotAccepted': 'the research team’s server does not accept it for this question',
  'refused.waveNotOpenUnkept': 'These questionnaires ({wave}) are not open now, so these answers could not be stored. This browser does not let the page keep them on this device: they are only on this open page. If you think this is a mistake, please contact the research team before you close it.',
  'refused.linkReplacedUnkept': 'This link has been replaced by the one in the research team’s most recent message. This browser does not let the page keep these answers on this device, so they cannot go with that link: please open that link and give them there again.',
  'refused.notAcceptedUnkept': 'The research team’s server did not accept these answers. This browser does not let the page keep them on this device: they are only on this open page. Please contact the research team before you close it.',
  'refused.submitWithdrawn': 'You have withdrawn from this study, so this questionnaire was not submitted.',
  'refused.submitLinkNotFound': 'This link is no longer active, so this questionnaire was not submitted. If you were invited to a study, please contact the research team.',
  'refused.submitLinkReplaced': 'This link has been replaced by the one in the research team’s most recent message, so this questionnaire was not submitted. Please open that link and submit it there: your answers so far are kept.',
  'refused.submitWaveNotOpen': 'These questionnaires ({wave}) are not open now, so this questionnaire could not be submitted. Your answers so far are saved. If you think this is a mistake, please contact the research team.',
  'refused.submitQuestion': 'This questionnaire was not submitted: the research team’s server needs an answer to "{question}", or a different one. Please check it and submit again.',
  'refused.submitNotInWave': 'This questionnaire is no longer among your questionnaires, so it could not be submitted. There is nothing more for you to do for it.',
  'refused.submitNotAccepted': 'The research team’s server did not accept the submission of this questionnaire. Your answers so far are saved. Please try to submit again; if it happens again, contact the research team.',
  'error.withdrawn': 'You have withdrawn from this study, so nothing more is collected.',
  'error.consentChanged': 'The information sheet has changed since this page was loaded. Please reload the page and read the new text.',
  'error.changedElsewhere': 'This was already done, or changed, on another device or browser tab. Please reload the page.',
  'error.busy': 'The research team’s server could not take this just now. Please try again in a few minutes.',
  'error.notAccepted': 'The research team’s server did not accept this. Please reload the page and try again; if it happens again, contact the research team.',
} as const

/** The participant pages' English texts (the catalogue check compares every language with these). */
export const participantEn: Readonly<Record<keyof typeof en, string>> = en

/** `x_one` and `x_other` are the plural forms of the key `x`, which is what callers pass. */
type PluralBase<K> = K extends `${infer Base}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}` ? Base : K
type CatalogueKey = keyof typeof en | keyof typeof staffEn

/** Keys of the participant pages (above) and of the staff pages (client/staff/messages.ts). */
export type MessageKey = PluralBase<CatalogueKey>
type Dictionary = Partial<Record<CatalogueKey, string>>

/** The languages of the interface: each with its direction and the locale its dates and numbers use. */
export const languages = {
  en: { dir: 'ltr', name: 'English', locale: peopleLocales.en },
  // Persian: Persian digits and the Solar Hijri calendar on screen; exports and the API stay ISO.
  fa: { dir: 'rtl', name: 'فارسی', locale: peopleLocales.fa },
} as const
export type Language = keyof typeof languages

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.hasOwn(languages, value)
}

const numberFormats = new Map<string, Intl.NumberFormat>()
function numberFormat(language: string): Intl.NumberFormat {
  let format = numberFormats.get(language)
  if (!format) numberFormats.set(language, (format = new Intl.NumberFormat(isLanguage(language) ? languages[language].locale : language, { maximumFractionDigits: 2 })))
  return format
}

/**
 * Numbers in the language's own digits ("Questionnaire ۲ of ۴" in Persian): i18next's formatter
 * module, asked for every placeholder (alwaysFormat), formats numbers and leaves the rest as they are.
 */
const digits = {
  type: 'formatter' as const,
  init: () => undefined,
  add: () => undefined,
  addCached: () => undefined,
  format: (value: unknown, _format: string | undefined, lng: string | undefined) => (typeof value === 'number' ? numberFormat(lng ?? 'en').format(value) : value),
}

const i18n = i18next.createInstance()
void i18n.use(digits).init({
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: Object.keys(languages),
  resources: { en: { translation: { ...en } } },
  initAsync: false,
  // Flat keys with dots in them, and `{name}` placeholders, as the catalogues have always been written.
  keySeparator: false,
  nsSeparator: false,
  returnNull: false,
  interpolation: {
    prefix: '{',
    suffix: '}',
    // React escapes what it renders; escaping here as well would show "&amp;" to people.
    escapeValue: false,
    alwaysFormat: true,
  },
})

/** Add texts for a language (each bundle adds its own catalogues at start-up). */
export function addMessages(language: Language, messages: Dictionary): void {
  i18n.addResourceBundle(language, 'translation', messages, true, true)
}

const loaded = new Set<Language>(['en'])

/**
 * Load the participant pages' texts for `language` (Persian is a separate file, downloaded only by
 * those who read Persian), then switch to it.
 */
export async function loadLanguage(language: Language): Promise<void> {
  if (!loaded.has(language)) {
    if (language === 'fa') addMessages('fa', (await import('./messages.fa')).participantFa)
    loaded.add(language)
  }
  setLanguage(language)
}

/** Switch the interface's language: `<html lang dir>` follow, and so does the layout (logical CSS). */
export function setLanguage(language: string): void {
  const next: Language = isLanguage(language) ? language : 'en'
  void i18n.changeLanguage(next)
  if (typeof document === 'undefined') return
  document.documentElement.lang = next
  document.documentElement.dir = languages[next].dir
}

export function language(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en'
}

/**
 * A form's text (a scale's label, a question's title) in the reader's language when the form has it
 * (a team's Persian translation), else the English the server sends beside it.
 *
 * @example
 * inLanguage({ label: 'Age (years)', labels: { en: 'Age (years)', fa: 'سن (سال)' } }) // "سن (سال)" in Persian
 */
export function inLanguage(text: { label: string; labels?: Record<string, string> }): string {
  return text.labels?.[language()] ?? text.label
}

/** The locale dates and numbers are written in: Persian digits and the Solar Hijri calendar for Persian. */
export function locale(): string {
  return languages[language()].locale
}

/**
 * The language a browser asks for, when it is one of ours: `fa-IR` gives "fa".
 *
 * @example
 * preferredLanguage(['fa-IR', 'en-US']) // "fa"
 */
export function preferredLanguage(requested: readonly string[]): Language | null {
  for (const tag of requested) {
    const base = tag.toLowerCase().split('-')[0]
    if (isLanguage(base)) return base
  }
  return null
}

/**
 * The text for `key` in the current language (falling back to English), with `{name}` placeholders
 * filled from `params`; numbers are written in the language's digits, and `count` chooses the plural form.
 *
 * @example
 * t('form.step', { current: 2, total: 4 }) // "Questionnaire 2 of 4"
 */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return i18n.t(key, params) as string
}

/** A whole number or a score in the current language's digits: "۱۲٫۵" in Persian. */
export function formatNumber(value: number): string {
  return numberFormat(language()).format(value)
}

/** A date for people, in the current language and calendar, without the time (the day in `timeZone`). */
export function formatDate(iso: string, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeZone }).format(new Date(iso))
}

/** A moment for people, in the current language and the device's time zone, with the time. */
export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso))
}

/** The last day a wave is open, in the study's zone: it closes at the start of the next day there. */
export function formatLastDay(closesAtIso: string, timeZone = 'UTC'): string {
  return formatDate(new Date(new Date(closesAtIso).getTime() - 1).toISOString(), timeZone)
}

/**
 * The last minute a wave is open, with its date and the zone's name, as a participant needs to know it:
 * "March 7, 2026 at 11:59 PM Iran Standard Time".
 */
export function formatClosing(closesAtIso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'long', timeZone }).format(
    new Date(new Date(closesAtIso).getTime() - 60_000),
  )
}
