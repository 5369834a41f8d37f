import { useId } from 'react'
import { passwordRule } from '../../server/contracts/password'
import { t } from '../lib/i18n'

export type ControlProps = { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }

/**
 * A labelled form control with an optional hint and the server's message for this field beside it.
 * The control itself is the render prop, given the id and ARIA attributes that tie the three together.
 *
 * @example
 * <Field label="Email" error={fieldError('email')}>{(props) => <input {...props} type="email" />}</Field>
 */
export function Field({ label, hint, error, children, className }: { label: string; hint?: string; error?: string; className?: string; children: (props: ControlProps) => React.ReactNode }) {
  const id = useId()
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div className={`field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': true as const } : {}) })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  )
}

/** A checkbox with its label after it, and the server's message for it when there is one. */
export function CheckboxField({ label, checked, onChange, error, hint, disabled }: { label: string; checked: boolean; onChange: (checked: boolean) => void; error?: string; hint?: string; disabled?: boolean }) {
  const id = useId()
  return (
    <div className={`field checkbox${error ? ' has-error' : ''}`}>
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-describedby={[hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined} />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  )
}

/**
 * A new password, with the server's rule (`server/contracts/password.ts`: its length, and not easy to
 * guess) as its hint and its length as the browser's own check.
 */
export function NewPasswordField({ label, value, onChange, error }: { label: string; value: string; onChange: (password: string) => void; error?: string }) {
  return (
    <Field label={label} hint={t('staff.account.newPasswordHint', { min: passwordRule.minLength })} error={error}>
      {(props) => (
        <input
          {...props}
          type="password"
          autoComplete="new-password"
          required
          minLength={passwordRule.minLength}
          maxLength={passwordRule.maxLength}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  )
}
