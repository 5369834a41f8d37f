/**
 * The cohort's waves: when the pre, post and follow-up questionnaires open and close, and which
 * questionnaires each asks, in order.
 */
import { useId, useState } from 'react'
import { Field } from '../../components/Field'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { formatClosing, formatDate, formatLastDay, t, type MessageKey } from '../../lib/i18n'
import { isoDay, lastDayOf } from '../format'
import { ApiFailure, call, useAction, useResource } from '../request'
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog'
import { waveKinds, type CohortDetail, type Instrument, type WaveKind } from '../types'
import { LoadError, Loading } from '../ui'

type Wave = CohortDetail['waves'][number]
type Confirmed = { confirmOverlap?: boolean; confirmDateChange?: boolean; confirmRemoval?: boolean }
type WaveQuestion = { code: keyof typeof waveQuestions; details: unknown; confirmed: Confirmed }

/** The refusals the server asks the researcher to confirm (setup.ts, setWave): each one's dialog, and what confirming sends. */
const waveQuestions = {
  waves_overlap: { title: 'staff.waves.overlapTitle', confirm: 'staff.waves.overlapConfirm', confirmed: { confirmOverlap: true } },
  wave_has_answers: { title: 'staff.waves.answersTitle', confirm: 'staff.waves.answersConfirm', confirmed: { confirmDateChange: true } },
  instruments_have_answers: { title: 'staff.waves.removalTitle', confirm: 'staff.waves.removalConfirm', confirmed: { confirmRemoval: true } },
} as const satisfies Record<string, { title: MessageKey; confirm: MessageKey; confirmed: Confirmed }>

/** The question to confirm, from the server's details: which waves overlap, or how many responses the wave has. */
function questionText(q: WaveQuestion): string {
  const details = (typeof q.details === 'object' && q.details !== null ? q.details : {}) as { waves?: unknown; responses?: unknown; instruments?: unknown }
  if (q.code === 'instruments_have_answers') {
    const removed = Array.isArray(details.instruments) ? (details.instruments as { id?: unknown; responses?: unknown }[]) : []
    const count = removed.reduce((sum, i) => sum + (typeof i.responses === 'number' ? i.responses : 0), 0)
    return t('staff.waves.removalQuestion', { count, instruments: removed.map((i) => String(i.id)).join(', ') })
  }
  if (q.code === 'waves_overlap') {
    const kinds = Array.isArray(details.waves) ? details.waves.map((w) => (w as { kind?: unknown }).kind).filter((k): k is WaveKind => waveKinds.includes(k as WaveKind)) : []
    return t('staff.waves.overlapQuestion', { waves: kinds.map((k) => t(`staff.wave.${k}`)).join(', ') })
  }
  return t('staff.waves.answersQuestion', { count: typeof details.responses === 'number' ? details.responses : 0 })
}

export function WavesTab({ cohort, onSaved }: { cohort: CohortDetail; onSaved: () => Promise<void> }) {
  const instruments = useResource(() => call(api.instruments.$get()), [])
  if (instruments.error) return <LoadError error={instruments.error} retry={instruments.reload} />
  if (!instruments.data) return <Loading />
  const questionnaires = instruments.data.filter((i) => i.kind === 'questionnaire')
  return (
    <div className="tab-panel">
      <p className="muted">{t('staff.waves.intro', { zone: cohort.study.timeZone })}</p>
      <div className="wave-grid">
        {waveKinds.map((kind) => (
          <WaveForm key={kind} kind={kind} cohortId={cohort.id} timeZone={cohort.study.timeZone} studyLanguage={cohort.study.language} wave={cohort.waves.find((w) => w.kind === kind)} waves={cohort.waves} questionnaires={questionnaires} onSaved={onSaved} />
        ))}
      </div>
    </div>
  )
}

/**
 * Whether a wave was made by an import and never given dates: it opens and closes at the instant of
 * the import (server/domain/outcomes/import.ts), so nobody answers it at a link.
 */
export const importedWithoutDates = (wave: Pick<Wave, 'source' | 'opensAt' | 'closesAt'> | undefined) => wave !== undefined && wave.source === 'import' && wave.opensAt === wave.closesAt

/** The wave's state now, with its dates in the study's zone (the closing moment with the zone's name). */
function waveStateText(wave: Wave, timeZone: string): string {
  if (importedWithoutDates(wave)) return t('staff.waves.importedNoDates')
  const now = Date.now()
  if (now < new Date(wave.opensAt).getTime()) return t('staff.waveState.upcoming', { opens: formatDate(wave.opensAt, timeZone) })
  if (now >= new Date(wave.closesAt).getTime()) return t('staff.waveState.closed', { closes: formatLastDay(wave.closesAt, timeZone) })
  return t('staff.waveState.open', { closes: formatClosing(wave.closesAt, timeZone) })
}

/**
 * For a study in another language than English: whether a questionnaire exists in it. We ship a
 * questionnaire's Persian only from a published validated translation that may be reproduced, so most
 * stay English-only, and participants would see them in English.
 */
function TranslationNote({ instrument, studyLanguage }: { instrument: Instrument | undefined; studyLanguage: string }) {
  if (!instrument || studyLanguage === 'en') return null
  const translation = instrument.translations.find((t) => t.language === studyLanguage)
  if (!instrument.languages.includes(studyLanguage)) {
    return (
      <span className="cell-note warning" data-testid="english-only">
        {t('staff.waves.englishOnly')}
      </span>
    )
  }
  return translation ? <span className="cell-note">{t('staff.waves.translated', { name: instrument.title, source: translation.source })}</span> : null
}

function WaveForm({
  kind,
  cohortId,
  timeZone,
  studyLanguage,
  wave,
  waves,
  questionnaires,
  onSaved,
}: {
  kind: WaveKind
  cohortId: string
  timeZone: string
  studyLanguage: string
  wave: Wave | undefined
  waves: Wave[]
  questionnaires: Instrument[]
  onSaved: () => Promise<void>
}) {
  const headingId = useId()
  const addId = useId()
  // The date inputs show and take days in the study's zone, as the server reads them. An imported
  // wave has no dates to show: shown as the day of its import, saving it unchanged opened it that day
  // and sent its invitation (found by two reviews), so the researcher gives it dates to open it.
  const dated = wave !== undefined && !importedWithoutDates(wave)
  const [opens, setOpens] = useState(dated ? isoDay(wave.opensAt, timeZone) : '')
  const [closes, setCloses] = useState(dated ? lastDayOf(wave.closesAt, timeZone) : '')
  const [chosen, setChosen] = useState<string[]>(wave?.instruments ?? [])
  const [toAdd, setToAdd] = useState('')
  const [saved, setSaved] = useState<string | null>(null)
  // The server refuses overlapping waves, and new dates for a wave with answers, until the researcher confirms.
  const question = useConfirmation<WaveQuestion>()
  const save = useAction(async (confirmed: Confirmed = {}) => {
    try {
      await call(api.cohorts[':id'].waves[':kind'].$put({ param: { id: cohortId, kind }, json: { opens, closes, instruments: chosen, ...confirmed } }))
    } catch (error) {
      if (error instanceof ApiFailure && Object.hasOwn(waveQuestions, error.code)) {
        question.ask({ code: error.code as WaveQuestion['code'], details: error.details, confirmed })
        return
      }
      throw error
    }
    setSaved(t('staff.saved'))
    await onSaved()
  })
  const titleOf = (id: string) => questionnaires.find((q) => q.id === id)?.title ?? id
  const versionOf = (id: string) => {
    const instrument = questionnaires.find((q) => q.id === id)
    return instrument ? `${instrument.id} ${instrument.version}` : ''
  }
  const available = questionnaires.filter((q) => !chosen.includes(q.id))
  const move = (index: number, by: -1 | 1) => {
    const next = [...chosen]
    const [item] = next.splice(index, 1)
    next.splice(index + by, 0, item!)
    setChosen(next)
    setSaved(null)
  }
  const other = waves.find((w) => w.kind !== kind && w.instruments.length > 0)

  return (
    <section className="panel wave" aria-labelledby={headingId} data-wave={kind}>
      <h2 id={headingId}>{t(`staff.wave.${kind}`)}</h2>
      <p className="muted">{wave ? waveStateText(wave, timeZone) : t('staff.waves.notSet')}</p>
      {wave?.warnings.map((w) => (
        <p key={w.code} className="notice warning" data-testid={`wave-warning-${w.code}`}>
          {t(`staff.waves.warning.${w.code}`, { session: formatDate(w.sessionStartsAt, timeZone) })}
        </p>
      ))}
      <ConfirmDialog
        confirmation={question}
        title={(q) => t(waveQuestions[q.code].title)}
        body={(q) => <p>{questionText(q)}</p>}
        confirmLabel={(q) => t(waveQuestions[q.code].confirm)}
        onConfirm={(q) => void save.run({ ...q.confirmed, ...waveQuestions[q.code].confirmed })}
      />
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setSaved(null)
          void save.run()
        }}
      >
        <div className="row">
          <Field label={t('staff.waves.opens')} error={save.fieldError('opens')}>
            {(props) => <input {...props} type="date" required value={opens} onChange={(e) => (setOpens(e.target.value), setSaved(null))} />}
          </Field>
          <Field label={t('staff.waves.closes')} hint={t('staff.waves.closesHint')} error={save.fieldError('closes')}>
            {(props) => <input {...props} type="date" required value={closes} onChange={(e) => (setCloses(e.target.value), setSaved(null))} />}
          </Field>
        </div>
        <fieldset className={save.fieldError('instruments') ? 'has-error' : undefined} aria-describedby={save.fieldError('instruments') ? `${headingId}-instruments-error` : undefined}>
          <legend>{t('staff.waves.questionnaires')}</legend>
          {chosen.length === 0 ? (
            <p className="muted">{t('staff.waves.noneChosen')}</p>
          ) : (
            <ol className="instrument-order">
              {chosen.map((id, index) => (
                <li key={id}>
                  <div className="instrument-row">
                    <span className="instrument-name">
                      {titleOf(id)}
                      <span className="cell-note">{versionOf(id)}</span>
                      <TranslationNote instrument={questionnaires.find((q) => q.id === id)} studyLanguage={studyLanguage} />
                    </span>
                    <span className="order-buttons">
                      <button type="button" className="secondary small" disabled={index === 0} onClick={() => move(index, -1)} aria-label={t('staff.waves.moveUp', { name: titleOf(id) })}>
                        ↑
                      </button>
                      <button type="button" className="secondary small" disabled={index === chosen.length - 1} onClick={() => move(index, 1)} aria-label={t('staff.waves.moveDown', { name: titleOf(id) })}>
                        ↓
                      </button>
                      <button type="button" className="secondary small" onClick={() => (setChosen(chosen.filter((c) => c !== id)), setSaved(null))} aria-label={t('staff.waves.remove', { name: titleOf(id) })}>
                        {t('staff.waves.removeShort')}
                      </button>
                    </span>
                  </div>
                </li>
              ))}
            </ol>
          )}
          {available.length > 0 && (
            <div className="row add-instrument">
              <div className="field">
                <label htmlFor={addId}>{t('staff.waves.add')}</label>
                <select id={addId} value={toAdd} onChange={(e) => setToAdd(e.target.value)}>
                  <option value="">{t('staff.waves.choose')}</option>
                  {available.map((q) => (
                    <option key={q.id} value={q.id}>
                      {q.title}
                    </option>
                  ))}
                </select>
              </div>
              <button
                type="button"
                className="secondary"
                disabled={!toAdd}
                onClick={() => {
                  setChosen([...chosen, toAdd])
                  setToAdd('')
                  setSaved(null)
                }}
              >
                {t('staff.waves.addButton')}
              </button>
            </div>
          )}
          {other && chosen.length === 0 && (
            <button type="button" className="link" onClick={() => setChosen(other.instruments)}>
              {t('staff.waves.same', { wave: t(`staff.wave.${other.kind}`) })}
            </button>
          )}
          {save.fieldError('instruments') && (
            <p className="field-error" id={`${headingId}-instruments-error`}>
              {save.fieldError('instruments')}
            </p>
          )}
        </fieldset>
        <ErrorNotice message={save.formError(['opens', 'closes', 'instruments'])} />
        <div className="actions">
          <button type="submit" disabled={save.pending}>
            {t('staff.waves.save', { wave: t(`staff.wave.${kind}`) })}
          </button>
          <StatusNotice message={saved} />
        </div>
      </form>
    </section>
  )
}
