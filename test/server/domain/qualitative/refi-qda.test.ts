import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { validateXML } from 'xmllint-wasm'
import { create } from 'xmlbuilder2'
import {
  buildQdc,
  buildQdpx,
  qdaGuid,
  readQdpxEntries,
  CODEBOOK_NAMESPACE,
  PROJECT_NAMESPACE,
  type QdpxProject,
} from '../../../../server/domain/qualitative/refi-qda'
import { readQdc, readQdpx } from '../../../../server/domain/qualitative/refi-import'
import { sliceCodePoints, splitUnits, toCodePointOffset } from '../../../../server/domain/qualitative/units'
import type { CodeNode, CodedSegment, TranscriptDoc } from '../../../../server/domain/qualitative/types'

const schemaFolder = new URL('../../../../server/domain/qualitative/refi-schema/', import.meta.url)
const projectXsd = readFileSync(fileURLToPath(new URL('Project.xsd', schemaFolder)), 'utf8')
const codebookXsd = readFileSync(fileURLToPath(new URL('Codebook.xsd', schemaFolder)), 'utf8')

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

async function validate(xml: string, xsd: string, fileName: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName, contents: xml }], schema: [xsd] })
  return result.errors.map((error) => error.rawMessage)
}

function elements(root: Element, name: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(PROJECT_NAMESPACE, name))
}

/** Child elements (the DOM of xmlbuilder2 answers `children` with all descendants). */
function childElements(parent: Element): Element[] {
  return Array.from(parent.childNodes).filter((node): node is Element => node.nodeType === 1)
}

function parse(xml: string): Element {
  return create(xml).root().node as unknown as Element
}

// --- The fixture: a small version of the reference study's codebook, three interviews, two coders.

const CODES: CodeNode[] = [
  { id: 'th-effects', parentId: null, level: 'theme', name: 'Effects of Balint group', description: 'Impacts of the group on the participants' },
  { id: 'cat-relationship', parentId: 'th-effects', level: 'category', name: 'Relationship with a patient with COVID-19', description: null },
  { id: 'c-fear', parentId: 'cat-relationship', level: 'code', name: 'Decrease of fear from patients', description: 'Less fear of infected patients' },
  { id: 'c-sympathy', parentId: 'cat-relationship', level: 'code', name: 'Higher sympathy levels', description: null },
  { id: 'cat-feelings', parentId: 'th-effects', level: 'category', name: "Therapists' feelings", description: null },
  { id: 'c-alone', parentId: 'cat-feelings', level: 'code', name: 'Not being alone', description: '' },
  { id: 'th-virtual', parentId: null, level: 'theme', name: 'Virtuality of Balint group', description: null },
  { id: 'cat-faces', parentId: 'th-virtual', level: 'category', name: 'Faces', description: null },
  { id: 'c-seeing', parentId: 'cat-faces', level: 'code', name: 'Seeing', description: 'Wanting to see the others\' faces & "eyes"' },
  { id: 'c-seen', parentId: 'cat-faces', level: 'code', name: 'Being seen <on camera>', description: null },
]

const TRANSCRIPTS: TranscriptDoc[] = [
  {
    id: 'tr-2',
    participantCode: 'P2',
    interviewOrder: 2,
    text: 'Interviewer: What was your experience?\nP2: Before the groups I was fearful of patients 😷. Later I grew spunkier 💪🏽.\nInterviewer: And showing your face?\nP2: I was fearful of being judged.',
    createdAt: '2024-05-02T09:00:00.000Z',
  },
  {
    id: 'tr-1',
    participantCode: 'P1',
    interviewOrder: 1,
    // Persian: "Interviewer: What was your experience? / P1: I saw that others feel like me 🙂. I was not alone."
    text: 'مصاحبه‌گر: تجربه شما چه بود؟\nP1: دیدم که دیگران هم مثل من احساس می‌کنند 🙂. تنها نبودم.\nمصاحبه‌گر: چهره‌ها چطور؟\nP1: دوست داشتم چهره همه را ببینم 👀.',
    createdAt: '2024-05-01T09:00:00.000Z',
  },
  {
    id: 'tr-5',
    participantCode: 'P5',
    interviewOrder: 3,
    // Windows line ends and a byte-order mark: exported as \n without the mark, offsets moved.
    text: '\uFEFFInterviewer: Anything else?\r\nP5: In these sessions I managed to see things through patients\' eyes 👁️.\r\nP5: I preferred that all participants reveal their faces.',
    createdAt: '2024-05-03T09:00:00.000Z',
  },
]

const USERS = [
  { id: 'u-alice', name: 'Alice (coder A)' },
  { id: 'u-bob', name: 'Bob (coder B)' },
]

/** A coding of the first occurrence of `phrase` in the transcript, offsets in code points. */
function codeText(id: string, transcriptId: string, codeId: string, coderId: string, phrase: string): CodedSegment {
  const transcript = TRANSCRIPTS.find((t) => t.id === transcriptId)!
  const at = transcript.text.indexOf(phrase)
  if (at < 0) throw new Error(`"${phrase}" not in ${transcriptId}`)
  const start = toCodePointOffset(transcript.text, at)
  const end = toCodePointOffset(transcript.text, at + phrase.length)
  return { id, transcriptId, codeId, coderId, start, end, text: phrase, createdAt: '2024-05-10T12:00:00.000Z' }
}

const CODINGS: CodedSegment[] = [
  codeText('cd-1', 'tr-2', 'c-fear', 'u-alice', 'Before the groups I was fearful of patients 😷. Later I grew spunkier 💪🏽.'),
  codeText('cd-2', 'tr-2', 'c-fear', 'u-bob', 'Later I grew spunkier 💪🏽.'),
  codeText('cd-3', 'tr-2', 'c-seen', 'u-alice', 'I was fearful of being judged.'),
  codeText('cd-4', 'tr-1', 'c-alone', 'u-alice', 'دیدم که دیگران هم مثل من احساس می‌کنند 🙂. تنها نبودم.'),
  codeText('cd-5', 'tr-1', 'c-alone', 'u-bob', 'تنها نبودم.'),
  codeText('cd-6', 'tr-1', 'c-seeing', 'u-bob', 'دوست داشتم چهره همه را ببینم 👀.'),
  codeText('cd-7', 'tr-5', 'c-sympathy', 'u-alice', "I managed to see things through patients' eyes 👁️."),
  codeText('cd-8', 'tr-5', 'c-seeing', 'u-bob', 'I preferred that all participants reveal their faces.'),
]

function fixture(): QdpxProject {
  return {
    name: 'Virtual Balint group — experiences',
    origin: 'Balint Outcomes 0.1.0',
    createdAt: '2024-05-01T08:00:00.000Z',
    users: USERS,
    codes: CODES,
    memos: [
      { id: 'm-code', targetKind: 'code', targetId: 'c-fear', text: 'Fear fades over sessions;\ncompare with P4 & P6 <check>.', authorId: 'u-alice', createdAt: '2024-05-11T10:00:00.000Z' },
      { id: 'm-theme', targetKind: 'code', targetId: 'th-virtual', text: 'Theme memo ✍️', authorId: 'u-bob', createdAt: '2024-05-11T11:00:00.000Z' },
      { id: 'm-transcript', targetKind: 'transcript', targetId: 'tr-1', text: 'مصاحبه تلفنی بود.', authorId: 'u-bob', createdAt: '2024-05-11T12:00:00.000Z' },
      { id: 'm-project', targetKind: 'project', targetId: null, text: 'Coding followed IPA.\u0007', authorId: 'u-alice', createdAt: '2024-05-11T13:00:00.000Z' },
    ],
    cases: [
      { participantCode: 'P1', variables: { age: 31, sex: 'Female', role: 'Psychiatric resident', facePrivate: false, hoursPerWeek: 42.5 } },
      { participantCode: 'P2', variables: { age: 30, sex: 'Female', role: 'Nurse Anesthetist', facePrivate: true, hoursPerWeek: 40 } },
      // P5 with a missing age; a case with no transcript (P7, declined the interview) still exported.
      { participantCode: 'P5', variables: { age: null, sex: 'Female', role: 'Medical student', facePrivate: false, hoursPerWeek: 0.0000001 } },
      { participantCode: 'P7', variables: { age: 34, sex: 'Female', role: 'Psychiatric resident', facePrivate: null, hoursPerWeek: null } },
    ],
    transcripts: TRANSCRIPTS,
    codings: CODINGS,
  }
}

describe('qdaGuid', () => {
  it('is a deterministic version-5 GUID per kind and id', () => {
    expect(qdaGuid('code', 'c-fear')).toMatch(GUID)
    expect(qdaGuid('code', 'c-fear')).toBe(qdaGuid('code', 'c-fear'))
    expect(qdaGuid('code', 'c-fear')).not.toBe(qdaGuid('transcript', 'c-fear'))
    expect(qdaGuid('code', 'c-fear')).not.toBe(qdaGuid('code', 'c-feaR'))
  })
})

describe('buildQdc', () => {
  it('validates against Codebook.xsd', async () => {
    const xml = buildQdc(CODES, { origin: 'Balint Outcomes 0.1.0' })
    expect(await validate(xml, codebookXsd, 'codebook.qdc')).toEqual([])
  })

  it('nests themes → categories → codes, only codes codable, with descriptions', () => {
    const xml = buildQdc(CODES, { origin: 'Balint Outcomes 0.1.0' })
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true)
    const root = create(xml).root().node as unknown as Element
    expect(root.namespaceURI).toBe(CODEBOOK_NAMESPACE)
    expect(root.getAttribute('origin')).toBe('Balint Outcomes 0.1.0')
    const codes = Array.from(root.getElementsByTagNameNS(CODEBOOK_NAMESPACE, 'Code'))
    expect(codes).toHaveLength(CODES.length)
    const byName = new Map(codes.map((c) => [c.getAttribute('name'), c]))
    const seeing = byName.get('Seeing')!
    expect(seeing.getAttribute('isCodable')).toBe('true')
    expect(seeing.getAttribute('guid')).toBe(qdaGuid('code', 'c-seeing'))
    expect((seeing.parentNode as Element).getAttribute('name')).toBe('Faces')
    expect(((seeing.parentNode as Element).parentNode as Element).getAttribute('name')).toBe('Virtuality of Balint group')
    expect(byName.get('Faces')!.getAttribute('isCodable')).toBe('false')
    expect(byName.get('Virtuality of Balint group')!.getAttribute('isCodable')).toBe('false')
    expect(seeing.getElementsByTagNameNS(CODEBOOK_NAMESPACE, 'Description')[0]!.textContent).toBe('Wanting to see the others\' faces & "eyes"')
    expect(byName.get('Being seen <on camera>')).toBeDefined()
    // Empty descriptions are left out.
    expect(byName.get('Not being alone')!.getElementsByTagNameNS(CODEBOOK_NAMESPACE, 'Description')).toHaveLength(0)
    // Top level: the two themes in the given order.
    const topLevel = childElements(root.getElementsByTagNameNS(CODEBOOK_NAMESPACE, 'Codes')[0]!).map((c) => c.getAttribute('name'))
    expect(topLevel).toEqual(['Effects of Balint group', 'Virtuality of Balint group'])
  })

  it('rejects an empty codebook, orphans, cycles and duplicate ids', () => {
    expect(() => buildQdc([], { origin: 'x' })).toThrow(RangeError)
    expect(() => buildQdc([{ ...CODES[2]!, parentId: 'nope' }], { origin: 'x' })).toThrow(/not in the codebook/)
    const a: CodeNode = { id: 'a', parentId: 'b', level: 'category', name: 'A', description: null }
    const b: CodeNode = { id: 'b', parentId: 'a', level: 'category', name: 'B', description: null }
    expect(() => buildQdc([CODES[0]!, a, b], { origin: 'x' })).toThrow(/cycle/)
    expect(() => buildQdc([CODES[0]!, CODES[0]!], { origin: 'x' })).toThrow(/Duplicate/)
  })
})

describe('buildQdpx', () => {
  const bytes = buildQdpx(fixture())
  const entries = readQdpxEntries(bytes)
  const projectQde = new TextDecoder().decode(entries['project.qde'])
  const root = parse(projectQde)

  it('is a ZIP of project.qde and one UTF-8 text per transcript in a lowercase sources/ folder', () => {
    expect(bytes[0]).toBe(0x50) // "PK"
    expect(bytes[1]).toBe(0x4b)
    const names = Object.keys(entries).sort()
    expect(names).toEqual(['project.qde', ...TRANSCRIPTS.map((t) => `sources/${qdaGuid('transcript', t.id)}.txt`)].sort())
    // No byte-order mark before <?xml, nor in the sources.
    expect(Array.from(entries['project.qde']!.slice(0, 5))).toEqual([...'<?xml'].map((c) => c.charCodeAt(0)))
    for (const name of names) expect(Array.from(entries[name]!.slice(0, 3))).not.toEqual([0xef, 0xbb, 0xbf])
  })

  it('validates against Project.xsd', async () => {
    expect(await validate(projectQde, projectXsd, 'project.qde')).toEqual([])
  })

  it('is checked by a validator that does reject invalid files', async () => {
    // A GUID as obsidian-qualia-coding writes them, and Notes moved before Sources.
    const badGuid = projectQde.replace(/guid="[^"]*"/, 'guid="note_1234"')
    expect((await validate(badGuid, projectXsd, 'project.qde')).join('\n')).toMatch(/guid/)
    const notesBlock = /\s*<Notes>[^]*<\/Notes>/.exec(projectQde)![0]
    const reordered = projectQde.replace(notesBlock, '').replace('<Sources>', `${notesBlock.trim()}<Sources>`)
    expect(await validate(reordered, projectXsd, 'project.qde')).not.toEqual([])
  })

  it('uses GUIDs of the schema pattern everywhere and a repeated export is byte-identical', () => {
    for (const match of projectQde.matchAll(/(?:guid|GUID|creatingUser|targetGUID)="([^"]*)"/g)) expect(match[1]).toMatch(GUID)
    expect(buildQdpx(fixture())).toEqual(bytes)
  })

  it('writes the top-level elements in the order of the xsd:sequence', () => {
    const order = childElements(root).map((c) => c.localName)
    expect(order).toEqual(['Users', 'CodeBook', 'Variables', 'Cases', 'Sources', 'Notes', 'NoteRef'])
    expect(root.getAttribute('name')).toBe('Virtual Balint group — experiences')
    expect(root.getAttribute('creationDateTime')).toBe('2024-05-01T08:00:00.000Z')
  })

  it('writes the sources as plain text with internal:// paths and no richTextPath, in interview order', () => {
    const sources = elements(root, 'TextSource')
    expect(sources.map((s) => s.getAttribute('name'))).toEqual(['P1', 'P2', 'P5'])
    for (const source of sources) {
      const guid = source.getAttribute('guid')!
      expect(source.getAttribute('plainTextPath')).toBe(`internal://${guid}.txt`)
      expect(source.hasAttribute('richTextPath')).toBe(false)
      expect(source.getElementsByTagNameNS(PROJECT_NAMESPACE, 'PlainTextContent')).toHaveLength(0)
    }
    const p1 = new TextDecoder().decode(entries[`sources/${qdaGuid('transcript', 'tr-1')}.txt`])
    expect(p1).toBe(TRANSCRIPTS[1]!.text)
    const p5 = new TextDecoder().decode(entries[`sources/${qdaGuid('transcript', 'tr-5')}.txt`])
    expect(p5).toBe(TRANSCRIPTS[2]!.text.replace('\uFEFF', '').replace(/\r\n/g, '\n'))
  })

  it('gives each coding a selection whose code points in the source file are the coded text', () => {
    const selections = elements(root, 'PlainTextSelection')
    expect(selections).toHaveLength(CODINGS.length)
    const textsBySource = new Map<string, string>()
    for (const [name, content] of Object.entries(entries)) {
      if (name.startsWith('sources/')) textsBySource.set(name.slice('sources/'.length, -'.txt'.length), new TextDecoder().decode(content))
    }
    for (const coding of CODINGS) {
      const selection = selections.find((s) => s.getAttribute('guid') === qdaGuid('selection', coding.id))!
      const source = selection.parentNode as Element
      expect(source.getAttribute('guid')).toBe(qdaGuid('transcript', coding.transcriptId))
      const text = textsBySource.get(source.getAttribute('guid')!)!
      const start = Number(selection.getAttribute('startPosition'))
      const end = Number(selection.getAttribute('endPosition'))
      expect(sliceCodePoints(text, start, end)).toBe(coding.text)
      // The coder is the Coding's creatingUser, the code its CodeRef.
      const codingElements = Array.from(selection.getElementsByTagNameNS(PROJECT_NAMESPACE, 'Coding'))
      expect(codingElements).toHaveLength(1)
      expect(codingElements[0]!.getAttribute('creatingUser')).toBe(qdaGuid('user', coding.coderId))
      expect(selection.getAttribute('creatingUser')).toBe(qdaGuid('user', coding.coderId))
      expect(codingElements[0]!.getElementsByTagNameNS(PROJECT_NAMESPACE, 'CodeRef')[0]!.getAttribute('targetGUID')).toBe(qdaGuid('code', coding.codeId))
    }
    // The emoji and Persian make code points and UTF-16 differ: the offsets really are code points.
    const alone = selections.find((s) => s.getAttribute('guid') === qdaGuid('selection', 'cd-5'))!
    const p1 = TRANSCRIPTS[1]!.text
    expect(Number(alone.getAttribute('startPosition'))).toBe([...p1.slice(0, p1.indexOf('تنها نبودم.'))].length)
    expect(Number(alone.getAttribute('startPosition'))).not.toBe(p1.indexOf('تنها نبودم.'))
    // In P5 the offsets moved back by the dropped byte-order mark and \r characters.
    const seeing = selections.find((s) => s.getAttribute('guid') === qdaGuid('selection', 'cd-8'))!
    expect(Number(seeing.getAttribute('startPosition'))).toBe(CODINGS[7]!.start - 3)
  })

  it('declares the variables once with inferred types and gives each case its values and sources', () => {
    const variables = elements(root, 'Variable').map((v) => [v.getAttribute('name'), v.getAttribute('typeOfVariable')])
    expect(variables).toEqual([
      ['age', 'Integer'],
      ['sex', 'Text'],
      ['role', 'Text'],
      ['facePrivate', 'Boolean'],
      ['hoursPerWeek', 'Float'],
    ])
    const cases = elements(root, 'Case')
    expect(cases.map((c) => c.getAttribute('name'))).toEqual(['P1', 'P2', 'P5', 'P7'])
    const valuesOf = (name: string) =>
      Object.fromEntries(
        Array.from(cases.find((c) => c.getAttribute('name') === name)!.getElementsByTagNameNS(PROJECT_NAMESPACE, 'VariableValue')).map((value) => {
          const ref = value.getElementsByTagNameNS(PROJECT_NAMESPACE, 'VariableRef')[0]!.getAttribute('targetGUID')
          const variable = elements(root, 'Variable').find((v) => v.getAttribute('guid') === ref)!
          const typed = childElements(value)[1]!
          return [variable.getAttribute('name'), `${typed.localName}:${typed.textContent}`]
        }),
      )
    expect(valuesOf('P1')).toEqual({ age: 'IntegerValue:31', sex: 'TextValue:Female', role: 'TextValue:Psychiatric resident', facePrivate: 'BooleanValue:false', hoursPerWeek: 'FloatValue:42.5' })
    // Missing values are left out; a tiny float is written without an exponent (xsd:decimal).
    expect(valuesOf('P5')).toEqual({ sex: 'TextValue:Female', role: 'TextValue:Medical student', facePrivate: 'BooleanValue:false', hoursPerWeek: 'FloatValue:0.0000001' })
    const sourceRefs = (name: string) =>
      Array.from(cases.find((c) => c.getAttribute('name') === name)!.getElementsByTagNameNS(PROJECT_NAMESPACE, 'SourceRef')).map((r) => r.getAttribute('targetGUID'))
    expect(sourceRefs('P2')).toEqual([qdaGuid('transcript', 'tr-2')])
    expect(sourceRefs('P7')).toEqual([])
  })

  it('exports memos as Notes with NoteRefs on their code, transcript and the project', () => {
    const notes = elements(root, 'Note')
    expect(notes.map((n) => n.getAttribute('name'))).toEqual(['Memo: Decrease of fear from patients', 'Memo: Virtuality of Balint group', 'Memo: P1', 'Project memo'])
    const content = (id: string) =>
      notes.find((n) => n.getAttribute('guid') === qdaGuid('memo', id))!.getElementsByTagNameNS(PROJECT_NAMESPACE, 'PlainTextContent')[0]!.textContent
    expect(content('m-code')).toBe('Fear fades over sessions;\ncompare with P4 & P6 <check>.')
    expect(content('m-transcript')).toBe('مصاحبه تلفنی بود.')
    // A control character, which XML 1.0 cannot hold, is dropped.
    expect(content('m-project')).toBe('Coding followed IPA.')
    expect(notes[0]!.getAttribute('creatingUser')).toBe(qdaGuid('user', 'u-alice'))

    const refOwner = (memoId: string) => {
      const refs = elements(root, 'NoteRef').filter((r) => r.getAttribute('targetGUID') === qdaGuid('memo', memoId))
      expect(refs).toHaveLength(1)
      return refs[0]!.parentNode as Element
    }
    expect(refOwner('m-code').getAttribute('guid')).toBe(qdaGuid('code', 'c-fear'))
    expect(refOwner('m-theme').getAttribute('guid')).toBe(qdaGuid('code', 'th-virtual'))
    expect(refOwner('m-transcript').getAttribute('guid')).toBe(qdaGuid('transcript', 'tr-1'))
    expect(refOwner('m-project').localName).toBe('Project')
  })

  it('validates a minimal project (no codes, memos or codings) and one with a participant interviewed twice', async () => {
    const minimal = buildQdpx({ ...fixture(), users: [], codes: [], memos: [], cases: [], codings: [] })
    const xml = new TextDecoder().decode(readQdpxEntries(minimal)['project.qde'])
    expect(await validate(xml, projectXsd, 'project.qde')).toEqual([])
    expect(childElements(parse(xml)).map((c) => c.localName)).toEqual(['Cases', 'Sources'])

    const twice = buildQdpx({ ...fixture(), transcripts: [...TRANSCRIPTS, { ...TRANSCRIPTS[0]!, id: 'tr-2b', interviewOrder: 4, text: 'Member check.' }] })
    const twiceXml = new TextDecoder().decode(readQdpxEntries(twice)['project.qde'])
    expect(await validate(twiceXml, projectXsd, 'project.qde')).toEqual([])
    expect(elements(parse(twiceXml), 'TextSource').map((s) => s.getAttribute('name'))).toEqual(['P1', 'P2 (interview 2)', 'P5', 'P2 (interview 4)'])
  })

  it('rejects codings, memos and users that do not fit the project', () => {
    const project = fixture()
    expect(() => buildQdpx({ ...project, users: [USERS[0]!] })).toThrow(/u-bob/)
    expect(() => buildQdpx({ ...project, codings: [{ ...CODINGS[0]!, codeId: 'cat-faces' }] })).toThrow(/not a code/)
    expect(() => buildQdpx({ ...project, codings: [{ ...CODINGS[0]!, transcriptId: 'nope' }] })).toThrow(/not in the project/)
    expect(() => buildQdpx({ ...project, codings: [{ ...CODINGS[0]!, end: 10_000 }] })).toThrow(RangeError)
    expect(() => buildQdpx({ ...project, memos: [{ ...project.memos[0]!, targetId: 'nope' }] })).toThrow(/not in the project/)
    expect(() => buildQdpx({ ...project, createdAt: 'yesterday' })).toThrow(/not a date-time/)
    expect(() => buildQdpx({ ...project, cases: [...project.cases, project.cases[0]!] })).toThrow(/Duplicate/)
    expect(() => buildQdpx({ ...project, cases: [{ participantCode: 'P1', variables: { age: Number.NaN } }] })).toThrow(/cannot hold/)
  })

  it('keeps the units of the exported text identical for line-end-free transcripts', () => {
    // The agreement units of P2 are unchanged by export: same spans over the exported file.
    const p2 = new TextDecoder().decode(entries[`sources/${qdaGuid('transcript', 'tr-2')}.txt`])
    expect(splitUnits(p2, 'sentence')).toEqual(splitUnits(TRANSCRIPTS[0]!.text, 'sentence'))
  })
})

describe('text that looks like markup', () => {
  // Ampersands that look like entity references, a CDATA end, markup and control characters, in every
  // place staff or participants type text: names, descriptions, memos, variable values, users.
  const hostile = 'AT&T; &nbsp; &amp; ]]> <b>"x"</b> \u0001bell\u0007 tab\tend'
  const expected = 'AT&T; &nbsp; &amp; ]]> <b>"x"</b> bell tab\tend'
  const codes: CodeNode[] = [
    { id: 't', parentId: null, level: 'theme', name: `Theme ${hostile}`, description: hostile },
    { id: 'c', parentId: 't', level: 'code', name: `Code ${hostile}`, description: null },
  ]
  const project: QdpxProject = {
    ...fixture(),
    name: `Project ${hostile}`,
    users: [{ id: 'u-alice', name: `Alice ${hostile}` }, { id: 'u-bob', name: 'Bob' }],
    codes: [...CODES, ...codes],
    memos: [{ id: 'm', targetKind: 'code', targetId: 'c', text: hostile, authorId: 'u-alice', createdAt: '2024-05-11T10:00:00.000Z' }],
    cases: [{ participantCode: 'P1', variables: { workplace: hostile } }],
  }

  it('keeps the codebook well-formed and valid against Codebook.xsd, with the text exactly as typed', async () => {
    const xml = buildQdc(codes, { origin: `Origin ${hostile}` })
    expect(await validate(xml, codebookXsd, 'codebook.qdc')).toEqual([])
    const root = parse(xml)
    const [theme] = Array.from(root.getElementsByTagNameNS(CODEBOOK_NAMESPACE, 'Code'))
    expect(theme!.getAttribute('name')).toBe(`Theme ${expected}`)
    expect(theme!.getElementsByTagNameNS(CODEBOOK_NAMESPACE, 'Description')[0]!.textContent).toBe(expected)
  })

  it('keeps the project well-formed and valid against Project.xsd, with the text exactly as typed', async () => {
    const xml = new TextDecoder().decode(readQdpxEntries(buildQdpx(project))['project.qde'])
    expect(await validate(xml, projectXsd, 'project.qde')).toEqual([])
    const root = parse(xml)
    expect(root.getAttribute('name')).toBe(`Project ${expected}`)
    expect(elements(root, 'User').map((u) => u.getAttribute('name'))).toContain(`Alice ${expected}`)
    expect(elements(root, 'PlainTextContent').map((n) => n.textContent)).toContain(expected)
    expect(elements(root, 'TextValue').map((n) => n.textContent)).toContain(expected)
  })

  it('writes tabs and line breaks in names as character references, so a code named "a<tab>b" comes back as typed', async () => {
    const named: CodeNode[] = [
      { id: 't', parentId: null, level: 'theme', name: 'Theme', description: null },
      { id: 'k', parentId: 't', level: 'category', name: 'Category', description: null },
      { id: 'c', parentId: 'k', level: 'code', name: 'a\tb', description: null },
      { id: 'd', parentId: 'k', level: 'code', name: 'line\none\r\ntwo', description: null },
    ]
    const qdc = buildQdc(named, { origin: 'Balint Outcomes' })
    // A conforming parser (XML 1.0 §3.3.3) turns a literal tab or line break in an attribute into a space:
    // none may be written there, only the references, which it keeps.
    expect(qdc).toContain('name="a&#9;b"')
    expect(qdc).toContain('name="line&#10;one&#13;&#10;two"')
    expect(qdc.match(/"[^"]*"/g)!.filter((value) => /[\t\r\n]/.test(value))).toEqual([])
    expect(await validate(qdc, codebookXsd, 'codebook.qdc')).toEqual([])
    expect(readQdc(qdc).codes.map((c) => c.name)).toEqual(['Theme', 'Category', 'a\tb', 'line\none\r\ntwo'])

    const project = readQdpx(buildQdpx({ ...fixture(), codes: [...CODES, ...named.map((c) => ({ ...c, id: `x-${c.id}`, parentId: c.parentId && `x-${c.parentId}` }))] }))
    expect(project.codes.map((c) => c.name)).toContain('a\tb')
    expect(project.codes.map((c) => c.name)).toContain('line\none\r\ntwo')
  })
})
