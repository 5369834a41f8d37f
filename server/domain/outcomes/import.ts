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
import { CsvError, parse, type Parser } from 'csv-parse'
import { restoreCell } from '../csv'
import type { Kysely } from 'kysely'
import { insertAudit } from '../../db/repositories/audit'
import { insertParticipants, listParticipants, type Participant } from '../../db/repositories/participants'
import { findResponse, insertScoredResponses, type NewScoredResponse } from '../../db/repositories/responses'
import { appendWaveInstruments, findCohort, listWaves, upsertWave } from '../../db/repositories/studies'
import type { Database, WaveKind } from '../../db/schema'
import { ApiError, fieldProblems } from '../errors'
import type { Deps } from '../deps'
import type { Question } from '../instruments/questions'
import type { Instrument } from '../instruments/registry'
import { enrolmentInstruments } from '../participation/journey'
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

/** A participant code longer than this is more likely a misplaced column than a code. */
const maxCodeLength = 64

type Slot = WaveKind | 'enrolment'
const slots: readonly Slot[] = ['pre', 'post', 'follow-up', 'enrolment']
const header = importColumns.join(',')

type Row = Record<ImportColumn, string> & { line: number }

/** A line that passed the checks of its own fields. `raw` is the value as written; `value` is undefined when unanswered. */
type Cell = { line: number; code: string; slot: Slot; instrument: Instrument; item: ItemSlot; raw: string; value: unknown }

/** An item a file may give, with its place in the instrument (forms keep their cells in arrays by it). */
type ItemSlot = { index: number; name: string; question: Question }

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

function csvErrorColumn(error: CsvError): ImportColumn {
  const column = error.column
  if (typeof column === 'string' && (importColumns as readonly string[]).includes(column)) return column as ImportColumn
  if (typeof column === 'number') return importColumns[Math.min(column, importColumns.length - 1)] ?? 'participant'
  return 'participant'
}

/** A line the CSV parser could not read: too few or too many fields, or a stray quote. */
function csvProblem(error: CsvError): ImportProblem {
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
 * The source as text with Windows line ends made `\n`, chunk by chunk (a CRLF split between two
 * chunks included). A CRLF inside a quoted value counts as two lines in csv-parse; as one newline,
 * line numbers are right. `blankLinesBefore()` counts the blank lines before the header.
 */
function normalisedText(source: ImportSource) {
  let leading = 0
  let seenText = false
  const decoder = new TextDecoder('utf-8')
  async function* chunks(): AsyncGenerator<string> {
    let carry = ''
    const input = typeof source === 'string' ? [source] : source
    for await (const chunk of input) {
      let text = carry + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
      carry = ''
      if (text.endsWith('\r')) {
        carry = '\r'
        text = text.slice(0, -1)
      }
      if (!seenText) countLeading(text)
      yield text.replace(/\r\n/g, '\n')
    }
    const rest = carry + decoder.decode()
    if (rest) yield rest
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

/** How many line breaks a record's own fields hold (a quoted value may span lines). */
function breaksIn(fields: string[]): number {
  let n = 0
  for (const f of fields) if (f.includes('\n')) n += f.split('\n').length - 1
  return n
}

/** Only a cell starting with an apostrophe can be one this platform neutralised (see ../csv.ts). */
const restore = (value: string) => (value.charCodeAt(0) === 39 ? restoreCell(value) : value)

/**
 * Read the file's data lines as they arrive, giving each to `onRow`, and collect the problems that
 * stop a line (or the file) from being read. Returns how many data lines there were.
 *
 * csv-parse's stream API, fed chunk by chunk. Records are taken as arrays from its 'data' event,
 * which it emits while parsing, so `parser.info.lines` is then the line the record ends on: an
 * `on_record` callback or `columns` would build a context or an object per line, two thirds of the
 * parse time on a large file.
 */
async function readRows(source: ImportSource, problems: ProblemList, onRow: (row: Row) => void): Promise<number> {
  const text = normalisedText(source)
  const headerAt = () => text.blankLinesBefore() + 1
  const parser: Parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    // Strict: every line must have as many fields as the header. A line that has not is skipped and
    // reported, so that the file's every problem is listed in one go.
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) problems.push(csvProblem(error))
      return undefined
    },
  })
  let header: string[] | undefined
  let stopped = false
  let rows = 0
  const stop = (problem: ImportProblem) => {
    stopped = true
    problems.items = [problem]
    problems.total = 1
  }
  parser.on('data', (fields: string[]) => {
    if (stopped) return
    if (!header) {
      header = fields
      const bad = headerProblem(header.map(restore), headerAt())
      // With a wrong header no line can be read as intended: report the header alone, read no further.
      if (bad) stop(bad)
      return
    }
    // A spreadsheet's trailing ",,,," is a blank line too.
    if (fields.every((f) => f === '')) return
    rows++
    // The line a record starts on: the parser counts the line it ends on.
    const line = parser.info.lines - breaksIn(fields)
    // Cells this platform neutralised against spreadsheet formulas get their text back.
    onRow({ participant: restore(fields[0]!), wave: restore(fields[1]!), instrument: restore(fields[2]!), item: restore(fields[3]!), value: restore(fields[4]!), line })
  })
  try {
    const ended = new Promise<void>((resolve, reject) => {
      parser.once('end', resolve)
      parser.once('error', reject)
    })
    for await (const chunk of text.chunks()) {
      if (stopped) break
      if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve))
    }
    parser.end()
    await ended
  } catch (error) {
    // What the parser cannot skip past (it reports most problems through on_skip and goes on).
    if (error instanceof CsvError) {
      if (!stopped) stop(csvProblem(error))
      return 0
    }
    throw error
  }
  if (stopped) return 0
  if (!header) {
    stop(headerProblem(undefined, headerAt())!)
    return 0
  }
  if (rows === 0 && problems.total === 0) problems.push(problemAt(headerAt() + 1, 'participant', 'the file has a header but no data lines'))
  return rows
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

function checkRow(instrumentOf: (id: string) => Instrument | undefined, row: Row, items: (i: Instrument) => Map<string, ItemSlot>, problems: ProblemList): Cell | undefined {
  const before = problems.total
  const at = (column: ImportColumn, message: string) => problems.push(problemAt(row.line, column, message))

  if (row.participant === '') at('participant', "is empty: give the participant's code")
  else if (row.participant.length > maxCodeLength) at('participant', `is ${row.participant.length} characters long; a participant code has at most ${maxCodeLength}`)

  const slot = slots.find((s) => s === row.wave)
  if (!slot) {
    at('wave', `${row.wave ? `"${row.wave}" is not a wave` : 'is empty'}: use pre, post or follow-up, or enrolment for the forms asked once (${enrolmentInstruments.join(', ')})`)
  }

  const instrument = row.instrument === '' ? undefined : instrumentOf(row.instrument)
  if (!instrument) {
    at('instrument', row.instrument ? `"${row.instrument}" is not a loaded instrument (see "instruments list")` : 'is empty')
    return undefined
  }
  if (instrument.kind === 'consent') {
    at('instrument', `"${instrument.id}" is a consent form: consent is given at the participant's link and is not imported`)
  } else if (slot === 'enrolment' && !enrolmentInstruments.includes(instrument.id)) {
    at('instrument', `"${instrument.id}" is not an enrolment form (those are ${enrolmentInstruments.join(', ')}): give the wave it was asked in`)
  } else if (slot && slot !== 'enrolment' && instrument.kind !== 'questionnaire') {
    if (enrolmentInstruments.includes(instrument.id)) at('wave', `"${instrument.id}" is asked once, not in a wave: use the wave "enrolment"`)
    else at('instrument', `"${instrument.id}" is a ${instrument.kind} form, not a questionnaire`)
  }

  const item = items(instrument).get(row.item)
  if (!item) {
    at('item', row.item ? `"${row.item}" is not a question of ${instrument.id}` : `is empty: give the question's name in ${instrument.id}`)
    return undefined
  }
  let value: unknown
  if (row.value !== '') {
    const converted = convertValue(item.question, row.value)
    if ('problem' in converted) at('value', converted.problem)
    else value = converted.value
  }
  if (problems.total > before) return undefined
  return { line: row.line, code: row.participant, slot: slot!, instrument, item, raw: row.value, value }
}

/** Add a line to its form (made on the form's first line), refusing an item given twice. */
function addToForm(forms: Map<string, Form>, cell: Cell, itemCount: number, problems: ProblemList): void {
  const key = `${cell.code}\u0000${cell.slot}\u0000${cell.instrument.id}`
  let form = forms.get(key)
  if (!form) {
    form = { code: cell.code, slot: cell.slot, instrument: cell.instrument, firstLine: cell.line, lines: new Int32Array(itemCount), values: [], raws: [], order: [] }
    forms.set(key, form)
  }
  const i = cell.item.index
  const earlier = form.lines[i]!
  if (earlier !== 0) {
    problems.push(problemAt(cell.line, 'item', `"${cell.item.name}" of ${cell.code}, ${cell.slot}, ${cell.instrument.id} is given twice: on lines ${earlier} and ${cell.line}`))
    return
  }
  form.lines[i] = cell.line
  form.values[i] = cell.value
  form.raws[i] = cell.raw
  form.order.push(i)
}

/**
 * Validate a form exactly as a browser submit is validated. A problem with an item points at that
 * item's line; a problem with the form as a whole (a required question left out) at its first line.
 */
function checkForm(form: Form, items: Map<string, ItemSlot>, problems: ProblemList): void {
  const names = [...items.keys()]
  const answers: Record<string, unknown> = {}
  for (const i of form.order) if (form.values[i] !== undefined) answers[names[i]!] = form.values[i]
  const result = form.instrument.completeSchema.safeParse(answers)
  if (result.success) {
    form.answers = result.data
    // The file's values are checked: they are not needed again, only the answers.
    form.values = []
    form.raws = []
    return
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
}

// ---- Checks against the cohort as stored ----------------------------------------------------------

function slotText(slot: Slot): string {
  return slot === 'enrolment' ? 'at enrolment' : `in the ${slot} wave`
}

/** Codes are matched exactly; a code differing from another only in case is almost surely a typo. */
function checkCodes(forms: Iterable<Form>, stored: Participant[], problems: ProblemList): void {
  const byLower = new Map<string, { code: string; where: string }>()
  for (const p of stored) byLower.set(p.code.toLowerCase(), { code: p.code, where: 'the cohort' })
  const storedOf = new Map(stored.map((p) => [p.code, p]))
  const seen = new Set<string>()
  for (const form of forms) {
    if (seen.has(form.code)) continue
    seen.add(form.code)
    const exact = storedOf.get(form.code)
    if (exact?.status === 'withdrawn') {
      problems.push(problemAt(form.firstLine, 'participant', `${form.code} has withdrawn from the study: nothing more is stored for them`))
    }
    if (exact) continue
    const other = byLower.get(form.code.toLowerCase())
    if (other) {
      problems.push(problemAt(form.firstLine, 'participant', `"${form.code}" differs from "${other.code}" (${other.where}) only in upper and lower case: use one spelling`))
    } else byLower.set(form.code.toLowerCase(), { code: form.code, where: `line ${form.firstLine}` })
  }
}

/** The import never overwrites: a form already completed, or begun, at the participant's link is a conflict. */
async function checkStoredResponses(
  db: Kysely<Database>,
  forms: Form[],
  participantOf: Map<string, Participant>,
  waveIdOf: Map<WaveKind, string>,
  problems: ProblemList,
): Promise<void> {
  for (const form of forms) {
    const participant = participantOf.get(form.code)
    if (!participant) continue
    const waveId = form.slot === 'enrolment' ? null : waveIdOf.get(form.slot)
    if (waveId === undefined) continue
    const stored = await findResponse(db, participant.id, waveId, form.instrument.id)
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

/** First appearances, in file order. */
function distinct<T, K>(items: T[], key: (item: T) => K): T[] {
  const seen = new Set<K>()
  const result: T[] = []
  for (const item of items) {
    if (seen.has(key(item))) continue
    seen.add(key(item))
    result.push(item)
  }
  return result
}

// ---- The use-case ---------------------------------------------------------------------------------

/**
 * Import a long CSV of earlier answers into a cohort, all or nothing. Participants and waves the
 * cohort lacks are created and marked as imported; imported waves open and close at the moment of
 * the import, so no link ever opens them. Participants already in the cohort (matched by code) keep
 * their link and status. A form whose items are all empty is counted but not stored: in a long file
 * it is a form that was never returned. With `dryRun`, everything is checked and nothing written.
 *
 * Throws `ApiError('validation_failed', …, problems)` listing up to 100 `{ line, column, message }`.
 *
 * @example
 * const csv = 'participant,wave,instrument,item,value\nP1,pre,phq-9,phq9_1,2\n'
 * await importCohortCsv(deps, { cohortId, csv, dryRun: true }, 'cli') // { rows: 1, responses: 1, … }
 */
export async function importCohortCsv(deps: Deps, input: { cohortId: string; csv: ImportSource; dryRun?: boolean }, actor: string): Promise<ImportSummary> {
  if (!(await findCohort(deps.db, input.cohortId))) throw new ApiError('not_found', `There is no cohort "${input.cohortId}".`)
  const dryRun = input.dryRun === true

  // The file is read once, as it arrives: each line is checked and added to its form at once, so
  // neither the text nor one object per line is ever held whole.
  const problems = new ProblemList()
  const itemCache = new Map<Instrument, Map<string, ItemSlot>>()
  const items = (i: Instrument) => itemCache.get(i) ?? itemCache.set(i, itemsOf(i)).get(i)!
  // The latest version of each instrument named in the file, looked up once per id, not once per line.
  const instrumentCache = new Map<string, Instrument | undefined>()
  const instrumentOf = (id: string) => (instrumentCache.has(id) ? instrumentCache.get(id) : instrumentCache.set(id, deps.instruments.get(id)).get(id))
  const forms = new Map<string, Form>()
  const rows = await readRows(input.csv, problems, (row) => {
    const cell = checkRow(instrumentOf, row, items, problems)
    if (cell) addToForm(forms, cell, items(cell.instrument).size, problems)
  })
  if (rows === 0) reject(problems)
  const answered: Form[] = []
  let emptyForms = 0
  let answers = 0
  let safetyFlags = 0
  for (const form of forms.values()) {
    checkForm(form, items(form.instrument), problems)
    if (!form.answers) continue
    const given = Object.keys(form.answers).length
    if (given === 0) {
      emptyForms++
      continue
    }
    answered.push(form)
    answers += given
    if (form.instrument.kind === 'questionnaire') {
      form.score = scoreResponse(form.instrument, form.answers)
      safetyFlags += form.score.flags.filter((f) => f.severity === 'safety').length
    }
  }

  // Checks against what is stored, and the writes, in one transaction: a participant submitting at
  // their link cannot slip in between the check and the import (SQLite runs a transaction alone).
  return deps.db.transaction().execute(async (trx) => {
    const stored = await listParticipants(trx, input.cohortId)
    const participantOf = new Map(stored.map((p) => [p.code, p]))
    const waves = await listWaves(trx, input.cohortId)
    const waveOf = new Map(waves.map((w) => [w.kind, w]))

    checkCodes(forms.values(), stored, problems)
    // Only participants already in the cohort can have anything stored.
    await checkStoredResponses(trx, answered.filter((f) => participantOf.has(f.code)), participantOf, new Map(waves.map((w) => [w.kind, w.id])), problems)
    if (problems.total > 0) reject(problems)

    const codes = distinct([...forms.values()], (f) => f.code).map((f) => f.code)
    const newCodes = codes.filter((code) => !participantOf.has(code))
    const kinds = distinct([...forms.values()], (f) => f.slot)
      .map((f) => f.slot)
      .filter((s): s is WaveKind => s !== 'enrolment')
    const newKinds = kinds.filter((k) => !waveOf.has(k))
    const summary: ImportSummary = {
      cohortId: input.cohortId,
      rows,
      participants: { existing: codes.length - newCodes.length, created: newCodes.length },
      waves: { existing: kinds.length - newKinds.length, created: newKinds.length },
      responses: answered.length,
      answers,
      emptyForms,
      safetyFlags,
      dryRun,
    }
    if (dryRun) return summary

    const now = deps.now()
    const at = now.toISOString()
    // Their answers are in: they are active. They have no link, so they never see a page.
    for (const p of await insertParticipants(trx, input.cohortId, { codes: newCodes, source: 'import', status: 'active' }, now)) participantOf.set(p.code, p)

    const waveIdOf = new Map<WaveKind, string>()
    for (const kind of kinds) {
      const instruments = distinct(
        [...forms.values()].filter((f) => f.slot === kind),
        (f) => f.instrument.id,
      ).map((f) => f.instrument.id)
      const existing = waveOf.get(kind)
      if (existing) {
        await appendWaveInstruments(trx, existing.id, instruments)
        waveIdOf.set(kind, existing.id)
      } else {
        // Open and closed at the same instant: an imported wave is never open to anyone.
        const created = await upsertWave(trx, { cohortId: input.cohortId, kind, opensAt: at, closesAt: at, instruments, source: 'import' })
        waveIdOf.set(kind, created.id)
      }
    }

    const toStore = (form: Form): NewScoredResponse => ({
      response: {
        participantId: participantOf.get(form.code)!.id,
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
    // In batches of a few hundred rows per statement: new responses have no scores to replace.
    const batch = 500
    for (let i = 0; i < answered.length; i += batch) await insertScoredResponses(trx, answered.slice(i, i + batch).map(toStore), now)

    // Counts only: the answers themselves never go into the audit log.
    const { rows: lines, participants, waves: waveCounts, responses, emptyForms: empty } = summary
    await insertAudit(
      trx,
      { actor, action: 'import.csv', entity: 'cohort', entityId: input.cohortId, details: { rows: lines, participants, waves: waveCounts, responses, answers, emptyForms: empty, safetyFlags } },
      now,
    )
    return summary
  })
}
