/**
 * Withdrawn passages: a coding is withdrawn when it shares a code point with a passage its
 * participant withdrew in the same transcript — never one at the same offsets of another transcript.
 */
import { describe, expect, it } from 'vitest'
import { insertCoding, insertMemberCheck, type Coding } from '../../../../server/db/repositories/codings'
import { loadWithdrawnPassages } from '../../../../server/domain/qualitative/withdrawn'
import { createCode } from '../../../../server/domain/qualitative/codebook'
import { testDeps } from '../../../helpers/app'
import { codingStudy } from '../../../helpers/qualitative'

const TEXT = 'Interviewer: And the leaders? 😀\nP1: They stepped in when someone judged me. من از بیماران می‌ترسیدم. I also liked joining from home.'

async function world() {
  const deps = await testDeps()
  const built = await codingStudy(deps, [TEXT, TEXT, TEXT])
  const leaders = await createCode(deps, built.study.id, { level: 'code', name: 'Leaders' }, 'test')
  const length = [...TEXT].length
  const codings: Coding[] = []
  for (const place of built.transcripts) {
    for (let start = 0; start < length; start += 7) {
      for (const size of [1, 12, 40]) {
        const end = start + size
        if (end > length) continue
        deps.clock.advance(1_000)
        codings.push(await insertCoding(deps.db, { transcriptId: place.transcriptId, codeId: leaders.id, coderId: built.coderA.id, start, end, text: [...TEXT].slice(start, end).join('') }, deps.now()))
      }
    }
  }
  const [t1, t2, t3] = built.transcripts.map((p) => p.transcriptId) as [string, string, string]
  const of = (transcriptId: string, start: number, size: number) => codings.find((c) => c.transcriptId === transcriptId && c.start === start && c.end - c.start === size)!
  const check = async (coding: Coding, decision: 'withdraw' | 'confirm', participant: number) => {
    deps.clock.advance(60_000)
    await insertMemberCheck(deps.db, { codingId: coding.id, participantId: built.participants[participant]!.id, decision, comment: null }, deps.now())
  }
  // P1 withdraws two passages of transcript 1; P2 withdraws one of transcript 2 and then confirms it again; P3 withdraws the end of transcript 3.
  const withdrawn = [of(t1, 14, 12), of(t1, 63, 40), of(t3, length - 1 - ((length - 1) % 7), 1)]
  await check(withdrawn[0]!, 'withdraw', 0)
  await check(withdrawn[1]!, 'withdraw', 0)
  await check(of(t2, 14, 12), 'withdraw', 1)
  await check(of(t2, 14, 12), 'confirm', 1)
  await check(withdrawn[2]!, 'withdraw', 2)
  return { deps, built, codings, withdrawn, ids: [t1, t2, t3] as const }
}

describe('loadWithdrawnPassages', () => {
  it('withdraws the codings overlapping a withdrawn passage of their own transcript, and no other', async () => {
    const { deps, built, codings, withdrawn } = await world()
    const expected = (c: Coding) => withdrawn.some((w) => w.transcriptId === c.transcriptId && w.start < c.end && c.start < w.end)
    const passages = await loadWithdrawnPassages(deps, { studyId: built.study.id })
    expect(codings.map((c) => passages.overlaps(c))).toEqual(codings.map(expected))
    expect(codings.filter((c) => passages.overlaps(c)).length).toBe(35)
    // A transcript of the study with no passages withdrawn, and one not in the study at all.
    expect(passages.overlaps({ transcriptId: 'elsewhere', start: 0, end: 1000 })).toBe(false)
  })

  it('reads one transcript alone when asked for one', async () => {
    const { deps, codings, withdrawn, ids } = await world()
    const passages = await loadWithdrawnPassages(deps, { transcriptId: ids[0] })
    const expected = (c: Coding) => c.transcriptId === ids[0] && withdrawn.some((w) => w.transcriptId === c.transcriptId && w.start < c.end && c.start < w.end)
    expect(codings.map((c) => passages.overlaps(c))).toEqual(codings.map(expected))
    expect(codings.filter((c) => c.transcriptId === ids[1]).some((c) => passages.overlaps(c))).toBe(false)
  })
})
