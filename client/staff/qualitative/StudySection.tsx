/** The frame of a study's qualitative pages: where you are, and tabs between coding, codebook and analysis. */
import { Link } from 'wouter'
import { t } from '../../lib/i18n'
import type { StudyDetail } from '../types'
import { Breadcrumbs } from '../ui'

export const qualitativeSections = ['coding', 'codebook', 'retrieval', 'analysis'] as const
export type QualitativeSection = (typeof qualitativeSections)[number]

export function StudySectionHeader({ study, current, title, trail = [] }: { study: { id: string; name: string }; current: QualitativeSection; title: string; trail?: { label: string; href?: string }[] }) {
  return (
    <>
      <Breadcrumbs items={[{ label: t('staff.home.title'), href: '/' }, { label: study.name, href: `/studies/${study.id}` }, ...trail, { label: title }]} />
      <header className="page-header">
        <h1 tabIndex={-1}>{title}</h1>
      </header>
      <QualitativeTabs studyId={study.id} current={current} />
    </>
  )
}

export function QualitativeTabs({ studyId, current }: { studyId: string; current?: QualitativeSection }) {
  return (
    <nav className="tabs no-print" aria-label={t('staff.qualitative.sections')}>
      <ul>
        {qualitativeSections.map((section) => (
          <li key={section}>
            <Link href={`/studies/${studyId}/${section}`} aria-current={section === current ? 'page' : undefined}>
              {t(`staff.qualitative.${section}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}

/** Whether the signed-in user may do this study's qualitative analysis. */
export const isResearcher = (study: StudyDetail) => study.roles.includes('researcher')
