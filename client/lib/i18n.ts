/**
 * The one translation layer: every piece of interface text comes from here. Questionnaire texts come
 * from the instrument files (SurveyJS localizable strings); SurveyJS's own buttons use its locales.
 *
 * Add a language by adding a dictionary with the same keys; `dir` makes the layout right-to-left.
 */
import type { staffEn } from '../staff/messages'

const en = {
  'app.title': 'Balint Outcomes',
  'status.saved': 'All answers saved',
  'status.saving': 'Saving…',
  'status.kept': 'Not sent yet. Your answers are kept on this device and will be sent when the connection returns.',
  'status.unkept': 'Not sent yet, and not kept: this browser does not let the page store anything. Please stay online and keep this page open until it says saved.',
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
  'skipped.body': '{count} question(s) have no answer. You may leave them unanswered, or go back and answer them.',
  'skipped.goBack': 'Go back and answer',
  'skipped.leave': 'Leave unanswered and submit',
  'done.waitingTitle': 'Almost done',
  'status.error': 'Some answers could not be saved. Please check the highlighted questions.',
  'loading': 'Loading…',
  'loading.offline': 'No connection yet. Trying again…',
  'link.inactive.title': 'This link is not active',
  'link.inactive.body': 'If you were invited to take part in a study, please contact the research team who sent you the link.',
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
} as const

/** Keys of the participant pages (above) and of the staff pages (client/staff/messages.ts). */
export type MessageKey = keyof typeof en | keyof typeof staffEn
type Dictionary = Partial<Record<MessageKey, string>>

// English is the fallback for every language; the staff bundle adds its own texts at start-up, so a
// participant's phone never downloads the staff pages' strings.
const english: Dictionary = { ...en }

const dictionaries: Record<string, { dir: 'ltr' | 'rtl'; messages: Dictionary }> = {
  en: { dir: 'ltr', messages: english },
}

/** Add texts for a language (the staff bundle calls this with its English texts). */
export function addMessages(language: string, messages: Dictionary): void {
  Object.assign(language === 'en' ? english : (dictionaries[language]?.messages ?? {}), messages)
}

let current = 'en'

export function setLanguage(language: string): void {
  current = language in dictionaries ? language : 'en'
  document.documentElement.lang = current
  document.documentElement.dir = dictionaries[current]!.dir
}

export function language(): string {
  return current
}

/**
 * The text for `key` in the current language (falling back to English), with `{name}` placeholders
 * filled from `params`.
 *
 * @example
 * t('form.step', { current: 2, total: 4 }) // "Questionnaire 2 of 4"
 */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = dictionaries[current]?.messages[key] ?? english[key] ?? key
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}

/** A date for people, in the current language, without the time. */
export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso))
}

/** A moment for people, in the current language and the device's time zone, with the time. */
export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso))
}

/** The last day a wave is open: it closes at the start of the next day (UTC). */
export function formatLastDay(closesAtIso: string): string {
  return formatDate(new Date(new Date(closesAtIso).getTime() - 1).toISOString())
}
