/**
 * Wave dates. A date given as `YYYY-MM-DD` means that whole day in UTC: a wave opens at the start of
 * its opening day and closes at the end of its closing day. Full ISO date-times are taken as given.
 */
export function startOfDay(input: string): Date {
  return parseDate(input, false)
}

export function endOfDay(input: string): Date {
  return parseDate(input, true)
}

function parseDate(input: string, end: boolean): Date {
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(input)
  const date = new Date(dayOnly ? `${input}T00:00:00.000Z` : input)
  if (Number.isNaN(date.getTime()) || (dayOnly && date.toISOString().slice(0, 10) !== input)) {
    throw new RangeError(`"${input}" is not a date (use YYYY-MM-DD or an ISO date-time)`)
  }
  if (dayOnly && end) return new Date(date.getTime() + 24 * 3600 * 1000)
  return date
}

export type WaveState = 'upcoming' | 'open' | 'closed'

/** A wave is open from `opensAt` (inclusive) to `closesAt` (exclusive). */
export function waveState(wave: { opensAt: string; closesAt: string }, now: Date): WaveState {
  if (now < new Date(wave.opensAt)) return 'upcoming'
  if (now >= new Date(wave.closesAt)) return 'closed'
  return 'open'
}
