/**
 * Numbers and dates for people, in the current language: Persian digits and the Solar Hijri calendar in
 * Persian. Wave days are days in the study's time zone. Exports and the API keep ISO dates.
 */
import { formatPValue } from '../../server/contracts/p-value'
import { locale } from '../lib/i18n'

const formatters = new Map<string, Intl.NumberFormat>()

function formatter(minimumFractionDigits: number, maximumFractionDigits: number): Intl.NumberFormat {
  const key = `${locale()}|${minimumFractionDigits}|${maximumFractionDigits}`
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale(), { minimumFractionDigits, maximumFractionDigits })
    formatters.set(key, f)
  }
  return f
}

/** A statistic with a fixed number of decimals (2 by default): 12.50, -0.73; never "-0.00". */
export function fixed(value: number, digits = 2): string {
  return formatter(digits, digits).format(Number(value.toFixed(digits)) === 0 ? 0 : value)
}

/** A score as it is: whole numbers stay whole, others get up to 2 decimals. */
export function score(value: number): string {
  return formatter(0, 2).format(value)
}

/**
 * A figure as released to program leads, which the server has already rounded (disclosure.ts): every
 * decimal it has, up to 3 (a p-value below 0.01), in the current language's digits: 12.5, ۱۲٫۵.
 */
export function released(value: number): string {
  return formatter(0, 3).format(value)
}

const percentFormatters = new Map<string, Intl.NumberFormat>()

/** A percentage given as 0–100, with `digits` decimals (none by default), in the current language: "57%", "۵۷٪", "12.5%". */
export function percent(value: number, digits = 0): string {
  const key = `${locale()}|${digits}`
  let f = percentFormatters.get(key)
  if (!f) percentFormatters.set(key, (f = new Intl.NumberFormat(locale(), { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits })))
  return f.format(value / 100)
}

/** A p-value: three significant digits below 0.1, never rounded across 0.05 or 0.01; APA otherwise (see formatPValue). */
export function pValue(p: number): string {
  return formatPValue(p, (value, digits) => fixed(value, digits))
}

/** A change with its sign: +3, -2.5. */
export function signed(value: number): string {
  return `${value > 0 ? '+' : ''}${score(value)}`
}

/** Date and time, to the minute, in the viewer's time zone. */
export function dateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

/** Date and time, to the minute, in `timeZone`, with the zone named unless `named` is false: "Mar 2, 2026, 10:00 AM (Asia/Tehran)". */
export function dateTimeIn(iso: string, timeZone: string, named = true): string {
  const shown = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso))
  return named ? `${shown} (${timeZone})` : shown
}

/** A date without the time, short: "Nov 29, 2026", the day it is in `timeZone` (group sessions: UTC). */
export function shortDate(iso: string, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone }).format(new Date(iso))
}

/** The last day of a wave, short: it closes at the start of the next day in the study's zone. */
export function shortLastDay(closesAtIso: string, timeZone = 'UTC'): string {
  return shortDate(new Date(new Date(closesAtIso).getTime() - 1).toISOString(), timeZone)
}

/** The day an instant falls on in `timeZone`, as YYYY-MM-DD for date inputs (which are always ISO). */
export function isoDay(iso: string, timeZone = 'UTC'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day}`
}

/** The last day of a wave as YYYY-MM-DD: it closes at the start of the next day in the study's zone. */
export function lastDayOf(closesAtIso: string, timeZone = 'UTC'): string {
  return isoDay(new Date(new Date(closesAtIso).getTime() - 1).toISOString(), timeZone)
}

/** A statistic with its sign and fixed decimals: +1.50, -0.73. */
export function signedFixed(value: number, digits = 2): string {
  return `${Number(value.toFixed(digits)) > 0 ? '+' : ''}${fixed(value, digits)}`
}
