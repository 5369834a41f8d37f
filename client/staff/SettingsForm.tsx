/**
 * One settings panel of the staff app: a heading, an optional introduction, the fields, the server's
 * error when it names none of them, a save button and "Saved" once the save has gone through. The
 * study's settings, its disclosure-control thresholds, its safety settings and its message schedule
 * are all this form with other fields.
 */
import { useId, useState, type ReactNode } from 'react'
import { ErrorNotice, StatusNotice } from '../components/Notice'
import { t } from '../lib/i18n'
import { useAction } from './request'

/** The server's message for one field of the form (from a 422's `details`), if it named that field. */
export type FieldErrorOf = (field: string) => string | undefined

/**
 * @param fields the names the server uses for the form's fields (`supportText.en`): an error naming
 *   one of them shows at that field, any other error under the form
 * @param save sends the form and reloads what it changed; a rejection (an `ApiFailure`) is shown
 * @param children the fields, given the function that finds each one's error
 * @example
 * <SettingsForm title={t('staff.messages.schedule')} fields={['reminderDays']} save={send} submitLabel={t('staff.settings.save')}>
 *   {(fieldError) => <Field label="…" error={fieldError('reminderDays')}>{(props) => <input {...props} />}</Field>}
 * </SettingsForm>
 */
export function SettingsForm({
  title,
  intro,
  fields,
  save,
  submitLabel,
  submitTestId,
  children,
}: {
  title: string
  intro?: ReactNode
  fields: readonly string[]
  save: () => Promise<void>
  submitLabel: string
  submitTestId?: string
  children: (fieldError: FieldErrorOf) => ReactNode
}) {
  const headingId = useId()
  const [saved, setSaved] = useState<string | null>(null)
  const action = useAction(async () => {
    await save()
    setSaved(t('staff.saved'))
  })
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {intro}
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setSaved(null)
          void action.run()
        }}
      >
        {children(action.fieldError)}
        <ErrorNotice message={action.formError(fields)} />
        <div className="actions">
          <button type="submit" disabled={action.pending} data-testid={submitTestId}>
            {submitLabel}
          </button>
          <StatusNotice message={saved} />
        </div>
      </form>
    </section>
  )
}
