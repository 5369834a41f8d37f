/** The outbox's connection to the server, through the typed API client. */
import { api, errorOf } from '../lib/api'
import type { Outcome, Transport } from './outbox'

type Slot = 'enrolment' | 'pre' | 'post' | 'follow-up'

/** Field names the server named in a 422 (`answers.age` → `age`). */
function refusedFields(details: unknown): string[] {
  if (!Array.isArray(details)) return []
  return details
    .map((d) => (typeof d?.field === 'string' ? d.field : ''))
    .filter((f) => f.startsWith('answers.'))
    .map((f) => f.slice('answers.'.length).split('.')[0]!)
}

async function outcomeOf(send: () => Promise<Response>): Promise<Outcome> {
  let response: Response
  try {
    response = await send()
  } catch {
    return { ok: false, kind: 'network' }
  }
  if (response.ok) return { ok: true }
  // A 5xx or a proxy's error page: the server may come back; try again later.
  if (response.status >= 500 || response.status === 408 || response.status === 429) return { ok: false, kind: 'network' }
  const error = await errorOf(response)
  return { ok: false, kind: 'rejected', code: error.code, fields: refusedFields(error.details) }
}

export function httpTransport(token: string): Transport {
  const form = api.p[':token'].forms[':slot'][':instrument']
  return {
    saveDraft: (slot, instrument, body) => outcomeOf(() => form.draft.$put({ param: { token, slot: slot as Slot, instrument }, json: body })),
    complete: (slot, instrument, body) => outcomeOf(() => form.complete.$post({ param: { token, slot: slot as Slot, instrument }, json: body })),
  }
}
