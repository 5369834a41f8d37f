/**
 * A real SMTP server for a browser-test file, started before its server (register this first), and
 * waiting for what it receives.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { startTestSmtpServer, type ReceivedMail } from '../../helpers/smtp'
import { type TestServer, useServerAndBrowser } from './server'

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

/**
 * The app server, Chromium and a test SMTP server for a browser-test file: the app sends its email
 * there (from balint@example.org) and runs due jobs every 300 ms, so a scheduled message or a
 * safety notification arrives within the test. `ready` receives the server and the browser, as
 * with `useServerAndBrowser`; the returned function gives the SMTP server.
 *
 * @example
 * let server: TestServer
 * let browser: Browser
 * const smtp = useServerWithSmtp((s, b) => ((server = s), (browser = b)))
 * await receivedMail(smtp(), (m) => m.to.includes('safety@example.org'), 'the safety email')
 */
export function useServerWithSmtp(ready: (server: TestServer, browser: Browser) => void): () => Smtp {
  const smtp = useSmtpServer()
  useServerAndBrowser(ready, () => ({ smtp: { url: smtp().url, from: 'balint@example.org' }, jobIntervalMs: 300 }))
  return smtp
}
