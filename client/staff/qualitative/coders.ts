/**
 * Who has coded a study's transcripts. A coder need not hold a role in the study any more (someone
 * who has left, or the demo's coders), so the study's staff list alone cannot name them all: the
 * name of anyone else comes from the code-frequency table of that coder, which the server labels.
 */
import { api } from '../../lib/api'
import { call } from '../request'
import { withQuery } from './query'
import type { CodeFrequenciesView } from './types'

export type Coder = { id: string; name: string; codings: number }

const nameCache = new Map<string, string>()

/** Names for these coder ids: from `known` (the study's staff), else asked of the server once per id. */
export async function coderNames(studyId: string, ids: Iterable<string>, known: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const names = new Map(known)
  await Promise.all(
    [...new Set(ids)]
      .filter((id) => !names.has(id))
      .map(async (id) => {
        let name = nameCache.get(id)
        if (!name) {
          // With format=json the answer is the table; the route's type also lists the CSV text.
          const table = (await call(api.studies[':id']['code-frequencies'].$get({ param: { id: studyId }, query: { format: 'json', coder: id } }))) as CodeFrequenciesView
          name = table.coder?.name ?? id
          nameCache.set(id, name)
        }
        names.set(id, name)
      }),
  )
  return names
}

/** Everyone with codings in the study, most codings first. */
export async function studyCoders(studyId: string): Promise<Coder[]> {
  const [staff, transcripts] = await Promise.all([call(api.studies[':id'].staff.$get({ param: { id: studyId } })), call(api.studies[':id'].transcripts.$get({ param: { id: studyId } }))])
  const counts = new Map<string, number>()
  const perTranscript = await Promise.all(transcripts.map((tr) => call(api.transcripts[':id'].codings.$get(withQuery({ param: { id: tr.id } }, { coders: 'all' })))))
  for (const { codings } of perTranscript) for (const c of codings) counts.set(c.coderId, (counts.get(c.coderId) ?? 0) + 1)
  const names = await coderNames(studyId, counts.keys(), new Map(staff.map((s) => [s.userId, s.name])))
  return [...counts].map(([id, codings]) => ({ id, name: names.get(id) ?? id, codings })).sort((a, b) => b.codings - a.codings || a.name.localeCompare(b.name))
}
