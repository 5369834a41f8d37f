/**
 * Statistics for within-person change: pure functions, one per file, each checked against R
 * (see test/server/stats/). Bad input always throws a RangeError with a message saying what is wrong.
 */
export { pairedTTest, type PairedTTest } from './paired-t-test'
export { wilcoxonSignedRank, type WilcoxonSignedRank } from './wilcoxon-signed-rank'
export { cohensDz, cohensDzConfidenceInterval } from './cohens-dz'
export { cohensDav } from './cohens-dav'
export { hedgesGav } from './hedges-gav'
export { quartiles } from './quartiles'
export {
  reliableChangeIndex,
  jacobsonTruaxCutoff,
  classifyChange,
  type ChangeClass,
  type ScaleDirection,
  type PopulationNorms,
} from './reliable-change'
export { cronbachAlpha, cronbachAlphaOfColumns, type CronbachAlpha } from './cronbach-alpha'
export { pAdjust } from './p-adjust'
export { noncentralTCdf, noncentralTMethod, type NoncentralTMethod } from './noncentral-t-cdf'
export { bisectRoot } from './root-find'
export { pairedDifferences } from './paired-differences'
export { assertFiniteNumbers } from './assert-finite-numbers'
export { isConstant } from './is-constant'
export { sampleSd } from './sample-sd'
export { randomInterceptReml, type RandomInterceptFit, type RandomInterceptFixedEffect } from './random-intercept-reml'
