// Rows read from SQL turned into columns, typed where they hold numbers (see columns.d.mts for the
// types). Plain JavaScript because the SQLite reader thread (sqlite-reader-worker.mjs) runs it
// without a TypeScript loader; the main thread runs the same function on rows it reads itself
// (PostgreSQL, an in-memory database, a transaction), so both give the same columns.

/**
 * @param {unknown[][]} rows
 * @param {import('./columns.d.mts').ColumnKind[]} kinds
 * @param {(statement: number) => Map<unknown, number>} [rowOf] for 'index' kinds: the row of each value of an earlier statement's first column
 * @returns {import('./columns.d.mts').Columns}
 */
export function toColumns(rows, kinds, rowOf) {
  const n = rows.length
  return {
    length: n,
    columns: kinds.map((kind, c) => {
      if (kind.kind === 'values') return rows.map((row) => row[c] ?? null)
      if (kind.kind === 'index') {
        const rowOfValue = rowOf(kind.of)
        const column = new Int32Array(n)
        for (let r = 0; r < n; r++) column[r] = rowOfValue.get(rows[r][c]) ?? -1
        return column
      }
      if (kind.kind === 'numbers') {
        const column = new Float64Array(n)
        for (let r = 0; r < n; r++) {
          const v = rows[r][c]
          column[r] = v === null || v === undefined ? Number.NaN : Number(v)
        }
        return column
      }
      if (kind.kind === 'integers') {
        const column = new Int32Array(n)
        for (let r = 0; r < n; r++) {
          const v = rows[r][c]
          column[r] = v === null || v === undefined ? -1 : Number(v)
        }
        return column
      }
      return jsonColumns(rows.map((row) => row[c]), kind.keys)
    }),
  }
}

/**
 * A JSON object per row (text; null for none): a column per key of `keys`, the key's value where it
 * is a number, NaN where it is anything else or absent.
 * @param {unknown[]} texts
 * @param {string[]} keys
 * @returns {Float64Array[]}
 */
export function jsonColumns(texts, keys) {
  const n = texts.length
  const columns = keys.map(() => new Float64Array(n).fill(Number.NaN))
  for (let r = 0; r < n; r++) {
    const text = texts[r]
    if (typeof text !== 'string') continue
    const object = JSON.parse(text)
    if (object === null || typeof object !== 'object') continue
    for (let k = 0; k < keys.length; k++) {
      const v = object[keys[k]]
      if (typeof v === 'number') columns[k][r] = v
    }
  }
  return columns
}

/**
 * The row of each value of a first column (its first row, should a value repeat): what an 'index'
 * column looks its values up in.
 * @param {unknown[]} column
 * @returns {Map<unknown, number>}
 */
export function rowsByValue(column) {
  const rows = new Map()
  for (let r = column.length - 1; r >= 0; r--) rows.set(column[r], r)
  return rows
}

/**
 * The buffers of a Columns' typed arrays, to transfer rather than copy between threads.
 * @param {import('./columns.d.mts').Columns} columns
 * @returns {ArrayBuffer[]}
 */
export function transferables(columns) {
  return columns.columns.flatMap((column) => (Array.isArray(column) ? column.filter((c) => ArrayBuffer.isView(c)).map((c) => c.buffer) : ArrayBuffer.isView(column) ? [column.buffer] : []))
}
