import { useEffect, useRef } from 'react'
import { t } from '../lib/i18n'

/**
 * A modal question before something that cannot be undone. The native <dialog> keeps focus inside
 * and closes on Escape.
 */
export function ConfirmDialog({
  open,
  title,
  body,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
}: {
  open: boolean
  title: string
  body: React.ReactNode
  confirmLabel: string
  danger?: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
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
    const cancel = (event: Event) => {
      event.preventDefault()
      onCancel()
    }
    dialog.addEventListener('cancel', cancel)
    return () => dialog.removeEventListener('cancel', cancel)
  }, [onCancel])
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-title">
      {open && (
        <>
          <h2 id="confirm-title">{title}</h2>
          <div>{body}</div>
          <div className="actions">
            <button type="button" className={danger ? 'danger' : undefined} onClick={onConfirm}>
              {confirmLabel}
            </button>
            <button type="button" className="secondary" onClick={onCancel} autoFocus>
              {t('staff.cancel')}
            </button>
          </div>
        </>
      )}
    </dialog>
  )
}
