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
import { CsvError, parse } from 'csv-parse/sync'
import { restoreCell } from '../csv'
import type { Kysely } from 'kysely'
import { insertAudit } from '../../db/repositories/audit'
import { insertParticipants, listParticipants, updateParticipantStatus, type Participant } from '../../db/repositories/participants'
import { findResponse, insertResponse, replaceScores } from '../../db/repositories/responses'
import { appendWaveInstruments, findCohort, listWaves, upsertWave } from '../../db/repositories/studies'
import type { Database, WaveKind } from '../../db/schema'
import { ApiError, fieldProblems } from '../errors'
import type { Deps } from '../deps'
import type { Question } from '../instruments/questions'
import type { Instrument } from '../instruments/registry'
import { enrolmentInstruments } from '../participation/journey'
import { scoreResponse } from '../instruments/scoring'

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
type Cell = { line: number; code: string; slot: Slot; instrument: Instrument; item: string; raw: string; value: unknown }

/** One participant's answers to one instrument in one wave (or at enrolment). */
type Form = {
  code: string
  slot: Slot
  instrument: Instrument
  firstLine: number
  cells: Map<string, Cell>
  /** The answers after `completeSchema`, once checked. */
  answers?: Record<string, unknown>
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
  if (error.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' && Array.isArray(error.record)) {
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

/** The data lines of the file, or the problems that stop it from being read at all. */
function readRows(csv: string): { rows: Row[]; problems: ImportProblem[] } {
  let foundHeader: string[] | undefined
  const skipped: CsvError[] = []
  let rows: Row[]
  try {
    // A CRLF inside a quoted value counts as two lines in csv-parse; as one newline, line numbers are right.
    rows = parse<Row, Record<ImportColumn, string>>(csv.replace(/\r\n/g, '\n'), {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      // Strict: every line must have exactly the five columns. A line that has not is skipped and
      // reported, so that the file's every problem is listed in one go.
      columns: (fields) => {
        foundHeader = fields
        return [...importColumns]
      },
      skip_records_with_error: true,
      on_skip: (error) => {
        if (error) skipped.push(error)
        return undefined
      },
      // The line a record starts on: the parser counts the line it ends on, and a quoted value may span lines.
      on_record: (record, context) => ({ ...record, line: context.lines - (Object.values(record).join('').split('\n').length - 1) }),
    })
  } catch (error) {
    // What the parser cannot skip past (it reports most problems through on_skip and goes on).
    if (error instanceof CsvError) return { rows: [], problems: [csvProblem(error)] }
    throw error
  }
  const headerLine = csv.replace(/^\uFEFF/, '').split(/\r?\n/).findIndex((l) => l.trim() !== '') + 1
  const bad = headerProblem(foundHeader, Math.max(headerLine, 1))
  // With a wrong header no line can be read as intended: report the header alone.
  if (bad) return { rows: [], problems: [bad] }
  // A spreadsheet's trailing ",,,," is a blank line too.
  // Cells this platform neutralised against spreadsheet formulas get their text back (see ../csv.ts).
  rows = rows.filter((r) => importColumns.some((c) => r[c] !== '')).map((r) => ({ ...r, ...Object.fromEntries(importColumns.map((c) => [c, restoreCell(r[c])])) }))
  const problems = skipped.map(csvProblem)
  if (rows.length === 0 && problems.length === 0) problems.push(problemAt(headerLine + 1, 'participant', 'the file has a header but no data lines'))
  return { rows, problems }
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
function itemsOf(instrument: Instrument): Map<string, Question> {
  const items = new Map<string, Question>()
  for (const q of instrument.questions) {
    items.set(q.name, q)
    if ((q.kind === 'choice' || q.kind === 'choices') && q.otherComment) {
      items.set(`${q.name}-Comment`, { name: `${q.name}-Comment`, required: false, conditional: false, kind: 'text', maxLength: 5000 })
    }
  }
  return items
}

function checkRow(deps: Deps, row: Row, items: (i: Instrument) => Map<string, Question>, problems: ImportProblem[]): Cell | undefined {
  const before = problems.length
  const at = (column: ImportColumn, message: string) => problems.push(problemAt(row.line, column, message))

  if (row.participant === '') at('participant', "is empty: give the participant's code")
  else if (row.participant.length > maxCodeLength) at('participant', `is ${row.participant.length} characters long; a participant code has at most ${maxCodeLength}`)

  const slot = slots.find((s) => s === row.wave)
  if (!slot) {
    at('wave', `${row.wave ? `"${row.wave}" is not a wave` : 'is empty'}: use pre, post or follow-up, or enrolment for the forms asked once (${enrolmentInstruments.join(', ')})`)
  }

  const instrument = row.instrument === '' ? undefined : deps.instruments.get(row.instrument)
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

  const question = items(instrument).get(row.item)
  if (!question) {
    at('item', row.item ? `"${row.item}" is not a question of ${instrument.id}` : `is empty: give the question's name in ${instrument.id}`)
    return undefined
  }
  let value: unknown
  if (row.value !== '') {
    const converted = convertValue(question, row.value)
    if ('problem' in converted) at('value', converted.problem)
    else value = converted.value
  }
  if (problems.length > before) return undefined
  return { line: row.line, code: row.participant, slot: slot!, instrument, item: row.item, raw: row.value, value }
}

/** Group the lines into forms, refusing an item given twice. */
function groupForms(cells: Cell[], problems: ImportProblem[]): Map<string, Form> {
  const forms = new Map<string, Form>()
  for (const cell of cells) {
    const key = JSON.stringify([cell.code, cell.slot, cell.instrument.id])
    let form = forms.get(key)
    if (!form) forms.set(key, (form = { code: cell.code, slot: cell.slot, instrument: cell.instrument, firstLine: cell.line, cells: new Map() }))
    const earlier = form.cells.get(cell.item)
    if (earlier) {
      problems.push(problemAt(cell.line, 'item', `"${cell.item}" of ${cell.code}, ${cell.slot}, ${cell.instrument.id} is given twice: on lines ${earlier.line} and ${cell.line}`))
    } else form.cells.set(cell.item, cell)
  }
  return forms
}

/**
 * Validate a form exactly as a browser submit is validated. A problem with an item points at that
 * item's line; a problem with the form as a whole (a required question left out) at its first line.
 */
function checkForm(form: Form, problems: ImportProblem[]): void {
  const answers: Record<string, unknown> = {}
  for (const [item, cell] of form.cells) if (cell.value !== undefined) answers[item] = cell.value
  const result = form.instrument.completeSchema.safeParse(answers)
  if (result.success) {
    form.answers = result.data
    return
  }
  for (const issue of result.error.issues) {
    const item = issue.path[0]
    const cell = typeof item === 'string' ? form.cells.get(item) : undefined
    if (cell && cell.value !== undefined) problems.push(problemAt(cell.line, 'value', `${issue.message} (the file has "${cell.raw}")`))
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
function checkCodes(forms: Form[], stored: Participant[], problems: ImportProblem[]): void {
  const byLower = new Map<string, { code: string; where: string }>()
  for (const p of stored) byLower.set(p.code.toLowerCase(), { code: p.code, where: 'the cohort' })
  const seen = new Set<string>()
  for (const form of forms) {
    if (seen.has(form.code)) continue
    seen.add(form.code)
    const exact = stored.find((p) => p.code === form.code)
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
  problems: ImportProblem[],
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

function reject(problems: ImportProblem[]): never {
  const order = (p: ImportProblem) => importColumns.indexOf(p.column)
  const sorted = [...problems].sort((a, b) => a.line - b.line || order(a) - order(b))
  const listed = sorted.slice(0, maxImportProblems)
  const more = sorted.length - listed.length
  const message = formatImportProblem(listed[0]!) + (more > 0 ? ` (${sorted.length} problems in all; the first ${maxImportProblems} are listed)` : '')
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
export async function importCohortCsv(deps: Deps, input: { cohortId: string; csv: string; dryRun?: boolean }, actor: string): Promise<ImportSummary> {
  if (!(await findCohort(deps.db, input.cohortId))) throw new ApiError('not_found', `There is no cohort "${input.cohortId}".`)
  const dryRun = input.dryRun === true

  const { rows, problems } = readRows(input.csv)
  if (rows.length === 0) reject(problems)

  const itemCache = new Map<Instrument, Map<string, Question>>()
  const items = (i: Instrument) => itemCache.get(i) ?? itemCache.set(i, itemsOf(i)).get(i)!
  const cells = rows.map((row) => checkRow(deps, row, items, problems)).filter((c): c is Cell => c !== undefined)
  const forms = [...groupForms(cells, problems).values()]
  for (const form of forms) checkForm(form, problems)
  const answered = forms.filter((f) => f.answers && Object.keys(f.answers).length > 0)

  // Checks against what is stored, and the writes, in one transaction: a participant submitting at
  // their link cannot slip in between the check and the import (SQLite runs a transaction alone).
  return deps.db.transaction().execute(async (trx) => {
    const stored = await listParticipants(trx, input.cohortId)
    const participantOf = new Map(stored.map((p) => [p.code, p]))
    const waves = await listWaves(trx, input.cohortId)
    const waveOf = new Map(waves.map((w) => [w.kind, w]))

    checkCodes(forms, stored, problems)
    await checkStoredResponses(trx, answered, participantOf, new Map(waves.map((w) => [w.kind, w.id])), problems)
    if (problems.length > 0) reject(problems)

    const codes = distinct(cells, (c) => c.code).map((c) => c.code)
    const newCodes = codes.filter((code) => !participantOf.has(code))
    const kinds = distinct(cells, (c) => c.slot)
      .map((c) => c.slot)
      .filter((s): s is WaveKind => s !== 'enrolment')
    const newKinds = kinds.filter((k) => !waveOf.has(k))
    const scores = answered.map((form) => (form.instrument.kind === 'questionnaire' ? scoreResponse(form.instrument, form.answers!) : undefined))
    const summary: ImportSummary = {
      cohortId: input.cohortId,
      rows: rows.length,
      participants: { existing: codes.length - newCodes.length, created: newCodes.length },
      waves: { existing: kinds.length - newKinds.length, created: newKinds.length },
      responses: answered.length,
      answers: answered.reduce((n, f) => n + Object.keys(f.answers!).length, 0),
      emptyForms: forms.length - answered.length,
      safetyFlags: scores.reduce((n, s) => n + (s?.flags.filter((f) => f.severity === 'safety').length ?? 0), 0),
      dryRun,
    }
    if (dryRun) return summary

    const now = deps.now()
    const at = now.toISOString()
    for (const p of await insertParticipants(trx, input.cohortId, { codes: newCodes, source: 'import' }, now)) {
      // Their answers are in: they are active. They have no link, so they never see a page.
      await updateParticipantStatus(trx, p.id, 'active', now)
      participantOf.set(p.code, { ...p, status: 'active' })
    }

    const waveIdOf = new Map<WaveKind, string>()
    for (const kind of kinds) {
      const instruments = distinct(
        cells.filter((c) => c.slot === kind),
        (c) => c.instrument.id,
      ).map((c) => c.instrument.id)
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

    for (const [i, form] of answered.entries()) {
      const response = await insertResponse(
        trx,
        {
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
        now,
      )
      const score = scores[i]
      if (score) await replaceScores(trx, response.id, score, now)
    }

    // Counts only: the answers themselves never go into the audit log.
    const { rows: lines, participants, waves: waveCounts, responses, answers, emptyForms, safetyFlags } = summary
    await insertAudit(
      trx,
      { actor, action: 'import.csv', entity: 'cohort', entityId: input.cohortId, details: { rows: lines, participants, waves: waveCounts, responses, answers, emptyForms, safetyFlags } },
      now,
    )
    return summary
  })
}
