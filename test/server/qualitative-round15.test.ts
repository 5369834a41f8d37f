/**
 * Round 15 of the qualitative review:
 * - a .qdpx whose elements share a GUID was read as if one element stood for both; one holding a
 *   character reference to a control character (`&#1;`, forbidden by XML 1.0) was accepted;
 *   importing the same project again stored its notes linked to cases (and its code and project
 *   memos) a second time;
 * - a withdrawal whose coding was deleted since was left out of the .qdpx, so the withdrawn words
 *   could be quoted in the tool or study the project went to (and, found later, a comment or a
 *   confirmation was left out as well);
 * - retrieval by change group without a named scale took each cohort's first scale, so "improved"
 *   meant one scale for one cohort and another for the next.
 */
import { strToU8, unzipSync, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { listCodes, listMemos } from '../../server/db/repositories/codebook'
import { findCoding, listCodingsOfStudy } from '../../server/db/repositories/codings'
import { findInterviewOfParticipant, listNotes } from '../../server/db/repositories/interviews'
import { findParticipant, listParticipants } from '../../server/db/repositories/participants'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { createCode, createMemo } from '../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, deleteCoding, recordMemberCheck, setQuotes, unchooseQuote } from '../../server/domain/qualitative/coding'
import { putTranscript, saveNote } from '../../server/domain/qualitative/interviews'
import { checkedPassageName, exportCohortQdpx, withdrawnPassageName } from '../../server/domain/qualitative/qda-export'
import { importQdc, importQdpx } from '../../server/domain/qualitative/qda-import'
import { studyNotes } from '../../server/domain/qualitative/notes'
import { illegalXmlCharacter, refiSchemaErrors } from '../../server/domain/qualitative/refi-import'
import { codedSegments } from '../../server/domain/qualitative/retrieval'
import { createCohort, createStudy, updateStudySettings } from '../../server/domain/staff/setup'
import { testApp, testDeps } from '../helpers/app'
import { itemLines } from '../helpers/export-cohort'
import { codingStudy, interviewFirstOfEachCoded, spanOf, staffMember } from '../helpers/qualitative'
import { signedInStaff } from '../helpers/staff'

const P1 = 'Interviewer: How was it?\nP1: My chief shouted at me in front of the patient. Later the group helped.'
const P2 = 'Interviewer: And you?\nP2: I felt safe in the group 🙂 from the start.'

/** A cohort with a codebook, codings, a code memo, a project memo and an interviewer note, exported. */
async function exportedProject(deps: Awaited<ReturnType<typeof testDeps>>) {
  const w = await codingStudy(deps, [P1, P2])
  const actor = `staff:${w.coderA.id}`
  const category = await createCode(deps, w.study.id, { level: 'category', name: 'Hierarchy' }, actor)
  const shamed = await createCode(deps, w.study.id, { level: 'code', name: 'Shamed by a senior', parentId: category.id }, actor)
  const safe = await createCode(deps, w.study.id, { level: 'code', name: 'Felt safe', parentId: category.id }, actor)
  await addCodings(deps, w.transcripts[0]!, w.coderA.id, { codeIds: [shamed.id], ...spanOf(P1, 'My chief shouted at me in front of the patient.') })
  await addCodings(deps, w.transcripts[1]!, w.coderA.id, { codeIds: [safe.id], ...spanOf(P2, 'I felt safe in the group 🙂') })
  await createMemo(deps, w.study.id, { targetType: 'code', targetId: shamed.id, text: 'Hierarchy in the ward.' }, w.coderA.id)
  await createMemo(deps, w.study.id, { targetType: 'project', text: 'Coded in two rounds.' }, w.coderA.id)
  const interview = (await findInterviewOfParticipant(deps.db, w.participants[0]!.id))!
  await saveNote(deps, interview, 'experience', { text: 'Spoke of the chief first.', revision: 1 }, w.coderA)
  const file = await exportCohortQdpx(deps, w.cohort.id, { actor: 'test', destination: 'download' })
  return { w, file, codes: { shamed, safe } }
}

/** The .qdpx with its project.qde changed by `edit`. */
function edited(bytes: Uint8Array, edit: (xml: string) => string): Uint8Array {
  const entries = unzipSync(bytes)
  entries['project.qde'] = strToU8(edit(new TextDecoder().decode(entries['project.qde'])))
  return zipSync(entries)
}

async function importWorld() {
  const built = await testApp()
  const { file } = await exportedProject(built.deps)
  const study = await createStudy(built.deps, { name: 'Importing study' }, 'test')
  const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group B' }, 'test')
  const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
  const upload = async (bytes: Uint8Array) => {
    const res = await built.app.request(`/api/cohorts/${cohort.id}/import.qdpx`, { method: 'POST', headers: { ...researcher.headers, 'content-type': 'application/zip' }, body: new Uint8Array(bytes) })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }
  return { built, file, study, cohort, upload }
}

describe('a .qdpx with two elements of the same GUID', () => {
  it('is refused with 422, naming the GUID, and nothing is written', async () => {
    const { built, file, study, upload } = await importWorld()
    const guids = [...new TextDecoder().decode(unzipSync(file.bytes)['project.qde']).matchAll(/<Code guid="([^"]+)" name="(Shamed by a senior|Felt safe)"/g)]
    expect(guids).toHaveLength(2)
    const [shamed, safe] = [guids[0]![1]!, guids[1]![1]!]
    // The second code takes the first one's GUID (in capitals and braces, as some tools write it).
    const bytes = edited(file.bytes, (xml) => xml.replace(`<Code guid="${safe}"`, `<Code guid="{${shamed.toUpperCase()}}"`))

    const res = await upload(bytes)

    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('validation_failed')
    expect(res.body.error.message).toContain(shamed)
    expect(res.body.error.message).toMatch(/<Code name="Shamed by a senior"> and <Code name="Felt safe">/)
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'file', guid: shamed })])
    expect(await listCodes(built.db, study.id)).toEqual([])
  }, 30_000)
})

describe('a .qdpx holding a character reference to a control character', () => {
  it('is refused with 422 naming the character and its line, in a note and in a name alike', async () => {
    const { built, file, study, upload } = await importWorld()
    for (const [reference, point, edit] of [
      ['&#1;', 'U+0001', (xml: string) => xml.replace('Coded in two rounds.', 'Coded in two&#1; rounds.')],
      ['&#x1F;', 'U+001F', (xml: string) => xml.replace('name="Felt safe"', 'name="Felt&#x1F; safe"')],
    ] as const) {
      const res = await upload(edited(file.bytes, edit))
      expect(res.status, reference).toBe(422)
      expect(res.body.error.code).toBe('validation_failed')
      expect(res.body.error.message).toContain(`${point}, a control character (${reference}), which XML 1.0 does not allow`)
      expect(res.body.error.message).toMatch(/^file: The file is not well-formed XML: line \d+ /)
      expect(res.body.error.details).toEqual([{ field: 'file', message: expect.stringContaining(point) }])
    }
    expect(await listCodes(built.db, study.id)).toEqual([])
    // Tabs, line breaks and every other character XML allows, as references, are fine.
    expect(illegalXmlCharacter('<a>&#9;&#10;&#13;&#xE9;&#233;&#x1F600;</a>')).toBeNull()
    expect(illegalXmlCharacter('<a>\u000B</a>')).toMatch(/U\+000B/)
    expect(illegalXmlCharacter('<a>&#xFFFE;</a>')).toMatch(/U\+FFFE, a non-character/)
    expect(illegalXmlCharacter('<a>&#xD800;</a>')).toMatch(/half of a surrogate pair/)
  }, 30_000)
})

describe('the same .qdpx imported twice', () => {
  it('stores its notes once: the interviewer note linked to the case, the code memo and the project memo', async () => {
    const deps = await testDeps()
    const { file } = await exportedProject(deps)
    const study = await createStudy(deps, { name: 'Re-imported' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A again' }, 'test')
    const researcher = await staffMember(deps, study.id, 'researcher')
    const first = await importQdpx(deps, cohort.id, file.bytes, researcher)
    expect(first).toMatchObject({ transcripts: 2, memos: 2, interviewNotes: 1 })
    const memosAfterFirst = (await listMemos(deps.db, study.id)).map((m) => [m.targetType, m.text]).sort()
    expect(memosAfterFirst).toEqual([
      ['code', 'Hierarchy in the ward.'],
      ['project', 'Coded in two rounds.'],
    ])

    const again = await importQdpx(deps, cohort.id, file.bytes, researcher)

    expect(again.memos).toBe(0)
    expect((await listMemos(deps.db, study.id)).map((m) => [m.targetType, m.text]).sort()).toEqual(memosAfterFirst)
    // The interviewer note is not stored again, neither as a note nor as a memo on the project.
    const p1 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P1')!
    expect((await listNotes(deps.db, (await findInterviewOfParticipant(deps.db, p1.id))!.id)).map((n) => n.text)).toEqual(['Spoke of the chief first.'])
    expect(again.skipped).toContainEqual({ what: 'note', name: 'Interviewer note: experience', reason: 'what it is about was not imported' })
    expect(again.skipped).toContainEqual({ what: 'note', name: 'Project memo', reason: 'the same note is already here (imported before)' })
  }, 30_000)
})

describe('a withdrawal whose coding was deleted since', () => {
  it('is exported as a passage with its member-check note, valid against the schema, and stays withdrawn through an import', async () => {
    const deps = await testDeps()
    const w = await codingStudy(deps, [P1, P2])
    const actor = `staff:${w.coderA.id}`
    const category = await createCode(deps, w.study.id, { level: 'category', name: 'Hierarchy' }, actor)
    const code = await createCode(deps, w.study.id, { level: 'code', name: 'Shamed by a senior', parentId: category.id }, actor)
    const words = 'My chief shouted at me in front of the patient.'
    const shouted = await addCodings(deps, w.transcripts[0]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P1, words) })
    // Coder B's coding of the same words stays: withdrawn with them, by the words.
    await addCodings(deps, w.transcripts[0]!, w.coderB.id, { codeIds: [code.id], ...spanOf(P1, words) })
    await chooseQuote(deps, code, shouted.codings[0]!.id, actor)
    await recordMemberCheck(deps, (await findParticipant(deps.db, w.participants[0]!.id))!, { codingId: shouted.codings[0]!.id, decision: 'withdraw', comment: 'My chief would know it was me.' })
    await deleteCoding(deps, (await findCoding(deps.db, shouted.codings[0]!.id))!, w.coderA.id)

    const file = await exportCohortQdpx(deps, w.cohort.id, { actor: 'test', destination: 'download' })

    const xml = new TextDecoder().decode(unzipSync(file.bytes)['project.qde'])
    expect(await refiSchemaErrors(xml, 'project')).toEqual([])
    const { start, end } = spanOf(P1, words)
    const selection = new RegExp(`<PlainTextSelection guid="[^"]+" name="${withdrawnPassageName}" startPosition="${start}" endPosition="${end}"[^>]*>\\s*<NoteRef targetGUID="([^"]+)"/>`).exec(xml)
    expect(selection, xml).not.toBeNull()
    expect(xml).toMatch(new RegExp(`<Note guid="${selection![1]}" name="Member check: withdraw"[^>]*>\\s*<PlainTextContent>My chief would know it was me.</PlainTextContent>`))

    // Imported into another study, the words are withdrawn there too.
    const study = await createStudy(deps, { name: 'Elsewhere' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
    const researcher = await staffMember(deps, study.id, 'researcher')
    const report = await importQdpx(deps, cohort.id, file.bytes, researcher)
    expect(report.memberChecks).toBe(1)
    const segments = await codedSegments(deps, study.id)
    expect(segments.filter((s) => s.text === words).map((s) => s.withdrawn)).toEqual([true])
    const imported = (await listCodes(deps.db, study.id)).find((c) => c.name === 'Shamed by a senior')!
    const live = (await listCodingsOfStudy(deps.db, study.id)).find((c) => c.text === words)!
    await expect(chooseQuote(deps, imported, live.id, `staff:${researcher.id}`)).rejects.toMatchObject({ code: 'conflict' })
  }, 30_000)

  it('and a comment or a confirmation whose coding was deleted: exported on passages, and among the notes after an import', async () => {
    // Found by a review: only withdrawals of deleted codings were exported. A participant's comment
    // on a passage, shown in the study's notes here, was left out of the .qdpx.
    const deps = await testDeps()
    const w = await codingStudy(deps, [P1, P2])
    const actor = `staff:${w.coderA.id}`
    const category = await createCode(deps, w.study.id, { level: 'category', name: 'Group' }, actor)
    const code = await createCode(deps, w.study.id, { level: 'code', name: 'Helped', parentId: category.id }, actor)
    const [commented, confirmed] = ['Later the group helped.', 'I felt safe in the group 🙂 from the start.']
    const c1 = await addCodings(deps, w.transcripts[0]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P1, commented) })
    const c2 = await addCodings(deps, w.transcripts[1]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P2, confirmed) })
    // Each chosen as the code's quotation in turn, checked by its participant, then set aside and deleted.
    await setQuotes(deps, code, [c1.codings[0]!.id, c2.codings[0]!.id], actor)
    await recordMemberCheck(deps, (await findParticipant(deps.db, w.participants[0]!.id))!, { codingId: c1.codings[0]!.id, decision: 'comment', comment: 'It helped after the third session.' })
    await recordMemberCheck(deps, (await findParticipant(deps.db, w.participants[1]!.id))!, { codingId: c2.codings[0]!.id, decision: 'confirm' })
    await unchooseQuote(deps, code, actor)
    for (const c of [c1, c2]) await deleteCoding(deps, (await findCoding(deps.db, c.codings[0]!.id))!, w.coderA.id)

    const file = await exportCohortQdpx(deps, w.cohort.id, { actor: 'test', destination: 'download' })

    const xml = new TextDecoder().decode(unzipSync(file.bytes)['project.qde'])
    expect(await refiSchemaErrors(xml, 'project')).toEqual([])
    for (const [text, words, decision, comment] of [
      [P1, commented, 'comment', 'It helped after the third session.'],
      [P2, confirmed, 'confirm', ''],
    ] as const) {
      const { start, end } = spanOf(text, words)
      const selection = new RegExp(`<PlainTextSelection guid="[^"]+" name="${checkedPassageName}" startPosition="${start}" endPosition="${end}"[^>]*>\\s*<NoteRef targetGUID="([^"]+)"/>`).exec(xml)
      expect(selection, xml).not.toBeNull()
      expect(xml).toMatch(new RegExp(`<Note guid="${selection![1]}" name="Member check: ${decision}"[^>]*>\\s*<PlainTextContent${comment === '' ? '/>' : `>${comment}</PlainTextContent>`}`))
    }

    // Imported into another study: both answers are there, among the notes of their transcripts.
    const study = await createStudy(deps, { name: 'Elsewhere' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
    const researcher = await staffMember(deps, study.id, 'researcher')
    const report = await importQdpx(deps, cohort.id, file.bytes, researcher)
    expect(report).toMatchObject({ memberChecks: 2, memos: 0 })
    const notes = await studyNotes(deps, study.id)
    expect(notes.flatMap((t) => t.memberChecks.map((c) => [t.participant.label, c.quotation, c.decision, c.comment]))).toEqual([
      ['P1', commented, 'comment', 'It helped after the third session.'],
      ['P2', confirmed, 'confirm', null],
    ])
    // Stored on deleted codings: nothing is coded with them.
    expect(await listCodingsOfStudy(deps.db, study.id)).toEqual([])
  }, 30_000)

  it('on the first place of its words when they occur twice since, and as a note on the transcript when they are gone', async () => {
    // Found by a third review: a comment went out on every place of its words (and came back as
    // two answers), and not at all once the transcript no longer held them.
    const deps = await testDeps()
    const w = await codingStudy(deps, [P1, P2])
    const actor = `staff:${w.coderA.id}`
    const category = await createCode(deps, w.study.id, { level: 'category', name: 'Group' }, actor)
    const code = await createCode(deps, w.study.id, { level: 'code', name: 'Helped', parentId: category.id }, actor)
    const [twice, gone] = ['the group helped.', 'I felt safe in the group 🙂 from the start.']
    const c1 = await addCodings(deps, w.transcripts[0]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P1, twice) })
    const c2 = await addCodings(deps, w.transcripts[1]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P2, gone) })
    await setQuotes(deps, code, [c1.codings[0]!.id, c2.codings[0]!.id], actor)
    const [p1, p2] = [(await findParticipant(deps.db, w.participants[0]!.id))!, (await findParticipant(deps.db, w.participants[1]!.id))!]
    await recordMemberCheck(deps, p1, { codingId: c1.codings[0]!.id, decision: 'comment', comment: 'After the third session.' })
    await recordMemberCheck(deps, p2, { codingId: c2.codings[0]!.id, decision: 'comment', comment: 'Not from the start.' })
    await unchooseQuote(deps, code, actor)
    for (const c of [c1, c2]) await deleteCoding(deps, (await findCoding(deps.db, c.codings[0]!.id))!, w.coderA.id)
    // The transcripts are put again: P1's words now twice, P2's words no more.
    await putTranscript(deps, (await findInterviewOfParticipant(deps.db, p1.id))!, { format: 'text', content: 'P1: At first the group helped. My chief shouted at me. Later the group helped.' }, w.coderA)
    await putTranscript(deps, (await findInterviewOfParticipant(deps.db, p2.id))!, { format: 'text', content: 'P2: I felt safe later on.' }, w.coderA)

    const file = await exportCohortQdpx(deps, w.cohort.id, { actor: 'test', destination: 'download' })

    const xml = new TextDecoder().decode(unzipSync(file.bytes)['project.qde'])
    expect(await refiSchemaErrors(xml, 'project')).toEqual([])
    expect(xml.match(new RegExp(`name="${checkedPassageName}"`, 'g'))).toHaveLength(1)
    const study = await createStudy(deps, { name: 'Elsewhere' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
    const report = await importQdpx(deps, cohort.id, file.bytes, await staffMember(deps, study.id, 'researcher'))
    expect(report).toMatchObject({ memberChecks: 1, memos: 1 })
    expect((await studyNotes(deps, study.id)).flatMap((t) => t.memberChecks.map((c) => [t.participant.label, c.quotation, c.comment]))).toEqual([['P1', twice, 'After the third session.']])
    expect((await listMemos(deps.db, study.id)).map((m) => [m.targetType, m.text])).toEqual([
      ['transcript', `Not from the start.\n\nAbout the words "${gone}", no longer in the transcript.`],
    ])

    // From a file without a code to hold it (the codebook taken out), the comment is a memo on the transcript, not dropped.
    const entries = unzipSync(file.bytes)
    entries['project.qde'] = strToU8(xml.replace(/<CodeBook>[\s\S]*<\/CodeBook>/, '<CodeBook><Codes/></CodeBook>'))
    const third = await createStudy(deps, { name: 'Third' }, 'test')
    const thirdCohort = await createCohort(deps, { studyId: third.id, name: 'Group A' }, 'test')
    const codeless = await importQdpx(deps, thirdCohort.id, zipSync(entries), await staffMember(deps, third.id, 'researcher'))
    expect(codeless).toMatchObject({ memberChecks: 0, memos: 2 })
    expect((await listMemos(deps.db, third.id)).map((m) => m.text).sort()).toEqual(['After the third session.', `Not from the start.\n\nAbout the words "${gone}", no longer in the transcript.`])
  }, 30_000)
})

describe('GET /studies/:id/segments?change=… without a scale named', () => {
  const phq9 = (code: string, wave: 'pre' | 'post', total: number) =>
    itemLines(code, wave, 'phq-9', 'phq9_', Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3))))
  const who5 = (code: string, wave: 'pre' | 'post', item: number) => itemLines(code, wave, 'who-5', 'who5_', [item, item, item, item, item])

  it('refuses with 422 listing the scales when several remain, and takes the study’s primary outcome for every cohort', async () => {
    const built = await testApp()
    const { deps } = built
    const study = await createStudy(deps, { name: 'Two groups, two questionnaires' }, 'test')
    // Group A: PHQ-9 and WHO-5 at both waves; P1 improves on PHQ-9 and worsens on WHO-5.
    const groupA = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
    const csvA = ['participant,wave,instrument,item,value', ...phq9('P1', 'pre', 20), ...who5('P1', 'pre', 5), ...phq9('P1', 'post', 2), ...who5('P1', 'post', 1)]
    await importCohortCsv(deps, { cohortId: groupA.id, csv: csvA.join('\n') }, 'test')
    // Group B: WHO-5 at both waves (PHQ-9 at the first only); P1 improves on WHO-5.
    const groupB = await createCohort(deps, { studyId: study.id, name: 'Group B' }, 'test')
    const csvB = ['participant,wave,instrument,item,value', ...phq9('P1', 'pre', 20), ...who5('P1', 'pre', 1), ...who5('P1', 'post', 5)]
    await importCohortCsv(deps, { cohortId: groupB.id, csv: csvB.join('\n') }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const category = await createCode(deps, study.id, { level: 'category', name: 'Fear' }, 'test')
    const code = await createCode(deps, study.id, { level: 'code', name: 'Fear of patients', parentId: category.id }, 'test')
    const texts = { A: 'P1: In group A I am less afraid of patients.', B: 'P1: In group B I enjoy the work again.' }
    await interviewFirstOfEachCoded(deps, researcher.user, code.id, [
      [groupA.id, texts.A],
      [groupB.id, texts.B],
    ])
    const get = async (query: string) => {
      const res = await built.app.request(`/api/studies/${study.id}/segments?${query}`, { headers: researcher.headers })
      return { status: res.status, body: (await res.json()) as Record<string, any> }
    }

    // Before: group A's first scale (PHQ-9) for A, group B's (WHO-5) for B, both "improved".
    const ambiguous = await get('change=improved')
    expect(ambiguous.status, JSON.stringify(ambiguous.body)).toBe(422)
    expect(ambiguous.body.error.code).toBe('validation_failed')
    expect(ambiguous.body.error.message).toMatch(/^instrument: name the instrument and scale whose change groups to use/)
    // WHO-5's percentage is its raw score in another metric: no choice of its own.
    expect(ambiguous.body.error.details).toEqual([expect.objectContaining({ field: 'instrument', choices: ['phq-9/total', 'who-5/raw'] })])
    // The page's scale picker is offered every scale given at both waves, with its label.
    const offered = ambiguous.body.error.details[0].scales.map((x: any) => `${x.instrument}/${x.scale}`)
    expect(offered).toEqual(['phq-9/total', 'who-5/raw'])

    // Named: one scale for every cohort; a cohort without it at both waves has no pair.
    const byPhq9 = await get('change=improved&instrument=phq-9')
    expect(byPhq9.status, JSON.stringify(byPhq9.body)).toBe(200)
    expect(byPhq9.body.segments.map((s: any) => s.text)).toEqual([texts.A.slice(4)])
    expect(byPhq9.body.changeScale).toMatchObject({ instrument: 'phq-9', scale: 'total' })
    expect(byPhq9.body.changeScales.map((x: any) => `${x.instrument}/${x.scale}`)).toEqual(['phq-9/total', 'who-5/raw'])
    expect((await get('change=no_pair&instrument=phq-9')).body.segments.map((s: any) => s.text)).toEqual([texts.B.slice(4)])

    // The study's primary outcome decides when nothing is named.
    await updateStudySettings(deps, study.id, { primaryOutcomes: ['who-5/raw'] }, 'test')
    const byPrimary = await get('change=improved')
    expect(byPrimary.status, JSON.stringify(byPrimary.body)).toBe(200)
    expect(byPrimary.body.changeScale).toMatchObject({ instrument: 'who-5', scale: 'raw' })
    expect(byPrimary.body.segments.map((s: any) => s.text)).toEqual([texts.B.slice(4)])
    expect((await get('change=not_improved')).body.segments.map((s: any) => s.text)).toEqual([texts.A.slice(4)])
  }, 30_000)
})

// Found later: xmlbuilder2's parser is lenient. A project.qde cut short (a copy or a download that
// stopped), or with a tag left open, was read as far as it went, and the import went on with part of
// the project, its schema errors only listed in the report.
describe('a .qdpx or .qdc that is not well-formed XML', () => {
  it('is refused with 422 naming the line and column, and nothing is written', async () => {
    const { built, file, study, upload } = await importWorld()
    const cases: [string, (xml: string) => string, RegExp][] = [
      // Cut short just after the first source: what came before is a valid start of a project.
      ['cut short', (xml) => xml.slice(0, xml.indexOf('</TextSource>') + '</TextSource>'.length), /line \d+, column \d+: .*unclosed tag/],
      ['a tag left open', (xml) => xml.replace('</Codes>', '<Code guid="00000000-0000-4000-8000-0000000000aa" name="Open" isCodable="true"></Codes>'), /line \d+, column \d+: .*close tag/],
      ['a duplicate attribute', (xml) => xml.replace('name="Felt safe"', 'name="Felt safe" name="Felt unsafe"'), /line \d+, column \d+: duplicate attribute: name/],
      ['an undefined entity', (xml) => xml.replace('Coded in two rounds.', 'Coded in two &rounds;.'), /line \d+, column \d+: undefined entity/],
      ['text after the root element', (xml) => `${xml}trailing`, /line \d+, column \d+: text data outside of root node/],
    ]
    for (const [what, edit, message] of cases) {
      const res = await upload(edited(file.bytes, edit))
      expect(res.status, what).toBe(422)
      expect(res.body.error.code, what).toBe('validation_failed')
      expect(res.body.error.message, what).toMatch(/^file: The file is not well-formed XML: line \d+, column \d+: /)
      expect(res.body.error.message, what).toMatch(message)
      expect(res.body.error.details, what).toEqual([{ field: 'file', message: expect.stringMatching(message) }])
    }
    expect(await listCodes(built.db, study.id)).toEqual([])
    expect(await listParticipants(built.db, (await built.db.selectFrom('cohort').select('id').where('study_id', '=', study.id).executeTakeFirstOrThrow()).id)).toEqual([])
    expect(await listMemos(built.db, study.id)).toEqual([])
  }, 60_000)

  it('is refused in a .qdc codebook too', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Cut codebook' }, 'test')
    const whole = '<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n<Code guid="00000000-0000-4000-8000-000000000001" name="Red" isCodable="true"/>\n<Code guid="00000000-0000-4000-8000-000000000002" name="Blue" isCodable="true"/>\n</Codes></CodeBook>'
    expect((await importQdc(deps, (await createStudy(deps, { name: 'Whole' }, 'test')).id, whole, 'test')).codes).toEqual({ created: 2, matched: 0 })
    const cut = whole.slice(0, whole.indexOf('<Code guid="00000000-0000-4000-8000-000000000002"'))
    await expect(importQdc(deps, study.id, cut, 'test')).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/not well-formed XML: line 4, column \d+: unclosed tag: Codes/), details: [{ field: 'file' }] })
    expect(await listCodes(deps.db, study.id)).toEqual([])
  })
})
