import { formatNumber } from '../lib/i18n'

export type FunnelStep = {
  label: string
  /** null when the count may not be shown (suppressed), with `missing` saying why. */
  value: number | null
  missing?: string
}

/**
 * Attrition as a list of counts, each with a bar as wide as its share of the first step. The bars
 * are decoration: the numbers are in the text.
 */
export function Funnel({ steps, label }: { steps: FunnelStep[]; label: string }) {
  const total = steps[0]?.value ?? 0
  return (
    <ol className="funnel" aria-label={label}>
      {steps.map((step) => (
        <li key={step.label}>
          <span className="funnel-label">{step.label}</span>
          <span className="funnel-bar" aria-hidden="true">
            <span style={{ width: `${step.value !== null && total > 0 ? Math.round((100 * step.value) / total) : 0}%` }} />
          </span>
          <span className={step.value === null ? 'funnel-count missing-text' : 'funnel-count'}>{step.value === null ? step.missing : formatNumber(step.value)}</span>
        </li>
      ))}
    </ol>
  )
}
