/**
 * Merging codes that both have consensus codings (from the qualitative review). A merge looked for a
 * duplicate of each moved coding among the target's coders' own codings only, so a consensus coding:
 * - whose span the target's consensus set already held was moved next to it, against the unique
 *   index of live codings (500, nothing merged), or, with another decider, left twice in the set;
 * - whose span the decider had also coded with the target in their own set was dropped as that
 *   coding's "duplicate", and the consensus set lost the passage (frequencies, Table 2 default).
 * The consensus set holds a code on a span once, whoever recorded it; a coder's own set once per coder.
 */
import { describe, expect, it } from 'vitest'
import { listCodingsOfStudy } from '../../server/db/repositories/codings'
import { createCode, mergeCode } from '../../server/domain/qualitative/codebook'
import { findParticipant } from '../../server/db/repositories/participants'
import { addCodings, chooseQuote, memberCheckQuotes, recordMemberCheck, recordResolution } from '../../server/domain/qualitative/coding'
import { studyTable2 } from '../../server/domain/qualitative/table2'
import { studyCodeFrequencies } from '../../server/domain/qualitative/table2'
import { testDeps } from '../helpers/app'
import { codingStudy, spanOf } from '../helpers/qualitative'

const P1 = 'Interviewer: How was it?\nP1: I stopped dreading night shifts 🙂 after the group.'

async function twoCodes() {
  const deps = await testDeps()
  const w = await codingStudy(deps, [P1])
  const actor = `staff:${w.coderA.id}`
  const category = await createCode(deps, w.study.id, { level: 'category', name: 'Work' }, actor)
  const dread = await createCode(deps, w.study.id, { level: 'code', name: 'Less dread', parentId: category.id }, actor)
  const fear = await createCode(deps, w.study.id, { level: 'code', name: 'Less fear', parentId: category.id }, actor)
  const span = spanOf(P1, 'I stopped dreading night shifts 🙂')
  return { deps, w, actor, dread, fear, span, place: w.transcripts[0]! }
}

const consensusOf = async (deps: Awaited<ReturnType<typeof twoCodes>>['deps'], studyId: string) =>
  (await listCodingsOfStudy(deps.db, studyId)).filter((c) => c.consensus).map((c) => [c.codeId, c.start, c.end])

describe('merging a code whose consensus codings meet the target’s', () => {
  it('keeps one consensus coding of the span when both codes had one by the same decider (no 500)', async () => {
    const { deps, w, actor, dread, fear, span, place } = await twoCodes()
    await recordResolution(deps, place, w.coderA.id, { codeId: dread.id, ...span, decision: 'applies', note: '' })
    await recordResolution(deps, place, w.coderA.id, { codeId: fear.id, ...span, decision: 'applies', note: '' })

    const result = await mergeCode(deps, fear, dread.id, actor)

    expect(result).toMatchObject({ movedCodings: 0, droppedDuplicates: 1 })
    expect(await consensusOf(deps, w.study.id)).toEqual([[dread.id, span.start, span.end]])
  })

  it('keeps one consensus coding of the span when the two were recorded by different researchers', async () => {
    const { deps, w, actor, dread, fear, span, place } = await twoCodes()
    await recordResolution(deps, place, w.coderA.id, { codeId: dread.id, ...span, decision: 'applies', note: '' })
    await recordResolution(deps, place, w.coderB.id, { codeId: fear.id, ...span, decision: 'applies', note: '' })

    await mergeCode(deps, fear, dread.id, actor)

    expect(await consensusOf(deps, w.study.id)).toEqual([[dread.id, span.start, span.end]])
  })

  it('moves a consensus coding into the target’s consensus set though its decider coded the span with the target too', async () => {
    const { deps, w, actor, dread, fear, span, place } = await twoCodes()
    await addCodings(deps, place, w.coderA.id, { codeIds: [dread.id], ...span })
    await recordResolution(deps, place, w.coderA.id, { codeId: fear.id, ...span, decision: 'applies', note: '' })

    const result = await mergeCode(deps, fear, dread.id, actor)

    expect(result).toMatchObject({ movedCodings: 1, droppedDuplicates: 0 })
    expect(await consensusOf(deps, w.study.id)).toEqual([[dread.id, span.start, span.end]])
    // The analyses read the transcript's consensus set: the passage is still counted for the code.
    const frequencies = await studyCodeFrequencies(deps, w.study.id)
    expect(frequencies.rows.find((r) => r.code.id === dread.id)!.total).toBe(1)
  })
})

describe('merging a code whose quotation the participant already answered about', () => {
  it('keeps the answer with the quotation when the quoted coding is dropped as a duplicate of the target’s', async () => {
    // Coder A coded the same words with both codes; the quotation of the merged code was checked by
    // the participant. The merge moves the quotation onto A's coding of the target; the answer was
    // left on the dropped coding, so Table 2 showed the quotation as unchecked and the participant
    // was asked about it again.
    const { deps, w, actor, dread, fear, span, place } = await twoCodes()
    const [, onFear] = [await addCodings(deps, place, w.coderA.id, { codeIds: [dread.id], ...span }), await addCodings(deps, place, w.coderA.id, { codeIds: [fear.id], ...span })]
    await chooseQuote(deps, fear, onFear.codings[0]!.id, actor)
    const participant = (await findParticipant(deps.db, w.participants[0]!.id))!
    await recordMemberCheck(deps, participant, { codingId: onFear.codings[0]!.id, decision: 'comment', comment: 'Night shifts, yes; not all shifts.' })

    const result = await mergeCode(deps, fear, dread.id, actor)
    expect(result).toMatchObject({ droppedDuplicates: 1 })

    const row = (await studyTable2(deps, w.study.id)).rows.find((r) => r.code?.id === dread.id)!
    expect(row.meaningUnits).toHaveLength(1)
    expect(row.meaningUnits[0]!.memberCheck).toMatchObject({ decision: 'comment', comment: 'Night shifts, yes; not all shifts.' })
    const asked = await memberCheckQuotes(deps, participant)
    expect(asked).toHaveLength(1)
    expect(asked[0]!.decision).toMatchObject({ decision: 'comment' })
  })
})
