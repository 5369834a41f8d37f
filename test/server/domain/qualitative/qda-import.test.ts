/**
 * Imports from CAQDAS: a `.qdpx` round trip (export a cohort, import it into a new study, export
 * again: the same codebook, texts, codings with exact offsets, and notes), a `.qdc` written by
 * Taguette, a deeper code tree, a CSV codebook, a hand-built project with CRLF, emoji and combining
 * characters and a picture, and files that are not what they claim.
 */
import { readFileSync } from 'node:fs'
import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { listCodes } from '../../../../server/db/repositories/codebook'
import { listCodingsOfStudy } from '../../../../server/db/repositories/codings'
import { findStaffUser } from '../../../../server/db/repositories/staff'
import { findInterviewOfParticipant, findTranscriptOfInterview } from '../../../../server/db/repositories/interviews'
import { findParticipant, listParticipants } from '../../../../server/db/repositories/participants'
import { createCode, createMemo } from '../../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, recordMemberCheck, recordResolution } from '../../../../server/domain/qualitative/coding'
import { saveNote } from '../../../../server/domain/qualitative/interviews'
import { withdraw } from '../../../../server/domain/participation/journey'
import { exportCohortQdpx } from '../../../../server/domain/qualitative/qda-export'
import { importCodebookCsv, importQdc, importQdpx } from '../../../../server/domain/qualitative/qda-import'
import { importableText, readQdpx } from '../../../../server/domain/qualitative/refi-import'
import { sliceCodePoints } from '../../../../server/domain/qualitative/units'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testDeps } from '../../../helpers/app'
import { codingStudy, spanOf, staffMember } from '../../../helpers/qualitative'

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/refi-qda/${name}`, import.meta.url), 'utf8')

// Emoji (two UTF-16 units, one code point), a combining accent (two code points), Persian with a ZWNJ.
const P1 = 'Interviewer: How was it? 🙂\nP1: At first I was afraid 😟 of being judged. Later the cafe\u0301 talks felt safe.'
const P2 = 'Interviewer: And the faces?\nP2: می‌خواستم چهره‌ها را ببینم. I preferred to see all the faces.'

async function codedWorld() {
  const deps = await testDeps()
  const world = await codingStudy(deps, [P1, P2])
  const actor = `staff:${world.coderA.id}`
  const S = world.study.id
  const theme = await createCode(deps, S, { level: 'theme', name: 'Effects of Balint group', description: 'What changed' }, actor)
  const category = await createCode(deps, S, { level: 'category', name: 'Feelings', parentId: theme.id }, actor)
  const fear = await createCode(deps, S, { level: 'code', name: 'Fear of being judged', description: 'Afraid of others’ verdict', parentId: category.id }, actor)
  const safe = await createCode(deps, S, { level: 'code', name: 'Feeling safe', parentId: category.id, color: '#123abc' }, actor)
  const faces = await createCode(deps, S, { level: 'category', name: 'Faces' }, actor)
  const seeing = await createCode(deps, S, { level: 'code', name: 'Seeing', parentId: faces.id }, actor)
  const [t1, t2] = world.transcripts as [(typeof world.transcripts)[0], (typeof world.transcripts)[0]]
  const quoted = await addCodings(deps, t1, world.coderA.id, { codeIds: [fear.id], ...spanOf(P1, 'At first I was afraid 😟 of being judged.') })
  await addCodings(deps, t1, world.coderB.id, { codeIds: [fear.id], ...spanOf(P1, 'afraid 😟 of being judged') })
  await addCodings(deps, t1, world.coderA.id, { codeIds: [safe.id], ...spanOf(P1, 'the cafe\u0301 talks felt safe') })
  await addCodings(deps, t2, world.coderB.id, { codeIds: [seeing.id], ...spanOf(P2, 'می‌خواستم چهره‌ها را ببینم.') })
  await addCodings(deps, t2, world.coderA.id, { codeIds: [seeing.id], ...spanOf(P2, 'I preferred to see all the faces.') })
  // The coders disagreed on how much of P1's sentence is fear; B's span was agreed: the consensus set.
  await recordResolution(deps, t1, world.coderB.id, { codeId: fear.id, ...spanOf(P1, 'afraid 😟 of being judged'), decision: 'applies', note: 'B’s span: the fear, not the sentence.' })
  await createMemo(deps, S, { targetType: 'code', targetId: fear.id, text: 'Steiner: seeing and being seen.\nSecond line.' }, world.coderA.id)
  await createMemo(deps, S, { targetType: 'transcript', targetId: t2.transcriptId, text: 'Short interview 🙂' }, world.coderB.id)
  await createMemo(deps, S, { targetType: 'project', text: 'Coded in two rounds.' }, world.coderA.id)
  const interview = (await findInterviewOfParticipant(deps.db, world.participants[0]!.id))!
  await saveNote(deps, interview, 'experience', { text: 'Spoke of fear first; calmer later.', revision: 1 }, world.coderA)
  await chooseQuote(deps, fear, quoted.codings[0]!.id, actor)
  await recordMemberCheck(deps, (await findParticipant(deps.db, world.participants[0]!.id))!, { codingId: quoted.codings[0]!.id, decision: 'comment', comment: 'It was more shame than fear.' })
  return { deps, ...world }
}

/** What a `.qdpx` says, without GUIDs, dates or order of elements: what a round trip must keep. */
function content(bytes: Uint8Array) {
  const project = readQdpx(bytes)
  const codes = new Map(project.codes.map((c) => [c.guid, c]))
  const path = (guid: string): string => {
    const code = codes.get(guid)!
    return code.parentGuid ? `${path(code.parentGuid)} / ${code.name}` : code.name
  }
  const users = new Map(project.users.map((u) => [u.guid, u.name]))
  const sourceName = new Map(project.sources.map((s) => [s.guid, s.name]))
  const noteTargets = new Map<string, string[]>()
  const target = (guid: string, what: string) => noteTargets.set(guid, [...(noteTargets.get(guid) ?? []), what].sort())
  for (const c of project.codes) for (const g of c.noteGuids) target(g, `code ${path(c.guid)}`)
  for (const s of project.sources) {
    for (const g of s.noteGuids) target(g, `source ${s.name}`)
    for (const c of s.codings) for (const g of c.noteGuids) target(g, `coding ${s.name} ${c.start}-${c.end}`)
  }
  for (const c of project.cases) for (const g of c.noteGuids) target(g, `case ${c.name}`)
  for (const g of project.projectNoteGuids) target(g, 'project')
  return {
    codebook: project.codes.map((c) => [c.level, path(c.guid), c.description, c.color]).sort(),
    cases: project.cases.map((c) => [c.name, c.sourceGuids.map((g) => sourceName.get(g))]).sort(),
    texts: project.sources.map((s) => [s.name, s.text]).sort(),
    codings: project.sources.flatMap((s) => s.codings.map((c) => [s.name, c.start, c.end, path(c.codeGuid), users.get(c.userGuid!), sliceCodePoints(s.text, c.start, c.end)].join(' | '))).sort(),
    notes: project.notes.map((n) => [n.name, n.text, (noteTargets.get(n.guid) ?? []).join(', ')]).sort(),
    skipped: project.skipped,
  }
}

describe('.qdpx round trip', () => {
  it('exports, imports into a new study and exports again with the same codebook, texts, codings and notes', async () => {
    const w = await codedWorld()
    const first = await exportCohortQdpx(w.deps, w.cohort.id, { actor: 'test', destination: 'download' })
    const before = content(first.bytes)
    // What the first export holds, checked by hand, so the comparison below compares something.
    // Colours: the palette's in creation order (Okabe–Ito), except the one chosen by hand.
    expect(before.codebook).toEqual([
      ['category', 'Effects of Balint group / Feelings', null, '#56b4e9'],
      ['category', 'Faces', null, '#0072b2'],
      ['code', 'Effects of Balint group / Feelings / Fear of being judged', 'Afraid of others’ verdict', '#009e73'],
      ['code', 'Effects of Balint group / Feelings / Feeling safe', null, '#123abc'],
      ['code', 'Faces / Seeing', null, '#d55e00'],
      ['theme', 'Effects of Balint group', 'What changed', '#e69f00'],
    ])
    // Five codings of the coders and one of the consensus set, as its own user.
    expect(before.codings).toHaveLength(6)
    expect(before.codings).toContain(`P1 | 46 | 70 | Effects of Balint group / Feelings / Fear of being judged | Consensus (agreed by ${w.coderB.name}) | afraid 😟 of being judged`)
    // 31–71 in code points: 🙂 before and 😟 inside count one each (UTF-16 would say 32–73).
    expect(before.codings).toContain(`P1 | 31 | 71 | Effects of Balint group / Feelings / Fear of being judged | ${w.coderA.name} | At first I was afraid 😟 of being judged.`)
    expect(before.notes).toEqual([
      ['Interviewer note: experience', 'Spoke of fear first; calmer later.', 'case P1, source P1'],
      ['Member check: comment', 'It was more shame than fear.', 'coding P1 31-71'],
      ['Memo: Fear of being judged', 'Steiner: seeing and being seen.\nSecond line.', 'code Effects of Balint group / Feelings / Fear of being judged'],
      ['Memo: P2', 'Short interview 🙂', 'source P2'],
      ['Project memo', 'Coded in two rounds.', 'project'],
    ])

    const deps = w.deps
    const study = await createStudy(deps, { name: 'Re-imported' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A again' }, 'test')
    const researcher = await staffMember(deps, study.id, 'researcher')
    const report = await importQdpx(deps, cohort.id, first.bytes, researcher)
    expect(report).toMatchObject({
      validation: { valid: true, errors: [] },
      codes: { created: 6, matched: 0 },
      participants: { created: 2, matched: 0 },
      transcripts: 2,
      codings: 6,
      consensusCodings: 1,
      memos: 3,
      interviewNotes: 1,
      memberChecks: 1,
      // The consensus user is coder B again, found by name.
      users: { created: 2, matched: 1 },
      skipped: [],
    })
    // The consensus coding is one again, by B, and the analyses use it.
    const reimported = (await listCodingsOfStudy(deps.db, study.id)).filter((c) => c.consensus)
    expect(reimported.map((c) => c.text)).toEqual(['afraid 😟 of being judged'])
    const coderB = await findStaffUser(deps.db, reimported[0]!.coderId)
    expect(coderB?.name).toBe(w.coderB.name)
    const second = await exportCohortQdpx(deps, cohort.id, { actor: 'test', destination: 'download' })
    expect(content(second.bytes)).toEqual(before)

    // Importing the same project again adds no code and refuses the transcripts the participants already have.
    const again = await importQdpx(deps, cohort.id, first.bytes, researcher)
    expect(again.codes).toEqual({ created: 0, matched: 6 })
    expect(again.transcripts).toBe(0)
    // The notes on those transcripts, their codings and their cases are not stored again: not as
    // memos on the project, and not twice (a re-import duplicated the notes linked to cases).
    expect(again.skipped.map((s) => s.reason)).toEqual([
      'P1 already has a transcript; a participant has one interview',
      'P2 already has a transcript; a participant has one interview',
      'the same note is already here (imported before)',
      'what it is about was not imported',
      'the same note is already here (imported before)',
      'what it is about was not imported',
      'what it is about was not imported',
    ])
    expect(again.skipped.filter((s) => s.what === 'note').map((s) => s.name).sort()).toEqual(['Interviewer note: experience', 'Member check: comment', 'Memo: Fear of being judged', 'Memo: P2', 'Project memo'])
    // Two exports, two imports and their schema checks: give a shared machine time.
  }, 30_000)
})

describe('a withdrawn participant', () => {
  it('gets nothing back from an older export imported again: their transcript is skipped, and why', async () => {
    // Found by a review: a .qdpx exported before P1 withdrew and had their data deleted, imported
    // again into the same cohort, brought P1's interview and transcript back.
    const deps = await testDeps()
    const s = await codingStudy(deps, ['P1: I was afraid of being judged by my colleagues.', 'P2: Felt safe.'])
    const file = await exportCohortQdpx(deps, s.cohort.id, { actor: 'test', destination: 'download' })
    const p1 = (await findParticipant(deps.db, s.participants[0]!.id))!
    await withdraw(deps, p1, { keepData: false })
    expect(await findInterviewOfParticipant(deps.db, p1.id)).toBeUndefined()

    const report = await importQdpx(deps, s.cohort.id, file.bytes, s.coderA)

    expect(await findInterviewOfParticipant(deps.db, p1.id)).toBeUndefined()
    expect(report.skipped).toContainEqual({ what: 'source', name: expect.any(String), reason: `${p1.code} has withdrawn from the study: nothing more is stored for them` })
    const transcripts = await deps.db.selectFrom('transcript').select('text').execute()
    expect(transcripts.map((t) => t.text).join('\n')).not.toContain('afraid of being judged')
  })
})

describe('a project written by hand, as other tools write them', () => {
  const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
  // CRLF line ends, an emoji and a combining accent; positions counted in code points of the file as written.
  const text = 'I: How was it?\r\nR: Cafe\u0301 talks 😀 helped.\r\nR: Seeing faces helped.'
  const at = (phrase: string) => {
    const start = [...text.slice(0, text.indexOf(phrase))].length
    return { start, end: start + [...phrase].length }
  }
  const talks = at('Cafe\u0301 talks 😀 helped.')
  const seeing = at('Seeing faces helped.')
  const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Hand-made" origin="Some CAQDAS 2024">
  <Users><User guid="${guid(1)}" name="Coder One"/></Users>
  <CodeBook><Codes>
    <Code guid="${guid(2)}" name="Experience" isCodable="false">
      <Code guid="${guid(3)}" name="Helpful" isCodable="true">
        <Code guid="${guid(4)}" name="Talks" isCodable="true">
          <Code guid="${guid(15)}" name="Cafe" isCodable="true"/>
        </Code>
      </Code>
    </Code>
    <Code guid="${guid(5)}" name="Seeing" isCodable="true" color="#FF0000"/>
  </Codes></CodeBook>
  <Cases><Case guid="${guid(6)}" name="R7"><SourceRef targetGUID="${guid(7)}"/></Case></Cases>
  <Sources>
    <TextSource guid="${guid(7)}" name="Interview R7.txt" plainTextPath="internal://${guid(7)}.txt" creationDateTime="2024-05-01T10:00:00Z">
      <PlainTextSelection guid="${guid(8)}" startPosition="${talks.start}" endPosition="${talks.end}" creatingUser="${guid(1)}">
        <Coding guid="${guid(9)}" creatingUser="${guid(1)}"><CodeRef targetGUID="${guid(15)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="${guid(10)}" startPosition="${seeing.start}" endPosition="${seeing.end}" creatingUser="${guid(1)}">
        <Coding guid="${guid(11)}" creatingUser="${guid(1)}"><CodeRef targetGUID="${guid(5)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="${guid(12)}" startPosition="0" endPosition="9999">
        <Coding guid="${guid(13)}"><CodeRef targetGUID="${guid(5)}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <PictureSource guid="${guid(14)}" name="Whiteboard.jpg" path="internal://${guid(14)}.jpg"/>
  </Sources>
</Project>`

  it('takes the text with CRLF as line breaks, keeps every coded passage exact, and reports what it left', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Hand-made' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'G' }, 'test')
    const researcher = await staffMember(deps, study.id, 'researcher')
    const bytes = zipSync({ 'project.qde': strToU8(qde), [`sources/${guid(7)}.txt`]: strToU8(text) })
    const report = await importQdpx(deps, cohort.id, bytes, researcher)
    expect(report).toMatchObject({ validation: { valid: true }, transcripts: 1, codings: 2, participants: { created: 1 }, users: { created: 1 } })
    expect(report.skipped).toEqual([
      { what: 'code', name: '', reason: '"Talks › Cafe" was nested below a code; it became a code of the same category.' },
      { what: 'coding', name: 'Interview R7.txt 0–9999', reason: `the selection 0–9999 is not within the text's ${[...text].length} characters` },
      { what: 'picture', name: 'Whiteboard.jpg', reason: 'only text sources are imported; pictures, PDFs, audio and video are not' },
    ])
    const codes = await listCodes(deps.db, study.id)
    expect(codes.map((c) => [c.level, c.name])).toEqual([
      ['theme', 'Experience'],
      ['category', 'Helpful'],
      ['code', 'Talks'],
      ['code', 'Talks › Cafe'],
      ['code', 'Seeing'],
    ])
    const [participant] = await listParticipants(deps.db, cohort.id)
    expect(participant!.code).toBe('R7')
    const transcript = (await findTranscriptOfInterview(deps.db, (await findInterviewOfParticipant(deps.db, participant!.id))!.id))!
    expect(transcript.text).toBe('I: How was it?\nR: Cafe\u0301 talks 😀 helped.\nR: Seeing faces helped.')
    const codings = await listCodingsOfStudy(deps.db, study.id)
    expect(codings.map((c) => c.text).sort()).toEqual(['Cafe\u0301 talks 😀 helped.', 'Seeing faces helped.'])
  })

  it('maps offsets of a file with CRLF, a byte-order mark and emoji onto the stored text', () => {
    const t = importableText('\uFEFFa\r\nb😀c\rd')
    expect(t.text).toBe('a\nb😀c\nd')
    // File offsets (code points as written): a=1, \r=2, \n=3, b=4, 😀=5, c=6, \r=7, d=8.
    expect([1, 3, 4, 5, 6, 8, 9].map(t.map)).toEqual([0, 1, 2, 3, 4, 6, 7])
  })
})

describe('.qdc from another tool', () => {
  it('imports Taguette’s codebook as ungrouped codes, reporting what the schema says of it', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Taguette' }, 'test')
    const report = await importQdc(deps, study.id, fixture('taguette-codebook.qdc'), 'test')
    expect(report.codes).toEqual({ created: 3, matched: 0 })
    // Taguette writes an empty <Sets/>; the schema requires a Set in it. Read anyway, and said.
    expect(report.validation.valid).toBe(false)
    expect(report.validation.errors.join('\n')).toMatch(/Sets/)
    expect((await listCodes(deps.db, study.id)).map((c) => [c.level, c.name, c.parentId])).toEqual([
      ['code', 'interesting', null],
      ['code', 'people', null],
      ['code', 'interesting.places', null],
    ])
    // The same file again: nothing new (the sibling-name rule finds each code).
    expect((await importQdc(deps, study.id, fixture('taguette-codebook.qdc'), 'test')).codes).toEqual({ created: 0, matched: 3 })
  })

  it('keeps the colours a .qdc gives (#rgb widened), and gives a code without a valid one the palette’s next', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Colours' }, 'test')
    const qdc = `<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 2022"><Codes>
  <Code guid="00000000-0000-4000-8000-000000000001" name="Red" isCodable="true" color="#FF0000"/>
  <Code guid="00000000-0000-4000-8000-000000000002" name="Short" isCodable="true" color="#0AF"/>
  <Code guid="00000000-0000-4000-8000-000000000003" name="None" isCodable="true"/>
</Codes></CodeBook>`
    const report = await importQdc(deps, study.id, qdc, 'test')
    expect(report.validation.valid).toBe(true)
    expect((await listCodes(deps.db, study.id)).map((c) => [c.name, c.color])).toEqual([
      ['Red', '#ff0000'],
      ['Short', '#00aaff'],
      ['None', '#009e73'],
    ])
  })

  it('refuses what is not a QDA-XML codebook and writes nothing', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Bad files' }, 'test')
    for (const bad of ['not xml at all <', '<Project xmlns="urn:QDA-XML:project:1.0"/>', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>']) {
      await expect(importQdc(deps, study.id, bad, 'test')).rejects.toMatchObject({ code: 'validation_failed', details: [{ field: 'file' }] })
    }
    await expect(importQdpx(deps, (await createCohort(deps, { studyId: study.id, name: 'G' }, 'test')).id, strToU8('not a zip'), await staffMember(deps, study.id, 'researcher'))).rejects.toMatchObject({
      code: 'validation_failed',
    })
    expect(await listCodes(deps.db, study.id)).toEqual([])
  })
})

describe('CSV codebook', () => {
  it('builds theme → category → code from one line per node, descriptions on the deepest', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'CSV' }, 'test')
    const csv = [
      'Theme,Category,Code,Description',
      'Effects of Balint group,,,What changed for the participants',
      'Effects of Balint group,Education,Self-awareness,Learning about oneself',
      'Effects of Balint group,Education,"Not being alone, at last",',
      'Virtuality of Balint group,Faces,Seeing,',
      '"=cmd|\' /C calc\'!A0",,,',
    ].join('\r\n')
    const report = await importCodebookCsv(deps, study.id, csv, 'test')
    expect(report.codes).toEqual({ created: 8, matched: 0 })
    const codes = await listCodes(deps.db, study.id)
    expect(codes.map((c) => [c.level, c.name, c.description])).toEqual([
      ['theme', 'Effects of Balint group', 'What changed for the participants'],
      ['category', 'Education', null],
      ['code', 'Self-awareness', 'Learning about oneself'],
      ['code', 'Not being alone, at last', null],
      ['theme', 'Virtuality of Balint group', null],
      ['category', 'Faces', null],
      ['code', 'Seeing', null],
      // Data, never a formula: stored as typed.
      ['theme', "=cmd|' /C calc'!A0", null],
    ])
    await expect(importCodebookCsv(deps, study.id, 'name,description\nx,y\n', 'test')).rejects.toMatchObject({ code: 'validation_failed', details: [{ field: 'file' }] })
  })
})

describe('participant codes named by cases and sources', () => {
  const guid = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`
  /** A project of one case per entry (name `caseName`, as written in XML), each with a source (`sourceName`) and a note on the case. */
  function casesProject(entries: { caseName: string; sourceName: string }[]): Uint8Array {
    const files: Record<string, Uint8Array> = {}
    const xml = entries.map((e, i) => {
      const [c, s, n] = [guid(10 * i + 1), guid(10 * i + 2), guid(10 * i + 3)]
      files[`sources/${s}.txt`] = strToU8(`R: What case ${i + 1} said about being judged.`)
      return {
        caseXml: `<Case guid="${c}" name="${e.caseName}"><SourceRef targetGUID="${s}"/></Case>`,
        sourceXml: `<TextSource guid="${s}" name="${e.sourceName}" plainTextPath="internal://${s}.txt"/>`,
        noteXml: `<Note guid="${n}" name="Case note ${i + 1}"><PlainTextContent>About case ${i + 1}: afraid of the head nurse.</PlainTextContent></Note>`,
        linkXml: `<Link guid="${guid(10 * i + 4)}" originGUID="${n}" targetGUID="${c}"/>`,
      }
    })
    const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Cases" origin="Hand">
  <Cases>${xml.map((x) => x.caseXml).join('')}</Cases>
  <Sources>${xml.map((x) => x.sourceXml).join('')}</Sources>
  <Notes>${xml.map((x) => x.noteXml).join('')}</Notes>
  <Links>${xml.map((x) => x.linkXml).join('')}</Links>
</Project>`
    return zipSync({ 'project.qde': strToU8(qde), ...files })
  }

  it('skips a case that only looks like a withdrawn participant, and the notes of a nameless case of theirs', async () => {
    // Found by a review: P2 withdrew; a case named "P2" with a word joiner after it, or "p2", made a
    // new participant with P2's transcript, and the note on a case without a name, whose source is
    // named P2, was kept as a project memo.
    const deps = await testDeps()
    const s = await codingStudy(deps, ['P1: Felt safe.', 'P2: I was afraid of being judged.'])
    const p2 = (await findParticipant(deps.db, s.participants[1]!.id))!
    await withdraw(deps, p2, { keepData: false })
    const file = casesProject([
      { caseName: 'P2&#x2060;', sourceName: 'Interview 1' },
      { caseName: 'p2', sourceName: 'Interview 2' },
      { caseName: '\uFF30\uFF12', sourceName: 'Interview 3' },
      { caseName: '', sourceName: 'P2' },
    ])

    const report = await importQdpx(deps, s.cohort.id, file, s.coderA)

    expect(report).toMatchObject({ transcripts: 0, memos: 0, participants: { created: 0, matched: 0 } })
    expect(report.skipped).toEqual([
      {
        what: 'source',
        name: 'Interview 1',
        reason: 'the participant code taken from the name of its case (or its own name), "P2\\u2060", holds U+2060, a character nobody sees (zero-width, formatting or direction): the code would look like another one',
      },
      { what: 'source', name: 'Interview 2', reason: '"p2" differs from "P2" (the cohort) only in upper and lower case: name the case as the participant is named' },
      {
        what: 'source',
        name: 'Interview 3',
        reason: '"\uFF30\uFF12" looks the same as "P2" (the cohort) but is written with other characters (letters or digits of another script or form that look alike): name the case as the participant is named',
      },
      { what: 'source', name: 'P2', reason: 'P2 has withdrawn from the study: nothing more is stored for them' },
      ...[1, 2, 3].map((i) => ({ what: 'note', name: `Case note ${i}`, reason: 'it is about a participant whose code was refused (see the source skipped)' })),
      { what: 'note', name: 'Case note 4', reason: 'it is about a participant nothing more is stored for (withdrawn, or declined at their link)' },
    ])
    expect((await listParticipants(deps.db, s.cohort.id)).map((p) => p.code)).toEqual(['P1', 'P2'])
    expect(await deps.db.selectFrom('memo').select('text').execute()).toEqual([])
  })

  it('cuts a long name to 64 characters without splitting an emoji, and finds that participant again', async () => {
    // Found by a review: names were cut at 50 UTF-16 units, which split an emoji; the code was stored
    // with U+FFFD, and importing the same file again failed on the unique code.
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'Long names' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'G' }, 'test')
    const researcher = await staffMember(deps, study.id, 'researcher')
    const name = `${'x'.repeat(49)}${'\u{1F600}'.repeat(20)}`
    const file = casesProject([{ caseName: name, sourceName: 'Interview' }])

    const first = await importQdpx(deps, cohort.id, file, researcher)
    expect(first).toMatchObject({ transcripts: 1, participants: { created: 1, matched: 0 } })
    expect((await listParticipants(deps.db, cohort.id)).map((p) => p.code)).toEqual([`${'x'.repeat(49)}${'\u{1F600}'.repeat(15)}`])

    const again = await importQdpx(deps, cohort.id, file, researcher)
    expect(again).toMatchObject({ transcripts: 0, participants: { created: 0, matched: 1 } })
    expect(await listParticipants(deps.db, cohort.id)).toHaveLength(1)
  })
})
