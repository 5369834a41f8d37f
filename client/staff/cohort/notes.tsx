/**
 * A statistic that could not be computed is shown as "–" with its reason: in a tooltip, and as a
 * numbered footnote under the table (tooltips are out of reach for keyboard and touch users).
 * Figures withheld from a program lead say so in words instead.
 */
import { Fragment } from 'react'
import { t } from '../../lib/i18n'

/** The reasons cited in one table, numbered in the order they first appear. */
export class Footnotes {
  readonly reasons: string[] = []
  constructor(readonly idPrefix: string) {}

  number(reason: string): number {
    let index = this.reasons.indexOf(reason)
    if (index < 0) index = this.reasons.push(reason) - 1
    return index + 1
  }

  /** The cell for a missing value. Call it while building the table, before rendering `<FootnoteList>`. */
  missing(reason: string): React.ReactNode {
    const n = this.number(reason)
    return (
      <span className="missing" title={reason}>
        <span aria-hidden="true">–</span>
        <span className="visually-hidden">{t('staff.report.notAvailable')}</span>
        <sup>
          <a href={`#${this.idPrefix}-note-${n}`} aria-label={t('staff.report.noteRef', { n })}>
            {n}
          </a>
        </sup>
      </span>
    )
  }

  /**
   * Footnote marks beside a value that is shown (a warning) or said in words ("not assessable"): one
   * superscript, its numbers separated by commas, so that two marks do not read as one number (a
   * newcomer read "4.21" with notes 3 and 4 as "4.21" and "34"). Reasons that are undefined are skipped;
   * none gives nothing.
   */
  ref(...reasons: (string | undefined)[]): React.ReactNode {
    const given = [...new Set(reasons.filter((r): r is string => r !== undefined && r !== ''))]
    if (given.length === 0) return null
    return (
      <sup title={given.join('\n')}>
        {given.map((reason, i) => {
          const n = this.number(reason)
          return (
            <Fragment key={n}>
              {i > 0 && ', '}
              <a href={`#${this.idPrefix}-note-${n}`} aria-label={t('staff.report.noteRef', { n })}>
                {n}
              </a>
            </Fragment>
          )
        })}
      </sup>
    )
  }
}

export function FootnoteList({ notes, title }: { notes: Footnotes; title?: string }) {
  if (notes.reasons.length === 0) return null
  return (
    <div className="footnotes">
      <p className="footnotes-title">{title ?? t('staff.report.notesTitle')}</p>
      <ol>
        {notes.reasons.map((reason, i) => (
          <li key={i} id={`${notes.idPrefix}-note-${i + 1}`}>
            {reason}
          </li>
        ))}
      </ol>
    </div>
  )
}
