/**
 * bisectRoot against R 4.2.2's uniroot(f, interval, tol = 1e-12).
 */
import { describe, it, expect } from 'vitest'
import { bisectRoot } from '../../../server/stats/root-find'

describe('bisectRoot', () => {
  it('finds roots to the requested tolerance', () => {
    // R: uniroot(function(x) x^2 - 2, c(0, 2), tol = 1e-12)$root   # 1.4142135623731364
    expect(bisectRoot((x) => x * x - 2, 0, 2)).toBeCloseTo(1.4142135623731364, 10)
    // R: uniroot(function(x) cos(x) - x, c(0, 1), tol = 1e-12)$root   # 0.7390851332151559
    expect(bisectRoot((x) => Math.cos(x) - x, 0, 1, 1e-13)).toBeCloseTo(0.7390851332151559, 10)
  })

  it('accepts the bracket in either order and an end that is already a root', () => {
    expect(bisectRoot((x) => x - 1, 3, -1)).toBeCloseTo(1, 10)
    expect(bisectRoot((x) => x - 1, 1, 5)).toBe(1)
  })

  it('stops when double precision runs out, even with a tolerance of 0', () => {
    expect(bisectRoot((x) => x - 1e6 / 3, 0, 1e6, 0)).toBeCloseTo(1e6 / 3, 9)
  })

  it('rejects a bracket without a sign change and NaN values', () => {
    expect(() => bisectRoot((x) => x * x + 1, -1, 1)).toThrow(RangeError)
    expect(() => bisectRoot(() => NaN, -1, 1)).toThrow(RangeError)
  })
})
