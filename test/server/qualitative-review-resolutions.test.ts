/**
 * A consensus coding chosen as a Table 2 quotation, then resolved "does not apply" (from the
 * qualitative review). The resolution soft-deleted the consensus coding but left it the code's
 * meaning unit: Table 2 went on quoting a passage the coders had agreed the code does not fit, and
 * the participant was still asked to check it. As deleting one's own coding does, the resolution is
 * now refused (409) while the coding is a quotation, and nothing is written.
 */
import { describe, expect, it } from 'vitest'
import { listResolutions, softDeleteCoding } from '../../server/db/repositories/codings'
import { createCode } from '../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, recordResolution, studyQuotes, transcriptCodings } from '../../server/domain/qualitative/coding'
import { studyTable2 } from '../../server/domain/qualitative/table2'
import { testDeps } from '../helpers/app'
import { codingStudy, spanOf } from '../helpers/qualitative'

const P1 = 'Interviewer: How was it?\nP1: I stopped dreading night shifts 🙂 after the group.'

describe('resolving "does not apply" on a consensus coding that is a Table 2 quotation', () => {
  it('is refused until the quotation is unchosen: Table 2 never quotes a coding that is gone', async () => {
    const deps = await testDeps()
    const w = await codingStudy(deps, [P1])
    const actor = `staff:${w.coderA.id}`
    const category = await createCode(deps, w.study.id, { level: 'category', name: 'Work' }, actor)
    const code = await createCode(deps, w.study.id, { level: 'code', name: 'Less dread', parentId: category.id }, actor)
    const span = spanOf(P1, 'I stopped dreading night shifts 🙂')
    const place = w.transcripts[0]!
    await recordResolution(deps, place, w.coderA.id, { codeId: code.id, ...span, decision: 'applies', note: '' })
    const [agreed] = (await transcriptCodings(deps, place.transcriptId, w.coderA.id, 'all')).filter((c) => c.consensus)
    await chooseQuote(deps, code, agreed!.id, actor)

    await expect(recordResolution(deps, place, w.coderB.id, { codeId: code.id, ...span, decision: 'does_not_apply', note: 'On reflection: not about dread.' })).rejects.toMatchObject({
      code: 'conflict',
    })

    // Nothing written: the consensus coding and its quotation stay, one resolution only.
    expect(await listResolutions(deps.db, { transcriptId: place.transcriptId })).toHaveLength(1)
    const table = await studyTable2(deps, w.study.id)
    const row = table.rows.find((r) => r.code?.id === code.id)!
    expect(row.meaningUnits.map((u) => u.codingId)).toEqual([agreed!.id])
    expect((await transcriptCodings(deps, place.transcriptId, w.coderA.id, 'all')).filter((c) => c.consensus).map((c) => c.id)).toEqual([agreed!.id])
  })
})

describe('a quotation whose coding was deleted before that was refused', () => {
  it('is no meaning unit of Table 2 and no quotation of the study', async () => {
    // Such rows exist in databases where "does not apply" was resolved on a quoted consensus coding.
    const deps = await testDeps()
    const w = await codingStudy(deps, [P1])
    const actor = `staff:${w.coderA.id}`
    const category = await createCode(deps, w.study.id, { level: 'category', name: 'Work' }, actor)
    const code = await createCode(deps, w.study.id, { level: 'code', name: 'Less dread', parentId: category.id }, actor)
    const { codings } = await addCodings(deps, w.transcripts[0]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P1, 'I stopped dreading night shifts 🙂') })
    await chooseQuote(deps, code, codings[0]!.id, actor)
    await softDeleteCoding(deps.db, codings[0]!.id, deps.now())

    const table = await studyTable2(deps, w.study.id)
    expect(table.meaningUnits).toBe(0)
    expect(await studyQuotes(deps, w.study.id)).toEqual([])
  })
})
