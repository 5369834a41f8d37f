/**
 * Choosing a code's Table 2 quotations (its meaning units): one or more of the passages coded with
 * it, across every transcript and coder, in the order Table 2 shows them. The passages come from
 * the retrieval of coded segments, where a passage both coders coded is one passage.
 *
 * A passage in words its participant withdrew at member check (the segment's `withdrawn`, by the
 * rule of server/domain/qualitative/withdrawn.ts) is listed, marked "do not quote", and cannot be
 * added: the server would refuse it (409) anyway, but only after the researcher had picked it.
 */
import { useId } from 'react'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useAction, useResource } from '../request'
import { LoadError, Loading } from '../ui'
import type { CodeRow, QuoteRow } from './types'

export function memberCheckLabel(quote: QuoteRow): string | null {
  return quote.memberCheck ? t(`staff.quote.memberCheck.${quote.memberCheck.decision}`) : null
}

export function QuoteChooser({ studyId, code, quotes, onChanged }: { studyId: string; code: CodeRow; quotes: QuoteRow[]; onChanged: () => Promise<void> }) {
  const id = useId()
  const segments = useResource(() => call(api.studies[':id'].segments.$get({ param: { id: studyId }, query: { code: code.id } })), [studyId, code.id])
  const chosenIds = quotes.map((q) => q.codingId)
  const setOrder = useAction(async (codingIds: string[]) => {
    await call(api.codes[':id'].quotes.$put({ param: { id: code.id }, json: { codingIds } }))
    await onChanged()
  })
  const passages = (segments.data?.segments ?? []).filter((s) => s.code.id === code.id)
  return (
    <section className="inline-form" aria-labelledby={`${id}-heading`} data-testid="quote-chooser">
      <h3 id={`${id}-heading`}>{t('staff.quote.titleMany')}</h3>
      {quotes.length === 0 ? (
        <p className="muted">{t('staff.quote.none')}</p>
      ) : (
        <ol className="chosen-quotes" aria-label={t('staff.quote.chosen')} data-testid="chosen-quotes">
          {quotes.map((quote, i) => (
            <li key={quote.codingId}>
              <figure className="quote" data-testid="chosen-quote">
                <blockquote>“{quote.text}”</blockquote>
                <figcaption>
                  {quote.participantCode}
                  {memberCheckLabel(quote) && <span className="badge">{memberCheckLabel(quote)}</span>}
                </figcaption>
              </figure>
              <div className="actions">
                {i > 0 && (
                  <button type="button" className="secondary small" disabled={setOrder.pending} onClick={() => void setOrder.run([...chosenIds.slice(0, i - 1), quote.codingId, chosenIds[i - 1]!, ...chosenIds.slice(i + 1)])}>
                    {t('staff.quote.up')}
                  </button>
                )}
                <button type="button" className="secondary small danger-text" disabled={setOrder.pending} onClick={() => void setOrder.run(chosenIds.filter((c) => c !== quote.codingId))}>
                  {t('staff.quote.removeOne')}
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      {segments.error ? (
        <LoadError error={segments.error} retry={segments.reload} />
      ) : !segments.data ? (
        <Loading />
      ) : passages.length === 0 ? (
        <p className="muted">{t('staff.quote.noCodings')}</p>
      ) : (
        <>
          <h4>{t('staff.quote.passages', { n: passages.length })}</h4>
          <ul className="plain-list quote-options" data-testid="quote-options">
            {passages.map((passage) => {
              const chosen = passage.codingIds.some((c) => chosenIds.includes(c))
              return (
                <li key={passage.codingIds[0]} className={passage.withdrawn ? 'quote-option withdrawn' : 'quote-option'} data-withdrawn={passage.withdrawn || undefined}>
                  <span>
                    “{passage.text}” <span className="muted small">— {passage.participant.label} · {t('staff.quote.coders', { names: passage.coders.map((c) => c.name).join(', ') })}</span>
                    {passage.withdrawn && (
                      <>
                        {' '}
                        <span className="badge warning" data-testid="withdrawn">
                          {t('staff.retrieval.withdrawn')}
                        </span>
                      </>
                    )}
                  </span>
                  {!chosen && !passage.withdrawn && (
                    <button type="button" className="secondary small" disabled={setOrder.pending} onClick={() => void setOrder.run([...chosenIds, passage.codingIds[0]!])}>
                      {t('staff.quote.add')}
                    </button>
                  )}
                </li>
              )
            })}
          </ul>
        </>
      )}
      <ErrorNotice message={setOrder.error?.message} />
    </section>
  )
}
