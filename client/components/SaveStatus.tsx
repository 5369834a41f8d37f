import { t } from '../lib/i18n'

export type SaveStatusValue = 'saved' | 'saving' | 'offline' | 'error'

const text = {
  saved: 'status.saved',
  saving: 'status.saving',
  offline: 'status.offline',
  error: 'status.error',
} as const

/** Says whether the participant's answers are saved, being saved, or kept on the device for now. */
export function SaveStatus({ status }: { status: SaveStatusValue }) {
  return (
    <div className="save-status" data-status={status} role="status" aria-live="polite" data-testid="save-status">
      {t(text[status])}
    </div>
  )
}
