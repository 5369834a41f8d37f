import { t } from '../lib/i18n'

export type SaveStatusValue = 'saved' | 'saving' | 'kept' | 'unkept' | 'error' | 'not-added'

const text = {
  saved: 'status.saved',
  saving: 'status.saving',
  kept: 'status.kept',
  unkept: 'status.unkept',
  error: 'status.error',
  'not-added': 'status.notAdded',
} as const

/**
 * Says whether the participant's answers are saved (confirmed by the server), being sent, kept on the
 * device for now, or not kept at all because the browser refuses storage (`kept` false); or that some
 * were not added, their questionnaire having been submitted elsewhere first (until the participant has read so).
 */
export function SaveStatus({ status, kept = true }: { status: SaveStatusValue; kept?: boolean }) {
  return (
    <div className="save-status" data-status={status} data-kept={kept ? 'yes' : 'no'} role="status" aria-live="polite" data-testid="save-status">
      {status === 'saved' && !kept ? t('status.unkeptSaved') : t(text[status])}
    </div>
  )
}
