import { t } from '../lib/i18n'

export type SaveStatusValue = 'saved' | 'saving' | 'kept' | 'unkept' | 'unread' | 'error' | 'not-added'

const text = {
  saved: 'status.saved',
  saving: 'status.saving',
  kept: 'status.kept',
  unkept: 'status.unkept',
  unread: 'status.unread',
  error: 'status.error',
  'not-added': 'status.notAdded',
} as const

/**
 * Says whether the participant's answers are saved (confirmed by the server), being sent, kept on the
 * device for now, or not kept at all because the browser refuses storage (`kept` false); or that the
 * device's storage did not open, so answers kept there from an earlier visit are not sent yet; or that some
 * were not added, their questionnaire having been submitted elsewhere first (until the participant has read so).
 */
export function SaveStatus({ status, kept = true }: { status: SaveStatusValue; kept?: boolean }) {
  return (
    <div className="save-status" data-status={status} data-kept={kept ? 'yes' : 'no'} role="status" aria-live="polite" data-testid="save-status">
      {status === 'saved' && !kept ? t('status.unkeptSaved') : t(text[status])}
    </div>
  )
}
