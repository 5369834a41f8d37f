/**
 * A real SMTP server for a browser-test file, started before its server (register this first), and
 * waiting for what it receives.
 */
import { afterAll, beforeAll } from 'vitest'
import { startTestSmtpServer, type ReceivedMail } from '../../helpers/smtp'

type Smtp = Awaited<ReturnType<typeof startTestSmtpServer>>

/**
 * Start a test SMTP server before the file's tests and stop it after them. The returned function
 * gives the running server (its `url` for the app's settings, its `received` mail).
 *
 * @example
 * const smtp = useSmtpServer()
 * useServerAndBrowser(ready, () => ({ smtp: { url: smtp().url, from: 'balint@example.org' }, jobIntervalMs: 300 }))
 */
export function useSmtpServer(): () => Smtp {
  let smtp: Smtp | undefined
  beforeAll(async () => {
    smtp = await startTestSmtpServer()
  })
  afterAll(async () => {
    await smtp?.close()
  })
  return () => smtp!
}

/** The first message `find` picks, waiting for it up to `ms` (the job runner sends within a second). */
export async function receivedMail(smtp: Smtp, find: (mail: ReceivedMail) => boolean, what: string, ms = 10_000): Promise<ReceivedMail> {
  const end = Date.now() + ms
  for (;;) {
    const mail = smtp.received.find(find)
    if (mail) return mail
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
