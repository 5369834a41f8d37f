/**
 * Retrieval and search across a study's transcripts, as CAQDAS offers them (MAXQDA's Retrieved
 * Segments, NVivo's code references): every passage coded with a code (and, by choice, the codes
 * below it), with its participant, role and the words around it, filtered by the participant's role
 * and change group, exportable as CSV; and full-text search in the transcripts. Each passage and hit
 * links to its place in the transcript. One in words its participant withdrew in member checking is
 * marked: still listed for analysis, never to be quoted.
 */
import { useEffect, useMemo, useState } from 'react'
import { Link } from 'wouter'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { formatNumber, t } from '../../lib/i18n'
import { codeColours } from '../qualitative/code-colour'
import { codePath } from '../qualitative/codebook-tree'
import { downloadPath } from '../qualitative/numbers'
import { StudySectionHeader } from '../qualitative/StudySection'
import type { CodeRow } from '../qualitative/types'
import { ApiFailure, call, useResource } from '../request'
import { LoadError, Loading, usePageTitle } from '../ui'
import '../qualitative/qualitative.css'

type Change = '' | 'improved' | 'not_improved' | 'no_pair'
/** `scale`: the change group's scale as 'instrument/scale'; empty for the server's choice (a study's only scale, or its primary outcome). */
type Filters = { code: string; children: boolean; role: string; change: Change; scale: string; q: string }

/** A scale the change filter can classify participants on, as the server lists them. */
type ChangeScale = { instrument: string; scale: string; label: string }

const scaleKey = (s: { instrument: string; scale: string }) => `${s.instrument}/${s.scale}`

/** The scales a refusal of the change filter offers (422 `details[].scales`), if it is one. */
function scalesOffered(error: unknown): ChangeScale[] {
  if (!(error instanceof ApiFailure) || !Array.isArray(error.details)) return []
  const entry = (error.details as { scales?: ChangeScale[] }[]).find((d) => Array.isArray(d?.scales))
  return entry?.scales ?? []
}

const changes: readonly Exclude<Change, ''>[] = ['improved', 'not_improved', 'no_pair']

/** Where a passage is in its transcript: the coding view opens there with the passage outlined. */
export const passageHref = (transcriptId: string, start: number, end: number) => `/transcripts/${transcriptId}?passage=${start}-${end}`

/** The query string of the retrieval API for these filters (empty ones left out). */
function segmentQuery(filters: Filters) {
  return {
    ...(filters.code ? { code: filters.code } : {}),
    ...(filters.code && !filters.children ? { children: 'false' as const } : {}),
    ...(filters.role ? { role: filters.role } : {}),
    ...(filters.change ? { change: filters.change } : {}),
    ...(filters.change && filters.scale ? { instrument: filters.scale.split('/')[0]!, scale: filters.scale.split('/').slice(1).join('/') } : {}),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
  }
}

/** The mark of a passage or hit in words its participant withdrew, beside its participant. */
function WithdrawnMark() {
  return (
    <span className="badge warning" data-testid="withdrawn">
      {t('staff.retrieval.withdrawn')}
    </span>
  )
}

export function RetrievalPage({ id }: { id: string }) {
  const page = useResource(async () => {
    const [study, codes] = await Promise.all([call(api.studies[':id'].$get({ param: { id } })), call(api.studies[':id'].codes.$get({ param: { id } }))])
    return { study, codes }
  }, [id])
  usePageTitle(page.data ? `${t('staff.retrieval.title')} · ${page.data.study.name}` : undefined)
  if (page.error) return <LoadError error={page.error} retry={page.reload} />
  if (!page.data) return <Loading />
  const { study, codes } = page.data
  return (
    <>
      <StudySectionHeader study={study} current="retrieval" title={t('staff.retrieval.title')} />
      <Segments studyId={study.id} codes={codes} />
      <Search studyId={study.id} />
    </>
  )
}

function Segments({ studyId, codes }: { studyId: string; codes: CodeRow[] }) {
  const empty: Filters = { code: '', children: true, role: '', change: '', scale: '', q: '' }
  const [form, setForm] = useState<Filters>(empty)
  const [applied, setApplied] = useState<Filters>(empty)
  const query = segmentQuery(applied)
  const result = useResource(() => call(api.studies[':id'].segments.$get({ param: { id: studyId }, query })), [studyId, JSON.stringify(query)])
  // The role filter's choices come with the segments (every role with a coded passage, whatever the
  // filter); kept from the last answer while the next loads, so the list does not flicker.
  const [roles, setRoles] = useState<string[]>([])
  useEffect(() => {
    if (result.data) setRoles(result.data.roles)
  }, [result.data])
  // The change filter's scales come with its answer, or with its refusal when the study has several
  // and names no single primary outcome: the researcher then chooses one here.
  const [scales, setScales] = useState<ChangeScale[]>([])
  useEffect(() => {
    if (result.data && result.data.changeScales.length > 0) setScales(result.data.changeScales)
    else if (result.error && scalesOffered(result.error).length > 0) setScales(scalesOffered(result.error))
  }, [result.data, result.error])
  const byId = useMemo(() => new Map(codes.map((c) => [c.id, c])), [codes])
  const colours = useMemo(() => codeColours(codes), [codes])
  const csv = downloadPath(api.studies[':id']['segments.csv'].$url({ param: { id: studyId }, query }))
  const chosen = byId.get(form.code)
  return (
    <section className="panel" aria-labelledby="segments-heading">
      <h2 id="segments-heading">{t('staff.retrieval.segments')}</h2>
      <p className="muted">{t('staff.retrieval.segmentsIntro')}</p>
      <form
        className="retrieval-filters no-print"
        onSubmit={(e) => {
          e.preventDefault()
          setApplied(form)
        }}
      >
        <label className="field">
          <span>{t('staff.retrieval.code')}</span>
          <select value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} data-testid="segment-code">
            <option value="">{t('staff.retrieval.allCodes')}</option>
            {codes.map((c) => (
              <option key={c.id} value={c.id}>
                {codePath(c, byId)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={form.children} disabled={!chosen || chosen.level === 'code'} onChange={(e) => setForm({ ...form, children: e.target.checked })} />
          <span>{t('staff.retrieval.children')}</span>
        </label>
        <label className="field">
          <span>{t('staff.retrieval.role')}</span>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
            <option value="">{t('staff.retrieval.anyRole')}</option>
            {roles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('staff.retrieval.change')}</span>
          <select value={form.change} onChange={(e) => setForm({ ...form, change: changes.find((c) => c === e.target.value) ?? '' })} aria-describedby="change-hint">
            <option value="">{t('staff.retrieval.anyChange')}</option>
            {changes.map((change) => (
              <option key={change} value={change}>
                {t(`staff.retrieval.change.${change}`)}
              </option>
            ))}
          </select>
        </label>
        {form.change && scales.length > 1 && (
          <label className="field">
            <span>{t('staff.retrieval.changeScale')}</span>
            <select value={form.scale} onChange={(e) => setForm({ ...form, scale: e.target.value })} data-testid="change-scale">
              <option value="">{t('staff.retrieval.primaryScale')}</option>
              {scales.map((s) => (
                <option key={scaleKey(s)} value={scaleKey(s)}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>{t('staff.retrieval.words')}</span>
          <input type="search" value={form.q} maxLength={200} onChange={(e) => setForm({ ...form, q: e.target.value })} />
        </label>
        <div className="actions">
          <button type="submit">{t('staff.retrieval.show')}</button>
          <a className="button secondary" href={csv} download="segments.csv">
            {t('staff.retrieval.csv')}
          </a>
        </div>
        <p className="small muted" id="change-hint">
          {t('staff.retrieval.changeHint')}
          {result.data?.changeScale && <> {t('staff.retrieval.changeOn', { scale: result.data.changeScale.label })}</>}
        </p>
      </form>
      {result.error ? (
        <LoadError error={result.error} retry={result.reload} />
      ) : !result.data ? (
        <Loading />
      ) : result.data.segments.length === 0 ? (
        <p className="muted" role="status">
          {t('staff.retrieval.noSegments')}
        </p>
      ) : (
        <>
          <p role="status">{t('staff.retrieval.count', { n: formatNumber(result.data.segments.length) })}</p>
          <ol className="segments" data-testid="segments">
            {result.data.segments.map((s) => (
              <li key={`${s.transcriptId}:${s.code.id}:${s.start}:${s.end}`} className="segment">
                <p className="segment-head">
                  <strong>{s.participant.label}</strong>
                  {s.role !== null && <span className="muted"> · {s.role}</span>}
                  {s.withdrawn && <WithdrawnMark />}
                  <span className="segment-code">
                    <span className="code-chip" style={{ background: colours.get(s.code.id) }} aria-hidden="true" />
                    {s.code.name}
                  </span>
                  <span className="muted small">{t('staff.retrieval.codedBy', { names: s.coders.map((c) => c.name).join(', ') })}</span>
                </p>
                <blockquote className="in-context">
                  {/* The context holds the white space around the passage as the transcript has it. */}
                  {s.before && <span className="context">{s.before}</span>}
                  <mark className="coded">{s.text}</mark>
                  {s.after && <span className="context">{s.after}</span>}
                </blockquote>
                <Link href={passageHref(s.transcriptId, s.start, s.end)}>{t('staff.retrieval.open', { code: s.participant.label })}</Link>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  )
}

function Search({ studyId }: { studyId: string }) {
  const [words, setWords] = useState('')
  const [searched, setSearched] = useState('')
  const result = useResource(async () => (searched ? call(api.studies[':id'].search.$get({ param: { id: studyId }, query: { q: searched } })) : null), [studyId, searched])
  return (
    <section className="panel" aria-labelledby="search-heading">
      <h2 id="search-heading">{t('staff.retrieval.search')}</h2>
      <form
        className="find-passage no-print"
        role="search"
        onSubmit={(e) => {
          e.preventDefault()
          setSearched(words.trim())
        }}
      >
        <label htmlFor="transcript-search">{t('staff.retrieval.searchLabel')}</label>
        <div className="row">
          <input id="transcript-search" type="search" value={words} maxLength={200} onChange={(e) => setWords(e.target.value)} />
          <button type="submit" className="secondary">
            {t('staff.retrieval.searchButton')}
          </button>
        </div>
      </form>
      {result.error ? (
        <ErrorNotice message={result.error.message} />
      ) : !searched ? null : !result.data ? (
        <Loading />
      ) : result.data.hits.length === 0 ? (
        <p className="muted" role="status">
          {t('staff.retrieval.noHits', { q: searched })}
        </p>
      ) : (
        <>
          <p role="status">{t('staff.retrieval.hits', { n: formatNumber(result.data.hits.length), q: searched })}</p>
          <ol className="segments" data-testid="search-hits">
            {result.data.hits.map((hit) => (
              <li key={`${hit.transcriptId}:${hit.start}`} className="segment">
                <p className="segment-head">
                  <strong>{hit.participant.label}</strong>
                  {hit.withdrawn && <WithdrawnMark />}
                </p>
                <blockquote className="in-context">
                  {hit.before && <span className="context">{hit.before}</span>}
                  <mark className="pending">{hit.match}</mark>
                  {hit.after && <span className="context">{hit.after}</span>}
                </blockquote>
                <Link href={passageHref(hit.transcriptId, hit.start, hit.end)}>{t('staff.retrieval.open', { code: hit.participant.label })}</Link>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  )
}
