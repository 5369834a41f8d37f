/**
 * Choosing a code's colour: the default palette (Okabe–Ito, distinguishable with every common
 * colour-vision deficiency) as radio buttons, each named in words for screen readers and on hover,
 * and the browser's colour input for any other colour. Arrow keys move through the palette, as in
 * any radio group.
 */
import { useId } from 'react'
import { CODE_PALETTE } from '../../../server/domain/qualitative/code-colours'
import { t } from '../../lib/i18n'

/** The palette's colours in words, in CODE_PALETTE's order. */
const paletteNames = [
  'staff.codebook.palette.0',
  'staff.codebook.palette.1',
  'staff.codebook.palette.2',
  'staff.codebook.palette.3',
  'staff.codebook.palette.4',
  'staff.codebook.palette.5',
  'staff.codebook.palette.6',
] as const

export function ColourChoice({ value, onChange, error }: { value: string; onChange: (colour: string) => void; error?: string }) {
  const id = useId()
  const custom = !CODE_PALETTE.some((c) => c === value)
  return (
    <fieldset className="colour-choice" data-testid="colour-choice" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{t('staff.codebook.colour')}</legend>
      <div className="swatches">
        {CODE_PALETTE.map((colour, i) => (
          <label key={colour} className="swatch" title={t(paletteNames[i]!)}>
            <input type="radio" name={`${id}-colour`} value={colour} checked={value === colour} onChange={() => onChange(colour)} />
            <span className="swatch-chip" style={{ background: colour }} aria-hidden="true" />
            <span className="visually-hidden">{t(paletteNames[i]!)}</span>
          </label>
        ))}
        <label className="swatch swatch-custom">
          <input type="color" value={value} onChange={(e) => onChange(e.target.value)} aria-label={t('staff.codebook.colourOther')} />
          <span className={custom ? 'small' : 'small muted'}>{t('staff.codebook.colourOther')}</span>
        </label>
      </div>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  )
}
