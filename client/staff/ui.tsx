/** Small pieces every staff page uses: the page title, loading and error states, breadcrumbs, role names. */
import { useEffect } from 'react'
import { Link } from 'wouter'
import { ErrorNotice } from '../components/Notice'
import { t } from '../lib/i18n'
import type { ApiFailure } from './request'
import type { Role, TrackingRow } from './types'

/** The browser tab's title: the page's own, then the app's name. */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · ${t('app.title')}` : t('app.title')
  }, [title])
}

export function Loading() {
  return (
    <p className="loading" role="status">
      {t('loading')}
    </p>
  )
}

/** A page that could not be loaded: the server's message, and a way to try again. */
export function LoadError({ error, retry }: { error: ApiFailure; retry?: () => void }) {
  return (
    <ErrorNotice message={error.message}>
      {retry && error.status !== 404 && error.status !== 403 && (
        <button type="button" className="secondary small" onClick={retry}>
          {t('staff.retry')}
        </button>
      )}
    </ErrorNotice>
  )
}

export function Breadcrumbs({ items }: { items: { label: string; href?: string }[] }) {
  return (
    <nav className="breadcrumbs" aria-label={t('staff.nav.breadcrumbs')}>
      <ol>
        {items.map((item, i) => (
          <li key={i}>{item.href ? <Link href={item.href}>{item.label}</Link> : <span aria-current="page">{item.label}</span>}</li>
        ))}
      </ol>
    </nav>
  )
}

export function roleLabel(role: Role): string {
  return t(`staff.role.${role}`)
}

export function RoleBadges({ roles }: { roles: readonly Role[] }) {
  return (
    <span className="badges">
      {roles.map((role) => (
        <span key={role} className="badge">
          {roleLabel(role)}
        </span>
      ))}
    </span>
  )
}

type ParticipantStatus = TrackingRow['status']
const participantStatuses: readonly ParticipantStatus[] = ['invited', 'consented', 'active', 'withdrawn']

/** A participant's status in words (the participant report types it as a plain string). */
export function participantStatusLabel(status: string): string {
  const known = participantStatuses.find((s) => s === status)
  return known ? t(`staff.participantStatus.${known}`) : status
}
