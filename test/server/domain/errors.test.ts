/**
 * A `rate_limited` refusal's words (server/domain/errors.ts: rateLimited). The `.qdpx` import said
 * "Try again in 1 seconds" for a one-second wait (found by a newcomer's walk-through).
 */
import { describe, expect, it } from 'vitest'
import { rateLimited } from '../../../server/domain/errors'

describe('rateLimited', () => {
  it('says the wait in seconds, one second in the singular, and in whole minutes rounded up from two minutes', () => {
    const said = (seconds: number) => rateLimited('Busy.', seconds).message
    expect(said(1)).toBe('Busy. Try again in 1 second.')
    expect(said(30)).toBe('Busy. Try again in 30 seconds.')
    expect(said(119)).toBe('Busy. Try again in 119 seconds.')
    expect(said(120)).toBe('Busy. Try again in 2 minutes.')
    expect(said(121)).toBe('Busy. Try again in 3 minutes.')
  })

  it('is a rate_limited error with the seconds in its details', () => {
    expect(rateLimited('Busy.', 30)).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 30 } })
  })
})
