/**
 * The outbox's connection to the server, through the typed API client. Every request has a time-out:
 * a request that stalls (connection up, no answer) is abandoned and counts as a network failure, so
 * it is retried with back-off and never holds up the answers given after it. The server's merge is
 * idempotent, so a request that did arrive after all and is sent again changes nothing.
 */
import { api } from '../lib/api'
import { outcomeOf } from './outcome'
import type { Transport } from './outbox'

type Slot = 'enrolment' | 'pre' | 'post' | 'follow-up'

/**
 * Long enough for a small JSON request on slow 3G (400 ms latency, 400 kbit/s: well under a second);
 * short enough that a stalled request is given up on while the participant is still on the page.
 */
export const requestTimeoutMs = 8000

/** The request options that give every request its time-out. */
export const withTimeout = () => ({ init: { signal: AbortSignal.timeout(requestTimeoutMs) } })

export function httpTransport(token: string): Transport {
  const form = api.p[':token'].forms[':slot'][':instrument']
  return {
    saveAnswers: (slot, instrument, body) => outcomeOf(() => form.answers.$put({ param: { token, slot: slot as Slot, instrument }, json: body }, withTimeout())),
    complete: (slot, instrument, body) => outcomeOf(() => form.complete.$post({ param: { token, slot: slot as Slot, instrument }, json: body }, withTimeout())),
  }
}
