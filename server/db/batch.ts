/**
 * How many values one statement binds at most. SQLite (as better-sqlite3 builds it) allows 32,766
 * bind parameters per statement and PostgreSQL 65,535 (its wire protocol counts them in 16 bits); a
 * longer `IN` list or a bigger multi-row insert fails on one engine or both. Lists that can grow with
 * the study (participants, codings) are sent in batches of at most this many values.
 */
export const maxBindParameters = 30_000

/**
 * `items` in consecutive batches of at most `size` (default `maxBindParameters`).
 *
 * @example
 * batches([1, 2, 3, 4, 5], 2) // => [[1, 2], [3, 4], [5]]
 */
export function batches<T>(items: readonly T[], size = maxBindParameters): T[][] {
  if (!(size >= 1)) throw new RangeError(`a batch holds at least one item, not ${size}`)
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
