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
 * The device's id belongs to the device, not to a link, and is filed without the hash; beside each
 * link's records is the last time the device stamped an answer to each of its questions with
 * (`<link>|stamps`, the outbox's clock: outbox.ts).
 *
 * A participant may hold several links: the team replaces one that was lost or sent to the wrong
 * address, and each message carries a new one (server/domain/messaging/invitations.ts). What the
 * device kept unconfirmed under a link that has since been replaced would never be sent under it
 * (`link_replaced`), nor found under the new one: the new link's page takes it over (`takeOver`),
 * knowing by the participant's key in the state kept for the old link that it is the same participant's.
 */
import { openDB, type IDBPDatabase, type IDBPObjectStore } from 'idb'
import type { ParticipantState } from '../../server/contracts/participant'
import { answerKey as questionOf, isLater, type OutboxStore, type PendingAnswer, type PendingCompletion } from './outbox'

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
  /**
   * File under this link what the device keeps, unconfirmed, under other links of the participant
   * with this id (as the server sent it in each link's state), in one transaction that also takes it
   * out of the other links' records: it is then sent under this link only, and once. Returns how many
   * answers and finished forms were taken (see `takenOver`).
   */
  takeOver(participantKey: string): Promise<number>
  /** Keep the state; a withdrawn participant's is kept without forms, and their outbox entries go. */
  saveState(state: ParticipantState): Promise<void>
}

/** What a withdrawn participant's device keeps of their state: who they are and that they withdrew. */
export function withoutAnswers(state: ParticipantState): ParticipantState {
  return { ...state, enrolment: [], waves: [], feedback: null, safety: null }
}

const randomId = () => crypto.randomUUID().replace(/-/g, '')

/** What the device keeps unconfirmed under one link. */
export type LinkRecords = { answers: PendingAnswer[]; completions: PendingCompletion[] }

/**
 * The links whose kept state (by link key) is the participant's with this id. A state kept before
 * states carried the id is no one's: answers move only when the server has said whose they are, so
 * that a phone shared by two clinicians never sends one's answers as the other's.
 */
export function linksOfParticipant(states: Map<string, unknown>, participantKey: string): string[] {
  if (!participantKey) return []
  return [...states].filter(([, state]) => (state as Partial<ParticipantState> | undefined)?.participantKey === participantKey).map(([link]) => link)
}

/**
 * What a link's page takes over from the records `others` kept under the participant's other links,
 * given `own`, this link's: each answer, unless this link holds one given later to its question (of
 * two kept under other links, the later), and each finished form this link does not hold. The server
 * then merges them by its rule, so that an answer given later under the new link still wins.
 *
 * A `link_replaced` mark goes: it refused the old link, not the answer, which is sent under this one.
 * Other marks stay (a value refused, a form submitted elsewhere): they are about the answer.
 *
 * @example
 * takenOver({ answers: [], completions: [] }, [{ answers: [refusedWithOldLink], completions: [] }])
 * // => { answers: [{ ...refusedWithOldLink, refused: undefined, refusedWithForm: undefined }], completions: [] }
 */
export function takenOver(own: LinkRecords, others: LinkRecords[]): LinkRecords {
  const questionKey = (a: PendingAnswer) => `${a.slot}|${a.instrument}|${a.question}`
  const formKey = (c: PendingCompletion) => `${c.slot}|${c.instrument}`
  const held = new Map(own.answers.map((a) => [questionKey(a), a]))
  const answers = new Map<string, PendingAnswer>()
  for (const kept of others.flatMap((o) => o.answers)) {
    const current = held.get(questionKey(kept))
    if (current && !isLater(kept, current)) continue
    const answer = kept.refusedWithForm === 'link_replaced' ? { ...kept, refused: undefined, refusedWithForm: undefined } : kept
    held.set(questionKey(kept), answer)
    answers.set(questionKey(kept), answer)
  }
  const finished = new Set(own.completions.map(formKey))
  const completions = new Map<string, PendingCompletion>()
  for (const kept of others.flatMap((o) => o.completions)) if (!finished.has(formKey(kept)) && !completions.has(formKey(kept))) completions.set(formKey(kept), kept)
  return { answers: [...answers.values()], completions: [...completions.values()] }
}


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
  const rangeOf = (link: string) => IDBKeyRange.bound(`${link}|`, `${link}|\uffff`)
  const range = rangeOf(linkKey)
  const answerKey = (a: PendingAnswer) => `${prefix}${a.slot}|${a.instrument}|${a.question}`
  const completionKey = (c: PendingCompletion) => `${prefix}${c.slot}|${c.instrument}`
  /** The links other than this one whose state the device kept for the participant with this key (linksOfParticipant). */
  const otherLinksOf = async (meta: IDBPObjectStore<unknown, ArrayLike<string>, 'meta', 'readwrite'>, participantKey: string): Promise<string[]> => {
    const stateKeys = (await meta.getAllKeys()).filter((k): k is string => typeof k === 'string' && k.endsWith('|state') && k !== `${prefix}state`)
    const states = new Map(await Promise.all(stateKeys.map(async (k) => [k.slice(0, -'|state'.length), (await meta.get(k)) as unknown] as const)))
    return linksOfParticipant(states, participantKey)
  }
  /** The 'meta' key of this link's last stamps: question (outbox.ts's `answerKey`) → ISO time. */
  const stampsKey = `${prefix}stamps`
  return {
    deviceId,
    outbox: {
      persistent: true,
      deviceId,
      load: async () => {
        const tx = db.transaction(['answers', 'completions', 'meta'], 'readonly')
        const [answers, completions, stamps] = await Promise.all([
          tx.objectStore('answers').getAll(range) as Promise<PendingAnswer[]>,
          tx.objectStore('completions').getAll(range) as Promise<PendingCompletion[]>,
          tx.objectStore('meta').get(stampsKey) as Promise<unknown>,
        ])
        await tx.done
        return { answers, completions, ...(stamps !== null && typeof stamps === 'object' ? { stamps: stamps as Record<string, string> } : {}) }
      },
      // Two tabs of one link share these records: each write reads the record in the same
      // transaction, so a tab never replaces a later answer with an earlier one, nor deletes an
      // answer it did not give (one changed since in the other tab, which may be closed by now).
      // The question's last stamp is kept in that transaction too, as the later of the two, so that
      // no tab lowers it; it outlives the answer, which goes once the server has confirmed it.
      putAnswer: async (a) => {
        const tx = db.transaction(['answers', 'meta'], 'readwrite')
        const answers = tx.objectStore('answers')
        const meta = tx.objectStore('meta')
        const stored = (await answers.get(answerKey(a))) as PendingAnswer | undefined
        if (!stored || !isLater(stored, a)) await answers.put(a, answerKey(a))
        const kept = (await meta.get(stampsKey)) as Record<string, string> | undefined
        const stamps = kept !== null && typeof kept === 'object' ? kept : {}
        if (!(stamps[questionOf(a)]! >= a.answeredAt)) await meta.put({ ...stamps, [questionOf(a)]: a.answeredAt }, stampsKey)
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
    // The old link's records are read, moved and deleted in one transaction: a tab closed, or a
    // storage error, half-way leaves either both links' records as they were or the move done.
    takeOver: async (participantKey) => {
      const tx = db.transaction(['answers', 'completions', 'meta'], 'readwrite')
      const [answers, completions, meta] = [tx.objectStore('answers'), tx.objectStore('completions'), tx.objectStore('meta')]
      const recordsOf = async (link: string): Promise<LinkRecords> => ({
        answers: (await answers.getAll(rangeOf(link))) as PendingAnswer[],
        completions: (await completions.getAll(rangeOf(link))) as PendingCompletion[],
      })
      const links = await otherLinksOf(meta, participantKey)
      const taken = takenOver(await recordsOf(linkKey), await Promise.all(links.map(recordsOf)))
      for (const link of links) await Promise.all([answers.delete(rangeOf(link)), completions.delete(rangeOf(link))])
      await Promise.all([...taken.answers.map((a) => answers.put(a, answerKey(a))), ...taken.completions.map((c) => completions.put(c, completionKey(c)))])
      await tx.done
      return taken.answers.length + taken.completions.length
    },
    // A withdrawn participant's device keeps nothing of their answers, under this link or any other
    // of theirs (found by a review: answers waiting under a replaced link stayed for good).
    saveState: async (state) => {
      if (state.participant.status !== 'withdrawn') return void (await db.put('meta', state, `${prefix}state`).catch(() => undefined))
      try {
        const tx = db.transaction(['answers', 'completions', 'meta'], 'readwrite')
        const meta = tx.objectStore('meta')
        for (const link of [linkKey, ...(await otherLinksOf(meta, state.participantKey))]) {
          await Promise.all([tx.objectStore('answers').delete(rangeOf(link)), tx.objectStore('completions').delete(rangeOf(link)), meta.delete(`${link}|stamps`)])
        }
        await meta.put(withoutAnswers(state), `${prefix}state`)
        await tx.done
      } catch {
        // Storage failing now changes nothing the participant can do; the next load tries again.
      }
    },
  }
}

/** A device id for a page that cannot keep one: new on every load, which the server's merge allows. */
export const ephemeralDeviceId = randomId
