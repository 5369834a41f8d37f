/**
 * Invitations and reminders (issue 17), against a real SMTP server started in the test: the schedule
 * becomes jobs per wave; a reminder goes only to those who have not completed (and have not opted
 * out), in their language, with a personal link that opens their page; a job survives a restart and
 * two runners over one database send it once; contact details stay apart from answers and go with a
 * withdrawal; without an SMTP server the messages wait for the team to send them by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../server/app'
import { closeDatabase, openDatabase } from '../../../server/db/connection'
import { migrateToLatest } from '../../../server/db/migrate'
import { replacedLinkGraceDays } from '../../../server/domain/messaging/invitations'
import { runDueJobs } from '../../../server/domain/messaging/jobs'
import type { Deps } from '../../../server/domain/deps'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { smtpMailer } from '../../../server/mail'
import { jsonRequest, shippedInstruments, testClock, type TestClock } from '../../helpers/app'
import { startTestSmtpServer } from '../../helpers/smtp'
import { signedInStaff } from '../../helpers/staff'
import { allowInsert, refuseInsert } from '../../helpers/test-database'

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

const phq = (values: number[]) => Object.fromEntries(values.map((v, i) => [`phq9_${i + 1}`, v]))
const linkIn = (text: string) => text.match(/https:\/\/balint\.example\/p\/([A-Za-z0-9_-]{43})/)?.[1]

/** A study over `db` with a pre wave open 2 – 14 March (PHQ-9), four participants and a researcher. */
async function world(options: { db?: Deps['db']; clock?: TestClock; smtp?: boolean } = {}) {
  const smtp = options.smtp === false ? undefined : await startTestSmtpServer()
  const mailer = smtp && smtpMailer({ url: smtp.url, from: 'study@example.org' })
  if (smtp) closers.push(smtp.close, () => mailer!.close())
  const clock = options.clock ?? testClock('2026-03-02T09:00:00.000Z')
  const db = options.db ?? openDatabase(':memory:')
  if (!options.db) await migrateToLatest(db)
  const deps: Deps = { db, instruments: shippedInstruments(), now: clock.now, mailer }
  const app = createApp(deps, { baseUrl: 'https://balint.example' })
  const study = await createStudy(deps, { name: 'Messages study', timeZone: 'UTC' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'G' }, 'test')
  const participants = await addParticipants(deps, { cohortId: cohort.id, count: 4 }, 'test')
  let researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  /** A new session, after the clock moved past the last one's lifetime. */
  const signInAgain = async () => {
    researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  }
  const staff = (path: string, init: RequestInit = {}) => app.request(`/api${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...researcher.headers } })
  const consent = deps.instruments.get('consent')!
  const completePre = async (token: string) => {
    await app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: consent.version, answers: { consent: 'agree' } }))
    expect((await app.request(`/api/p/${token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: phq([0, 0, 0, 0, 0, 0, 0, 0, 0]), clientId: `done-${token.slice(0, 10)}` }))).status).toBe(200)
  }
  const ctx = { ...deps, mailer: mailer!, baseUrl: 'https://balint.example' }
  return { smtp, deps, ctx, app, clock, study, cohort, participants, staff, completePre, signInAgain }
}

async function setUp(w: Awaited<ReturnType<typeof world>>) {
  expect((await w.staff(`/studies/${w.study.id}/messaging`, jsonRequest('PUT', { inviteOnOpen: true, reminderDays: [3] }))).status).toBe(200)
  await setWave(w.deps, { cohortId: w.cohort.id, kind: 'pre', opens: '2026-03-02', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  const [p1, p2, p3, p4] = w.participants
  const contact = (p: { id: string }, body: object) => w.staff(`/participants/${p.id}/contact`, jsonRequest('PUT', { phone: null, language: null, ...body }))
  expect((await contact(p1!, { email: 'p1@example.org' })).status).toBe(200)
  expect((await contact(p2!, { email: 'p2@example.org', language: 'fa' })).status).toBe(200)
  expect((await contact(p3!, { email: 'p3@example.org', phone: '+98 912 000 0000' })).status).toBe(200)
  // P4 has no email: theirs is sent by hand.
  return { p1: p1!, p2: p2!, p3: p3!, p4: p4! }
}

describe('invitations and reminders', () => {
  it('invites when the wave opens and reminds only those who have not completed nor opted out, in their language, with a working link', async () => {
    const w = await world()
    const { p1, p2, p3 } = await setUp(w)
    expect(await runDueJobs(w.ctx, 'runner-a')).toBe(1)
    expect(w.smtp!.received.map((m) => m.to[0]).sort()).toEqual(['p1@example.org', 'p2@example.org', 'p3@example.org'])
    const persian = w.smtp!.received.find((m) => m.to[0] === 'p2@example.org')!
    expect(persian.subject).toContain('دعوت به پرسش‌نامه‌های پیش از گروه')
    // The last day in the Solar Hijri calendar and Persian digits, as the participant's page writes it.
    expect(persian.text).toContain('تا پایان ۲۳ اسفند ۱۴۰۴')
    expect(persian.text).not.toContain('2026')
    const english = w.smtp!.received.find((m) => m.to[0] === 'p1@example.org')!
    expect(english.text).toContain('by the end of 2026-03-14')
    // The link in the email opens the participant's own page; their first link still works too.
    const token = linkIn(english.text)!
    expect((await (await w.app.request(`/api/p/${token}`)).json()).participant.code).toBe('P1')
    expect((await w.app.request(`/api/p/${p1.token}`)).status).toBe(200)

    // P1 completes; P3 opts out of reminders from their page.
    await w.completePre(p1.token)
    expect((await w.app.request(`/api/p/${p3.token}/reminders`, jsonRequest('PUT', { optOut: true }))).status).toBe(200)
    expect((await (await w.app.request(`/api/p/${p3.token}`)).json()).reminders).toEqual({ optedOut: true })
    w.clock.set('2026-03-11T23:59:59.999Z')
    expect(await runDueJobs(w.ctx, 'runner-a')).toBe(0)
    w.clock.set('2026-03-12T00:00:00.000Z')
    expect(await runDueJobs(w.ctx, 'runner-a')).toBe(1)
    const reminders = w.smtp!.received.slice(3)
    expect(reminders.map((m) => m.to[0])).toEqual(['p2@example.org'])
    expect(reminders[0]!.subject).toContain('یادآوری')

    await w.signInAgain()
    const view = await (await w.staff(`/cohorts/${w.cohort.id}/messages`)).json()
    expect(view.email).toBe(true)
    expect(view.jobs.map((j: { kind: string; status: string; days: number | null }) => [j.kind, j.days, j.status])).toEqual([
      ['invitation', null, 'done'],
      ['reminder', 3, 'done'],
    ])
    expect(view.deliveries.map((d: { code: string; kind: string; status: string }) => `${d.code} ${d.kind} ${d.status}`).sort()).toEqual(['P1 invitation sent', 'P2 invitation sent', 'P2 reminder sent', 'P3 invitation sent'])
    expect(view.participants.find((p: { code: string }) => p.code === 'P1').completed).toEqual(['pre'])
    expect(JSON.stringify(view.deliveries)).not.toMatch(/@example\.org|\/p\//)
  })

  it('emails a participant on the retry when their new link could not be written the first time (nothing half done)', async () => {
    // The delivery row and the link were written apart: the link failing left a delivery "sending"
    // that was never sent, and the retry skipped that participant for good.
    const w = await world()
    const { p2 } = await setUp(w)
    const links = () => w.deps.db.selectFrom('participant_link').select(['participant_id', 'expires_at', 'revoked_at']).orderBy('participant_id').orderBy('created_at').execute()
    const before = await links()
    await refuseInsert(w.deps.db, 'participant_link', `new.participant_id = '${p2.id}'`, 'disk full')
    expect(await runDueJobs(w.ctx, 'runner-a')).toBe(1)
    // The job failed at P2 (P1 was emailed first, in code order); nothing of P2's was written.
    const sent = w.smtp!.received.map((m) => m.to[0])
    expect(sent).not.toContain('p2@example.org')
    expect(await w.deps.db.selectFrom('message_delivery').select('status').where('participant_id', '=', p2.id).execute()).toEqual([])
    expect((await links()).filter((l) => l.participant_id === p2.id)).toEqual(before.filter((l) => l.participant_id === p2.id))
    await allowInsert(w.deps.db, 'participant_link')
    w.clock.advance(60_000)
    expect(await runDueJobs(w.ctx, 'runner-a')).toBe(1)
    // Each once: P2 now, the others not again.
    expect(w.smtp!.received.map((m) => m.to[0]).sort()).toEqual(['p1@example.org', 'p2@example.org', 'p3@example.org'])
    expect(await w.deps.db.selectFrom('message_delivery').select('status').where('participant_id', '=', p2.id).execute()).toEqual([{ status: 'sent' }])
  })

  it('moves the jobs with the wave, and drops a reminder the schedule no longer has', async () => {
    const w = await world()
    await setUp(w)
    await w.staff(`/studies/${w.study.id}/messaging`, jsonRequest('PUT', { inviteOnOpen: false, reminderDays: [1, 5] }))
    await setWave(w.deps, { cohortId: w.cohort.id, kind: 'pre', opens: '2026-03-05', closes: '2026-03-20', instruments: ['phq-9'] }, 'test')
    const view = await (await w.staff(`/cohorts/${w.cohort.id}/messages`)).json()
    expect(view.jobs.map((j: { kind: string; days: number | null; status: string; dueAt: string }) => [j.kind, j.days, j.status, j.dueAt])).toEqual([
      ['invitation', null, 'cancelled', '2026-03-02T00:00:00.000Z'],
      ['reminder', 3, 'cancelled', '2026-03-12T00:00:00.000Z'],
      ['reminder', 5, 'pending', '2026-03-16T00:00:00.000Z'],
      ['reminder', 1, 'pending', '2026-03-20T00:00:00.000Z'],
    ])
  })

  it('survives a restart, and two runners over one database send each message once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'balint-jobs-'))
    closers.push(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'balint.sqlite')
    const first = openDatabase(file)
    await migrateToLatest(first)
    const clock = testClock('2026-03-01T09:00:00.000Z')
    const w = await world({ db: first, clock })
    await setUp(w)
    // The server stops before the wave opens: the invitation is only a row in the job table.
    await closeDatabase(first)

    // Two servers start over the same file, each with its own connection and runner.
    const a = openDatabase(file)
    const b = openDatabase(file)
    closers.push(() => closeDatabase(a), () => closeDatabase(b))
    clock.set('2026-03-02T09:00:00.000Z')
    const ran = await Promise.all([runDueJobs({ ...w.ctx, db: a }, 'server-a'), runDueJobs({ ...w.ctx, db: b }, 'server-b'), runDueJobs({ ...w.ctx, db: a }, 'server-a2')])
    expect(ran.reduce((x, y) => x + y, 0)).toBe(1)
    expect(w.smtp!.received.map((m) => m.to[0]).sort()).toEqual(['p1@example.org', 'p2@example.org', 'p3@example.org'])
    expect(await runDueJobs({ ...w.ctx, db: b }, 'server-b')).toBe(0)
    expect(w.smtp!.received).toHaveLength(3)
  })

  it('without an SMTP server, waits for the team: a message to copy, a WhatsApp text, letters for the wave', async () => {
    const w = await world({ smtp: false })
    const { p3, p4 } = await setUp(w)
    const view = await (await w.staff(`/cohorts/${w.cohort.id}/messages`)).json()
    expect(view.email).toBe(false)
    expect(view.jobs[0]).toMatchObject({ kind: 'invitation', status: 'pending', waiting: true })

    const one = await w.staff(`/participants/${p3.id}/message`, jsonRequest('POST', { wave: 'pre', kind: 'invitation' }))
    expect(one.status).toBe(201)
    const message = await one.json()
    expect(message).toMatchObject({ code: 'P3', phone: '+98 912 000 0000', language: 'en' })
    expect((await w.app.request(new URL(message.link).pathname.replace('/p/', '/api/p/'))).status).toBe(200)

    const letters = await w.staff(`/cohorts/${w.cohort.id}/messages`, jsonRequest('POST', { wave: 'pre', kind: 'invitation' }))
    expect(letters.status).toBe(201)
    const sheet = await letters.json()
    expect(sheet.map((l: { code: string }) => l.code)).toEqual(['P1', 'P2', 'P3', 'P4'])
    expect(sheet.find((l: { code: string }) => l.code === p4.code).text).toContain(sheet[3].link)
    // Sent by hand: the due invitation is closed, and not emailed later if a server is set.
    const after = await (await w.staff(`/cohorts/${w.cohort.id}/messages`)).json()
    expect(after.jobs[0]).toMatchObject({ status: 'done', closedBy: 'by_hand', waiting: false })
    expect(after.deliveries).toHaveLength(5)
    expect(after.deliveries.every((d: { channel: string; status: string }) => d.channel === 'by_hand' && d.status === 'prepared')).toBe(true)
  })

  it('rotates message links: re-sending leaves at most three working, a replaced one ends after its grace with a clear answer, staff links stay', async () => {
    const w = await world({ smtp: false })
    const { p4 } = await setUp(w)
    const staffLink = w.participants[3]!.token
    const open = (link: string) => w.app.request(new URL(link).pathname.replace('/p/', '/api/p/'))
    const links: string[] = []
    for (let i = 0; i < 5; i++) {
      const sent = await w.staff(`/participants/${p4.id}/message`, jsonRequest('POST', { wave: 'pre', kind: 'reminder' }))
      expect(sent.status).toBe(201)
      links.push((await sent.json()).link)
      w.clock.advance(60_000)
    }
    // The newest and the two before it work (a participant mid-questionnaire under a replaced link
    // goes on); the two oldest ended when the fifth was sent.
    expect(await Promise.all(links.map(async (l) => (await open(l)).status))).toEqual([410, 410, 200, 200, 200])
    const replaced = await open(links[0]!)
    expect(await replaced.json()).toMatchObject({ error: { code: 'link_replaced', message: expect.stringContaining('most recent message'), details: { language: 'en' } } })
    // Two weeks later only the newest works; the link a researcher handed out still does.
    w.clock.advance((replacedLinkGraceDays * 24 + 1) * 3_600_000)
    expect(await Promise.all(links.map(async (l) => (await open(l)).status))).toEqual([410, 410, 410, 410, 200])
    expect((await w.app.request(`/api/p/${staffLink}`)).status).toBe(200)
    // A replaced link cannot write either.
    const consent = w.deps.instruments.get('consent')!
    const write = await w.app.request(new URL(links[1]!).pathname.replace('/p/', '/api/p/') + '/consent', jsonRequest('POST', { version: consent.version, answers: { consent: 'agree' } }))
    expect(write.status).toBe(410)
    // Revoking still ends them all, with the neutral answer.
    await w.signInAgain()
    expect((await w.staff(`/participants/${p4.id}/link`, { method: 'DELETE' })).status).toBe(200)
    expect((await open(links[4]!)).status).toBe(404)
  })

  it('keeps contact details apart from answers and deletes them on withdrawal', async () => {
    const w = await world({ smtp: false })
    const { p1 } = await setUp(w)
    expect(await w.deps.db.selectFrom('participant_contact').select('email').where('participant_id', '=', p1.id).executeTakeFirst()).toEqual({ email: 'p1@example.org' })
    expect((await w.app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: true }))).status).toBe(200)
    expect(await w.deps.db.selectFrom('participant_contact').selectAll().where('participant_id', '=', p1.id).execute()).toEqual([])
    const refused = await w.staff(`/participants/${p1.id}/contact`, jsonRequest('PUT', { email: 'again@example.org', phone: null, language: null }))
    expect((await refused.json()).error.code).toBe('withdrawn')
    // The audit log says a contact changed, never what it is.
    const audit = await w.deps.db.selectFrom('audit_log').select('details').execute()
    expect(JSON.stringify(audit)).not.toMatch(/"p\d@example\.org|again@|\+98/)
  })
})

describe("the study's name in participants' emails", () => {
  it('is the name the team chose when they chose one, in the subject and the text, by email and by hand; kept by a client that does not send it; the study’s own when emptied', async () => {
    const w = await world()
    // Hospital mail servers see subjects: the team names the study neutrally.
    expect((await w.staff(`/studies/${w.study.id}/messaging`, jsonRequest('PUT', { inviteOnOpen: true, reminderDays: [3], emailName: '  Wellbeing questionnaires ' }))).status).toBe(200)
    // A client that knows nothing of the setting changes the schedule and keeps the name.
    const kept = await w.staff(`/studies/${w.study.id}/messaging`, jsonRequest('PUT', { inviteOnOpen: true, reminderDays: [3] }))
    expect(((await kept.json()) as { emailName: string | null }).emailName).toBe('Wellbeing questionnaires')
    await setWave(w.deps, { cohortId: w.cohort.id, kind: 'pre', opens: '2026-03-02', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
    const [p1, p2] = w.participants
    expect((await w.staff(`/participants/${p1!.id}/contact`, jsonRequest('PUT', { email: 'p1@example.org', phone: null, language: null }))).status).toBe(200)
    expect((await w.staff(`/participants/${p2!.id}/contact`, jsonRequest('PUT', { email: 'p2@example.org', phone: null, language: 'fa' }))).status).toBe(200)
    expect(await runDueJobs(w.ctx, 'runner-a')).toBe(1)
    expect(w.smtp!.received).toHaveLength(2)
    for (const mail of w.smtp!.received) {
      expect(`${mail.subject}\n${mail.text}`).not.toContain('Messages study')
      expect(mail.subject).toContain('Wellbeing questionnaires')
      expect(mail.text).toContain('Wellbeing questionnaires')
    }
    // P4, who has no address, gets theirs by hand.
    const letters = await w.staff(`/participants/${w.participants[3]!.id}/message`, jsonRequest('POST', { wave: 'pre', kind: 'invitation' }))
    expect(letters.status).toBe(201)
    const letter = (await letters.json()) as { subject: string; text: string }
    expect(letter!.subject).toContain('Wellbeing questionnaires')
    expect(`${letter!.subject}\n${letter!.text}`).not.toContain('Messages study')
    const emptied = await w.staff(`/studies/${w.study.id}/messaging`, jsonRequest('PUT', { inviteOnOpen: true, reminderDays: [3], emailName: '' }))
    expect(((await emptied.json()) as { emailName: string | null }).emailName).toBeNull()
    const again = await w.staff(`/participants/${w.participants[3]!.id}/message`, jsonRequest('POST', { wave: 'pre', kind: 'invitation' }))
    expect(((await again.json()) as { subject: string }).subject).toContain('Messages study')
  })

  it('is refused over 80 characters, with nothing written', async () => {
    const w = await world({ smtp: false })
    const res = await w.staff(`/studies/${w.study.id}/messaging`, jsonRequest('PUT', { inviteOnOpen: true, reminderDays: [], emailName: 'x'.repeat(81) }))
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { details: { field: string }[] } }).error.details[0]!.field).toBe('emailName')
    expect(await w.deps.db.selectFrom('study_messaging').selectAll().execute()).toEqual([])
  })
})
