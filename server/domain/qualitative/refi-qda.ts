import { createHash } from 'node:crypto'
import { unzipSync, zipSync, type Zippable } from 'fflate'
import { create } from 'xmlbuilder2'
import type { CodeNode, CodedSegment, TranscriptDoc } from './types'
import { assertSpanWithin } from './units'
import { appendTo } from '../collections'

/**
 * REFI-QDA exchange files (QDA-XML 1.0, https://www.qdasoftware.org): the codebook `.qdc` and the
 * project `.qdpx`, which MAXQDA, NVivo, ATLAS.ti, QualCoder and Taguette import. Element order
 * follows the xsd:sequence of the published schemas in ./refi-schema/, which the tests validate
 * against. Vendor quirks handled (as QualCoder's refi.py does): the folder is lowercase `sources/`;
 * the text files are UTF-8 without a byte-order mark; no `richTextPath` for plain text (ATLAS.ti
 * fails on it); line ends are written as `\n` (ATLAS.ti counts `\r\n` as one character, so offsets
 * would drift), with the selection offsets moved to match.
 */

export const CODEBOOK_NAMESPACE = 'urn:QDA-XML:codebook:1.0'
export const PROJECT_NAMESPACE = 'urn:QDA-XML:project:1.0'

export type QdpxMemo = {
  id: string
  /** What the note is linked from: a code, a transcript (its TextSource), one coding, a passage (of `passages`), or the project. */
  targetKind: 'code' | 'transcript' | 'coding' | 'passage' | 'project'
  /** The code's, transcript's, coding's or passage's id; null for a project memo. */
  targetId: string | null
  text: string
  /** A user of the project; null for a note by someone who is not (a participant's member-check comment). */
  authorId: string | null
  createdAt: string
  /** The note's name; "Memo: <target>" when not given. */
  name?: string
  /** A transcript's note also linked to the transcript's case, by a `<Link>` from the note to the case (a Case holds no NoteRef). */
  linkCase?: boolean
}

export type QdpxPassage = { id: string; transcriptId: string; start: number; end: number; name: string; createdAt: string }

export type QdpxCase = {
  participantCode: string
  variables: Record<string, string | number | boolean | null>
}

export type QdpxProject = {
  name: string
  /** The exporting software, e.g. "Balint Outcomes 0.1.0". */
  origin: string
  createdAt: string
  /** Every coder and memo author. */
  users: { id: string; name: string }[]
  codes: CodeNode[]
  memos: QdpxMemo[]
  cases: QdpxCase[]
  transcripts: TranscriptDoc[]
  /** The codings of all coders; `coderId` becomes the Coding's creatingUser. */
  codings: CodedSegment[]
  /**
   * Passages marked without a code: each a `<PlainTextSelection>` holding no `<Coding>`, named
   * `name`, with the NoteRefs of the memos linked to it (a withdrawal whose coding was deleted since,
   * qda-export.ts). Offsets in code points of the transcript, as codings.
   */
  passages?: QdpxPassage[]
  /**
   * Where participant codes are unique: the cohort's id in an export of one cohort. Codes restart
   * at P1 in every cohort, so without it P1 of two cohorts got the same Case GUID, and a tool that
   * merges projects by GUID (REFI-QDA's objects are identified by their GUIDs) made the two people
   * one case. Absent: the code alone, as before.
   */
  caseScope?: string
}

/**
 * QDA GUID: the deterministic GUID of one of our objects, a name-based UUID version 5 (RFC 9562
 * §5.5: SHA-1 of a namespace UUID and the name, version and variant bits set) from a fixed
 * namespace and `kind:id`, so that exporting the same project twice gives the same GUIDs and an
 * import can recognise its own objects. Lower-case, matching the schema's GUIDType pattern.
 *
 * @example
 * qdaGuid('code', 'c1') === qdaGuid('code', 'c1') // => true
 * qdaGuid('code', 'c1') // => e.g. '6f1c…-…' (8-4-4-4-12 hex digits, version 5)
 */
export function qdaGuid(kind: string, id: string): string {
  const hash = createHash('sha1').update(GUID_NAMESPACE).update(`${kind}:${id}`, 'utf8').digest()
  const bytes = hash.subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50 // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80 // RFC 4122 variant
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * Build a REFI-QDA codebook (`.qdc`, namespace urn:QDA-XML:codebook:1.0): our theme → category →
 * code tree as nested `<Code>` elements, themes and categories with isCodable="false" and codes
 * with isCodable="true", descriptions as `<Description>`, colours as `color="#rrggbb"`. Siblings
 * keep the order of `codes`.
 *
 * @param codes - the codebook; every parentId must name a node of it
 * @param options.origin - the exporting software, written to CodeBook@origin
 * @throws {RangeError} no codes, duplicate ids, a missing parent or a cycle
 * @example
 * buildQdc([{ id: 't', parentId: null, level: 'theme', name: 'Effects', description: null },
 *           { id: 'c', parentId: 't', level: 'code', name: 'Not being alone', description: null }],
 *          { origin: 'Balint Outcomes' })
 * // => '<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Balint Outcomes">
 * //     <Codes><Code guid="…" name="Effects" isCodable="false"><Code guid="…" name="Not being alone" isCodable="true"/>…'
 */
export function buildQdc(codes: CodeNode[], options: { origin: string }): string {
  const tree = codeTree(codes)
  if (tree.length === 0) throw new RangeError('A codebook needs at least one code.')
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(CODEBOOK_NAMESPACE, 'CodeBook', { origin: attribute(options.origin) })
  appendCodes(root.ele('Codes'), tree, new Map())
  return root.end({ prettyPrint: true })
}

/**
 * Build a REFI-QDA project (`.qdpx`): a ZIP holding `project.qde` (QDA-XML, namespace
 * urn:QDA-XML:project:1.0) and each transcript as `sources/<guid>.txt`.
 *
 * The mapping:
 * - users → `<User>`; the codebook → `<CodeBook>` as in `buildQdc`;
 * - participants → `<Case name="P3">` (GUID from `caseScope` and the code) with a `<VariableValue>` per non-null variable and a
 *   `<SourceRef>` to each of their transcripts (a transcript's participant without an entry in
 *   `cases` still gets a Case); the variables are declared once in `<Variables>`, their type
 *   inferred over all cases: all booleans → Boolean, all whole numbers → Integer, all numbers →
 *   Float, anything else → Text;
 * - transcripts → `<TextSource plainTextPath="internal://<guid>.txt">` in interview order, named by
 *   the participant code (with the interview order added when a participant has several);
 * - each coding → a `<PlainTextSelection>` (startPosition/endPosition in code points) holding one
 *   `<Coding>` whose creatingUser is the coder and whose `<CodeRef>` names the code;
 * - passages → a `<PlainTextSelection>` without a `<Coding>`, after the source's codings;
 * - memos → `<Notes>/<Note>` with `<PlainTextContent>`, and a `<NoteRef>` on the code, the
 *   TextSource, the Coding, the passage's selection or the Project; a transcript's note with `linkCase` also gets a
 *   `<Link>` from the note to the participant's case (the schema gives a Case no NoteRef).
 *
 * GUIDs come from `qdaGuid`, so a repeated export is byte-identical (the ZIP's file times are the
 * project's createdAt). Dates are written as ISO date-times in UTC. Characters that XML 1.0 cannot
 * hold (control characters) are dropped from names, descriptions and memos; tabs and line breaks in
 * names are written as character references, so they come back as typed.
 *
 * @throws {RangeError} an unknown coder or memo author, a coding of a missing transcript or of a
 *   theme/category/unknown code, a coding span outside its transcript, a memo on a missing target,
 *   duplicate ids or cases, an invalid date, a non-finite number as a variable value
 * @example
 * const bytes = buildQdpx({ name: 'Virtual Balint', origin: 'Balint Outcomes', createdAt: '2024-05-01T10:00:00Z',
 *   users, codes, memos: [], cases: [{ participantCode: 'P1', variables: { age: 31 } }], transcripts, codings })
 * Object.keys(readQdpxEntries(bytes)) // => ['project.qde', 'sources/<guid>.txt', …]
 */
export function buildQdpx(project: QdpxProject): Uint8Array {
  const tree = codeTree(project.codes)
  const caseGuid = (participantCode: string) => qdaGuid('case', project.caseScope === undefined ? participantCode : `${project.caseScope}:${participantCode}`)
  const codesById = new Map(project.codes.map((code) => [code.id, code]))
  const userGuids = new Map(project.users.map((user) => [user.id, qdaGuid('user', user.id)]))
  const userGuid = (id: string, what: string) => {
    const guid = userGuids.get(id)
    if (!guid) throw new RangeError(`${what} refers to user ${id}, who is not among the project's users.`)
    return guid
  }

  const transcripts = [...project.transcripts].sort((x, y) => x.interviewOrder - y.interviewOrder)
  assertUnique(transcripts.map((t) => t.id), 'transcript id')
  const transcriptsById = new Map(transcripts.map((t) => [t.id, t]))
  const exportable = new Map(transcripts.map((t) => [t.id, exportableText(t.text)]))

  // Memos by target, checked before anything is written.
  const noteRefs = { code: new Map<string, string[]>(), transcript: new Map<string, string[]>(), coding: new Map<string, string[]>(), passage: new Map<string, string[]>(), project: [] as string[] }
  const codingIds = new Set(project.codings.map((c) => c.id))
  const passages = project.passages ?? []
  assertUnique(passages.map((p) => p.id), 'passage id')
  const passageIds = new Set(passages.map((p) => p.id))
  for (const memo of project.memos) {
    const guid = qdaGuid('memo', memo.id)
    if (memo.targetKind === 'project') {
      noteRefs.project.push(guid)
      continue
    }
    const exists =
      memo.targetKind === 'code'
        ? codesById.has(memo.targetId ?? '')
        : memo.targetKind === 'coding'
          ? codingIds.has(memo.targetId ?? '')
          : memo.targetKind === 'passage'
            ? passageIds.has(memo.targetId ?? '')
            : transcriptsById.has(memo.targetId ?? '')
    if (!exists) throw new RangeError(`Memo ${memo.id} is attached to ${memo.targetKind} ${memo.targetId}, which is not in the project.`)
    const map = noteRefs[memo.targetKind]
    appendTo(map, memo.targetId!, guid)
  }

  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(PROJECT_NAMESPACE, 'Project', {
    name: attribute(project.name),
    origin: attribute(project.origin),
    creationDateTime: xsdDateTime(project.createdAt, 'the project'),
  })

  // The xsd:sequence of ProjectType: Users, CodeBook, Variables, Cases, Sources, Notes, Links,
  // Sets, Graphs, Description, NoteRef.
  if (project.users.length > 0) {
    assertUnique(project.users.map((u) => u.id), 'user id')
    const users = root.ele('Users')
    for (const user of project.users) users.ele('User', { guid: userGuids.get(user.id)!, name: attribute(user.name) })
  }

  if (tree.length > 0) appendCodes(root.ele('CodeBook').ele('Codes'), tree, noteRefs.code)

  const cases = casesOf(project.cases, transcripts)
  const variables = declareVariables(cases)
  if (variables.length > 0) {
    const element = root.ele('Variables')
    for (const variable of variables) {
      element.ele('Variable', { guid: variable.guid, name: attribute(variable.name), typeOfVariable: variable.type })
    }
  }
  if (cases.length > 0) {
    const element = root.ele('Cases')
    for (const participant of cases) {
      const caseElement = element.ele('Case', { guid: caseGuid(participant.participantCode), name: attribute(participant.participantCode) })
      for (const variable of variables) {
        const value = participant.variables[variable.name]
        if (value === null || value === undefined) continue
        const valueElement = caseElement.ele('VariableValue')
        valueElement.ele('VariableRef', { targetGUID: variable.guid })
        valueElement.ele(`${variable.type}Value`).txt(variableValue(value, variable.type, variable.name))
      }
      for (const transcript of transcripts) {
        if (transcript.participantCode === participant.participantCode) caseElement.ele('SourceRef', { targetGUID: qdaGuid('transcript', transcript.id) })
      }
    }
  }

  // Codings grouped by transcript, validated, in text order.
  assertUnique(project.codings.map((c) => c.id), 'coding id')
  const codingsByTranscript = new Map<string, CodedSegment[]>()
  for (const coding of project.codings) {
    const text = exportable.get(coding.transcriptId)
    if (!text) throw new RangeError(`Coding ${coding.id} refers to transcript ${coding.transcriptId}, which is not in the project.`)
    const code = codesById.get(coding.codeId)
    if (!code || code.level !== 'code') {
      throw new RangeError(`Coding ${coding.id} applies ${coding.codeId}, which is not a code (level 'code') of the codebook.`)
    }
    assertSpanWithin(coding, text.originalLength, `Coding ${coding.id}`)
    appendTo(codingsByTranscript, coding.transcriptId, coding)
  }
  const passagesByTranscript = new Map<string, QdpxPassage[]>()
  for (const passage of passages) {
    const text = exportable.get(passage.transcriptId)
    if (!text) throw new RangeError(`Passage ${passage.id} refers to transcript ${passage.transcriptId}, which is not in the project.`)
    assertSpanWithin(passage, text.originalLength, `Passage ${passage.id}`)
    appendTo(passagesByTranscript, passage.transcriptId, passage)
  }

  const files: Zippable = {}
  const encoder = new TextEncoder()
  if (transcripts.length > 0) {
    const sources = root.ele('Sources')
    const names = sourceNames(transcripts)
    for (const transcript of transcripts) {
      const guid = qdaGuid('transcript', transcript.id)
      const text = exportable.get(transcript.id)!
      files[`sources/${guid}.txt`] = encoder.encode(text.text)
      const source = sources.ele('TextSource', {
        guid,
        name: attribute(names.get(transcript.id)!),
        plainTextPath: `internal://${guid}.txt`,
        creationDateTime: xsdDateTime(transcript.createdAt, `transcript ${transcript.id}`),
      })
      const codings = [...(codingsByTranscript.get(transcript.id) ?? [])].sort(
        (x, y) => x.start - y.start || x.end - y.end || x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id),
      )
      for (const coding of codings) {
        const coder = userGuid(coding.coderId, `Coding ${coding.id}`)
        const created = xsdDateTime(coding.createdAt, `coding ${coding.id}`)
        const selection = source.ele('PlainTextSelection', {
          guid: qdaGuid('selection', coding.id),
          startPosition: String(text.map(coding.start)),
          endPosition: String(text.map(coding.end)),
          creatingUser: coder,
          creationDateTime: created,
        })
        const codingElement = selection.ele('Coding', { guid: qdaGuid('coding', coding.id), creatingUser: coder, creationDateTime: created })
        codingElement.ele('CodeRef', { targetGUID: qdaGuid('code', coding.codeId) })
        for (const noteGuid of noteRefs.coding.get(coding.id) ?? []) codingElement.ele('NoteRef', { targetGUID: noteGuid })
      }
      // Passages without a code after the codings (the schema's sequence has only selections here).
      for (const passage of [...(passagesByTranscript.get(transcript.id) ?? [])].sort((x, y) => x.start - y.start || x.end - y.end || x.id.localeCompare(y.id))) {
        const selection = source.ele('PlainTextSelection', {
          guid: qdaGuid('passage', passage.id),
          name: attribute(passage.name),
          startPosition: String(text.map(passage.start)),
          endPosition: String(text.map(passage.end)),
          creationDateTime: xsdDateTime(passage.createdAt, `passage ${passage.id}`),
        })
        for (const noteGuid of noteRefs.passage.get(passage.id) ?? []) selection.ele('NoteRef', { targetGUID: noteGuid })
      }
      for (const noteGuid of noteRefs.transcript.get(transcript.id) ?? []) source.ele('NoteRef', { targetGUID: noteGuid })
    }
  }

  if (project.memos.length > 0) {
    assertUnique(project.memos.map((m) => m.id), 'memo id')
    const notes = root.ele('Notes')
    for (const memo of project.memos) {
      notes
        .ele('Note', {
          guid: qdaGuid('memo', memo.id),
          name: attribute(memo.name ?? memoName(memo, codesById, transcriptsById)),
          ...(memo.authorId === null ? {} : { creatingUser: userGuid(memo.authorId, `Memo ${memo.id}`) }),
          creationDateTime: xsdDateTime(memo.createdAt, `memo ${memo.id}`),
        })
        .ele('PlainTextContent')
        .txt(elementText(memo.text))
    }
    // A transcript's note that concerns the participant too: linked to their case.
    const caseLinks = project.memos.filter((m) => m.linkCase && m.targetKind === 'transcript')
    if (caseLinks.length > 0) {
      const links = root.ele('Links')
      for (const memo of caseLinks) {
        const participantCode = transcriptsById.get(memo.targetId!)!.participantCode
        links.ele('Link', { guid: qdaGuid('link', memo.id), name: 'Note of case', direction: 'OneWay', originGUID: qdaGuid('memo', memo.id), targetGUID: caseGuid(participantCode) })
      }
    }
  }

  for (const noteGuid of noteRefs.project) root.ele('NoteRef', { targetGUID: noteGuid })

  files['project.qde'] = encoder.encode(root.end({ prettyPrint: true }))
  // Fixed file times keep a repeated export byte-identical.
  return zipSync(files, { level: 6, mtime: new Date(xsdDateTime(project.createdAt, 'the project')) })
}

/**
 * Read the entries of a `.qdpx` (or any ZIP): a map from path to bytes. For tests and for a future
 * import; decode text with `new TextDecoder().decode(entries['project.qde'])`.
 *
 * @throws {Error} bytes that are not a ZIP (from fflate)
 * @example
 * const entries = readQdpxEntries(buildQdpx(project))
 * new TextDecoder().decode(entries['project.qde']).startsWith('<?xml') // => true
 */
export function readQdpxEntries(bytes: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(bytes)
}

// ---------------------------------------------------------------------------------------------

/** Our namespace for name-based GUIDs (random, fixed forever: changing it changes every exported GUID). */
const GUID_NAMESPACE = Buffer.from('c68394d99d564cdc93d451b0eab2c61b', 'hex')

type XMLBuilder = ReturnType<typeof create>

type CodeTreeNode = { code: CodeNode; children: CodeTreeNode[] }

/** The codebook as a tree, siblings in input order; rejects duplicates, orphans and cycles. */
function codeTree(codes: CodeNode[]): CodeTreeNode[] {
  assertUnique(codes.map((c) => c.id), 'code id')
  const nodes = new Map(codes.map((code) => [code.id, { code, children: [] as CodeTreeNode[] }]))
  const roots: CodeTreeNode[] = []
  for (const code of codes) {
    const node = nodes.get(code.id)!
    if (code.parentId === null) {
      roots.push(node)
      continue
    }
    const parent = nodes.get(code.parentId)
    if (!parent) throw new RangeError(`Code ${code.id} ("${code.name}") has parent ${code.parentId}, which is not in the codebook.`)
    parent.children.push(node)
  }
  let reached = 0
  const count = (list: CodeTreeNode[]) => {
    for (const node of list) {
      reached++
      count(node.children)
    }
  }
  count(roots)
  if (reached !== codes.length) throw new RangeError('The codebook has a cycle: some codes are their own ancestors.')
  return roots
}

function appendCodes(parent: XMLBuilder, nodes: CodeTreeNode[], noteRefs: Map<string, string[]>): void {
  for (const { code, children } of nodes) {
    const element = parent.ele('Code', {
      guid: qdaGuid('code', code.id),
      name: attribute(code.name),
      isCodable: code.level === 'code' ? 'true' : 'false',
      ...(code.color ? { color: code.color } : {}),
    })
    // CodeType's sequence: Description, NoteRef*, Code*.
    if (code.description !== null && code.description.trim() !== '') element.ele('Description').txt(elementText(code.description))
    for (const noteGuid of noteRefs.get(code.id) ?? []) element.ele('NoteRef', { targetGUID: noteGuid })
    appendCodes(element, children, noteRefs)
  }
}

/** The given cases, then a bare case for each transcript participant without one. */
function casesOf(cases: QdpxCase[], transcripts: TranscriptDoc[]): QdpxCase[] {
  assertUnique(cases.map((c) => c.participantCode), 'case participant code')
  const all = [...cases]
  const known = new Set(cases.map((c) => c.participantCode))
  for (const transcript of transcripts) {
    if (!known.has(transcript.participantCode)) {
      known.add(transcript.participantCode)
      all.push({ participantCode: transcript.participantCode, variables: {} })
    }
  }
  return all
}

type VariableType = 'Text' | 'Boolean' | 'Integer' | 'Float'
type DeclaredVariable = { name: string; guid: string; type: VariableType }

function declareVariables(cases: QdpxCase[]): DeclaredVariable[] {
  const values = new Map<string, (string | number | boolean)[]>()
  for (const participant of cases) {
    for (const [name, value] of Object.entries(participant.variables)) {
      if (!values.has(name)) values.set(name, [])
      if (value !== null && value !== undefined) values.get(name)!.push(value)
    }
  }
  return [...values].map(([name, list]) => ({ name, guid: qdaGuid('variable', name), type: inferType(list) }))
}

function inferType(values: (string | number | boolean)[]): VariableType {
  if (values.length === 0) return 'Text'
  if (values.every((v) => typeof v === 'boolean')) return 'Boolean'
  if (values.every((v) => typeof v === 'number')) return values.every((v) => Number.isInteger(v)) ? 'Integer' : 'Float'
  return 'Text'
}

function variableValue(value: string | number | boolean, type: VariableType, name: string): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`Variable ${name} has the value ${value}, which QDA-XML cannot hold.`)
  if (type === 'Boolean') return value ? 'true' : 'false'
  if (type === 'Integer') return BigInt(value as number).toString()
  if (type === 'Float') return decimalString(value as number)
  return elementText(typeof value === 'number' ? decimalString(value) : String(value))
}

/** A number in xsd:decimal form: no exponent (1e-7 → "0.0000001", 1e21 → "1000000000000000000000"). */
function decimalString(value: number): string {
  const text = String(value)
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (!match) return text
  const [, sign, whole, fraction = '', exponent] = match
  const digits = whole! + fraction
  const point = whole!.length + Number(exponent)
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

/** Source names: the participant code, with the interview order when a participant has several. */
function sourceNames(transcripts: TranscriptDoc[]): Map<string, string> {
  const perParticipant = new Map<string, number>()
  for (const t of transcripts) perParticipant.set(t.participantCode, (perParticipant.get(t.participantCode) ?? 0) + 1)
  return new Map(
    transcripts.map((t) => [t.id, perParticipant.get(t.participantCode)! > 1 ? `${t.participantCode} (interview ${t.interviewOrder})` : t.participantCode]),
  )
}

function memoName(memo: QdpxMemo, codes: Map<string, CodeNode>, transcripts: Map<string, TranscriptDoc>): string {
  if (memo.targetKind === 'code') return `Memo: ${codes.get(memo.targetId!)!.name}`
  if (memo.targetKind === 'transcript') return `Memo: ${transcripts.get(memo.targetId!)!.participantCode}`
  if (memo.targetKind === 'coding') return 'Memo: coding'
  if (memo.targetKind === 'passage') return 'Memo: passage'
  return 'Project memo'
}

/**
 * The transcript as written to sources/: without a leading byte-order mark and with `\r\n` and
 * `\r` as `\n`, plus the map of our code-point offsets to offsets in that text.
 */
function exportableText(original: string): { text: string; originalLength: number; map: (offset: number) => number } {
  const points = Array.from(original)
  const removedBefore: number[] = [0] // removedBefore[k]: code points dropped among points[0..k)
  const kept: string[] = []
  points.forEach((point, k) => {
    const drop = (k === 0 && point === '\uFEFF') || (point === '\r' && points[k + 1] === '\n')
    removedBefore.push(removedBefore[k]! + (drop ? 1 : 0))
    if (!drop) kept.push(point === '\r' ? '\n' : point)
  })
  return { text: kept.join(''), originalLength: points.length, map: (offset) => offset - removedBefore[offset]! }
}

// XML 1.0 allows tab, line feed, carriage return and U+0020 upwards except surrogates, U+FFFE and U+FFFF.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/**
 * xmlbuilder2 escapes `<`, `>` and `"`, but leaves an `&` alone where it looks like the start of an
 * entity reference (its `nonEntityAmpersandRegex`), so "AT&T;" or a pasted "&nbsp;" came out as an
 * undeclared entity and the file was not XML. Escaping every `&` first makes each one an `&amp;`,
 * which the library then keeps as it is: the parsed text is exactly the original.
 */
const ampersands = (text: string) => text.replace(/&/g, '&amp;')

/** Text for an element: XML-safe, line ends as `\n` (an XML parser would turn `\r\n` into `\n` anyway). */
function elementText(text: string): string {
  return ampersands(text.replace(NOT_XML, '').replace(/\r\n?/g, '\n'))
}

/**
 * Text for an attribute: XML-safe, with tabs and line breaks as character references. A conforming
 * parser normalises an attribute value (XML 1.0 §3.3.3): each literal tab, line feed or carriage
 * return becomes a space, so a code named "a<tab>b" would come back from NVivo or ATLAS.ti as "a b".
 * A character reference is not normalised: `&#9;` comes back as the tab. The `&` of each reference
 * is written after `ampersands`, so it is not escaped again, and xmlbuilder2 keeps a reference as it is.
 */
function attribute(text: string): string {
  return ampersands(text.replace(NOT_XML, '')).replace(/[\t\n\r]/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

function xsdDateTime(value: string, what: string): string {
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw new RangeError(`The date of ${what} ("${value}") is not a date-time.`)
  return date.toISOString()
}

function assertUnique(values: string[], what: string): void {
  const seen = new Set<string>()
  for (const value of values) {
    if (seen.has(value)) throw new RangeError(`Duplicate ${what} "${value}".`)
    seen.add(value)
  }
}
