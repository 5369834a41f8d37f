/**
 * A one-time password link (`/reset/:token`): made by an administrator for a reset, or printed by
 * `balint admin create`. Shows whose account it is, then asks for the new password and signs in.
 */
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { NewPasswordField } from '../../components/Field'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useAction, useResource } from '../request'
import { useSession } from '../session'
import { Loading, usePageTitle } from '../ui'

export function ResetPasswordPage({ token }: { token: string }) {
  usePageTitle(t('staff.reset.title'))
  const { signedIn } = useSession()
  const [, navigate] = useLocation()
  const owner = useResource(() => call(api.auth['password-link'][':token'].$get({ param: { token } }), { signInPage: true }), [token])
  const [password, setPassword] = useState('')
  const save = useAction(async () => {
    signedIn(await call(api.auth['password-link'].$post({ json: { token, password } }), { signInPage: true }))
    navigate('/')
  })
  const linkGone = owner.error?.code === 'link_not_found' || save.error?.code === 'link_not_found'

  return (
    <section className="panel narrow">
      <h1 tabIndex={-1}>{t('staff.reset.title')}</h1>
      {linkGone ? (
        <>
          <ErrorNotice>
            <p>
              <strong>{t('staff.reset.linkGone')}</strong>
            </p>
            <p>{t('staff.reset.linkGoneHelp')}</p>
          </ErrorNotice>
          <p>
            <Link href="/sign-in">{t('staff.setup.toSignIn')}</Link>
          </p>
        </>
      ) : owner.error ? (
        <ErrorNotice message={owner.error.message} />
      ) : !owner.data ? (
        <Loading />
      ) : (
        <>
          <p>{t('staff.reset.intro', { name: owner.data.name, email: owner.data.email })}</p>
          <form
            onSubmit={(e) => {
              e.preventDefault()
              void save.run()
            }}
          >
            <input type="email" autoComplete="username" value={owner.data.email} readOnly hidden />
            <NewPasswordField label={t('staff.account.newPassword')} value={password} onChange={setPassword} error={save.fieldError('password')} />
            <ErrorNotice message={save.formError(['password'])} />
            <div className="actions">
              <button type="submit" disabled={save.pending}>
                {save.pending ? t('staff.working') : t('staff.reset.submit')}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  )
}
