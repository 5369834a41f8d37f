/**
 * Text written into the Markdown files the platform gives out (reports, releases, Table 1 and 2),
 * where names and labels come from study teams: one kept on one line, and a table cell kept one cell.
 */

/**
 * Text on one line: each run of line breaks (and the other line and paragraph separators), with
 * the spaces around it, made one space, so that a name cannot end a heading or a table row and
 * start Markdown of its own; trimmed.
 *
 * @example
 * markdownInline('Tuesday group\n\n## Participants') // => 'Tuesday group ## Participants'
 */
export function markdownInline(text: string): string {
  return text.replace(/\s*[\r\n\v\f\u0085\u2028\u2029]+\s*/g, ' ').trim()
}

/**
 * A Markdown table cell: on one line (`markdownInline`) and each `|` escaped, so that it stays one cell.
 *
 * @example
 * markdownCell('Peer | colleague') // => 'Peer \\| colleague'
 */
export function markdownCell(text: string): string {
  return markdownInline(text).replace(/\|/g, '\\|')
}
