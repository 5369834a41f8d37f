/**
 * The colour a code is drawn in: its own, or, for a code made before codes had colours
 * (migration 0070), the default palette's colour for its place in the study's codebook.
 */
import { defaultCodeColour } from '../../../server/domain/qualitative/code-colours'
import type { CodeRow } from './types'

/** Each code's colour by id; `codes` in the order the API lists them (creation order). */
export function codeColours(codes: readonly CodeRow[]): Map<string, string> {
  return new Map(codes.map((code, i) => [code.id, code.color ?? defaultCodeColour(i)]))
}
