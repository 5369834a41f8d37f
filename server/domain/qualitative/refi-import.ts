import { readFileSync } from 'node:fs'
import { unzipSync } from 'fflate'
import { create } from 'xmlbuilder2'
import { validateXML } from 'xmllint-wasm'
import { CODEBOOK_NAMESPACE, PROJECT_NAMESPACE } from './refi-qda'
import type { CodeLevel } from './types'

/**
 * Reading REFI-QDA exchange files (QDA-XML 1.0, https://www.qdasoftware.org) written by MAXQDA,
 * NVivo, ATLAS.ti, QualCoder, Taguette or by us: a `.qdc` codebook and a `.qdpx` project. Pure
 * functions from bytes to plain objects; qda-import.ts writes them into a study.
 *
 * What is read from a project: users, the codebook, cases with their variable values and sources,
 * text sources (the `sources/` file or the inline PlainTextContent) with their plain-text
 * selections and codings, and notes with what they are linked to (code, source, case, coding,
 * project). What is not: pictures, PDFs, audio and video sources (our transcripts are text), sets,
 * links and graphs. Each omission is listed in `skipped`, so the import report can say so.
 */

export type ImportedCode = {
  guid: string
  name: string
  description: string | null
  level: CodeLevel
  parentGuid: string | null
  /** `#RRGGBB` as the file gives it, or null. */
  color: string | null
  /** Notes linked from the code. */
  noteGuids: string[]
}

export type Skipped = { what: string; name: string; reason: string }

export type ImportedCoding = { guid: string; codeGuid: string; userGuid: string | null; start: number; end: number; createdAt: string | null; noteGuids: string[] }

export type ImportedSource = {
  guid: string
  name: string
  /** The text, as we store transcripts: no byte-order mark, `\n` line ends (see importableText). */
  text: string
  createdAt: string | null
  codings: ImportedCoding[]
  noteGuids: string[]
}

export type ImportedProject = {
  name: string
  origin: string | null
  users: { guid: string; name: string }[]
  codes: ImportedCode[]
  cases: { guid: string; name: string; variables: Record<string, string>; sourceGuids: string[]; noteGuids: string[] }[]
  sources: ImportedSource[]
  notes: { guid: string; name: string; text: string; userGuid: string | null; createdAt: string | null }[]
  projectNoteGuids: string[]
  skipped: Skipped[]
}

/** The largest project we unpack: 50 MB of XML and text, against a ZIP that inflates without end. */
const MAX_UNPACKED_BYTES = 50 * 1024 * 1024

/** A file that is not a REFI-QDA file we can read; the message says why, in terms of the file. */
export class RefiFormatError extends Error {
  override name = 'RefiFormatError'
}

// ---------------------------------------------------------------------------------------------
// Validation

const schemaFolder = new URL('./refi-schema/', import.meta.url)

/**
 * Schema check: the messages of validating `xml` against the REFI-QDA schema (Codebook.xsd for a
 * `.qdc`, Project.xsd for a `.qdpx`'s project.qde), with libxml2 compiled to WebAssembly
 * (xmllint-wasm); an empty list when the file is valid.
 *
 * @example
 * await refiSchemaErrors(buildQdc(codes, { origin: 'x' }), 'codebook') // => []
 */
export async function refiSchemaErrors(xml: string, kind: 'codebook' | 'project'): Promise<string[]> {
  const file = kind === 'codebook' ? 'Codebook.xsd' : 'Project.xsd'
  const schema = readFileSync(new URL(file, schemaFolder), 'utf8')
  const result = await validateXML({ xml: [{ fileName: kind === 'codebook' ? 'codebook.qdc' : 'project.qde', contents: xml }], schema: [schema] })
  return result.errors.map((error) => error.rawMessage.trim())
}

// ---------------------------------------------------------------------------------------------
// XML

function parseXml(xml: string, root: 'CodeBook' | 'Project', namespace: string): Element {
  // REFI-QDA files carry no document type. One that does may try to pull in outside entities
  // (XXE) or expand without end: refused before any parser sees it.
  if (/<!DOCTYPE/i.test(xml)) throw new RefiFormatError('The file has a document type declaration, which REFI-QDA files never have.')
  let element: Element
  try {
    element = create(xml.replace(/^\uFEFF/, '')).root().node as unknown as Element
  } catch (error) {
    throw new RefiFormatError(`The file is not well-formed XML: ${(error as Error).message}`)
  }
  if (element.localName !== root || element.namespaceURI !== namespace) {
    throw new RefiFormatError(`The file's root element is <${element.localName}> in "${element.namespaceURI ?? ''}", not <${root}> in "${namespace}".`)
  }
  return element
}

function children(parent: Element, name: string): Element[] {
  return Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name)
}

function child(parent: Element, name: string): Element | undefined {
  return children(parent, name)[0]
}

const attr = (element: Element, name: string): string | null => element.getAttribute(name)
const guidOf = (element: Element): string => (attr(element, 'guid') ?? '').replace(/[{}]/g, '').toLowerCase()
const refGuid = (element: Element): string => (attr(element, 'targetGUID') ?? '').replace(/[{}]/g, '').toLowerCase()
const noteRefs = (element: Element): string[] => children(element, 'NoteRef').map(refGuid)

// ---------------------------------------------------------------------------------------------
// The codebook

type RawCode = { element: Element; guid: string; name: string; codable: boolean; children: RawCode[] }

function rawCodes(parent: Element): RawCode[] {
  return children(parent, 'Code').map((element) => ({
    element,
    guid: guidOf(element),
    name: (attr(element, 'name') ?? '').trim(),
    codable: attr(element, 'isCodable') !== 'false' && attr(element, 'isCodable') !== '0',
    children: rawCodes(element),
  }))
}

/**
 * Our three levels from a REFI-QDA code tree of any depth (the rule):
 * - a top-level code is a **theme** when it holds a code that itself holds codes or is not codable,
 *   or when it is not codable and holds nothing (an empty theme); a **category** when it holds only
 *   codable leaves; otherwise (a codable leaf) an ungrouped **code**;
 * - under a theme, a code that holds codes or is not codable is a **category**; a codable leaf
 *   there becomes an ungrouped code (a code belongs in a category), noted in `changes`;
 * - under a category every code is a **code**; codes nested deeper are flattened into the same
 *   category, named "Parent › Child" so no name is lost, noted in `changes`.
 * Our own exports (theme → category → code, isCodable false/false/true) come back unchanged.
 */
export function codeLevels(codesElement: Element): { codes: ImportedCode[]; changes: string[] } {
  const codes: ImportedCode[] = []
  const changes: string[] = []
  const push = (raw: RawCode, level: CodeLevel, parentGuid: string | null, name = raw.name) => {
    const description = child(raw.element, 'Description')?.textContent ?? null
    codes.push({ guid: raw.guid, name, description: description && description.trim() !== '' ? description : null, level, parentGuid, color: attr(raw.element, 'color'), noteGuids: noteRefs(raw.element) })
  }
  const flatten = (raw: RawCode, categoryGuid: string, prefix: string) => {
    for (const sub of raw.children) {
      const name = `${prefix} › ${sub.name}`
      changes.push(`"${name}" was nested below a code; it became a code of the same category.`)
      push(sub, 'code', categoryGuid, name)
      flatten(sub, categoryGuid, name)
    }
  }
  const asCategory = (raw: RawCode, parentGuid: string | null) => {
    push(raw, 'category', parentGuid)
    for (const code of raw.children) {
      push(code, 'code', raw.guid)
      flatten(code, raw.guid, code.name)
    }
  }
  for (const top of rawCodes(codesElement)) {
    const holdsGroups = top.children.some((c) => c.children.length > 0 || !c.codable)
    if (holdsGroups || (!top.codable && top.children.length === 0)) {
      push(top, 'theme', null)
      for (const second of top.children) {
        if (second.children.length > 0 || !second.codable) asCategory(second, top.guid)
        else {
          changes.push(`"${second.name}" sat directly in the theme "${top.name}"; a code belongs in a category, so it is an ungrouped code.`)
          push(second, 'code', null)
        }
      }
    } else if (top.children.length > 0) asCategory(top, null)
    else push(top, 'code', null)
  }
  return { codes, changes }
}

/**
 * Read a `.qdc` codebook.
 *
 * @throws {RefiFormatError} not XML, a document type, or not a QDA-XML CodeBook
 * @example
 * readQdc('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="…" name="interesting" isCodable="true"/></Codes></CodeBook>')
 * // => { codes: [{ name: 'interesting', level: 'code', parentGuid: null, … }], changes: [], skipped: [] }
 */
export function readQdc(xml: string): { origin: string | null; codes: ImportedCode[]; changes: string[]; skipped: Skipped[] } {
  const root = parseXml(xml, 'CodeBook', CODEBOOK_NAMESPACE)
  const codesElement = child(root, 'Codes')
  const { codes, changes } = codesElement ? codeLevels(codesElement) : { codes: [], changes: [] }
  const skipped = setsSkipped(root)
  return { origin: attr(root, 'origin'), codes, changes, skipped }
}

function setsSkipped(parent: Element): Skipped[] {
  const sets = child(parent, 'Sets')
  return sets ? children(sets, 'Set').map((set) => ({ what: 'set', name: attr(set, 'name') ?? '', reason: 'sets of codes or sources are not part of our codebook' })) : []
}

// ---------------------------------------------------------------------------------------------
// The project

/**
 * A source's text as we store transcripts, with the map from the file's code-point offsets to ours:
 * a leading byte-order mark is dropped, `\r\n` becomes `\n` (the `\r` dropped), a lone `\r` and the
 * other line and page breaks (U+000B, U+000C, U+0085, U+2028, U+2029) become `\n`. Offsets in the
 * file are code points of its text as written (QualCoder and we count so; a `\r\n` is two), and
 * move back by the code points dropped before them.
 *
 * @example
 * const t = importableText('a\r\nb😀c')
 * t.text // => 'a\nb😀c'
 * t.map(4) // => 3 (the 😀 is one code point; the \r went)
 */
export function importableText(original: string): { text: string; map: (offset: number) => number; length: number } {
  const points = Array.from(original)
  const droppedBefore: number[] = [0]
  const kept: string[] = []
  points.forEach((point, k) => {
    const drop = (k === 0 && point === '\uFEFF') || (point === '\r' && points[k + 1] === '\n')
    droppedBefore.push(droppedBefore[k]! + (drop ? 1 : 0))
    if (!drop) kept.push(/^[\r\u000B\u000C\u0085\u2028\u2029]$/.test(point) ? '\n' : point)
  })
  return {
    text: kept.join(''),
    length: points.length,
    map: (offset) => offset - droppedBefore[offset]!,
  }
}

/**
 * Read a `.qdpx` project: its `project.qde` and the text files of its sources.
 *
 * @throws {RefiFormatError} not a ZIP, no project.qde, too large unpacked, or not a QDA-XML Project
 */
export function readQdpx(bytes: Uint8Array): ImportedProject & { xml: string } {
  let entries: Record<string, Uint8Array>
  let unpacked = 0
  try {
    entries = unzipSync(bytes, {
      // Only what we read is inflated, and never more than MAX_UNPACKED_BYTES in all (a ZIP bomb stops here).
      filter: (file) => {
        const wanted = file.name === 'project.qde' || /^sources\/[^/]+$/i.test(file.name)
        if (wanted) unpacked += file.originalSize
        if (unpacked > MAX_UNPACKED_BYTES) throw new RefiFormatError(`The project unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MB.`)
        return wanted
      },
    })
  } catch (error) {
    if (error instanceof RefiFormatError) throw error
    throw new RefiFormatError(`The file is not a .qdpx (ZIP) archive: ${(error as Error).message}`)
  }
  const qde = entries['project.qde']
  if (!qde) throw new RefiFormatError('The archive has no project.qde.')
  const decoder = new TextDecoder('utf-8')
  const xml = decoder.decode(qde)
  const root = parseXml(xml, 'Project', PROJECT_NAMESPACE)
  const skipped: Skipped[] = []

  const users = children(child(root, 'Users') ?? root, 'User').map((u) => ({ guid: guidOf(u), name: attr(u, 'name') ?? attr(u, 'id') ?? guidOf(u) }))

  const codebookElement = child(root, 'CodeBook')
  const codesElement = codebookElement && child(codebookElement, 'Codes')
  const { codes, changes } = codesElement ? codeLevels(codesElement) : { codes: [], changes: [] }
  for (const change of changes) skipped.push({ what: 'code', name: '', reason: change })
  if (codebookElement) skipped.push(...setsSkipped(codebookElement))

  const variables = new Map(children(child(root, 'Variables') ?? root, 'Variable').map((v) => [guidOf(v), attr(v, 'name') ?? '']))
  const cases = children(child(root, 'Cases') ?? root, 'Case').map((c) => {
    const values: Record<string, string> = {}
    for (const value of children(c, 'VariableValue')) {
      const ref = child(value, 'VariableRef')
      const name = ref ? variables.get(refGuid(ref)) : undefined
      const content = Array.from(value.childNodes).find((n): n is Element => n.nodeType === 1 && (n as Element).localName !== 'VariableRef')
      if (name && content) values[name] = content.textContent ?? ''
    }
    return { guid: guidOf(c), name: (attr(c, 'name') ?? '').trim(), variables: values, sourceGuids: children(c, 'SourceRef').map(refGuid), noteGuids: noteRefs(c) }
  })

  const sources: ImportedSource[] = []
  const sourcesElement = child(root, 'Sources')
  for (const element of sourcesElement ? Array.from(sourcesElement.childNodes).filter((n): n is Element => n.nodeType === 1) : []) {
    const name = attr(element, 'name') ?? guidOf(element)
    if (element.localName !== 'TextSource') {
      skipped.push({ what: element.localName.replace(/Source$/, '').toLowerCase() || 'source', name, reason: 'only text sources are imported; pictures, PDFs, audio and video are not' })
      continue
    }
    let original: string | null = null
    const inline = child(element, 'PlainTextContent')
    const path = attr(element, 'plainTextPath')
    if (inline) original = inline.textContent ?? ''
    else if (path?.startsWith('internal://')) {
      const file = `sources/${path.slice('internal://'.length)}`
      const found = entries[file] ?? Object.entries(entries).find(([k]) => k.toLowerCase() === file.toLowerCase())?.[1]
      if (found) original = decoder.decode(found)
    }
    if (original === null) {
      skipped.push({ what: 'source', name, reason: path ? `its text (${path}) is not inside the archive` : 'it has no plain text' })
      continue
    }
    const text = importableText(original)
    const codings: ImportedCoding[] = []
    for (const selection of children(element, 'PlainTextSelection')) {
      const start = Number(attr(selection, 'startPosition'))
      const end = Number(attr(selection, 'endPosition'))
      const selectionName = `${name} ${start}–${end}`
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > text.length) {
        skipped.push({ what: 'coding', name: selectionName, reason: `the selection ${start}–${end} is not within the text's ${text.length} characters` })
        continue
      }
      for (const coding of children(selection, 'Coding')) {
        const codeRef = child(coding, 'CodeRef')
        if (!codeRef) continue
        codings.push({
          guid: guidOf(coding),
          codeGuid: refGuid(codeRef),
          userGuid: (attr(coding, 'creatingUser') ?? attr(selection, 'creatingUser'))?.replace(/[{}]/g, '').toLowerCase() ?? null,
          start: text.map(start),
          end: text.map(end),
          createdAt: attr(coding, 'creationDateTime') ?? attr(selection, 'creationDateTime'),
          noteGuids: noteRefs(coding),
        })
      }
    }
    for (const other of ['PictureSelection', 'AudioSelection', 'VideoSelection', 'PDFSelection', 'TranscriptSelection']) {
      for (const selection of children(element, other)) skipped.push({ what: 'coding', name: attr(selection, 'name') ?? name, reason: `a ${other} is not a passage of text` })
    }
    sources.push({ guid: guidOf(element), name, text: text.text, createdAt: attr(element, 'creationDateTime'), codings, noteGuids: noteRefs(element) })
  }

  const notes = children(child(root, 'Notes') ?? root, 'Note').map((n) => ({
    guid: guidOf(n),
    name: attr(n, 'name') ?? '',
    text: child(n, 'PlainTextContent')?.textContent ?? '',
    userGuid: attr(n, 'creatingUser')?.replace(/[{}]/g, '').toLowerCase() ?? null,
    createdAt: attr(n, 'creationDateTime'),
  }))
  // A link from a note to a case attaches the note to the case (the schema gives a Case no NoteRef);
  // other links (between codes, selections …) are not part of our analysis.
  const noteGuids = new Set(notes.map((n) => n.guid))
  for (const linkElement of children(child(root, 'Links') ?? root, 'Link')) {
    const origin = (attr(linkElement, 'originGUID') ?? '').replace(/[{}]/g, '').toLowerCase()
    const target = (attr(linkElement, 'targetGUID') ?? '').replace(/[{}]/g, '').toLowerCase()
    const linkedCase = cases.find((c) => c.guid === target)
    if (noteGuids.has(origin) && linkedCase) linkedCase.noteGuids.push(origin)
    else skipped.push({ what: 'link', name: attr(linkElement, 'name') ?? '', reason: 'links other than a note to a case are not part of our analysis' })
  }
  if (child(root, 'Graphs')) skipped.push({ what: 'graphs', name: '', reason: 'graphs are not part of our analysis' })
  if (child(root, 'Sets')) skipped.push(...setsSkipped(root))

  return {
    xml,
    name: attr(root, 'name') ?? '',
    origin: attr(root, 'origin'),
    users,
    codes,
    cases,
    sources,
    notes,
    projectNoteGuids: noteRefs(root),
    skipped,
  }
}
