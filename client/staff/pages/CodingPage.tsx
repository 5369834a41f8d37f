/** A study's transcripts in the order the interviews were held, each opened for coding. */
import { Link } from 'wouter'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { dateTime, dateTimeIn } from '../format'
import { InterviewAssignments } from '../qualitative/InterviewAssignments'
import { StudySectionHeader } from '../qualitative/StudySection'
import { call, useResource } from '../request'
import { useMe } from '../session'
import { LoadError, Loading, usePageTitle } from '../ui'
import '../qualitative/qualitative.css'

export function CodingPage({ id }: { id: string }) {
  const me = useMe()
  const page = useResource(async () => {
    const [study, transcripts] = await Promise.all([call(api.studies[':id'].$get({ param: { id } })), call(api.studies[':id'].transcripts.$get({ param: { id } }))])
    return { study, transcripts }
  }, [id])
  usePageTitle(page.data ? `${t('staff.coding.title')} · ${page.data.study.name}` : undefined)
  if (page.error) return <LoadError error={page.error} retry={page.reload} />
  if (!page.data) return <Loading />
  const { study, transcripts } = page.data
  return (
    <>
      <StudySectionHeader study={study} current="coding" title={t('staff.coding.title')} />
      <section className="panel" aria-labelledby="transcripts-heading">
        <h2 id="transcripts-heading">{t('staff.coding.transcripts')}</h2>
        <p className="muted">{t('staff.coding.intro')}</p>
        {transcripts.length === 0 ? (
          <p>{t('staff.coding.noTranscripts')}</p>
        ) : (
          <div className="table-scroll">
            <table className="data" data-testid="transcripts">
              <caption className="visually-hidden">{t('staff.coding.transcriptsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    {t('staff.coding.order')}
                  </th>
                  <th scope="col">{t('staff.interviews.transcript')}</th>
                  <th scope="col">{t('staff.coding.heldAtZone', { zone: study.timeZone })}</th>
                  <th scope="col">{t('staff.coding.format')}</th>
                  <th scope="col" className="num">
                    {t('staff.coding.length')}
                  </th>
                  <th scope="col">{t('staff.coding.updatedAt')}</th>
                  <th scope="col">{t('staff.coding.doneBy')}</th>
                </tr>
              </thead>
              <tbody>
                {transcripts.map((transcript) => (
                  <tr key={transcript.id}>
                    <td className="num">{transcript.interviewOrder}</td>
                    <th scope="row">
                      <Link href={`/transcripts/${transcript.id}`}>{t('staff.coding.openTranscript', { code: transcript.participant.code })}</Link>
                    </th>
                    <td>{dateTimeIn(transcript.interviewStartedAt, study.timeZone, false)}</td>
                    <td>{t(`staff.transcript.format.${transcript.format}`)}</td>
                    <td className="num">{transcript.length}</td>
                    <td>{dateTime(transcript.updatedAt)}</td>
                    <td data-testid="done-by">
                      {transcript.done.length === 0 ? (
                        <span className="muted">{t('staff.coding.doneNobody')}</span>
                      ) : (
                        <ul className="plain-list done-list">
                          {transcript.done.map((mark) => (
                            <li key={mark.coderId}>
                              <span aria-hidden="true">✓ </span>
                              {mark.coderId === me.user.id ? t('staff.coding.doneYou', { name: mark.name }) : mark.name}
                              <span className="muted small"> · {dateTime(mark.doneAt)}</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="assignments-heading">
        <h2 id="assignments-heading">{t('staff.assign.title')}</h2>
        <p className="muted">{t('staff.assign.intro')}</p>
        <InterviewAssignments study={study} />
      </section>
    </>
  )
}
