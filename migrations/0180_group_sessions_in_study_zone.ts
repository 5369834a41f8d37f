import type { Kysely } from 'kysely'
import { dayInZone, startOfDay } from '../server/domain/dates'

/**
 * Group sessions become days in the study's time zone, as waves are: each starts at midnight there.
 * They were stored at midnight UTC when a first day was given (the evening before, local time, west
 * of UTC: a pre wave ending the day before the first session was flagged as "still open after the
 * first session", and the staff app showed each session a day early once it showed them in the
 * study's zone), and at the moment of creation when none was.
 *
 * A session at midnight UTC keeps its UTC day; any other keeps the day it falls on in the study's
 * zone. Both engines: plain reads and updates, the days worked out here. It uses the server's
 * `startOfDay` and `dayInZone` (pure functions of the day and the IANA zone).
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sessions: { id: string; starts_at: string; time_zone: string }[] = await db
    .selectFrom('group_session')
    .innerJoin('cohort', 'cohort.id', 'group_session.cohort_id')
    .innerJoin('study', 'study.id', 'cohort.study_id')
    .select(['group_session.id', 'group_session.starts_at', 'study.time_zone'])
    .execute()
  for (const s of sessions) {
    const day = s.starts_at.endsWith('T00:00:00.000Z') ? s.starts_at.slice(0, 10) : dayInZone(new Date(s.starts_at), s.time_zone)
    const startsAt = startOfDay(day, s.time_zone).toISOString()
    if (startsAt !== s.starts_at) await db.updateTable('group_session').set({ starts_at: startsAt }).where('id', '=', s.id).execute()
  }
}

export async function down(): Promise<void> {
  // Each session still falls on its day in the study's zone; nothing to undo.
}
