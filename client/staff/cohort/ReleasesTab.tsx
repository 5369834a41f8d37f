/**
 * Released reports: what program leads see of a cohort, or of the whole study (all its cohorts
 * together, the same panel with the study's routes). Researchers see what a release made now would
 * show, and why it may not be made yet, and release it; program leads (and researchers) read the
 * released snapshots, each with its date and who released it. Every figure here was rounded or
 * withheld on the server (server/domain/outcomes/disclosure.ts); this page only shows them.
 */
import { lazy, Suspense, useEffect, useState } from 'react'
import { api } from '../../lib/api'
import { inLanguage, t } from '../../lib/i18n'
import { dateTime, percent, released, shortDate } from '../format'
import { call, useAction, useResource } from '../request'
import type { CohortDetail } from '../types'
import { LoadError, Loading } from '../ui'
import { Table1Table } from '../Table1Table'
import type { InferResponseType } from 'hono/client'
import type { WithheldReason } from '../../../server/contracts/withheld'

// Observable Plot (and d3) come with the plots: loaded only when a release has something to draw.
const ReleasedPlots = lazy(() => import('./ReleasedPlots').then((module) => ({ default: module.ReleasedPlots })))

type Release = Exclude<InferResponseType<(typeof api)['releases'][':id']['$get'], 200>, string>
type Content = Release['content']
type Preview = InferResponseType<(typeof api)['cohorts'][':id']['release-preview']['$get'], 200>
type ReleasedP = { value: number; comparator: '=' | '<' }

const dash = '–'
// Every figure in the current language's digits, as the researcher's report shows its own.
const shown = (v: number | null | undefined) => (v === null || v === undefined ? dash : released(v))
/** Why a figure is not shown, in the reader's language; a release made before reasons had codes keeps its English text. */
const because = (text: string, reason: WithheldReason | null | undefined) => (reason ? t(`staff.release.why.${reason.code}`, reason) : text)
const pText = (p: ReleasedP | null | undefined) => (p ? `${p.comparator === '<' ? '< ' : ''}${released(p.value)}` : dash)

/** What releases are of: one cohort, or the whole study. */
export type ReleaseScope = { of: 'cohort' | 'study'; id: string }

const listReleases = (scope: ReleaseScope) =>
  scope.of === 'cohort' ? call(api.cohorts[':id'].releases.$get({ param: { id: scope.id } })) : call(api.studies[':id'].releases.$get({ param: { id: scope.id } }))
const loadPreview = (scope: ReleaseScope): Promise<Preview> =>
  scope.of === 'cohort' ? call(api.cohorts[':id']['release-preview'].$get({ param: { id: scope.id } })) : call(api.studies[':id']['release-preview'].$get({ param: { id: scope.id } }))
const makeRelease = (scope: ReleaseScope) =>
  scope.of === 'cohort' ? call(api.cohorts[':id'].releases.$post({ param: { id: scope.id } })) : call(api.studies[':id'].releases.$post({ param: { id: scope.id } }))

export function ReleasesTab({ cohort }: { cohort: CohortDetail }) {
  return <Releases scope={{ of: 'cohort', id: cohort.id }} researcher={cohort.roles.includes('researcher')} />
}

/** The releases of a cohort or of the whole study; for researchers, the panel to release. */
export function Releases({ scope, researcher }: { scope: ReleaseScope; researcher: boolean }) {
  const list = useResource(() => listReleases(scope), [scope.of, scope.id])
  const [chosen, setChosen] = useState<string | undefined>(undefined)
  useEffect(() => setChosen(list.data?.[0]?.id), [list.data])
  return (
    <>
      {researcher && <ReleasePanel scope={scope} onReleased={list.reload} />}
      <section className="panel" aria-labelledby="releases-heading">
        <h2 id="releases-heading">{t('staff.release.listTitle')}</h2>
        {list.error ? (
          <LoadError error={list.error} retry={list.reload} />
        ) : !list.data ? (
          <Loading />
        ) : list.data.length === 0 ? (
          <p data-testid="no-releases">{t(scope.of === 'study' ? (researcher ? 'staff.studyWide.noneResearcher' : 'staff.studyWide.none') : researcher ? 'staff.release.noneResearcher' : 'staff.release.none')}</p>
        ) : (
          <>
            <label>
              {t('staff.release.choose')}{' '}
              <select value={chosen ?? ''} onChange={(e) => setChosen(e.target.value)}>
                {list.data.map((r) => (
                  <option key={r.id} value={r.id}>
                    {t('staff.release.option', { at: dateTime(r.releasedAt), by: r.releasedBy.name })}
                  </option>
                ))}
              </select>
            </label>
            {chosen && <ReleaseView id={chosen} />}
          </>
        )}
      </section>
    </>
  )
}

/** The researcher's side: the policy, what may be released now, and the button. */
function ReleasePanel({ scope, onReleased }: { scope: ReleaseScope; onReleased: () => Promise<void> }) {
  const preview = useResource(() => loadPreview(scope), [scope.of, scope.id])
  const release = useAction(async () => {
    const made = await makeRelease(scope)
    await Promise.all([onReleased(), preview.reload()])
    return made
  })
  return (
    <section className="panel" aria-labelledby="release-heading">
      <h2 id="release-heading">{t('staff.release.title')}</h2>
      <p>{t(scope.of === 'study' ? 'staff.studyWide.releaseIntro' : 'staff.release.intro')}</p>
      {preview.error ? <LoadError error={preview.error} retry={preview.reload} /> : !preview.data ? <Loading /> : <PreviewState preview={preview.data} />}
      <button type="button" onClick={() => void release.run()} disabled={release.pending || !preview.data?.allowed}>
        {release.pending ? t('staff.working') : t('staff.release.submit')}
      </button>
      {release.error && (
        <p className="notice error" role="alert">
          {release.error.message}
        </p>
      )}
    </section>
  )
}

type Refusal = Preview['refusals'][number]

/** The figure a refusal (or a withholding after corrections) is about, in the reader's language. */
function figureName(about: Refusal['about']): string {
  if (about.kind === 'table1') return t('staff.release.figure.table1', { label: inLanguage(about) })
  const wave = (kind: string) => t(`staff.wave.${kind as 'pre'}`)
  return t('staff.release.figure.scores', { scale: inLanguage(about), wave: wave(about.wave), from: wave(about.from), to: wave(about.to) })
}

/** What to wait for before releasing, in the reader's language. */
function waitFor(r: Refusal): string {
  if (r.rule === 'combination') {
    // differing: how many people the combination gives the total of (0: too many combinations to check).
    if (r.differing === 0) return t('staff.release.wait.combinationUndecided', { minN: r.minN })
    if (r.differing > 1) return t('staff.release.wait.combinationGroup', { count: r.differing, minN: r.minN, more: r.minN - r.differing })
    return t('staff.release.wait.combination', { minN: r.minN })
  }
  return t('staff.release.wait.difference', { differing: r.differing, date: shortDate(r.earlierRelease.releasedAt), more: r.minN - r.differing, minN: r.minN })
}

function PreviewState({ preview }: { preview: Preview }) {
  const p = preview.content.policy
  return (
    <>
      <p className="hint" data-testid="release-policy">
        {t('staff.release.policy', { minN: p.minN, orderMinN: p.orderMinN, redact: p.countRedactAtOrBelow, rounding: p.countRounding })}
      </p>
      {preview.allowed ? (
        <p className="notice info" data-testid="release-allowed">
          {t('staff.release.allowed')}
        </p>
      ) : (
        <div className="notice error" data-testid="release-refused">
          <p>{t('staff.release.refused')}</p>
          <ul>
            {preview.refusals.map((r, i) => (
              <li key={i}>
                <strong>{figureName(r.about)}</strong>: {waitFor(r)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.withheldAfterChanges.length > 0 && (
        <div className="notice info" data-testid="release-withheld-after-changes">
          <p>{t('staff.release.withheldAfterChanges')}</p>
          <ul>
            {preview.withheldAfterChanges.map((about, i) => (
              <li key={i}>{figureName(about)}</li>
            ))}
          </ul>
        </div>
      )}
    </>
  )
}

/** One released snapshot, exactly as released. */
function ReleaseView({ id }: { id: string }) {
  const release = useResource(() => call(api.releases[':id'].$get({ param: { id }, query: { format: 'json' } })) as Promise<Release>, [id])
  if (release.error) return <LoadError error={release.error} retry={release.reload} />
  if (!release.data) return <Loading />
  const r = release.data
  const download = (format: 'csv' | 'md') => {
    const url = api.releases[':id'].$url({ param: { id }, query: { format } })
    return url.pathname + url.search
  }
  return (
    <div data-testid="release-view">
      <p className="notice info" data-testid="release-notice">
        {t('staff.release.notice', { at: dateTime(r.releasedAt), by: r.releasedBy.name, minN: r.content.policy.minN, redact: r.content.policy.countRedactAtOrBelow, rounding: r.content.policy.countRounding })}
      </p>
      <div className="toolbar no-print">
        <a className="button secondary" href={download('csv')} download>
          {t('staff.download.csv')}
        </a>
        <a className="button secondary" href={download('md')} download>
          {t('staff.download.md')}
        </a>
      </div>
      <Funnel content={r.content} />
      {r.content.comparisons.map((c) => (
        <Comparison key={`${c.from}-${c.to}`} comparison={c} />
      ))}
      <ReleasedTable1 table={r.content.table1} />
    </div>
  )
}

function Funnel({ content }: { content: Content }) {
  const f = content.funnel
  const rows: [string, number | null | undefined][] = [
    [t('staff.funnel.enrolled'), f.enrolled],
    [t('staff.funnel.consented'), f.consented],
    ...Object.entries(f.completed).map(([k, v]) => [t('staff.funnel.completedWave', { wave: t(`staff.wave.${k as 'pre'}`) }), v] as [string, number | null | undefined]),
    [t('staff.release.withdrawn'), f.withdrawn],
  ]
  return (
    <>
      <h3>{t('staff.report.participation')}</h3>
      <table className="data" data-testid="release-funnel">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value === null || value === undefined ? t('staff.release.redacted') : released(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

function Comparison({ comparison }: { comparison: Content['comparisons'][number] }) {
  const waves = { from: t(`staff.wave.${comparison.from}`), to: t(`staff.wave.${comparison.to}`) }
  const ms = (x: { mean: number | null; sd: number | null }) => (x.mean === null ? dash : `${released(x.mean)} (${shown(x.sd)})`)
  return (
    <>
      <h3>{t('staff.report.title', waves)}</h3>
      <table className="data" data-testid="release-stats">
        <thead>
          <tr>
            <th scope="col">{t('staff.release.scale')}</th>
            <th scope="col">n</th>
            <th scope="col">{t('staff.release.preMeanSd', waves)}</th>
            <th scope="col">{t('staff.release.postMeanSd', waves)}</th>
            <th scope="col">{t('staff.release.change')}</th>
            <th scope="col">p</th>
            <th scope="col">
              d<sub>z</sub>
            </th>
            <th scope="col">{t('staff.release.withheld')}</th>
          </tr>
        </thead>
        <tbody>
          {comparison.scales.map((s) => (
            <tr key={`${s.instrument}/${s.scale}`} data-scale={`${s.instrument}/${s.scale}`}>
              <th scope="row">{inLanguage(s)}</th>
              <td>{s.n === null ? t('staff.release.redacted') : released(s.n)}</td>
              <td>{ms(s.pre)}</td>
              <td>{ms(s.post)}</td>
              <td>{s.change.mean === null ? dash : `${released(s.change.mean)}${s.change.ci95 ? ` [${released(s.change.ci95[0])}, ${released(s.change.ci95[1])}]` : ''}`}</td>
              <td>{pText(s.pairedT?.p)}</td>
              <td>{shown(s.effectSize?.dz)}</td>
              <td className="hint">{Object.entries(s.withheld).map(([figure, text]) => because(text, s.why?.[figure])).join('; ') || dash}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Suspense fallback={<Loading />}>
        <ReleasedPlots from={waves.from} to={waves.to} scales={comparison.scales} />
      </Suspense>
    </>
  )
}

function ReleasedTable1({ table }: { table: Content['table1'] }) {
  const redacted = t('staff.release.redacted')
  return (
    <>
      <h3>{t('staff.table1.title', { n: table.n ?? redacted })}</h3>
      <Table1Table
        testId="release-table1"
        head={false}
        rows={{
          continuous: table.continuous.map((c) => ({ variable: c.variable, label: c.label, labels: c.labels, value: c.mean === null ? (c.withheld === null ? dash : because(c.withheld, c.why)) : `${released(c.mean)} (${shown(c.sd)})` })),
          categorical: table.categorical.map((c) => ({
            variable: c.variable,
            label: c.label,
            labels: c.labels,
            multiple: c.multiple,
            levels: c.levels.map((l) => ({ value: l.value, label: l.label, labels: l.labels, offered: l.offered, shown: l.n === null ? redacted : `${released(l.n)}${l.percent === null ? '' : ` (${percent(l.percent)})`}` })),
          })),
        }}
      />
    </>
  )
}
