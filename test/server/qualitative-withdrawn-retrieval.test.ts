/**
 * Withdrawn words in retrieval and search (from a review). Table 2 and the joint display leave out
 * a passage its participant withdrew in member checking, but code-and-retrieve, its CSV and the
 * transcript search listed it with no mark: a researcher taking quotes from there could publish
 * words the participant withdrew. Each segment and each hit now says whether it overlaps a withdrawn
 * passage, by Table 2's rule (withdrawn.ts). They stay listed: a withdrawal is about quoting, not
 * about analysis.
 */
import { parse as parseCsv } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../server/db/repositories/participants'
import { createCode } from '../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, deleteCoding, recordMemberCheck } from '../../server/domain/qualitative/coding'
import { testApp } from '../helpers/app'
import { codingStudy, spanOf } from '../helpers/qualitative'
import { signedInStaff } from '../helpers/staff'

const WORDS = 'They stepped in when someone judged me.'
const P1 = `Interviewer: And the leaders?\nP1: ${WORDS} I also liked joining from home.`
// Another participant says the very same words and withdrew nothing: a withdrawal is one participant's.
const P2 = `Interviewer: And the leaders?\nP2: ${WORDS} It was hard to join from home.`

type Segment = { participant: { label: string }; text: string; coders: unknown[]; withdrawn: boolean }
type Hit = { participant: { label: string }; match: string; start: number; withdrawn: boolean }

async function world() {
  const built = await testApp()
  const { deps } = built
  const study = await codingStudy(deps, [P1, P2])
  const actor = `staff:${study.coderA.id}`
  const leaders = await createCode(deps, study.study.id, { level: 'code', name: 'Leaders who step in' }, actor)
  const home = await createCode(deps, study.study.id, { level: 'code', name: 'Joining from home' }, actor)
  const [p1, p2] = study.transcripts as [(typeof study.transcripts)[0], (typeof study.transcripts)[0]]
  const code = async (place: typeof p1, coderId: string, codeId: string, text: string, words: string) =>
    (await addCodings(deps, place, coderId, { codeIds: [codeId], ...spanOf(text, words) })).codings[0]!
  const byA = await code(p1, study.coderA.id, leaders.id, P1, WORDS)
  await code(p1, study.coderB.id, leaders.id, P1, WORDS)
  // Takes the withdrawn words in with more around them: withdrawn with them, as in Table 2.
  await code(p1, study.coderB.id, home.id, P1, `judged me. I also liked joining from home.`)
  // Next to the withdrawn words but sharing none of them.
  await code(p1, study.coderA.id, home.id, P1, 'I also liked joining from home.')
  await code(p2, study.coderA.id, leaders.id, P2, WORDS)
  await chooseQuote(deps, leaders, byA.id, actor)
  const participant = (await findParticipant(deps.db, study.participants[0]!.id))!
  await recordMemberCheck(deps, participant, { codingId: byA.id, decision: 'withdraw' })
  const researcher = await signedInStaff(deps, [{ studyId: study.study.id, role: 'researcher' }])
  const get = (path: string) => built.app.request(`/api/studies/${study.study.id}${path}`, { headers: researcher.headers })
  return { ...built, study, leaders, home, byA, get }
}

describe('retrieval and search mark the passages a participant withdrew', () => {
  it('GET /segments lists every segment still, each with withdrawn: true where it overlaps a withdrawn passage', async () => {
    const w = await world()
    const res = await w.get('/segments')
    expect(res.status).toBe(200)
    const { segments } = (await res.json()) as { segments: Segment[] }
    expect(segments.map((s) => [s.participant.label, s.text, s.coders.length, s.withdrawn])).toEqual([
      // Both coders' coding of the withdrawn words: one segment, withdrawn.
      ['P1', WORDS, 2, true],
      ['P1', 'judged me. I also liked joining from home.', 1, true],
      ['P1', 'I also liked joining from home.', 1, false],
      ['P2', WORDS, 1, false],
    ])
    // Filtered by code, the mark is the same.
    const filtered = (await (await w.get(`/segments?code=${w.home.id}`)).json()) as { segments: Segment[] }
    expect(filtered.segments.map((s) => s.withdrawn)).toEqual([true, false])
  })

  it('stays withdrawn once the withdrawn coding itself is deleted (the words, not the coding)', async () => {
    const w = await world()
    await deleteCoding(w.deps, w.byA, w.study.coderA.id)
    const { segments } = (await (await w.get(`/segments?code=${w.leaders.id}`)).json()) as { segments: Segment[] }
    expect(segments.map((s) => [s.participant.label, s.coders.length, s.withdrawn])).toEqual([
      ['P1', 1, true],
      ['P2', 1, false],
    ])
  })

  it('segments.csv has a withdrawn column, TRUE or FALSE as the other exports write yes/no', async () => {
    const w = await world()
    const res = await w.get('/segments.csv')
    expect(res.status).toBe(200)
    const rows: string[][] = parseCsv(await res.text())
    expect(rows[0]).toEqual(['participant', 'role', 'code', 'start', 'end', 'text', 'before', 'after', 'coders', 'withdrawn'])
    expect(rows.slice(1).map((r) => [r[0], r[5], r[9]])).toEqual([
      ['P1', WORDS, 'TRUE'],
      ['P1', 'judged me. I also liked joining from home.', 'TRUE'],
      ['P1', 'I also liked joining from home.', 'FALSE'],
      ['P2', WORDS, 'FALSE'],
    ])
  })

  it('GET /search marks a hit in withdrawn words, and only there', async () => {
    const w = await world()
    const judged = (await (await w.get(`/search?q=${encodeURIComponent('someone judged')}`)).json()) as { hits: Hit[] }
    expect(judged.hits.map((h) => [h.participant.label, h.match, h.withdrawn])).toEqual([
      ['P1', 'someone judged', true],
      ['P2', 'someone judged', false],
    ])
    // "home" in P1 is after the withdrawn words; "leaders" in P1 is before them.
    const home = (await (await w.get('/search?q=home')).json()) as { hits: Hit[] }
    expect(home.hits.map((h) => [h.participant.label, h.withdrawn])).toEqual([
      ['P1', false],
      ['P2', false],
    ])
    const leaders = (await (await w.get('/search?q=leaders')).json()) as { hits: Hit[] }
    expect(leaders.hits.map((h) => [h.participant.label, h.withdrawn])).toEqual([
      ['P1', false],
      ['P2', false],
    ])
  })
})
