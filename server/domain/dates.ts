/**
 * Wave dates. A date given as `YYYY-MM-DD` means that whole day in the study's time zone (an IANA name
 * such as "Asia/Tehran"): a wave opens at the start of its opening day and closes at the end of its
 * closing day there, so a participant in Tehran finds it open until midnight in Tehran, not in UTC.
 * Full ISO date-times (with a zone or offset) are taken as given. Stored times stay UTC instants.
 *
 * The zone rules come from the runtime's own time-zone database (ICU, through `Intl`), the same one
 * the browser uses to show the dates; no second database to keep up to date.
 */
import { peopleLocales } from '../contracts/locales'

/** The time zone of the machine the server runs on, used for new studies when none is given. */
export function serverTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** Whether `name` is an IANA time zone the runtime knows ("Asia/Tehran", "UTC"). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
    return true
  } catch {
    return false
  }
}

/**
 * The start of day `input` (YYYY-MM-DD) in `timeZone`.
 *
 * @throws {RangeError} not a calendar day, a day before 1900, or an unknown zone
 * @example
 * startOfDay('2026-03-01', 'Asia/Tehran').toISOString() // "2026-02-28T20:30:00.000Z"
 */
export function startOfDay(input: string, timeZone = 'UTC'): Date {
  return parseDate(input, false, timeZone)
}

/**
 * The end of day `input` in `timeZone`: the first instant of the next day there (exclusive).
 *
 * @throws {RangeError} not a calendar day, a day before 1900, an end after the year 9999, or an unknown zone
 * @example
 * endOfDay('2026-03-01', 'Asia/Tehran').toISOString() // "2026-03-01T20:30:00.000Z"
 */
export function endOfDay(input: string, timeZone = 'UTC'): Date {
  return parseDate(input, true, timeZone)
}

function parseDate(input: string, end: boolean, timeZone: string): Date {
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(input)
  const date = new Date(dayOnly ? `${input}T00:00:00.000Z` : input)
  if (Number.isNaN(date.getTime()) || (dayOnly && date.toISOString().slice(0, 10) !== input)) {
    throw new RangeError(`"${input}" is not a date (use YYYY-MM-DD or an ISO date-time)`)
  }
  if (!dayOnly) return date
  // Date.UTC reads the years 0–99 as 1900–1999: a day before 1900 would be stored as another.
  if (date.getUTCFullYear() < 1900) throw new RangeError(`"${input}" is before 1900`)
  if (!isTimeZone(timeZone)) throw new RangeError(`"${timeZone}" is not an IANA time zone`)
  const day = end ? new Date(date.getTime() + 24 * 3600 * 1000) : date
  // The end of 9999-12-31 is in the year 10000, which an ISO date-time writes "+010000-…": stored, it would sort before every other.
  if (day.getUTCFullYear() > 9999) throw new RangeError(`"${input}": its end is after the year 9999`)
  return zonedMidnight(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), timeZone)
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

/**
 * The first instant of a calendar day in `timeZone`. Where a clock change skips midnight (Tehran's
 * daylight saving time began at 24:00 until 2022), the day starts at the first minute that exists.
 */
function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month, day)
  let instant = wall - offsetAt(wall, timeZone)
  const corrected = wall - offsetAt(instant, timeZone)
  if (corrected !== instant) {
    // The offset changed between the guess and midnight: take the corrected one if it still falls on
    // this day there, otherwise midnight did not exist and the day begins at the change.
    instant = dayInZone(new Date(corrected), timeZone) === isoOf(year, month, day) ? corrected : Math.max(instant, corrected)
  }
  return new Date(instant)
}

function isoOf(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10)
}

/**
 * The calendar day (YYYY-MM-DD) that `instant` falls on in `timeZone`.
 *
 * @example
 * dayInZone(new Date('2026-02-28T21:00:00Z'), 'Asia/Tehran') // "2026-03-01"
 */
export function dayInZone(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>
  return `${parts.year}-${parts.month}-${parts.day}`
}

/** The last day a wave is open, in `timeZone`: it closes at the start of the next day there. */
export function lastDayInZone(closesAt: string, timeZone: string): string {
  return dayInZone(new Date(new Date(closesAt).getTime() - 1), timeZone)
}

/**
 * An instant as the wall-clock time it is in `timeZone`, to the minute, as a datetime-local input
 * holds it ("YYYY-MM-DDTHH:mm"). The staff app shows and takes interview times this way, in the
 * study's zone rather than the browser's.
 *
 * @example
 * wallTimeInZone(new Date('2026-03-02T06:30:00Z'), 'Asia/Tehran') // "2026-03-02T10:00"
 */
export function wallTimeInZone(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`
}

/**
 * The instant a wall-clock time ("YYYY-MM-DDTHH:mm", a datetime-local value) stands for in
 * `timeZone`. A time that a clock change skips (spring forward) is read with the offset before the
 * change, so it lands that much later (02:30 on a night that jumps from 02:00 to 03:00 is 03:30); a
 * time that occurs twice (fall back) is its first occurrence.
 *
 * @throws {RangeError} a value that is not YYYY-MM-DDTHH:mm, or an unknown zone
 * @example
 * instantOfWallTime('2026-03-02T10:00', 'Asia/Tehran').toISOString() // "2026-03-02T06:30:00.000Z"
 */
export function instantOfWallTime(value: string, timeZone: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value)
  if (!match) throw new RangeError(`"${value}" is not a date and time (YYYY-MM-DDTHH:mm)`)
  if (!isTimeZone(timeZone)) throw new RangeError(`"${timeZone}" is not an IANA time zone`)
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number]
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  // Two rounds: the offset at the first guess may differ from the offset at the answer near a change.
  const before = wall - offsetAt(wall - 24 * 3600 * 1000, timeZone)
  const guess = wall - offsetAt(wall, timeZone)
  const candidates = [before, guess].filter((instant) => wall - offsetAt(instant, timeZone) === instant)
  return new Date(candidates.length > 0 ? Math.min(...candidates) : before)
}

export type WaveState = 'upcoming' | 'open' | 'closed'

/** A wave is open from `opensAt` (inclusive) to `closesAt` (exclusive). */
export function waveState(wave: { opensAt: string; closesAt: string }, now: Date): WaveState {
  if (now < new Date(wave.opensAt)) return 'upcoming'
  if (now >= new Date(wave.closesAt)) return 'closed'
  return 'open'
}

/** How long before its end an open wave tells participants that it is about to close. */
export const closingSoonMs = 24 * 3600 * 1000

/** An open wave in its last 24 hours. */
export function closesSoon(wave: { opensAt: string; closesAt: string }, now: Date): boolean {
  return waveState(wave, now) === 'open' && new Date(wave.closesAt).getTime() - now.getTime() <= closingSoonMs
}

/**
 * The last day a wave is open, in `timeZone`, as an email to a participant writes it: ISO in English
 * ("2026-03-14", read the same way in every country), the Solar Hijri date in Persian digits in
 * Persian ("۲۳ اسفند ۱۴۰۴"), as the participant's own page writes it (client/lib/i18n.ts).
 *
 * @example
 * lastDayForPeople('2026-03-14T20:30:00.000Z', 'Asia/Tehran', 'fa') // "۲۳ اسفند ۱۴۰۴"
 */
export function lastDayForPeople(closesAt: string, timeZone: string, language: keyof typeof peopleLocales): string {
  if (language === 'en') return lastDayInZone(closesAt, timeZone)
  return new Intl.DateTimeFormat(peopleLocales[language], { dateStyle: 'long', timeZone }).format(new Date(new Date(closesAt).getTime() - 1))
}

/**
 * An instant, to the minute, in `timeZone`, for the Persian half of an email: the Solar Hijri date
 * and the time in Persian digits ("۲۳ اسفند ۱۴۰۴ ساعت ۱۵:۳۰").
 */
export function persianMoment(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat(peopleLocales.fa, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(new Date(instant))
}
