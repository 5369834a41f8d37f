import type { ReactNode } from 'react'
import { t } from '../lib/i18n'
import { printOnly } from './print'

/**
 * A panel of what the server shows this once and keeps only as hashes (new personal links, letters
 * carrying them): its title, the warning that this is the only time, print and dismiss buttons
 * (after any `actions` of its own), then the content.
 *
 * @param className the section's class; printing sets its class in `printClasses` on <body> while
 *   the browser prints, and the stylesheet (staff.css) then hides the rest of the page
 * @param warningOnPaper whether the warning is printed too (on the link cards: yes; on letters: no)
 * @example
 * <ShownOnce className="letters" title="Letters" testId="letters" onDismiss={close} canPrint={letters.length > 0}>…</ShownOnce>
 */
const printClasses = { 'new-links': 'print-links', letters: 'print-letters' } as const

export function ShownOnce({
  className,
  title,
  testId,
  note,
  actions,
  canPrint = true,
  warningOnPaper = true,
  focusTitle = false,
  onDismiss,
  children,
}: {
  className: keyof typeof printClasses
  title: string
  testId: string
  note?: string
  actions?: ReactNode
  canPrint?: boolean
  warningOnPaper?: boolean
  focusTitle?: boolean
  onDismiss: () => void
  children: ReactNode
}) {
  const titleId = `${className}-title`
  return (
    <section className={className} aria-labelledby={titleId} data-testid={testId}>
      <h3 id={titleId} tabIndex={focusTitle ? -1 : undefined}>
        {title}
      </h3>
      <p className={warningOnPaper ? 'warning' : 'warning no-print'}>
        <strong>{t('staff.links.onceTitle')}</strong> {t('staff.links.onceBody')}
      </p>
      {note && <p>{note}</p>}
      <div className="actions no-print">
        {actions}
        <button type="button" className="secondary small" onClick={() => printOnly(printClasses[className])} disabled={!canPrint}>
          {t('staff.print')}
        </button>
        <button type="button" className="secondary small" onClick={onDismiss}>
          {t('staff.links.dismiss')}
        </button>
      </div>
      {children}
    </section>
  )
}
