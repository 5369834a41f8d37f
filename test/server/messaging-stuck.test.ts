/**
 * Invitations and reminders when a run stops for good in the middle of a batch (the process killed
 * while an email is with the SMTP server), against a real SMTP server: the email caught mid-way is
 * marked "unknown" once that run is known to be gone, never sent again on its own, and the link it
 * carried keeps working. Also: the one recipient rule, and the audit of an address refused for good.
 * Runs on SQLite and on PostgreSQL (freshTestDatabase).
 */
import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../server/app'
import type { Deps } from '../../server/domain/deps'
import { isWaveRecipient } from '../../server/domain/messaging/invitations'
import { newRunnerId, runDueJobs } from '../../server/domain/messaging/jobs'
import type { Mailer } from '../../server/domain/messaging/mailer'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { smtpMailer } from '../../server/mail'
import { freshTestDatabase } from '../helpers/test-database'
import { jsonRequest, shippedInstruments, testClock } from '../helpers/app'
import { startTestSmtpServer, type ReceivedMail } from '../helpers/smtp'
import { signedInStaff } from '../helpers/staff'

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

const linkIn = (text: string) => text.match(/https:\/\/balint\.example\/p\/([A-Za-z0-9_-]{43})/)?.[1]
const recipients = (mails: ReceivedMail[]) => mails.map((m) => m.to[0]).sort()
type Row = { code: string; status: string }
const log = (deliveries: Row[]) => deliveries.map((d) => `${d.code} ${d.status}`).sort()

/** A study with a pre wave open 2 – 14 March (PHQ-9), an invitation on opening, three participants with an email. */
async function world(options: { rejectRecipients?: string[] } = {}) {
  const smtp = await startTestSmtpServer({ rejectRecipients: options.rejectRecipients })
  const mailer = smtpMailer({ url: smtp.url, from: 'study@example.org' })
  closers.push(() => smtp.close(), () => mailer.close())
  const clock = testClock('2026-03-02T09:00:00.000Z')
  const db = await freshTestDatabase()
  const deps: Deps = { db, instruments: shippedInstruments(), now: clock.now, mailer }
  const app = createApp(deps, { baseUrl: 'https://balint.example' })
  const study = await createStudy(deps, { name: 'Stuck study', timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'G' }, 'test')
  const participants = await addParticipants(deps, { cohortId: cohort.id, count: 3 }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const staff = (path: string, init: RequestInit = {}) => app.request(`/api${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...researcher.headers } })
  expect((await staff(`/studies/${study.id}/messaging`, jsonRequest('PUT', { inviteOnOpen: true, reminderDays: [3] }))).status).toBe(200)
  await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-02', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  for (const [i, p] of participants.entries()) {
    expect((await staff(`/participants/${p.id}/contact`, jsonRequest('PUT', { email: `p${i + 1}@example.org`, phone: null, language: null }))).status).toBe(200)
  }
  const ctx = { ...deps, mailer, baseUrl: 'https://balint.example' }
  const view = async () => (await staff(`/cohorts/${cohort.id}/messages`)).json()
  /**
   * A context whose mailer hands P2's email to the SMTP server, which accepts it, and then never
   * returns: the process killed at that moment. `caught` resolves once the email is with the server.
   */
  const crashingAtP2 = () => {
    let caught!: () => void
    const reached = new Promise<void>((resolve) => (caught = resolve))
    const crashing: Mailer = {
      async send(mail) {
        await mailer.send(mail)
        if (mail.to[0] === 'p2@example.org') {
          caught()
          await new Promise(() => undefined)
        }
      },
    }
    return { ctx: { ...ctx, mailer: crashing }, caught: reached }
  }
  return { deps, ctx, app, clock, smtp, study, cohort, participants, staff, view, crashingAtP2 }
}

/** A process id that was this machine's a moment ago and is no longer anyone's. */
function goneProcessId(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  expect(child.status).toBe(0)
  return child.pid
}

describe('a run stopped in the middle of a batch', () => {
  it('marks the email it was sending "unknown" when the job runs again, sends it to nobody twice, and keeps the link that went out working', async () => {
    const w = await world()
    const crash = w.crashingAtP2()
    // Run A sends P1's invitation, hands P2's to the server, and dies: never awaited, never finishing.
    void runDueJobs(crash.ctx, 'runner-a')
    await crash.caught
    let view = await w.view()
    expect(log(view.deliveries)).toEqual(['P1 sent', 'P2 sending'])

    // The runner that picks the job up once run A's claim has gone stale (15 minutes).
    w.clock.advance(16 * 60_000)
    expect(await runDueJobs(w.ctx, 'runner-b')).toBe(1)
    view = await w.view()
    expect(log(view.deliveries)).toEqual(['P1 sent', 'P2 unknown', 'P3 sent'])
    expect(view.jobs.find((j: { kind: string }) => j.kind === 'invitation').status).toBe('done')
    // Not resent: P2 may hold the first email's link, and must not be sent a second one.
    expect(recipients(w.smtp.received)).toEqual(['p1@example.org', 'p2@example.org', 'p3@example.org'])
    // The email did reach the server here: the link in it must work (it is neither revoked nor replaced).
    const p2Link = linkIn(w.smtp.received.find((m) => m.to[0] === 'p2@example.org')!.text)!
    expect((await w.app.request(`/api/p/${p2Link}`)).status).toBe(200)
    // Audited as unknown, without an address.
    const audits = await w.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'message.unknown').execute()
    expect(audits.map((a) => a.entity_id)).toEqual([w.participants[1]!.id])
    expect(JSON.stringify(audits)).not.toContain('@')

    // And so it stays: later looks change nothing.
    w.clock.advance(3_600_000)
    expect(await runDueJobs(w.ctx, 'runner-b')).toBe(0)
    expect(log((await w.view()).deliveries)).toEqual(['P1 sent', 'P2 unknown', 'P3 sent'])
    expect(w.smtp.received).toHaveLength(3)
  })

  it('takes over at once, on start-up, the job of a runner on this machine whose process is gone', async () => {
    const w = await world()
    const crash = w.crashingAtP2()
    void runDueJobs(crash.ctx, newRunnerId(goneProcessId()))
    await crash.caught
    // The restarted server's runner: no 15 minutes' wait.
    expect(await runDueJobs(w.ctx, newRunnerId())).toBe(1)
    expect(log((await w.view()).deliveries)).toEqual(['P1 sent', 'P2 unknown', 'P3 sent'])
    expect(recipients(w.smtp.received)).toEqual(['p1@example.org', 'p2@example.org', 'p3@example.org'])
  })

  it('leaves alone an email another runner, still alive, is sending', async () => {
    const w = await world()
    const crash = w.crashingAtP2()
    // Run A is alive (its process is this one) and still waiting for the SMTP server.
    void runDueJobs(crash.ctx, newRunnerId())
    await crash.caught
    w.clock.advance(60_000)
    expect(await runDueJobs(w.ctx, 'runner-b')).toBe(0)
    expect(log((await w.view()).deliveries)).toEqual(['P1 sent', 'P2 sending'])
  })
})

describe('an address refused for good', () => {
  it('is audited as message.refused, without the address', async () => {
    const w = await world({ rejectRecipients: ['p2@example.org'] })
    expect(await runDueJobs(w.ctx, 'runner-a')).toBe(1)
    expect(log((await w.view()).deliveries)).toEqual(['P1 sent', 'P2 failed', 'P3 sent'])
    const audits = await w.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'message.refused').execute()
    expect(audits.map((a) => [a.actor, a.entity, a.entity_id])).toEqual([['system', 'participant', w.participants[1]!.id]])
    expect(JSON.parse(audits[0]!.details as string)).toEqual({ kind: 'invitation', wave: 'pre', channel: 'email' })
    // Neither the address nor the server's reply (which may quote a mailbox's name): the delivery log has the reply.
    expect(JSON.stringify(audits)).not.toContain('@')
    expect(JSON.stringify(audits)).not.toContain('p2')
  })
})

describe('the recipient rule', () => {
  const participant = { id: 'p', cohortId: 'c', code: 'P1', status: 'active' as const, source: 'link' as const, createdAt: '', withdrawnAt: null }
  const contact = { participantId: 'p', email: 'p@example.org', phone: null, language: null, remindersOptOut: false }
  const facts = { participant, contact, latestConsent: 'agree' as const, completedWave: false }

  it('is one predicate over status, contact, latest consent and completion, for emails and for messages by hand', () => {
    expect(isWaveRecipient(facts, 'invitation', 'email')).toBe(true)
    expect(isWaveRecipient(facts, 'reminder', 'email')).toBe(true)
    expect(isWaveRecipient({ ...facts, latestConsent: undefined }, 'invitation', 'email')).toBe(true)
    expect(isWaveRecipient({ ...facts, participant: { ...participant, status: 'withdrawn' } }, 'invitation', 'by_hand')).toBe(false)
    expect(isWaveRecipient({ ...facts, latestConsent: 'decline' }, 'invitation', 'by_hand')).toBe(false)
    expect(isWaveRecipient({ ...facts, completedWave: true }, 'reminder', 'by_hand')).toBe(false)
    // Reminders turned off: no reminder, by email or by hand; invitations to a wave still come.
    expect(isWaveRecipient({ ...facts, contact: { ...contact, remindersOptOut: true } }, 'reminder', 'by_hand')).toBe(false)
    expect(isWaveRecipient({ ...facts, contact: { ...contact, remindersOptOut: true } }, 'invitation', 'email')).toBe(true)
    // No address: not emailed, but on the wave's letters.
    expect(isWaveRecipient({ ...facts, contact: { ...contact, email: null } }, 'invitation', 'email')).toBe(false)
    expect(isWaveRecipient({ ...facts, contact: undefined }, 'invitation', 'email')).toBe(false)
    expect(isWaveRecipient({ ...facts, contact: undefined }, 'invitation', 'by_hand')).toBe(true)
  })
})
