/**
 * Import of earlier data: a cohort run on paper or in another tool, re-analysed here, or a data set
 * whose report is to be checked against R. The file is a long CSV, one answer per line:
 *
 * ```csv
 * participant,wave,instrument,item,value
 * P1,enrolment,demographics,age,34
 * P1,pre,phq-9,phq9_1,2
 * P1,pre,phq-9,phq9_2,
 * ```
 *
 * An empty value is an item left unanswered. Each participant × wave × instrument is one form, and
 * each form goes through `completeSchema` — exactly what a browser submit goes through — and is
 * scored by `scoreResponse`. The file is all or nothing: every problem is listed with its line and
 * column, and nothing is written unless the whole file is valid.
 */
import { Worker } from 'node:worker_threads'
import type { CsvError } from 'csv-parse'
import { restoreCell } from '../formats/csv'
import { codeProblem, lookAlikeMessage, LookAlikeCodes, normalCode, shownCode } from '../participation/codes'
import type { Kysely } from 'kysely'
import type { z } from 'zod'
import { withSmallPageCache } from '../../db/page-cache'
import { insertAudit } from '../../db/repositories/audit'
import { insertParticipants, listDecliningParticipantIds, listParticipants, nothingStoredFor, updateParticipantStatus, type Participant } from '../../db/repositories/participants'
import { deleteResponse, findResponse, insertScoredResponses, type NewScoredResponse } from '../../db/repositories/responses'
import { appendWaveInstruments, findCohort, findStudy, listWaves, upsertWave } from '../../db/repositories/studies'
import type { Database, WaveKind } from '../../db/schema'
import { ApiError, fieldProblems } from '../errors'
import type { Deps } from '../deps'
import type { Question } from '../instruments/questions'
import type { Instrument } from '../instruments/registry'
import { studyDemographicsForm } from '../instruments/study-forms'
import { scoreResponse, type ResponseScore } from '../instruments/scoring'

/** The header of an import file, in this order. */
export const importColumns = ['participant', 'wave', 'instrument', 'item', 'value'] as const
export type ImportColumn = (typeof importColumns)[number]

/** One problem with the file: its line (the header is line 1), the column, and what is wrong. */
export type ImportProblem = { line: number; column: ImportColumn; message: string }

export type ImportSummary = {
  cohortId: string
  /** Data lines read (blank lines not counted). */
  rows: number
  /** Distinct participant codes in the file: found in the cohort, or created. */
  participants: { existing: number; created: number }
  /** Distinct waves in the file (enrolment is not a wave): found in the cohort, or created. */
  waves: { existing: number; created: number }
  /** Completed responses stored (in a dry run: that would be stored). */
  responses: number
  /** Answers stored in those responses (items with an empty value are not answers). */
  answers: number
  /** Forms in the file with no item answered at all: nothing is stored for them. */
  emptyForms: number
  /** Safety flags raised by scoring the stored responses (PHQ-9 item 9, for example). */
  safetyFlags: number
  dryRun: boolean
}

/** At most this many problems are reported: a file with more is better fixed and run again. */
export const maxImportProblems = 100

type Slot = WaveKind | 'enrolment'
const slots: readonly Slot[] = ['pre', 'post', 'follow-up', 'enrolment']
const header = importColumns.join(',')

/** A data line's fields, in the order of `importColumns` (one array per line, as the parser gives it). */
type Fields = [participant: string, wave: string, instrument: string, item: string, value: string]

/** An item a file may give, with its place in the instrument (forms keep their cells in arrays by it). */
type ItemSlot = { index: number; name: string; question: Question; converted?: Map<string, Converted>; accepted?: Map<unknown, boolean> }

/**
 * One participant's answers to one instrument in one wave (or at enrolment), held compactly: a large
 * file has hundreds of thousands of lines, and one object per line was most of the import's memory.
 * `lines[i]` is the line of item i (0: not in the file), `order` the items in file order.
 */
type Form = {
  code: string
  slot: Slot
  instrument: Instrument
  firstLine: number
  lines: Int32Array
  values: unknown[]
  raws: string[]
  order: number[]
  /** The answers after `completeSchema`, once checked, and their scores. */
  answers?: Record<string, unknown>
  score?: ResponseScore
  /**
   * open: lines may still come; closed: the file moved on to another form, to be checked; pending:
   * checked and answered, to be written; written: stored, and made again from what `FormTable` kept;
   * done: checked, nothing to write (empty, or a problem).
   */
  phase: 'open' | 'closed' | 'pending' | 'written' | 'done'
  /** Its line came back after it was written: its stored answers are read back before it is checked again. */
  reopened?: boolean
  /** The problems its check found, taken back if it is reopened (it is checked again whole). */
  problems?: ImportProblem[]
  /** What it added to the summary, taken back if it is reopened. */
  counted?: { answers: number; safetyFlags: number; empty: boolean }
}

/**
 * The problems found so far. A file wrong on every line would otherwise hold one object per line:
 * only the first `maxImportProblems` in line order are ever shown, so beyond a few thousand the list
 * is cut back to those, and `total` keeps the count.
 */
class ProblemList {
  items: ImportProblem[] = []
  total = 0
  push(...problems: ImportProblem[]): void {
    for (const p of problems) {
      this.items.push(p)
      this.total++
    }
    if (this.items.length > 10 * 1024) this.items = sortProblems(this.items).slice(0, maxImportProblems)
  }
  /** Take back problems pushed earlier (a form checked again). */
  remove(problems: ImportProblem[]): void {
    const gone = new Set(problems)
    this.items = this.items.filter((p) => !gone.has(p))
    this.total -= problems.length
  }
}

function sortProblems(problems: ImportProblem[]): ImportProblem[] {
  const order = (p: ImportProblem) => importColumns.indexOf(p.column)
  return [...problems].sort((a, b) => a.line - b.line || order(a) - order(b))
}

function problemAt(line: number, column: ImportColumn, message: string): ImportProblem {
  return { line, column, message }
}

/** `line 3, column value: must be one of 0, 1, 2, 3` */
export function formatImportProblem(p: ImportProblem): string {
  return `line ${p.line}, column ${p.column}: ${p.message}`
}

// ---- Reading the file -----------------------------------------------------------------------------

/** What the parser's thread tells of a CsvError (import-csv-worker.mjs: its fields the messages use). */
type CsvProblem = Pick<CsvError, 'code' | 'message' | 'lines' | 'column' | 'record'>

function csvErrorColumn(error: CsvProblem): ImportColumn {
  const column = error.column
  if (typeof column === 'string' && (importColumns as readonly string[]).includes(column)) return column as ImportColumn
  if (typeof column === 'number') return importColumns[Math.min(column, importColumns.length - 1)] ?? 'participant'
  return 'participant'
}

/** A line the CSV parser could not read: too few or too many fields, or a stray quote. */
function csvProblem(error: CsvProblem): ImportProblem {
  const line = typeof error.lines === 'number' ? error.lines : 1
  if ((error.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' || error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') && Array.isArray(error.record)) {
    const found = error.record.length
    if (found < importColumns.length) {
      return problemAt(line, importColumns[found]!, `is missing: the line has ${found} field${found === 1 ? '' : 's'}, and each line needs ${importColumns.length} (${header})`)
    }
    return problemAt(line, 'value', `the line has ${found} fields, not ${importColumns.length}: put a value that contains a comma in double quotes`)
  }
  return problemAt(line, csvErrorColumn(error), error.message)
}

function headerProblem(found: string[] | undefined, line: number): ImportProblem | undefined {
  if (!found) return problemAt(1, 'participant', `the file is empty: its first line must be the header ${header}`)
  const length = Math.max(found.length, importColumns.length)
  // Only the first difference: a missing column shifts every later one, and one message says it all.
  for (let i = 0; i < length; i++) {
    const expected = importColumns[i]
    const given = found[i]
    if (given === expected) continue
    const column = expected ?? 'value'
    if (expected === undefined) return problemAt(line, column, `the header must be exactly ${header}; column ${i + 1} "${given}" is one too many`)
    if (given === undefined) return problemAt(line, column, `the header must be exactly ${header}; column ${i + 1} "${expected}" is missing`)
    return problemAt(line, column, `the header must be exactly ${header}; column ${i + 1} is "${given}", not "${expected}"`)
  }
  return undefined
}

/** What an import reads: the whole file as text, or its bytes or text as they arrive (a file stream, stdin). */
export type ImportSource = string | AsyncIterable<string | Buffer>

/**
 * The source with Windows line ends made `\n`, chunk by chunk (a CRLF split between two chunks
 * included). A CRLF inside a quoted value counts as two lines in csv-parse; as one newline, line
 * numbers are right. Bytes go to the parser as bytes (it parses bytes: text would be encoded back),
 * copied only when a chunk holds a carriage return. `blankLinesBefore()` counts the blank lines
 * before the header.
 */
function normalisedText(source: ImportSource) {
  let leading = 0
  let seenText = false
  async function* chunks(): AsyncGenerator<string | Buffer> {
    if (typeof source === 'string') {
      countLeading(source)
      yield source.replace(/\r\n/g, '\n')
      return
    }
    let carry = false
    for await (const input of source) {
      let chunk = typeof input === 'string' ? Buffer.from(input) : input
      if (!seenText) countLeading(chunk.toString())
      if (carry || chunk.includes(13)) {
        ;({ chunk, carry } = withoutCrlf(chunk, carry))
        if (chunk.length === 0) continue
      }
      yield chunk
    }
    if (carry) yield '\r'
  }
  function countLeading(text: string) {
    for (const line of text.replace(/^\uFEFF/, '').split('\n').slice(0, -1)) {
      if (line.trim() !== '') {
        seenText = true
        return
      }
      leading++
    }
    if (text.replace(/^\uFEFF/, '').split('\n').at(-1)!.trim() !== '') seenText = true
  }
  return { chunks, blankLinesBefore: () => leading }
}

/**
 * The bytes with each CR LF made LF; `carried`: the chunk before ended in a CR (left out of it).
 * Returns `carry`: this chunk ends in a CR, left out until the next shows whether an LF follows.
 * Byte-wise is safe in UTF-8: no byte of a multi-byte character is 10 or 13.
 */
function withoutCrlf(chunk: Buffer, carried: boolean): { chunk: Buffer; carry: boolean } {
  const out = Buffer.allocUnsafe(chunk.length + 1)
  let n = 0
  if (carried && chunk[0] !== 10) out[n++] = 13
  const end = chunk.length
  for (let i = 0; i < end; i++) {
    const b = chunk[i]!
    if (b === 13) {
      if (i + 1 === end) return { chunk: out.subarray(0, n), carry: true }
      if (chunk[i + 1] === 10) continue
    }
    out[n++] = b
  }
  return { chunk: out.subarray(0, n), carry: false }
}

function allEmpty(fields: string[]): boolean {
  for (const f of fields) if (f !== '') return false
  return true
}

/** Only a cell starting with an apostrophe can be one this platform neutralised (see ../csv.ts). */
const restore = (value: string) => (value.charCodeAt(0) === 39 ? restoreCell(value) : value)

/**
 * Read the file's data lines as they arrive, giving each to `onRow` (and, after each chunk of the
 * file, awaiting `afterChunk`, where the forms read so far are written), and collect the problems
 * that stop a line (or the file) from being read. Returns how many data lines there were.
 *
 * csv-parse reads the file on `parser`, a thread of its own (import-csv-worker.mjs; the caller
 * starts it, and ends it however the import ends), chunk by chunk, while this thread checks and
 * writes what it has already read: at most `chunksAhead` chunks are with the parser at once, so
 * memory does not grow with the file. Its records come back as JSON text, which
 * V8 reads into arrays several times faster than csv-parse reads CSV (issue 16).
 */
async function readRows(source: ImportSource, parser: CsvThread, problems: ProblemList, onRow: (fields: Fields, line: number) => void, afterChunk: () => Promise<void>): Promise<number> {
  const text = normalisedText(source)
  const headerAt = () => text.blankLinesBefore() + 1
  let header: string[] | undefined
  let stopped = false
  let rows = 0
  const stop = (problem: ImportProblem) => {
    stopped = true
    problems.items = [problem]
    problems.total = 1
  }
  const take = (fields: string[], line: number) => {
    if (!header) {
      header = fields
      const bad = headerProblem(header.map(restore), headerAt())
      // With a wrong header no line can be read as intended: report the header alone, read no further.
      if (bad) stop(bad)
      return
    }
    // A spreadsheet's trailing ",,,," is a blank line too.
    if (allEmpty(fields)) return
    rows++
    // Cells this platform neutralised against spreadsheet formulas get their text back.
    for (let i = 0; i < 5; i++) fields[i] = restore(fields[i]!)
    onRow(fields as Fields, line)
  }
  let failed = false
  /** Take one parsed chunk's records and problems; false once nothing more will come. */
  const receive = async (): Promise<boolean> => {
    const parsed = await parser.next()
    const records = JSON.parse(parsed.records) as (number | string[])[]
    for (let i = 0; i < records.length && !stopped; i += 2) take(records[i + 1] as string[], records[i] as number)
    if (!stopped) for (const error of parsed.skipped) problems.push(csvProblem(error))
    if (parsed.failed) {
      // What the parser cannot skip past (it reports most problems as skipped lines and goes on).
      if (!stopped) stop(csvProblem(parsed.failed))
      failed = true
      return false
    }
    if (!stopped) await afterChunk()
    return !parsed.end && !stopped
  }
  let sent = 0
  let received = 0
  for await (const chunk of text.chunks()) {
    if (stopped || failed) break
    parser.send(chunk)
    sent++
    while (sent - received >= chunksAhead && !stopped && !failed) {
      received++
      await receive()
    }
  }
  if (!stopped && !failed) {
    parser.end()
    while (await receive());
  }
  if (failed || stopped) return 0
  if (!header) {
    stop(headerProblem(undefined, headerAt())!)
    return 0
  }
  if (rows === 0 && problems.total === 0) problems.push(problemAt(headerAt() + 1, 'participant', 'the file has a header but no data lines'))
  return rows
}

/** Chunks of the file given to the parser's thread before this thread waits for the first back. */
const chunksAhead = 4

/** What import-csv-worker.mjs says of a chunk it has parsed (see there). */
type ParsedChunk = { records: string; skipped: CsvProblem[]; end?: true; failed?: CsvProblem }

/** The parser's thread, its messages taken in order. */
class CsvThread {
  // Plain JavaScript: without the parent's TypeScript loader (`execArgv: []`), which tsx, as `npm start`
  // and the CLI run, would otherwise load into the thread too, some 80 ms of its start (issue 16).
  private readonly worker = new Worker(new URL('./import-csv-worker.mjs', import.meta.url), { execArgv: [] })
  private readonly arrived: ParsedChunk[] = []
  private waiting: { resolve: (m: ParsedChunk) => void; reject: (e: unknown) => void } | undefined
  private failure: unknown
  private claimed = false
  constructor() {
    this.worker.on('message', (m: ParsedChunk) => {
      if (this.waiting) {
        this.waiting.resolve(m)
        this.waiting = undefined
      } else this.arrived.push(m)
    })
    const fail = (error: unknown) => {
      this.failure ??= error
      this.waiting?.reject(this.failure)
      this.waiting = undefined
    }
    this.worker.on('error', fail)
    // Ended without an error event (it never does while the import reads): nothing more will come.
    this.worker.on('exit', (code) => fail(new Error(`the CSV parser's thread stopped (exit code ${code})`)))
    // Started ahead of its import, it does not keep the process alive on its own (a caller that
    // never gives it to an import, nor closes it); its import holds it (`claim`). After the
    // listeners: adding a 'message' listener holds the thread again.
    this.worker.unref()
  }
  /**
   * Take the parser for one import, which holds the process alive until it closes the parser.
   * @throws {Error} when an import had it already: a parser's thread reads one file, and the first
   *   import closes it when it ends
   */
  claim(): void {
    if (this.claimed) throw new Error('This CSV parser was given to an import already: start one parser (startImportParser) for each import.')
    this.claimed = true
    this.worker.ref()
  }
  /** Give the parser the file's next chunk: a copy, whose memory is moved to the thread. */
  send(chunk: string | Buffer): void {
    if (typeof chunk === 'string') this.worker.postMessage({ chunk })
    else {
      const copy = new Uint8Array(chunk)
      this.worker.postMessage({ chunk: copy }, [copy.buffer])
    }
  }
  end(): void {
    this.worker.postMessage({ end: true })
  }
  /** The next parsed chunk, in the order they were sent. */
  next(): Promise<ParsedChunk> {
    const m = this.arrived.shift()
    if (m) return Promise.resolve(m)
    if (this.failure !== undefined) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }))
  }
  async close(): Promise<void> {
    await this.worker.terminate()
  }
}

// ---- Checking each line ---------------------------------------------------------------------------

const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
/** How other tools write a missing value; here an unanswered item is an empty value. */
const missingMarkers = /^(na|n\/a|nan|null|none|missing|\.|-)$/i

function notANumber(raw: string): string {
  return `"${raw}" is not a number${missingMarkers.test(raw) ? ' (leave the value empty for an unanswered item)' : ''}`
}

type Converted = { value: unknown } | { problem: string }

/**
 * One choice, typed as the form types it: PHQ-9's choices are the numbers 0–3, so "2" is stored as 2,
 * as the browser sends it. Whether the value is one of the choices is left to `completeSchema`.
 */
function choiceValue(choices: readonly (string | number)[], raw: string): Converted {
  if (choices.includes(raw)) return { value: raw }
  if (numberPattern.test(raw)) return { value: Number(raw) }
  if (choices.every((c) => typeof c === 'number')) return { problem: `${notANumber(raw)}; it must be one of ${choices.join(', ')}` }
  return { value: raw }
}

/** The value of a cell as the browser would send it for this question. */
function convertValue(question: Question, raw: string): Converted {
  switch (question.kind) {
    case 'number':
      return numberPattern.test(raw) ? { value: Number(raw) } : { problem: notANumber(raw) }
    case 'choice':
      return choiceValue(question.choices, raw)
    case 'choices': {
      const values: unknown[] = []
      for (const part of raw.split(';').map((s) => s.trim()).filter(Boolean)) {
        const converted = choiceValue(question.choices, part)
        if ('problem' in converted) return converted
        values.push(converted.value)
      }
      return { value: values }
    }
    case 'boolean': {
      // R writes TRUE and FALSE.
      const lower = raw.toLowerCase()
      if (lower === 'true' || lower === 'false') return { value: lower === 'true' }
      return { problem: `must be true or false, not "${raw}"` }
    }
    case 'text':
      return { value: raw }
  }
}

/** The items of an instrument that a file may give: its questions, and the "other" comment of a choice that has one. */
function itemsOf(instrument: Instrument): Map<string, ItemSlot> {
  const items = new Map<string, ItemSlot>()
  const add = (question: Question) => items.set(question.name, { index: items.size, name: question.name, question })
  for (const q of instrument.questions) {
    add(q)
    if ((q.kind === 'choice' || q.kind === 'choices') && q.otherComment) {
      add({ name: `${q.name}-Comment`, required: false, conditional: false, kind: 'text', maxLength: 5000 })
    }
  }
  return items
}

/**
 * Checks each data line's fields, and gives what a line that passed names: its form's slot and
 * instrument, its item, and its value as the browser would send it (undefined: unanswered). The
 * lines of one form repeat its participant, wave and instrument, whose checks depend on nothing
 * else: once they pass, the lines that follow naming the same three are not checked again (a large
 * file has some twenty lines a form, issue 16). Results are fields, not an object per line.
 */
class LineChecker {
  /** The participant's code, normalised (normalCode). */
  code = ''
  slot: Slot = 'pre'
  instrument!: Instrument
  item!: ItemSlot
  value: unknown
  /** The participant, wave and instrument of the last line whose three passed their checks. */
  private passed: [string, string, string] | undefined

  constructor(
    private readonly instrumentOf: (id: string) => Instrument | undefined,
    private readonly enrolmentInstruments: readonly string[],
    private readonly items: (i: Instrument) => Map<string, ItemSlot>,
    private readonly problems: ProblemList,
  ) {}

  /** Whether the line has no problem; its problems are added to the list. */
  check(fields: Fields, line: number): boolean {
    const [participant, wave, instrumentId, itemName, raw] = fields
    const passed = this.passed
    const before = this.problems.total
    if (!passed || passed[0] !== participant || passed[1] !== wave || passed[2] !== instrumentId) {
      this.passed = undefined
      if (!this.checkWhere(participant, wave, instrumentId, line)) return false
      if (this.problems.total === before) this.passed = [participant, wave, instrumentId]
    }
    const instrument = this.instrument
    const item = this.items(instrument).get(itemName)
    if (!item) {
      this.problems.push(problemAt(line, 'item', itemName ? `"${itemName}" is not a question of ${instrument.id}` : `is empty: give the question's name in ${instrument.id}`))
      return false
    }
    this.item = item
    this.value = undefined
    if (raw !== '') {
      const converted = convertCached(item, raw)
      if ('problem' in converted) this.problems.push(problemAt(line, 'value', converted.problem))
      else this.value = converted.value
    }
    return this.problems.total === before
  }

  /** The checks of the participant, wave and instrument; false when the instrument is unknown (the item cannot be checked). */
  private checkWhere(participant: string, wave: string, instrumentId: string, line: number): boolean {
    const { enrolmentInstruments, problems } = this
    const code = (this.code = normalCode(participant))
    const refused = codeProblem(code)
    if (code === '') problems.push(problemAt(line, 'participant', "is empty: give the participant's code"))
    else if (refused) problems.push(problemAt(line, 'participant', `${shownCode(code)} ${refused}`))

    const slot = slots.includes(wave as Slot) ? (wave as Slot) : undefined
    if (!slot) {
      problems.push(problemAt(line, 'wave', `${wave ? `"${wave}" is not a wave` : 'is empty'}: use pre, post or follow-up, or enrolment for the forms asked once (${enrolmentInstruments.join(', ')})`))
    }

    const instrument = instrumentId === '' ? undefined : this.instrumentOf(instrumentId)
    if (!instrument) {
      problems.push(problemAt(line, 'instrument', instrumentId ? `"${instrumentId}" is not a loaded instrument (see "instruments list")` : 'is empty'))
      return false
    }
    const at = (column: ImportColumn, message: string) => problems.push(problemAt(line, column, message))
    if (instrument.kind === 'consent') {
      at('instrument', `"${instrument.id}" is a consent form: consent is given at the participant's link and is not imported`)
    } else if (slot === 'enrolment' && !enrolmentInstruments.includes(instrument.id)) {
      at('instrument', `"${instrument.id}" is not an enrolment form (those are ${enrolmentInstruments.join(', ')}): give the wave it was asked in`)
    } else if (slot && slot !== 'enrolment' && instrument.kind !== 'questionnaire') {
      if (enrolmentInstruments.includes(instrument.id)) at('wave', `"${instrument.id}" is asked once, not in a wave: use the wave "enrolment"`)
      else at('instrument', `"${instrument.id}" is a ${instrument.kind} form, not a questionnaire`)
    }
    if (slot) this.slot = slot
    this.instrument = instrument
    return true
  }
}

/** At most this many distinct values of one item have their conversion kept (a choice has a handful). */
const maxConvertedPerItem = 64

/** `convertValue`, kept per item and value for a choice (the same few values come back on every form). */
function convertCached(item: ItemSlot, raw: string): Converted {
  if (item.question.kind !== 'choice') return convertValue(item.question, raw)
  const known = item.converted?.get(raw)
  if (known) return known
  const converted = convertValue(item.question, raw)
  item.converted ??= new Map()
  if (item.converted.size < maxConvertedPerItem) item.converted.set(raw, converted)
  return converted
}

/**
 * A growing Int32Array, 0 where nothing was put (off the JavaScript heap: its size adds nothing to
 * what the garbage collector marks, nor to the heap it lets grow in proportion).
 */
class Int32List {
  data = new Int32Array(1 << 10)
  size = 0
  /** Append `values`; returns where they start. */
  push(values: ArrayLike<number>): number {
    const at = this.size
    this.room(at + values.length)
    this.data.set(values, at)
    this.size = at + values.length
    return at
  }
  set(index: number, value: number): void {
    this.room(index + 1)
    this.data[index] = value
    if (index >= this.size) this.size = index + 1
  }
  get(index: number): number {
    return index < this.size ? this.data[index]! : 0
  }
  private room(size: number): void {
    if (size <= this.data.length) return
    const bigger = new Int32Array(Math.max(this.data.length * 2, size))
    bigger.set(this.data.subarray(0, this.size))
    this.data = bigger
  }
}

/**
 * The file's forms, by participant, slot and instrument. A form being read or checked is an object;
 * a written form is kept as five numbers (its first line, where its items' lines are, how many,
 * and the answers and safety flags it counted) in typed arrays, and so are its items' lines unless
 * it gave its first items in order, one a line, and no other (most forms do: their lines then
 * follow from the first; keeping them all grew the import's memory by some 6 MiB per 10,000
 * participants). A large file has a hundred thousand forms, and an object each, with a key string,
 * was most of what the import kept and made the heap grow with the file (issue 16). Participants
 * and (slot, instrument) pairs are numbered as they first come, so a form is found by two numbers,
 * with no key built per form.
 */
class FormTable {
  /** Participant codes, numbered in the order of their first line. */
  readonly codes = new Map<string, number>()
  /** By participant number, the first line of their first form. */
  private readonly firstLines = new Int32List()
  /** Per instrument, the number of each slot's forms of it (by the slot's place in `slots`). */
  private readonly kinds = new Map<Instrument, number[]>()
  /** Per kind, by participant: the forms being read or checked, and the written ones' record numbers + 1 (0: none). */
  private readonly live: Map<number, Form>[] = []
  private readonly written: Int32List[] = []
  private readonly records = new Int32List()
  private readonly lines = new Int32List()

  /** The form of a line, found, or made on its first line (`created`); a written form is made again from what was kept. */
  formOf(code: string, slot: Slot, instrument: Instrument, line: number, itemCount: number): { form: Form; created: boolean } {
    const kind = this.kindOf(slot, instrument)
    let participant = this.codes.get(code)
    if (participant === undefined) {
      this.codes.set(code, (participant = this.codes.size))
      this.firstLines.set(participant, line)
    }
    const live = this.live[kind]!
    const found = live.get(participant)
    if (found) return { form: found, created: false }
    const record = this.written[kind]!.get(participant) - 1
    let form: Form
    if (record < 0) {
      form = { code, slot, instrument, firstLine: line, lines: new Int32Array(itemCount), values: [], raws: [], order: [], phase: 'open' }
    } else {
      this.written[kind]!.set(participant, 0)
      const [firstLine, at, count, answers, safetyFlags] = this.records.data.subarray(5 * record, 5 * record + 5)
      const lines = at! < 0 ? linesInOrder(firstLine!, count!, itemCount) : this.lines.data.slice(at!, at! + count!)
      form = { code, slot, instrument, firstLine: firstLine!, lines, values: [], raws: [], order: [], phase: 'written', counted: { answers: answers!, safetyFlags: safetyFlags!, empty: false } }
    }
    live.set(participant, form)
    return { form, created: record < 0 }
  }

  /** The first line of a participant's first form (0: not in the file). */
  firstLineOf(code: string): number {
    const participant = this.codes.get(code)
    return participant === undefined ? 0 : this.firstLines.get(participant)
  }

  /** The form is written: only what a returning line needs is kept. */
  keepWritten(form: Form): void {
    const kind = this.kindOf(form.slot, form.instrument)
    const participant = this.codes.get(form.code)!
    this.live[kind]!.delete(participant)
    // Most forms give their items in order, one a line: their lines follow from the first, and none are kept.
    const given = givenInOrder(form.lines, form.firstLine)
    const at = given < 0 ? this.lines.push(form.lines) : -1
    const record = this.records.push([form.firstLine, at, given < 0 ? form.lines.length : given, form.counted!.answers, form.counted!.safetyFlags]) / 5
    this.written[kind]!.set(participant, record + 1)
  }

  private kindOf(slot: Slot, instrument: Instrument): number {
    const bySlot = this.kinds.get(instrument) ?? this.kinds.set(instrument, []).get(instrument)!
    const s = slots.indexOf(slot)
    let kind = bySlot[s]
    if (kind === undefined) {
      kind = bySlot[s] = this.live.length
      this.live.push(new Map())
      this.written.push(new Int32List())
    }
    return kind
  }
}

/**
 * How many items the form gave in order, one a line from `first` on (item i on line `first + i`),
 * with no later item given; -1 if it did not. Its lines are then `linesInOrder(first, n, lines.length)`.
 */
function givenInOrder(lines: Int32Array, first: number): number {
  let n = 0
  while (n < lines.length && lines[n] === first + n) n++
  for (let i = n; i < lines.length; i++) if (lines[i] !== 0) return -1
  return n
}

/** The lines of a form of `items` items that gave the first `given` in order, one a line from `first` on. */
function linesInOrder(first: number, given: number, items: number): Int32Array {
  const lines = new Int32Array(items)
  for (let i = 0; i < given; i++) lines[i] = first + i
  return lines
}

/** Add a line's item to its form, refusing an item given twice. */
function addLine(form: Form, item: ItemSlot, line: number, raw: string, value: unknown, problems: ProblemList): void {
  const i = item.index
  const earlier = form.lines[i]!
  if (earlier !== 0) {
    problems.push(problemAt(line, 'item', `"${item.name}" of ${form.code}, ${form.slot}, ${form.instrument.id} is given twice: on lines ${earlier} and ${line}`))
    return
  }
  form.lines[i] = line
  form.values[i] = value
  form.raws[i] = raw
  form.order.push(i)
}

/** Each item map's names by index, made once per instrument rather than once per form. */
const itemNames = new WeakMap<Map<string, ItemSlot>, string[]>()

/**
 * Validate a form exactly as a browser submit is validated. A problem with an item points at that
 * item's line; a problem with the form as a whole (a required question left out) at its first line.
 */
function checkForm(form: Form, items: Map<string, ItemSlot>): ImportProblem[] {
  const problems: ImportProblem[] = []
  const names = itemNames.get(items) ?? itemNames.set(items, [...items.keys()]).get(items)!
  const accepted = acceptedAnswers(form, items, names)
  if (accepted) {
    form.answers = accepted
    return problems
  }
  const answers: Record<string, unknown> = {}
  for (const i of form.order) if (form.values[i] !== undefined) answers[names[i]!] = form.values[i]
  const result = form.instrument.completeSchema.safeParse(answers)
  if (result.success) {
    form.answers = result.data
    return problems
  }
  for (const issue of result.error.issues) {
    const name = issue.path[0]
    const i = typeof name === 'string' ? items.get(name)?.index : undefined
    if (i !== undefined && form.lines[i] !== 0 && form.values[i] !== undefined) problems.push(problemAt(form.lines[i]!, 'value', `${issue.message} (the file has "${form.raws[i]}")`))
    else {
      for (const p of fieldProblems([issue])) {
        problems.push(problemAt(form.firstLine, 'item', `${p.field}: ${p.message} (${form.code}, ${form.slot}, ${form.instrument.id})`))
      }
    }
  }
  return problems
}

/** Per item map (by index): its item's schema in `completeSchema`, and whether the item is required there. */
type ItemSchemas = { schemas: z.ZodType[]; required: boolean[] }
const itemSchemas = new WeakMap<Map<string, ItemSlot>, ItemSchemas | null>()

/** The schemas of a `completeSchema` that is a plain strict object of its items (as `answersSchema` makes it), or null. */
function itemSchemasOf(instrument: Instrument, items: Map<string, ItemSlot>): ItemSchemas | null {
  const known = itemSchemas.get(items)
  if (known !== undefined) return known
  const def = (instrument.completeSchema as unknown as { _zod?: { def?: { type?: string; checks?: unknown[]; shape?: Record<string, z.ZodType> } } })._zod?.def
  let found: ItemSchemas | null = null
  if (def?.type === 'object' && !def.checks?.length && def.shape && Object.keys(def.shape).join('\n') === [...items.keys()].join('\n')) {
    const schemas = [...items.keys()].map((name) => def.shape![name])
    // Required: the item's schema refuses an answer left out (the rule stays in answersSchema).
    if (schemas.every((schema) => schema !== undefined)) found = { schemas: schemas as z.ZodType[], required: schemas.map((schema) => !schema!.safeParse(undefined).success) }
  }
  itemSchemas.set(items, found)
  return found
}

/**
 * What `completeSchema.safeParse` gives a form, without running it, when it surely accepts the form:
 * every required item given, and every value one of a choice its item's own schema has accepted
 * before (kept per item and value: a choice has a handful; checked with that schema the first time).
 * `completeSchema` is a strict object of the items with no check of its own, so it then accepts the
 * form and gives back the same values in its items' order, the order built here. Undefined
 * otherwise (any other kind of item, a refused value, a required item left out): `checkForm` then
 * runs `completeSchema` itself, for its messages. Running zod on every form was the import's
 * largest allocation (issue 16).
 */
function acceptedAnswers(form: Form, items: Map<string, ItemSlot>, names: string[]): Record<string, unknown> | undefined {
  const plan = itemSchemasOf(form.instrument, items)
  if (!plan) return undefined
  const slots = itemSlots.get(items) ?? itemSlots.set(items, [...items.values()]).get(items)!
  const answers: Record<string, unknown> = {}
  for (let i = 0; i < names.length; i++) {
    const value = form.values[i]
    if (value === undefined) {
      if (plan.required[i]) return undefined
      continue
    }
    const slot = slots[i]!
    if (slot.question.kind !== 'choice' || (typeof value !== 'number' && typeof value !== 'string')) return undefined
    let ok = slot.accepted?.get(value)
    if (ok === undefined) {
      ok = plan.schemas[i]!.safeParse(value).success
      slot.accepted ??= new Map()
      if (slot.accepted.size < maxConvertedPerItem) slot.accepted.set(value, ok)
    }
    if (!ok) return undefined
    answers[names[i]!] = value
  }
  return answers
}

/** Each item map's slots by index. */
const itemSlots = new WeakMap<Map<string, ItemSlot>, ItemSlot[]>()

// ---- Checks against the cohort as stored ----------------------------------------------------------

function slotText(slot: Slot): string {
  return slot === 'enrolment' ? 'at enrolment' : `in the ${slot} wave`
}

/**
 * Codes (normalised, normalCode) are matched exactly. A code that looks like another one of the
 * cohort or the file (LookAlikeCodes: differing only in case, width or look-alike letters) is almost
 * surely a typo, or a withdrawn participant's code in disguise, and is refused. A participant who
 * has withdrawn, or who declined at their link and has not agreed since (`declining`, ids), gets
 * nothing stored. Returns a check to run on each code as its first form is read, at that form's
 * first line.
 */
function codeChecker(stored: Participant[], declining: Set<string>, problems: ProblemList, firstLineOf: (code: string) => number): (code: string) => void {
  const storedOf = new Map(stored.map((p) => [p.code, p]))
  const looks = new LookAlikeCodes(storedOf.keys())
  return (code) => {
    const line = firstLineOf(code)
    const exact = storedOf.get(code)
    const refused = exact && nothingStoredFor(exact, declining)
    if (refused) problems.push(problemAt(line, 'participant', `${code} ${refused}`))
    if (exact) return
    const other = looks.claim(code)
    if (other !== undefined) {
      const where = storedOf.has(other) ? 'the cohort' : `line ${firstLineOf(other)}`
      problems.push(problemAt(line, 'participant', `${lookAlikeMessage(code, other, where)}: use one spelling`))
    }
  }
}

/** The import never overwrites: a form already completed, or begun, at the participant's link is a conflict. */
async function checkStoredResponses(
  db: Kysely<Database>,
  forms: Form[],
  participantOf: Map<string, string>,
  waveIdOf: Map<WaveKind, string>,
  problems: ProblemList,
): Promise<void> {
  for (const form of forms) {
    const participantId = participantOf.get(form.code)
    if (participantId === undefined) continue
    const waveId = form.slot === 'enrolment' ? null : waveIdOf.get(form.slot)
    if (waveId === undefined) continue
    const stored = await findResponse(db, participantId, waveId, form.instrument.id)
    if (!stored) continue
    const what = `${form.code} ${stored.status === 'complete' ? 'already completed' : 'has begun'} ${form.instrument.id} ${slotText(form.slot)}`
    const when = stored.status === 'complete' ? `on ${stored.completedAt}` : `a draft saved ${stored.updatedAt}`
    problems.push(problemAt(form.firstLine, 'participant', `${what} (${when}); the import never overwrites answers already stored`))
  }
}

function reject(problems: ProblemList): never {
  const listed = sortProblems(problems.items).slice(0, maxImportProblems)
  const more = problems.total - listed.length
  const message = formatImportProblem(listed[0]!) + (more > 0 ? ` (${problems.total} problems in all; the first ${maxImportProblems} are listed)` : '')
  throw new ApiError('validation_failed', message, listed)
}

// ---- The use-case ---------------------------------------------------------------------------------

/** Forms written per batch of statements (a few hundred rows per INSERT). */
const writeBatch = 500

/** SQLite's page cache during an import, in KiB (see `withSmallPageCache`). */
const importPageCacheKiB = 2048

/**
 * Import a long CSV of earlier answers into a cohort, all or nothing. Participants and waves the
 * cohort lacks are created and marked as imported, with status active; imported waves open and close
 * at the moment of the import, so no link ever opens them. Participants already in the cohort (matched
 * by code) keep their link; one invited or consented who has answers stored becomes active, as at their
 * link. A form whose items are all empty is counted but not stored: in a long file
 * it is a form that was never returned. With `dryRun`, everything is checked and nothing kept: the
 * forms are written as in an import, inside its transaction, which is then rolled back, so a dry run
 * reads a file of any size in the same memory as the import itself.
 *
 * The file is read as it arrives, inside one transaction: a form is checked, scored and written (a
 * few hundred per statement) as soon as the file moves on to another form, and only its line
 * numbers are kept, so memory does not grow with the answers (issue 16). A form whose lines come
 * back later in the file is read back, taken out and checked again whole. Any problem stops the
 * writing, the rest of the file is still checked, and the transaction is rolled back.
 *
 * Throws `ApiError('validation_failed', …, problems)` listing up to 100 `{ line, column, message }`.
 *
 * @example
 * const csv = 'participant,wave,instrument,item,value\nP1,pre,phq-9,phq9_1,2\n'
 * await importCohortCsv(deps, { cohortId, csv, dryRun: true }, 'cli') // { rows: 1, responses: 1, … }
 */
export async function importCohortCsv(deps: Deps, input: { cohortId: string; csv: ImportSource; dryRun?: boolean; parser?: ImportParser }, actor: string): Promise<ImportSummary> {
  // The parser's thread starts first, unless the caller started it earlier (`startImportParser`): its
  // start-up is a good part of a small file's import, and goes on while what is stored is read.
  const parser = input.parser ?? new CsvThread()
  parser.claim()
  try {
    return await importParsing(deps, input, actor, parser)
  } finally {
    await parser.close()
  }
}

/**
 * A CSV parser's thread for one import, started ahead of it so that its start-up (a thread, its
 * isolate, csv-parse loaded: some 60 ms of a 1,000-participant import's 0.55 s, issue 16) runs on the
 * other core beside the caller's own: `balint import` starts it before it opens and migrates the
 * database. Give it to `importCohortCsv` as `input.parser`, once; that import closes it, whatever its
 * outcome (a second import given the same parser throws, and leaves it to the first). Until then it
 * does not keep the process alive; one left unused is closed with `close()`.
 *
 * @example
 * const parser = startImportParser()
 * const deps = await openDeps()
 * await importCohortCsv(deps, { cohortId, csv: createReadStream(path), parser }, 'cli')
 */
export function startImportParser(): ImportParser {
  return new CsvThread()
}

/** A CSV parser's thread for one import (`startImportParser`). */
export type ImportParser = CsvThread

async function importParsing(deps: Deps, input: { cohortId: string; csv: ImportSource; dryRun?: boolean }, actor: string, parser: CsvThread): Promise<ImportSummary> {
  const cohort = await findCohort(deps.db, input.cohortId)
  if (!cohort) throw new ApiError('not_found', `There is no cohort "${input.cohortId}".`)
  const dryRun = input.dryRun === true
  // The enrolment form is the study's own demographics form as asked now, with the choices the
  // study added (study-forms.ts): a paper form's "Psychiatric resident" imports as it was chosen.
  const study = await findStudy(deps.db, cohort.studyId)
  if (!study) throw new ApiError('not_found', `There is no study of cohort "${input.cohortId}".`)
  const demographics = await studyDemographicsForm(deps, deps.db, study)
  const enrolmentInstruments = [demographics.id]

  const problems = new ProblemList()
  const itemCache = new Map<Instrument, Map<string, ItemSlot>>()
  const items = (i: Instrument) => itemCache.get(i) ?? itemCache.set(i, itemsOf(i)).get(i)!
  // The latest version of each instrument named in the file, looked up once per id, not once per line.
  const instrumentCache = new Map<string, Instrument | undefined>()
  const instrumentOf = (id: string) => (id === demographics.id ? demographics : instrumentCache.has(id) ? instrumentCache.get(id) : instrumentCache.set(id, deps.instruments.get(id)).get(id))

  // Checks against what is stored, and the writes, in one transaction: a participant submitting at
  // their link cannot slip in between the check and the import (SQLite runs a transaction alone).
  try {
    return await deps.db.transaction().execute((trx) => withSmallPageCache(trx, importPageCacheKiB, () => importInTransaction(trx)))
  } catch (error) {
    if (error instanceof DryRunDone) return error.summary
    throw error
  }

  async function importInTransaction(trx: Kysely<Database>): Promise<ImportSummary> {
    const stored = await listParticipants(trx, input.cohortId)
    /** Participant ids by code: the cohort's, and those the import creates. */
    const participantOf = new Map(stored.map((p) => [p.code, p.id]))
    const storedCodes = new Set(participantOf.keys())
    const waves = await listWaves(trx, input.cohortId)
    const waveOf = new Map(waves.map((w) => [w.kind, w]))
    const checkCode = codeChecker(stored, await listDecliningParticipantIds(trx, input.cohortId), problems, (code) => forms.firstLineOf(code))
    const now = deps.now()
    const at = now.toISOString()

    const forms = new FormTable()
    /** Codes, and each wave's instruments, in the order of their first line. */
    const instrumentsOf = new Map<WaveKind, string[]>()
    const waveIdOf = new Map<WaveKind, string>()
    const listedOn = new Map<WaveKind, number>()
    let current: Form | undefined
    let closed: Form[] = []
    let pending: Form[] = []
    const totals = { responses: 0, answers: 0, emptyForms: 0, safetyFlags: 0 }

    const checker = new LineChecker(instrumentOf, enrolmentInstruments, items, problems)
    const onRow = (fields: Fields, line: number) => {
      if (!checker.check(fields, line)) return
      const { code, slot, instrument, item } = checker
      // The lines of one form mostly follow each other: the open form is the line's, no lookup needed.
      if (current !== undefined && current.phase === 'open' && current.code === code && current.slot === slot && current.instrument === instrument) {
        addLine(current, item, line, fields[4], checker.value, problems)
        return
      }
      const known = forms.codes.size
      const { form, created } = forms.formOf(code, slot, instrument, line, items(instrument).size)
      addLine(form, item, line, fields[4], checker.value, problems)
      if (forms.codes.size > known) checkCode(code)
      if (created) {
        if (form.slot !== 'enrolment') {
          const list = instrumentsOf.get(form.slot) ?? instrumentsOf.set(form.slot, []).get(form.slot)!
          if (!list.includes(form.instrument.id)) list.push(form.instrument.id)
        }
      } else if (form.phase !== 'open') reopen(form)
      if (form !== current) {
        if (current?.phase === 'open') {
          current.phase = 'closed'
          closed.push(current)
        }
        current = form
      }
    }

    /** A form's line came back after the file had moved on: take back what it counted, and check it again when it closes. */
    const reopen = (form: Form) => {
      if (form.counted) {
        totals.answers -= form.counted.answers
        totals.safetyFlags -= form.counted.safetyFlags
        if (form.counted.empty) totals.emptyForms--
        else totals.responses--
        form.counted = undefined
      }
      if (form.problems) problems.remove(form.problems)
      form.problems = undefined
      if (form.phase === 'written') form.reopened = true
      form.phase = 'open'
      form.answers = undefined
      form.score = undefined
    }

    /** Check and score the closed forms; write them in batches while the file has no problem. */
    const afterChunk = async (final = false) => {
      const toCheck = closed
      closed = []
      for (const form of toCheck) {
        if (form.phase !== 'closed') continue
        if (form.reopened) await readBack(trx, form, items(form.instrument), participantOf, waveIdOf)
        form.problems = checkForm(form, items(form.instrument))
        if (form.problems.length > 0) problems.push(...form.problems)
        else form.problems = undefined
        if (!form.answers) {
          form.phase = 'done'
          continue
        }
        const given = Object.keys(form.answers).length
        if (given === 0) {
          form.phase = 'done'
          form.counted = { answers: 0, safetyFlags: 0, empty: true }
          totals.emptyForms++
          continue
        }
        if (form.instrument.kind === 'questionnaire') form.score = scoreResponse(form.instrument, form.answers)
        const flags = form.score?.flags.filter((f) => f.severity === 'safety').length ?? 0
        form.counted = { answers: given, safetyFlags: flags, empty: false }
        totals.responses++
        totals.answers += given
        totals.safetyFlags += flags
        form.phase = 'pending'
        pending.push(form)
      }
      if (pending.length >= writeBatch || final) await write()
    }

    const write = async () => {
      // A form reopened and checked again is listed twice: once is enough.
      const batch = [...new Set(pending)].filter((f) => f.phase === 'pending')
      pending = []
      if (batch.length === 0) return
      // Only participants already in the cohort can have anything stored.
      await checkStoredResponses(
        trx,
        batch.filter((f) => storedCodes.has(f.code)),
        participantOf,
        new Map(waves.map((w) => [w.kind, w.id])),
        problems,
      )
      if (problems.total > 0) {
        // Nothing more is written; the checked answers are kept in case the form's lines come back.
        for (const form of batch) form.phase = 'done'
        return
      }
      await ensureParticipants(batch.map((f) => f.code))
      await activateParticipants(batch.map((f) => f.code))
      await ensureWaves()
      await insertScoredResponses(trx, batch.map(toStore), now)
      // Written: only what a returning line needs (its items' lines, and the form's first line) is kept.
      for (const form of batch) forms.keepWritten(form)
    }

    // Their answers are in: they are active. They have no link, so they never see a page.
    const ensureParticipants = async (list: string[]) => {
      const missing = [...new Set(list)].filter((code) => !participantOf.has(code))
      if (missing.length === 0) return
      for (const p of await insertParticipants(trx, input.cohortId, { codes: missing, source: 'import', status: 'active' }, now)) participantOf.set(p.code, p.id)
    }

    /**
     * A participant already in the cohort who had not begun (invited, or consented at their link) and
     * now has answers stored is active, as one who begins at their link becomes active (journey.ts):
     * the exports' dictionary and the report read "active" as "has answers". Withdrawn and declining
     * participants never get here: `codeChecker` refused their lines, so nothing of theirs is written.
     * In the import's transaction, so a rolled-back import (or a dry run) leaves their status as it was.
     */
    const notBegun = new Map(stored.filter((p) => p.status === 'invited' || p.status === 'consented').map((p) => [p.code, p.id]))
    const activateParticipants = async (list: string[]) => {
      for (const code of new Set(list)) {
        const id = notBegun.get(code)
        if (id === undefined) continue
        notBegun.delete(code)
        await updateParticipantStatus(trx, id, 'active', now)
      }
    }

    /** Each wave of the file, with its instruments in the order of their first line, created or added to. */
    const ensureWaves = async () => {
      for (const [kind, instruments] of instrumentsOf) {
        if ((listedOn.get(kind) ?? 0) === instruments.length) continue
        const existing = waveOf.get(kind)
        if (existing) {
          await appendWaveInstruments(trx, existing.id, instruments)
          waveIdOf.set(kind, existing.id)
        } else if (!waveIdOf.has(kind)) {
          // Open and closed at the same instant: an imported wave is never open to anyone.
          const created = await upsertWave(trx, { cohortId: input.cohortId, kind, opensAt: at, closesAt: at, instruments, source: 'import' })
          waveIdOf.set(kind, created.id)
        } else await appendWaveInstruments(trx, waveIdOf.get(kind)!, instruments)
        listedOn.set(kind, instruments.length)
      }
    }

    const toStore = (form: Form): NewScoredResponse => ({
      response: {
        participantId: participantOf.get(form.code)!,
        waveId: form.slot === 'enrolment' ? null : waveIdOf.get(form.slot)!,
        instrumentId: form.instrument.id,
        instrumentVersion: form.instrument.version,
        answers: form.answers!,
        status: 'complete',
        revision: 1,
        clientId: null,
        source: 'import',
        completedAt: at,
      },
      score: form.score,
    })

    const rows = await readRows(input.csv, parser, problems, onRow, () => afterChunk())
    if (current?.phase === 'open') {
      current.phase = 'closed'
      closed.push(current)
    }
    await afterChunk(true)
    if (rows === 0 || problems.total > 0) reject(problems)

    const codes = [...forms.codes.keys()]
    const newCodes = codes.filter((code) => !storedCodes.has(code))
    const kinds = [...instrumentsOf.keys()]
    const newKinds = kinds.filter((k) => !waveOf.has(k))
    const summary: ImportSummary = {
      cohortId: input.cohortId,
      rows,
      participants: { existing: codes.length - newCodes.length, created: newCodes.length },
      waves: { existing: kinds.length - newKinds.length, created: newKinds.length },
      ...totals,
      dryRun,
    }
    // A dry run wrote what an import writes, in this transaction: throwing rolls it all back.
    if (dryRun) throw new DryRunDone(summary)
    // Participants and waves whose forms were all empty are still created, as the file names them.
    await ensureParticipants(codes)
    await ensureWaves()

    // Counts only: the answers themselves never go into the audit log.
    const { rows: lines, participants, waves: waveCounts, responses, answers, emptyForms, safetyFlags } = summary
    await insertAudit(
      trx,
      { actor, action: 'import.csv', entity: 'cohort', entityId: input.cohortId, details: { rows: lines, participants, waves: waveCounts, responses, answers, emptyForms, safetyFlags } },
      now,
    )
    return summary
  }
}

/** Thrown at the end of a dry run to roll its transaction back; carries the summary. */
class DryRunDone extends Error {
  constructor(readonly summary: ImportSummary) {
    super('dry run: rolled back')
  }
}

/**
 * A written form whose lines came back: its stored answers are put back as its values (their raw
 * text as the file would write them), and the stored response taken out, to be checked and written
 * again whole.
 */
async function readBack(db: Kysely<Database>, form: Form, items: Map<string, ItemSlot>, participantOf: Map<string, string>, waveIdOf: Map<WaveKind, string>): Promise<void> {
  form.reopened = false
  const participantId = participantOf.get(form.code)
  const waveId = form.slot === 'enrolment' ? null : waveIdOf.get(form.slot)
  if (participantId === undefined || waveId === undefined) return
  const stored = await findResponse(db, participantId, waveId, form.instrument.id)
  if (!stored) return
  const storedOrder: number[] = []
  for (const [name, value] of Object.entries(stored.answers)) {
    const i = items.get(name)?.index
    if (i === undefined) continue
    form.values[i] = value
    form.raws[i] = Array.isArray(value) ? value.join(';') : String(value)
    storedOrder.push(i)
  }
  form.order = [...storedOrder, ...form.order]
  await deleteResponse(db, stored.id)
}
