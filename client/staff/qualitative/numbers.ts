/** Proportions and agreement statistics for people, in the current language. */
import { language } from '../../lib/i18n'
import { fixed } from '../format'

/** A proportion as a percentage with at most one decimal: 0.05 → "5%", 1/12 → "8.3%". */
export function percent(proportion: number): string {
  return new Intl.NumberFormat(language(), { style: 'percent', maximumFractionDigits: 1 }).format(proportion)
}

/** A κ or other coefficient with two decimals, or a dash when it is undefined. */
export function coefficient(value: number | null): string {
  return value === null ? '–' : fixed(value, 2)
}

/** Where a file download of the API points, as a same-origin path. */
export function downloadPath(url: URL): string {
  return url.pathname + url.search
}
