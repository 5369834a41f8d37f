/**
 * Statistical disclosure control for what program leads see. Program leads are often the hospital
 * officials that Balint-group members fear being judged by, so every figure they get is built to
 * hold against a reader who tries to learn about one person: small groups show no statistic, order
 * statistics and rank-based tests need a larger group, counts are redacted and rounded, and no
 * category is shown at 0 % or 100 %.
 *
 * Sources of the rules (see README, "What program leads see"):
 * - counts of 7 or fewer redacted, then every count rounded to the nearest 5: OpenSAFELY output
 *   checking and ehrQL measures (opensafely-core/ehrql pull request 1746, 2023);
 * - a minimum number of units behind any statistic, and the "dominance"/class-disclosure rule that no
 *   category may hold (nearly) everyone: ONS, "Disclosure control guidance for tables produced from
 *   surveys"; Eurostat / Hundepool et al. (2012), Statistical Disclosure Control, ch. 5;
 * - order statistics (minimum, maximum, median, quartiles) are single people's values at small n:
 *   Hundepool et al. (2012) §5.2 and the output-checking rules of the UK Data Service's Safe Outputs.
 */
import { appendTo } from '../collections'

/**
 * The thresholds of one study. Each is at least its floor (`policyFloor`): a study may be stricter,
 * never looser.
 */
export type DisclosurePolicy = {
  /** Fewest participants behind any statistic (mean, SD, t, effect size). */
  minN: number
  /** Fewest participants behind an order statistic (median, quartiles) or a statistic of ranks or signs (Wilcoxon V, counts improved/deteriorated). */
  orderMinN: number
  /** Counts from 0 to this are redacted (OpenSAFELY: 7). */
  countRedactAtOrBelow: number
  /** Every other count is rounded to the nearest multiple of this (OpenSAFELY: 5). */
  countRounding: number
}

/** The floors, which are also the defaults. */
export const policyFloor: DisclosurePolicy = Object.freeze({ minN: 10, orderMinN: 20, countRedactAtOrBelow: 7, countRounding: 5 })

/**
 * The policy in force: the study's own thresholds, each raised to its floor, with `minN` at least the
 * study's minimum cell size.
 *
 * @example
 * effectivePolicy(undefined, 5) // => { minN: 10, orderMinN: 20, countRedactAtOrBelow: 7, countRounding: 5 }
 * effectivePolicy({ minN: 12, orderMinN: 30, countRedactAtOrBelow: 7, countRounding: 10 }, 15).minN // => 15
 */
export function effectivePolicy(stored: DisclosurePolicy | undefined, minCellSize: number): DisclosurePolicy {
  const s = stored ?? policyFloor
  return {
    minN: Math.max(s.minN, policyFloor.minN, minCellSize),
    orderMinN: Math.max(s.orderMinN, policyFloor.orderMinN, s.minN, minCellSize),
    countRedactAtOrBelow: Math.max(s.countRedactAtOrBelow, policyFloor.countRedactAtOrBelow),
    countRounding: Math.max(s.countRounding, policyFloor.countRounding),
  }
}

/**
 * A count as released: null (redacted) from 0 to `countRedactAtOrBelow`, otherwise rounded to the
 * nearest multiple of `countRounding` (halves up). Zero is redacted too: "none of them" tells
 * every member something about themselves.
 *
 * @example
 * releaseCount(7, policyFloor)  // => null
 * releaseCount(12, policyFloor) // => 10
 * releaseCount(13, policyFloor) // => 15
 */
export function releaseCount(n: number, policy: DisclosurePolicy): number | null {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`a count must be a whole number of at least 0, got ${n}`)
  if (n <= policy.countRedactAtOrBelow) return null
  return Math.round(n / policy.countRounding) * policy.countRounding
}

/**
 * Decimal places of a released mean, SD or quantile of scores: whole score points below `orderMinN`
 * (so that n × mean does not give the exact sum), one decimal from there (APA: one more than the
 * scores' own precision).
 */
export function scoreDecimals(n: number, policy: DisclosurePolicy): number {
  return n >= policy.orderMinN ? 1 : 0
}

/**
 * `x` rounded to `decimals` places, halves away from zero as its decimal digits read; −0 becomes 0.
 * The scaled value is read to 15 significant digits first, so that a half the binary double misses by
 * its last bit (20.275 × 100 = 2027.4999999999998, 1.005 × 100 = 100.49999999999999) rounds as written,
 * as 2.675 does (found by a methods review: 179 of 5,201 means k/40 rounded down at two decimals).
 *
 * @example
 * roundTo(20.275, 2) // => 20.28
 * roundTo(-2.5, 0)   // => -3
 */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals
  const r = (Math.sign(x) * Math.round(Number((Math.abs(x) * f).toPrecision(15)))) / f
  return r === 0 ? 0 : r
}

/**
 * A released p-value: two decimals, or "below 0.001"; never rounded across 0.05 or 0.01, the
 * thresholds a reader judges by (as the report's own p-values): 0.0496 is "< 0.05", not "0.05".
 */
export type ReleasedP = { value: number; comparator: '=' | '<' }

/**
 * @example
 * releaseP(0.0312) // => { value: 0.03, comparator: '=' }
 * releaseP(0.0004) // => { value: 0.001, comparator: '<' }
 * releaseP(0.0496) // => { value: 0.05, comparator: '<' }
 */
export function releaseP(p: number): ReleasedP {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a p-value lies between 0 and 1, got ${p}`)
  if (p < 0.001) return { value: 0.001, comparator: '<' }
  const value = p < 0.01 ? roundTo(p, 3) : roundTo(p, 2)
  for (const threshold of [0.01, 0.05]) if (p < threshold && value >= threshold) return { value: threshold, comparator: '<' }
  return { value, comparator: '=' }
}

/**
 * The counts of one breakdown (sex, role …) of `total` people who answered, as released, with
 * percentages of the released total. A level is withheld when its count is redacted, and also when
 * everyone else together is a redactable number (it would show that nearly all share the answer:
 * "Female 5 (100 %)"). No percentage is 0 or 100.
 *
 * @example
 * releaseBreakdown([12, 0], 12, policyFloor) // => [{ n: null, percent: null }, { n: null, percent: null }]
 * releaseBreakdown([20, 15], 35, policyFloor) // => [{ n: 20, percent: 57 }, { n: 15, percent: 43 }]
 */
export function releaseBreakdown(counts: number[], total: number, policy: DisclosurePolicy): { n: number | null; percent: number | null }[] {
  const releasedTotal = releaseCount(total, policy)
  return counts.map((n) => {
    if (total - n <= policy.countRedactAtOrBelow) return { n: null, percent: null }
    const shown = releaseCount(n, policy)
    if (shown === null || releasedTotal === null) return { n: shown, percent: null }
    const percent = Math.round((100 * shown) / releasedTotal)
    return { n: shown, percent: percent <= 0 || percent >= 100 ? null : percent }
  })
}

/**
 * Whether two groups that figures were computed from may both be released: a reader who subtracts
 * one from the other learns about the people in one and not the other, so those people together
 * must be nobody or at least `minN`. (One who left — deleted their answers — and `minN` or more who
 * joined leave the reader with one value minus a sum of at least `minN` others.) Returns the sizes
 * of the two sides when the difference is too small, null when both may be released.
 *
 * @example
 * differenceTooSmall(new Set(['a', 'b']), new Set(['a', 'b', 'c']), 10) // => { onlyFirst: 0, onlySecond: 1 }
 * differenceTooSmall(new Set(['a']), new Set(['a']), 10) // => null
 */
export function differenceTooSmall(first: ReadonlySet<string>, second: ReadonlySet<string>, minN: number): { onlyFirst: number; onlySecond: number } | null {
  let onlyFirst = 0
  let onlySecond = 0
  for (const id of first) if (!second.has(id)) onlyFirst++
  for (const id of second) if (!first.has(id)) onlySecond++
  const differing = onlyFirst + onlySecond
  return differing > 0 && differing < minN ? { onlyFirst, onlySecond } : null
}

/**
 * Whether adding and subtracting figures computed over these groups of participants (sums, or n ×
 * mean) gives one participant's value: true when some participant's indicator vector lies in the span
 * of the groups' indicator vectors. Pairwise differences are not enough: releases over S, S ∪ T and
 * T ∪ {y} differ pairwise by 10, 11 and 21 people, yet (S ∪ T) − S = T and (T ∪ {y}) − T = y.
 *
 * Participants in exactly the same groups (an atom of the groups) cannot be told apart by any
 * combination, whose vectors are constant on each atom; so participant y is singled out exactly when
 * y's atom is y alone and the atom's unit vector lies in the span of the groups written over atoms.
 * That is decided by reducing the groups × atoms matrix (a group per release of a figure, an atom per
 * distinct pattern of membership) to reduced row echelon form, where a unit vector lies in the row
 * space exactly when it is one of the reduced rows. The elimination is exact, in integers
 * (fraction-free Gauss–Jordan: Bareiss 1968, Math. Comp. 22:565–578; every division is exact by
 * Sylvester's identity): in floating point, rounding over a few dozen ill-conditioned groups hid a
 * participant that three of them single out. Returns the id of one participant singled out, or null:
 * `derivedGroup` with a minimum cell size of 2. Time: linear in the memberships, plus groups² × atoms
 * operations on integers.
 *
 * @example
 * singledOut([new Set(['a', 'b']), new Set(['a', 'b', 'c', 'd']), new Set(['c', 'd', 'y'])]) // => 'y'
 * singledOut([new Set(['a', 'b']), new Set(['a', 'b', 'c', 'd'])]) // => null
 */
export function singledOut(groups: readonly ReadonlySet<string>[]): string | null {
  // A group under a minimum cell size of 2 is one person: a reduced row alone, never a combination.
  const found = derivedGroup(groups, 2)
  return found === null || found === 'undecided' ? null : found.member
}

/** A group of participants whose total follows from the groups' totals: how many, and one of them. */
export type DerivedGroup = { size: number; member: string }

/**
 * Most entries `derivedGroup` adds up while combining reduced rows (each try costs its rows' nonzero
 * entries: about a second in all) before it gives up and answers that it cannot rule a small group
 * out (`'undecided'`): the refusal then errs on the side of the participants.
 */
export const derivedGroupBudget = 20_000_000

/**
 * Whether adding and subtracting figures computed over these groups of participants gives the total
 * of a group of 1 to minN − 1 people: the minimum cell size broken by differencing (Hundepool et al.
 * (2012), Statistical Disclosure Control, §5.6, disclosure by differencing). Two people whose sum is
 * derived each learn the other's value; `singledOut` is the case of one.
 *
 * Over the atoms (see `singledOut`), a derived group is a 0/1 vector in the row space of the groups.
 * In reduced row echelon form each pivot column is nonzero in its own row alone, so the coefficient of
 * a row in such a vector is the vector's value at that row's pivot, 0 or 1: the derivable groups are
 * exactly the sums of subsets of the reduced rows (each divided by its pivot) that are 0 or 1 in every
 * column. Such a group holds at least the pivot atoms of its rows, so only rows whose pivot atoms
 * together hold fewer than minN people are combined, and at most minN − 1 of them; the largest atoms
 * take the pivots, so such rows are few, and single rows are tried first, then pairs, and so on. The
 * search is exact, in integers; past `derivedGroupBudget` it answers `'undecided'` (or the smallest
 * group found so far).
 *
 * @param groups a set of participant ids per figure released
 * @param minN the fewest participants a figure may be computed from
 * @param options.known how many of `groups`, first, were released before: a group those alone
 *   already give is not reported (it is not the newer groups' doing), and the search goes on past it
 * @param options.budget entries left to add, shared by the calls one release makes (default: a
 *   fresh `derivedGroupBudget`); spent as the search goes
 * @returns the smallest group found (size 1 to minN − 1, and one member), 'undecided', or null
 * @example
 * // S, S ∪ T, T ∪ {y, z}: (T ∪ {y, z}) − ((S ∪ T) − S) = {y, z}
 * derivedGroup([S, union(S, T), union(T, new Set(['y', 'z']))], 10) // => { size: 2, member: 'y' }
 */
export function derivedGroup(
  groups: readonly ReadonlySet<string>[],
  minN: number,
  options: { known?: number; budget?: { left: number } } = {},
): DerivedGroup | 'undecided' | null {
  const { atoms, rows, pivots } = reducedOverAtoms(groups)
  const budget = options.budget ?? { left: derivedGroupBudget }
  // The first `known` groups alone, reduced over the same atoms: a group they already give is not reported.
  const known = options.known ?? 0
  const knownRows = indicatorRows(atoms, known)
  const knownPivots = known > 0 ? reduce(knownRows) : []
  const isKnown = () => known > 0 && inSpan(sum.map((x) => (x === denominator ? 1n : 0n)), knownRows, knownPivots)
  // Rows whose pivot atom alone is smaller than minN, the smallest first.
  const candidates = pivots.filter(({ col }) => atoms[col]!.size < minN).sort((a, b) => atoms[a.col]!.size - atoms[b.col]!.size)
  if (candidates.length === 0) return null
  // Each candidate divided by its pivot, over one common denominator, kept sparse: its nonzero
  // columns and their numerators (a try costs its rows' nonzero entries, not every atom).
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b))
  const denominator = candidates.reduce((l, { row, col }) => {
    const p = rows[row]![col]! < 0n ? -rows[row]![col]! : rows[row]![col]!
    return (l / gcd(l, p)) * p
  }, 1n)
  const sparse = candidates.map(({ row, col }) => {
    const cols: number[] = []
    const values: bigint[] = []
    rows[row]!.forEach((x, k) => {
      if (x === 0n) return
      cols.push(k)
      values.push((x * denominator) / rows[row]![col]!)
    })
    return { cols, values, pivotPeople: atoms[col]!.size, member: atoms[col]!.first }
  })
  // The running sum of the rows chosen, and what it is: how many columns are neither 0 nor 1, and how many people its 1s hold.
  const sum = new Array<bigint>(atoms.length).fill(0n)
  let notZeroOrOne = 0
  let people = 0
  const change = (i: number, sign: 1n | -1n) => {
    const { cols, values } = sparse[i]!
    budget.left -= cols.length
    for (let j = 0; j < cols.length; j++) {
      const k = cols[j]!
      const before = sum[k]!
      const after = before + sign * values[j]!
      if (before === denominator) people -= atoms[k]!.size
      else if (before !== 0n) notZeroOrOne--
      if (after === denominator) people += atoms[k]!.size
      else if (after !== 0n) notZeroOrOne++
      sum[k] = after
    }
  }
  let best: DerivedGroup | null = null
  const limit = () => best?.size ?? minN
  // fewest[i]: the people in the pivot atoms of candidates 0 … i − 1 (sorted, so any `left` rows from i on hold at least fewest[i + left] − fewest[i]).
  const fewest = [0]
  for (const row of sparse) fewest.push(fewest.at(-1)! + row.pivotPeople)
  // Subsets of exactly `left` more rows from `from` on; false once past the budget. A group holds at
  // least its rows' pivot atoms (`lowest` people), and candidates are sorted by theirs. `first`: the
  // first row chosen, whose pivot atom is in the group (a member to name).
  const choose = (from: number, left: number, lowest: number, first: number): boolean => {
    if (left === 0) {
      if (notZeroOrOne === 0 && people > 0 && people < limit() && !isKnown()) best = { size: people, member: sparse[first]!.member }
      return true
    }
    for (let i = from; i <= candidates.length - left; i++) {
      if (lowest + fewest[i + left]! - fewest[i]! >= limit()) return true
      if (budget.left <= 0) return false
      change(i, 1n)
      const within = choose(i + 1, left - 1, lowest + sparse[i]!.pivotPeople, first < 0 ? i : first)
      change(i, -1n)
      if (!within) return false
    }
    return true
  }
  // One row, then two, …: a person singled out by one row is found before any combination is tried.
  for (let size = 1; size < limit() && size <= candidates.length; size++) {
    if (!choose(0, size, 0, -1)) return best ?? 'undecided'
  }
  return best
}

/**
 * Whether adding and subtracting figures computed over `groups` gives the total over `guarded`
 * exactly: its indicator vector is in the span of theirs (over the atoms of all of them), as in
 * `derivedGroup`. For a group whose own figure is withheld because everyone in it had the same value
 * (or nearly): its total is that value times its size, so it must not be derivable whatever its size
 * (Hundepool et al. (2012) §5.4, secondary suppression; §5.6, differencing). Exact, in integers.
 *
 * @example
 * // A ∪ B and B give A.
 * givesGroup([union(A, B), B], A) // => true
 * givesGroup([union(A, B)], A) // => false
 */
export function givesGroup(groups: readonly ReadonlySet<string>[], guarded: ReadonlySet<string>): boolean {
  if (groups.length === 0 || guarded.size === 0) return false
  const { atoms } = reducedOverAtoms([...groups, guarded])
  const rows = indicatorRows(atoms, groups.length)
  const pivots = reduce(rows)
  return inSpan(atoms.map((a) => (a.groups.includes(groups.length) ? 1n : 0n)), rows, pivots)
}

/**
 * The groups × atoms indicator matrix in reduced row echelon form, in integers (fraction-free
 * Gauss–Jordan: Bareiss 1968, Math. Comp. 22:565–578; every division is exact by Sylvester's
 * identity). Atoms are the distinct patterns of membership, in the order of their first member:
 * their groups, one member, and how many. `pivots` gives each pivot's row and column.
 */
function reducedOverAtoms(groups: readonly ReadonlySet<string>[]) {
  // Each participant's groups, in the order the participants first appear.
  const membership = new Map<string, number[]>()
  groups.forEach((group, g) => {
    for (const id of group) appendTo(membership, id, g)
  })
  // The atoms, in the order of their first member: their groups, and their members (one kept, and how many).
  const atomOf = new Map<string, number>()
  const atoms: { groups: number[]; first: string; size: number }[] = []
  for (const [id, of] of membership) {
    const signature = of.join(',')
    const a = atomOf.get(signature)
    if (a === undefined) {
      atomOf.set(signature, atoms.length)
      atoms.push({ groups: of, first: id, size: 1 })
    } else atoms[a]!.size++
  }
  // Largest atoms first: they take the pivots, so few reduced rows have a small pivot atom, the only
  // rows `derivedGroup` combines (a stable sort: equal sizes keep their order).
  atoms.sort((a, b) => b.size - a.size)
  const rows = indicatorRows(atoms, groups.length)
  return { atoms, rows, pivots: reduce(rows) }
}

/** Groups 0 … count − 1 over the atoms: 1 where the atom is in the group, 0 elsewhere. */
function indicatorRows(atoms: readonly { groups: number[] }[], count: number): bigint[][] {
  const rows = Array.from({ length: count }, () => new Array<bigint>(atoms.length).fill(0n))
  atoms.forEach((atom, a) => {
    for (const g of atom.groups) if (g < count) rows[g]![a] = 1n
  })
  return rows
}

/**
 * Reduce integer rows in place to reduced row echelon form (up to each row's scale), fraction-free:
 * after each step every row is the previous ones' combination scaled by the pivot, and every entry
 * stays an integer (a minor of the original matrix). Returns each pivot's row and column.
 */
function reduce(rows: bigint[][]): { row: number; col: number }[] {
  const n = rows[0]?.length ?? 0
  let previous = 1n
  let pivotRow = 0
  const pivots: { row: number; col: number }[] = []
  for (let col = 0; col < n && pivotRow < rows.length; col++) {
    let found = pivotRow
    while (found < rows.length && rows[found]![col] === 0n) found++
    if (found === rows.length) continue
    ;[rows[pivotRow], rows[found]] = [rows[found]!, rows[pivotRow]!]
    const pivot = rows[pivotRow]!
    const p = pivot[col]!
    for (let i = 0; i < rows.length; i++) {
      if (i === pivotRow) continue
      const row = rows[i]!
      const factor = row[col]!
      for (let k = 0; k < n; k++) {
        if (row[k] === 0n && (factor === 0n || pivot[k] === 0n)) continue
        row[k] = (p * row[k]! - factor * pivot[k]!) / previous
      }
    }
    previous = p
    pivots.push({ row: pivotRow, col })
    pivotRow++
  }
  return pivots
}

/** Whether `vector` lies in the span of rows reduced by `reduce` (`pivots` theirs): it reduces to zero against them. */
function inSpan(vector: bigint[], rows: bigint[][], pivots: { row: number; col: number }[]): boolean {
  let v = vector
  for (const { row, col } of pivots) {
    const factor = v[col]!
    if (factor === 0n) continue
    const r = rows[row]!
    const p = r[col]!
    v = v.map((x, k) => p * x - factor * r[k]!)
  }
  return v.every((x) => x === 0n)
}
