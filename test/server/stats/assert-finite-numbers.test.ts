import { describe, it, expect } from 'vitest'
import { assertFiniteNumbers } from '../../../server/stats/assert-finite-numbers'

describe('assertFiniteNumbers', () => {
  it('passes finite numbers, including an empty array', () => {
    expect(() => assertFiniteNumbers([1, -2.5, 0], 'values')).not.toThrow()
    expect(() => assertFiniteNumbers([], 'values')).not.toThrow()
  })

  it('names the first offending position', () => {
    expect(() => assertFiniteNumbers([1, NaN, Infinity], 'values')).toThrow(/values\[1\] is not a finite number \(NaN\)/)
    expect(() => assertFiniteNumbers([null], 'scores')).toThrow(/scores\[0\]/)
    expect(() => assertFiniteNumbers('1,2' as unknown as number[], 'values')).toThrow(RangeError)
  })
})
