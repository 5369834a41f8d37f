/**
 * The codebook: theme → category → code levels, rename, describe, move and merge with history kept,
 * and what a merge carries along (codings, children, memos, the Table 2 quotation).
 */
import { describe, expect, it } from 'vitest'
import { findCode, listCodes } from '../../../../server/db/repositories/codebook'
import { listCodingsOfCode } from '../../../../server/db/repositories/codings'
import { codeHistory, createCode, createMemo, deleteCode, editCode, mergeCode, parentProblem, studyMemos } from '../../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, memberCheckQuotes, recordMemberCheck, studyQuotes } from '../../../../server/domain/qualitative/coding'
import { findParticipant } from '../../../../server/db/repositories/participants'
import { testDeps } from '../../../helpers/app'
import { codingStudy, spanOf } from '../../../helpers/qualitative'

const text = 'Interviewer: How was the first session?\nP1: I was anxious and afraid of being judged. Later I felt safe.'

async function fixture() {
  const deps = await testDeps()
  const world = await codingStudy(deps, [text])
  const actor = `staff:${world.coderA.id}`
  const theme = await createCode(deps, world.study.id, { level: 'theme', name: 'Structure of the group' }, actor)
  const category = await createCode(deps, world.study.id, { level: 'category', name: 'The first session', parentId: theme.id }, actor)
  const other = await createCode(deps, world.study.id, { level: 'category', name: 'Leaders', parentId: theme.id }, actor)
  return { deps, ...world, actor, theme, category, other, transcript: world.transcripts[0]! }
}

async function expectRejected(promise: Promise<unknown>, code: string, field?: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toMatchObject({ code })
  if (field) expect((error as { details: { field: string }[] }).details.map((d) => d.field)).toEqual([field])
  return error as Error
}

describe('parentProblem', () => {
  it('keeps theme → category → code', () => {
    expect(parentProblem('theme', null)).toBeNull()
    expect(parentProblem('category', { level: 'theme' })).toBeNull()
    expect(parentProblem('code', { level: 'category' })).toBeNull()
    expect(parentProblem('theme', { level: 'theme' })).toMatch(/theme .* has no parent/)
    expect(parentProblem('category', { level: 'category' })).toBe('a category belongs in a theme, not in a category')
    expect(parentProblem('code', { level: 'theme' })).toBe('a code belongs in a category, not in a theme')
    expect(parentProblem('code', { level: 'code' })).toBe('a code belongs in a category, not in a code')
  })

  it('lets categories and codes wait ungrouped during open coding', () => {
    expect(parentProblem('category', null)).toBeNull()
    expect(parentProblem('code', null)).toBeNull()
  })
})

describe('createCode', () => {
  it('enforces the levels with a 422 naming parentId', async () => {
    const { deps, study, theme, category, actor } = await fixture()
    await expectRejected(createCode(deps, study.id, { level: 'code', name: 'Fear', parentId: theme.id }, actor), 'validation_failed', 'parentId')
    await expectRejected(createCode(deps, study.id, { level: 'theme', name: 'Effects', parentId: theme.id }, actor), 'validation_failed', 'parentId')
    await expectRejected(createCode(deps, study.id, { level: 'category', name: 'Sub', parentId: category.id }, actor), 'validation_failed', 'parentId')
    await expectRejected(createCode(deps, study.id, { level: 'code', name: 'Fear', parentId: 'no-such-code' }, actor), 'validation_failed', 'parentId')
    const code = await createCode(deps, study.id, { level: 'code', name: 'Insecurity', description: 'Not feeling safe to speak', parentId: category.id }, actor)
    expect(code).toMatchObject({ level: 'code', parentId: category.id, description: 'Not feeling safe to speak', mergedInto: null })
  })

  it('refuses a parent from another study', async () => {
    const a = await fixture()
    const b = await codingStudy(a.deps, [])
    await expectRejected(createCode(a.deps, b.study.id, { level: 'category', name: 'Leaders', parentId: a.theme.id }, a.actor), 'validation_failed', 'parentId')
  })

  it('refuses a second sibling of the same name, ignoring case', async () => {
    const { deps, study, theme, actor } = await fixture()
    await expectRejected(createCode(deps, study.id, { level: 'category', name: 'the FIRST session', parentId: theme.id }, actor), 'conflict')
  })

  it('records the creation in the history', async () => {
    const { deps, category } = await fixture()
    const history = await codeHistory(deps, category)
    expect(history).toEqual([expect.objectContaining({ action: 'create', codeId: category.id, details: expect.objectContaining({ name: 'The first session', level: 'category' }) })])
  })
})

describe('editCode', () => {
  it('renames, describes and moves, one history entry each', async () => {
    const { deps, study, category, other, actor } = await fixture()
    const code = await createCode(deps, study.id, { level: 'code', name: 'Discomfort', parentId: category.id }, actor)
    const edited = await editCode(deps, code, { name: 'Being discomforted', description: 'Unease in the first session', parentId: other.id }, actor)
    expect(edited).toMatchObject({ name: 'Being discomforted', description: 'Unease in the first session', parentId: other.id })
    const history = await codeHistory(deps, edited)
    expect(history.map((h) => [h.action, h.details])).toEqual([
      ['create', expect.anything()],
      ['rename', { from: 'Discomfort', to: 'Being discomforted' }],
      ['describe', { from: null, to: 'Unease in the first session' }],
      ['move', { from: category.id, to: other.id }],
    ])
    expect(history.every((h) => h.actor === actor)).toBe(true)
  })

  it('changes nothing and records nothing when nothing changes', async () => {
    const { deps, category, actor } = await fixture()
    await editCode(deps, category, { name: 'The first session' }, actor)
    expect(await codeHistory(deps, category)).toHaveLength(1)
  })

  it('keeps levels valid when moving', async () => {
    const { deps, study, category, actor } = await fixture()
    const code = await createCode(deps, study.id, { level: 'code', name: 'Insecurity', parentId: category.id }, actor)
    const otherTheme = await createCode(deps, study.id, { level: 'theme', name: 'Virtuality' }, actor)
    // A code into a theme, a category into a category, a theme under anything: all refused.
    await expectRejected(editCode(deps, code, { parentId: otherTheme.id }, actor), 'validation_failed', 'parentId')
    await expectRejected(editCode(deps, category, { parentId: category.id }, actor), 'validation_failed', 'parentId')
    await expectRejected(editCode(deps, otherTheme, { parentId: category.id }, actor), 'validation_failed', 'parentId')
    // A category moves to another theme and takes its codes along.
    const moved = await editCode(deps, category, { parentId: otherTheme.id }, actor)
    expect(moved.parentId).toBe(otherTheme.id)
    expect((await findCode(deps.db, code.id))!.parentId).toBe(category.id)
  })

  it('refuses a rename onto a sibling name', async () => {
    const { deps, category, actor } = await fixture()
    await expectRejected(editCode(deps, category, { name: 'leaders' }, actor), 'conflict')
  })
})

describe('mergeCode', () => {
  it('moves the codings to the target, keeps history on both and retires the merged code', async () => {
    const { deps, study, category, transcript, coderA, coderB, actor } = await fixture()
    const anxious = await createCode(deps, study.id, { level: 'code', name: 'Anxiety', parentId: category.id }, actor)
    const insecure = await createCode(deps, study.id, { level: 'code', name: 'Insecurity', parentId: category.id }, actor)
    const span = spanOf(text, 'afraid of being judged')
    // Coder A applied both codes to the same passage: after the merge one coding is enough.
    await addCodings(deps, transcript, coderA.id, { codeIds: [anxious.id, insecure.id], ...span })
    await addCodings(deps, transcript, coderB.id, { codeIds: [anxious.id], ...spanOf(text, 'I was anxious') })
    await createMemo(deps, study.id, { targetType: 'code', targetId: anxious.id, text: 'Close to insecurity?' }, coderA.id)

    const result = await mergeCode(deps, anxious, insecure.id, actor)
    expect(result).toMatchObject({ movedCodings: 1, droppedDuplicates: 1, movedChildren: 0 })
    expect(result.code.mergedInto).toBe(insecure.id)

    const codings = await listCodingsOfCode(deps.db, insecure.id)
    expect(codings.map((c) => [c.coderId, c.text]).sort()).toEqual(
      [
        [coderA.id, 'afraid of being judged'],
        [coderB.id, 'I was anxious'],
      ].sort(),
    )
    expect(await listCodingsOfCode(deps.db, anxious.id)).toEqual([])
    expect((await listCodes(deps.db, study.id)).map((c) => c.id)).not.toContain(anxious.id)
    expect((await listCodes(deps.db, study.id, { includeRetired: true })).map((c) => c.id)).toContain(anxious.id)
    expect(await studyMemos(deps, study.id, { targetType: 'code', targetId: insecure.id })).toEqual([expect.objectContaining({ text: 'Close to insecurity?' })])

    // The target's history shows the merge and, through it, the merged code's own past.
    const history = await codeHistory(deps, (await findCode(deps.db, insecure.id))!)
    expect(history.map((h) => [h.codeName, h.action])).toEqual([
      ['Anxiety', 'create'],
      ['Insecurity', 'create'],
      ['Anxiety', 'merge'],
      ['Insecurity', 'merge'],
    ])
    expect(history.find((h) => h.codeId === insecure.id && h.action === 'merge')!.details).toMatchObject({ from: anxious.id, fromName: 'Anxiety', codings: 1, duplicatesDropped: 1 })
  })

  it('moves a merged category’s codes under the target, with a move in each code’s history', async () => {
    const { deps, study, category, other, actor } = await fixture()
    const code = await createCode(deps, study.id, { level: 'code', name: 'Being active', parentId: other.id }, actor)
    await mergeCode(deps, other, category.id, actor)
    expect((await findCode(deps.db, code.id))!.parentId).toBe(category.id)
    expect((await codeHistory(deps, code)).map((h) => [h.action, h.details])).toEqual([
      ['create', expect.anything()],
      ['move', { from: other.id, to: category.id, because: 'merge' }],
    ])
  })

  it('carries the Table 2 quotation over when the target has none', async () => {
    const { deps, study, category, transcript, coderA, actor } = await fixture()
    const a = await createCode(deps, study.id, { level: 'code', name: 'Feeling safe', parentId: category.id }, actor)
    const b = await createCode(deps, study.id, { level: 'code', name: 'Security', parentId: category.id }, actor)
    const { codings } = await addCodings(deps, transcript, coderA.id, { codeIds: [a.id], ...spanOf(text, 'Later I felt safe.') })
    await chooseQuote(deps, a, codings[0]!.id, actor)
    await mergeCode(deps, a, b.id, actor)
    expect((await studyQuotes(deps, study.id)).map((q) => [q.codeId, q.codingId, q.text])).toEqual([[b.id, codings[0]!.id, 'Later I felt safe.']])
  })

  it('keeps the sibling-name rule: refuses a merge that would put two namesakes side by side, and changes nothing', async () => {
    const { deps, study, category, other, actor } = await fixture()
    const kept = await createCode(deps, study.id, { level: 'code', name: 'Fear of judgement', parentId: category.id }, actor)
    // The same name with a combining accent and other case, as another tool may write it.
    const namesake = await createCode(deps, study.id, { level: 'code', name: 'FEAR OF JUDGEMENT', parentId: other.id }, actor)
    const error = await expectRejected(mergeCode(deps, other, category.id, actor), 'conflict')
    expect(error).toMatchObject({ details: { clashes: [{ codeId: namesake.id, name: 'FEAR OF JUDGEMENT', clashesWith: kept.id }] } })
    expect((await findCode(deps.db, other.id))!.mergedInto).toBeNull()
    expect((await findCode(deps.db, namesake.id))!.parentId).toBe(other.id)
    // The rule is the one move and create keep; renaming the namesake first lets the merge through.
    await expectRejected(editCode(deps, namesake, { parentId: category.id }, actor), 'conflict')
    await expectRejected(createCode(deps, study.id, { level: 'code', name: 'Cafe\u0301', parentId: category.id }, actor).then(() => createCode(deps, study.id, { level: 'code', name: 'CAFÉ', parentId: category.id }, actor)), 'conflict')
    await editCode(deps, namesake, { name: 'Fear of being judged' }, actor)
    await mergeCode(deps, other, category.id, actor)
    const names = (await listCodes(deps.db, study.id)).filter((c) => c.parentId === category.id).map((c) => c.name)
    expect(names.sort()).toEqual(['Cafe\u0301', 'Fear of being judged', 'Fear of judgement'])
  })

  it('refuses to merge across levels, into itself, or into a merged code', async () => {
    const { deps, study, theme, category, other, actor } = await fixture()
    const code = await createCode(deps, study.id, { level: 'code', name: 'Insecurity', parentId: category.id }, actor)
    await expectRejected(mergeCode(deps, code, category.id, actor), 'validation_failed', 'into')
    await expectRejected(mergeCode(deps, category, theme.id, actor), 'validation_failed', 'into')
    await expectRejected(mergeCode(deps, category, category.id, actor), 'validation_failed', 'into')
    await mergeCode(deps, other, category.id, actor)
    const third = await createCode(deps, study.id, { level: 'category', name: 'Heterogeneous group', parentId: theme.id }, actor)
    await expectRejected(mergeCode(deps, third, other.id, actor), 'validation_failed', 'into')
    // And a merged code is not edited any more: its successor is.
    await expectRejected(editCode(deps, (await findCode(deps.db, other.id))!, { name: 'x' }, actor), 'conflict')
  })
})

describe('deleteCode', () => {
  it('deletes an unused code and refuses one with codings', async () => {
    const { deps, study, category, transcript, coderA, actor } = await fixture()
    const unused = await createCode(deps, study.id, { level: 'code', name: 'Typo', parentId: category.id }, actor)
    await deleteCode(deps, unused, actor)
    expect((await findCode(deps.db, unused.id))!.deletedAt).not.toBeNull()
    const used = await createCode(deps, study.id, { level: 'code', name: 'Used', parentId: category.id }, actor)
    await addCodings(deps, transcript, coderA.id, { codeIds: [used.id], ...spanOf(text, 'anxious') })
    await expectRejected(deleteCode(deps, used, actor), 'conflict')
    await expectRejected(deleteCode(deps, category, actor), 'conflict')
  })
})

describe('code history', () => {
  it('is append-only in the database', async () => {
    const { deps } = await fixture()
    await expect(deps.db.updateTable('code_history').set({ actor: 'someone else' }).execute()).rejects.toThrow(/append-only/)
    await expect(deps.db.deleteFrom('code_history').execute()).rejects.toThrow(/append-only/)
  })
})

describe('member checking', () => {
  it('keeps each answer, and a withdrawal takes the quotation out of Table 2', async () => {
    const { deps, study, category, transcript, coderA, actor, participants } = await fixture()
    const code = await createCode(deps, study.id, { level: 'code', name: 'Insecurity', parentId: category.id }, actor)
    const { codings } = await addCodings(deps, transcript, coderA.id, { codeIds: [code.id], ...spanOf(text, 'afraid of being judged') })
    await chooseQuote(deps, code, codings[0]!.id, actor)
    const participant = (await findParticipant(deps.db, participants[0]!.id))!
    expect(await memberCheckQuotes(deps, participant)).toEqual([{ codingId: codings[0]!.id, text: 'afraid of being judged', chosen: true, decision: null }])

    await recordMemberCheck(deps, participant, { codingId: codings[0]!.id, decision: 'comment', comment: 'It was more shame than fear.' })
    deps.clock.advance(60_000)
    await recordMemberCheck(deps, participant, { codingId: codings[0]!.id, decision: 'withdraw' })
    expect(await studyQuotes(deps, study.id)).toEqual([])
    const [quote] = await memberCheckQuotes(deps, participant)
    expect(quote).toMatchObject({ chosen: false, decision: { decision: 'withdraw', comment: null } })
    // Chosen again by mistake: refused.
    await expectRejected(chooseQuote(deps, code, codings[0]!.id, actor), 'conflict')
    // Another participant's quotation, or a coding never chosen, is not theirs to answer.
    await expectRejected(recordMemberCheck(deps, participant, { codingId: 'no-such-coding', decision: 'confirm' }), 'not_found')
  })
})
