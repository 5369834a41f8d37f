import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import { t } from '../lib/i18n'

/** A question waiting to be confirmed: `subject` is what it is about (the row to delete), null while none is open. */
export type Confirmation<T> = { subject: T | null; ask: (subject: T) => void; cancel: () => void }

/**
 * The state behind a `ConfirmDialog`: `ask(row)` opens the question about `row`, `cancel()` closes it.
 *
 * @example
 * const removal = useConfirmation<Row>()
 * <button onClick={() => removal.ask(row)}>Remove</button>
 * <ConfirmDialog confirmation={removal} title="Remove?" body={(row) => <p>{row.name}</p>} confirmLabel="Remove" onConfirm={(row) => remove(row)} />
 */
export function useConfirmation<T>(): Confirmation<T> {
  const [subject, setSubject] = useState<T | null>(null)
  const cancel = useCallback(() => setSubject(null), [])
  return { subject, ask: setSubject, cancel }
}

/** A text of the dialog: fixed, or made from the subject asked about. */
type Text<T, V> = V | ((subject: T) => V)

function textOf<T, V>(text: Text<T, V>, subject: T): V {
  return typeof text === 'function' ? (text as (subject: T) => V)(subject) : text
}

/**
 * A modal question before something that cannot be undone, open while `confirmation.subject` is set.
 * Confirming closes it first and then calls `onConfirm(subject)`, so a double click cannot run the
 * action twice. The native <dialog> keeps focus inside and closes on Escape.
 */
export function ConfirmDialog<T>({
  confirmation,
  title,
  body,
  confirmLabel,
  danger,
  onConfirm,
}: {
  confirmation: Confirmation<T>
  title: Text<T, string>
  body: Text<T, ReactNode>
  confirmLabel: Text<T, string>
  danger?: Text<T, boolean>
  onConfirm: (subject: T) => void
}) {
  const { subject, cancel } = confirmation
  const open = subject !== null
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const onEscape = (event: Event) => {
      event.preventDefault()
      cancel()
    }
    dialog.addEventListener('cancel', onEscape)
    return () => dialog.removeEventListener('cancel', onEscape)
  }, [cancel])
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-title">
      {subject !== null && (
        <>
          <h2 id="confirm-title">{textOf(title, subject)}</h2>
          <div>{textOf(body, subject)}</div>
          <div className="actions">
            <button
              type="button"
              className={textOf(danger ?? false, subject) ? 'danger' : undefined}
              onClick={() => {
                cancel()
                onConfirm(subject)
              }}
            >
              {textOf(confirmLabel, subject)}
            </button>
            <button type="button" className="secondary" onClick={cancel} autoFocus>
              {t('staff.cancel')}
            </button>
          </div>
        </>
      )}
    </dialog>
  )
}
