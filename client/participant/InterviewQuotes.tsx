/**
 * Member checking on the participant's own page: the quotations from their interview that the
 * researchers chose to illustrate the findings, each with where it is used, and three answers —
 * confirm, comment, or withdraw — with an optional comment. Shown only when there is a quotation.
 */
import { useEffect, useState } from 'react'
import type { ParticipantQuote, QuoteAnswerBody } from '../../server/contracts/participant'
import { api, errorOf } from '../lib/api'
import { formatDateTime, t } from '../lib/i18n'
import { requestErrorText } from './refusal-text'

type Decision = QuoteAnswerBody['decision']
const decisions: Decision[] = ['confirm', 'comment', 'withdraw']

/** The participant's quotations, or null until loaded (and when they cannot be loaded: nothing to show). */
function useQuotes(token: string) {
  const [quotes, setQuotes] = useState<ParticipantQuote[] | null>(null)
  useEffect(() => {
    let cancelled = false
    void (async () => {
      try {
        const response = await api.p[':token'].quotes.$get({ param: { token } })
        if (response.ok && !cancelled) setQuotes((await response.json()).quotes)
      } catch {
        // No connection: the section appears the next time the page is opened.
      }
    })()
    return () => {
      cancelled = true
    }
  }, [token])
  return [quotes, setQuotes] as const
}

export function InterviewQuotes({ token }: { token: string }) {
  const [quotes, setQuotes] = useQuotes(token)
  if (!quotes || quotes.length === 0) return null
  const replace = (updated: ParticipantQuote) => setQuotes(quotes.map((q) => (q.codingId === updated.codingId ? updated : q)))
  return (
    <section className="card" aria-labelledby="quotes-title" data-testid="interview-quotes">
      <h2 id="quotes-title">{t('participant.quotes.title')}</h2>
      <p>{t('participant.quotes.intro')}</p>
      <ol className="quotes">
        {quotes.map((quote) => (
          <QuoteItem key={quote.codingId} token={token} quote={quote} onAnswered={replace} />
        ))}
      </ol>
    </section>
  )
}

function QuoteItem({ token, quote, onAnswered }: { token: string; quote: ParticipantQuote; onAnswered: (q: ParticipantQuote) => void }) {
  const [editing, setEditing] = useState(quote.answer === null)
  const [decision, setDecision] = useState<Decision | null>(quote.answer?.decision ?? null)
  const [comment, setComment] = useState(quote.answer?.comment ?? '')
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const where = [quote.theme, quote.category, quote.code].filter(Boolean).join(' › ')
  const commentNeeded = decision === 'comment'
  const ready = decision !== null && (!commentNeeded || comment.trim() !== '') && !sending
  const name = `quote-${quote.codingId}`

  const send = async () => {
    if (!ready || decision === null) return
    setSending(true)
    setError(null)
    try {
      const json = comment.trim() === '' ? { decision } : { decision, comment }
      const response = await api.p[':token'].quotes[':codingId'].$post({ param: { token, codingId: quote.codingId }, json })
      if (!response.ok) return setError(requestErrorText(await errorOf(response)))
      onAnswered((await response.json()) as ParticipantQuote)
      setEditing(false)
    } catch {
      setError(t('participant.quotes.offline'))
    } finally {
      setSending(false)
    }
  }

  return (
    <li className="quote" data-testid="quote">
      <blockquote>{quote.text}</blockquote>
      <p className="quote-where">{t('participant.quotes.usedFor', { where })}</p>
      {quote.answer && (
        <div className={`quote-answer quote-answer-${quote.answer.decision}`} role="status">
          <p>{t(`participant.quotes.answered.${quote.answer.decision}`, { at: formatDateTime(quote.answer.answeredAt) })}</p>
          {quote.answer.comment && <p>{t('participant.quotes.yourComment', { comment: quote.answer.comment })}</p>}
        </div>
      )}
      {editing ? (
        <>
          <fieldset>
            <legend>{t('participant.quotes.question')}</legend>
            {decisions.map((d) => (
              <label key={d}>
                <input type="radio" name={name} value={d} checked={decision === d} onChange={() => setDecision(d)} />
                {t(`participant.quotes.${d}`)}
              </label>
            ))}
          </fieldset>
          <label className="quote-comment">
            {t(commentNeeded ? 'participant.quotes.commentRequired' : 'participant.quotes.commentLabel')}
            <textarea value={comment} onChange={(e) => setComment(e.target.value)} maxLength={5000} rows={3} required={commentNeeded} />
          </label>
          {error && <p role="alert">{error}</p>}
          <div className="actions">
            <button onClick={send} disabled={!ready}>
              {sending ? t('participant.quotes.sending') : t('participant.quotes.send')}
            </button>
            {quote.answer && (
              <button className="secondary" onClick={() => (setEditing(false), setDecision(quote.answer!.decision), setComment(quote.answer!.comment ?? ''), setError(null))}>
                {t('participant.quotes.cancel')}
              </button>
            )}
          </div>
        </>
      ) : (
        <button className="secondary" onClick={() => setEditing(true)}>
          {t('participant.quotes.change')}
        </button>
      )}
    </li>
  )
}
