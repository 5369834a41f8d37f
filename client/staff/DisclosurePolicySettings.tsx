/**
 * A study's disclosure-control thresholds for what program leads see. Researchers may raise each one;
 * the server refuses any value below its floor (which is also its default), naming the field.
 */
import { useEffect, useState } from 'react'
import { Field } from '../components/Field'
import { api } from '../lib/api'
import { t, type MessageKey } from '../lib/i18n'
import { call, useResource } from './request'
import { SettingsForm } from './SettingsForm'
import { LoadError, Loading } from './ui'

const fields = [
  ['minN', 'staff.policy.minN'],
  ['orderMinN', 'staff.policy.orderMinN'],
  ['countRedactAtOrBelow', 'staff.policy.redact'],
  ['countRounding', 'staff.policy.rounding'],
] as const satisfies readonly (readonly [string, MessageKey])[]

type Key = (typeof fields)[number][0]

export function DisclosurePolicySettings({ studyId }: { studyId: string }) {
  const policy = useResource(() => call(api.studies[':id']['disclosure-policy'].$get({ param: { id: studyId } })), [studyId])
  const [form, setForm] = useState<Record<Key, string> | null>(null)
  useEffect(() => {
    if (policy.data) setForm(Object.fromEntries(fields.map(([k]) => [k, String(policy.data!.policy[k])])) as Record<Key, string>)
  }, [policy.data])
  if (policy.error) return <LoadError error={policy.error} retry={policy.reload} />
  if (!policy.data || !form) return <Loading />
  const floor = policy.data.floor
  const save = async () => {
    const json = Object.fromEntries(fields.map(([k]) => [k, Number(form[k])])) as Record<Key, number>
    await call(api.studies[':id']['disclosure-policy'].$put({ param: { id: studyId }, json }))
    await policy.reload()
  }
  return (
    <SettingsForm title={t('staff.policy.title')} intro={<p>{t('staff.policy.intro')}</p>} fields={fields.map(([k]) => k)} save={save} submitLabel={t('staff.policy.save')}>
      {(fieldError) =>
        fields.map(([key, label]) => (
          <Field key={key} label={t(label)} hint={t('staff.policy.floor', { n: floor[key] })} error={fieldError(key)} className="short">
            {(props) => <input {...props} type="number" min={floor[key]} max={1000} step={1} required value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />}
          </Field>
        ))
      }
    </SettingsForm>
  )
}
