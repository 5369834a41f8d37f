import { t } from '../lib/i18n'
import { waveKinds, type WaveKind } from './types'

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

/** The waves a report compares by default: pre, and post when there is one (else the first other kind). */
export function defaultWaves(kinds: readonly WaveKind[]): { from: WaveKind; to: WaveKind } {
  return { from: 'pre', to: kinds.includes('post') ? 'post' : (kinds.find((k) => k !== 'pre') ?? 'post') }
}

/** The kinds of `present`, in the study's order (pre, post, follow-up). */
export function orderedKinds(present: readonly WaveKind[]): WaveKind[] {
  return waveKinds.filter((k) => present.includes(k))
}

/** A report's pair of waves, from and to (another kind than from); shown only when there are more than two kinds to choose from. */
export function WavePairSelect({ kinds, waves, onChange }: { kinds: WaveKind[]; waves: { from: WaveKind; to: WaveKind }; onChange: (waves: { from: WaveKind; to: WaveKind }) => void }) {
  if (kinds.length <= 2) return null
  return (
    <form className="row" onSubmit={(e) => e.preventDefault()} aria-label={t('staff.report.compare')}>
      <WaveSelect inline label={t('staff.report.from')} value={waves.from} kinds={kinds} onChange={(from) => onChange({ from, to: from === waves.to ? (kinds.find((k) => k !== from) ?? waves.to) : waves.to })} />
      <WaveSelect inline label={t('staff.report.to')} value={waves.to} kinds={kinds.filter((k) => k !== waves.from)} onChange={(to) => onChange({ ...waves, to })} />
    </form>
  )
}
