/**
 * The outbox's connection to the server, through the typed API client. Every request has a time-out:
 * a request that stalls (connection up, no answer) is abandoned and counts as a network failure, so
 * it is retried with back-off and never holds up the answers given after it. The server's merge is
 * idempotent, so a request that did arrive after all and is sent again changes nothing.
 */
import { api, errorOf } from '../lib/api'
import type { Outcome, Transport } from './outbox'

type Slot = 'enrolment' | 'pre' | 'post' | 'follow-up'

/**
 * Long enough for a small JSON request on slow 3G (400 ms latency, 400 kbit/s: well under a second);
 * short enough that a stalled request is given up on while the participant is still on the page.
 */
export const requestTimeoutMs = 8000

/** Question names the server named in a 422 (`answers.age` → `age`). */
function refusedFields(details: unknown): string[] {
  if (Array.isArray(details)) {
    return details
      .map((d) => (typeof d?.field === 'string' ? d.field : ''))
      .filter((f) => f.startsWith('answers.'))
      .map((f) => f.slice('answers.'.length).split('.')[0]!)
  }
  // A late answer after completion: { questions: [...] }.
  const questions = (details as { questions?: unknown } | undefined)?.questions
  return Array.isArray(questions) ? questions.filter((q): q is string => typeof q === 'string') : []
}

/** The request options that give every request its time-out. */
export const withTimeout = () => ({ init: { signal: AbortSignal.timeout(requestTimeoutMs) } })

/**
 * What became of one request: confirmed, a network failure to retry, or the server's refusal. Only a
 * refusal in the API's own error shape (`{ error: { code, message } }`) is the server's: any other
 * 4xx (a hospital proxy's HTML 403, a captive portal's 407, a filter's 413) came from something in
 * between, and is retried like a lost connection, so that nothing the participant answered is
 * dropped for it.
 */
export async function outcomeOf(send: () => Promise<Response>): Promise<Outcome> {
  let response: Response
  try {
    response = await send()
  } catch {
    return { ok: false, kind: 'network' }
  }
  if (response.ok) {
    // The body may still stall or be cut off; only a whole answer counts as confirmed.
    try {
      await response.json()
      return { ok: true }
    } catch {
      return { ok: false, kind: 'network' }
    }
  }
  // A 5xx or a proxy's error page: the server may come back; try again later.
  if (response.status >= 500 || response.status === 408 || response.status === 429) return { ok: false, kind: 'network' }
  const error = await errorOf(response)
  if (error.code === `http_${response.status}`) return { ok: false, kind: 'network' }
  return { ok: false, kind: 'rejected', code: error.code, message: error.message, fields: refusedFields(error.details) }
}

export function httpTransport(token: string): Transport {
  const form = api.p[':token'].forms[':slot'][':instrument']
  return {
    saveAnswers: (slot, instrument, body) => outcomeOf(() => form.answers.$put({ param: { token, slot: slot as Slot, instrument }, json: body }, withTimeout())),
    complete: (slot, instrument, body) => outcomeOf(() => form.complete.$post({ param: { token, slot: slot as Slot, instrument }, json: body }, withTimeout())),
  }
}
