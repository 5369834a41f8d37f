/**
 * How `toColumns` turns one column of rows:
 * - 'values': as they are, in an array (null for a missing value);
 * - 'numbers': a Float64Array, NaN for null;
 * - 'integers': an Int32Array, −1 for null (for a non-negative integer: a band's index, a 0/1 flag);
 * - 'index': the value's row in an earlier statement of the same read (`of`, its index), found by that
 *   statement's first column, in an Int32Array, −1 where it has none (a participant id turned into
 *   the participant's row, so that no id string is carried per response);
 * - 'json': JSON text of an object per row (the stored answers): a Float64Array per key of `keys`,
 *   the key's value where it is a number, NaN where it is anything else or absent.
 */
export type ColumnKind = { kind: 'values' } | { kind: 'numbers' } | { kind: 'integers' } | { kind: 'index'; of: number } | { kind: 'json'; keys: string[] }

/** Rows as columns, in the order of the kinds: `columns[c]` is an array, a typed array, or (for 'json') a typed array per key. */
export type Columns = { length: number; columns: (unknown[] | Float64Array | Int32Array | Float64Array[])[] }

/** `rows` (arrays, one value per column) turned column by column as `kinds` say; `rowOf(of)` gives an 'index' kind's lookup (see `rowsByValue`). */
export function toColumns(rows: unknown[][], kinds: ColumnKind[], rowOf?: (statement: number) => Map<unknown, number>): Columns

/** The row of each value of `column` (the first, should one repeat): an 'index' kind's lookup. */
export function rowsByValue(column: unknown[]): Map<unknown, number>

/** JSON text of an object per row (null for none): a Float64Array per key, the key's value where it is a number, NaN otherwise. */
export function jsonColumns(texts: unknown[], keys: string[]): Float64Array[]

/** The ArrayBuffers of `columns`' typed arrays, for postMessage's transfer list. */
export function transferables(columns: Columns): ArrayBuffer[]
