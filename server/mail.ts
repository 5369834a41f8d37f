/**
 * Email over SMTP with nodemailer: the well-kept Node mail client (SMTP, STARTTLS, authentication,
 * pooling, MIME encoding of Persian text), so none of that is ours.
 */
import nodemailer from 'nodemailer'
import type { Mailer } from './domain/messaging/mailer'

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
      await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text })
    },
    close: () => transport.close(),
  }
}
