/**
 * wilcoxonSignedRank against R 4.2.2's wilcox.test(post, pre, paired = TRUE) (R ≤ 4.5 behaviour).
 * Every expected number was printed by the R call in the comment above it; for the normal branch
 * z was computed in R from the documented formula:
 *   d <- post - pre; dn <- d[d != 0]; n <- length(dn); NT <- table(rank(abs(dn)))
 *   z0 <- V - n*(n+1)/4; (z0 - sign(z0)*0.5) / sqrt(n*(n+1)*(2*n+1)/24 - sum(NT^3 - NT)/48)
 */
import { describe, it, expect } from 'vitest'
import { wilcoxonSignedRank } from '../../../server/stats/wilcoxon-signed-rank'

// R: sleep$extra[sleep$group == 1]; sleep$extra[sleep$group == 2]
const extra1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
const extra2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

/** R: i <- 1:n; pre <- 20 + (i %% 7); post <- pre + ifelse(i %% 3 == 0, i, -i) — distinct |d| = 1..n. */
function signedSequence(n: number): { post: number[]; pre: number[] } {
  const pre = Array.from({ length: n }, (_, k) => 20 + ((k + 1) % 7))
  const post = pre.map((value, k) => value + ((k + 1) % 3 === 0 ? k + 1 : -(k + 1)))
  return { post, pre }
}

describe('wilcoxonSignedRank', () => {
  it('matches R on the sleep data (a zero and ties: normal approximation)', () => {
    // R: with(sleep, wilcox.test(extra[group == 2], extra[group == 1], paired = TRUE))
    //    V = 45, p-value = 0.0090906980159250559 (warnings: cannot compute exact p-value with ties / zeroes)
    //    z = 2.6086243336065098
    const result = wilcoxonSignedRank(extra2, extra1)
    expect(result.V).toBe(45)
    expect(result.p).toBeCloseTo(0.0090906980159250559, 10)
    expect(result.method).toBe('normal')
    expect(result.nonZero).toBe(9)
    expect(result.zeros).toBe(1)
    expect(result.ties).toBe(true)
    expect(result.z).toBeCloseTo(2.6086243336065098, 10)
  })

  it('gives V for post − pre: swapping the occasions turns V into Σranks − V (sleep: 0)', () => {
    // R: with(sleep, wilcox.test(extra[group == 1], extra[group == 2], paired = TRUE)): V = 0, same p
    const result = wilcoxonSignedRank(extra1, extra2)
    expect(result.V).toBe(0)
    expect(result.p).toBeCloseTo(0.0090906980159250559, 10)
    expect(result.z).toBeCloseTo(-2.6086243336065098, 10)
  })

  it('is exact without ties or zeros', () => {
    // R: wilcox.test(c(23,17,29,28,28,14,34,32), c(20,18,25,30,22,19,27,24), paired = TRUE)
    //    V = 28, p-value = 0.19531250000000006, "Wilcoxon signed rank exact test"
    const result = wilcoxonSignedRank([23, 17, 29, 28, 28, 14, 34, 32], [20, 18, 25, 30, 22, 19, 27, 24])
    expect(result).toMatchObject({ V: 28, method: 'exact', nonZero: 8, zeros: 0, ties: false, z: null })
    expect(result.p).toBeCloseTo(0.19531250000000006, 10)
  })

  it('keeps full relative precision for a tiny exact p-value', () => {
    // R: wilcox.test((1:30) + 100, rep(100, 30), paired = TRUE)
    //    V = 465, p-value = 1.8626451492309587e-09 (= 2 / 2^30)
    const post = Array.from({ length: 30 }, (_, k) => k + 1 + 100)
    const result = wilcoxonSignedRank(post, new Array<number>(30).fill(100))
    expect(result.V).toBe(465)
    expect(result.method).toBe('exact')
    expect(Math.abs(result.p / 1.8626451492309587e-9 - 1)).toBeLessThan(1e-12)
  })

  it('uses the normal approximation with tie correction when |differences| tie', () => {
    // R: wilcox.test(c(14, 9, 17, 6, 11, 12, 8, 15, 7), c(16, 15, 18, 12, 10, 19, 14, 13, 9), paired = TRUE)
    //    V = 5.5, p-value = 0.048796126392049555 (warning: ties), z = -1.970368732287556
    const result = wilcoxonSignedRank([14, 9, 17, 6, 11, 12, 8, 15, 7], [16, 15, 18, 12, 10, 19, 14, 13, 9])
    expect(result).toMatchObject({ V: 5.5, method: 'normal', nonZero: 9, zeros: 0, ties: true })
    expect(result.p).toBeCloseTo(0.048796126392049555, 10)
    expect(result.z).toBeCloseTo(-1.970368732287556, 10)
  })

  it('drops zeros before ranking and then uses the normal approximation (R ≤ 4.5)', () => {
    // R: wilcox.test(c(5, 8, 3, 9, 4, 7, 6), c(5, 5, 4, 2, 4, 1, 2), paired = TRUE)
    //    V = 14, p-value = 0.10564542920187692 (warning: zeroes), z = 1.618079669911781
    const result = wilcoxonSignedRank([5, 8, 3, 9, 4, 7, 6], [5, 5, 4, 2, 4, 1, 2])
    expect(result).toMatchObject({ V: 14, method: 'normal', nonZero: 5, zeros: 2, ties: false })
    expect(result.p).toBeCloseTo(0.10564542920187692, 10)
    expect(result.z).toBeCloseTo(1.618079669911781, 10)
  })

  it('switches from exact to normal between 49 and 50 non-zero pairs', () => {
    // R: i <- 1:49; pre <- 20 + (i %% 7); post <- pre + ifelse(i %% 3 == 0, i, -i)
    //    wilcox.test(post, pre, paired = TRUE): V = 408, p-value = 0.041703854232423516, exact test
    const exact = wilcoxonSignedRank(signedSequence(49).post, signedSequence(49).pre)
    expect(exact).toMatchObject({ V: 408, method: 'exact', nonZero: 49, zeros: 0, ties: false, z: null })
    expect(exact.p).toBeCloseTo(0.041703854232423516, 10)

    // R: the same with i <- 1:50: V = 408, p-value = 0.027063492176047903, with continuity correction
    //    z = -2.2106008164557025
    const normal = wilcoxonSignedRank(signedSequence(50).post, signedSequence(50).pre)
    expect(normal).toMatchObject({ V: 408, method: 'normal', nonZero: 50, zeros: 0, ties: false })
    expect(normal.p).toBeCloseTo(0.027063492176047903, 10)
    expect(normal.z).toBeCloseTo(-2.2106008164557025, 10)
  })

  it('counts non-zero pairs, not all pairs: 49 non-zero plus one zero is normal because of the zero', () => {
    // R: wilcox.test(c(post49, 30), c(pre49, 30), paired = TRUE)  (post49, pre49 as above)
    //    V = 408, p-value = 0.042433026241939224 (warning: zeroes), z = -2.0292481037121348
    const { post, pre } = signedSequence(49)
    const result = wilcoxonSignedRank([...post, 30], [...pre, 30])
    expect(result).toMatchObject({ V: 408, method: 'normal', nonZero: 49, zeros: 1, ties: false })
    expect(result.p).toBeCloseTo(0.042433026241939224, 10)
    expect(result.z).toBeCloseTo(-2.0292481037121348, 10)
  })

  it('matches R with n ≥ 50, ties and zeros (integer scale scores)', () => {
    // R: set.seed(1); pre60 <- sample(5:25, 60, TRUE); post60 <- pmax(0, pre60 - sample(-3:8, 60, TRUE))
    //    wilcox.test(post60, pre60, paired = TRUE)
    //    V = 207.5, p-value = 8.2564371252986849e-07, z = -4.929206259830389
    const pre = [8, 11, 5, 6, 15, 18, 22, 23, 5, 25, 25, 14, 18, 14, 11, 13, 19, 25, 9, 13, 18, 9, 9, 6, 14, 16, 19, 5, 24, 7, 10, 14, 14, 10, 19, 24, 24, 16, 10, 12, 16, 10, 11, 23, 14, 10, 18, 6, 17, 22, 18, 10, 5, 23, 23, 12, 10, 16, 10, 12]
    const post = [5, 4, 8, 6, 11, 13, 17, 20, 5, 22, 17, 12, 10, 6, 14, 12, 17, 28, 4, 10, 15, 10, 7, 8, 8, 9, 13, 2, 16, 8, 12, 8, 17, 3, 12, 18, 18, 12, 4, 11, 8, 7, 7, 22, 6, 8, 14, 9, 18, 16, 19, 3, 8, 21, 21, 4, 10, 11, 9, 15]
    const result = wilcoxonSignedRank(post, pre)
    expect(result).toMatchObject({ V: 207.5, method: 'normal', nonZero: 57, zeros: 3, ties: true })
    expect(Math.abs(result.p / 8.2564371252986849e-7 - 1)).toBeLessThan(1e-9)
    expect(result.z).toBeCloseTo(-4.929206259830389, 10)
  })

  it('matches R with n = 2 and n = 1', () => {
    // R: wilcox.test(c(3, 5), c(1, 2), paired = TRUE): V = 3, p-value = 0.5 (exact)
    expect(wilcoxonSignedRank([3, 5], [1, 2])).toMatchObject({ V: 3, p: 0.5, method: 'exact', nonZero: 2 })
    // R: wilcox.test(2, 1, paired = TRUE): V = 1, p-value = 1 (exact)
    expect(wilcoxonSignedRank([2], [1])).toMatchObject({ V: 1, p: 1, method: 'exact', nonZero: 1 })
  })

  it('caps the p-value at 1', () => {
    // R: wilcox.test(c(1, 2, 3, 4), c(2, 4, 0, 0), paired = TRUE): V = 7, p-value = 0.625
    expect(wilcoxonSignedRank([1, 2, 3, 4], [2, 4, 0, 0]).p).toBeCloseTo(0.625, 10)
    // R: wilcox.test(c(2, 1), c(1, 2), paired = TRUE): V = 1.5, p-value = 1 (ties; z = 0)
    expect(wilcoxonSignedRank([2, 1], [1, 2])).toMatchObject({ V: 1.5, p: 1, method: 'normal', z: 0 })
  })

  it('rejects all-zero differences, empty input, NaN and unequal lengths', () => {
    // R: wilcox.test(c(1, 2), c(1, 2), paired = TRUE) -> V = 0, p-value = NA (with warnings); we throw
    expect(() => wilcoxonSignedRank([1, 2], [1, 2])).toThrow(/zero/)
    // R: wilcox.test(numeric(0), numeric(0), paired = TRUE) -> Error: not enough (non-missing) 'x' observations
    expect(() => wilcoxonSignedRank([], [])).toThrow(RangeError)
    expect(() => wilcoxonSignedRank([1, NaN], [1, 2])).toThrow(RangeError)
    expect(() => wilcoxonSignedRank([1, 2, 3], [1, 2])).toThrow(RangeError)
  })
})
