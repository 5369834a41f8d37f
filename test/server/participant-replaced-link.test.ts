/**
 * A participant's link replaced by the team while answers given under it wait on their phone: the
 * state of each of their links carries their id (how the phone knows the new link is the same
 * participant's), the old link refuses the answers (`link_replaced`), and the new link's page, having
 * taken them over (client/participant/device-store.ts: takenOver), stores them, the later answer
 * given under the new link still winning. The real app through app.request(), the real client outbox.
 */
import { describe, expect, it } from 'vitest'
import { linksOfParticipant, takenOver } from '../../client/participant/device-store'
import { memoryStore, Outbox } from '../../client/participant/outbox'
import { participantKeyOf } from '../../server/domain/participation/journey'
import { jsonRequest } from '../helpers/app'
import { linkTransport, replacedLinkWorld } from '../helpers/outbox-app'

describe('a link the team replaced, with answers given under it waiting on the phone', () => {
  it('each of the participant’s links tells the same participant id, another participant’s a different one', async () => {
    const w = await replacedLinkWorld()
    const first = await w.newLink()
    const second = await w.newLink()
    const [a, b, other] = [await w.state(first), await w.state(second), await w.state(w.other.token)]
    expect(a.body.participantKey).toBe(participantKeyOf(w.participant.id))
    expect(b.body.participantKey).toBe(participantKeyOf(w.participant.id))
    expect(other.body.participantKey).toBe(participantKeyOf(w.other.id))
    expect(other.body.participantKey).not.toBe(a.body.participantKey)
    const states = new Map<string, unknown>([['link-a', a.body], ['other', other.body]])
    expect(linksOfParticipant(states, b.body.participantKey!)).toEqual(['link-a'])
  })

  it('stores the answers refused under the old link once the new link takes them over, an answer given later under the new link still winning', async () => {
    const w = await replacedLinkWorld()
    const linkA = await w.newLink()
    expect((await w.app.request(`/api/p/${linkA}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
    // Under link A, offline: items 1 and 2. The phone keeps them.
    const deviceA = memoryStore(true)
    const a = linkTransport(w.app, linkA)
    const pageA = new Outbox({ store: deviceA, transport: a.transport, deviceId: 'phone-replaced-01', debounceMs: 60_000, isOnline: () => false, now: w.clock.now })
    await pageA.ready
    await pageA.answer('pre', 'phq-9', 'phq9_1', 1)
    w.clock.advance(1000)
    await pageA.answer('pre', 'phq-9', 'phq9_2', 2)
    // Three more messages: link A is past the two replaced links that keep working.
    for (let i = 0; i < 2; i++) await w.newLink()
    const linkB = await w.newLink()
    expect((await w.state(linkA)).status).toBe(410)
    // Back online, page A sends and is refused with the link: kept on the phone, marked.
    await pageA.flush()
    expect([...deviceA.answers.values()].map((x) => x.refusedWithForm)).toEqual(['link_replaced', 'link_replaced'])

    // Link B opened on the phone: its state is the same participant's, so A's records move under B.
    const stateB = await w.state(linkB)
    expect(linksOfParticipant(new Map([['link-a', { participantKey: participantKeyOf(w.participant.id) }]]), stateB.body.participantKey!)).toEqual(['link-a'])
    // Meanwhile item 2 was answered again under link B, later.
    const deviceB = memoryStore(true)
    w.clock.advance(1000)
    const later = { slot: 'pre', instrument: 'phq-9', question: 'phq9_2', value: 0, answeredAt: w.clock.now().toISOString(), deviceId: 'phone-replaced-01' }
    const taken = takenOver({ answers: [later], completions: [] }, [{ answers: [...deviceA.answers.values()], completions: [] }])
    deviceA.answers.clear()
    await deviceB.putAnswer(later)
    for (const x of taken.answers) await deviceB.putAnswer(x)
    const b = linkTransport(w.app, linkB)
    const pageB = new Outbox({ store: deviceB, transport: b.transport, deviceId: 'phone-replaced-01', debounceMs: 0, now: w.clock.now })
    await pageB.ready
    await pageB.flush()

    expect(pageB.status).toBe('saved')
    const stored = (await w.state(linkB)).body.waves[0]!.forms[0]!.response?.answers
    expect(stored).toEqual({ phq9_1: 1, phq9_2: 0 })
    expect(b.requests.every((t) => t === linkB)).toBe(true)
    expect(a.requests).toEqual([linkA])
  })
})
