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
 * A 5xx reply to the envelope (the address) or to the message itself: the server will not take it,
 * however often we try. A connection refused, a timeout, a 4xx ("try later") or a refused login is
 * the server's or our set-up's trouble, not the message's: worth trying again.
 */
function refusedForGood(error: unknown): boolean {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown }
  return (code === 'EENVELOPE' || code === 'EMESSAGE') && typeof responseCode === 'number' && responseCode >= 500
}
