/**
 * What the participant's page keeps on the device, in IndexedDB through `idb` (a small, well-kept
 * promise wrapper by the Chrome team): the outbox's unconfirmed answers and finished forms, this
 * browser's device id, and the last state the server sent, so that a link opened once opens again
 * with no connection.
 *
 * Everything is filed under the SHA-256 of the link's token, never the token itself: the same
 * hash the server stores. Once the participant has withdrawn, the device keeps nothing of their
 * answers: the outbox's entries for the link are deleted and the state is kept without its forms,
 * only so that the link, opened again offline, still says they have withdrawn. A device that refuses storage (site data blocked, private mode, a full
 * disk) gets `null` from openDeviceStore, and the page runs from memory, saying so.
 *
 * Two things belong to the device, not to a link, and are filed without the hash: its id, and the
 * last time it stamped an answer with (`last-stamped-at`, the outbox's clock: outbox.ts).
 */
import { openDB, type IDBPDatabase } from 'idb'
import type { ParticipantState } from '../../server/contracts/participant'
import { isLater, type OutboxStore, type PendingAnswer, type PendingCompletion } from './outbox'

type Schema = IDBPDatabase<unknown>

/** Hex SHA-256 of the token (Web Crypto; only in a secure context, as the participant's page always is). */
export async function linkKeyOf(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export type DeviceStore = {
  outbox: OutboxStore
  deviceId: string
  loadState(): Promise<ParticipantState | undefined>
  /** Keep the state; a withdrawn participant's is kept without forms, and their outbox entries go. */
  saveState(state: ParticipantState): Promise<void>
}

/** What a withdrawn participant's device keeps of their state: who they are and that they withdrew. */
export function withoutAnswers(state: ParticipantState): ParticipantState {
  return { ...state, enrolment: [], waves: [], feedback: null, safety: null }
}

const randomId = () => crypto.randomUUID().replace(/-/g, '')

/** The 'meta' key of the latest time (ISO) any page of this device stamped an answer with, for every link. */
const lastStampedKey = 'last-stamped-at'

/** Open the device's store for one link, or null when the device refuses storage. */
export async function openDeviceStore(token: string): Promise<DeviceStore | null> {
  let db: Schema
  let linkKey: string
  try {
    linkKey = await linkKeyOf(token)
    db = await openDB('balint-participant', 1, {
      upgrade(db) {
        db.createObjectStore('answers')
        db.createObjectStore('completions')
        db.createObjectStore('meta')
      },
    })
    // Opening can succeed where writing does not (a full disk): try once.
    await db.put('meta', new Date().toISOString(), 'checked-at')
  } catch {
    return null
  }
  let deviceId = (await db.get('meta', 'device-id').catch(() => undefined)) as string | undefined
  if (!deviceId) {
    deviceId = randomId()
    await db.put('meta', deviceId, 'device-id').catch(() => undefined)
  }
  const prefix = `${linkKey}|`
  const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`)
  const answerKey = (a: PendingAnswer) => `${prefix}${a.slot}|${a.instrument}|${a.question}`
  const completionKey = (c: PendingCompletion) => `${prefix}${c.slot}|${c.instrument}`
  return {
    deviceId,
    outbox: {
      persistent: true,
      deviceId,
      load: async () => {
        const tx = db.transaction(['answers', 'completions', 'meta'], 'readonly')
        const [answers, completions, lastStampedAt] = await Promise.all([
          tx.objectStore('answers').getAll(range) as Promise<PendingAnswer[]>,
          tx.objectStore('completions').getAll(range) as Promise<PendingCompletion[]>,
          tx.objectStore('meta').get(lastStampedKey) as Promise<unknown>,
        ])
        await tx.done
        return { answers, completions, ...(typeof lastStampedAt === 'string' ? { lastStampedAt } : {}) }
      },
      // Two tabs of one link share these records: each write reads the record in the same
      // transaction, so a tab never replaces a later answer with an earlier one, nor deletes an
      // answer it did not give (one changed since in the other tab, which may be closed by now).
      // The device's last stamp is kept in that transaction too, as the later of the two, so that
      // no tab lowers it; it outlives the answer, which goes once the server has confirmed it.
      putAnswer: async (a) => {
        const tx = db.transaction(['answers', 'meta'], 'readwrite')
        const answers = tx.objectStore('answers')
        const meta = tx.objectStore('meta')
        const stored = (await answers.get(answerKey(a))) as PendingAnswer | undefined
        if (!stored || !isLater(stored, a)) await answers.put(a, answerKey(a))
        const last = (await meta.get(lastStampedKey)) as unknown
        if (typeof last !== 'string' || last < a.answeredAt) await meta.put(a.answeredAt, lastStampedKey)
        await tx.done
      },
      deleteAnswer: async (a) => {
        const tx = db.transaction('answers', 'readwrite')
        const stored = (await tx.store.get(answerKey(a))) as PendingAnswer | undefined
        if (stored && stored.answeredAt === a.answeredAt) await tx.store.delete(answerKey(a))
        await tx.done
      },
      putCompletion: async (c) => void (await db.put('completions', c, completionKey(c))),
      deleteCompletion: async (c) => {
        const tx = db.transaction('completions', 'readwrite')
        const stored = (await tx.store.get(completionKey(c))) as PendingCompletion | undefined
        if (stored && stored.clientId === c.clientId) await tx.store.delete(completionKey(c))
        await tx.done
      },
    },
    loadState: async () => (await db.get('meta', `${prefix}state`).catch(() => undefined)) as ParticipantState | undefined,
    saveState: async (state) => {
      if (state.participant.status !== 'withdrawn') return void (await db.put('meta', state, `${prefix}state`).catch(() => undefined))
      await Promise.all([db.delete('answers', range), db.delete('completions', range), db.put('meta', withoutAnswers(state), `${prefix}state`)]).catch(() => undefined)
    },
  }
}

/** A device id for a page that cannot keep one: new on every load, which the server's merge allows. */
export const ephemeralDeviceId = randomId
