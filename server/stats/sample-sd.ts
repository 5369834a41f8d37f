import { sampleStandardDeviation } from 'simple-statistics'
import { isConstant } from './is-constant'

/**
 * The sample standard deviation (denominator n − 1), exactly 0 for a sample whose values are all
 * equal, as R's `sd` gives.
 *
 * simple-statistics' `sampleStandardDeviation` (used for every other sample) leaves a rounding
 * residue there: for 11 copies of 35/6 (a GAD-7 total prorated from 6 answered items) it gives
 * 9.3e-16, because the mean it subtracts is off in the last bit; R's two-pass mean makes it 0.
 * A threshold computed from that residue (the reliable-change SD) called every change reliable.
 *
 * @param values - at least 2 finite numbers
 * @throws {Error} from simple-statistics for fewer than 2 values
 * @example
 * // R: sd(rep(35/6, 11))   # 0
 * sampleSd(Array(11).fill(35 / 6)) // => 0
 */
export function sampleSd(values: readonly number[]): number {
  return isConstant(values) ? 0 : sampleStandardDeviation(values as number[])
}
