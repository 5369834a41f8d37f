/**
 * Email over SMTP with nodemailer: the well-kept Node mail client (SMTP, STARTTLS, authentication,
 * pooling, MIME encoding of Persian text), so none of that is ours.
 */
import nodemailer from 'nodemailer'
import { MailRefused, type Mailer } from './domain/messaging/mailer'

/**
 * A mailer for `url` (smtp://user:password@host:587, smtps://… for TLS from the start) sending
 * from `from` ("Balint study <study@example.org>").
 *
 * @example
 * const mailer = smtpMailer({ url: 'smtp://127.0.0.1:2525', from: 'study@example.org' })
 * await mailer.send({ to: ['safety@example.org'], subject: 'Safety flag', text: '…' })
 */
export function smtpMailer(config: { url: string; from: string }): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(config.url)
  return {
    async send(mail) {
      try {
        await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text })
      } catch (error) {
        throw refusedForGood(error) ? new MailRefused((error as Error).message) : error
      }
    },
    close: () => transport.close(),
  }
}

/**
 * A refusal of this message or its address (a 4xx or 5xx reply to RCPT TO or DATA: unknown user,
 * mailbox full, greylisted): the others may still go, and this one is the team's to send by hand. A
 * connection refused, a timeout, a refused login or a 421 (the service closing) is the server's or
 * our set-up's trouble, not the message's: worth trying the whole job again. Found by a review: a
 * 452 "mailbox full" for one participant, taken for the server's trouble, stopped the job at them
 * on every try, and nobody after them was ever emailed.
 */
function refusedForGood(error: unknown): boolean {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown }
  return (code === 'EENVELOPE' || code === 'EMESSAGE') && typeof responseCode === 'number' && responseCode >= 400 && responseCode !== 421
}
