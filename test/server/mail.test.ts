/**
 * The SMTP mailer against a real SMTP server (smtp-server): which failures say the email cannot have
 * arrived (tried again), which refuse it for good, and which leave it unknown (it may have arrived).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'
import { MailOutcomeUnknown, MailRefused } from '../../server/domain/messaging/mailer'
import { smtpMailer } from '../../server/mail'
import { startTestSmtpServer } from '../helpers/smtp'

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

const mail = { to: ['p1@example.org'], subject: 'Reminder', text: 'Your link: https://balint.example/p/abc' }

async function mailerFor(url: string) {
  const mailer = smtpMailer({ url: `${url}?socketTimeout=400`, from: 'study@example.org' })
  closers.push(() => mailer.close())
  return mailer
}

/** What sending `mail` through a mailer for `url` rejects with (undefined when it was accepted). */
async function sendError(url: string): Promise<unknown> {
  return (await mailerFor(url)).send(mail).then(
    () => undefined,
    (e: unknown) => e,
  )
}

/** An SMTP server that never answers RCPT TO: the message is never asked for. */
async function silentAtRecipient() {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onRcptTo: () => {} })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`
}

describe('smtpMailer', () => {
  it('resolves once the server accepted the message', async () => {
    const smtp = await startTestSmtpServer()
    closers.push(() => smtp.close())
    await (await mailerFor(smtp.url)).send(mail)
    expect(smtp.received.map((m) => m.to)).toEqual([['p1@example.org']])
  })

  it('says the outcome is unknown when the message was sent and no reply came, with no address in what it says', async () => {
    const smtp = await startTestSmtpServer({ onReceive: () => new Promise<void>(() => {}) })
    closers.push(() => smtp.close())
    const error = await sendError(smtp.url)
    expect(error).toBeInstanceOf(MailOutcomeUnknown)
    expect((error as Error).message).not.toMatch(/@/)
    // The server had it in full.
    expect(smtp.received).toHaveLength(1)
  })

  it('says nothing is known to have arrived when the server stops answering before the message was asked for', async () => {
    const error = await sendError(await silentAtRecipient())
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(MailOutcomeUnknown)
    expect(error).not.toBeInstanceOf(MailRefused)
  })

  it('says nothing is known to have arrived when the server cannot be reached', async () => {
    const smtp = await startTestSmtpServer()
    await smtp.close()
    const error = await sendError(smtp.url)
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(MailOutcomeUnknown)
    expect(error).not.toBeInstanceOf(MailRefused)
  })

  it('refuses for good an unknown mailbox, its address taken out of the reply', async () => {
    const smtp = await startTestSmtpServer({ rejectRecipients: ['p1@example.org'] })
    closers.push(() => smtp.close())
    const error = await sendError(smtp.url)
    expect(error).toBeInstanceOf(MailRefused)
    expect((error as Error).message).toMatch(/550/)
    expect((error as Error).message).not.toMatch(/p1@example\.org/)
  })
})
