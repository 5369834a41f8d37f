/**
 * Email over SMTP with nodemailer: the well-kept Node mail client (SMTP, STARTTLS, authentication,
 * pooling, MIME encoding of Persian text), so none of that is ours.
 */
import nodemailer from 'nodemailer'
import { MailOutcomeUnknown, MailRefused, type Mailer } from './domain/messaging/mailer'

/**
 * A mailer for `url` (smtp://user:password@host:587, smtps://… for TLS from the start; nodemailer's
 * options as query parameters, such as `?socketTimeout=60000` in milliseconds) sending from `from`
 * ("Balint study <study@example.org>").
 *
 * Each email has its own SMTP session (nodemailer's default, unpooled), whose server replies are
 * followed (nodemailer's transaction log, kept in memory and dropped: it never reaches the app's
 * log) to tell an email that may have arrived from one that cannot have (`MailOutcomeUnknown`).
 *
 * @example
 * const mailer = smtpMailer({ url: 'smtp://127.0.0.1:2525', from: 'study@example.org' })
 * await mailer.send({ to: ['safety@example.org'], subject: 'Safety flag', text: '…' })
 */
export function smtpMailer(config: { url: string; from: string }): Mailer & { close(): void } {
  const open = new Set<ReturnType<typeof nodemailer.createTransport>>()
  return {
    async send(mail) {
      const session = followedSession()
      const transport = nodemailer.createTransport({ url: config.url, logger: session.logger, transactionLog: true })
      open.add(transport)
      try {
        await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text })
      } catch (error) {
        if (refusedForGood(error)) throw new MailRefused((error as Error).message)
        // The server had asked for the message and said nothing after it: it may have taken it.
        if (session.lastReply().startsWith('354')) throw new MailOutcomeUnknown(`no reply after the message was sent (${(error as Error).message})`)
        throw error
      } finally {
        transport.close()
        open.delete(transport)
      }
    },
    close: () => {
      for (const transport of open) transport.close()
    },
  }
}

/**
 * A nodemailer logger that keeps only the SMTP server's last reply of one session (the
 * transaction log gives each reply as an entry with `tnx: 'server'`), and writes nothing: the
 * session's other lines quote addresses.
 */
function followedSession() {
  let last = ''
  const ignore = () => {}
  const logger = {
    trace: ignore,
    info: ignore,
    warn: ignore,
    error: ignore,
    fatal: ignore,
    debug(entry: { tnx?: unknown } | undefined, message: unknown) {
      if (entry?.tnx === 'server') last = String(message)
    },
  }
  return { logger, lastReply: () => last }
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
