/**
 * The participant's outbox: every answer is written to this device first and then sent to the
 * server, so that a dropped connection, a reload or a closed tab loses nothing.
 *
 * One entry per form (wave slot × instrument) holds the latest answers and a revision that grows
 * with every change. The server keeps the highest revision it has seen, so sending the same entry
 * twice, or an old one late, is harmless. A completed form carries a client id; a retried submit
 * with that id returns the first result. An entry is removed once the server has confirmed it, so
 * answers do not linger on a shared device; only an answer the server refused stays until it changes.
 */

export type SaveStatus = 'saved' | 'saving' | 'offline' | 'error'

export type Outcome =
  | { ok: true }
  /** No answer from the server: offline, timed out, or a 5xx. Try again later. */
  | { ok: false; kind: 'network' }
  /** The server refused it (4xx); `fields` are the answers it named, if any. */
  | { ok: false; kind: 'rejected'; code: string; fields: string[] }

export type Transport = {
  saveDraft: (slot: string, instrument: string, body: { answers: Record<string, unknown>; revision: number }) => Promise<Outcome>
  complete: (slot: string, instrument: string, body: { answers: Record<string, unknown>; clientId: string }) => Promise<Outcome>
}

export type Entry = {
  slot: string
  instrument: string
  answers: Record<string, unknown>
  revision: number
  /** Highest revision the server has confirmed. */
  confirmed: number
  /** Set when the participant finished the form; the submit is retried until confirmed. */
  completion: { clientId: string } | null
  /** Answers the server refused as drafts (e.g. an age below the form's minimum): not sent until changed. */
  refused: string[]
  /** The server refused the entry for a reason a retry will not change; it waits for the next change. */
  blocked?: boolean
}

/** The slice of Web Storage the outbox uses (localStorage in the browser, a Map in tests). */
export type KeyValueStore = { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void }

export type OutboxOptions = {
  /** Namespaces storage per personal link. */
  storageKey: string
  store: KeyValueStore
  transport: Transport
  /** Milliseconds to wait before sending a change, so fast typing is sent as one save. */
  debounceMs?: number
  /** Retry delays after a failed send, in milliseconds; the last one repeats. */
  retryDelaysMs?: number[]
  newClientId?: () => string
  isOnline?: () => boolean
}

const keyOf = (slot: string, instrument: string) => `${slot}/${instrument}`

export class Outbox {
  #entries: Record<string, Entry>
  #status: SaveStatus = 'saved'
  #listeners = new Set<(status: SaveStatus) => void>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #flushing: Promise<void> | undefined
  #failures = 0
  /**
   * The highest revision each form has had on this page, kept after its entry is removed. The form
   * keeps passing the revision it loaded with, so without this the next change after a confirmed save
   * would reuse that save's revision, and the server would ignore it as stale.
   */
  #revisions = new Map<string, number>()
  readonly #options: Required<OutboxOptions>

  constructor(options: OutboxOptions) {
    this.#options = {
      debounceMs: 400,
      retryDelaysMs: [1000, 2000, 5000, 10000, 30000],
      newClientId: () => crypto.randomUUID(),
      isOnline: () => true,
      ...options,
    }
    this.#entries = this.#load()
    if (this.pending()) this.#setStatus(this.#options.isOnline() ? 'saving' : 'offline')
  }

  get status(): SaveStatus {
    return this.#status
  }

  /** Listen to status changes; returns the function that stops listening. */
  subscribe(listener: (status: SaveStatus) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Whether anything is waiting to be confirmed by the server. */
  pending(): boolean {
    return Object.values(this.#entries).some((e) => !e.blocked && (e.completion !== null || e.confirmed < e.revision))
  }

  /** This device's unconfirmed copy of a form, if any. */
  local(slot: string, instrument: string): Entry | undefined {
    return this.#entries[keyOf(slot, instrument)]
  }

  /**
   * The answers to show when a form opens: the server's draft merged with anything this device has
   * not yet sent. Answer by answer, the newer side wins, so no answer given on either device is lost.
   */
  resume(slot: string, instrument: string, server: { answers: Record<string, unknown>; revision: number } | null): Record<string, unknown> {
    const local = this.local(slot, instrument)
    if (!local) return { ...(server?.answers ?? {}) }
    if (!server) return { ...local.answers }
    const merged = local.revision > server.revision ? { ...server.answers, ...local.answers } : { ...local.answers, ...server.answers }
    // Continue above both revisions so the merged set supersedes both.
    this.#write({ ...local, answers: merged, revision: Math.max(local.revision, server.revision) + 1 })
    this.#schedule(0)
    return merged
  }

  /** Record the form's answers after a change, on the device at once and on the server soon after. */
  update(slot: string, instrument: string, answers: Record<string, unknown>, serverRevision = 0): void {
    const existing = this.local(slot, instrument)
    if (existing?.completion) return
    const changed = new Set(Object.keys(answers).filter((k) => !sameAnswer(existing?.answers[k], answers[k])))
    this.#write({
      slot,
      instrument,
      answers: { ...answers },
      revision: this.#nextRevision(slot, instrument, serverRevision),
      confirmed: existing?.confirmed ?? serverRevision,
      completion: null,
      refused: (existing?.refused ?? []).filter((field) => !changed.has(field)),
    })
    this.#schedule(this.#options.debounceMs)
  }

  /** The participant finished the form: submit it now, and keep retrying until the server confirms. */
  complete(slot: string, instrument: string, answers: Record<string, unknown>, serverRevision = 0): void {
    const existing = this.local(slot, instrument)
    this.#write({
      slot,
      instrument,
      answers: { ...answers },
      revision: this.#nextRevision(slot, instrument, serverRevision),
      confirmed: existing?.confirmed ?? serverRevision,
      completion: existing?.completion ?? { clientId: this.#options.newClientId() },
      refused: [],
    })
    this.#schedule(0)
  }

  /** Whether this device has a finished form that the server has not yet confirmed. */
  isCompletedLocally(slot: string, instrument: string): boolean {
    return this.local(slot, instrument)?.completion != null
  }

  /** Send everything pending now. Resolves when this round is done (successful or not). */
  flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#flushing ??= this.#send().finally(() => {
      this.#flushing = undefined
    })
    return this.#flushing
  }

  /** Called when the browser says the connection is back. */
  online(): void {
    this.#failures = 0
    if (this.pending()) void this.flush()
  }

  /** Called when the browser says the connection is gone. */
  offline(): void {
    if (this.pending()) this.#setStatus('offline')
  }

  async #send(): Promise<void> {
    let networkFailure = false
    for (const entry of Object.values(this.#entries)) {
      if (entry.blocked || (!entry.completion && entry.confirmed >= entry.revision)) continue
      this.#setStatus('saving')
      const outcome = entry.completion
        ? await this.#options.transport.complete(entry.slot, entry.instrument, { answers: entry.answers, clientId: entry.completion.clientId })
        : await this.#options.transport.saveDraft(entry.slot, entry.instrument, { answers: withoutFields(entry.answers, entry.refused), revision: entry.revision })
      const current = this.#entries[keyOf(entry.slot, entry.instrument)]
      if (!current) continue
      if (outcome.ok) {
        // An answer the server refused stays on the device (and held back) until it changes.
        if (entry.completion || (current.revision === entry.revision && current.refused.length === 0)) this.#remove(entry)
        else this.#write({ ...current, confirmed: entry.revision })
      } else if (outcome.kind === 'network') {
        networkFailure = true
        break
      } else if (outcome.code === 'already_complete' || outcome.code === 'withdrawn') {
        // Submitted from another device already, or the participant withdrew: nothing more to send.
        this.#remove(entry)
      } else if (!entry.completion && (outcome.fields.some((f) => !current.refused.includes(f)) || current.revision !== entry.revision)) {
        // Keep the refused answers on the device (the form shows why) and send the rest at once. An
        // answer changed since it was sent (the "1" of "18") may now be accepted: it goes as it is now.
        const stillAsSent = outcome.fields.filter((f) => sameAnswer(current.answers[f], entry.answers[f]))
        this.#write({ ...current, refused: [...new Set([...current.refused, ...stillAsSent])] })
      } else {
        // Refused for a reason another try will not change: keep it, say so, wait for a change.
        this.#write({ ...current, blocked: true })
      }
    }
    if (networkFailure) {
      this.#failures++
      this.#setStatus('offline')
      const delays = this.#options.retryDelaysMs
      this.#schedule(delays[Math.min(this.#failures - 1, delays.length - 1)]!, 'offline')
      return
    }
    this.#failures = 0
    // Changes made while this round was under way, and answers held back after a refusal, go now.
    if (this.pending()) this.#schedule(0)
    else if (Object.values(this.#entries).some((e) => e.blocked)) this.#setStatus('error')
    else this.#setStatus('saved')
  }

  #schedule(ms: number, status: SaveStatus = 'saving'): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    if (!this.#options.isOnline()) {
      // The browser's 'online' event calls online(), which sends everything.
      this.#setStatus('offline')
      return
    }
    this.#setStatus(status)
    this.#timer = setTimeout(() => void this.flush(), ms)
  }

  #setStatus(status: SaveStatus): void {
    if (status === this.#status) return
    this.#status = status
    for (const listener of this.#listeners) listener(status)
  }

  #nextRevision(slot: string, instrument: string, serverRevision: number): number {
    return Math.max(this.local(slot, instrument)?.revision ?? 0, this.#revisions.get(keyOf(slot, instrument)) ?? 0, serverRevision) + 1
  }

  #write(entry: Entry): void {
    const key = keyOf(entry.slot, entry.instrument)
    this.#revisions.set(key, Math.max(this.#revisions.get(key) ?? 0, entry.revision))
    this.#entries[key] = entry
    this.#save()
  }

  #remove(entry: Entry): void {
    delete this.#entries[keyOf(entry.slot, entry.instrument)]
    this.#save()
  }

  #load(): Record<string, Entry> {
    try {
      const raw = this.#options.store.getItem(this.#options.storageKey)
      return raw ? (JSON.parse(raw) as Record<string, Entry>) : {}
    } catch {
      return {}
    }
  }

  #save(): void {
    if (Object.keys(this.#entries).length === 0) this.#options.store.removeItem(this.#options.storageKey)
    else this.#options.store.setItem(this.#options.storageKey, JSON.stringify(this.#entries))
  }
}

function withoutFields(answers: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  if (fields.length === 0) return answers
  return Object.fromEntries(Object.entries(answers).filter(([k]) => !fields.includes(k)))
}

/** Answers are JSON values (a checkbox question's answer is an array): compare them by content. */
function sameAnswer(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}
