/**
 * The rule that merges answers from several devices and several loads of the page, question by
 * question. Pure: no database, no clock.
 *
 * - Answers to different questions never touch each other.
 * - For the same question, the answer given last (by the device's clock, `answeredAt`, clamped to the
 *   server's) wins; equal times are ordered by device id, so every server and every replay picks the
 *   same winner. Two answers of one device are ordered by its own times as sent (`givenAt`).
 * - Clearing an answer is an answer too (`value: null`): it wins or loses by the same rule, and a
 *   cleared question is absent from the merged answer set.
 * - Every value that loses, whether it was current and is replaced or arrives after a later one, is
 *   kept as history: nothing a participant gave is thrown away.
 * - The same answer sent again (same question, time and device: a retry after a lost response)
 *   changes nothing.
 */
import type { StoredAnswer } from '../../db/repositories/answers'

type Timed = Pick<StoredAnswer, 'answeredAt' | 'deviceId' | 'givenAt'>

/** Both given by one device whose own times are known (migration 0200): ordered by those, unclamped. */
const byOneDevice = (a: Timed, b: Timed): boolean => a.deviceId === b.deviceId && a.givenAt !== undefined && b.givenAt !== undefined

/**
 * Whether `a` was given after `b`: two answers of one device by its own clock as it sent them (a
 * phone whose clock runs fast still orders its own answers right); otherwise by the clamped time,
 * and at equal times by the greater device id.
 */
export function givenAfter(a: Timed, b: Timed): boolean {
  if (byOneDevice(a, b)) return a.givenAt! > b.givenAt!
  if (a.answeredAt !== b.answeredAt) return a.answeredAt > b.answeredAt
  return a.deviceId > b.deviceId
}

/** The same answer, sent again: one question, one device, one time (the device's own where both have it: a retry of a clamped answer is clamped anew). */
export function sameGiving(a: Pick<StoredAnswer, 'question'> & Timed, b: Pick<StoredAnswer, 'question'> & Timed): boolean {
  if (a.question !== b.question || a.deviceId !== b.deviceId) return false
  return byOneDevice(a, b) ? a.givenAt === b.givenAt : a.answeredAt === b.answeredAt
}

export type Merge = {
  /** The current answer of every question after the merge. */
  current: Map<string, StoredAnswer>
  /** Answers that became current (to store). */
  upserts: StoredAnswer[]
  /** Values that lost (to keep in history). */
  history: StoredAnswer[]
}

/**
 * Merge incoming answers into the current ones. `current` is not modified.
 *
 * @example
 * mergeAnswers(new Map([['q1', { question: 'q1', value: 1, answeredAt: '2026-03-02T09:00:00.000Z', deviceId: 'a', receivedAt: '…' }]]),
 *   [{ question: 'q1', value: 2, answeredAt: '2026-03-02T09:01:00.000Z', deviceId: 'b', receivedAt: '…' }])
 * // current q1 → 2; history holds the 1
 */
export function mergeAnswers(current: ReadonlyMap<string, StoredAnswer>, incoming: readonly StoredAnswer[]): Merge {
  const merged = new Map(current)
  const upserts = new Map<string, StoredAnswer>()
  const history: StoredAnswer[] = []
  for (const answer of incoming) {
    const existing = merged.get(answer.question)
    if (existing && sameGiving(existing, answer)) continue
    if (!existing || givenAfter(answer, existing)) {
      if (existing) {
        // A value that was upserted earlier in this same batch was never stored: it goes to history only.
        history.push(existing)
      }
      merged.set(answer.question, answer)
      upserts.set(answer.question, answer)
    } else {
      history.push(answer)
    }
  }
  return { current: merged, upserts: [...upserts.values()], history }
}

/** The merged answer set as readers see it: question → value, cleared questions left out. */
export function answerRecord(current: ReadonlyMap<string, StoredAnswer>): Record<string, unknown> {
  const record: Record<string, unknown> = {}
  for (const [question, answer] of current) if (answer.value !== null && answer.value !== undefined) record[question] = answer.value
  return record
}
