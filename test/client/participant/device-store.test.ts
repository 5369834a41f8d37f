/**
 * What a link's page takes over from the device's records kept under the participant's other links
 * (device-store.ts: linksOfParticipant, takenOver), and the outbox sending it under the new link only.
 * The IndexedDB transaction around them is exercised in Chromium (test/e2e/participant-replaced-link.e2e.ts):
 * Node has no IndexedDB.
 */
import { describe, expect, it } from 'vitest'
import { linksOfParticipant, takenOver } from '../../../client/participant/device-store'
import { memoryStore, Outbox, type AnswerBody, type Outcome, type PendingAnswer, type Transport } from '../../../client/participant/outbox'

const answer = (question: string, value: unknown, answeredAt: string, marks: Partial<PendingAnswer> = {}): PendingAnswer => ({
  slot: 'pre',
  instrument: 'phq-9',
  question,
  value,
  answeredAt,
  deviceId: 'phone-0001',
  ...marks,
})

const replaced = { refused: 'This link has been replaced.', refusedWithForm: 'link_replaced' }

/** A transport that records what it was sent and answers every request with `outcome`. */
function recordingTransport(outcome: Outcome) {
  const sent: AnswerBody[] = []
  const transport: Transport = {
    saveAnswers: async (_slot, _instrument, body) => (sent.push(structuredClone(body)), outcome),
    complete: async () => outcome,
  }
  return { transport, sent }
}

describe('the links of one participant on a device', () => {
  it('are those whose kept state carries the participant’s id, never another participant’s or a state without one', () => {
    const states = new Map<string, unknown>([
      ['old-link', { participantKey: 'participant-a', participant: { code: 'P1' } }],
      // Another study's P1 on the same shared phone.
      ['colleague', { participantKey: 'participant-b', participant: { code: 'P1' } }],
      // Kept before states carried the id: whose it is cannot be known.
      ['before-ids', { participant: { code: 'P1' } }],
      ['broken', undefined],
    ])
    expect(linksOfParticipant(states, 'participant-a')).toEqual(['old-link'])
    expect(linksOfParticipant(states, '')).toEqual([])
  })
})

describe('what the new link takes over', () => {
  it('takes every answer and finished form of the old link, without the old link’s refusal, and keeps the other marks', () => {
    const old = {
      answers: [
        answer('phq9_1', 1, '2026-03-02T09:00:01.000Z', replaced),
        answer('phq9_2', 9, '2026-03-02T09:00:02.000Z', { refused: 'Choose one of the answers.' }),
        answer('phq9_3', 2, '2026-03-02T09:00:03.000Z', { refused: 'This questionnaire is closed.', refusedWithForm: 'wave_closed' }),
        { ...answer('phq9_1', 3, '2026-03-02T09:00:04.000Z'), instrument: 'gad-7', notStored: true as const },
      ],
      completions: [{ slot: 'pre', instrument: 'phq-9', clientId: 'client-old-01' }],
    }
    const taken = takenOver({ answers: [], completions: [] }, [old])
    expect(taken.answers).toEqual([
      { ...answer('phq9_1', 1, '2026-03-02T09:00:01.000Z'), refused: undefined, refusedWithForm: undefined },
      old.answers[1],
      old.answers[2],
      old.answers[3],
    ])
    expect(taken.completions).toEqual(old.completions)
  })

  it('lets an answer given later stand, whichever link holds it, and keeps the new link’s own finished form', () => {
    const own = {
      answers: [answer('phq9_1', 0, '2026-03-02T10:00:00.000Z'), answer('phq9_2', 0, '2026-03-02T08:00:00.000Z')],
      completions: [{ slot: 'pre', instrument: 'phq-9', clientId: 'client-new-01' }],
    }
    const olderLink = { answers: [answer('phq9_1', 3, '2026-03-02T09:00:00.000Z', replaced), answer('phq9_2', 1, '2026-03-02T09:00:00.000Z', replaced)], completions: [] }
    const oldestLink = { answers: [answer('phq9_2', 2, '2026-03-02T09:30:00.000Z', replaced)], completions: [{ slot: 'pre', instrument: 'phq-9', clientId: 'client-old-01' }] }
    const taken = takenOver(own, [olderLink, oldestLink])
    // Item 1 was answered again under the new link, later: it stays. Item 2: the latest of the three.
    expect(taken.answers.map((a) => [a.question, a.value])).toEqual([['phq9_2', 2]])
    expect(taken.completions).toEqual([])
  })
})

describe('answers refused under a replaced link, on the same phone', () => {
  it('are sent under the new link once it takes them over, never again under the old one, and only then "saved"', async () => {
    // Link A: answered offline, then the team replaced it: the server refuses them with the link.
    const deviceA = memoryStore(true)
    const linkA = recordingTransport({ ok: false, kind: 'rejected', code: 'link_replaced', message: 'This link has been replaced.', fields: [] })
    const pageA = new Outbox({ store: deviceA, transport: linkA.transport, deviceId: 'phone-0001', debounceMs: 0 })
    await pageA.ready
    await pageA.answer('pre', 'phq-9', 'phq9_1', 1)
    await pageA.answer('pre', 'phq-9', 'phq9_2', 2)
    await pageA.flush()
    expect(pageA.status).toBe('error')
    expect([...deviceA.answers.values()].map((a) => a.refusedWithForm)).toEqual(['link_replaced', 'link_replaced'])

    // Link B opened on the same phone: it takes A's records over, as the device's one transaction does.
    const deviceB = memoryStore(true)
    const taken = takenOver({ answers: [], completions: [] }, [{ answers: [...deviceA.answers.values()], completions: [...deviceA.completions.values()] }])
    deviceA.answers.clear()
    for (const a of taken.answers) await deviceB.putAnswer(a)
    const linkB = recordingTransport({ ok: true })
    const pageB = new Outbox({ store: deviceB, transport: linkB.transport, deviceId: 'phone-0001', debounceMs: 0 })
    await pageB.ready
    expect(pageB.status).toBe('saving')
    await pageB.flush()

    expect(linkB.sent).toEqual([
      {
        deviceId: 'phone-0001',
        answers: [
          { question: 'phq9_1', value: 1, answeredAt: taken.answers[0]!.answeredAt },
          { question: 'phq9_2', value: 2, answeredAt: taken.answers[1]!.answeredAt },
        ],
      },
    ])
    expect(linkA.sent).toHaveLength(1)
    expect(deviceB.answers.size).toBe(0)
    expect(pageB.status).toBe('saved')
  })
})
