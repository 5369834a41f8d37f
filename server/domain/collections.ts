/** Small helpers for grouping rows in memory, written once (issue 16: copying a list at each addition made several pages quadratic). */

/**
 * Add `value` to the list `map` holds under `key`, starting the list when there is none. In place: the
 * list grows, it is not copied.
 *
 * @example
 * const byCode = new Map<string, number[]>()
 * appendTo(byCode, 'a', 1); appendTo(byCode, 'a', 2) // byCode.get('a') => [1, 2]
 */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/**
 * `items` grouped by `key(item)`: each group in the items' order, the groups in the order of their
 * first item.
 *
 * @example
 * groupBy([{ p: 'a' }, { p: 'b' }, { p: 'a' }], (x) => x.p) // => Map { 'a' => [{ p: 'a' }, { p: 'a' }], 'b' => [{ p: 'b' }] }
 */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of items) appendTo(groups, key(item), item)
  return groups
}
