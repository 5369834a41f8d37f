/**
 * The study's own demographics form (issue 17, part 4): which loaded demographics form participants
 * answer, and choices added to its choice lists (the study's occupations, say), each with a label the
 * researcher types in every language the form is shown in. The server keeps each change as a new
 * version of the form, so answers already given keep the form they were given on.
 */
import { useState } from 'react'
import { Field } from '../components/Field'
import { ErrorNotice, StatusNotice } from '../components/Notice'
import { api } from '../lib/api'
import { t } from '../lib/i18n'
import { call, useAction, useResource } from './request'
import { LoadError, Loading } from './ui'

const languageName = (code: string) => (code === 'fa' ? t('staff.forms.language.fa') : code === 'en' ? t('staff.forms.language.en') : code)

export function StudyFormSettings({ studyId }: { studyId: string }) {
  const view = useResource(() => call(api.studies[':id']['demographics-form'].$get({ param: { id: studyId } })), [studyId])
  const [chosen, setChosen] = useState<string | null>(null)
  const [question, setQuestion] = useState<string | null>(null)
  const [labels, setLabels] = useState<Record<string, string>>({})
  const [value, setValue] = useState('')
  const [saved, setSaved] = useState<string | null>(null)
  const choose = useAction(async () => {
    await call(api.studies[':id']['demographics-form'].$put({ param: { id: studyId }, json: { instrumentId: chosen! } }))
    setSaved(t('staff.saved'))
    await view.reload()
  })
  const add = useAction(async () => {
    const q = question ?? view.data!.questions[0]!.name
    const json = { labels: Object.fromEntries(Object.entries(labels).filter(([, v]) => v.trim() !== '')), ...(value.trim() ? { value: value.trim() } : {}) }
    const result = await call(api.studies[':id']['demographics-form'].questions[':question'].choices.$post({ param: { id: studyId, question: q }, json }))
    setSaved(t('staff.forms.addedNotice', { label: result.added.text.en ?? result.added.value }))
    setLabels({})
    setValue('')
    await view.reload()
  })
  if (view.error) return <LoadError error={view.error} retry={view.reload} />
  if (!view.data) return <Loading />
  const data = view.data
  const current = question ?? data.questions[0]?.name ?? ''
  const selected = data.questions.find((q) => q.name === current)
  return (
    <section className="panel" aria-labelledby="forms-heading" data-testid="study-forms">
      <h2 id="forms-heading">{t('staff.forms.title')}</h2>
      <p>{t('staff.forms.intro')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setSaved(null)
          void choose.run()
        }}
      >
        {/* The version is isolated (U+2066 … U+2069) so that it reads left to right inside Persian text. */}
        <Field label={t('staff.forms.form')} hint={data.locked ? t('staff.forms.locked', { n: data.locked.responses }) : t('staff.forms.version', { version: `\u2066${data.demographics.version}\u2069` })}>
          {(props) => (
            <select {...props} value={chosen ?? data.demographics.id} disabled={data.locked !== null} onChange={(e) => setChosen(e.target.value)}>
              {data.available.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.title} ({f.id} {f.version})
                </option>
              ))}
            </select>
          )}
        </Field>
        <ErrorNotice message={choose.formError(['instrumentId'])} />
        {data.locked === null && (
          <div className="actions">
            <button type="submit" className="secondary" disabled={choose.pending || (chosen ?? data.demographics.id) === data.demographics.id}>
              {t('staff.forms.choose')}
            </button>
          </div>
        )}
      </form>

      {selected && (
        <>
          <h3>{t('staff.forms.choices', { question: selected.title })}</h3>
          <ul data-testid="study-form-choices">
            {selected.choices.map((c) => (
              <li key={c.value}>
                {data.demographics.languages.map((l) => c.labels[l]).filter(Boolean).join(' · ')} <code>{c.value}</code>
                {c.added ? ` — ${t('staff.forms.added')}` : ''}
              </li>
            ))}
            {selected.other && <li>{t('staff.forms.other')}</li>}
          </ul>
        </>
      )}

      <h3>{t('staff.forms.addTitle')}</h3>
      <p className="hint">{t('staff.forms.addNote')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setSaved(null)
          void add.run()
        }}
      >
        <Field label={t('staff.forms.question')}>
          {(props) => (
            <select {...props} value={current} onChange={(e) => setQuestion(e.target.value)}>
              {data.questions.map((q) => (
                <option key={q.name} value={q.name}>
                  {q.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        {data.demographics.languages.map((language) => (
          <Field key={language} label={t('staff.forms.label', { language: languageName(language) })} hint={t('staff.forms.labelHint')} error={add.fieldError(`labels.${language}`)}>
            {(props) => <input {...props} lang={language} dir={language === 'fa' ? 'rtl' : 'ltr'} required maxLength={200} value={labels[language] ?? ''} onChange={(e) => setLabels({ ...labels, [language]: e.target.value })} />}
          </Field>
        ))}
        <Field label={t('staff.forms.value')} hint={t('staff.forms.valueHint')} error={add.fieldError('value')} className="short">
          {(props) => <input {...props} dir="ltr" pattern="[a-z][a-z0-9_]*" maxLength={63} value={value} onChange={(e) => setValue(e.target.value)} />}
        </Field>
        <ErrorNotice message={add.formError(['value', ...data.demographics.languages.map((l) => `labels.${l}`)])} />
        <div className="actions">
          <button type="submit" disabled={add.pending || !selected}>
            {t('staff.forms.add')}
          </button>
          <StatusNotice message={saved} />
        </div>
      </form>
    </section>
  )
}
