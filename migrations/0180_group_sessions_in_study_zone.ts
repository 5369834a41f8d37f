import type { Kysely } from 'kysely'

/**
 * Group sessions become days in the study's time zone, as waves are: each starts at midnight there.
 * They were stored at midnight UTC when a first day was given (the evening before, local time, west
 * of UTC: a pre wave ending the day before the first session was flagged as "still open after the
 * first session", and the staff app showed each session a day early once it showed them in the
 * study's zone), and at the moment of creation when none was.
 *
 * A session at midnight UTC keeps its UTC day; any other keeps the day it falls on in the study's
 * zone. A session whose day is before 1900 or after 9999 (stored by a request for such a day, before
 * the server refused them) is left as it is: no such day can be a study's. Both engines: plain reads
 * and updates, the days worked out here.
 *
 * Frozen: never edit a migration that has shipped; add a new one. The day rules are written out here
 * as the server's `startOfDay` and `dayInZone` (server/domain/dates.ts) were when it shipped, not
 * imported: it once imported them, and when they came to refuse days before 1900, a database holding
 * such a session could no longer be upgraded.
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
    const [year, month, date] = day.split('-').map(Number) as [number, number, number]
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || year < 1900) continue
    const startsAt = zonedMidnight(year, month - 1, date, s.time_zone).toISOString()
    if (startsAt !== s.starts_at) await db.updateTable('group_session').set({ starts_at: startsAt }).where('id', '=', s.id).execute()
  }
}

export async function down(): Promise<void> {
  // Each session still falls on its day in the study's zone; nothing to undo.
}

/** Milliseconds that `timeZone`'s wall clock is ahead of UTC at `instant` (+03:30 in Tehran). */
function offsetAt(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
  return wall - Math.floor(instant / 1000) * 1000
}

/** The first instant of a calendar day (month from 0) in `timeZone`; where a clock change skips midnight, the first minute that exists. */
function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month, day)
  let instant = wall - offsetAt(wall, timeZone)
  const corrected = wall - offsetAt(instant, timeZone)
  if (corrected !== instant) {
    const iso = new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10)
    instant = dayInZone(new Date(corrected), timeZone) === iso ? corrected : Math.max(instant, corrected)
  }
  return new Date(instant)
}

/** The calendar day (YYYY-MM-DD) that `instant` falls on in `timeZone`. */
function dayInZone(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>
  return `${parts.year}-${parts.month}-${parts.day}`
}
