/**
 * A real SMTP server for tests (the `smtp-server` package, nodemailer's own), listening on a free
 * port of 127.0.0.1 (or `port`, to bring a stopped one back at the same address) and keeping every
 * message it receives, parsed by `mailparser`, with its raw header lines. `rejectRecipients` are
 * refused for good (550, quoting the address as Postfix does), as a real server refuses an unknown mailbox. `onReceive` runs before the
 * server answers that it accepted a message: what happens in the app while a batch is being sent.
 * `perWindow` makes it a rate-limited server (as Office 365 or Gmail are): after that many messages it
 * answers "421 try later" until `newWindow()`.
 */
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'

export type ReceivedMail = { from: string; to: string[]; subject: string; text: string; headers: string }

export async function startTestSmtpServer(options: { port?: number; rejectRecipients?: string[]; mailboxFull?: string[]; onReceive?: (mail: ReceivedMail) => Promise<void>; perWindow?: number } = {}): Promise<{ url: string; port: number; received: ReceivedMail[]; newWindow: () => void; close: () => Promise<void> }> {
  const received: ReceivedMail[] = []
  const rejected = new Set((options.rejectRecipients ?? []).map((a) => a.toLowerCase()))
  let inWindow = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.perWindow !== undefined && inWindow >= options.perWindow) return callback(Object.assign(new Error('4.7.0 Too many messages, try again later'), { responseCode: 421 }))
      if ((options.mailboxFull ?? []).includes(address.address.toLowerCase())) return callback(Object.assign(new Error('4.2.2 Mailbox full'), { responseCode: 452 }))
      if (rejected.has(address.address.toLowerCase())) return callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }))
      callback()
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const got: ReceivedMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            headers: mail.headerLines.map((h) => h.line).join('\n'),
          }
          received.push(got)
          inWindow++
          return (options.onReceive?.(got) ?? Promise.resolve()).then(() => callback())
        },
        (error: Error) => callback(error),
      )
    },
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as AddressInfo).port
  return { url: `smtp://127.0.0.1:${port}`, port, received, newWindow: () => void (inWindow = 0), close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
