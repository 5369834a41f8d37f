/** The folder's public surface: everything other code imports from server/stats. */
import { describe, it, expect } from 'vitest'
import * as stats from '../../../server/stats'

describe('server/stats index', () => {
  it('re-exports every statistic', () => {
    for (const name of [
      'pairedTTest',
      'wilcoxonSignedRank',
      'cohensDz',
      'cohensDav',
      'hedgesGav',
      'quartiles',
      'reliableChangeIndex',
      'jacobsonTruaxCutoff',
      'classifyChange',
      'cronbachAlpha',
      'pAdjust',
      'noncentralTCdf',
      'bisectRoot',
      'pairedDifferences',
      'assertFiniteNumbers',
      'isConstant',
    ]) {
      expect(typeof (stats as Record<string, unknown>)[name], name).toBe('function')
    }
  })
})
