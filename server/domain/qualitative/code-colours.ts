/**
 * Code colours: the default palette a new code takes its colour from, and the one form colours are
 * stored and exported in (`#rrggbb`, lower case: REFI-QDA's RGBType allows `#rgb` too, which is
 * widened on the way in).
 *
 * The palette is Okabe & Ito's (2008, "Color Universal Design", https://jfly.uni-koeln.de/color/),
 * designed to stay distinguishable with every common colour-vision deficiency, with its black left
 * out (a stripe of it reads as a border). Colour is never the only cue: the coding view names each
 * stripe's code on hover and focus and in its legend.
 */

/** Okabe–Ito: orange, sky blue, bluish green, yellow, blue, vermilion, reddish purple. */
export const CODE_PALETTE = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#0072b2', '#d55e00', '#cc79a7'] as const

/** REFI-QDA's RGBType: `#` and 6 or 3 hexadecimal digits. */
const RGB = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i

/**
 * A colour as stored: `#rrggbb` lower case; null for anything that is not an RGB colour.
 *
 * @example
 * normaliseCodeColour('#0AF') // => '#00aaff'
 * normaliseCodeColour('red') // => null
 */
export function normaliseCodeColour(value: string | null | undefined): string | null {
  const match = value?.trim().match(RGB)
  if (!match) return null
  const hex = match[1]!.toLowerCase()
  return `#${hex.length === 3 ? [...hex].map((d) => d + d).join('') : hex}`
}

/**
 * The palette's colour for the code at `index` (0-based, e.g. how many codes the study had before
 * it), going round the palette.
 *
 * @example defaultCodeColour(0) // => '#e69f00'; defaultCodeColour(7) // => '#e69f00'
 */
export function defaultCodeColour(index: number): string {
  return CODE_PALETTE[((index % CODE_PALETTE.length) + CODE_PALETTE.length) % CODE_PALETTE.length]!
}
