import { readFileSync } from 'node:fs'
import { Unzip, UnzipInflate, unzipSync } from 'fflate'
import { SaxesParser } from 'saxes'
import { create } from 'xmlbuilder2'
import { memoryPages, validateXML } from 'xmllint-wasm'
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

/** A PlainTextSelection that holds no Coding but has notes: a passage marked without a code (offsets mapped as codings'). */
export type ImportedPassage = { guid: string; start: number; end: number; createdAt: string | null; noteGuids: string[] }

export type ImportedSource = {
  guid: string
  name: string
  /** The text, as we store transcripts: no byte-order mark, `\n` line ends (see importableText). */
  text: string
  createdAt: string | null
  codings: ImportedCoding[]
  passages: ImportedPassage[]
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

/** The largest project we unpack: 50 MiB of XML and text, against a ZIP that inflates without end. */
const MAX_UNPACKED_BYTES = 50 * 1024 * 1024

/**
 * The largest project.qde we read, far below MAX_UNPACKED_BYTES because the XML is parsed into a
 * DOM (about 0.3–0.5 s per MB here; on the import's reader thread, qdpx-reader.ts, so other requests
 * no longer wait for it, but its memory and a core are taken meanwhile) and checked against the
 * schema by libxml2. At the old 50 MB a 120 KB upload held the server for 17 s and grew it to 2 GB.
 *
 * What a generous real project needs (200 interviews, 20,000 codings, 500 codes), with the sizes
 * of project.qde as buildQdpx writes it, pretty-printed:
 * - a coding (PlainTextSelection, Coding and CodeRef: 4 GUIDs, 2 offsets, 2 times) ~490 bytes
 *   measured; other tools add a name, a modifying user and time, so 600: 20,000 × 600 B = 12 MB;
 * - notes: 200 interviews × 5 guide questions × 1 KB, plus memos: about 1.5 MB;
 * - codes 500 × 300 B, sources 200 × 300 B, cases with variables 200 × 1 KB: about 0.4 MB;
 * - the texts themselves are not here but in `sources/` (plainTextPath), under MAX_UNPACKED_BYTES.
 * About 14 MB in all, so 16 MiB.
 */
const MAX_PROJECT_XML_BYTES = 16 * 1024 * 1024

/**
 * libxml2's memory for the schema check, in WebAssembly pages: xmllint-wasm's default 32 MiB ran
 * out at about 8.8 MB of project.qde (~3.6 bytes per byte of XML), so 128 MiB holds a project.qde
 * of MAX_PROJECT_XML_BYTES with room to spare. It is the worker's memory, freed when the check ends.
 */
const SCHEMA_CHECK_MEMORY_PAGES = 128 * memoryPages.MiB

/**
 * Compressed bytes fed to the unzipper at a time. DEFLATE expands at most ~1,032 times, so a
 * ZIP bomb is stopped within about 16 MB of a cap. Smaller steps stop it sooner but unzip every
 * project more slowly (1 KiB steps took 3.4 times as long on a 24 MB project, the server waiting).
 */
const UNZIP_STEP_BYTES = 16 * 1024

/** A file that is not a REFI-QDA file we can read; the message says why, in terms of the file. */
export class RefiFormatError extends Error {
  override name = 'RefiFormatError'
}

/**
 * A file in which two elements carry the same GUID. REFI-QDA identifies every object by its GUID
 * (QDA-XML 1.0, "GUIDType": each object has its own), so a reference to such a GUID could mean
 * either element: the file is refused, naming the GUID, rather than one element silently standing
 * for both.
 */
export class RefiDuplicateGuidError extends RefiFormatError {
  override name = 'RefiDuplicateGuidError'
  constructor(
    /** The GUID as written in the file's first element that carries it. */
    readonly guid: string,
    message: string,
  ) {
    super(message)
  }
}

/** A file too large to read: it unpacks past a cap, or is too large for the schema check. */
export class RefiTooLargeError extends RefiFormatError {
  override name = 'RefiTooLargeError'
}

// ---------------------------------------------------------------------------------------------
// Validation

const schemaFolder = new URL('./refi-schema/', import.meta.url)

/**
 * Schema check: the messages of validating `xml` against the REFI-QDA schema (Codebook.xsd for a
 * `.qdc`, Project.xsd for a `.qdpx`'s project.qde), with libxml2 compiled to WebAssembly
 * (xmllint-wasm, in a worker thread); an empty list when the file is valid.
 *
 * @throws {RefiTooLargeError} libxml2 ran out of memory on the file
 * @throws {RefiFormatError} libxml2 could not process the file at all
 * @example
 * await refiSchemaErrors(buildQdc(codes, { origin: 'x' }), 'codebook') // => []
 */
export async function refiSchemaErrors(xml: string, kind: 'codebook' | 'project'): Promise<string[]> {
  const file = kind === 'codebook' ? 'Codebook.xsd' : 'Project.xsd'
  const schema = readFileSync(new URL(file, schemaFolder), 'utf8')
  const fileName = kind === 'codebook' ? 'codebook.qdc' : 'project.qde'
  try {
    const result = await validateXML({ xml: [{ fileName, contents: xml }], schema: [schema], maxMemoryPages: SCHEMA_CHECK_MEMORY_PAGES })
    return result.errors.map((error) => error.rawMessage.trim())
  } catch (error) {
    // xmllint-wasm rejects with libxml2's output when xmllint itself failed (not when the file is
    // merely invalid): the file's fault, never the server's. Its lines quote the file; the first says what.
    const output = error instanceof Error ? error.message : String(error)
    if (/out of memory/i.test(output)) throw new RefiTooLargeError(`The ${fileName} is too large or too deeply nested for the REFI-QDA schema check.`)
    const first = output.split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 300) ?? 'no reason given'
    throw new RefiFormatError(`The REFI-QDA schema check could not process the ${fileName}: ${first}`)
  }
}

// ---------------------------------------------------------------------------------------------
// XML

function parseXml(xml: string, root: 'CodeBook' | 'Project', namespace: string): Element {
  // REFI-QDA files carry no document type. One that does may try to pull in outside entities
  // (XXE) or expand without end: refused before any parser sees it.
  if (/<!DOCTYPE/i.test(xml)) throw new RefiFormatError('The file has a document type declaration, which REFI-QDA files never have.')
  // XML 1.0 (§2.2, §4.1 WFC: Legal Character) holds no NUL, raw or as a reference; xmlbuilder2's
  // parser lets one through, and PostgreSQL's text cannot store it.
  if (xml.includes('\u0000') || /&#(0+|x0+);/i.test(xml)) throw new RefiFormatError('The file is not well-formed XML: it holds a NUL character (U+0000), which XML cannot hold.')
  // The same rule for every other character XML 1.0 cannot hold (control characters …): xmlbuilder2
  // reads `&#1;` into the text as U+0001, which would reach a transcript or a code's name.
  const illegal = illegalXmlCharacter(xml)
  if (illegal) throw new RefiFormatError(`The file is not well-formed XML: ${illegal}`)
  const malformed = notWellFormed(xml)
  if (malformed) throw new RefiFormatError(`The file is not well-formed XML: ${malformed}`)
  let element: Element
  try {
    element = create(xml.replace(/^\uFEFF/, '')).root().node as unknown as Element
  } catch (error) {
    throw new RefiFormatError(`The file is not well-formed XML: ${(error as Error).message}`)
  }
  if (element.localName !== root || element.namespaceURI !== namespace) {
    throw new RefiFormatError(`The file's root element is <${element.localName}> in "${element.namespaceURI ?? ''}", not <${root}> in "${namespace}".`)
  }
  assertUniqueGuids(element)
  return element
}

/**
 * Where and why `xml` is not well-formed (XML 1.0 §2.1 and Namespaces in XML 1.0), as "line L,
 * column C: reason", or null when it is. xmlbuilder2's parser reads on where a conforming one
 * stops: a file cut short (a copy or a download that ended early) or with a tag left open was read
 * as far as it went, and the import took part of a project as the whole. saxes is a conforming,
 * non-validating parser (it stops at the first error, with its position); it only checks here, and
 * xmlbuilder2 still builds the tree the import reads. Lines and columns count from 1.
 *
 * @example
 * notWellFormed('<Project>\n<Sources>') // => 'line 2, column 9: unclosed tag: Sources'
 * notWellFormed('<a/>') // => null
 */
export function notWellFormed(xml: string): string | null {
  const parser = new SaxesParser({ xmlns: true, position: true })
  try {
    parser.write(xml.replace(/^\uFEFF/, '')).close()
    return null
  } catch (error) {
    // saxes prefixes its message with "line:column: ".
    const message = error instanceof Error ? error.message : String(error)
    const at = /^(\d+):(\d+): (.*)$/s.exec(message)
    return at ? `line ${at[1]}, column ${at[2]}: ${at[3]!.replace(/\.$/, '')}` : message
  }
}

/**
 * Whether a code point is a character XML 1.0 can hold (§2.2, production [2] Char: #x9 | #xA | #xD
 * | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]), written as it is or as a character
 * reference (§4.1, WFC: Legal Character).
 */
const isXmlChar = (point: number): boolean =>
  point === 0x9 || point === 0xa || point === 0xd || (point >= 0x20 && point <= 0xd7ff) || (point >= 0xe000 && point <= 0xfffd) || (point >= 0x10000 && point <= 0x10ffff)

const hex = (point: number) => `U+${point.toString(16).toUpperCase().padStart(4, '0')}`

/**
 * Why `xml` is not well-formed because of a character XML 1.0 cannot hold, naming the line and the
 * character, or null when it holds none. Both the character itself and a character reference to it
 * (`&#1;`, `&#x1F;`) are refused: XML 1.0 §4.1 (WFC: Legal Character) forbids the reference as
 * well. A lone surrogate cannot come out of UTF-8 decoding, but a reference can name one.
 *
 * @example
 * illegalXmlCharacter('<a>\n&#1;</a>') // => 'line 2 holds a character reference to U+0001 (&#1;), a control character that XML 1.0 does not allow.'
 * illegalXmlCharacter('<a>&#233;</a>') // => null
 */
export function illegalXmlCharacter(xml: string): string | null {
  const lineOf = (index: number) => xml.slice(0, index).split('\n').length
  const raw = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(xml)
  for (const found of xml.matchAll(/&#(?:x([0-9a-fA-F]+)|([0-9]+));/g)) {
    if (raw && raw.index < found.index) break
    const point = found[1] !== undefined ? Number.parseInt(found[1], 16) : Number.parseInt(found[2]!, 10)
    if (isXmlChar(point)) continue
    const what = point > 0x10ffff ? 'no Unicode character' : point >= 0xd800 && point <= 0xdfff ? `${hex(point)}, half of a surrogate pair` : `${hex(point)}, a ${point < 0x20 ? 'control character' : 'non-character'}`
    return `line ${lineOf(found.index)} holds a character reference to ${what} (${found[0]}), which XML 1.0 does not allow.`
  }
  if (!raw) return null
  const point = raw[0].codePointAt(0)!
  return `line ${lineOf(raw.index)} holds the character ${hex(point)}, a ${point < 0x20 ? 'control character' : 'non-character'} that XML 1.0 does not allow.`
}

/**
 * Every `guid` attribute in the document names one element (braces and case aside, as guidOf
 * reads them).
 *
 * @throws {RefiDuplicateGuidError} naming the GUID and the two elements that share it
 */
function assertUniqueGuids(root: Element): void {
  const seen = new Map<string, Element>()
  const describe = (element: Element) => {
    const name = attr(element, 'name')
    return name === null ? `<${element.localName}>` : `<${element.localName} name="${name.slice(0, 80)}">`
  }
  // Depth-first in document order, with a stack of our own: a deeply nested file cannot overflow the call stack.
  const stack: Element[] = [root]
  for (let element = stack.pop(); element; element = stack.pop()) {
    if (attr(element, 'guid')) {
      const guid = guidOf(element)
      const first = seen.get(guid)
      if (first) {
        const written = attr(first, 'guid')!
        throw new RefiDuplicateGuidError(
          written,
          `The GUID ${written} is given to two elements, ${describe(first)} and ${describe(element)}; in a REFI-QDA file each object has a GUID of its own, so which one is meant cannot be told.`,
        )
      }
      seen.set(guid, element)
    }
    const elements = Array.from(element.childNodes).filter((n): n is Element => n.nodeType === 1)
    for (let i = elements.length - 1; i >= 0; i--) stack.push(elements[i]!)
  }
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
 * @throws {RefiFormatError} not XML, a document type, a character XML 1.0 cannot hold, or not a QDA-XML CodeBook
 * @throws {RefiDuplicateGuidError} two codes with the same GUID
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

/** The entries of a `.qdpx` we read: the project and the text files of its sources. */
const isReadEntry = (name: string) => name === 'project.qde' || /^sources\/[^/]+$/i.test(name)

/** The cap an entry of `entryBytes`, with `totalBytes` unpacked in all so far, goes past, if any. */
function pastCap(name: string, entryBytes: number, totalBytes: number): RefiTooLargeError | null {
  if (name === 'project.qde' && entryBytes > MAX_PROJECT_XML_BYTES) return new RefiTooLargeError(`The project.qde unpacks to more than ${MAX_PROJECT_XML_BYTES / 1024 / 1024} MiB.`)
  if (totalBytes > MAX_UNPACKED_BYTES) return new RefiTooLargeError(`The project unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MiB.`)
  return null
}

/**
 * The entries we read of a `.qdpx`, inflated a step at a time and counted as they come: the sizes a
 * ZIP declares are the sender's word, so a bomb that declares little is stopped by what it inflates
 * to, within a step of the cap, before the rest is inflated.
 *
 * @throws {RefiTooLargeError} past MAX_PROJECT_XML_BYTES or MAX_UNPACKED_BYTES
 * @throws {RefiFormatError} not a ZIP
 */
function unpackQdpx(bytes: Uint8Array): Record<string, Uint8Array> {
  const notZip = (error: unknown) => new RefiFormatError(`The file is not a .qdpx (ZIP) archive: ${(error as Error).message}`)
  // The central directory first: a ZIP at all, and declared sizes within the caps. Nothing is inflated here.
  let declared = 0
  try {
    unzipSync(bytes, {
      filter: (file) => {
        if (!isReadEntry(file.name)) return false
        declared += file.originalSize
        const tooLarge = pastCap(file.name, file.originalSize, declared)
        if (tooLarge) throw tooLarge
        return false
      },
    })
  } catch (error) {
    if (error instanceof RefiFormatError) throw error
    throw notZip(error)
  }

  const parts = new Map<string, Uint8Array[]>()
  const state: { total: number; failure: RefiFormatError | null } = { total: 0, failure: null }
  const unzip = new Unzip((file) => {
    // An entry we do not read is never started: its bytes pass by without being inflated.
    if (!isReadEntry(file.name) || state.failure) return
    const chunks: Uint8Array[] = []
    let size = 0
    parts.set(file.name, chunks)
    file.ondata = (error, chunk) => {
      if (state.failure) return
      if (error) {
        state.failure = notZip(error)
        return
      }
      size += chunk.length
      state.total += chunk.length
      state.failure = pastCap(file.name, size, state.total)
      if (!state.failure) chunks.push(chunk)
    }
    file.start()
  })
  unzip.register(UnzipInflate)
  try {
    for (let at = 0; at < bytes.length && !state.failure; at += UNZIP_STEP_BYTES) unzip.push(bytes.subarray(at, at + UNZIP_STEP_BYTES), at + UNZIP_STEP_BYTES >= bytes.length)
  } catch (error) {
    throw notZip(error)
  }
  if (state.failure) throw state.failure
  return Object.fromEntries([...parts].map(([name, chunks]) => [name, Buffer.concat(chunks)]))
}

/** What an import needs of a `.qdpx` file, read and checked without the database (readCheckedQdpx). */
export type CheckedQdpx = {
  project: ImportedProject
  /** The schema check's messages (refiSchemaErrors); empty when project.qde is valid. */
  schemaErrors: string[]
}

/**
 * Read a `.qdpx` and check its project.qde against the REFI-QDA schema: all the import does with the
 * file before it writes, and all of it CPU work without the database, so that it can run on a
 * worker thread (qdpx-reader.ts runs it there: for a project.qde just under MAX_PROJECT_XML_BYTES,
 * 8–13 s of reading and 3–4 s of schema check on a busy 2-core machine). The XML itself is not
 * returned: a worker would copy it back for nothing.
 *
 * @throws as readQdpx (checked first: a file we cannot read is not schema-checked), then as refiSchemaErrors
 * @example
 * const { project, schemaErrors } = await readCheckedQdpx(buildQdpx(exported))
 * schemaErrors // => []
 */
export async function readCheckedQdpx(bytes: Uint8Array): Promise<CheckedQdpx> {
  const { xml, ...project } = readQdpx(bytes)
  return { project, schemaErrors: await refiSchemaErrors(xml, 'project') }
}

/**
 * Read a `.qdpx` project: its `project.qde` and the text files of its sources.
 *
 * @throws {RefiTooLargeError} project.qde unpacks past MAX_PROJECT_XML_BYTES, or everything we read past MAX_UNPACKED_BYTES
 * @throws {RefiFormatError} not a ZIP, no project.qde, or not a QDA-XML Project; a character XML 1.0
 *   cannot hold, raw or as a reference such as `&#1;` (illegalXmlCharacter)
 * @throws {RefiDuplicateGuidError} two elements with the same GUID (braces and case aside)
 */
export function readQdpx(bytes: Uint8Array): ImportedProject & { xml: string } {
  const entries = unpackQdpx(bytes)
  const qde = entries['project.qde']
  if (!qde) throw new RefiFormatError('The archive has no project.qde.')
  // Fatal: bytes that are not UTF-8 (a file written as ISO-8859-1 or Windows-1256) were read as U+FFFD,
  // and a project's names and texts imported with their letters lost, without a word (found by a review).
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let xml: string
  try {
    xml = decoder.decode(qde)
  } catch {
    const declared = /^\uFEFF?<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']/.exec(new TextDecoder('latin1').decode(qde.subarray(0, 200)))?.[1]
    throw new RefiFormatError(`The project.qde is not UTF-8 text${declared && !/^utf-?8$/i.test(declared) ? ` (it says it is ${declared})` : ''}: REFI-QDA files are UTF-8. Save it as UTF-8 and import it again.`)
  }
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
    let notUtf8 = false
    const inline = child(element, 'PlainTextContent')
    const path = attr(element, 'plainTextPath')
    if (inline) original = inline.textContent ?? ''
    else if (path?.startsWith('internal://')) {
      const file = `sources/${path.slice('internal://'.length)}`
      const found = entries[file] ?? Object.entries(entries).find(([k]) => k.toLowerCase() === file.toLowerCase())?.[1]
      if (found) {
        try {
          original = decoder.decode(found)
        } catch {
          notUtf8 = true
        }
      }
    }
    if (original === null) {
      const reason = notUtf8 ? `its text (${path}) is not UTF-8 (REFI-QDA texts are UTF-8): save it as UTF-8 and import again` : path ? `its text (${path}) is not inside the archive` : 'it has no plain text'
      skipped.push({ what: 'source', name, reason })
      continue
    }
    const text = importableText(original)
    const codings: ImportedCoding[] = []
    const passages: ImportedPassage[] = []
    for (const selection of children(element, 'PlainTextSelection')) {
      const start = Number(attr(selection, 'startPosition'))
      const end = Number(attr(selection, 'endPosition'))
      const selectionName = `${name} ${start}–${end}`
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > text.length) {
        skipped.push({ what: 'coding', name: selectionName, reason: `the selection ${start}–${end} is not within the text's ${text.length} characters` })
        continue
      }
      if (children(selection, 'Coding').length === 0 && noteRefs(selection).length > 0) {
        passages.push({ guid: guidOf(selection), start: text.map(start), end: text.map(end), createdAt: attr(selection, 'creationDateTime'), noteGuids: noteRefs(selection) })
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
    sources.push({ guid: guidOf(element), name, text: text.text, createdAt: attr(element, 'creationDateTime'), codings, passages, noteGuids: noteRefs(element) })
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
