/** Numbers and dates for people, in the current language. */
import { formatPValue } from '../../server/contracts/p-value'
import { language } from '../lib/i18n'

const formatters = new Map<string, Intl.NumberFormat>()

function formatter(minimumFractionDigits: number, maximumFractionDigits: number): Intl.NumberFormat {
  const key = `${language()}|${minimumFractionDigits}|${maximumFractionDigits}`
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.NumberFormat(language(), { minimumFractionDigits, maximumFractionDigits })
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
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

/** A date without the time, short: "Nov 29, 2026". Whole days are UTC days, as on the server. */
export function shortDate(iso: string): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso))
}

/** The last day of a wave, short: it closes at the start of the next day (UTC). */
export function shortLastDay(closesAtIso: string): string {
  return shortDate(new Date(new Date(closesAtIso).getTime() - 1).toISOString())
}

/** A day in UTC (waves and sessions are whole days in UTC) as YYYY-MM-DD, for date inputs. */
export function isoDay(iso: string): string {
  return iso.slice(0, 10)
}

/** The last day of a wave as YYYY-MM-DD: it closes at the start of the next day (UTC). */
export function lastDayOf(closesAtIso: string): string {
  return new Date(new Date(closesAtIso).getTime() - 1).toISOString().slice(0, 10)
}

/** A statistic with its sign and fixed decimals: +1.50, -0.73. */
export function signedFixed(value: number, digits = 2): string {
  return `${Number(value.toFixed(digits)) > 0 ? '+' : ''}${fixed(value, digits)}`
}
