/**
 * The words of the emails and messages the server writes, in English and Persian. Participant
 * messages go out in the participant's language (else the study's); safety notifications to the
 * study's contacts in the study's language, with the English beside a Persian one so that anyone on
 * the team can read it.
 */
import { persianMoment } from '../dates'

export type MessageLanguage = 'en' | 'fa'

export type WaveMessageKind = 'invitation' | 'reminder'

const waveNames: Record<MessageLanguage, Record<string, string>> = {
  en: { pre: 'before the group', post: 'after the group', 'follow-up': 'follow-up' },
  fa: { pre: 'پیش از گروه', post: 'پس از گروه', 'follow-up': 'پیگیری' },
}

/**
 * An invitation or reminder for one participant: `closes` is the last day, already written in the
 * study's zone and the message's language (`lastDayForPeople`: "2026-03-14", "۲۳ اسفند ۱۴۰۴");
 * `link` is the participant's personal link.
 */
export function waveMessage(language: MessageLanguage, kind: WaveMessageKind, input: { study: string; wave: string; closes: string; link: string }): { subject: string; text: string } {
  const wave = waveNames[language][input.wave] ?? input.wave
  if (language === 'fa') {
    return kind === 'invitation'
      ? {
          subject: `${input.study}: دعوت به پرسش‌نامه‌های ${wave}`,
          text: `سلام،\n\nپرسش‌نامه‌های ${wave} در پژوهش «${input.study}» باز شده است. لطفاً تا پایان ${input.closes} آن‌ها را از این پیوند شخصی پر کنید:\n\n${input.link}\n\nاین پیوند فقط برای شماست؛ آن را با کسی به اشتراک نگذارید.\n\nبا سپاس`,
        }
      : {
          subject: `${input.study}: یادآوری پرسش‌نامه‌های ${wave}`,
          text: `سلام،\n\nیادآوری: پرسش‌نامه‌های ${wave} در پژوهش «${input.study}» پس از ${input.closes} بسته می‌شود. اگر هنوز فرصت نکرده‌اید، از این پیوند شخصی پر کنید:\n\n${input.link}\n\nاگر نمی‌خواهید یادآوری دریافت کنید، می‌توانید آن را در همان صفحه خاموش کنید.\n\nبا سپاس`,
        }
  }
  return kind === 'invitation'
    ? {
        subject: `${input.study}: your questionnaires ${wave}`,
        text: `Hello,\n\nThe questionnaires ${wave} of the study "${input.study}" are open. Please fill them in by the end of ${input.closes} at your personal link:\n\n${input.link}\n\nThis link is yours alone; please do not share it.\n\nThank you`,
      }
    : {
        subject: `${input.study}: a reminder about your questionnaires ${wave}`,
        text: `Hello,\n\nA reminder: the questionnaires ${wave} of the study "${input.study}" close after ${input.closes}. If you have not had time yet, your personal link is:\n\n${input.link}\n\nIf you would rather not get reminders, you can turn them off on the same page.\n\nThank you`,
      }
}

/**
 * The email to a study's safety contacts. It names the participant's code, the questionnaire, the
 * item and when, and points to the Safety view: the answer itself stays in the app, not in mailboxes.
 */
export function safetyNotification(input: { study: string; code: string; instrument: string; item: string; raisedAt: string; timeZone: string; safetyUrl: string; repeat: boolean }): { subject: string; text: string } {
  const again = input.repeat ? ' (not yet acknowledged)' : ''
  const againFa = input.repeat ? ' (هنوز رسیدگی ثبت نشده)' : ''
  return {
    subject: `Safety flag${again}: ${input.study}, ${input.code} · علامت ایمنی${againFa}`,
    text:
      `An answer raised a safety flag in the study "${input.study}"${again}.\n\n` +
      `Participant: ${input.code}\nQuestionnaire: ${input.instrument}\nItem: ${input.item}\nRaised at: ${input.raisedAt}\n\n` +
      `Please follow the study's safety protocol, and acknowledge the flag with the action taken in the Safety view:\n${input.safetyUrl}\n\n` +
      `---\n\n` +
      `یک پاسخ در پژوهش «${input.study}» علامت ایمنی ایجاد کرده است${againFa}.\n\n` +
      `شرکت‌کننده: ${input.code}\nپرسش‌نامه: ${input.instrument}\nگویه: ${input.item}\nزمان: ${persianMoment(input.raisedAt, input.timeZone)}\n\n` +
      `لطفاً طبق پروتکل ایمنی پژوهش اقدام کنید و اقدام انجام‌شده را در بخش «ایمنی» ثبت کنید:\n${input.safetyUrl}\n`,
  }
}
