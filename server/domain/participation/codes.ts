/**
 * What a participant code may hold, wherever one comes from: P1, P2 … for a link, or a code a team
 * brings in a CSV import or a REFI-QDA project's case and source names.
 */

/**
 * Control characters (Unicode's general category Cc: line breaks, tab, NUL, NEL …) and the line and
 * paragraph separators U+2028 and U+2029.
 */
const controlOrLineBreak = /[\p{Cc}\u2028\u2029]/u

/**
 * Whether a participant code is one line of visible text: false when it holds a line break, tab or
 * other control character, which a quoted CSV value or an XML character reference (`&#10;`) can
 * carry. A code is written into every export (CSV, SPSS syntax, REFI-QDA's XML) and onto the staff
 * pages, where such a character would break a row or a line.
 *
 * @example
 * codeOnOneLine('P12')   // true
 * codeOnOneLine('P\n12') // false
 */
export function codeOnOneLine(code: string): boolean {
  return !controlOrLineBreak.test(code)
}
