import fQuantile from '@stdlib/stats-base-dists-f-quantile'
import { assertFiniteNumbers } from './assert-finite-numbers'
import { isConstant } from './is-constant'

export type CronbachAlpha = {
  alpha: number
  /** Feldt (1965) 95% confidence interval */
  ci95: [number, number]
  /** number of persons (rows) */
  n: number
  /** number of items (columns) */
  k: number
  /** one entry per item, in column order */
  items: {
    /**
     * cor(item, total − item), psych's `r.drop`. NaN when the item, or the sum of the other items,
     * has no variance (everyone gave the same answer): the correlation is then undefined and R's
     * `cor` gives NA. NaN rather than a throw, because one constant item in a small group is
     * ordinary data and must not make α itself unavailable; rather than null, to keep the
     * `number` type that callers were written against (JSON.stringify writes NaN as null).
     */
    correctedItemTotal: number
    /**
     * α of the remaining k − 1 items, psych's `alpha.drop$raw_alpha`. null when it is undefined:
     * with k = 2 one item remains, and α of one item is not defined (R's psych gives NA or
     * nonsense); also when the remaining items' total has no variance.
     */
    alphaIfDeleted: number | null
  }[]
}

/**
 * Cronbach's α (coefficient alpha, raw) for a persons × items matrix, with the Feldt 95% confidence
 * interval, corrected item–total correlations and α if item deleted.
 *
 * In words: α = k/(k − 1) · (1 − Σ item variances / variance of the total score), with k items and
 * sample variances (denominator n − 1; the choice cancels). Feldt's interval takes
 * (1 − α)/(1 − α̂) ~ F(n − 1, (n − 1)(k − 1)), giving
 * [1 − (1 − α̂)·F_{0.975}, 1 − (1 − α̂)·F_{0.025}] with those degrees of freedom. The corrected
 * item–total correlation is the Pearson correlation of an item with the sum of the other items;
 * α if deleted is α recomputed without the item.
 *
 * Missing answers: only complete cases are accepted (listwise deletion is the caller's job and
 * must be reported). psych::alpha uses pairwise-complete covariances by default, so with missing
 * data its numbers differ from these.
 *
 * References: Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
 * Psychometrika 16, 297–334. Feldt, L. S. (1965). The approximate sampling distribution of
 * Kuder–Richardson reliability coefficient twenty. Psychometrika 30, 357–370. Feldt, L. S.,
 * Woodruff, D. J. & Salih, F. A. (1987). Applied Psychological Measurement 11, 93–103.
 *
 * @param rows - one array per person, each with the same k ≥ 2 item scores; n ≥ 2 persons
 * @throws {RangeError} ragged rows, non-finite values, k < 2, n < 2, or a total score without
 *   variance
 * @example
 * // R: m <- rbind(c(1,2,2), c(2,3,3), c(3,3,4), c(4,5,4), c(2,2,3)); k <- 3
 * //    k/(k-1) * (1 - sum(apply(m, 2, var)) / var(rowSums(m)))   # 0.9354839
 * cronbachAlpha([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [2, 2, 3]]).alpha // => 0.93548...
 */
export function cronbachAlpha(rows: number[][]): CronbachAlpha {
  if (!Array.isArray(rows)) throw new RangeError('rows must be an array of rows (one per person).')
  const n = rows.length
  if (n < 2) throw new RangeError(`Cronbach's alpha needs at least 2 persons (got ${n}).`)
  rows.forEach((row, i) => assertFiniteNumbers(row, `rows[${i}]`))
  const k = rows[0]?.length ?? 0
  rows.forEach((row, i) => {
    if (row.length !== k) throw new RangeError(`Every row must have the same number of items: rows[0] has ${k}, rows[${i}] has ${row.length}.`)
  })
  if (k < 2) throw new RangeError(`Cronbach's alpha needs at least 2 items (got ${k}).`)

  const columns = Array.from({ length: k }, (_, item) => rows.map((row) => row[item] as number))
  const totals = rows.map((row) => row.reduce((sum, score) => sum + score, 0))
  return alphaOfColumns(columns, totals)
}

/**
 * `cronbachAlpha` of the persons × items matrix given by its item columns (`columns[j][i]` is person
 * i's score on item j), without building a row per person (issue 16: the cohort report's α runs over
 * every response of a wave). The same numbers: the totals are summed in item order from 0, as
 * `cronbachAlpha` sums each row. Input it would reject (fewer than 2 persons or items, columns of
 * unequal length, a value that is not a finite number) goes to `cronbachAlpha` as rows, which throws
 * its own RangeError.
 */
export function cronbachAlphaOfColumns(columns: readonly Column[]): CronbachAlpha {
  const k = columns.length
  const n = columns[0]?.length ?? 0
  const valid = k >= 2 && n >= 2 && columns.every((column) => column.length === n && allFinite(column))
  if (!valid) return cronbachAlpha(Array.from({ length: n }, (_, person) => columns.map((column) => column[person] as number)))
  // Typed arrays (the totals, and each item's rest below) are kept off the garbage-collected heap.
  const totals = new Float64Array(n)
  for (const column of columns) for (let person = 0; person < n; person++) totals[person]! += column[person]!
  return alphaOfColumns(columns, totals)
}

/** Whether every value is a finite number (a loop: this runs over every score of a wave). */
function allFinite(column: Column): boolean {
  for (let i = 0; i < column.length; i++) {
    const v = column[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) return false
  }
  return true
}

/** An item's scores, one per person: an array, or a Float64Array (the cohort report's). */
export type Column = readonly number[] | Float64Array

/** α, its interval and the item statistics from validated item columns and their row totals. */
function alphaOfColumns(columns: readonly Column[], totals: Column): CronbachAlpha {
  const k = columns.length
  const n = totals.length
  // Float64Arrays throughout, so that the loops below see one kind of array (issue 16: the cohort
  // report runs them over every response of a wave, fourteen times; given arrays and typed arrays
  // in turn, simple-statistics' loops ran several times slower). The same doubles.
  const items = columns.map((column) => (column instanceof Float64Array ? column : Float64Array.from(column)))
  const total = totals instanceof Float64Array ? totals : Float64Array.from(totals)
  // Each column's mean and sample variance is computed once and reused (the α of every k − 1 items
  // and each correlation's SDs).
  const means = items.map(meanOf)
  const variances = items.map((column, j) => varianceAbout(column, means[j]!))
  const sumOfItemVariances = (without: number) => {
    let sum = 0
    for (let j = 0; j < k; j++) if (j !== without) sum += variances[j]!
    return sum
  }
  const alpha = alphaFrom(k, sumOfItemVariances(-1), total)
  if (alpha === null) throw new RangeError("The total score has no variance across persons, so Cronbach's alpha is undefined.")

  const dfPersons = n - 1
  const dfError = (n - 1) * (k - 1)
  const ci95: [number, number] = [1 - (1 - alpha) * fQuantileOnce(0.975, dfPersons, dfError), 1 - (1 - alpha) * fQuantileOnce(0.025, dfPersons, dfError)]

  const rest = new Float64Array(n)
  const itemStatistics = items.map((column, item) => {
    for (let person = 0; person < n; person++) rest[person] = total[person]! - column[person]!
    const restConstant = isConstant(rest)
    const restMean = meanOf(rest)
    return {
      // simple-statistics' sampleCorrelation: covariance / SD(x) / SD(y).
      correctedItemTotal: isConstant(column) || restConstant ? Number.NaN : covarianceAbout(column, means[item]!, rest, restMean) / Math.sqrt(variances[item]!) / Math.sqrt(varianceAbout(rest, restMean)),
      alphaIfDeleted: k === 2 || restConstant ? null : alphaFrom(k - 1, sumOfItemVariances(item), rest, restMean),
    }
  })
  return { alpha, ci95, n, k, items: itemStatistics }
}

/** α of k items from the sum of their variances and their row totals; null when the totals have no variance. */
function alphaFrom(k: number, sumOfItemVariances: number, totals: Float64Array, totalsMean = meanOf(totals)): number | null {
  if (isConstant(totals)) return null
  return (k / (k - 1)) * (1 - sumOfItemVariances / varianceAbout(totals, totalsMean))
}

// simple-statistics' sum, mean, sampleVariance and sampleCovariance, step for step (the same doubles:
// the tests compare them), over Float64Arrays only.

/** simple-statistics' `mean`: its compensated `sum` (Kahan–Babuška) over n. */
function meanOf(x: Float64Array): number {
  let sum = x[0]!
  let correction = 0
  for (let i = 1; i < x.length; i++) {
    const v = x[i]!
    const transition = sum + v
    correction += Math.abs(sum) >= Math.abs(v) ? sum - transition + v : v - transition + sum
    sum = transition
  }
  return (sum + correction) / x.length
}

/** simple-statistics' `sampleVariance` (sum of squared deviations over n − 1), given the mean. */
function varianceAbout(x: Float64Array, mean: number): number {
  let sum = 0
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - mean
    sum += d * d
  }
  return sum / (x.length - 1)
}

/** simple-statistics' `sampleCovariance`, given the two means. */
function covarianceAbout(x: Float64Array, xMean: number, y: Float64Array, yMean: number): number {
  let sum = 0
  for (let i = 0; i < x.length; i++) sum += (x[i]! - xMean) * (y[i]! - yMean)
  return sum / (x.length - 1)
}

/**
 * `fQuantile`, remembered: Feldt's interval needs the same two quantiles for every scale with the
 * same number of items and persons (issue 16: each costs about a millisecond at 10,000 persons).
 */
function fQuantileOnce(p: number, df1: number, df2: number): number {
  const key = `${p} ${df1} ${df2}`
  let q = fQuantiles.get(key)
  if (q === undefined) {
    if (fQuantiles.size >= 256) fQuantiles.clear()
    fQuantiles.set(key, (q = fQuantile(p, df1, df2)))
  }
  return q
}
const fQuantiles = new Map<string, number>()
