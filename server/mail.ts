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
 * Each email has its own SMTP session (nodemailer's default, unpooled), whose commands and replies
 * are followed (nodemailer's transaction log, kept in memory and dropped: it never reaches the app's
 * log) to tell an email that may have arrived from one that cannot have (`MailOutcomeUnknown`). The
 * URL cannot turn that off: its `logger` and `transactionLog` parameters are ignored. `close()` ends
 * the emails still being sent (each then fails as it stands: unknown once its message was asked for).
 *
 * @example
 * const mailer = smtpMailer({ url: 'smtp://127.0.0.1:2525', from: 'study@example.org' })
 * await mailer.send({ to: ['safety@example.org'], subject: 'Safety flag', text: '…' })
 */
export function smtpMailer(config: { url: string; from: string }): Mailer & { close(): void } {
  const url = withoutLogging(config.url)
  const sending = new Set<AbortController>()
  return {
    async send(mail) {
      const session = followedSession()
      const transport = nodemailer.createTransport({ url, logger: session.logger, transactionLog: true })
      const abort = new AbortController()
      sending.add(abort)
      try {
        await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text, signal: abort.signal })
      } catch (error) {
        if (refusedForGood(error)) throw new MailRefused((error as Error).message)
        // The server had asked for the message and gave no complete reply to it (a timeout, a lost
        // connection, a reply cut off): it may have taken it. A complete reply (a 421) says it did not.
        if (session.messageAsked() && typeof (error as { responseCode?: unknown }).responseCode !== 'number') {
          throw new MailOutcomeUnknown(`no reply after the message was sent (${(error as Error).message})`)
        }
        throw error
      } finally {
        sending.delete(abort)
        transport.close()
      }
    },
    close: () => {
      for (const abort of sending) abort.abort()
    },
  }
}

/** `url` without the query parameters that would change how a session is logged (nodemailer lets the URL's options win). */
function withoutLogging(url: string): string {
  const parsed = new URL(url)
  for (const key of [...parsed.searchParams.keys()]) if (/^(logger|transactionLog|debug)$/i.test(key)) parsed.searchParams.delete(key)
  return parsed.toString()
}

/**
 * A nodemailer logger that follows one SMTP session and writes nothing (its lines quote addresses):
 * the transaction log gives each command the client sends (`tnx: 'client'`) and each complete reply
 * (`tnx: 'server'`), in order, one reply per command even when pipelined (RFC 2920), after the
 * greeting. `messageAsked()`: the server answered DATA with 2xx or 3xx (354, or the 250 nodemailer
 * also takes), after which the client sends the message (RFC 5321 §4.1.1.4).
 */
function followedSession() {
  const waiting: string[] = []
  let asked = false
  const ignore = () => {}
  const logger = {
    trace: ignore,
    info: ignore,
    warn: ignore,
    error: ignore,
    fatal: ignore,
    debug(entry: { tnx?: unknown } | undefined, message: unknown) {
      if (entry?.tnx === 'client') waiting.push(String(message).split(' ', 1)[0]!.toUpperCase())
      else if (entry?.tnx === 'server' && waiting.length > 0 && waiting.shift() === 'DATA' && /^[23]/.test(String(message))) asked = true
    },
  }
  return { logger, messageAsked: () => asked }
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
