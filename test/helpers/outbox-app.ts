/**
 * The real app as a participant's outbox (client/participant/outbox.ts) sees it, through
 * app.request(): a consented participant of a study whose pre wave asks `instruments`, and a Transport
 * whose every reply is the server's own, with switches that take the connection away. Shared by the
 * outbox's server-side suites (two tabs, a clock set back, a store slow to open).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { loadInstruments, shippedInstrumentsFolder } from '../../server/domain/instruments/registry'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import type { Outcome, Transport } from '../../client/participant/outbox'
import { outcomeOf } from '../../client/participant/outcome'
import { jsonRequest, testApp, testClock } from './app'
import { signedInStaff } from './staff'

/** A participant who has agreed at their link, on 2026-03-02 at 09:00 UTC, with the pre wave open. */
export async function consentedParticipant(instruments: string[] = ['phq-9']) {
  const clock = testClock('2026-03-02T09:00:00.000Z')
  const built = await testApp({ clock })
  const study = await createStudy(built.deps, { name: 'Balint pilot' }, 'test')
  const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(built.deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments }, 'test')
  const [participant] = await addParticipants(built.deps, { cohortId: cohort.id, count: 1 }, 'test')
  const res = await built.app.request(`/api/p/${participant!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
  expect(res.status).toBe(200)
  return { ...built, token: participant!.token, participant: participant! }
}

export type OutboxFixture = Awaited<ReturnType<typeof consentedParticipant>>

/**
 * The page's connection: `offline`, no request gets through; `loseReplies`, a request reaches the
 * server but its reply is lost (the page then sees no connection, and goes offline); `intercept`, a
 * reply of one's own instead of the server's (a proxy's 403 page), when it returns one.
 */
export type Connection = { offline: boolean; loseReplies: boolean; intercept?: (kind: 'answers' | 'complete') => Outcome | undefined }

/**
 * The outbox's transport over the real app, its replies read by client/participant/transport.ts's
 * own `outcomeOf`, through `connection` (shared by every transport given the same one: two tabs of one phone).
 */
export function appTransport(f: OutboxFixture, connection: Connection = { offline: false, loseReplies: false }): { transport: Transport; connection: Connection } {
  const send = async (kind: 'answers' | 'complete', request: () => Response | Promise<Response>): Promise<Outcome> => {
    if (connection.offline) return { ok: false, kind: 'network' }
    const intercepted = connection.intercept?.(kind)
    if (intercepted) return intercepted
    const res = await request()
    if (connection.loseReplies) {
      connection.offline = true
      return { ok: false, kind: 'network' }
    }
    return outcomeOf(async () => res)
  }
  const transport: Transport = {
    saveAnswers: (slot, instrument, body) => send('answers', () => f.app.request(`/api/p/${f.token}/forms/${slot}/${instrument}/answers`, jsonRequest('PUT', body))),
    complete: (slot, instrument, body) => send('complete', () => f.app.request(`/api/p/${f.token}/forms/${slot}/${instrument}/complete`, jsonRequest('POST', body))),
  }
  return { transport, connection }
}

/** The participant's stored answers to one form of the pre wave, as their link's state gives them ({} before any). */
export async function storedAnswers(f: OutboxFixture, instrument = 'phq-9'): Promise<Record<string, unknown>> {
  const res = await f.app.request(`/api/p/${f.token}`)
  const state = (await res.json()) as { waves: { kind: string; forms: { instrument: { id: string }; response: { answers: Record<string, unknown> } | null }[] }[] }
  return state.waves.find((w) => w.kind === 'pre')!.forms.find((x) => x.instrument.id === instrument)!.response?.answers ?? {}
}

/**
 * Two participants of a study whose pre wave asks PHQ-9, and a researcher who replaces the first one's
 * link: `newLink()` prepares a reminder by hand on the staff API, which carries a newly minted link and
 * rotates out the older ones (its token returned); `state(token)` is a link's state as the page gets it.
 */
export async function replacedLinkWorld() {
  const built = await testApp()
  const study = await createStudy(built.deps, { name: 'Balint pilot' }, 'test')
  const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group A' }, 'test')
  await setWave(built.deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  const [participant, other] = await addParticipants(built.deps, { cohortId: cohort.id, count: 2 }, 'test')
  const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
  const newLink = async () => {
    const res = await built.app.request(`/api/participants/${participant!.id}/message`, { ...jsonRequest('POST', { wave: 'pre', kind: 'reminder' }), headers: { 'content-type': 'application/json', ...researcher.headers } })
    expect(res.status).toBe(201)
    return ((await res.json()) as { link: string }).link.split('/p/')[1]!
  }
  const state = async (token: string) => {
    const res = await built.app.request(`/api/p/${token}`)
    return { status: res.status, body: (await res.json()) as { participantKey?: string; waves: { forms: { instrument: { id: string }; response: { status: string; answers: Record<string, unknown> } | null }[] }[] } }
  }
  return { ...built, participant: participant!, other: other!, newLink, state }
}

/** The outbox's transport under one link's `token`, reading the app's replies as client/participant/transport.ts does, and the tokens it sent under, one per request. */
export function linkTransport(app: OutboxFixture['app'], token: string): { transport: Transport; requests: string[] } {
  const requests: string[] = []
  const outcome = async (res: Response): Promise<Outcome> => {
    if (res.ok) return { ok: true }
    const { error } = (await res.json()) as { error: { code: string; message: string; details?: { questions?: string[] } } }
    return { ok: false, kind: 'rejected', code: error.code, message: error.message, fields: error.details?.questions ?? [] }
  }
  const transport: Transport = {
    saveAnswers: async (slot, instrument, body) => (requests.push(token), outcome(await app.request(`/api/p/${token}/forms/${slot}/${instrument}/answers`, jsonRequest('PUT', body)))),
    complete: async (slot, instrument, body) => (requests.push(token), outcome(await app.request(`/api/p/${token}/forms/${slot}/${instrument}/complete`, jsonRequest('POST', body)))),
  }
  return { transport, requests }
}

/**
 * Deploy PHQ-9 1.1.0, a copy of the shipped 1.0.0 without its difficulty item, beside it (a new file
 * in a folder of its own, as a team adds a version), into the fixture's running app.
 */
export function deployPhq9WithoutDifficulty(f: OutboxFixture): void {
  const folder = mkdtempSync(join(tmpdir(), 'phq9-1.1.0-'))
  const phq9 = JSON.parse(readFileSync(join(shippedInstrumentsFolder, 'phq-9.json'), 'utf8'))
  phq9.version = '1.1.0'
  for (const page of phq9.survey.pages) page.elements = page.elements.filter((e: { name: string }) => e.name !== 'phq9_difficulty')
  writeFileSync(join(folder, 'phq-9.json'), JSON.stringify(phq9))
  ;(f.deps as { instruments: unknown }).instruments = loadInstruments([shippedInstrumentsFolder, folder])
}
