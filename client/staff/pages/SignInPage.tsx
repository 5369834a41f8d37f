/** Sign in with email and password; afterwards, back to the page that asked for it. */
import { useState } from 'react'
import { Redirect, useLocation, useSearch } from 'wouter'
import { Field } from '../../components/Field'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useAction, type ApiFailure } from '../request'
import { useSession } from '../session'
import { usePageTitle } from '../ui'

/** Only paths on this site: `next` comes from the address bar, and must not send anyone elsewhere. */
function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next')
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/'
}

function signInMessage(error: ApiFailure): string {
  if (error.status === 401) return t('staff.signIn.wrong')
  if (error.status === 429) {
    const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds
    const minutes = typeof seconds === 'number' ? Math.max(1, Math.ceil(seconds / 60)) : null
    return minutes === null ? error.message : t('staff.signIn.tooMany', { count: minutes })
  }
  return error.message
}

export function SignInPage() {
  usePageTitle(t('staff.signIn.title'))
  const { me, signedIn } = useSession()
  const [, navigate] = useLocation()
  const next = safeNext(useSearch())
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const signIn = useAction(async () => {
    signedIn(await call(api.auth['sign-in'].$post({ json: { email, password } }), { signInPage: true }))
    navigate(next, { replace: true })
  })
  if (me && !signIn.pending) return <Redirect to={next} replace />

  return (
    <section className="panel narrow">
      <h1 tabIndex={-1}>{t('staff.signIn.title')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void signIn.run()
        }}
      >
        <Field label={t('staff.field.email')}>
          {(props) => <input {...props} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label={t('staff.field.password')}>
          {(props) => <input {...props} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        {signIn.error && <ErrorNotice message={signInMessage(signIn.error)} />}
        <div className="actions">
          <button type="submit" disabled={signIn.pending}>
            {signIn.pending ? t('staff.working') : t('staff.signIn.submit')}
          </button>
        </div>
      </form>
    </section>
  )
}
