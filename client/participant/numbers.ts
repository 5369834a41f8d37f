/**
 * Numbers as participants type them. A phone set to Persian or Arabic types Persian (۰–۹) or
 * Arabic-Indic (٠–٩) digits, and the Persian decimal separator (٫); a browser's number box reads
 * none of these and is left empty, losing the answer. The participant's number questions are plain
 * text boxes read with this instead.
 */

const persianZero = 0x06f0
const arabicIndicZero = 0x0660

/**
 * The number in `text`, or null when it is not one. Accepts ASCII, Persian and Arabic-Indic digits,
 * "." , "٫" (Persian decimal separator) or "," as the decimal separator, a leading "-" or "−", and
 * surrounding spaces.
 *
 * @example
 * readNumber('۳۴') // 34
 * readNumber('٢٫٥') // 2.5
 * readNumber('34 years') // null
 */
export function readNumber(text: string): number | null {
  const ascii = text
    .trim()
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - persianZero))
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - arabicIndicZero))
    .replace(/[\u066b,]/g, '.')
    .replace(/^[\u2212]/, '-')
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(ascii)) return null
  const value = Number(ascii)
  return Number.isFinite(value) ? value : null
}
