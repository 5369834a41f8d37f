/** The signed-in staff member's own account: changing the password. */
import { useState } from 'react'
import { Field, NewPasswordField } from '../../components/Field'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { call, useAction } from '../request'
import { useMe } from '../session'
import { usePageTitle } from '../ui'

export function AccountPage() {
  usePageTitle(t('staff.account.title'))
  const me = useMe()
  const [form, setForm] = useState({ currentPassword: '', newPassword: '' })
  const [done, setDone] = useState<string | null>(null)
  const change = useAction(async () => {
    const result = await call(api.auth.password.$post({ json: form }))
    setForm({ currentPassword: '', newPassword: '' })
    setDone(t('staff.account.changed', { count: result.endedSessions }))
  })
  return (
    <section className="panel narrow">
      <h1 tabIndex={-1}>{t('staff.account.title')}</h1>
      <p>
        {me.user.name} ({me.user.email})
      </p>
      <form
        aria-labelledby="change-password-heading"
        onSubmit={(e) => {
          e.preventDefault()
          setDone(null)
          void change.run()
        }}
      >
        <h2 id="change-password-heading">{t('staff.account.changePassword')}</h2>
        <p className="muted">{t('staff.account.changePasswordIntro')}</p>
        <input type="email" autoComplete="username" value={me.user.email} readOnly hidden />
        <Field label={t('staff.account.currentPassword')} error={change.fieldError('currentPassword')}>
          {(props) => <input {...props} type="password" autoComplete="current-password" required value={form.currentPassword} onChange={(e) => setForm({ ...form, currentPassword: e.target.value })} />}
        </Field>
        <NewPasswordField label={t('staff.account.newPassword')} value={form.newPassword} onChange={(newPassword) => setForm({ ...form, newPassword })} error={change.fieldError('newPassword')} />
        <ErrorNotice message={change.formError(['currentPassword', 'newPassword'])} />
        <div className="actions">
          <button type="submit" disabled={change.pending}>
            {change.pending ? t('staff.working') : t('staff.account.submit')}
          </button>
          <StatusNotice message={done} />
        </div>
      </form>
    </section>
  )
}
