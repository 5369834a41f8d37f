/**
 * Choosing a code's Table 2 quotation (its meaning unit) from the passages coded with it, across
 * every transcript and coder.
 */
import { useId, useState } from 'react'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useAction, useResource } from '../request'
import { LoadError, Loading } from '../ui'
import { withQuery } from './query'
import type { CodeRow, QuoteRow } from './types'

async function codingsOfCode(studyId: string, codeId: string) {
  const transcripts = await call(api.studies[':id'].transcripts.$get({ param: { id: studyId } }))
  const perTranscript = await Promise.all(
    transcripts.map(async (transcript) => {
      const { codings } = await call(api.transcripts[':id'].codings.$get(withQuery({ param: { id: transcript.id } }, { coders: 'all' })))
      return codings.filter((c) => c.codeId === codeId).map((c) => ({ ...c, participantCode: transcript.participant.code }))
    }),
  )
  return perTranscript.flat()
}

export function memberCheckLabel(quote: QuoteRow): string | null {
  return quote.memberCheck ? t(`staff.quote.memberCheck.${quote.memberCheck.decision}`) : null
}

export function QuoteChooser({ studyId, code, quote, onChanged }: { studyId: string; code: CodeRow; quote: QuoteRow | null; onChanged: () => Promise<void> }) {
  const id = useId()
  const codings = useResource(() => codingsOfCode(studyId, code.id), [studyId, code.id])
  const [choice, setChoice] = useState<string>(quote?.codingId ?? '')
  const choose = useAction(async () => {
    await call(api.codes[':id'].quote.$put({ param: { id: code.id }, json: { codingId: choice } }))
    await onChanged()
  })
  const unchoose = useAction(async () => {
    await call(api.codes[':id'].quote.$delete({ param: { id: code.id } }))
    setChoice('')
    await onChanged()
  })
  return (
    <section className="inline-form" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t('staff.quote.title')}</h3>
      {quote ? (
        <figure className="quote" data-testid="chosen-quote">
          <blockquote>“{quote.text}”</blockquote>
          <figcaption>
            {quote.participantCode}
            {memberCheckLabel(quote) && <span className="badge">{memberCheckLabel(quote)}</span>}
          </figcaption>
        </figure>
      ) : (
        <p className="muted">{t('staff.quote.none')}</p>
      )}
      {codings.error ? (
        <LoadError error={codings.error} retry={codings.reload} />
      ) : !codings.data ? (
        <Loading />
      ) : codings.data.length === 0 ? (
        <p className="muted">{t('staff.quote.noCodings')}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void choose.run()
          }}
        >
          <fieldset className="quote-options">
            <legend>{codings.data.length === 1 ? t('staff.quote.chooseOne') : t('staff.quote.choose', { n: codings.data.length })}</legend>
            {codings.data.map((coding) => (
              <label key={coding.id} className="quote-option">
                <input type="radio" name={`${id}-quote`} value={coding.id} checked={choice === coding.id} onChange={() => setChoice(coding.id)} />
                <span>
                  “{coding.text}” <span className="muted small">— {coding.participantCode}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <ErrorNotice message={choose.error?.message ?? unchoose.error?.message} />
          <div className="actions">
            <button type="submit" className="secondary" disabled={choose.pending || !choice || choice === quote?.codingId}>
              {t('staff.quote.use')}
            </button>
            {quote && (
              <button type="button" className="secondary danger-text" disabled={unchoose.pending} onClick={() => void unchoose.run()}>
                {t('staff.quote.remove')}
              </button>
            )}
          </div>
        </form>
      )}
    </section>
  )
}
