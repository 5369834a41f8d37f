/**
 * Invitations and reminders (issue 17). A study's schedule (an invitation when a wave opens,
 * reminders a number of days before it closes) becomes jobs per wave in the job table, kept in step
 * whenever a wave or the schedule changes. A job sends, when it runs, to the cohort's participants
 * who have not completed the wave and have not withdrawn (reminders: nor opted out), in their
 * language or else the study's, by email where the team recorded an address. Teams who send by
 * hand get each message (copy, WhatsApp) or a sheet of letters with QR codes instead.
 *
 * The personal link. Links are stored as SHA-256 hashes only (participant_link; the token is shown
 * once), so the server cannot recover a participant's existing link. Each message therefore carries a
 * newly minted link. The earlier message links do not stop at once: a reminder would otherwise break
 * the invitation's link mid-questionnaire, with the answers kept on their phone under it. They are
 * rotated out once the new message has left (an email when the SMTP server took it, a message the
 * team sends by hand when it is prepared; an email never delivered ends none of them): the two newest
 * earlier ones work for `replacedLinkGraceDays` more, any older ones stop then, so a participant never
 * holds more than three working message links, whatever is re-sent (four, until their next message,
 * when the server stopped between an email leaving and its rotation). A link past its end answers
 * `link_replaced` (its page says to use the most recent message's link). Links a researcher issued
 * on the Participants tab (and every link older than migration 0145) are left as they are: they may
 * be printed on cards in participants' hands. Storing tokens encrypted instead would break the rule
 * that tokens are stored hashed and put every link one leaked key away. Revoking a participant's link
 * from the staff app still revokes all of them.
 */
import type { Kysely } from 'kysely'
import { insertAudit, insertAudits } from '../../db/repositories/audit'
import { cancelPendingJobs, closePendingJob, listJobsOfRefs, scheduleJob, type Job } from '../../db/repositories/jobs'
import {
  deleteDelivery,
  findContact,
  findMessagingSettings,
  findWavePlace,
  finishDelivery,
  insertDeliveries,
  insertDeliveryOnce,
  listCompletedOfWave,
  listContactsOfCohort,
  listDeliveriesOfCohort,
  listLatestConsentsOfCohort,
  listInterruptedDeliveries,
  markDeliveryUnknown,
  upsertMessagingSettings,
  type Contact,
  upsertContact,
  type MessagingSettings,
} from '../../db/repositories/messaging'
import { expireMessageLinksOf, findLatestConsent, findParticipant, insertLinks, listParticipants, listWorkingMessageLinkIds, revokeLinkByTokenHash, type Participant } from '../../db/repositories/participants'
import { findCohort, findStudy, listCohorts, listWaves, type Study, type Wave } from '../../db/repositories/studies'
import type { Database, WaveKind } from '../../db/schema'
import { lastDayForPeople } from '../dates'
import type { Deps } from '../deps'
import { ApiError } from '../errors'
import { createToken, hashToken, participantLink } from '../participation/tokens'
import type { JobOutcome } from './jobs'
import { MailOutcomeUnknown, MailRefused, withoutAddresses, type Mailer } from './mailer'
import { waveMessage, type MessageLanguage, type WaveMessageKind } from './texts'

export const waveJobKinds = { invitation: 'wave.invitation', reminder: 'wave.reminder' } as const

const day = 24 * 3600_000

/** The jobs a wave gets under a schedule: key, kind and when. */
function plannedJobs(wave: { id: string; opensAt: string; closesAt: string }, settings: MessagingSettings) {
  const jobs: { dedupeKey: string; kind: string; dueAt: string; details: Record<string, unknown> }[] = []
  if (settings.inviteOnOpen) jobs.push({ dedupeKey: `wave:${wave.id}:invitation`, kind: waveJobKinds.invitation, dueAt: wave.opensAt, details: { kind: 'invitation' } })
  for (const days of settings.reminderDays) {
    const dueAt = new Date(new Date(wave.closesAt).getTime() - days * day)
    // A reminder due before the wave opens would remind of nothing yet.
    if (dueAt.toISOString() <= wave.opensAt) continue
    jobs.push({ dedupeKey: `wave:${wave.id}:reminder:${days}`, kind: waveJobKinds.reminder, dueAt: dueAt.toISOString(), details: { kind: 'reminder', days } })
  }
  return jobs
}

/**
 * Bring a wave's jobs in step with the study's schedule: new or moved ones pending at their time,
 * ones no longer in the schedule cancelled; jobs that already ran are left as they are. Called in
 * the transaction that sets the wave.
 */
export async function scheduleWaveMessages(db: Kysely<Database>, studyId: string, wave: { id: string; opensAt: string; closesAt: string }, now: Date): Promise<void> {
  const planned = plannedJobs(wave, await findMessagingSettings(db, studyId))
  for (const job of planned) await scheduleJob(db, { ...job, studyId, ref: wave.id }, now)
  await cancelPendingJobs(db, wave.id, planned.map((j) => j.dedupeKey))
}

/** Set the study's schedule and re-plan the jobs of every wave of every cohort. */
export async function updateMessagingSettings(
  deps: Deps,
  studyId: string,
  settings: Omit<MessagingSettings, 'emailName'> & { emailName?: string | null },
  staffId: string,
): Promise<MessagingSettings> {
  const now = deps.now()
  const reminderDays = [...new Set(settings.reminderDays)].sort((a, b) => b - a)
  await deps.db.transaction().execute(async (trx) => {
    // A client that does not send the email name leaves it as it is.
    const emailName = settings.emailName === undefined ? (await findMessagingSettings(trx, studyId)).emailName : settings.emailName
    await upsertMessagingSettings(trx, studyId, { inviteOnOpen: settings.inviteOnOpen, reminderDays, emailName }, `staff:${staffId}`, now)
    for (const cohort of await listCohorts(trx, studyId)) {
      for (const wave of await listWaves(trx, cohort.id)) await scheduleWaveMessages(trx, studyId, wave, now)
    }
    await insertAudit(trx, { actor: `staff:${staffId}`, action: 'messaging.settings', entity: 'study', entityId: studyId, details: { inviteOnOpen: settings.inviteOnOpen, reminderDays, emailName } }, now)
  })
  return findMessagingSettings(deps.db, studyId)
}

/**
 * What decides whether a wave's message goes to a participant: their status, their contact details
 * (undefined: none recorded), their latest consent decision (undefined: none yet) and whether they
 * completed every questionnaire of the wave.
 */
export type RecipientFacts = { participant: Participant; contact: Contact | undefined; latestConsent: 'agree' | 'decline' | undefined; completedWave: boolean }

/**
 * The one rule of who a wave's message goes to, for a whole cohort (`recipients`) and for one
 * participant just before their email (`stillRecipient`), so the two cannot drift apart: not
 * withdrawn; not declined at their link (until they agree there: asking again someone who said no is
 * pressure an ethics committee would not allow); not completed the wave; for a reminder, not opted
 * out of reminders (invitations to a wave still come); by email, an address recorded. Pure.
 *
 * @example
 * isWaveRecipient({ participant, contact, latestConsent: 'decline', completedWave: false }, 'invitation', 'by_hand') // => false
 */
export function isWaveRecipient(facts: RecipientFacts, kind: WaveMessageKind, channel: 'email' | 'by_hand'): boolean {
  const { participant, contact, latestConsent, completedWave } = facts
  if (participant.status === 'withdrawn' || latestConsent === 'decline' || completedWave) return false
  if (kind === 'reminder' && contact?.remindersOptOut) return false
  return channel === 'by_hand' || !!contact?.email
}

/** The cohort's participants a wave's message goes to (isWaveRecipient), with their contact details, in code order. */
async function recipients(db: Kysely<Database>, wave: Wave, kind: WaveMessageKind, channel: 'email' | 'by_hand'): Promise<{ participant: Participant; contact: Contact | undefined }[]> {
  const [participants, contacts, completed, consents] = await Promise.all([
    listParticipants(db, wave.cohortId),
    listContactsOfCohort(db, wave.cohortId),
    listCompletedOfWave(db, wave.id, wave.instruments),
    listLatestConsentsOfCohort(db, wave.cohortId),
  ])
  const contactOf = new Map(contacts.map((c) => [c.participantId, c]))
  return participants
    .map((participant) => ({ participant, contact: contactOf.get(participant.id), latestConsent: consents.get(participant.id), completedWave: completed.has(participant.id) }))
    .filter((facts) => isWaveRecipient(facts, kind, channel))
    .map(({ participant, contact }) => ({ participant, contact }))
}

/**
 * How long a replaced message link keeps working: two weeks, the usual length of a wave, so a
 * participant who opened the invitation's link can finish that wave's questionnaires with it.
 */
export const replacedLinkGraceDays = 14

/** How many replaced message links keep working for their grace (the newest); older ones stop at once. */
const replacedLinksKept = 2

/**
 * A newly minted personal link per participant for a message (see the file's comment), audited
 * without the token, in a few statements however many participants (issue 16). It rotates out no
 * earlier link: the caller does (`rotateOutEarlierLinks`), once the message has left. Returns the
 * tokens, in the participants' order.
 */
async function mintLinks(db: Kysely<Database>, participantIds: string[], because: string, actor: string, now: Date): Promise<string[]> {
  const minted = participantIds.map((participantId) => ({ participantId, ...createToken() }))
  await insertLinks(db, minted.map((m) => ({ participantId: m.participantId, tokenHash: m.hash })), now, 'message')
  await insertAudits(db, participantIds.map((id) => ({ actor, action: 'participant.link_issue', entity: 'participant', entityId: id, details: { because } })), now)
  return minted.map((m) => m.token)
}

/**
 * Rotate out these participants' earlier message links (the file's comment): the two newest work
 * for `replacedLinkGraceDays` more, older ones end now. `among`: for a link minted before this call
 * (an email's), the ids of the links that worked when it was minted (listWorkingMessageLinkIds):
 * only those are earlier ones; a link minted since is newer.
 */
async function rotateOutEarlierLinks(db: Kysely<Database>, participantIds: string[], now: Date, among?: readonly string[]): Promise<void> {
  await expireMessageLinksOf(db, participantIds, { keep: replacedLinksKept, until: new Date(now.getTime() + replacedLinkGraceDays * 86_400_000), now, among })
}

/**
 * A participant's invitation or reminder, in their language (else the study's), naming the study as
 * its messaging settings say (`emailName`, else the study's own name: hospital mail servers see the
 * subject).
 */
function composeMessage(study: Study, emailName: string | null, wave: Wave, contact: Contact | undefined, kind: WaveMessageKind, link: string) {
  const language: MessageLanguage = contact?.language ?? (study.language === 'fa' ? 'fa' : 'en')
  return { language, ...waveMessage(language, kind, { study: emailName ?? study.name, wave: wave.kind, closes: lastDayForPeople(wave.closesAt, study.timeZone, language), link }) }
}

async function waveAndStudy(db: Kysely<Database>, waveId: string): Promise<{ wave: Wave; study: Study } | undefined> {
  const place = await findWavePlace(db, waveId)
  if (!place) return undefined
  const wave = (await listWaves(db, place.cohortId)).find((w) => w.id === waveId)
  const study = await findStudy(db, place.studyId)
  return wave && study ? { wave, study } : undefined
}

/**
 * Is this participant still someone the wave's message goes to, now? Read again just before each
 * email, in the transaction that claims it: a batch to a large cohort over a slow SMTP server takes
 * minutes, and a participant who withdrew (their address deleted), declined, completed the wave or
 * turned reminders off in the meantime must not get it. Returns their contact as it is now.
 */
async function stillRecipient(db: Kysely<Database>, wave: Wave, kind: WaveMessageKind, participantId: string): Promise<Contact | undefined> {
  const participant = await findParticipant(db, participantId)
  if (!participant) return undefined
  const contact = await findContact(db, participantId)
  const latestConsent = (await findLatestConsent(db, participantId))?.decision
  const completedWave = (await listCompletedOfWave(db, wave.id, wave.instruments, participantId)).has(participantId)
  return isWaveRecipient({ participant, contact, latestConsent, completedWave }, kind, 'email') ? contact : undefined
}

/** How long one run of an invitation or reminder job sends before it lets the runner's other jobs go first. */
export const waveBatchBudgetMs = 30_000

/**
 * Run an invitation or reminder job: email each recipient with an address, once (a delivery row per
 * job and participant is written before sending). A reminder whose wave has closed is not sent.
 *
 * The participant's earlier message links are rotated out only once their email has left. An
 * address the SMTP server refuses for good is marked failed, its new link (which nobody received)
 * revoked, and the others go on. When the server cannot be reached (or says to try later), the claim
 * on that participant is taken back (their delivery row and the new link) and the job throws: the
 * runner tries it again later, and those already emailed are not emailed again. An email the server
 * may have taken without saying so (`MailOutcomeUnknown`) is marked unknown, its link left working,
 * and the job stops there in the same way. If some were emailed first (a rate limit), it goes on a
 * minute later without using up its tries. After `waveBatchBudgetMs` of sending it stops and is due again at
 * once, so that a safety flag's email raised meanwhile goes first.
 */
export async function runWaveMessageJob(ctx: Deps & { mailer: Mailer; baseUrl: string }, job: Job): Promise<void | JobOutcome> {
  const found = await waveAndStudy(ctx.db, job.ref)
  if (!found) return
  const { wave, study } = found
  const kind: WaveMessageKind = job.kind === waveJobKinds.invitation ? 'invitation' : 'reminder'
  if (ctx.now().toISOString() > wave.closesAt) return
  let sent = 0
  const started = ctx.now().getTime()
  const { emailName } = await findMessagingSettings(ctx.db, study.id)
  for (const { participant } of await recipients(ctx.db, wave, kind, 'email')) {
    const now = ctx.now()
    // The delivery row and the new link together or not at all: a delivery "sending" without its
    // link would make every retry skip this participant, who would never get the message.
    const claimed = await ctx.db.transaction().execute(async (trx) => {
      const contact = await stillRecipient(trx, wave, kind, participant.id)
      if (!contact) return undefined
      const deliveryId = await insertDeliveryOnce(trx, { job_id: job.id, study_id: study.id, participant_id: participant.id, wave_id: wave.id, kind, channel: 'email', status: 'sending', actor: 'system' }, now)
      if (!deliveryId) return undefined
      // The links that are earlier than this email's: rotated out once it has left, and only they.
      const earlier = await listWorkingMessageLinkIds(trx, participant.id, now)
      return { deliveryId, contact, earlier, token: (await mintLinks(trx, [participant.id], `message.${kind}`, 'system', now))[0]! }
    })
    if (!claimed) continue
    const { deliveryId, contact, earlier, token } = claimed
    const message = composeMessage(study, emailName, wave, contact, kind, participantLink(ctx.baseUrl, token))
    try {
      await ctx.mailer.send({ to: [contact.email!], subject: message.subject, text: message.text })
    } catch (error) {
      if (error instanceof MailRefused) {
        // One address refused is not the job failing: the log shows it, and the team can send by hand.
        // The audit log says that it was refused, not the server's reply: the reply's addresses are
        // taken out (MailRefused), but a reply may still quote a mailbox's name ("no such user
        // ada.l"), and the audit log outlives the delivery log, which goes with a deletion.
        await ctx.db.transaction().execute(async (trx) => {
          await finishDelivery(trx, deliveryId, { status: 'failed', error: error.message }, ctx.now())
          await revokeLinkByTokenHash(trx, hashToken(token), ctx.now())
          await insertAudit(trx, { actor: 'system', action: 'message.refused', entity: 'participant', entityId: participant.id, details: { kind, wave: wave.kind, channel: 'email' } }, ctx.now())
        })
        continue
      }
      if (error instanceof MailOutcomeUnknown) {
        // It may have arrived, with its link: marked unknown, as an interrupted send is
        // (recoverInterruptedDeliveries), with its link and the earlier ones left working. Revoking
        // the link would end one the participant may hold, and their phone would drop the answers
        // it keeps under it; sending again may deliver it twice. The server was slow to answer: the
        // others wait for the job's next try rather than each wait as long.
        await markUnknown(ctx, { id: deliveryId, participantId: participant.id, kind, wave: wave.kind })
      } else {
        await ctx.db.transaction().execute(async (trx) => {
          await deleteDelivery(trx, deliveryId)
          await revokeLinkByTokenHash(trx, hashToken(token), ctx.now())
        })
      }
      const reason = `the SMTP server did not take the ${kind}: ${withoutAddresses(error instanceof Error ? error.message : String(error))}`
      // Some went before the server said "later" (a rate limit): go on in a minute, with the job's
      // tries not used up, so a cohort larger than the limit is reached in the end.
      if (sent > 0) return { retryAt: new Date(ctx.now().getTime() + 60_000).toISOString(), progress: true, error: reason }
      throw new Error(reason)
    }
    sent++
    // Delivered: now the link it carries replaces the earlier ones.
    await ctx.db.transaction().execute(async (trx) => {
      await finishDelivery(trx, deliveryId, { status: 'sent' }, ctx.now())
      await rotateOutEarlierLinks(trx, [participant.id], ctx.now(), earlier)
      await insertAudit(trx, { actor: 'system', action: 'message.send', entity: 'participant', entityId: participant.id, details: { kind, wave: wave.kind, channel: 'email' } }, ctx.now())
    })
    // One runner sends every job in turn: a long batch over a slow server must not hold back a
    // safety flag's email raised meanwhile. The rest go at the runner's next look, after it.
    if (ctx.now().getTime() - started >= waveBatchBudgetMs) return { retryAt: ctx.now().toISOString(), progress: true }
  }
}

/**
 * Emails that were being sent when their run stopped for good (the server killed mid-batch) become
 * `unknown` in the delivery log, each audited (`message.unknown`, no address). Called by the job
 * runner before each look, after it took back the jobs of runners that are gone
 * (listInterruptedDeliveries says how a run is known to be gone).
 *
 * Nothing is sent again on its own: the email may have arrived, and its link with it. That link
 * (minted with the delivery row, in one transaction) is left working, neither revoked nor replaced,
 * since the participant may hold it, and so are the earlier ones (rotated only once an email has
 * left); were the email sent again, they would hold two links of one message and two emails. The
 * team, who sees "unknown", asks the participant or sends it by hand (Prepare message), which rotates
 * links as any new message does. Returns how many were marked.
 */
export async function recoverInterruptedDeliveries(deps: Pick<Deps, 'db' | 'now'>): Promise<number> {
  let marked = 0
  for (const delivery of await listInterruptedDeliveries(deps.db)) if (await markUnknown(deps, delivery)) marked++
  return marked
}

/** Mark an email delivery still `sending` as `unknown`, audited (`message.unknown`, no address); false when it was no longer sending. */
async function markUnknown(deps: Pick<Deps, 'db' | 'now'>, delivery: { id: string; participantId: string; kind: WaveMessageKind; wave: WaveKind | null }): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await markDeliveryUnknown(trx, delivery.id))) return false
    await insertAudit(trx, { actor: 'system', action: 'message.unknown', entity: 'participant', entityId: delivery.participantId, details: { kind: delivery.kind, wave: delivery.wave, channel: 'email' } }, deps.now())
    return true
  })
}

export type PreparedMessage = { participantId: string; code: string; subject: string; text: string; link: string; phone: string | null; email: string | null; language: MessageLanguage }

async function waveOfCohort(deps: Deps, cohortId: string, kind: WaveKind): Promise<Wave> {
  const wave = (await listWaves(deps.db, cohortId)).find((w) => w.kind === kind)
  if (!wave) throw new ApiError('not_found', `This cohort has no ${kind} wave.`)
  return wave
}

/**
 * Messages to send by hand: for one participant, or for every recipient of the cohort's wave (the
 * printable letters). Each gets a newly minted link and a row in the delivery log. Without an SMTP
 * server, preparing a wave's letters also closes that wave's due job of the same kind, so it is not
 * emailed later as well.
 */
export async function prepareMessages(
  deps: Deps,
  input: { cohortId: string; wave: WaveKind; kind: WaveMessageKind; participantId?: string },
  staffId: string,
  baseUrl: string,
): Promise<PreparedMessage[]> {
  const cohort = await findCohort(deps.db, input.cohortId)
  const study = cohort && (await findStudy(deps.db, cohort.studyId))
  if (!cohort || !study) throw new ApiError('not_found', 'No such cohort.')
  const wave = await waveOfCohort(deps, cohort.id, input.wave)
  let targets: { participant: Participant; contact: Contact | undefined }[]
  if (input.participantId) {
    const participant = await findParticipant(deps.db, input.participantId)
    if (!participant || participant.cohortId !== cohort.id) throw new ApiError('not_found', 'No such participant.')
    if (participant.status === 'withdrawn') throw new ApiError('withdrawn', 'This participant has withdrawn: no message can be sent.')
    targets = [{ participant, contact: await findContact(deps.db, participant.id) }]
  } else {
    targets = await recipients(deps.db, wave, input.kind, 'by_hand')
  }
  const actor = `staff:${staffId}`
  const now = deps.now()
  const { emailName } = await findMessagingSettings(deps.db, study.id)
  return deps.db.transaction().execute(async (trx) => {
    const ids = targets.map((t) => t.participant.id)
    // A message prepared is given (the team hands it over): its link replaces the earlier ones now.
    await rotateOutEarlierLinks(trx, ids, now)
    const tokens = await mintLinks(trx, ids, `message.${input.kind}`, actor, now)
    await insertDeliveries(trx, ids.map((id) => ({ job_id: null, study_id: study.id, participant_id: id, wave_id: wave.id, kind: input.kind, channel: 'by_hand', status: 'prepared', actor })), now)
    await insertAudits(trx, ids.map((id) => ({ actor, action: 'message.prepare', entity: 'participant', entityId: id, details: { kind: input.kind, wave: wave.kind, channel: 'by_hand' } })), now)
    const prepared = targets.map(({ participant, contact }, i): PreparedMessage => {
      const link = participantLink(baseUrl, tokens[i]!)
      const message = composeMessage(study, emailName, wave, contact, input.kind, link)
      return { participantId: participant.id, code: participant.code, subject: message.subject, text: message.text, link, phone: contact?.phone ?? null, email: contact?.email ?? null, language: message.language }
    })
    if (!input.participantId && !deps.mailer) {
      const due = (await listJobsOfRefs(trx, [wave.id])).filter((j) => j.status === 'pending' && j.dueAt <= now.toISOString() && j.kind === waveJobKinds[input.kind])
      for (const job of due) await closePendingJob(trx, job.id, actor, now)
    }
    return prepared
  })
}

/** The cohort's Messages tab: the schedule and its jobs, each participant's contact and progress, the delivery log. */
export async function messagesView(deps: Deps, cohortId: string) {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  const [settings, waves, participants, contacts, deliveries] = await Promise.all([
    findMessagingSettings(deps.db, cohort.studyId),
    listWaves(deps.db, cohort.id),
    listParticipants(deps.db, cohort.id),
    listContactsOfCohort(deps.db, cohort.id),
    listDeliveriesOfCohort(deps.db, cohort.id),
  ])
  const jobs = await listJobsOfRefs(
    deps.db,
    waves.map((w) => w.id),
  )
  const completed = new Map<string, Set<string>>()
  for (const wave of waves) completed.set(wave.kind, await listCompletedOfWave(deps.db, wave.id, wave.instruments))
  const contactOf = new Map(contacts.map((c) => [c.participantId, c]))
  const now = deps.now().toISOString()
  return {
    email: deps.mailer !== undefined,
    settings,
    jobs: jobs.map((j) => ({
      id: j.id,
      wave: waves.find((w) => w.id === j.ref)!.kind,
      kind: j.kind === waveJobKinds.invitation ? ('invitation' as const) : ('reminder' as const),
      days: typeof j.details.days === 'number' ? j.details.days : null,
      dueAt: j.dueAt,
      status: j.status,
      /** Due, and waiting for someone to send it by hand (no SMTP server). */
      waiting: j.status === 'pending' && j.dueAt <= now && !deps.mailer,
      closedBy: j.claimedBy?.startsWith('staff:') ? 'by_hand' : j.claimedBy ? 'email' : null,
      /** Why its last try did not finish (the SMTP server down, say), while it waits to try again or after it gave up. */
      problem: j.status === 'pending' || j.status === 'failed' ? j.lastError : null,
    })),
    participants: participants.map((p) => {
      const contact = contactOf.get(p.id)
      return {
        id: p.id,
        code: p.code,
        status: p.status,
        email: contact?.email ?? null,
        phone: contact?.phone ?? null,
        language: contact?.language ?? null,
        remindersOptOut: contact?.remindersOptOut ?? false,
        completed: waves.filter((w) => completed.get(w.kind)?.has(p.id)).map((w) => w.kind),
      }
    }),
    deliveries,
  }
}


/**
 * A researcher sets a participant's contact details (all optional). The audit log says that they
 * changed, never what they are.
 */
export async function updateContact(deps: Deps, participantId: string, contact: { email: string | null; phone: string | null; language: 'en' | 'fa' | null }, staffId: string): Promise<Contact> {
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await upsertContact(trx, { participantId, ...contact }, now)
    await insertAudit(trx, { actor: `staff:${staffId}`, action: 'participant.contact', entity: 'participant', entityId: participantId, details: { email: contact.email !== null, phone: contact.phone !== null } }, now)
  })
  return (await findContact(deps.db, participantId))!
}
