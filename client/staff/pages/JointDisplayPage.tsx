/**
 * The joint display of a cohort (mixed methods): each participant's change on one scale and its
 * reliable-change classification beside the codes and quotations of their interview, and a matrix of
 * themes by change group — how many of those who reliably improved spoke of a theme, against those
 * who did not.
 */
import { useState } from 'react'
import { WaveSelect } from '../WaveSelect'
import { ChangeHeaders } from '../../components/ChangeHeaders'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { classLabel } from '../cohort/labels'
import { fixed, score, signed } from '../format'
import { percent } from '../qualitative/numbers'
import { QualitativeTabs } from '../qualitative/StudySection'
import type { ChangeGroup, JointDisplayView, JointParticipant } from '../qualitative/types'
import { call, useResource } from '../request'
import { waveKinds, type WaveKind } from '../types'
import { Breadcrumbs, LoadError, Loading, usePageTitle } from '../ui'
import '../qualitative/qualitative.css'

type Choice = { scale: string; from: WaveKind; to: WaveKind }

function loadJointDisplay(cohortId: string, choice: Choice): Promise<JointDisplayView> {
  const [instrument, scale] = choice.scale ? choice.scale.split('/') : []
  return call(api.cohorts[':id']['joint-display'].$get({ param: { id: cohortId }, query: { from: choice.from, to: choice.to, ...(instrument && scale ? { instrument, scale } : {}) } }))
}

export function JointDisplayPage({ id }: { id: string }) {
  const cohort = useResource(() => call(api.cohorts[':id'].$get({ param: { id } })), [id])
  const [choice, setChoice] = useState<Choice>({ scale: '', from: 'pre', to: 'post' })
  const display = useResource(() => loadJointDisplay(id, choice), [id, choice.scale, choice.from, choice.to])
  usePageTitle(cohort.data ? `${t('staff.joint.title')} · ${cohort.data.name}` : undefined)
  if (cohort.error) return <LoadError error={cohort.error} retry={cohort.reload} />
  if (!cohort.data) return <Loading />
  const c = cohort.data
  const kinds = waveKinds.filter((k) => c.waves.some((w) => w.kind === k))
  const data = display.data
  const current = data?.scale ? `${data.scale.instrument}/${data.scale.scale}` : choice.scale
  return (
    <>
      <Breadcrumbs
        items={[
          { label: t('staff.home.title'), href: '/' },
          { label: c.study.name, href: `/studies/${c.study.id}` },
          { label: c.name, href: `/cohorts/${c.id}` },
          { label: t('staff.joint.title') },
        ]}
      />
      <header className="page-header">
        <h1 tabIndex={-1}>{t('staff.joint.heading', { cohort: c.name })}</h1>
        <p>{t('staff.joint.about')}</p>
      </header>
      <QualitativeTabs studyId={c.study.id} current="analysis" />
      <div className="analysis-toolbar no-print">
        {data && data.scales.length > 0 && (
          <label className="field">
            <span>{t('staff.joint.scale')}</span>
            <select value={current} onChange={(e) => setChoice({ ...choice, scale: e.target.value })}>
              {data.scales.map((s) => (
                <option key={`${s.instrument}/${s.scale}`} value={`${s.instrument}/${s.scale}`}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
        )}
        {kinds.length > 2 && (
          <>
            <WaveSelect label={t('staff.report.from')} value={choice.from} kinds={kinds} onChange={(from) => setChoice({ ...choice, from, to: from === choice.to ? (kinds.find((k) => k !== from) ?? choice.to) : choice.to })} />
            <WaveSelect label={t('staff.report.to')} value={choice.to} kinds={kinds.filter((k) => k !== choice.from)} onChange={(to) => setChoice({ ...choice, to })} />
          </>
        )}
        <button type="button" className="secondary" onClick={() => window.print()}>
          {t('staff.print')}
        </button>
      </div>
      {display.error ? <LoadError error={display.error} retry={display.reload} /> : !data ? <Loading /> : <JointDisplayBody data={data} />}
    </>
  )
}

const groupLabel = (group: ChangeGroup) => t(`staff.joint.group.${group}`)

function JointDisplayBody({ data }: { data: JointDisplayView }) {
  const waves = { from: t(`staff.wave.${data.from}`), to: t(`staff.wave.${data.to}`) }
  if (data.participants.length === 0) return <p className="panel muted">{t('staff.joint.nobody')}</p>
  return (
    <>
      <section className="panel" aria-labelledby="matrix-heading">
        <h2 id="matrix-heading">{t('staff.joint.matrix')}</h2>
        <p className="muted">{data.scale ? t('staff.joint.matrixAbout', { scale: data.scale.label, ...waves }) : t('staff.joint.noScale')}</p>
        {data.matrix.rows.length === 0 ? (
          <p className="muted">{t('staff.joint.noThemes')}</p>
        ) : (
          <div className="table-scroll">
            <table className="data matrix" data-testid="joint-matrix">
              <caption>{t('staff.joint.matrixCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('staff.codebook.level.theme')}</th>
                  {data.matrix.groups.map((g) => (
                    <th scope="col" key={g.group} className="num">
                      {groupLabel(g.group)}
                      <span className="th-note">{t('staff.joint.groupSize', { n: g.interviewed, all: g.all })}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.matrix.rows.map((row) => (
                  <tr key={row.theme?.id ?? 'none'}>
                    <th scope="row">{row.theme?.name ?? t('staff.codebook.ungrouped')}</th>
                    {data.matrix.groups.map((g) => {
                      const n = row.counts[g.group]
                      return (
                        <td key={g.group} className={n === 0 ? 'num count-0' : 'num'}>
                          {g.interviewed === 0 ? '–' : t('staff.joint.cell', { n, of: g.interviewed, percent: percent(n / g.interviewed) })}
                        </td>
                      )
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="joint-participants-heading">
        <h2 id="joint-participants-heading">{t('staff.joint.participants')}</h2>
        <div className="table-scroll">
          <table className="data joint" data-testid="joint-participants">
            <caption>{data.scale ? t('staff.joint.participantsCaption', { scale: data.scale.label, ...waves }) : t('staff.joint.participants')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('staff.interviews.participant')}</th>
                <ChangeHeaders waves={waves} />
                <th scope="col">{t('staff.joint.codes')}</th>
                <th scope="col">{t('staff.joint.quotes')}</th>
              </tr>
            </thead>
            <tbody>
              {data.participants.map((p) => (
                <ParticipantRow key={p.participant.id} p={p} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  )
}

function ParticipantRow({ p }: { p: JointParticipant }) {
  const dash = (value: number | null, format: (v: number) => string) => (value === null ? '–' : format(value))
  return (
    <tr>
      <th scope="row" className="code">
        {p.participant.code}
      </th>
      <td className="num">{dash(p.pre, score)}</td>
      <td className="num">{dash(p.post, score)}</td>
      <td className="num">{dash(p.change, signed)}</td>
      <td className="num">{dash(p.rci, (v) => fixed(v))}</td>
      <td>
        <span className={`class class-${p.classification ?? 'none'}`}>{classLabel(p.classification)}</span>
        <span className="cell-note">{groupLabel(p.group)}</span>
      </td>
      <td>
        {!p.interviewed ? (
          <span className="muted">{t('staff.joint.notInterviewed')}</span>
        ) : p.themes.length === 0 ? (
          <span className="muted">{t('staff.joint.notCoded')}</span>
        ) : (
          <ul className="theme-codes">
            {p.themes.map((theme) => (
              <li key={theme.theme?.id ?? 'none'}>
                <strong>{theme.theme?.name ?? t('staff.codebook.ungrouped')}:</strong> {theme.codes.map((c) => (c.codings > 1 ? `${c.code.name} (${c.codings})` : c.code.name)).join(', ')}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="quote-cell">
        {p.quotes.length === 0 ? (
          <span className="muted">–</span>
        ) : (
          <ul className="quotes">
            {p.quotes.map((q) => (
              <li key={q.codingId}>
                “{q.text}” <span className="muted small">({q.code.name})</span>
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  )
}
