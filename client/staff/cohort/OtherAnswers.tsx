/**
 * What participants wrote beside "Other" in the demographics form, text by text with how many wrote
 * it: for researchers only (the server refuses anyone else), never part of a release.
 */
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useResource } from '../request'
import { LoadError, Loading } from '../ui'

export function OtherAnswers({ cohortId }: { cohortId: string }) {
  const other = useResource(() => call(api.cohorts[':id'].table1['other-answers'].$get({ param: { id: cohortId } })), [cohortId])
  if (other.error) return <LoadError error={other.error} retry={other.reload} />
  if (!other.data) return <Loading />
  return (
    <section className="panel" aria-labelledby="other-answers-heading" data-testid="other-answers">
      <h2 id="other-answers-heading">{t('staff.otherAnswers.title')}</h2>
      <p>{t('staff.otherAnswers.intro')}</p>
      {other.data.questions.map((q) => (
        <div key={q.variable}>
          <h3>{t('staff.otherAnswers.question', { label: q.label, n: q.other })}</h3>
          {q.answers.length === 0 ? (
            <p>{t('staff.otherAnswers.none')}</p>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('staff.otherAnswers.text')}</th>
                  <th scope="col">{t('staff.otherAnswers.count')}</th>
                </tr>
              </thead>
              <tbody>
                {q.answers.map((a) => (
                  <tr key={a.text}>
                    <th scope="row" dir="auto">
                      {a.text}
                    </th>
                    <td>{a.n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </section>
  )
}
