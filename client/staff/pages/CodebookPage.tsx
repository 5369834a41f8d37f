/**
 * The codebook editor: themes hold categories, categories hold codes, each with a description.
 * Codes are added, renamed, described, moved and merged as the analysis goes on; each change is in
 * the code's history. A code's memos and its Table 2 quotation are chosen here too.
 */
import { defaultCodeColour } from '../../../server/domain/qualitative/code-colours'
import { codeColours } from '../qualitative/code-colour'
import { ColourChoice } from '../qualitative/ColourChoice'
import { useState } from 'react'
import { Link, useLocation, useSearch } from 'wouter'
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog'
import { Field } from '../../components/Field'
import { ErrorNotice, StatusNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { dateTime } from '../format'
import { codePath, codeTree, parentLevel, type CodeTreeNode } from '../qualitative/codebook-tree'
import { Memos } from '../qualitative/Memos'
import { CodebookImport } from '../qualitative/CodebookImport'
import { QuoteChooser } from '../qualitative/QuoteChooser'
import { withQuery } from '../qualitative/query'
import { StudySectionHeader } from '../qualitative/StudySection'
import { codeLevels, type CodeLevel, type CodeRow, type HistoryEntry, type QuoteRow } from '../qualitative/types'
import { call, useAction, useResource } from '../request'
import { LoadError, Loading, usePageTitle } from '../ui'
import '../qualitative/qualitative.css'

async function loadCodebook(studyId: string) {
  const [study, codes, everCodes, staff, quotes] = await Promise.all([
    call(api.studies[':id'].$get({ param: { id: studyId } })),
    call(api.studies[':id'].codes.$get({ param: { id: studyId } })),
    // Merged and deleted codes too: the history names them.
    call(api.studies[':id'].codes.$get(withQuery({ param: { id: studyId } }, { include: 'retired' }))),
    call(api.studies[':id'].staff.$get({ param: { id: studyId } })),
    call(api.studies[':id'].quotes.$get({ param: { id: studyId } })),
  ])
  return { study, codes, everCodes: new Map(everCodes.map((c) => [c.id, c])), names: new Map(staff.map((s) => [s.userId, s.name])), quotes }
}

type Codebook = Awaited<ReturnType<typeof loadCodebook>>

export const levelLabel = (level: CodeLevel) => t(`staff.codebook.level.${level}`)
/** The level as a word inside a sentence: "Add code", "In category". */
const levelWord = (level: CodeLevel) => t(`staff.codebook.levelWord.${level}`)

export function CodebookPage({ id }: { id: string }) {
  const page = useResource(() => loadCodebook(id), [id])
  const search = useSearch()
  const [, navigate] = useLocation()
  usePageTitle(page.data ? `${t('staff.codebook.title')} · ${page.data.study.name}` : undefined)
  if (page.error) return <LoadError error={page.error} retry={page.reload} />
  if (!page.data) return <Loading />
  const data = page.data
  const selectedId = new URLSearchParams(search).get('code')
  const selected = data.codes.find((c) => c.id === selectedId) ?? null
  const select = (codeId: string | null) => navigate(codeId ? `/studies/${id}/codebook?code=${codeId}` : `/studies/${id}/codebook`, { replace: true })
  return (
    <>
      <StudySectionHeader study={data.study} current="codebook" title={t('staff.codebook.title')} />
      <div className="codebook-layout">
        <section className="panel" aria-labelledby="tree-heading">
          <h2 id="tree-heading">{t('staff.codebook.tree')}</h2>
          {data.codes.length === 0 ? <p className="muted">{t('staff.codebook.empty')}</p> : <CodeTree studyId={id} codes={data.codes} quotes={data.quotes} selectedId={selected?.id ?? null} />}
          <AddCode studyId={id} codes={data.codes} selected={selected} onAdded={async (code) => {
            await page.reload()
            select(code.id)
          }} />
          <CodebookImport studyId={id} onImported={page.reload} />
        </section>
        <section className="panel code-details" aria-labelledby="details-heading" data-testid="code-details">
          {selected ? (
            <CodeDetails key={selected.id} studyId={id} code={selected} data={data} onChanged={page.reload} select={select} />
          ) : (
            <>
              <h2 id="details-heading">{t('staff.codebook.details')}</h2>
              <p className="muted">{t('staff.codebook.chooseOne')}</p>
            </>
          )}
        </section>
      </div>
    </>
  )
}

function CodeTree({ studyId, codes, quotes, selectedId }: { studyId: string; codes: CodeRow[]; quotes: QuoteRow[]; selectedId: string | null }) {
  const quoted = new Set(quotes.map((q) => q.codeId))
  const colours = codeColours(codes)
  const node = (n: CodeTreeNode) => (
    <li key={n.id} className={`tree-${n.level}`}>
      <Link href={`/studies/${studyId}/codebook?code=${n.id}`} className="tree-node" aria-current={n.id === selectedId ? 'true' : undefined}>
        <span className="code-chip" style={{ background: colours.get(n.id) }} aria-hidden="true" />
        <span className={`level level-${n.level}`}>{levelLabel(n.level)}</span> <span className="tree-name">{n.name}</span>
        {quoted.has(n.id) && <span className="badge">{t('staff.codebook.hasQuote')}</span>}
      </Link>
      {n.description && <p className="tree-description">{n.description}</p>}
      {n.children.length > 0 && <ul>{n.children.map(node)}</ul>}
    </li>
  )
  return (
    <ul className="code-tree" data-testid="code-tree">
      {codeTree(codes).map(node)}
    </ul>
  )
}

/** The parents a node of this level may sit under: themes for a category, categories for a code. */
const parentsFor = (level: CodeLevel, codes: CodeRow[], byId: ReadonlyMap<string, CodeRow>) =>
  codes.filter((c) => c.level === parentLevel[level]).map((c) => ({ id: c.id, label: codePath(c, byId) }))

function AddCode({ studyId, codes, selected, onAdded }: { studyId: string; codes: CodeRow[]; selected: CodeRow | null; onAdded: (code: CodeRow) => Promise<void> }) {
  const byId = new Map(codes.map((c) => [c.id, c]))
  // Adding next to what is selected: a code in the selected category, a category in the selected theme.
  const suggested: CodeLevel = selected?.level === 'theme' ? 'category' : 'code'
  const [level, setLevel] = useState<CodeLevel>(suggested)
  const [form, setForm] = useState({ name: '', description: '', parentId: '' })
  // The palette's next colour, as the server would give; the researcher may choose another.
  const [colour, setColour] = useState<string | null>(null)
  const color = colour ?? defaultCodeColour(codes.length)
  const parents = parentsFor(level, codes, byId)
  const parentId = parents.some((p) => p.id === form.parentId) ? form.parentId : selected && parents.some((p) => p.id === selected.id) ? selected.id : ''
  const add = useAction(async () => {
    const code = await call(api.studies[':id'].codes.$post({ param: { id: studyId }, json: { level, name: form.name, description: form.description.trim() || null, color, parentId: parentId || null } }))
    setForm({ name: '', description: '', parentId: '' })
    setColour(null)
    await onAdded(code)
  })
  return (
    <form
      className="inline-form"
      aria-labelledby="add-code-heading"
      onSubmit={(e) => {
        e.preventDefault()
        void add.run()
      }}
    >
      <h3 id="add-code-heading">{t('staff.codebook.add')}</h3>
      <div className="grid-fields">
        <Field label={t('staff.codebook.level')} error={add.fieldError('level')}>
          {(props) => (
            <select {...props} value={level} onChange={(e) => setLevel(codeLevels.find((l) => l === e.target.value) ?? level)}>
              {codeLevels.map((l) => (
                <option key={l} value={l}>
                  {levelLabel(l)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('staff.codebook.name')} error={add.fieldError('name')}>
          {(props) => <input {...props} required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        {level !== 'theme' && (
          <Field label={t('staff.codebook.parent', { level: levelWord(parentLevel[level]!) })} error={add.fieldError('parentId')}>
            {(props) => (
              <select {...props} value={parentId} onChange={(e) => setForm({ ...form, parentId: e.target.value })}>
                <option value="">{t('staff.codebook.noParent')}</option>
                {parents.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      <Field label={t('staff.codebook.description')} hint={t('staff.optional')} error={add.fieldError('description')}>
        {(props) => <textarea {...props} rows={2} maxLength={5000} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />}
      </Field>
      <ColourChoice value={color} onChange={setColour} error={add.fieldError('color')} />
      <ErrorNotice message={add.formError(['level', 'name', 'parentId', 'description', 'color'])} />
      <div className="actions">
        <button type="submit" disabled={add.pending}>
          {t('staff.codebook.addButton', { level: levelWord(level) })}
        </button>
      </div>
    </form>
  )
}

function CodeDetails({ studyId, code, data, onChanged, select }: { studyId: string; code: CodeRow; data: Codebook; onChanged: () => Promise<void>; select: (codeId: string | null) => void }) {
  const byId = new Map(data.codes.map((c) => [c.id, c]))
  const [form, setForm] = useState({ name: code.name, description: code.description ?? '', color: codeColours(data.codes).get(code.id)! })
  const [saved, setSaved] = useState<string | null>(null)
  const [historyKey, setHistoryKey] = useState(0)
  const parents = parentsFor(code.level, data.codes, byId)
  const [parentId, setParentId] = useState(code.parentId ?? '')
  const mergeTargets = data.codes.filter((c) => c.level === code.level && c.id !== code.id)
  const [into, setInto] = useState(mergeTargets[0]?.id ?? '')
  const confirmation = useConfirmation<'merge' | 'delete'>()
  const changed = async (message: string) => {
    setSaved(message)
    setHistoryKey((k) => k + 1)
    await onChanged()
  }
  const edit = useAction(async () => {
    await call(api.codes[':id'].$patch({ param: { id: code.id }, json: { name: form.name, description: form.description.trim() || null, color: form.color } }))
    await changed(t('staff.saved'))
  })
  const move = useAction(async () => {
    await call(api.codes[':id'].$patch({ param: { id: code.id }, json: { parentId: parentId || null } }))
    await changed(t('staff.codebook.moved'))
  })
  const merge = useAction(async () => {
    const result = await call(api.codes[':id'].merge.$post({ param: { id: code.id }, json: { into } }))
    await onChanged()
    select(result.into.id)
  })
  const remove = useAction(async () => {
    await call(api.codes[':id'].$delete({ param: { id: code.id } }))
    await onChanged()
    select(null)
  })
  const target = byId.get(into)
  const quotes = data.quotes.filter((q) => q.codeId === code.id).sort((a, b) => a.position - b.position)

  return (
    <>
      <h2 id="details-heading">
        <span className={`level level-${code.level}`}>{levelLabel(code.level)}</span> {code.name}
      </h2>
      <p className="muted small">{codePath(code, byId)}</p>

      <form
        aria-labelledby="edit-heading"
        onSubmit={(e) => {
          e.preventDefault()
          setSaved(null)
          void edit.run()
        }}
      >
        <h3 id="edit-heading">{t('staff.codebook.renameDescribe')}</h3>
        <Field label={t('staff.codebook.name')} error={edit.fieldError('name')}>
          {(props) => <input {...props} required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label={t('staff.codebook.description')} error={edit.fieldError('description')}>
          {(props) => <textarea {...props} rows={3} maxLength={5000} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />}
        </Field>
        <ColourChoice value={form.color} onChange={(color) => setForm({ ...form, color })} error={edit.fieldError('color')} />
        <ErrorNotice message={edit.formError(['name', 'description', 'color'])} />
        <div className="actions">
          <button type="submit" disabled={edit.pending}>
            {t('staff.codebook.save')}
          </button>
          <StatusNotice message={saved} />
        </div>
      </form>

      {code.level !== 'theme' && (
        <form
          className="inline-form"
          aria-labelledby="move-heading"
          onSubmit={(e) => {
            e.preventDefault()
            setSaved(null)
            void move.run()
          }}
        >
          <h3 id="move-heading">{t('staff.codebook.move')}</h3>
          <div className="row">
            <Field label={t('staff.codebook.parent', { level: levelWord(parentLevel[code.level]!) })} error={move.fieldError('parentId')}>
              {(props) => (
                <select {...props} value={parentId} onChange={(e) => setParentId(e.target.value)}>
                  <option value="">{t('staff.codebook.noParent')}</option>
                  {parents.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit" className="secondary" disabled={move.pending || parentId === (code.parentId ?? '')}>
              {t('staff.codebook.moveButton')}
            </button>
          </div>
          <ErrorNotice message={move.formError(['parentId'])} />
        </form>
      )}

      <form
        className="inline-form"
        aria-labelledby="merge-heading"
        onSubmit={(e) => {
          e.preventDefault()
          confirmation.ask('merge')
        }}
      >
        <h3 id="merge-heading">{t('staff.codebook.merge')}</h3>
        {mergeTargets.length === 0 ? (
          <p className="muted">{t('staff.codebook.nothingToMerge', { level: levelWord(code.level) })}</p>
        ) : (
          <div className="row">
            <Field label={t('staff.codebook.mergeInto')} hint={t('staff.codebook.mergeHint')} error={merge.fieldError('into')}>
              {(props) => (
                <select {...props} value={into} onChange={(e) => setInto(e.target.value)}>
                  {mergeTargets.map((c) => (
                    <option key={c.id} value={c.id}>
                      {codePath(c, byId)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit" className="secondary" disabled={merge.pending || !into}>
              {t('staff.codebook.mergeButton')}
            </button>
          </div>
        )}
        <ErrorNotice message={merge.formError(['into'])} />
      </form>

      <div className="inline-form">
        <h3>{t('staff.codebook.delete')}</h3>
        <p className="muted small">{t('staff.codebook.deleteHint')}</p>
        <button type="button" className="secondary danger-text" onClick={() => confirmation.ask('delete')} disabled={remove.pending}>
          {t('staff.codebook.deleteButton', { level: levelWord(code.level) })}
        </button>
        <ErrorNotice message={remove.error?.message} />
      </div>

      {code.level === 'code' && <QuoteChooser studyId={studyId} code={code} quotes={quotes} onChanged={onChanged} />}

      <div className="inline-form">
        <CodeHistory key={historyKey} code={code} everCodes={data.everCodes} names={data.names} />
      </div>
      <div className="inline-form">
        <Memos studyId={studyId} target={{ type: 'code', id: code.id }} names={data.names} headingLevel={3} />
      </div>

      <ConfirmDialog
        confirmation={confirmation}
        title={(action) => (action === 'merge' ? t('staff.codebook.mergeTitle', { name: code.name, into: target?.name ?? '' }) : t('staff.codebook.deleteTitle', { name: code.name }))}
        body={(action) => <p>{action === 'merge' ? t('staff.codebook.mergeBody', { name: code.name, into: target?.name ?? '' }) : t('staff.codebook.deleteBody')}</p>}
        confirmLabel={(action) => (action === 'merge' ? t('staff.codebook.mergeButton') : t('staff.codebook.deleteButton', { level: levelWord(code.level) }))}
        danger
        onConfirm={(action) => void (action === 'merge' ? merge.run() : remove.run())}
      />
    </>
  )
}

/** One history entry in words. The details are as the server recorded them (see server/domain/qualitative/codebook.ts). */
function describeEntry(entry: HistoryEntry, everCodes: ReadonlyMap<string, CodeRow>): string {
  const d = entry.details
  const str = (value: unknown) => (typeof value === 'string' ? value : '')
  const nameOf = (value: unknown) => (typeof value === 'string' ? (everCodes.get(value)?.name ?? value) : t('staff.codebook.noParentShort'))
  switch (entry.action) {
    case 'create':
      return t('staff.history.create', { level: levelWord(d.level === 'theme' || d.level === 'category' ? d.level : 'code'), name: str(d.name) })
    case 'rename':
      return t('staff.history.rename', { from: str(d.from), to: str(d.to) })
    case 'describe':
      return d.to ? t('staff.history.describe', { to: str(d.to) }) : t('staff.history.undescribe')
    case 'move':
      return t('staff.history.move', { from: nameOf(d.from), to: nameOf(d.to) })
    case 'merge':
      return d.into ? t('staff.history.mergedInto', { into: str(d.intoName) || nameOf(d.into) }) : t('staff.history.mergedFrom', { from: str(d.fromName) || nameOf(d.from), codings: Number(d.codings ?? 0) })
    case 'delete':
      return t('staff.history.delete')
  }
}

function CodeHistory({ code, everCodes, names }: { code: CodeRow; everCodes: ReadonlyMap<string, CodeRow>; names: ReadonlyMap<string, string> }) {
  const history = useResource(() => call(api.codes[':id'].history.$get({ param: { id: code.id } })), [code.id])
  const actor = (who: string) => (who.startsWith('staff:') ? (names.get(who.slice(6)) ?? who) : who)
  return (
    <section aria-labelledby="history-heading">
      <h3 id="history-heading">{t('staff.codebook.history')}</h3>
      {history.error ? (
        <LoadError error={history.error} retry={history.reload} />
      ) : !history.data ? (
        <Loading />
      ) : (
        <ol className="history" data-testid="code-history">
          {history.data.map((entry) => (
            <li key={entry.id}>
              <span className="history-what">
                {entry.codeId !== code.id && <strong>{entry.codeName}: </strong>}
                {describeEntry(entry, everCodes)}
              </span>
              <span className="muted small"> — {t('staff.history.byAt', { who: actor(entry.actor), at: dateTime(entry.at) })}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
