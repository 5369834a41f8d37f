import { describe, expect, it } from 'vitest'
import { answerRecord, givenAfter, mergeAnswers } from '../../../../server/domain/participation/answer-merge'
import type { StoredAnswer } from '../../../../server/db/repositories/answers'

const answer = (question: string, value: unknown, answeredAt: string, deviceId = 'device-a'): StoredAnswer => ({ question, value, answeredAt, deviceId, receivedAt: '2026-03-02T09:00:00.000Z' })
const current = (...answers: StoredAnswer[]) => new Map(answers.map((a) => [a.question, a]))

describe('mergeAnswers', () => {
  it('never lets answers to different questions touch each other', () => {
    const merge = mergeAnswers(current(answer('q1', 1, '2026-03-02T08:00:00.000Z')), [answer('q2', 2, '2026-03-02T07:00:00.000Z', 'device-b')])
    expect(answerRecord(merge.current)).toEqual({ q1: 1, q2: 2 })
    expect(merge.history).toEqual([])
  })

  it('keeps the answer given last, whichever arrives last, and the other in history', () => {
    const early = answer('q1', 1, '2026-03-02T08:00:00.000Z', 'ward')
    const late = answer('q1', 3, '2026-03-02T08:05:00.000Z', 'home')
    for (const [stored, incoming] of [
      [early, late],
      [late, early],
    ] as const) {
      const merge = mergeAnswers(current(stored), [incoming])
      expect(answerRecord(merge.current)).toEqual({ q1: 3 })
      expect(merge.history).toEqual([early])
    }
  })

  it('orders answers given at the same instant by device id, so every replay picks the same one', () => {
    const a = answer('q1', 1, '2026-03-02T08:00:00.000Z', 'device-a')
    const b = answer('q1', 2, '2026-03-02T08:00:00.000Z', 'device-b')
    expect(givenAfter(b, a)).toBe(true)
    expect(answerRecord(mergeAnswers(current(a), [b]).current)).toEqual({ q1: 2 })
    expect(answerRecord(mergeAnswers(current(b), [a]).current)).toEqual({ q1: 2 })
  })

  it('treats the same answer sent again as nothing new', () => {
    const a = answer('q1', 1, '2026-03-02T08:00:00.000Z')
    expect(mergeAnswers(current(a), [{ ...a, receivedAt: 'later' }])).toEqual({ current: current(a), upserts: [], history: [] })
  })

  it('clears a question with a later null, which leaves it out of the answer set', () => {
    const merge = mergeAnswers(current(answer('q1', 1, '2026-03-02T08:00:00.000Z')), [answer('q1', null, '2026-03-02T08:01:00.000Z')])
    expect(answerRecord(merge.current)).toEqual({})
    expect(merge.history.map((h) => h.value)).toEqual([1])
  })

  it('keeps both earlier values of a batch that answers one question twice', () => {
    const merge = mergeAnswers(current(), [answer('q1', 1, '2026-03-02T08:00:00.000Z'), answer('q1', 2, '2026-03-02T08:01:00.000Z'), answer('q1', 0, '2026-03-02T07:59:00.000Z')])
    expect(answerRecord(merge.current)).toEqual({ q1: 2 })
    expect(merge.upserts.map((u) => u.value)).toEqual([2])
    expect(merge.history.map((h) => h.value)).toEqual([1, 0])
  })
})
