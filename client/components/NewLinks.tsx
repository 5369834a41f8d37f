import { t } from '../lib/i18n'
import { CopyButton } from './CopyButton'
import { printOnly } from './print'
import { QrCode } from './QrCode'

export type ShownLink = { id: string; code: string; link: string }

/** Print the links alone, for handing out. */
const printLinks = () => printOnly('print-links')

/**
 * Participants' personal links, shown once: the server keeps only their hashes, so this is the
 * only time anyone can copy them.
 */
export function NewLinks({ links, title, note, onDismiss }: { links: ShownLink[]; title: string; note?: string; onDismiss: () => void }) {
  const all = links.map((l) => `${l.code}\t${l.link}`).join('\n')
  return (
    <section className="new-links" aria-labelledby="new-links-title" data-testid="new-links">
      <h3 id="new-links-title" tabIndex={-1}>
        {title}
      </h3>
      <p className="warning">
        <strong>{t('staff.links.onceTitle')}</strong> {t('staff.links.onceBody')}
      </p>
      {note && <p>{note}</p>}
      <div className="actions no-print">
        {links.length > 1 && <CopyButton text={all} label={t('staff.links.copyAll')} />}
        <button type="button" className="secondary small" onClick={printLinks}>
          {t('staff.print')}
        </button>
        <button type="button" className="secondary small" onClick={onDismiss}>
          {t('staff.links.dismiss')}
        </button>
      </div>
      <ul className="link-cards">
        {links.map((l) => (
          <li key={l.id} className="link-card">
            <QrCode text={l.link} label={t('staff.links.qrLabel', { code: l.code })} />
            <div className="link-card-text">
              <strong className="code">{l.code}</strong>
              <code className="link-text" aria-label={t('staff.links.linkOf', { code: l.code })}>
                {l.link}
              </code>
              <CopyButton text={l.link} accessibleLabel={t('staff.links.copyOf', { code: l.code })} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
