/**
 * The study's qualitative work for other analysis programs, in the REFI-QDA exchange standard: the
 * codebook (.qdc) and, per cohort, the whole project (.qdpx: transcripts, codes, codings, memos).
 * Also the joint displays of its cohorts, which sit on each cohort's page.
 */
import { Link } from 'wouter'
import { api } from '../../../lib/api'
import { t } from '../../../lib/i18n'
import type { StudyDetail } from '../../types'
import { downloadPath } from '../numbers'

export function ExportsTab({ study }: { study: StudyDetail }) {
  const qdc = downloadPath(api.studies[':id']['codebook.qdc'].$url({ param: { id: study.id } }))
  return (
    <>
      <section className="panel" aria-labelledby="exports-heading">
        <h2 id="exports-heading">{t('staff.exports.title')}</h2>
        <p className="muted">{t('staff.exports.intro')}</p>
        <h3>{t('staff.exports.codebook')}</h3>
        <p>{t('staff.exports.codebookAbout')}</p>
        <a className="button secondary" href={qdc} download>
          {t('staff.exports.qdc')}
        </a>
        <h3>{t('staff.exports.project')}</h3>
        <p>{t('staff.exports.projectAbout')}</p>
        {study.cohorts.length === 0 ? (
          <p className="muted">{t('staff.study.noCohorts')}</p>
        ) : (
          <ul className="download-list">
            {study.cohorts.map((cohort) => (
              <li key={cohort.id}>
                <a className="button secondary" href={downloadPath(api.cohorts[':id']['project.qdpx'].$url({ param: { id: cohort.id } }))} download>
                  {t('staff.exports.qdpx', { cohort: cohort.name })}
                </a>
              </li>
            ))}
          </ul>
        )}
        <p className="muted small">{t('staff.exports.logged')}</p>
      </section>
      <section className="panel" aria-labelledby="joint-heading">
        <h2 id="joint-heading">{t('staff.joint.title')}</h2>
        <p className="muted">{t('staff.joint.about')}</p>
        <ul className="link-list">
          {study.cohorts.map((cohort) => (
            <li key={cohort.id}>
              <Link href={`/cohorts/${cohort.id}/joint-display`}>{t('staff.qualitative.jointDisplayOf', { cohort: cohort.name })}</Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  )
}
