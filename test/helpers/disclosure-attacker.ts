/**
 * The program lead as an adversary: given the figures shown for a group of n integer scores in a
 * known range, find every multiset of scores that reproduces all of them (integer search), and say
 * which ranks — the lowest score, the second lowest … — come out the same in every solution. Such a
 * rank is one person's score learned, unnamed: the attack has succeeded.
 *
 * A shown figure is an interval: a value rounded to d decimals stands for [v − ½·10^−d, v + ½·10^−d].
 * The attacker is given the true n (stronger than any program lead, who sees n rounded).
 */
import { quantile } from 'simple-statistics'

export type Interval = [number, number]

/** What is shown about one group of scores; every field optional. */
export type Shown = {
  mean?: Interval
  sd?: Interval
  median?: Interval
  q1?: Interval
  q3?: Interval
  /** Paired t of the values against 0 (for changes): mean / (sd / √n). */
  t?: Interval
}

/** The interval a shown value stands for, at `decimals` places (1e-9 wide for unrounded values). */
export function shownAs(value: number | null | undefined, decimals: number | null): Interval | undefined {
  if (value === null || value === undefined) return undefined
  const half = decimals === null ? 1e-9 : 0.5 * 10 ** -decimals + 1e-12
  return [value - half, value + half]
}

const inside = (x: number, i: Interval | undefined) => i === undefined || (x >= i[0] && x <= i[1])

function fits(values: number[], shown: Shown): boolean {
  const n = values.length
  const sum = values.reduce((a, b) => a + b, 0)
  const mean = sum / n
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)
  const sd = Math.sqrt(variance)
  if (!inside(mean, shown.mean) || !inside(sd, shown.sd)) return false
  // R's type 7 quantiles, as the report computes them.
  if (shown.median && !inside(quantile(values, 0.5), shown.median)) return false
  if (shown.q1 && !inside(quantile(values, 0.25), shown.q1)) return false
  if (shown.q3 && !inside(quantile(values, 0.75), shown.q3)) return false
  if (shown.t && !(sd > 0 && inside(mean / (sd / Math.sqrt(n)), shown.t))) return false
  return true
}

export type SearchResult = {
  /** Solutions found (all of them when `exhaustive`). */
  solutions: number[][]
  /** Ranks (0 = lowest) whose value is the same in every solution: scores recovered. */
  recoveredRanks: number[]
  exhaustive: boolean
}

/**
 * Integer search over sorted score sets of size n in [lo, hi] that reproduce `shown`. To show that
 * a rank is not recovered it suffices to find two solutions that differ there, so for each rank the
 * search looks for a solution with a value other than the first solution's; the search is
 * exhaustive only where it finds none.
 */
export function integerSearch(n: number, lo: number, hi: number, shown: Shown): SearchResult {
  const sumRange: Interval = shown.mean ? [Math.ceil(shown.mean[0] * n - 1e-9), Math.floor(shown.mean[1] * n + 1e-9)] : [n * lo, n * hi]
  // Bounds on the sum of squares from the SD: Σx² = (n − 1)·s² + (Σx)²/n.
  const squareOfSum = (a: number, b: number): Interval => (a <= 0 && b >= 0 ? [0, Math.max(a * a, b * b)] : [Math.min(a * a, b * b), Math.max(a * a, b * b)])
  const sums = squareOfSum(sumRange[0], sumRange[1])
  const squares: Interval = shown.sd
    ? [(n - 1) * Math.max(0, shown.sd[0]) ** 2 + sums[0] / n - 1e-6, (n - 1) * shown.sd[1] ** 2 + sums[1] / n + 1e-6]
    : [-Infinity, Infinity]
  const values: number[] = []
  const find = (avoid: { rank: number; value: number } | null, limit: number, out: number[][]): void => {
    const walk = (i: number, from: number, sum: number, sq: number): boolean => {
      if (out.length >= limit) return true
      const left = n - i
      if (sum + left * from > sumRange[1] || sum + left * hi < sumRange[0]) return false
      if (left > 0) {
        // The fewest squares the rest can add: their sum is at least what the total still needs, spread evenly (convexity).
        const need = squareOfSum(Math.max(sumRange[0] - sum, left * from), Math.min(sumRange[1] - sum, left * hi))
        const fewest = Math.max(need[0] / left, from >= 0 ? left * from * from : 0)
        const most = left * Math.max(from * from, hi * hi)
        if (sq + fewest > squares[1] || sq + most < squares[0]) return false
      } else if (sq < squares[0] || sq > squares[1]) return false
      if (left === 0) {
        if (fits(values, shown)) out.push([...values])
        return out.length >= limit
      }
      for (let v = from; v <= hi; v++) {
        if (avoid && avoid.rank === i && v === avoid.value) continue
        if (sum + v + (left - 1) * v > sumRange[1]) break
        values.push(v)
        const done = walk(i + 1, v, sum + v, sq + v * v)
        values.pop()
        if (done) return true
      }
      return false
    }
    walk(0, lo, 0, 0)
  }
  const first: number[][] = []
  find(null, 1, first)
  if (first.length === 0) return { solutions: [], recoveredRanks: [], exhaustive: true }
  const solutions = [first[0]!]
  const recoveredRanks: number[] = []
  for (let rank = 0; rank < n; rank++) {
    if (solutions.some((s) => s[rank] !== first[0]![rank])) continue
    const other: number[][] = []
    find({ rank, value: first[0]![rank]! }, 1, other)
    if (other.length > 0) solutions.push(other[0]!)
    else recoveredRanks.push(rank)
  }
  return { solutions, recoveredRanks, exhaustive: recoveredRanks.length > 0 }
}
