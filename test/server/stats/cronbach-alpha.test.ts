/**
 * cronbachAlpha against R 4.2.2, by hand formulas (no packages):
 *   alpha <- function(m) { k <- ncol(m); k/(k-1)*(1-sum(apply(m,2,var))/var(rowSums(m))) }
 *   feldt <- c(1 - (1 - a) * qf(0.975, n - 1, (n - 1) * (k - 1)), 1 - (1 - a) * qf(0.025, n - 1, (n - 1) * (k - 1)))
 *   rdrop <- sapply(1:k, function(i) cor(m[, i], rowSums(m) - m[, i]))
 *   adrop <- sapply(1:k, function(i) alpha(m[, -i, drop = FALSE]))
 */
import { describe, it, expect } from 'vitest'
import { cronbachAlpha, cronbachAlphaOfColumns } from '../../../server/stats/cronbach-alpha'

describe('cronbachAlpha', () => {
  it('matches R on 5 persons × 3 items', () => {
    // R: m <- rbind(c(1,2,2), c(2,3,3), c(3,3,4), c(4,5,4), c(2,2,3))
    //    alpha 0.93548387096774199, feldt 0.6740237279120318 0.99281524012810141
    //    rdrop 0.9803156180632393 0.837707816583391 0.85663731722442227
    //    adrop 0.81081081081081074 0.94736842105263164 0.94339622641509435
    const result = cronbachAlpha([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [2, 2, 3]])
    expect(result.n).toBe(5)
    expect(result.k).toBe(3)
    expect(result.alpha).toBeCloseTo(0.93548387096774199, 10)
    expect(result.ci95[0]).toBeCloseTo(0.6740237279120318, 10)
    expect(result.ci95[1]).toBeCloseTo(0.99281524012810141, 10)
    const rdrop = [0.9803156180632393, 0.837707816583391, 0.85663731722442227]
    const adrop = [0.81081081081081074, 0.94736842105263164, 0.94339622641509435]
    result.items.forEach((item, i) => {
      expect(item.correctedItemTotal).toBeCloseTo(rdrop[i]!, 10)
      expect(item.alphaIfDeleted).toBeCloseTo(adrop[i]!, 10)
    })
  })

  it('matches R on 8 persons × 4 items', () => {
    // R: m <- rbind(c(3,4,3,2), c(2,2,3,1), c(4,4,5,3), c(1,2,1,2), c(3,3,4,4), c(5,4,4,5), c(2,3,2,2), c(4,5,5,3))
    //    alpha 0.90238095238095239, feldt 0.71020513396324247 0.97807319913938018
    //    rdrop 0.95257934441568026 0.77098595047015095 0.7950216590781316 0.6462505331160624
    //    adrop 0.80729166666666663 0.88308115543328758 0.87145242070116868 0.92142857142857149
    const m = [[3, 4, 3, 2], [2, 2, 3, 1], [4, 4, 5, 3], [1, 2, 1, 2], [3, 3, 4, 4], [5, 4, 4, 5], [2, 3, 2, 2], [4, 5, 5, 3]]
    const result = cronbachAlpha(m)
    expect(result.alpha).toBeCloseTo(0.90238095238095239, 10)
    expect(result.ci95[0]).toBeCloseTo(0.71020513396324247, 10)
    expect(result.ci95[1]).toBeCloseTo(0.97807319913938018, 10)
    const rdrop = [0.95257934441568026, 0.77098595047015095, 0.7950216590781316, 0.6462505331160624]
    const adrop = [0.80729166666666663, 0.88308115543328758, 0.87145242070116868, 0.92142857142857149]
    result.items.forEach((item, i) => {
      expect(item.correctedItemTotal).toBeCloseTo(rdrop[i]!, 10)
      expect(item.alphaIfDeleted).toBeCloseTo(adrop[i]!, 10)
    })
  })

  it('with k = 2 reports alpha-if-deleted as null (one item has no alpha)', () => {
    // R: m <- rbind(c(1,2), c(3,3), c(2,4), c(5,4))
    //    alpha 0.72222222222222232, feldt -3.2886617718742421 0.98200825853575313
    //    rdrop 0.66254134886891314 0.66254134886891314
    const result = cronbachAlpha([[1, 2], [3, 3], [2, 4], [5, 4]])
    expect(result.alpha).toBeCloseTo(0.72222222222222232, 10)
    expect(result.ci95[0]).toBeCloseTo(-3.2886617718742421, 10)
    expect(result.ci95[1]).toBeCloseTo(0.98200825853575313, 10)
    for (const item of result.items) {
      expect(item.correctedItemTotal).toBeCloseTo(0.66254134886891314, 10)
      expect(item.alphaIfDeleted).toBeNull()
    }
  })

  it('reports a constant item’s item–total correlation as NaN (R: NA) and still gives alpha', () => {
    // R: m <- rbind(c(1,3,2), c(2,3,3), c(4,3,5), c(3,3,3))
    //    alpha 0.71999999999999997, feldt -0.84766358614781256 0.98099726155932365
    //    rdrop 0.92338051687663869 NA 0.92338051687663869; adrop 0 0.95999999999999996 0
    const result = cronbachAlpha([[1, 3, 2], [2, 3, 3], [4, 3, 5], [3, 3, 3]])
    expect(result.alpha).toBeCloseTo(0.71999999999999997, 10)
    expect(result.ci95[0]).toBeCloseTo(-0.84766358614781256, 10)
    expect(result.ci95[1]).toBeCloseTo(0.98099726155932365, 10)
    expect(result.items[0]?.correctedItemTotal).toBeCloseTo(0.92338051687663869, 10)
    expect(result.items[1]?.correctedItemTotal).toBeNaN()
    expect(result.items[2]?.correctedItemTotal).toBeCloseTo(0.92338051687663869, 10)
    expect(result.items[0]?.alphaIfDeleted).toBeCloseTo(0, 10)
    expect(result.items[1]?.alphaIfDeleted).toBeCloseTo(0.95999999999999996, 10)
    expect(result.items[2]?.alphaIfDeleted).toBeCloseTo(0, 10)
  })

  it('can be negative (items that disagree)', () => {
    // R: m <- rbind(c(1,5), c(2,4), c(3,3), c(4,1))
    //    alpha -34.666666666666664, feldt -549.66417150865277 -1.3101396040093007
    const result = cronbachAlpha([[1, 5], [2, 4], [3, 3], [4, 1]])
    expect(result.alpha).toBeCloseTo(-34.666666666666664, 10)
    expect(result.ci95[0]).toBeCloseTo(-549.66417150865277, 8)
    expect(result.ci95[1]).toBeCloseTo(-1.3101396040093007, 10)
  })

  it('rejects ragged rows, NaN, k < 2, n < 2 and a constant total', () => {
    expect(() => cronbachAlpha([[1, 2, 3], [1, 2]])).toThrow(/same number of items/)
    expect(() => cronbachAlpha([[1, 2], [NaN, 3]])).toThrow(/rows\[1\]\[0\]/)
    expect(() => cronbachAlpha([[1], [2], [3]])).toThrow(/at least 2 items/)
    expect(() => cronbachAlpha([[1, 2, 3]])).toThrow(/at least 2 persons/)
    expect(() => cronbachAlpha([])).toThrow(RangeError)
    expect(() => cronbachAlpha([[1, 3], [2, 2], [3, 1]])).toThrow(/no variance/)
    expect(() => cronbachAlpha([[0.1, 0.2], [0.2, 0.1], [0.1, 0.2]])).toThrow(/no variance/)
  })
})

/** The matrix's item columns: columns[j][i] = rows[i][j]. */
const columnsOf = (rows: number[][]) => (rows[0] ?? []).map((_, j) => rows.map((row) => row[j]!))

describe('cronbachAlphaOfColumns (the cohort report, issue 16)', () => {
  it('gives exactly what cronbachAlpha gives on the rows (the R cases above, a reversed item, a constant item, 2 items)', () => {
    const cases = [
      [[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [2, 2, 3]],
      [[3, 4, 3, 2], [2, 2, 3, 1], [4, 4, 5, 3], [1, 2, 1, 2], [3, 3, 4, 4], [5, 4, 4, 5], [2, 3, 2, 2], [4, 5, 5, 3]],
      [[0.1, 3, 0.7], [0.2, 1, 0.3], [0.4, 2, 0.9], [0.3, 2, 0.1]],
      [[2, 1, 4], [2, 3, 1], [2, 2, 2], [2, 5, 3]],
      [[1, 2], [2, 4], [3, 3]],
    ]
    for (const rows of cases) expect(cronbachAlphaOfColumns(columnsOf(rows))).toEqual(cronbachAlpha(rows))
  })

  it('rejects what cronbachAlpha rejects, with its messages (as rows)', () => {
    expect(() => cronbachAlphaOfColumns([[1, 2], [NaN, 3]])).toThrow(/rows\[0\]\[1\]/)
    expect(() => cronbachAlphaOfColumns([[1, 2], [Infinity, 3]])).toThrow(/rows\[0\]\[1\]/)
    expect(() => cronbachAlphaOfColumns([[1, 2, 3]])).toThrow(/at least 2 items/)
    expect(() => cronbachAlphaOfColumns([[1], [2], [3]])).toThrow(/at least 2 persons/)
    expect(() => cronbachAlphaOfColumns([])).toThrow(RangeError)
    expect(() => cronbachAlphaOfColumns([[1, 2, 3], [3, 2, 1]])).toThrow(/no variance/)
  })
})
