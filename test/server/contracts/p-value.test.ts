import { describe, expect, it } from 'vitest'
import { formatPValue } from '../../../server/contracts/p-value'

describe('formatPValue', () => {
  it('prints three significant digits below 0.1', () => {
    expect(formatPValue(0.0499)).toBe('0.0499')
    expect(formatPValue(0.0179176372568833)).toBe('0.0179')
    expect(formatPValue(0.012)).toBe('0.0120')
    expect(formatPValue(0.00314159)).toBe('0.00314')
    expect(formatPValue(0.001)).toBe('0.00100')
    expect(formatPValue(0.0999)).toBe('0.0999')
  })

  it('never rounds across 0.05 or 0.01', () => {
    expect(formatPValue(0.04996)).toBe('0.04996')
    expect(formatPValue(0.049996)).toBe('0.049996')
    expect(formatPValue(0.009996)).toBe('0.009996')
    expect(formatPValue(0.05)).toBe('0.0500')
    expect(formatPValue(0.050004)).toBe('0.0500')
  })

  it('uses APA style otherwise', () => {
    expect(formatPValue(0.0009)).toBe('< 0.001')
    expect(formatPValue(0)).toBe('< 0.001')
    expect(formatPValue(0.2345)).toBe('0.23')
    expect(formatPValue(0.1)).toBe('0.10')
    expect(formatPValue(0.995)).toBe('> 0.99')
    expect(formatPValue(1)).toBe('> 0.99')
  })

  it('takes a localized number format, and rejects what is not a probability', () => {
    expect(formatPValue(0.0499, (v, d) => v.toFixed(d).replace('.', ','))).toBe('0,0499')
    expect(() => formatPValue(NaN)).toThrow(RangeError)
    expect(() => formatPValue(1.2)).toThrow(RangeError)
  })
})
