/** First run: the one-time set-up link printed by the server creates the first administrator. */
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { Field, NewPasswordField } from '../../components/Field'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useAction } from '../request'
import { useSession } from '../session'
import { usePageTitle } from '../ui'

export function SetupPage({ token }: { token: string }) {
  usePageTitle(t('staff.setup.title'))
  const { signedIn } = useSession()
  const [, navigate] = useLocation()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const setup = useAction(async () => {
    signedIn(await call(api.auth.setup.$post({ json: { token, name, email, password } }), { signInPage: true }))
    navigate('/')
  })
  const linkGone = setup.error?.code === 'link_not_found'
  const alreadyDone = setup.error?.code === 'conflict'

  return (
    <section className="panel narrow">
      <h1 tabIndex={-1}>{t('staff.setup.title')}</h1>
      {linkGone ? (
        <ErrorNotice>
          <p>
            <strong>{t('staff.setup.linkGone')}</strong>
          </p>
          <p>{t('staff.setup.linkGoneHelp')}</p>
        </ErrorNotice>
      ) : (
        <>
          <p>{t('staff.setup.intro')}</p>
          <form
            onSubmit={(e) => {
              e.preventDefault()
              void setup.run()
            }}
          >
            <Field label={t('staff.field.name')} error={setup.fieldError('name')}>
              {(props) => <input {...props} autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field label={t('staff.field.email')} error={setup.fieldError('email')}>
              {(props) => <input {...props} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />}
            </Field>
            <NewPasswordField label={t('staff.field.password')} value={password} onChange={setPassword} error={setup.fieldError('password')} />
            <ErrorNotice message={setup.formError(['name', 'email', 'password'])} />
            <div className="actions">
              <button type="submit" disabled={setup.pending}>
                {setup.pending ? t('staff.working') : t('staff.setup.submit')}
              </button>
            </div>
          </form>
        </>
      )}
      {(linkGone || alreadyDone) && (
        <p>
          <Link href="/sign-in">{t('staff.setup.toSignIn')}</Link>
        </p>
      )}
    </section>
  )
}
