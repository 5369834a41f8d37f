/**
 * Table 2 (theme → category → code → meaning unit with the participant's code) and the code
 * frequencies by participant, on a small hand-built study: two themes, four categories (one still
 * empty), five codes, two transcripts coded by two coders, four chosen quotations of which one is
 * withdrawn by its participant.
 */
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../../../server/db/repositories/participants'
import { createCode, mergeCode } from '../../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, recordMemberCheck } from '../../../../server/domain/qualitative/coding'
import { changeGroupOf } from '../../../../server/domain/qualitative/joint-display'
import { codebookOrder } from '../../../../server/domain/qualitative/data'
import { codeFrequenciesCsv, studyCodeFrequencies, studyTable2, table2Csv, table2Markdown } from '../../../../server/domain/qualitative/table2'
import type { CodeNode } from '../../../../server/domain/qualitative/types'
import { testDeps } from '../../../helpers/app'
import { codingStudy, spanOf } from '../../../helpers/qualitative'

const P1_TEXT =
  'Interviewer: What was your experience?\nP1: Before the groups I was fearful of patients. Later I grew calmer.\nInterviewer: And the faces?\nP1: I preferred that all participants reveal their faces.'
const P2_TEXT =
  'Interviewer: What was your experience?\nP2: I learned how to talk to my colleagues instead of brawling.\nInterviewer: And the faces?\nP2: If I was forced to reveal my face, I was fearful of being judged.'

/** The study of this file; creation order differs from codebook order on purpose. */
async function study() {
  const deps = await testDeps()
  const world = await codingStudy(deps, [P1_TEXT, P2_TEXT])
  const actor = `staff:${world.coderA.id}`
  const S = world.study.id
  const add = (level: 'theme' | 'category' | 'code', name: string, parentId?: string) => createCode(deps, S, { level, name, parentId }, actor)
  const effects = await add('theme', 'Effects of Balint group')
  const virtuality = await add('theme', 'Virtuality of Balint group')
  const relationship = await add('category', 'Relationship with a patient with COVID-19', effects.id)
  const faces = await add('category', 'Faces', virtuality.id)
  const education = await add('category', 'Education', effects.id)
  const fear = await add('code', 'Decrease of fear from patients', relationship.id)
  const seeing = await add('code', 'Seeing', faces.id)
  const sympathy = await add('code', 'Higher sympathy levels', relationship.id)
  const selfAwareness = await add('code', 'Self-awareness', education.id)
  const beingSeen = await add('code', 'Being seen', faces.id)
  await add('category', 'Obstacles', virtuality.id)

  const [t1, t2] = world.transcripts as [(typeof world.transcripts)[0], (typeof world.transcripts)[0]]
  const code = async (coderId: string, place: typeof t1, text: string, phrase: string, codeId: string) =>
    (await addCodings(deps, place, coderId, { codeIds: [codeId], ...spanOf(text, phrase) })).codings[0]!
  const A = world.coderA.id
  const B = world.coderB.id
  const quotes = {
    fear: await code(A, t1, P1_TEXT, 'Before the groups I was fearful of patients.', fear.id),
    seeing: await code(A, t1, P1_TEXT, 'I preferred that all participants reveal their faces.', seeing.id),
    selfAwareness: await code(A, t2, P2_TEXT, 'I learned how to talk to my colleagues instead of brawling.', selfAwareness.id),
    beingSeen: await code(A, t2, P2_TEXT, 'If I was forced to reveal my face, I was fearful of being judged.', beingSeen.id),
  }
  await code(A, t1, P1_TEXT, 'Later I grew calmer.', fear.id)
  await code(B, t1, P1_TEXT, 'Before the groups I was fearful of patients.', fear.id)
  await code(B, t2, P2_TEXT, 'If I was forced to reveal my face', beingSeen.id)
  await chooseQuote(deps, fear, quotes.fear.id, actor)
  await chooseQuote(deps, seeing, quotes.seeing.id, actor)
  await chooseQuote(deps, selfAwareness, quotes.selfAwareness.id, actor)
  await chooseQuote(deps, beingSeen, quotes.beingSeen.id, actor)
  // P1 confirms their quotation; P2 asks for "being seen" to be withdrawn.
  await recordMemberCheck(deps, (await findParticipant(deps.db, world.participants[0]!.id))!, { codingId: quotes.fear.id, decision: 'confirm' })
  await recordMemberCheck(deps, (await findParticipant(deps.db, world.participants[1]!.id))!, { codingId: quotes.beingSeen.id, decision: 'withdraw' })
  return { deps, ...world, actor, codes: { effects, virtuality, relationship, faces, education, fear, seeing, sympathy, selfAwareness, beingSeen }, quotes }
}

describe('codebookOrder', () => {
  it('puts each theme before its categories and each category before its codes, ungrouped ones last', () => {
    const node = (id: string, level: CodeNode['level'], parentId: string | null): CodeNode => ({ id, level, parentId, name: id, description: null })
    const order = codebookOrder([
      node('loose-code', 'code', null),
      node('c1', 'code', 'k1'),
      node('k2', 'category', 't2'),
      node('t1', 'theme', null),
      node('k1', 'category', 't1'),
      node('loose-category', 'category', null),
      node('t2', 'theme', null),
      node('c2', 'code', 'loose-category'),
    ])
    expect(order.map((n) => n.id)).toEqual(['t1', 'k1', 'c1', 't2', 'k2', 'loose-category', 'c2', 'loose-code'])
  })
})

describe('Table 2', () => {
  it('lists every code in codebook order with its chosen meaning unit and participant, never a withdrawn one', async () => {
    const s = await study()
    const table = await studyTable2(s.deps, s.study.id)
    expect(table.rows.map((r) => [r.theme?.name ?? null, r.category?.name ?? null, r.code?.name ?? null, r.meaningUnits[0]?.text ?? null, r.meaningUnits[0]?.participant.label ?? null])).toEqual([
      ['Effects of Balint group', 'Relationship with a patient with COVID-19', 'Decrease of fear from patients', 'Before the groups I was fearful of patients.', 'P1'],
      ['Effects of Balint group', 'Relationship with a patient with COVID-19', 'Higher sympathy levels', null, null],
      ['Effects of Balint group', 'Education', 'Self-awareness', 'I learned how to talk to my colleagues instead of brawling.', 'P2'],
      ['Virtuality of Balint group', 'Faces', 'Seeing', 'I preferred that all participants reveal their faces.', 'P1'],
      // P2 withdrew this quotation: the code stays, its meaning unit goes.
      ['Virtuality of Balint group', 'Faces', 'Being seen', null, null],
      // A category with no code yet still has its row.
      ['Virtuality of Balint group', 'Obstacles', null, null, null],
    ])
    expect({ codes: table.codes, withMeaningUnit: table.withMeaningUnit }).toEqual({ codes: 5, withMeaningUnit: 3 })
    expect(table.rows[0]!.meaningUnits).toHaveLength(1)
    expect(table.rows[0]!.meaningUnits[0]).toMatchObject({ codingId: s.quotes.fear.id, chosenBy: s.actor, memberCheck: { decision: 'confirm', comment: null } })
    expect(JSON.stringify(table)).not.toContain('fearful of being judged')
  })

  it('is written as CSV, one full line per row', async () => {
    const s = await study()
    expect(table2Csv(await studyTable2(s.deps, s.study.id))).toBe(
      [
        'theme,category,code,meaning_unit,participant',
        'Effects of Balint group,Relationship with a patient with COVID-19,Decrease of fear from patients,Before the groups I was fearful of patients.,P1',
        'Effects of Balint group,Relationship with a patient with COVID-19,Higher sympathy levels,,',
        'Effects of Balint group,Education,Self-awareness,I learned how to talk to my colleagues instead of brawling.,P2',
        'Virtuality of Balint group,Faces,Seeing,I preferred that all participants reveal their faces.,P1',
        'Virtuality of Balint group,Faces,Being seen,,',
        'Virtuality of Balint group,Obstacles,,,',
        '',
      ].join('\n'),
    )
  })

  it('is written as Markdown laid out as in the paper', async () => {
    const s = await study()
    expect(table2Markdown(await studyTable2(s.deps, s.study.id))).toBe(
      [
        '# Table 2. Themes, categories and codes: Coding study',
        '',
        '| Theme | Category | Code | Meaning unit |',
        '| --- | --- | --- | --- |',
        '| Effects of Balint group | Relationship with a patient with COVID-19 | Decrease of fear from patients | Before the groups I was fearful of patients. (P1) |',
        '|  |  | Higher sympathy levels | – |',
        '|  | Education | Self-awareness | I learned how to talk to my colleagues instead of brawling. (P2) |',
        '| Virtuality of Balint group | Faces | Seeing | I preferred that all participants reveal their faces. (P1) |',
        '|  |  | Being seen | – |',
        '|  | Obstacles |  |  |',
        '',
        '3 of 5 codes have a meaning unit (3 meaning units in all); the participant who said each is given in brackets.',
        '',
      ].join('\n'),
    )
  })

  it('keeps a Markdown row on one line and a pipe inside a cell', async () => {
    const s = await study()
    await createCode(s.deps, s.study.id, { level: 'code', name: 'Either | or', parentId: s.codes.education.id }, s.actor)
    const multiline = await addCodings(s.deps, s.transcripts[0]!, s.coderA.id, { codeIds: [s.codes.sympathy.id], ...spanOf(P1_TEXT, 'calmer.\nInterviewer: And') })
    await chooseQuote(s.deps, s.codes.sympathy, multiline.codings[0]!.id, s.actor)
    const md = table2Markdown(await studyTable2(s.deps, s.study.id))
    expect(md).toContain('|  |  | Higher sympathy levels | calmer. Interviewer: And (P1) |')
    expect(md).toContain('|  |  | Either \\| or | – |')
  })
})

describe('code frequencies by participant', () => {
  it('counts coded passages per code and participant, of all coders or of one', async () => {
    const s = await study()
    const all = await studyCodeFrequencies(s.deps, s.study.id)
    expect(all.coder).toBeNull()
    expect(all.participants.map((p) => p.label)).toEqual(['P1', 'P2'])
    expect(all.rows.map((r) => [r.code.name, r.counts, r.total, r.participants])).toEqual([
      // P1's fear: two passages, one of them coded by both coders, which counts once (main counted 3).
      ['Decrease of fear from patients', [2, 0], 2, 1],
      ['Higher sympathy levels', [0, 0], 0, 0],
      ['Self-awareness', [0, 1], 1, 1],
      ['Seeing', [1, 0], 1, 1],
      ['Being seen', [0, 2], 2, 1],
    ])
    expect(all.rows[2]).toMatchObject({ category: { name: 'Education' }, theme: { name: 'Effects of Balint group' } })

    const onlyB = await studyCodeFrequencies(s.deps, s.study.id, { coder: s.coderB.id })
    expect(onlyB.coder).toEqual({ id: s.coderB.id, name: s.coderB.name })
    expect(onlyB.rows.map((r) => r.counts)).toEqual([[1, 0], [0, 0], [0, 0], [0, 0], [0, 1]])
    expect(codeFrequenciesCsv(onlyB)).toBe(
      [
        'theme,category,code,P1,P2,total,participants',
        'Effects of Balint group,Relationship with a patient with COVID-19,Decrease of fear from patients,1,0,1,1',
        'Effects of Balint group,Relationship with a patient with COVID-19,Higher sympathy levels,0,0,0,0',
        'Effects of Balint group,Education,Self-awareness,0,0,0,0',
        'Virtuality of Balint group,Faces,Seeing,0,0,0,0',
        'Virtuality of Balint group,Faces,Being seen,0,1,1,1',
        '',
      ].join('\n'),
    )
  })

  it('counts a merged code as the code it was merged into', async () => {
    const s = await study()
    const infection = await createCode(s.deps, s.study.id, { level: 'code', name: 'Fear of infection', parentId: s.codes.relationship.id }, s.actor)
    await addCodings(s.deps, s.transcripts[1]!, s.coderA.id, { codeIds: [infection.id], ...spanOf(P2_TEXT, 'I was fearful of being judged.') })
    await mergeCode(s.deps, infection, s.codes.fear.id, s.actor)
    const all = await studyCodeFrequencies(s.deps, s.study.id)
    expect(all.rows.map((r) => r.code.name)).not.toContain('Fear of infection')
    expect(all.rows[0]).toMatchObject({ code: { name: 'Decrease of fear from patients' }, counts: [2, 1], total: 3, participants: 2 })
  })

  it('refuses a coder with no codings in the study, naming the parameter', async () => {
    const s = await study()
    await expect(studyCodeFrequencies(s.deps, s.study.id, { coder: 'nobody' })).rejects.toMatchObject({ code: 'validation_failed', details: [{ field: 'coder' }] })
  })
})

describe('change groups of the joint display', () => {
  it('puts recovered and improved together against unchanged and deteriorated', () => {
    expect((['recovered', 'improved', 'unchanged', 'deteriorated', null] as const).map(changeGroupOf)).toEqual(['improved', 'improved', 'not_improved', 'not_improved', 'no_pair'])
  })
})
