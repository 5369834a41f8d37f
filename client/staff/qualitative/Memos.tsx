/**
 * Memos on a transcript or a code: the analysts' notes to themselves as the analysis goes. Everyone
 * in the study's research team reads them; only a memo's author changes or deletes it.
 */
import { useId, useState } from 'react'
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog'
import { ErrorNotice } from '../../components/Notice'
import { api } from '../../lib/api'
import { t } from '../../lib/i18n'
import { dateTime } from '../format'
import { call, useAction, useResource } from '../request'
import { useMe } from '../session'
import { LoadError, Loading } from '../ui'
import { withQuery } from './query'
import type { MemoRow } from './types'

export function Memos({ studyId, target, names, headingLevel = 2 }: { studyId: string; target: { type: 'code' | 'transcript'; id: string }; names: ReadonlyMap<string, string>; headingLevel?: 2 | 3 }) {
  const me = useMe()
  const headingId = useId()
  const memos = useResource(() => call(api.studies[':id'].memos.$get(withQuery({ param: { id: studyId } }, { targetType: target.type, targetId: target.id }))), [studyId, target.type, target.id])
  const [text, setText] = useState('')
  const deletion = useConfirmation<MemoRow>()
  const add = useAction(async () => {
    await call(api.studies[':id'].memos.$post({ param: { id: studyId }, json: { targetType: target.type, targetId: target.id, text } }))
    setText('')
    await memos.reload()
  })
  const remove = useAction(async (memo: MemoRow) => {
    await call(api.memos[':id'].$delete({ param: { id: memo.id } }))
    await memos.reload()
  })
  const Heading = headingLevel === 2 ? 'h2' : 'h3'
  return (
    <section className="memos" aria-labelledby={headingId}>
      <Heading id={headingId}>{t('staff.memos.title')}</Heading>
      {memos.error ? (
        <LoadError error={memos.error} retry={memos.reload} />
      ) : !memos.data ? (
        <Loading />
      ) : memos.data.length === 0 ? (
        <p className="muted">{t('staff.memos.none')}</p>
      ) : (
        <ul className="memo-list">
          {memos.data.map((memo) => (
            <MemoItem key={memo.id} memo={memo} author={names.get(memo.authorId) ?? t('staff.memos.someone')} mine={memo.authorId === me.user.id} onSaved={memos.reload} onDelete={() => deletion.ask(memo)} />
          ))}
        </ul>
      )}
      <ErrorNotice message={remove.error?.message} />
      <form
        className="memo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void add.run()
        }}
      >
        <label htmlFor={`${headingId}-new`}>{t('staff.memos.new')}</label>
        <textarea id={`${headingId}-new`} rows={3} maxLength={50_000} value={text} onChange={(e) => setText(e.target.value)} />
        <ErrorNotice message={add.error?.message} />
        <div className="actions">
          <button type="submit" className="secondary" disabled={add.pending || text.trim() === ''}>
            {t('staff.memos.add')}
          </button>
        </div>
      </form>
      <ConfirmDialog
        confirmation={deletion}
        title={t('staff.memos.deleteTitle')}
        body={(memo) => <p className="memo-text">{memo.text}</p>}
        confirmLabel={t('staff.memos.delete')}
        danger
        onConfirm={(memo) => void remove.run(memo)}
      />
    </section>
  )
}

function MemoItem({ memo, author, mine, onSaved, onDelete }: { memo: MemoRow; author: string; mine: boolean; onSaved: () => Promise<void>; onDelete: () => void }) {
  const [editing, setEditing] = useState(false)
  const [text, setText] = useState(memo.text)
  const id = useId()
  const save = useAction(async () => {
    await call(api.memos[':id'].$patch({ param: { id: memo.id }, json: { text } }))
    setEditing(false)
    await onSaved()
  })
  return (
    <li className="memo">
      <p className="memo-meta">
        {t('staff.memos.by', { author, at: dateTime(memo.updatedAt) })}
        {memo.updatedAt !== memo.createdAt && <span className="muted"> {t('staff.memos.edited')}</span>}
      </p>
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void save.run()
          }}
        >
          <label htmlFor={id} className="visually-hidden">
            {t('staff.memos.edit')}
          </label>
          <textarea id={id} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <ErrorNotice message={save.error?.message} />
          <div className="actions">
            <button type="submit" className="small" disabled={save.pending || text.trim() === ''}>
              {t('staff.memos.save')}
            </button>
            <button type="button" className="secondary small" onClick={() => setEditing(false)}>
              {t('staff.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <>
          <p className="memo-text">{memo.text}</p>
          {mine && (
            <div className="actions no-print">
              <button type="button" className="secondary small" onClick={() => setEditing(true)}>
                {t('staff.memos.edit')}
              </button>
              <button type="button" className="secondary small danger-text" onClick={onDelete}>
                {t('staff.memos.delete')}
              </button>
            </div>
          )}
        </>
      )}
    </li>
  )
}
