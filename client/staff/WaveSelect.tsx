import { t } from '../lib/i18n'
import type { WaveKind } from './types'

/** Choose one of a cohort's waves (the report's and the joint display's from/to pickers). */
export function WaveSelect({ label, value, kinds, onChange, inline = false }: { label: string; value: WaveKind; kinds: WaveKind[]; onChange: (kind: WaveKind) => void; inline?: boolean }) {
  return (
    <label className={inline ? 'field inline' : 'field'}>
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(kinds.find((k) => k === e.target.value) ?? value)}>
        {kinds.map((k) => (
          <option key={k} value={k}>
            {t(`staff.wave.${k}`)}
          </option>
        ))}
      </select>
    </label>
  )
}
