/** An interviewer's participants: whom to interview, and how far each interview has got. */
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { AssignedParticipants } from '../qualitative/AssignedParticipants'
import { call, useResource } from '../request'
import { Breadcrumbs, LoadError, Loading, usePageTitle } from '../ui'

export function InterviewsPage() {
  usePageTitle(t('staff.interviews.title'))
  const assigned = useResource(() => call(api.interviewer.participants.$get()), [])
  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, { label: t('staff.interviews.title') }]} />
      <header className="page-header">
        <h1 tabIndex={-1}>{t('staff.interviews.title')}</h1>
        <p>{t('staff.interviews.intro')}</p>
      </header>
      <section className="panel">
        {assigned.error ? <LoadError error={assigned.error} retry={assigned.reload} /> : !assigned.data ? <Loading /> : <AssignedParticipants rows={assigned.data} />}
      </section>
    </>
  )
}
