/**
 * Participants' contact details, the study's message schedule and the delivery log (migration 0091).
 * Contact details are read here only: no export and no report joins this table.
 */
import { sql, type Kysely } from 'kysely'
import type { Database, DeliveryStatus, MessageDeliveryTable, WaveKind } from '../schema'
import { newId } from '../ids'
import { batches } from '../batch'

export type Contact = { participantId: string; email: string | null; phone: string | null; language: 'en' | 'fa' | null; remindersOptOut: boolean }

const toContact = (r: { participant_id: string; email: string | null; phone: string | null; language: string | null; reminders_opt_out: number }): Contact => ({
  participantId: r.participant_id,
  email: r.email,
  phone: r.phone,
  language: r.language === 'en' || r.language === 'fa' ? r.language : null,
  remindersOptOut: r.reminders_opt_out === 1,
})

export async function findContact(db: Kysely<Database>, participantId: string): Promise<Contact | undefined> {
  const row = await db.selectFrom('participant_contact').selectAll().where('participant_id', '=', participantId).executeTakeFirst()
  return row && toContact(row)
}

export async function listContactsOfCohort(db: Kysely<Database>, cohortId: string): Promise<Contact[]> {
  const rows = await db
    .selectFrom('participant_contact')
    .innerJoin('participant', 'participant.id', 'participant_contact.participant_id')
    .selectAll('participant_contact')
    .where('participant.cohort_id', '=', cohortId)
    .execute()
  return rows.map(toContact)
}

/** Set a participant's email, phone and language, keeping their reminder choice. */
export async function upsertContact(db: Kysely<Database>, contact: { participantId: string; email: string | null; phone: string | null; language: string | null }, now: Date): Promise<void> {
  const values = { email: contact.email, phone: contact.phone, language: contact.language, updated_at: now.toISOString() }
  await db
    .insertInto('participant_contact')
    .values({ participant_id: contact.participantId, ...values })
    .onConflict((oc) => oc.column('participant_id').doUpdateSet(values))
    .execute()
}

/** The participant's own choice, from their page: no reminders (invitations to a new wave still come). */
export async function setRemindersOptOut(db: Kysely<Database>, participantId: string, optOut: boolean, now: Date): Promise<void> {
  const values = { reminders_opt_out: optOut ? 1 : 0, updated_at: now.toISOString() }
  await db
    .insertInto('participant_contact')
    .values({ participant_id: participantId, email: null, phone: null, language: null, ...values })
    .onConflict((oc) => oc.column('participant_id').doUpdateSet(values))
    .execute()
}

export async function deleteContactOfParticipant(db: Kysely<Database>, participantId: string): Promise<number> {
  const result = await db.deleteFrom('participant_contact').where('participant_id', '=', participantId).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * A study's messaging: invitations when a wave opens, reminders so many whole days before it closes,
 * and the name the study goes by in participants' emails (null: the study's own name).
 */
export type MessagingSettings = { inviteOnOpen: boolean; reminderDays: number[]; emailName: string | null }

export async function findMessagingSettings(db: Kysely<Database>, studyId: string): Promise<MessagingSettings> {
  const row = await db.selectFrom('study_messaging').selectAll().where('study_id', '=', studyId).executeTakeFirst()
  return row
    ? { inviteOnOpen: row.invite_on_open === 1, reminderDays: JSON.parse(row.reminder_days) as number[], emailName: row.email_name }
    : { inviteOnOpen: false, reminderDays: [], emailName: null }
}

export async function upsertMessagingSettings(db: Kysely<Database>, studyId: string, settings: MessagingSettings, actor: string, now: Date): Promise<void> {
  const values = { invite_on_open: settings.inviteOnOpen ? 1 : 0, reminder_days: JSON.stringify(settings.reminderDays), email_name: settings.emailName, updated_at: now.toISOString(), updated_by: actor }
  await db
    .insertInto('study_messaging')
    .values({ study_id: studyId, ...values })
    .onConflict((oc) => oc.column('study_id').doUpdateSet(values))
    .execute()
}

type NewDelivery = Pick<MessageDeliveryTable, 'job_id' | 'study_id' | 'participant_id' | 'wave_id' | 'kind' | 'channel' | 'status' | 'actor'>

/**
 * Record a delivery before sending it. With a job id, once per job and participant: returns null when
 * this job already has a row for this participant (it was sent, or is being sent, by an earlier run).
 */
export async function insertDeliveryOnce(db: Kysely<Database>, delivery: NewDelivery, now: Date): Promise<string | null> {
  const id = newId()
  const result = await db
    .insertInto('message_delivery')
    .values({ id, ...delivery, error: null, created_at: now.toISOString(), sent_at: delivery.status === 'sending' ? null : now.toISOString() })
    .onConflict((oc) => oc.columns(['job_id', 'participant_id']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? id : null
}

/** Record deliveries made by hand (no job: each is its own), in statements of a few hundred rows. */
export async function insertDeliveries(db: Kysely<Database>, deliveries: (NewDelivery & { job_id: null })[], now: Date): Promise<void> {
  const at = now.toISOString()
  for (const batch of batches(deliveries, 500)) {
    await db
      .insertInto('message_delivery')
      .values(batch.map((delivery) => ({ id: newId(), ...delivery, error: null, created_at: at, sent_at: delivery.status === 'sending' ? null : at })))
      .execute()
  }
}

export async function finishDelivery(db: Kysely<Database>, id: string, outcome: { status: 'sent' } | { status: 'failed'; error: string }, now: Date): Promise<void> {
  await db
    .updateTable('message_delivery')
    .set({ status: outcome.status, error: outcome.status === 'failed' ? outcome.error : null, sent_at: outcome.status === 'sent' ? now.toISOString() : null })
    .where('id', '=', id)
    .execute()
}

/**
 * Emails left "sending" by a run that is gone: the email may or may not have left (the process
 * stopped between handing it to the SMTP server and hearing back). A run is gone once its job is no
 * longer `running`: a job is claimed by one run at a time, a run that ends finishes each of its rows
 * first, and one that was killed has its job released (releaseStaleJobs, releaseJobsOfRunners)
 * before anything else runs it. A read only, so that the runner's every look writes nothing when
 * there is nothing to mend (two SQLite connections in one process must not wait on each other).
 *
 * Returns `{ id, participantId, kind, wave }` per row (`wave`: the wave's kind), oldest first.
 */
export async function listInterruptedDeliveries(db: Kysely<Database>): Promise<{ id: string; participantId: string; kind: 'invitation' | 'reminder'; wave: WaveKind | null }[]> {
  const rows = await db
    .selectFrom('message_delivery as d')
    .leftJoin('job', 'job.id', 'd.job_id')
    .leftJoin('wave', 'wave.id', 'd.wave_id')
    .select(['d.id', 'd.participant_id', 'd.kind', 'wave.kind as wave_kind'])
    // A literal, not a parameter: the partial index on the rows still sending (migration 0220) is
    // chosen when the statement is prepared, before any value is bound.
    .where('d.status', '=', sql.lit('sending'))
    .where((eb) => eb.or([eb('job.id', 'is', null), eb('job.status', '!=', 'running')]))
    .orderBy('d.created_at')
    .orderBy('d.id')
    .execute()
  return rows.map((r) => ({ id: r.id, participantId: r.participant_id, kind: r.kind, wave: r.wave_kind }))
}

/**
 * Mark a delivery still "sending" as `unknown` (it may or may not have arrived). True when this call
 * changed it: of two runners marking one row at once, one gets true.
 */
export async function markDeliveryUnknown(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.updateTable('message_delivery').set({ status: 'unknown', error: null, sent_at: null }).where('id', '=', id).where('status', '=', 'sending').executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Take back a delivery row whose email never left (the SMTP server could not be reached): the job's retry sends it. */
export async function deleteDelivery(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('message_delivery').where('id', '=', id).execute()
}

export type Delivery = { id: string; code: string; participantId: string; wave: WaveKind | null; kind: 'invitation' | 'reminder'; channel: 'email' | 'by_hand'; status: DeliveryStatus; error: string | null; actor: string; createdAt: string; sentAt: string | null }

/** The cohort's delivery log, newest first. */
export async function listDeliveriesOfCohort(db: Kysely<Database>, cohortId: string): Promise<Delivery[]> {
  const rows = await db
    .selectFrom('message_delivery as d')
    .innerJoin('participant', 'participant.id', 'd.participant_id')
    .leftJoin('wave', 'wave.id', 'd.wave_id')
    .select(['d.id', 'participant.code', 'd.participant_id', 'wave.kind as wave_kind', 'd.kind', 'd.channel', 'd.status', 'd.error', 'd.actor', 'd.created_at', 'd.sent_at'])
    .where('participant.cohort_id', '=', cohortId)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .execute()
  return rows.map((r) => ({ id: r.id, code: r.code, participantId: r.participant_id, wave: r.wave_kind, kind: r.kind, channel: r.channel, status: r.status, error: r.error, actor: r.actor, createdAt: r.created_at, sentAt: r.sent_at }))
}

export async function deleteDeliveriesOfParticipant(db: Kysely<Database>, participantId: string): Promise<void> {
  await db.deleteFrom('message_delivery').where('participant_id', '=', participantId).execute()
}

/** Participants of a cohort (or of `participantId` alone) who completed every questionnaire of a wave. */
export async function listCompletedOfWave(db: Kysely<Database>, waveId: string, instruments: string[], participantId?: string): Promise<Set<string>> {
  if (instruments.length === 0) return new Set()
  let query = db
    .selectFrom('response')
    .select(['participant_id', 'instrument_id'])
    .where('wave_id', '=', waveId)
    .where('status', '=', 'complete')
    .where('instrument_id', 'in', instruments)
  if (participantId !== undefined) query = query.where('participant_id', '=', participantId)
  const rows = await query.execute()
  const done = new Map<string, Set<string>>()
  for (const r of rows) done.set(r.participant_id, (done.get(r.participant_id) ?? new Set()).add(r.instrument_id))
  return new Set([...done].filter(([, got]) => instruments.every((i) => got.has(i))).map(([id]) => id))
}

/**
 * Each participant's latest consent decision in a cohort, by participant id (those who never
 * decided are absent): the same decision findLatestConsent reads for one participant (the latest
 * `decided_at`, then the greatest id), for the whole cohort in one statement.
 */
export async function listLatestConsentsOfCohort(db: Kysely<Database>, cohortId: string): Promise<Map<string, 'agree' | 'decline'>> {
  const rows = await db
    .selectFrom('consent')
    .innerJoin('participant', 'participant.id', 'consent.participant_id')
    .select(['consent.participant_id', 'consent.decision'])
    .where('participant.cohort_id', '=', cohortId)
    .orderBy('consent.participant_id')
    .orderBy('consent.decided_at')
    .orderBy('consent.id')
    .execute()
  // In order, so each participant's last row is their latest decision.
  return new Map(rows.map((r) => [r.participant_id, r.decision]))
}

/** A wave with its cohort's study, for a job that starts from the wave's id. */
export async function findWavePlace(db: Kysely<Database>, waveId: string): Promise<{ id: string; cohortId: string; studyId: string; kind: WaveKind; opensAt: string; closesAt: string } | undefined> {
  const row = await db
    .selectFrom('wave')
    .innerJoin('cohort', 'cohort.id', 'wave.cohort_id')
    .select(['wave.id', 'wave.cohort_id', 'cohort.study_id', 'wave.kind', 'wave.opens_at', 'wave.closes_at'])
    .where('wave.id', '=', waveId)
    .executeTakeFirst()
  return row && { id: row.id, cohortId: row.cohort_id, studyId: row.study_id, kind: row.kind, opensAt: row.opens_at, closesAt: row.closes_at }
}
