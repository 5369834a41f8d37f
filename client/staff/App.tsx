/**
 * The staff app: researchers, program leads and group leaders. Routes are matched in the browser
 * (the server sends this page for every path that is not the API). Pages other than first-run
 * set-up and sign-in need a session; without one they go to sign-in and come back afterwards.
 */
import { lazy, Suspense, useEffect, useRef, useState } from 'react'
import { Link, Redirect, Route, Switch, useLocation, useSearch } from 'wouter'
import { api } from '../lib/api'
import { isLanguage, language, languages, t } from '../lib/i18n'
import { chooseStaffLanguage } from './language'
import { CodebookPage } from './pages/CodebookPage'
import { CodingPage } from './pages/CodingPage'
import { CohortPage } from './pages/CohortPage'
import { HomePage } from './pages/HomePage'
import { InterviewPage } from './pages/InterviewPage'
import { InterviewsPage } from './pages/InterviewsPage'
import { ParticipantReportPage } from './pages/ParticipantReportPage'
import { SetupPage } from './pages/SetupPage'
import { AccountPage } from './pages/AccountPage'
import { ResetPasswordPage } from './pages/ResetPasswordPage'
import { SignInPage } from './pages/SignInPage'
import { StudyPage } from './pages/StudyPage'
import { SafetyPage } from './pages/SafetyPage'
import { PooledReportPage } from './pages/PooledReportPage'
import { RetrievalPage } from './pages/RetrievalPage'
import { AuditLogPage } from './pages/AuditLogPage'
import { TranscriptPage } from './pages/TranscriptPage'
import { ApiFailure, call, setUnauthorizedHandler } from './request'
import { SessionProvider, useSession } from './session'
import { Loading, usePageTitle } from './ui'

// The analysis pages bring Observable Plot (and d3) with them: loaded only when opened.
const AnalysisPage = lazy(() => import('./pages/AnalysisPage').then((module) => ({ default: module.AnalysisPage })))
const JointDisplayPage = lazy(() => import('./pages/JointDisplayPage').then((module) => ({ default: module.JointDisplayPage })))
// The all-groups report shares the cohort report's body, which the cohort page loads when its Report tab opens.
const StudyWidePage = lazy(() => import('./pages/StudyWidePage').then((module) => ({ default: module.StudyWidePage })))

export function App() {
  return (
    <SessionProvider>
      <Layout>
        <Switch>
          <Route path="/setup/:token">{(params) => <SetupPage token={params.token} />}</Route>
          <Route path="/sign-in" component={SignInPage} />
          <Route path="/reset/:token">{(params) => <ResetPasswordPage token={params.token} />}</Route>
          <Route>
            <SignedIn>
              <Switch>
                <Route path="/" component={HomePage} />
                <Route path="/account" component={AccountPage} />
                <Route path="/studies/:id">{(params) => <StudyPage id={params.id} />}</Route>
                <Route path="/audit">{() => <AuditLogPage />}</Route>
                <Route path="/studies/:id/audit">{(params) => <AuditLogPage studyId={params.id} />}</Route>
                <Route path="/studies/:id/safety">{(params) => <SafetyPage id={params.id} />}</Route>
                <Route path="/studies/:id/all-groups">
                  {(params) => (
                    <Suspense fallback={<Loading />}>
                      <StudyWidePage id={params.id} />
                    </Suspense>
                  )}
                </Route>
                <Route path="/studies/:id/pooled">{(params) => <PooledReportPage id={params.id} />}</Route>
                <Route path="/studies/:id/coding">{(params) => <CodingPage id={params.id} />}</Route>
                <Route path="/studies/:id/codebook">{(params) => <CodebookPage id={params.id} />}</Route>
                <Route path="/studies/:id/retrieval">{(params) => <RetrievalPage id={params.id} />}</Route>
                <Route path="/studies/:id/analysis/:tab?">
                  {(params) => (
                    <Suspense fallback={<Loading />}>
                      <AnalysisPage id={params.id} tab={params.tab} />
                    </Suspense>
                  )}
                </Route>
                <Route path="/transcripts/:id">{(params) => <TranscriptPage id={params.id} />}</Route>
                <Route path="/interviews" component={InterviewsPage} />
                <Route path="/interviews/:participantId">{(params) => <InterviewPage participantId={params.participantId} />}</Route>
                <Route path="/cohorts/:id/joint-display">
                  {(params) => (
                    <Suspense fallback={<Loading />}>
                      <JointDisplayPage id={params.id} />
                    </Suspense>
                  )}
                </Route>
                <Route path="/cohorts/:id/:tab?">{(params) => <CohortPage id={params.id} tab={params.tab} />}</Route>
                <Route path="/participants/:id">{(params) => <ParticipantReportPage id={params.id} />}</Route>
                <Route component={NotFound} />
              </Switch>
            </SignedIn>
          </Route>
        </Switch>
      </Layout>
    </SessionProvider>
  )
}

/** The frame of every page: the app's name, who is signed in, and the page itself. */
function Layout({ children }: { children: React.ReactNode }) {
  const { me, signedOut } = useSession()
  const [location, navigate] = useLocation()
  const [signOutError, setSignOutError] = useState<string | null>(null)

  // A 401 from any request: the session has ended (expired, or signed out elsewhere).
  useEffect(() => {
    setUnauthorizedHandler(signedOut)
    return () => setUnauthorizedHandler(undefined)
  }, [signedOut])

  // Moving to another page: put the keyboard and screen reader at its heading, as a full page load would.
  const section = location.split('/').slice(0, 3).join('/')
  const previous = useRef(section)
  useEffect(() => {
    if (previous.current === section) return
    previous.current = section
    const frame = requestAnimationFrame(() => (document.querySelector<HTMLElement>('main h1') ?? document.querySelector<HTMLElement>('main'))?.focus())
    return () => cancelAnimationFrame(frame)
  }, [section])

  const signOut = async () => {
    setSignOutError(null)
    try {
      await call(api.auth['sign-out'].$post(), { signInPage: true })
    } catch (error) {
      // A session that has already ended is as good as signed out.
      if (!(error instanceof ApiFailure && error.status === 401)) {
        setSignOutError(error instanceof Error ? error.message : String(error))
        return
      }
    }
    signedOut()
    navigate('/sign-in')
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('staff.nav.skip')}
      </a>
      <header className="app-header">
        <Link href="/" className="brand">
          {t('app.title')}
        </Link>
        <label className="language-choice">
          <span className="visually-hidden">{t('staff.language')}</span>
          <select value={language()} onChange={(e) => isLanguage(e.target.value) && chooseStaffLanguage(e.target.value)} data-testid="staff-language" aria-label={t('staff.language')}>
            {Object.entries(languages).map(([code, { name }]) => (
              <option key={code} value={code} lang={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        {me && (
          <div className="user">
            <span className="user-name">
              {me.user.name}
              {me.user.isAdmin && <span className="badge">{t('staff.admin')}</span>}
            </span>
            <Link href="/account" className="small">
              {t('staff.account.link')}
            </Link>
            <button type="button" className="secondary small" onClick={signOut}>
              {t('staff.signOut')}
            </button>
          </div>
        )}
      </header>
      {signOutError && (
        <p className="notice error" role="alert">
          {signOutError}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}

/** Pages behind sign-in: without a session, go to sign-in and come back here afterwards. */
function SignedIn({ children }: { children: React.ReactNode }) {
  const { me } = useSession()
  const [location] = useLocation()
  const search = useSearch()
  if (me === undefined) return <Loading />
  if (me === null) {
    const here = `${location}${search ? `?${search}` : ''}`
    return <Redirect to={here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`} replace />
  }
  return <>{children}</>
}

function NotFound() {
  usePageTitle(t('staff.notFound.title'))
  return (
    <section className="panel">
      <h1 tabIndex={-1}>{t('staff.notFound.title')}</h1>
      <p>{t('staff.notFound.body')}</p>
      <Link href="/">{t('staff.notFound.home')}</Link>
    </section>
  )
}
