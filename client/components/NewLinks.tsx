import { t } from '../lib/i18n'
import { CopyButton } from './CopyButton'
import { QrCode } from './QrCode'
import { ShownOnce } from './ShownOnce'

export type ShownLink = { id: string; code: string; link: string }

/**
 * Participants' personal links, shown once: the server keeps only their hashes, so this is the
 * only time anyone can copy them.
 */
export function NewLinks({ links, title, note, onDismiss }: { links: ShownLink[]; title: string; note?: string; onDismiss: () => void }) {
  const all = links.map((l) => `${l.code}\t${l.link}`).join('\n')
  return (
    <ShownOnce className="new-links" title={title} testId="new-links" note={note} focusTitle actions={links.length > 1 && <CopyButton text={all} label={t('staff.links.copyAll')} />} onDismiss={onDismiss}>
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
    </ShownOnce>
  )
}
