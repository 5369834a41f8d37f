/**
 * A cohort: one closed Balint group. Its sections are shown by role: researchers run the study
 * (participants, waves), group leaders mark attendance, program leads read released reports.
 */
import { lazy, Suspense } from 'react'
import { Link } from 'wouter'
import { t } from '../../lib/i18n'
import { shortDate, shortLastDay } from '../format'
import { ParticipantsTab } from '../cohort/ParticipantsTab'
import { SessionsTab } from '../cohort/SessionsTab'
import { importedWithoutDates, WavesTab } from '../cohort/WavesTab'
import { Table1Tab } from '../cohort/Table1Tab'
import { ExportsTab } from '../cohort/ExportsTab'
import { ReleasesTab } from '../cohort/ReleasesTab'
import { MessagesTab } from '../cohort/MessagesTab'
import { api } from '../../lib/api'
import { call, useResource } from '../request'
import type { CohortDetail, Role } from '../types'
import { Breadcrumbs, LoadError, Loading, RoleBadges, usePageTitle } from '../ui'

// The report brings Observable Plot (and d3) with it: loaded only when the report is opened.
const ReportTab = lazy(() => import('../cohort/ReportTab').then((module) => ({ default: module.ReportTab })))

const tabs = [
  { id: 'participants', roles: ['researcher'] },
  { id: 'waves', roles: ['researcher'] },
  { id: 'messages', roles: ['researcher'] },
  { id: 'sessions', roles: ['researcher', 'group_leader'] },
  { id: 'report', roles: ['researcher'] },
  { id: 'table1', roles: ['researcher'] },
  { id: 'exports', roles: ['researcher'] },
  // Program leads read released snapshots only; researchers release them here.
  { id: 'releases', roles: ['researcher', 'program_lead'] },
] as const satisfies readonly { id: string; roles: readonly Role[] }[]

type TabId = (typeof tabs)[number]['id']

export function CohortPage({ id, tab }: { id: string; tab?: string }) {
  const cohort = useResource(() => call(api.cohorts[':id'].$get({ param: { id } })), [id])
  usePageTitle(cohort.data?.name)
  if (cohort.error) return <LoadError error={cohort.error} retry={cohort.reload} />
  if (!cohort.data) return <Loading />
  const data = cohort.data
  const allowed = tabs.filter((candidate) => candidate.roles.some((role: Role) => data.roles.includes(role)))
  const current = allowed.find((candidate) => candidate.id === tab) ?? allowed[0]

  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, { label: data.study.name, href: `/studies/${data.study.id}` }, { label: data.name }]} />
      <header className="page-header">
        <h1 tabIndex={-1}>{data.name}</h1>
        <CohortFacts cohort={data} />
      </header>
      {current ? (
        <>
          <nav className="tabs no-print" aria-label={t('staff.cohort.sections')}>
            <ul>
              {allowed.map((candidate) => (
                <li key={candidate.id}>
                  <Link href={`/cohorts/${id}/${candidate.id}`} aria-current={candidate.id === current.id ? 'page' : undefined}>
                    {t(`staff.tab.${candidate.id}`)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <TabContent tab={current.id} cohort={data} reloadCohort={cohort.reload} />
        </>
      ) : (
        <p className="panel">{t('staff.cohort.nothingForRole')}</p>
      )}
    </>
  )
}

function TabContent({ tab, cohort, reloadCohort }: { tab: TabId; cohort: CohortDetail; reloadCohort: () => Promise<void> }) {
  switch (tab) {
    case 'participants':
      return <ParticipantsTab cohort={cohort} />
    case 'waves':
      return <WavesTab cohort={cohort} onSaved={reloadCohort} />
    case 'sessions':
      return <SessionsTab cohort={cohort} />
    case 'messages':
      return <MessagesTab cohort={cohort} />
    case 'report':
      return (
        <Suspense fallback={<Loading />}>
          <ReportTab cohort={cohort} />
        </Suspense>
      )
    case 'table1':
      return <Table1Tab cohort={cohort} />
    case 'exports':
      return <ExportsTab cohort={cohort} />
    case 'releases':
      return <ReleasesTab cohort={cohort} />
  }
}

function CohortFacts({ cohort }: { cohort: CohortDetail }) {
  const first = cohort.sessions[0]
  const last = cohort.sessions.at(-1)
  return (
    <dl className="facts">
      <div>
        <dt>{t('staff.cohort.study')}</dt>
        <dd>
          <Link href={`/studies/${cohort.study.id}`}>{cohort.study.name}</Link>
        </dd>
      </div>
      {cohort.leader && (
        <div>
          <dt>{t('staff.cohort.leader')}</dt>
          <dd>{cohort.leader}</dd>
        </div>
      )}
      {cohort.coLeaders.length > 0 && (
        <div>
          <dt>{t('staff.cohort.coLeaders')}</dt>
          <dd>{cohort.coLeaders.join(', ')}</dd>
        </div>
      )}
      <div>
        <dt>{t('staff.cohort.schedule')}</dt>
        <dd>{first && last ? t('staff.cohort.scheduleValue', { count: cohort.sessions.length, first: shortDate(first.startsAt, cohort.study.timeZone), last: shortDate(last.startsAt, cohort.study.timeZone) }) : t('staff.cohort.noSessions')}</dd>
      </div>
      {cohort.waves.length > 0 && (
        <div>
          <dt>{t('staff.cohort.waves')}</dt>
          <dd>
            {cohort.waves.map((wave) => (
              <span key={wave.kind} className="fact-line">
                {t('staff.cohort.wave', {
                  wave: t(`staff.wave.${wave.kind}`),
                  dates: importedWithoutDates(wave) ? t('staff.cohort.waveImported') : t('staff.cohort.waveDates', { opens: shortDate(wave.opensAt, cohort.study.timeZone), closes: shortLastDay(wave.closesAt, cohort.study.timeZone) }),
                })}
              </span>
            ))}
          </dd>
        </div>
      )}
      <div className="no-print">
        <dt>{t('staff.study.yourRoles')}</dt>
        <dd>
          <RoleBadges roles={cohort.roles} />
        </dd>
      </div>
    </dl>
  )
}
