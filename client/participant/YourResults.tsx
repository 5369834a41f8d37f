import type { ParticipantFeedback } from '../../server/contracts/participant'
import { t } from '../lib/i18n'

/**
 * The participant's own results once the post questionnaires are done (where the study shows
 * them): scores and bands before and after, in plain words, without p-values. When a score got worse
 * or an answer raised a safety flag, a sentence of support with the study's contact comes first.
 */
export function YourResults({ feedback }: { feedback: ParticipantFeedback }) {
  return (
    <section className="card results" aria-labelledby="results-heading" data-testid="your-results">
      <h2 id="results-heading">{t('participant.results.title')}</h2>
      {feedback.support && (
        <p className="support" role="note">
          {t(feedback.support.reason === 'flag' ? 'participant.results.supportFlag' : 'participant.results.supportWorse')}{' '}
          {feedback.support.contact ? t('participant.results.contact', { contact: feedback.support.contact }) : t('participant.results.contactTeam')}
        </p>
      )}
      <p>{t('participant.results.intro')}</p>
      <ul className="result-list">
        {feedback.scales.map((s) => (
          <li key={`${s.instrument}/${s.label}`}>
            <strong>{s.label}</strong>
            <div>
              {t('participant.results.before', { score: s.pre, band: s.bandPre ?? '' })}
              {' · '}
              {t('participant.results.after', { score: s.post, band: s.bandPost ?? '' })}
            </div>
            <div className={`change change-${s.change.replace(/ /g, '-')}`}>
              {t(s.change === 'better' ? 'participant.results.better' : s.change === 'worse' ? 'participant.results.worse' : 'participant.results.same')}
              {' '}
              {t(s.direction === 'higher-is-worse' ? 'participant.results.lowerBetter' : 'participant.results.higherBetter')}
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
