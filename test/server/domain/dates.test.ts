import { describe, expect, it } from 'vitest'
import { closesSoon, dayInZone, endOfDay, instantOfWallTime, isTimeZone, lastDayInZone, startOfDay, wallTimeInZone, waveState } from '../../../server/domain/dates'

/** A wave announced as "1 to 7 March 2026" in the given zone. */
function wave(timeZone: string) {
  return { opensAt: startOfDay('2026-03-01', timeZone).toISOString(), closesAt: endOfDay('2026-03-07', timeZone).toISOString() }
}

describe('wave days in the study’s time zone', () => {
  it('opens at midnight in Tehran (UTC+03:30) and closes at the end of its last day there', () => {
    const w = wave('Asia/Tehran')
    expect(w.opensAt).toBe('2026-02-28T20:30:00.000Z')
    expect(w.closesAt).toBe('2026-03-07T20:30:00.000Z')
  })

  it('keeps the last minute of the closing day in Tehran open, and closes the first minute after', () => {
    const w = wave('Asia/Tehran')
    // 23:59 on 7 March in Tehran is 20:29 UTC: a participant there still finds the wave open.
    expect(waveState(w, new Date('2026-03-07T20:29:00Z'))).toBe('open')
    expect(waveState(w, new Date('2026-03-07T20:29:59.999Z'))).toBe('open')
    // 00:00 on 8 March in Tehran.
    expect(waveState(w, new Date('2026-03-07T20:30:00Z'))).toBe('closed')
    expect(waveState(w, new Date('2026-03-07T20:31:00Z'))).toBe('closed')
  })

  it('is not open in the last minutes of the day before its first day in Tehran', () => {
    const w = wave('Asia/Tehran')
    expect(waveState(w, new Date('2026-02-28T20:29:00Z'))).toBe('upcoming')
    expect(waveState(w, new Date('2026-02-28T20:30:00Z'))).toBe('open')
  })

  it('keeps a Los Angeles wave open until midnight there, hours after the UTC day ended', () => {
    const w = wave('America/Los_Angeles')
    // 8 March 2026 is the day daylight saving time begins in Los Angeles (at 02:00): the 7th still ends at 00:00 PST.
    expect(w.closesAt).toBe('2026-03-08T08:00:00.000Z')
    expect(waveState(w, new Date('2026-03-08T07:59:00Z'))).toBe('open')
    expect(waveState(w, new Date('2026-03-08T08:00:00Z'))).toBe('closed')
  })

  it('gives a day of 23 hours across a clock change', () => {
    const start = startOfDay('2026-03-08', 'America/Los_Angeles')
    const end = endOfDay('2026-03-08', 'America/Los_Angeles')
    expect(end.getTime() - start.getTime()).toBe(23 * 3600 * 1000)
  })

  it('starts a day whose midnight was skipped at the first minute that existed (Tehran, daylight saving until 2022)', () => {
    // On 22 March 2021 Tehran's clocks went from 24:00 straight to 01:00 (+03:30 to +04:30).
    expect(startOfDay('2021-03-22', 'Asia/Tehran').toISOString()).toBe('2021-03-21T20:30:00.000Z')
    expect(dayInZone(startOfDay('2021-03-22', 'Asia/Tehran'), 'Asia/Tehran')).toBe('2021-03-22')
  })

  it('keeps whole UTC days for studies in UTC, as before', () => {
    expect(wave('UTC')).toEqual({ opensAt: '2026-03-01T00:00:00.000Z', closesAt: '2026-03-08T00:00:00.000Z' })
    expect(startOfDay('2026-03-01').toISOString()).toBe('2026-03-01T00:00:00.000Z')
  })

  it('takes full date-times as given', () => {
    expect(startOfDay('2026-03-01T10:00:00+03:30', 'America/Los_Angeles').toISOString()).toBe('2026-03-01T06:30:00.000Z')
  })

  it('rejects impossible dates and unknown zones', () => {
    expect(() => startOfDay('2026-02-30', 'Asia/Tehran')).toThrow(RangeError)
    expect(() => endOfDay('2026-03-01', 'Mars/Olympus_Mons')).toThrow(/not an IANA time zone/)
    expect(isTimeZone('Asia/Tehran')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    expect(isTimeZone('Asia/Nowhere')).toBe(false)
    expect(isTimeZone("'; drop table study")).toBe(false)
  })

  it('rejects days before 1900 and an end after 9999, which would be stored as other days', () => {
    // Date.UTC reads the years 0–99 as 1900–1999; the end of 9999-12-31 is written "+010000-01-01T…".
    expect(() => startOfDay('0000-01-01', 'UTC')).toThrow(/before 1900/)
    expect(() => startOfDay('1899-12-31', 'Asia/Tehran')).toThrow(/before 1900/)
    expect(() => endOfDay('9999-12-31', 'UTC')).toThrow(/after the year 9999/)
    expect(startOfDay('1900-01-01', 'UTC').toISOString()).toBe('1900-01-01T00:00:00.000Z')
    expect(endOfDay('9999-12-30', 'UTC').toISOString()).toBe('9999-12-31T00:00:00.000Z')
  })

  it('names the last day of a wave in its own zone', () => {
    expect(lastDayInZone(wave('Asia/Tehran').closesAt, 'Asia/Tehran')).toBe('2026-03-07')
    expect(dayInZone(new Date('2026-02-28T21:00:00Z'), 'Asia/Tehran')).toBe('2026-03-01')
  })
})

describe('closesSoon', () => {
  const w = wave('Asia/Tehran')
  it('is true in the last 24 hours of an open wave only', () => {
    expect(closesSoon(w, new Date('2026-03-06T20:29:00Z'))).toBe(false)
    expect(closesSoon(w, new Date('2026-03-06T20:30:00Z'))).toBe(true)
    expect(closesSoon(w, new Date('2026-03-07T20:29:00Z'))).toBe(true)
    expect(closesSoon(w, new Date('2026-03-07T20:30:00Z'))).toBe(false)
  })
})

describe('interview times typed in the study’s time zone (wallTimeInZone, instantOfWallTime)', () => {
  it('reads and writes a wall-clock time in Tehran, whatever zone this machine is in', () => {
    expect(instantOfWallTime('2026-03-02T10:00', 'Asia/Tehran').toISOString()).toBe('2026-03-02T06:30:00.000Z')
    expect(wallTimeInZone(new Date('2026-03-02T06:30:00Z'), 'Asia/Tehran')).toBe('2026-03-02T10:00')
    // Midnight in Tehran is still the day before in UTC.
    expect(instantOfWallTime('2026-03-02T00:15', 'Asia/Tehran').toISOString()).toBe('2026-03-01T20:45:00.000Z')
    expect(wallTimeInZone(new Date('2026-03-01T20:45:00Z'), 'Asia/Tehran')).toBe('2026-03-02T00:15')
  })

  it('puts a time a clock change skips after the change, and a time it repeats at its first occurrence', () => {
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST. 02:30 does not exist; read as 03:30.
    const skipped = instantOfWallTime('2026-03-29T02:30', 'Europe/Berlin')
    expect(skipped.toISOString()).toBe('2026-03-29T01:30:00.000Z')
    expect(wallTimeInZone(skipped, 'Europe/Berlin')).toBe('2026-03-29T03:30')
    // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice; the first is 00:30 UTC.
    expect(instantOfWallTime('2026-10-25T02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z')
    expect(instantOfWallTime('2026-11-01T01:30', 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z')
    // Every minute of an ordinary day round-trips.
    for (let minute = 0; minute < 24 * 60; minute += 7) {
      const value = `2026-07-01T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`
      expect(wallTimeInZone(instantOfWallTime(value, 'Asia/Tehran'), 'Asia/Tehran')).toBe(value)
    }
  })

  it('refuses what is not a datetime-local value or a zone', () => {
    expect(() => instantOfWallTime('2026-03-02 10:00', 'Asia/Tehran')).toThrow(RangeError)
    expect(() => instantOfWallTime('2026-03-02T10:00', 'Mars/Olympus')).toThrow(RangeError)
  })
})
