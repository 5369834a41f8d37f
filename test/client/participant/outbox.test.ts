/**
 * The participant's outbox, over a Map-backed store and a fake transport this file controls. The
 * fake records every call and answers as the real server would be seen through httpTransport: "up"
 * confirms, "down" is a network failure, a script of outcomes is answered first, and "held" keeps
 * each call waiting until the test releases it. Every test builds its own outbox, store and clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Outbox, type Entry, type KeyValueStore, type OutboxOptions, type Outcome, type SaveStatus, type Transport } from '../../../client/participant/outbox'

const storageKey = 'balint.outbox.test'
const debounceMs = 400
const retryDelaysMs = [1000, 2000, 5000]

type Call =
  | { kind: 'saveDraft'; slot: string; instrument: string; body: { answers: Record<string, unknown>; revision: number } }
  | { kind: 'complete'; slot: string; instrument: string; body: { answers: Record<string, unknown>; clientId: string } }

/** localStorage's slice, over a Map the test can look into. */
function memoryStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
}

function fakeTransport() {
  const calls: Call[] = []
  const script: Outcome[] = []
  const held: Array<(outcome: Outcome) => void> = []
  const state = { mode: 'up' as 'up' | 'down' | 'held' }

  const answer = (): Promise<Outcome> => {
    const scripted = script.shift()
    if (scripted) return Promise.resolve(scripted)
    if (state.mode === 'down') return Promise.resolve({ ok: false, kind: 'network' })
    if (state.mode === 'held') return new Promise((resolve) => held.push(resolve))
    return Promise.resolve({ ok: true })
  }
  const transport: Transport = {
    saveDraft: (slot, instrument, body) => {
      calls.push({ kind: 'saveDraft', slot, instrument, body: structuredClone(body) })
      return answer()
    },
    complete: (slot, instrument, body) => {
      calls.push({ kind: 'complete', slot, instrument, body: structuredClone(body) })
      return answer()
    },
  }
  return {
    ...transport,
    calls,
    drafts: () => calls.flatMap((c) => (c.kind === 'saveDraft' ? [c.body] : [])),
    completions: () => calls.flatMap((c) => (c.kind === 'complete' ? [c.body] : [])),
    up: () => void (state.mode = 'up'),
    down: () => void (state.mode = 'down'),
    hold: () => void (state.mode = 'held'),
    /** The next calls are answered with these outcomes, in order, whatever the mode. */
    refuseNext: (...outcomes: Outcome[]) => void script.push(...outcomes),
    /** Answer the oldest held call, and let what the outbox does next happen. */
    release: async (outcome: Outcome = { ok: true }) => {
      const resolve = held.shift()
      if (!resolve) throw new Error('no call is being held')
      resolve(outcome)
      await vi.advanceTimersByTimeAsync(0)
    },
    heldCount: () => held.length,
  }
}

const refused = (code: string, fields: string[] = []): Outcome => ({ ok: false, kind: 'rejected', code, fields })

function setup(options: Partial<OutboxOptions> = {}) {
  const store = memoryStore()
  const transport = fakeTransport()
  const connection = { online: true }
  let ids = 0
  const newClientId = vi.fn(() => `client-id-${++ids}`)
  const build = () =>
    new Outbox({ storageKey, store, transport, debounceMs, retryDelaysMs, newClientId, isOnline: () => connection.online, ...options })
  const outbox = build()
  const stored = (): Record<string, Entry> => JSON.parse(store.getItem(storageKey) ?? '{}')
  const statuses: SaveStatus[] = []
  outbox.subscribe((status) => statuses.push(status))
  return { outbox, store, transport, connection, newClientId, stored, statuses, reload: build }
}

/**
 * Let the debounce end and the sends it starts settle. A follow-up send scheduled "at once" from
 * inside a timer lands 1 ms later on the fake clock, hence the margin (still far below any retry delay).
 */
const settle = () => vi.advanceTimersByTimeAsync(debounceMs + 50)

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('storing on the device', () => {
  it('writes each change to the store at once, before anything is sent', () => {
    const { outbox, store, transport, stored } = setup()
    outbox.update('pre', 'phq-9', { q1: 2 })

    expect(transport.calls).toHaveLength(0)
    expect(store.map.has(storageKey)).toBe(true)
    expect(stored()['pre/phq-9']).toMatchObject({ slot: 'pre', instrument: 'phq-9', answers: { q1: 2 }, completion: null })
  })

  it('is found again by an outbox built over the same store (a reload)', () => {
    const { outbox, reload } = setup()
    outbox.update('pre', 'phq-9', { q1: 2, q2: 'sometimes' })

    const reloaded = reload()
    expect(reloaded.pending()).toBe(true)
    expect(reloaded.local('pre', 'phq-9')?.answers).toEqual({ q1: 2, q2: 'sometimes' })
    expect(reloaded.status).toBe('saving')
  })

  it('starts empty, and "saved", over an empty or unreadable store', () => {
    const { outbox } = setup()
    expect(outbox.pending()).toBe(false)
    expect(outbox.local('pre', 'phq-9')).toBeUndefined()
    expect(outbox.status).toBe('saved')

    const store = memoryStore()
    store.setItem(storageKey, '{not json')
    const damaged = new Outbox({ storageKey, store, transport: fakeTransport() })
    expect(damaged.pending()).toBe(false)
  })

  it('removes the entry once the server confirms it, so nothing lingers on a shared device', async () => {
    const { outbox, store, transport } = setup()
    outbox.update('pre', 'phq-9', { q1: 2 })
    await settle()

    expect(transport.drafts()).toHaveLength(1)
    expect(outbox.local('pre', 'phq-9')).toBeUndefined()
    expect(outbox.pending()).toBe(false)
    expect(store.map.size).toBe(0)
    expect(outbox.status).toBe('saved')
  })
})

describe('sending drafts', () => {
  it('sends quick changes as one save with the latest answers and the highest revision', async () => {
    const { outbox, transport } = setup()
    outbox.update('pre', 'phq-9', { q1: 1 })
    await vi.advanceTimersByTimeAsync(debounceMs - 100)
    outbox.update('pre', 'phq-9', { q1: 1, q2: 0 })
    await vi.advanceTimersByTimeAsync(debounceMs - 100)
    outbox.update('pre', 'phq-9', { q1: 1, q2: 3 })
    const highest = outbox.local('pre', 'phq-9')!.revision
    expect(transport.calls).toHaveLength(0)

    await vi.advanceTimersByTimeAsync(debounceMs)
    expect(transport.calls).toEqual([{ kind: 'saveDraft', slot: 'pre', instrument: 'phq-9', body: { answers: { q1: 1, q2: 3 }, revision: highest } }])
  })

  it('gives every change a revision above the previous one and above the server’s', () => {
    const { outbox } = setup()
    outbox.update('pre', 'phq-9', { q1: 1 }, 7)
    const first = outbox.local('pre', 'phq-9')!.revision
    outbox.update('pre', 'phq-9', { q1: 2 }, 7)
    const second = outbox.local('pre', 'phq-9')!.revision
    outbox.update('pre', 'phq-9', { q1: 3 }, 20)
    const third = outbox.local('pre', 'phq-9')!.revision

    expect(first).toBeGreaterThan(7)
    expect(second).toBeGreaterThan(first)
    expect(third).toBeGreaterThan(20)
  })

  it('keeps revisions growing after a confirmed save, so the server does not ignore the next change as stale', async () => {
    // The form keeps passing the revision it loaded with; the entry is gone once confirmed.
    const { outbox, transport } = setup()
    outbox.update('pre', 'phq-9', { q1: 1 }, 3)
    await settle()
    outbox.update('pre', 'phq-9', { q1: 2 }, 3)
    await settle()
    outbox.update('pre', 'phq-9', { q1: 3 }, 3)
    await settle()

    const revisions = transport.drafts().map((d) => d.revision)
    expect(revisions).toHaveLength(3)
    expect(revisions[0]).toBeGreaterThan(3)
    expect(revisions[1]).toBeGreaterThan(revisions[0]!)
    expect(revisions[2]).toBeGreaterThan(revisions[1]!)
    // What the server keeps: the answers of the highest revision, a save not newer than it is ignored.
    const kept = transport.drafts().reduce((stored, draft) => (draft.revision > stored.revision ? draft : stored), { answers: {}, revision: 3 })
    expect(kept.answers).toEqual({ q1: 3 })
  })

  it('sends each form on its own', async () => {
    const { outbox, transport } = setup()
    outbox.update('pre', 'phq-9', { q1: 1 })
    outbox.update('pre', 'gad-7', { q1: 2 })
    await settle()

    expect(transport.calls.map((c) => `${c.slot}/${c.instrument}`).sort()).toEqual(['pre/gad-7', 'pre/phq-9'])
    expect(outbox.pending()).toBe(false)
  })

  it('sends a change made while a save is in flight once that save is answered', async () => {
    const { outbox, transport, store } = setup()
    transport.hold()
    outbox.update('pre', 'phq-9', { q1: 1 })
    await settle()
    expect(transport.heldCount()).toBe(1)

    outbox.update('pre', 'phq-9', { q1: 1, q2: 2 })
    const latest = outbox.local('pre', 'phq-9')!.revision
    await settle()
    // One round at a time: the debounce ending while the first save is in flight sends nothing new.
    expect(transport.calls).toHaveLength(1)

    await transport.release({ ok: true })
    await settle()
    expect(transport.drafts()).toEqual([
      { answers: { q1: 1 }, revision: expect.any(Number) },
      { answers: { q1: 1, q2: 2 }, revision: latest },
    ])
    expect(transport.drafts()[0]!.revision).toBeLessThan(latest)
    // The first confirmation did not take the newer answers off the device.
    expect(outbox.local('pre', 'phq-9')?.answers).toEqual({ q1: 1, q2: 2 })
    expect(outbox.status).toBe('saving')

    await transport.release({ ok: true })
    expect(outbox.status).toBe('saved')
    expect(outbox.local('pre', 'phq-9')).toBeUndefined()
    expect(store.map.size).toBe(0)
  })
})

describe('without a connection', () => {
  it('keeps everything, says "offline" and retries after each of retryDelaysMs, the last one repeating', async () => {
    const { outbox, transport, stored } = setup()
    transport.down()
    outbox.update('pre', 'phq-9', { q1: 2 })
    await vi.advanceTimersByTimeAsync(debounceMs) // the first send fails exactly at the end of the debounce

    expect(transport.calls).toHaveLength(1)
    expect(outbox.status).toBe('offline')
    expect(stored()['pre/phq-9']?.answers).toEqual({ q1: 2 })

    const callsAfter = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms)
      return transport.calls.length
    }
    expect(await callsAfter(retryDelaysMs[0]! - 1)).toBe(1)
    expect(await callsAfter(1)).toBe(2)
    expect(await callsAfter(retryDelaysMs[1]! - 1)).toBe(2)
    expect(await callsAfter(1)).toBe(3)
    expect(await callsAfter(retryDelaysMs[2]! - 1)).toBe(3)
    expect(await callsAfter(1)).toBe(4)
    expect(await callsAfter(retryDelaysMs[2]!)).toBe(5)
    expect(outbox.status).toBe('offline')
    expect(stored()['pre/phq-9']?.answers).toEqual({ q1: 2 })
  })

  it('sends the pending draft and completion when the connection is back and online() is called', async () => {
    const { outbox, transport, store, statuses } = setup()
    transport.down()
    outbox.update('pre', 'phq-9', { q1: 2 })
    outbox.complete('pre', 'gad-7', { q1: 1, q2: 0 })
    await settle()
    expect(outbox.status).toBe('offline')
    const failed = transport.calls.length

    transport.up()
    outbox.online()
    await vi.advanceTimersByTimeAsync(0)

    const sent = transport.calls.slice(failed)
    expect(sent).toEqual(
      expect.arrayContaining([
        { kind: 'saveDraft', slot: 'pre', instrument: 'phq-9', body: { answers: { q1: 2 }, revision: expect.any(Number) } },
        { kind: 'complete', slot: 'pre', instrument: 'gad-7', body: { answers: { q1: 1, q2: 0 }, clientId: 'client-id-1' } },
      ]),
    )
    expect(sent).toHaveLength(2)
    expect(outbox.status).toBe('saved')
    expect(statuses.at(-1)).toBe('saved')
    expect(outbox.pending()).toBe(false)
    expect(store.map.size).toBe(0)
  })

  it('does not call the transport while the browser says it is offline, and sends on online()', async () => {
    const { outbox, transport, connection, stored } = setup()
    connection.online = false
    outbox.update('pre', 'phq-9', { q1: 2 })
    expect(outbox.status).toBe('offline')

    await vi.advanceTimersByTimeAsync(60_000)
    expect(transport.calls).toHaveLength(0)
    expect(stored()['pre/phq-9']?.answers).toEqual({ q1: 2 })

    connection.online = true
    outbox.online()
    await vi.advanceTimersByTimeAsync(0)
    expect(transport.drafts()).toEqual([{ answers: { q1: 2 }, revision: expect.any(Number) }])
    expect(outbox.status).toBe('saved')
  })

  it('says "offline" when the browser loses the connection with something pending', () => {
    const { outbox, connection } = setup()
    outbox.offline()
    expect(outbox.status).toBe('saved')

    outbox.update('pre', 'phq-9', { q1: 2 })
    connection.online = false
    outbox.offline()
    expect(outbox.status).toBe('offline')
  })
})

describe('completing a form', () => {
  it('submits the answers with a client id and removes the entry once confirmed', async () => {
    const { outbox, transport, store } = setup()
    outbox.complete('pre', 'phq-9', { q1: 2, q2: 1 })
    expect(outbox.isCompletedLocally('pre', 'phq-9')).toBe(true)
    expect(outbox.pending()).toBe(true)

    await vi.advanceTimersByTimeAsync(0)
    expect(transport.calls).toEqual([{ kind: 'complete', slot: 'pre', instrument: 'phq-9', body: { answers: { q1: 2, q2: 1 }, clientId: 'client-id-1' } }])
    expect(outbox.isCompletedLocally('pre', 'phq-9')).toBe(false)
    expect(outbox.local('pre', 'phq-9')).toBeUndefined()
    expect(store.map.size).toBe(0)
    expect(outbox.status).toBe('saved')
  })

  it('retries with the same client id until the server confirms, across a reload too', async () => {
    const { outbox, transport, newClientId, reload } = setup()
    transport.down()
    outbox.complete('pre', 'phq-9', { q1: 2 })
    outbox.complete('pre', 'phq-9', { q1: 2 }) // a double tap on "Complete"
    await vi.advanceTimersByTimeAsync(0)
    await vi.advanceTimersByTimeAsync(retryDelaysMs[0]!)
    expect(transport.completions()).toHaveLength(2)
    expect(outbox.isCompletedLocally('pre', 'phq-9')).toBe(true)

    const reloaded = reload()
    expect(reloaded.isCompletedLocally('pre', 'phq-9')).toBe(true)
    transport.up()
    await reloaded.flush()

    const ids = transport.completions().map((c) => c.clientId)
    expect(ids).toHaveLength(3)
    expect(new Set(ids)).toEqual(new Set(['client-id-1']))
    expect(newClientId).toHaveBeenCalledTimes(1)
    expect(reloaded.isCompletedLocally('pre', 'phq-9')).toBe(false)
    expect(reloaded.pending()).toBe(false)
  })

  it('ignores changes after the form was completed', async () => {
    const { outbox, transport, connection } = setup()
    connection.online = false
    outbox.update('pre', 'phq-9', { q1: 1 })
    outbox.complete('pre', 'phq-9', { q1: 2 })
    outbox.update('pre', 'phq-9', { q1: 3 })
    expect(outbox.local('pre', 'phq-9')?.answers).toEqual({ q1: 2 })

    connection.online = true
    outbox.online()
    await settle()
    expect(transport.drafts()).toHaveLength(0)
    expect(transport.completions()).toEqual([{ answers: { q1: 2 }, clientId: 'client-id-1' }])
  })

  it('drops a submit the server says was already completed elsewhere', async () => {
    const { outbox, transport, store } = setup()
    transport.refuseNext(refused('already_complete'))
    outbox.complete('pre', 'phq-9', { q1: 2 })
    await settle()

    expect(transport.calls).toHaveLength(1)
    expect(outbox.local('pre', 'phq-9')).toBeUndefined()
    expect(outbox.isCompletedLocally('pre', 'phq-9')).toBe(false)
    expect(store.map.size).toBe(0)
    expect(outbox.status).toBe('saved')
  })

  it('drops a draft the server says was already completed elsewhere', async () => {
    const { outbox, transport, store } = setup()
    transport.refuseNext(refused('already_complete'))
    outbox.update('pre', 'phq-9', { q1: 2 })
    await settle()

    expect(transport.calls).toHaveLength(1)
    expect(outbox.local('pre', 'phq-9')).toBeUndefined()
    expect(store.map.size).toBe(0)
    expect(outbox.status).toBe('saved')
  })
})

describe('refusals', () => {
  it('sends the rest of a draft without a refused answer at once, keeps it on the device, and sends it again once changed', async () => {
    const { outbox, transport } = setup()
    transport.refuseNext(refused('validation', ['age']))
    outbox.update('enrolment', 'demographics', { age: 12, profession: 'gp' })
    await settle()

    expect(transport.drafts().map((d) => d.answers)).toEqual([{ age: 12, profession: 'gp' }, { profession: 'gp' }])
    expect(outbox.local('enrolment', 'demographics')?.answers).toEqual({ age: 12, profession: 'gp' })
    expect(outbox.status).toBe('saved')

    // Another answer changes: the refused one is still held back.
    outbox.update('enrolment', 'demographics', { age: 12, profession: 'psychiatrist' })
    await settle()
    expect(transport.drafts().at(-1)?.answers).toEqual({ profession: 'psychiatrist' })

    // The refused answer changes: it is sent again.
    outbox.update('enrolment', 'demographics', { age: 42, profession: 'psychiatrist' })
    await settle()
    expect(transport.drafts().at(-1)?.answers).toEqual({ age: 42, profession: 'psychiatrist' })
    expect(transport.drafts()).toHaveLength(4)
    expect(outbox.local('enrolment', 'demographics')).toBeUndefined()
    expect(outbox.status).toBe('saved')
  })

  it('compares answers by content, so an equal array given again is still held back', async () => {
    const { outbox, transport } = setup()
    transport.refuseNext(refused('validation', ['settings']))
    outbox.update('enrolment', 'demographics', { settings: ['nowhere'], profession: 'gp' })
    await settle()
    // The survey hands over a fresh copy of every answer on each change.
    outbox.update('enrolment', 'demographics', { settings: ['nowhere'], profession: 'nurse' })
    await settle()

    expect(transport.drafts().map((d) => d.answers)).toEqual([{ settings: ['nowhere'], profession: 'gp' }, { profession: 'gp' }, { profession: 'nurse' }])
    expect(outbox.local('enrolment', 'demographics')?.answers).toEqual({ settings: ['nowhere'], profession: 'nurse' })
  })

  it('sends an answer changed while it was being refused, rather than holding the new value back', async () => {
    const { outbox, transport } = setup()
    transport.hold()
    outbox.update('enrolment', 'demographics', { age: 1, profession: 'gp' }) // the first digit of 18
    await settle()
    outbox.update('enrolment', 'demographics', { age: 18, profession: 'gp' })

    transport.up()
    await transport.release(refused('validation', ['age']))
    await settle()

    expect(transport.drafts().at(-1)?.answers).toEqual({ age: 18, profession: 'gp' })
    expect(outbox.local('enrolment', 'demographics')).toBeUndefined()
    expect(outbox.status).toBe('saved')
  })

  it('blocks an entry refused without fields: "error", kept on the device, not retried until the next change', async () => {
    const { outbox, transport, stored } = setup()
    transport.refuseNext(refused('wave_not_open'))
    outbox.update('post', 'phq-9', { q1: 2 })
    await settle()

    expect(outbox.status).toBe('error')
    expect(outbox.local('post', 'phq-9')?.answers).toEqual({ q1: 2 })
    expect(stored()['post/phq-9']?.answers).toEqual({ q1: 2 })
    expect(outbox.pending()).toBe(false)

    await vi.advanceTimersByTimeAsync(5 * 60_000)
    outbox.online()
    await vi.advanceTimersByTimeAsync(5 * 60_000)
    expect(transport.calls).toHaveLength(1)
    expect(outbox.status).toBe('error')

    outbox.update('post', 'phq-9', { q1: 3 })
    await settle()
    expect(transport.drafts().map((d) => d.answers)).toEqual([{ q1: 2 }, { q1: 3 }])
    expect(outbox.local('post', 'phq-9')).toBeUndefined()
    expect(outbox.status).toBe('saved')
  })

  it('blocks a draft whose refused answers are already held back, instead of sending it in a loop', async () => {
    const { outbox, transport } = setup()
    transport.refuseNext(refused('validation', ['age']), refused('validation', ['age']))
    outbox.update('enrolment', 'demographics', { age: 12 })
    await vi.advanceTimersByTimeAsync(60_000)

    expect(transport.calls).toHaveLength(2)
    expect(outbox.status).toBe('error')
    expect(outbox.local('enrolment', 'demographics')?.answers).toEqual({ age: 12 })
  })

  it('blocks a completion the server refuses, and keeps it on the device', async () => {
    const { outbox, transport } = setup()
    transport.refuseNext(refused('validation', ['q9']))
    outbox.complete('pre', 'phq-9', { q1: 2 })
    await vi.advanceTimersByTimeAsync(60_000)

    expect(transport.calls).toHaveLength(1)
    expect(outbox.status).toBe('error')
    expect(outbox.isCompletedLocally('pre', 'phq-9')).toBe(true)
  })
})

describe('resume()', () => {
  it('shows the server’s answers when this device has nothing of its own', () => {
    const { outbox, transport } = setup()
    expect(outbox.resume('pre', 'phq-9', { answers: { q1: 2 }, revision: 4 })).toEqual({ q1: 2 })
    expect(outbox.resume('pre', 'phq-9', null)).toEqual({})
    expect(outbox.local('pre', 'phq-9')).toBeUndefined()
    expect(transport.calls).toHaveLength(0)
  })

  it('shows this device’s answers when the server has none', () => {
    const { outbox, connection } = setup()
    connection.online = false
    outbox.update('pre', 'phq-9', { q1: 2 })
    expect(outbox.resume('pre', 'phq-9', null)).toEqual({ q1: 2 })
  })

  it('merges a newer local copy answer by answer, the local answers winning, and sends the merge above both revisions', async () => {
    const { outbox, transport, connection } = setup()
    connection.online = false
    outbox.update('pre', 'phq-9', { q1: 1, q2: 2 }, 4)
    const localRevision = outbox.local('pre', 'phq-9')!.revision
    expect(localRevision).toBeGreaterThan(3)

    const merged = outbox.resume('pre', 'phq-9', { answers: { q1: 9, q3: 3 }, revision: 3 })
    expect(merged).toEqual({ q1: 1, q2: 2, q3: 3 })
    expect(outbox.local('pre', 'phq-9')?.answers).toEqual(merged)
    const mergedRevision = outbox.local('pre', 'phq-9')!.revision
    expect(mergedRevision).toBeGreaterThan(localRevision)

    connection.online = true
    outbox.online()
    await vi.advanceTimersByTimeAsync(0)
    expect(transport.drafts()).toEqual([{ answers: { q1: 1, q2: 2, q3: 3 }, revision: mergedRevision }])
  })

  it('lets a newer server copy win for answers both have, keeping answers only this device has', () => {
    const { outbox, connection } = setup()
    connection.online = false
    outbox.update('pre', 'phq-9', { q1: 1, q2: 2 })
    const localRevision = outbox.local('pre', 'phq-9')!.revision

    const merged = outbox.resume('pre', 'phq-9', { answers: { q1: 9, q3: 3 }, revision: localRevision + 5 })
    expect(merged).toEqual({ q1: 9, q2: 2, q3: 3 })
    expect(outbox.local('pre', 'phq-9')?.answers).toEqual(merged)
    expect(outbox.local('pre', 'phq-9')!.revision).toBeGreaterThan(localRevision + 5)

    // The next change continues from there.
    outbox.update('pre', 'phq-9', { ...merged, q4: 0 }, localRevision + 5)
    expect(outbox.local('pre', 'phq-9')!.revision).toBeGreaterThan(localRevision + 6)
  })
})

describe('subscribe()', () => {
  it('tells listeners each status change, until they unsubscribe', async () => {
    const { outbox, transport } = setup()
    const seen: SaveStatus[] = []
    const unsubscribe = outbox.subscribe((status) => seen.push(status))

    outbox.update('pre', 'phq-9', { q1: 1 })
    await settle()
    expect(seen).toEqual(['saving', 'saved'])

    transport.down()
    outbox.update('pre', 'phq-9', { q1: 2 })
    await settle()
    expect(seen).toEqual(['saving', 'saved', 'saving', 'offline'])

    unsubscribe()
    transport.up()
    outbox.online()
    await settle()
    expect(outbox.status).toBe('saved')
    expect(seen).toEqual(['saving', 'saved', 'saving', 'offline'])
  })
})
