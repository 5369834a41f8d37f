/**
 * Member checks through a REFI-QDA round trip (from the qualitative review): a participant's answer
 * without a comment ("withdraw this quotation", "confirm") is exported as a Note with empty text and
 * must come back as that answer. It was dropped as an empty note, so a quotation the participant had
 * withdrawn could be chosen for Table 2 again in the study the project was imported into.
 */
import { describe, expect, it } from 'vitest'
import { listMemberChecksOfStudy } from '../../server/db/repositories/codings'
import { findParticipant } from '../../server/db/repositories/participants'
import { createCode, createMemo } from '../../server/domain/qualitative/codebook'
import { listMemos } from '../../server/db/repositories/codebook'
import { withdraw } from '../../server/domain/participation/journey'
import { addCodings, chooseQuote, recordMemberCheck } from '../../server/domain/qualitative/coding'
import { exportCohortQdpx } from '../../server/domain/qualitative/qda-export'
import { importQdpx } from '../../server/domain/qualitative/qda-import'
import { studyTable2 } from '../../server/domain/qualitative/table2'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { listCodes } from '../../server/db/repositories/codebook'
import { listCodingsOfStudy } from '../../server/db/repositories/codings'
import { testDeps } from '../helpers/app'
import { codingStudy, spanOf, staffMember } from '../helpers/qualitative'

const P1 = 'Interviewer: How was it?\nP1: My chief shouted at me in front of the patient. Later the group helped.'
const P2 = 'Interviewer: And you?\nP2: I felt safe in the group 🙂 from the start.'

describe('a member check without a comment, through a .qdpx round trip', () => {
  it('comes back: a withdrawn quotation stays withdrawn, a confirmation stays a confirmation', async () => {
    const deps = await testDeps()
    const w = await codingStudy(deps, [P1, P2])
    const actor = `staff:${w.coderA.id}`
    const theme = await createCode(deps, w.study.id, { level: 'theme', name: 'Work' }, actor)
    const category = await createCode(deps, w.study.id, { level: 'category', name: 'Hierarchy', parentId: theme.id }, actor)
    const code = await createCode(deps, w.study.id, { level: 'code', name: 'Shamed by a senior', parentId: category.id }, actor)
    const shouted = await addCodings(deps, w.transcripts[0]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P1, 'My chief shouted at me in front of the patient.') })
    const safe = await addCodings(deps, w.transcripts[1]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P2, 'I felt safe in the group 🙂') })
    await chooseQuote(deps, code, shouted.codings[0]!.id, actor)
    await chooseQuote(deps, code, safe.codings[0]!.id, actor)
    // P1 withdraws the quotation, P2 confirms theirs: neither writes a comment.
    await recordMemberCheck(deps, (await findParticipant(deps.db, w.participants[0]!.id))!, { codingId: shouted.codings[0]!.id, decision: 'withdraw' })
    await recordMemberCheck(deps, (await findParticipant(deps.db, w.participants[1]!.id))!, { codingId: safe.codings[0]!.id, decision: 'confirm' })

    const file = await exportCohortQdpx(deps, w.cohort.id, { actor: 'test', destination: 'download' })
    const study = await createStudy(deps, { name: 'Re-imported' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A again' }, 'test')
    const researcher = await staffMember(deps, study.id, 'researcher')
    const report = await importQdpx(deps, cohort.id, file.bytes, researcher)

    expect(report.memberChecks).toBe(2)
    const checks = await listMemberChecksOfStudy(deps.db, study.id)
    const codings = new Map((await listCodingsOfStudy(deps.db, study.id)).map((c) => [c.id, c]))
    expect(checks.map((c) => [c.decision, c.comment, codings.get(c.codingId)?.text]).sort()).toEqual([
      ['confirm', null, 'I felt safe in the group 🙂'],
      ['withdraw', null, 'My chief shouted at me in front of the patient.'],
    ])
    // The withdrawn words cannot be chosen as a quotation again in the new study.
    const imported = (await listCodes(deps.db, study.id)).find((c) => c.name === 'Shamed by a senior')!
    const withdrawnCoding = [...codings.values()].find((c) => c.text.startsWith('My chief'))!
    await expect(chooseQuote(deps, imported, withdrawnCoding.id, `staff:${researcher.id}`)).rejects.toMatchObject({ code: 'conflict' })
    const table = await studyTable2(deps, study.id)
    expect(JSON.stringify(table)).not.toContain('My chief shouted')
  }, 30_000)
})

describe('an older .qdpx imported again after a participant withdrew with deletion', () => {
  it('stores none of their words as a project memo: notes about what was skipped are skipped', async () => {
    // The source of the withdrawn participant is skipped; the member-check comment and the memo
    // linked to it had nothing left to attach to and were stored as memos on the project, with the
    // participant's words in them.
    const deps = await testDeps()
    const w = await codingStudy(deps, [P1, P2])
    const actor = `staff:${w.coderA.id}`
    const category = await createCode(deps, w.study.id, { level: 'category', name: 'Hierarchy' }, actor)
    const code = await createCode(deps, w.study.id, { level: 'code', name: 'Shamed by a senior', parentId: category.id }, actor)
    const shouted = await addCodings(deps, w.transcripts[0]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P1, 'My chief shouted at me in front of the patient.') })
    await chooseQuote(deps, code, shouted.codings[0]!.id, actor)
    const p1 = (await findParticipant(deps.db, w.participants[0]!.id))!
    await recordMemberCheck(deps, p1, { codingId: shouted.codings[0]!.id, decision: 'comment', comment: 'It was Dr Rahimi, in ward 4.' })
    await createMemo(deps, w.study.id, { targetType: 'transcript', targetId: w.transcripts[0]!.transcriptId, text: 'P1 cried when telling this.' }, w.coderA.id)
    const file = await exportCohortQdpx(deps, w.cohort.id, { actor: 'test', destination: 'download' })
    await withdraw(deps, p1, { keepData: false })

    const report = await importQdpx(deps, w.cohort.id, file.bytes, w.coderA)

    const memos = await listMemos(deps.db, w.study.id)
    expect(memos.map((m) => m.text).join('\n')).not.toMatch(/Dr Rahimi|cried/)
    expect(report.memberChecks).toBe(0)
    expect(report.skipped).toContainEqual({ what: 'note', name: 'Member check: comment', reason: 'what it is about was not imported' })
  }, 30_000)
})
