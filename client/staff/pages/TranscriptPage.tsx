/**
 * Coding one transcript: select a passage in the text with the mouse, choose its codes beside it and
 * apply them. The coder sees their own codings (coding is blind) unless they ask for every coder's.
 */
import { useCallback, useEffect, useMemo, useState } from 'react'
import { Link, useLocation, useSearch } from 'wouter'
import type { Span } from '../../../server/domain/qualitative/types'
import { sliceCodePoints, toCodePointOffset } from '../../../server/domain/qualitative/units'
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { dateTime } from '../format'
import { CodePicker } from '../qualitative/CodePicker'
import { codePath } from '../qualitative/codebook-tree'
import { coderNames } from '../qualitative/coders'
import { InterviewNotes } from '../qualitative/InterviewNotes'
import { Memos } from '../qualitative/Memos'
import { withQuery } from '../qualitative/query'
import { QualitativeTabs } from '../qualitative/StudySection'
import { TranscriptText, type Highlight, type Stripe } from '../qualitative/TranscriptText'
import { codeColours } from '../qualitative/code-colour'
import type { CodeRow, CodingRow, TranscriptDetail } from '../qualitative/types'
import { ApiFailure, call, useAction, useResource } from '../request'
import { useMe } from '../session'
import { Breadcrumbs, LoadError, Loading, usePageTitle } from '../ui'
import '../qualitative/qualitative.css'
import { ActionsHeader, DataTable } from '../../components/DataTable'

/** The study a transcript belongs to, found among the user's studies, with its neighbours in interview order. */
async function placeOf(transcriptId: string) {
  const studies = (await call(api.studies.$get())).filter((s) => s.roles.includes('researcher'))
  const lists = await Promise.all(studies.map((s) => call(api.studies[':id'].transcripts.$get({ param: { id: s.id } }))))
  for (const [i, list] of lists.entries()) {
    const index = list.findIndex((entry) => entry.id === transcriptId)
    if (index >= 0) return { study: studies[i]!, list, index }
  }
  throw new ApiFailure(404, 'not_found', t('staff.coding.noSuchTranscript'))
}

async function loadTranscriptPage(transcriptId: string) {
  const [place, transcript] = await Promise.all([placeOf(transcriptId), call(api.transcripts[':id'].$get({ param: { id: transcriptId } }))])
  const [codes, staff] = await Promise.all([call(api.studies[':id'].codes.$get({ param: { id: place.study.id } })), call(api.studies[':id'].staff.$get({ param: { id: place.study.id } }))])
  return { ...place, transcript, codes, names: new Map(staff.map((s) => [s.userId, s.name])) }
}

const excerpt = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

export function TranscriptPage({ id }: { id: string }) {
  const page = useResource(() => loadTranscriptPage(id), [id])
  const code = page.data?.transcript.participant.code
  usePageTitle(code ? t('staff.coding.transcriptTitle', { code }) : undefined)
  if (page.error) return <LoadError error={page.error} retry={page.reload} />
  if (!page.data) return <Loading />
  const { study, list, index, transcript, codes, names } = page.data
  const previous = list[index - 1]
  const next = list[index + 1]
  return (
    <>
      <Breadcrumbs
        items={[
          { label: t('staff.home.title'), href: '/' },
          { label: study.name, href: `/studies/${study.id}` },
          { label: t('staff.coding.title'), href: `/studies/${study.id}/coding` },
          { label: transcript.participant.code },
        ]}
      />
      <header className="page-header">
        <h1 tabIndex={-1}>{t('staff.coding.transcriptTitle', { code: transcript.participant.code })}</h1>
        <p>
          {t('staff.coding.position', { n: index + 1, total: list.length, at: dateTime(list[index]!.interviewStartedAt) })} · {t('staff.coding.characters', { count: transcript.length })}
        </p>
        <nav className="pager no-print" aria-label={t('staff.coding.otherTranscripts')}>
          {previous && <Link href={`/transcripts/${previous.id}`}>{t('staff.coding.previous', { code: previous.participant.code })}</Link>}
          {next && <Link href={`/transcripts/${next.id}`}>{t('staff.coding.next', { code: next.participant.code })}</Link>}
        </nav>
      </header>
      <QualitativeTabs studyId={study.id} current="coding" />
      <DoneMark key={`done-${transcript.id}`} transcriptId={transcript.id} />
      <CodingWorkspace key={transcript.id} studyId={study.id} transcript={transcript} codes={codes} staffNames={names} />
      <InterviewNotes studyId={study.id} transcriptId={transcript.id} />
      <section className="panel" data-testid="transcript-memos">
        <Memos studyId={study.id} target={{ type: 'transcript', id: transcript.id }} names={names} />
      </section>
    </>
  )
}

/**
 * The coder's own "done" mark on this transcript: set when they have finished coding it, taken back
 * if they go on. Each coder marks only for themself; the list of transcripts shows everyone's.
 */
function DoneMark({ transcriptId }: { transcriptId: string }) {
  const me = useMe()
  const marks = useResource(() => call(api.transcripts[':id'].done.$get({ param: { id: transcriptId } })), [transcriptId])
  const mine = marks.data?.find((m) => m.coderId === me.user.id)
  const toggle = useAction(async () => {
    const param = { param: { id: transcriptId } }
    await call(mine ? api.transcripts[':id'].done.$delete(param) : api.transcripts[':id'].done.$put(param))
    await marks.reload()
  })
  if (marks.error) return <LoadError error={marks.error} retry={marks.reload} />
  if (!marks.data) return null
  return (
    <div className="done-mark no-print" data-testid="done-mark">
      <p role="status" className={mine ? 'done-status done' : 'done-status'}>
        {mine ? t('staff.coding.doneMine', { at: dateTime(mine.doneAt) }) : t('staff.coding.notDoneMine')}
      </p>
      <button type="button" className={mine ? 'secondary' : undefined} onClick={() => void toggle.run()} disabled={toggle.pending}>
        {mine ? t('staff.coding.undoDone') : t('staff.coding.markDone')}
      </button>
      <ErrorNotice message={toggle.error?.message} />
    </div>
  )
}

function CodingWorkspace({ studyId, transcript, codes, staffNames }: { studyId: string; transcript: TranscriptDetail; codes: CodeRow[]; staffNames: ReadonlyMap<string, string> }) {
  const me = useMe()
  const search = useSearch()
  const [location, navigate] = useLocation()
  const coders = new URLSearchParams(search).get('coders') === 'all' ? 'all' : 'mine'
  const codings = useResource(() => call(api.transcripts[':id'].codings.$get(withQuery({ param: { id: transcript.id } }, { coders }))), [transcript.id, coders])
  const [pending, setPending] = useState<Span | null>(null)
  // Arriving from retrieval or search (`?passage=start-end`): that passage outlined and in view.
  const [focused, setFocused] = useState<Span | null>(() => {
    const match = /^(\d+)-(\d+)$/.exec(new URLSearchParams(search).get('passage') ?? '')
    return match && Number(match[1]) < Number(match[2]) ? { start: Number(match[1]), end: Number(match[2]) } : null
  })
  const [inspectAt, setInspectAt] = useState<number | null>(null)
  const [chosen, setChosen] = useState<Set<string>>(new Set())
  const [done, setDone] = useState<string | null>(null)
  const deletion = useConfirmation<CodingRow>()
  // Another coder may hold no role in the study any more: their name is asked for separately.
  const coderIds = useMemo(() => [...new Set(codings.data?.codings.map((c) => c.coderId))].sort().join(','), [codings.data])
  const coderNamesOf = useResource(() => coderNames(studyId, coderIds ? coderIds.split(',') : [], staffNames), [studyId, coderIds, staffNames])
  const names: ReadonlyMap<string, string> = coderNamesOf.data ?? staffNames
  const byId = useMemo(() => new Map(codes.map((c) => [c.id, c])), [codes])
  const codeName = useCallback((codeId: string) => byId.get(codeId)?.name ?? t('staff.coding.retiredCode'), [byId])

  const rows = useMemo(() => [...(codings.data?.codings ?? [])].sort((a, b) => a.start - b.start || a.end - b.end), [codings.data])
  const highlights = useMemo<Highlight[]>(
    () => rows.map((c) => ({ id: c.id, start: c.start, end: c.end, mine: c.coderId === me.user.id, label: c.coderId === me.user.id ? codeName(c.codeId) : `${codeName(c.codeId)} (${names.get(c.coderId) ?? t('staff.coding.anotherCoder')})` })),
    [rows, me.user.id, codeName, names],
  )

  // One stripe per code and passage: a passage both coders gave the same code is one stripe.
  const colours = useMemo(() => codeColours(codes), [codes])
  const stripes = useMemo<Stripe[]>(() => {
    const unique = new Map<string, Stripe>()
    for (const c of rows) {
      const key = `${c.codeId}:${c.start}:${c.end}`
      if (!unique.has(key)) unique.set(key, { key, start: c.start, end: c.end, color: colours.get(c.codeId) ?? '#767676', label: codeName(c.codeId) })
    }
    return [...unique.values()]
  }, [rows, colours, codeName])
  const legend = useMemo(() => codes.filter((code) => rows.some((c) => c.codeId === code.id)), [codes, rows])

  const apply = useAction(async () => {
    if (!pending) return
    const codeIds = [...chosen]
    await call(api.transcripts[':id'].codings.$post({ param: { id: transcript.id }, json: { codeIds, start: pending.start, end: pending.end } }))
    setDone(t('staff.coding.applied', { codes: codeIds.map(codeName).join(', ') }))
    setPending(null)
    setChosen(new Set())
    await codings.reload()
  })
  const remove = useAction(async (coding: CodingRow) => {
    await call(api.codings[':id'].$delete({ param: { id: coding.id } }))
    await codings.reload()
  })

  const select = useCallback((span: Span) => {
    setPending(span)
    setInspectAt(null)
    setDone(null)
  }, [])

  // "Show" in the list of codings: bring the passage into view.
  useEffect(() => {
    if (focused) document.querySelector('.transcript-text .focused')?.scrollIntoView({ block: 'center', behavior: 'smooth' })
  }, [focused])

  const here = inspectAt === null ? [] : rows.filter((c) => c.start <= inspectAt && c.end > inspectAt)
  const setCoders = (all: boolean) => navigate(all ? `${location}?coders=all` : location, { replace: true })

  return (
    <>
      <div className="coding-toolbar no-print">
        <label className="check">
          <input type="checkbox" checked={coders === 'all'} onChange={(e) => setCoders(e.target.checked)} />
          <span>{t('staff.coding.showAll')}</span>
        </label>
        <span className="legend">
          <mark className="coded coded-1">{t('staff.coding.legendMine')}</mark>
          {coders === 'all' && <mark className="coded-other">{t('staff.coding.legendOthers')}</mark>}
          <mark className="pending">{t('staff.coding.legendSelected')}</mark>
        </span>
      </div>
      {legend.length > 0 && (
        <section className="stripe-key no-print" aria-labelledby="stripe-legend-heading">
          <h2 id="stripe-legend-heading" className="small-heading">
            {t('staff.coding.stripesLegend')}
          </h2>
          <p className="visually-hidden">{t('staff.coding.stripesHint')}</p>
          <ul className="stripe-legend" data-testid="stripe-legend">
            {legend.map((code) => (
              <li key={code.id}>
                <span className="code-chip" style={{ background: colours.get(code.id) }} aria-hidden="true" />
                {code.name}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="coding-layout">
        <section className="panel transcript-panel" aria-labelledby="text-heading">
          <h2 id="text-heading" className="visually-hidden">
            {t('staff.coding.text')}
          </h2>
          <TranscriptText text={transcript.text} highlights={highlights} stripes={stripes} pending={pending} focused={focused} label={t('staff.coding.text')} onSelect={select} onClickAt={setInspectAt} />
        </section>
        <aside className="panel coding-panel no-print" aria-labelledby="panel-heading" data-testid="coding-panel">
          {pending ? (
            <form
              onSubmit={(e) => {
                e.preventDefault()
                void apply.run()
              }}
            >
              <h2 id="panel-heading">{t('staff.coding.selected')}</h2>
              <blockquote className="selected-text" data-testid="selected-text">
                {excerpt(sliceCodePoints(transcript.text, pending.start, pending.end), 400)}
              </blockquote>
              <p className="small muted">{t('staff.coding.span', { start: pending.start, end: pending.end })}</p>
              <CodePicker
                codes={codes}
                chosen={chosen}
                onToggle={(codeId, on) => {
                  const next = new Set(chosen)
                  if (on) next.add(codeId)
                  else next.delete(codeId)
                  setChosen(next)
                }}
              />
              <ErrorNotice message={apply.error?.message} />
              <div className="actions">
                <button type="submit" disabled={apply.pending || chosen.size === 0}>
                  {chosen.size > 1 ? t('staff.coding.applyMany', { n: chosen.size }) : t('staff.coding.apply')}
                </button>
                <button type="button" className="secondary" onClick={() => setPending(null)}>
                  {t('staff.coding.clear')}
                </button>
              </div>
            </form>
          ) : (
            <>
              <h2 id="panel-heading">{t('staff.coding.codeAPassage')}</h2>
              <p>{t('staff.coding.howTo')}</p>
              <FindPassage text={transcript.text} onFound={select} />
              {codes.every((c) => c.level !== 'code') && (
                <p className="warning">
                  {t('staff.coding.noCodes')} <Link href={`/studies/${studyId}/codebook`}>{t('staff.coding.toCodebook')}</Link>
                </p>
              )}
            </>
          )}
          <StatusNotice message={done} />
          {inspectAt !== null && (
            <div className="here">
              <h3>{t('staff.coding.here')}</h3>
              {here.length === 0 ? (
                <p className="muted">{t('staff.coding.nothingHere')}</p>
              ) : (
                <ul className="plain-list">
                  {here.map((c) => (
                    <li key={c.id}>
                      <strong>{codeName(c.codeId)}</strong>
                      {c.coderId !== me.user.id && <span className="muted"> · {names.get(c.coderId) ?? t('staff.coding.anotherCoder')}</span>}
                      <span className="muted small"> · {t('staff.coding.span', { start: c.start, end: c.end })}</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </aside>
      </div>
      <section className="panel" aria-labelledby="codings-heading">
        <h2 id="codings-heading">{coders === 'all' ? t('staff.coding.allCodings') : t('staff.coding.myCodings')}</h2>
        {codings.error ? (
          <LoadError error={codings.error} retry={codings.reload} />
        ) : !codings.data ? (
          <Loading />
        ) : rows.length === 0 ? (
          <p className="muted">{t('staff.coding.noCodings')}</p>
        ) : (
          <DataTable
            className="compact"
            testId="codings"
            caption={t('staff.coding.codingsCaption')}
            head={
              <>
                <th scope="col">{t('staff.coding.passage')}</th>
                <th scope="col">{t('staff.coding.code')}</th>
                {coders === 'all' && <th scope="col">{t('staff.coding.coder')}</th>}
                <th scope="col">{t('staff.coding.where')}</th>
                <ActionsHeader />
              </>
            }
          >
            {rows.map((c) => (
              <tr key={c.id}>
                <td className="passage">“{excerpt(c.text)}”</td>
                <th scope="row">{byId.get(c.codeId) ? codePath(byId.get(c.codeId)!, byId) : codeName(c.codeId)}</th>
                {coders === 'all' && <td>{names.get(c.coderId) ?? t('staff.coding.anotherCoder')}</td>}
                <td className="nowrap">{t('staff.coding.span', { start: c.start, end: c.end })}</td>
                <td className="actions-cell">
                  <button type="button" className="secondary small" onClick={() => setFocused({ start: c.start, end: c.end })}>
                    {t('staff.coding.show')}
                  </button>
                  {c.coderId === me.user.id && (
                    <button type="button" className="secondary small danger-text" onClick={() => deletion.ask(c)}>
                      {t('staff.coding.delete')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <ErrorNotice message={remove.error?.message} />
      </section>
      <ConfirmDialog
        confirmation={deletion}
        title={t('staff.coding.deleteTitle')}
        body={(coding) => (
          <p>
            {t('staff.coding.deleteBody', { code: codeName(coding.codeId) })} <q>{excerpt(coding.text)}</q>
          </p>
        )}
        confirmLabel={t('staff.coding.delete')}
        danger
        onConfirm={(coding) => void remove.run(coding)}
      />
    </>
  )
}

/** A way to choose a passage without the mouse: find it by its words (each search goes on from the last match). */
function FindPassage({ text, onFound }: { text: string; onFound: (span: Span) => void }) {
  const [query, setQuery] = useState('')
  const [from, setFrom] = useState(0)
  const [missing, setMissing] = useState(false)
  const find = () => {
    const needle = query.trim()
    if (!needle) return
    const pattern = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'giu')
    pattern.lastIndex = from
    const match = pattern.exec(text) ?? ((pattern.lastIndex = 0), pattern.exec(text))
    if (!match) {
      setMissing(true)
      return
    }
    setMissing(false)
    setFrom(match.index + match[0].length)
    onFound({ start: toCodePointOffset(text, match.index), end: toCodePointOffset(text, match.index + match[0].length) })
  }
  return (
    <form
      className="find-passage"
      onSubmit={(e) => {
        e.preventDefault()
        find()
      }}
    >
      <label htmlFor="find-passage">{t('staff.coding.find')}</label>
      <div className="row">
        <input id="find-passage" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="secondary">
          {t('staff.coding.findButton')}
        </button>
      </div>
      {missing && <p className="field-error">{t('staff.coding.notFound')}</p>}
    </form>
  )
}
