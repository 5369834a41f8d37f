/**
 * What the page makes of the server's reply to one of the outbox's requests (an `Outcome`): apart from
 * transport.ts, which builds the typed client as it loads, so that the outbox's server-side suites read
 * the real app's replies with this very code.
 */
import { errorOf } from '../lib/api-error'
import type { Outcome, TakenWindow } from './outbox'

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
  const takes = takenWindow(error.details)
  return { ok: false, kind: 'rejected', code: error.code, message: error.message, fields: refusedFields(error.details), ...(takes ? { takes } : {}) }
}

/** What a closed wave still takes, from a `wave_not_open` refusal's details (`{ givenFrom, closesAt, state: 'closed' }`); else undefined. */
function takenWindow(details: unknown): TakenWindow | undefined {
  const { givenFrom, closesAt, state } = (details ?? {}) as { givenFrom?: unknown; closesAt?: unknown; state?: unknown }
  const instant = (value: unknown): value is string => typeof value === 'string' && Number.isFinite(Date.parse(value))
  return state === 'closed' && instant(givenFrom) && instant(closesAt) ? { givenFrom, closesAt } : undefined
}
