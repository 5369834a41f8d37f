/** Safety settings of a study, its open and acknowledged safety flags (migration 0090). */
import type { Kysely } from 'kysely'
import type { Database } from '../schema'

export type SafetySettings = {
  supportText: { en: string | null; fa: string | null }
  contact: string | null
  notifyEmails: string[]
  renotifyAfterHours: number
}

export const defaultSafetySettings: SafetySettings = { supportText: { en: null, fa: null }, contact: null, notifyEmails: [], renotifyAfterHours: 24 }

export async function findSafetySettings(db: Kysely<Database>, studyId: string): Promise<SafetySettings> {
  const row = await db.selectFrom('study_safety').selectAll().where('study_id', '=', studyId).executeTakeFirst()
  if (!row) return defaultSafetySettings
  return { supportText: { en: row.support_text_en, fa: row.support_text_fa }, contact: row.contact, notifyEmails: JSON.parse(row.notify_emails) as string[], renotifyAfterHours: row.renotify_after_hours }
}

export async function upsertSafetySettings(db: Kysely<Database>, studyId: string, settings: SafetySettings, actor: string, now: Date): Promise<void> {
  const values = {
    support_text_en: settings.supportText.en,
    support_text_fa: settings.supportText.fa,
    contact: settings.contact,
    notify_emails: JSON.stringify(settings.notifyEmails),
    renotify_after_hours: settings.renotifyAfterHours,
    updated_at: now.toISOString(),
    updated_by: actor,
  }
  await db
    .insertInto('study_safety')
    .values({ study_id: studyId, ...values })
    .onConflict((oc) => oc.column('study_id').doUpdateSet(values))
    .execute()
}

/** One safety flag of a study with whom and what it is about; `acknowledgement` null while open. */
export type StudyFlag = {
  responseId: string
  flagId: string
  participantId: string
  code: string
  cohortId: string
  cohortName: string
  instrument: string
  waveId: string | null
  item: string
  value: number
  raisedAt: string
  acknowledgement: null | { action: string; by: string; at: string }
}

/** The study's safety flags, oldest first (participants who withdrew and deleted their data have none left). */
export async function listSafetyFlagsOfStudy(db: Kysely<Database>, studyId: string, filter: { responseId?: string; flagId?: string; participantId?: string } = {}): Promise<StudyFlag[]> {
  let q = db
    .selectFrom('response_flag')
    .innerJoin('response', 'response.id', 'response_flag.response_id')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .leftJoin('safety_acknowledgement as ack', (join) => join.onRef('ack.response_id', '=', 'response_flag.response_id').onRef('ack.flag_id', '=', 'response_flag.flag_id'))
    .select([
      'response_flag.response_id',
      'response_flag.flag_id',
      'response_flag.item',
      'response_flag.value',
      'response_flag.raised_at',
      'response.instrument_id',
      'response.wave_id',
      'participant.id as participant_id',
      'participant.code',
      'cohort.id as cohort_id',
      'cohort.name as cohort_name',
      'ack.action',
      'ack.acknowledged_by',
      'ack.acknowledged_at',
    ])
    .where('cohort.study_id', '=', studyId)
    .where('response_flag.severity', '=', 'safety')
  if (filter.responseId) q = q.where('response_flag.response_id', '=', filter.responseId)
  if (filter.flagId) q = q.where('response_flag.flag_id', '=', filter.flagId)
  if (filter.participantId) q = q.where('participant.id', '=', filter.participantId)
  const rows = await q.orderBy('response_flag.raised_at').orderBy('participant.code').execute()
  return rows.map((r) => ({
    responseId: r.response_id,
    flagId: r.flag_id,
    participantId: r.participant_id,
    code: r.code,
    cohortId: r.cohort_id,
    cohortName: r.cohort_name,
    instrument: r.instrument_id,
    waveId: r.wave_id,
    item: r.item,
    value: r.value,
    raisedAt: r.raised_at,
    acknowledgement: r.acknowledged_at ? { action: r.action!, by: r.acknowledged_by!, at: r.acknowledged_at } : null,
  }))
}

/** Where a response belongs: its participant and study (for routes that start from a flag). */
export async function findResponsePlace(db: Kysely<Database>, responseId: string): Promise<{ participantId: string; studyId: string } | undefined> {
  const row = await db
    .selectFrom('response')
    .innerJoin('participant', 'participant.id', 'response.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .select(['participant.id as participant_id', 'cohort.study_id'])
    .where('response.id', '=', responseId)
    .executeTakeFirst()
  return row && { participantId: row.participant_id, studyId: row.study_id }
}

/** Record an acknowledgement once: false when the flag was already acknowledged (by anyone). */
export async function insertAcknowledgement(db: Kysely<Database>, ack: { responseId: string; flagId: string; action: string; by: string }, now: Date): Promise<boolean> {
  const result = await db
    .insertInto('safety_acknowledgement')
    .values({ response_id: ack.responseId, flag_id: ack.flagId, action: ack.action, acknowledged_by: ack.by, acknowledged_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['response_id', 'flag_id']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

/** Acknowledgements of a participant's flags, deleted with their responses on withdrawal with deletion. */
export async function deleteAcknowledgementsOfParticipant(db: Kysely<Database>, participantId: string): Promise<void> {
  const responses = db.selectFrom('response').select('id').where('participant_id', '=', participantId)
  await db.deleteFrom('safety_acknowledgement').where('response_id', 'in', responses).execute()
}
