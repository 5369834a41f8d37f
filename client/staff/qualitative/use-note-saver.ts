/**
 * A note saved as it is typed: each pause in typing sends the whole text with a revision one higher
 * than the last, so the server can tell a late, overtaken request from a new one and ignore it.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { api } from '../../lib/api'
import { ApiFailure, call } from '../request'

export type NoteStatus = 'saved' | 'pending' | 'saving' | 'error'

/** How long typing must pause before the note is sent. */
const pauseMs = 700

export function useNoteSaver(interviewId: string, questionId: string, storedRevision: number) {
  const revision = useRef(storedRevision)
  const unsent = useRef<string | null>(null)
  const sending = useRef(false)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const [status, setStatus] = useState<NoteStatus>('saved')
  const [savedAt, setSavedAt] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const put = useCallback(
    (text: string) => {
      revision.current += 1
      return call(api.interviews[':id'].notes[':questionId'].$put({ param: { id: interviewId, questionId }, json: { text, revision: revision.current } }))
    },
    [interviewId, questionId],
  )

  const flush = useCallback(async (): Promise<void> => {
    clearTimeout(timer.current)
    // One request at a time per note; what is typed meanwhile goes in the next.
    if (sending.current || unsent.current === null) return
    const text = unsent.current
    unsent.current = null
    sending.current = true
    setStatus('saving')
    let failed = false
    try {
      let saved = await put(text)
      // Stale: a newer revision is stored (the same note open in another tab). Go past it, so that
      // what is on this screen, the latest typing here, is what is kept.
      if (saved.stale) {
        revision.current = saved.revision
        saved = await put(text)
      }
      setSavedAt(saved.savedAt)
      setError(null)
      setStatus(unsent.current === null ? 'saved' : 'pending')
    } catch (e) {
      failed = true
      unsent.current ??= text
      setError(e instanceof ApiFailure ? e.message : String(e))
      setStatus('error')
    } finally {
      sending.current = false
    }
    // Typed while this request was under way: send that too. After a failure, wait for more typing or a retry.
    if (!failed && unsent.current !== null) void flush()
  }, [put])

  const change = useCallback(
    (text: string) => {
      unsent.current = text
      setStatus((s) => (s === 'saving' ? s : 'pending'))
      clearTimeout(timer.current)
      timer.current = setTimeout(() => void flush(), pauseMs)
    },
    [flush],
  )

  // Leaving the page sends what was typed last rather than dropping it.
  useEffect(() => () => void flush(), [flush])

  return { change, flush, status, savedAt, error }
}
