/**
 * The researcher's exports of a cohort: what leaves the platform for R, SPSS or a spreadsheet.
 *
 * - `answers_long.csv`: one line per answer, in exactly the import format
 *   (`participant,wave,instrument,item,value`), so an export can be imported into another cohort;
 * - `scores_long.csv`: one line per scale score, as the server computed and stored it;
 * - `wide.csv`: one row per participant, every item and score of every wave in its own column;
 * - `dictionary.csv`: what every column means: label, type, instrument, version and the scoring rule
 *   in words;
 * - `value_labels.csv`: one line per value of every labelled column (`variable,file,value,label`),
 *   the value written exactly as the data file writes it, for SPSS VALUE LABELS or R factors;
 * - `analysis.R`: a base-R script, written for this cohort's variables, that reads wide.csv, labels
 *   the factors and reproduces the report's paired tests.
 *
 * Participants appear by their code only: never an id, a link token, an e-mail or the consent form.
 * Only completed questionnaires are exported. A participant who withdrew and asked for their answers
 * to be deleted has none left; one who withdrew and let them be kept is exported with status
 * "withdrawn", as the report counts them.
 *
 * Every file is an async iterable of CSV chunks, written a page of participants at a time. The pages
 * are separate queries rather than one Kysely `.stream()`: SQLite gives Kysely a single connection,
 * and a stream holds it until the last row is read, so one slow download would stall every
 * participant saving an answer. Between pages the connection is free.
 */
import { neutraliseCell, stringifyCsv as stringify } from '../formats/csv'
import { insertAudit } from '../../db/repositories/audit'
import { listResponseVersions } from '../../db/repositories/export-data'
import { listCompletedResponses, type ScoredResponse as ExportResponse } from '../../db/repositories/report-data'
import { listParticipants, type Participant } from '../../db/repositories/participants'
import { countAttendance } from '../../db/repositories/report-data'
import { findCohort, findStudy, listWaves, type Cohort, type Study } from '../../db/repositories/studies'
import { waveState } from '../dates'
import type { WaveKind } from '../../db/schema'
import { ApiError } from '../errors'
import type { Deps } from '../deps'
import { questionTexts, type ValueLabel } from '../instruments/labels'
import type { Question } from '../instruments/questions'
import { compareVersions, type Instrument } from '../instruments/registry'
import { loadStudyForms, studyDemographicsForm } from '../instruments/study-forms'
import type { ScaleSpec } from '../instruments/schema'
import { plainText } from '../instruments/text'

export const exportFileNames = ['answers_long.csv', 'scores_long.csv', 'wide.csv', 'dictionary.csv', 'value_labels.csv', 'analysis.R'] as const
export type ExportFileName = (typeof exportFileNames)[number]

/** One export: its name, its media type, and a generator that yields its text in chunks. */
export type ExportFile = { name: ExportFileName; contentType: string; generate: () => AsyncIterable<string> }

/** Where an answer was given: a wave, or once at enrolment (demographics). */
type Slot = WaveKind | 'enrolment'
const slotOrder: readonly Slot[] = ['enrolment', 'pre', 'post', 'follow-up']
const waveOrder: readonly WaveKind[] = ['pre', 'post', 'follow-up']

/** Participants whose responses are read in one query. */
const pageSize = 200

// ---- Variable names ------------------------------------------------------------------------------

/** The longest variable name SPSS accepts (R has no practical limit). */
export const maxVariableLength = 64

/** Words R or SPSS do not accept as a variable name (SPSS compares without case). */
const reservedWords = new Set(
  [
    ...['if', 'else', 'repeat', 'while', 'function', 'for', 'next', 'break', 'in', 'true', 'false', 'null', 'inf', 'nan', 'na'],
    ...['na_integer_', 'na_real_', 'na_character_', 'na_complex_'],
    ...['all', 'and', 'by', 'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'not', 'or', 'to', 'with'],
  ].map((w) => w.toLowerCase()),
)

/** `pre`, `post`, `followup`: the wave as the start of a variable name. */
export function wavePrefix(kind: WaveKind): string {
  return kind.replace(/-/g, '')
}

/** An instrument id without its dashes: `phq-9` → `phq9`. Ids are lower-case letters, digits and dashes. */
function compactId(instrumentId: string): string {
  return instrumentId.replace(/-/g, '')
}

/**
 * Letters, digits and underscores only, no trailing underscore (SPSS reserves those for names it
 * makes itself), at most 64 characters.
 */
function clean(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_]/g, '_')
    .slice(0, maxVariableLength)
    .replace(/_+$/, '')
}

/**
 * The wide variable of an item, before collisions are resolved. Demographics keep their own names
 * (`age`, `sex`); an item of a wave is `<wave>_<item>` when its name already starts with the
 * instrument's id without dashes (`phq9_1` → `pre_phq9_1`), else `<wave>_<instrument>_<item>`
 * (`sleep` of `recovery-check` → `post_recoverycheck_sleep`).
 *
 * @example
 * itemVariable('follow-up', 'who-5', 'who5_3') // 'followup_who5_3'
 * itemVariable('enrolment', 'demographics', 'age') // 'age'
 */
export function itemVariable(slot: Slot, instrumentId: string, item: string): string {
  const compact = compactId(instrumentId)
  if (slot === 'enrolment') {
    const name = clean(item)
    // A name R or SPSS would refuse, or one not starting with a letter, takes the form's id in front.
    return /^[A-Za-z]/.test(name) && !reservedWords.has(name.toLowerCase()) ? name : clean(`${compact}_${item}`)
  }
  return clean(item.startsWith(compact) ? `${wavePrefix(slot)}_${item}` : `${wavePrefix(slot)}_${compact}_${item}`)
}

/**
 * The wide variable of a scale score: `<wave>_<instrument>_<scale>`.
 *
 * @example
 * scaleVariable('pre', 'phq-9', 'total') // 'pre_phq9_total'
 */
export function scaleVariable(kind: WaveKind, instrumentId: string, scale: string): string {
  return clean(`${wavePrefix(kind)}_${compactId(instrumentId)}_${scale}`)
}

/**
 * Make names unique, in order: a name already taken (ignoring case, as SPSS does) gets `_2`, `_3` …,
 * shortened to stay within 64 characters. The same list always gives the same names.
 *
 * @example
 * uniqueVariableNames(['pre_x_total', 'pre_x_total', 'PRE_X_TOTAL']) // ['pre_x_total', 'pre_x_total_2', 'PRE_X_TOTAL_3']
 */
export function uniqueVariableNames(names: string[]): string[] {
  const taken = new Set<string>()
  return names.map((name) => {
    let unique = name
    for (let k = 2; taken.has(unique.toLowerCase()); k++) {
      const suffix = `_${k}`
      unique = `${name.slice(0, maxVariableLength - suffix.length)}${suffix}`
    }
    taken.add(unique.toLowerCase())
    return unique
  })
}

// ---- Values --------------------------------------------------------------------------------------

/**
 * One stored value as the files write it: a number as JavaScript prints it (shortest exact form), a
 * yes/no as TRUE or FALSE, text as it is. TRUE/FALSE rather than true/false because R's read.csv
 * reads them as logical (`type.convert(c("true", "false"))` stays character), Excel as booleans, and
 * the import in any case. value_labels.csv writes its values with this too, so they match the data.
 *
 * @example
 * formatValue(-2) // '-2'
 * formatValue(true) // 'TRUE'
 */
function formatValue(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'TRUE' : 'FALSE') : String(value)
}

/**
 * An answer as the import reads it back: a value as `formatValue` writes it, several choices joined
 * with ";" (a choice value never holds one: questions.ts refuses it). Undefined when unanswered.
 */
function formatAnswer(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(formatStored).join(';')
  return formatStored(value)
}

/** A stored value of any shape: a number, yes/no or text as `formatValue` writes it, anything else as JSON. */
function formatStored(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? formatValue(value) : JSON.stringify(value)
}

function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '' : String(value)
}

function csvRows(rows: string[][]): string {
  return stringify(rows)
}

// ---- The cohort's layout -------------------------------------------------------------------------

/** One participant with their completed responses, in slot and instrument order. */
type ParticipantRecord = { participant: Participant; attended: number; responses: ExportResponse[]; byForm: Map<string, ExportResponse> }

const formKey = (slot: Slot, instrumentId: string) => `${slot}|${instrumentId}`

type ColumnType = 'string' | 'integer' | 'numeric' | 'categorical' | 'multiple' | 'logical' | 'text'

/** A column of wide.csv and its line in the data dictionary. */
type WideColumn = {
  variable: string
  label: string
  type: ColumnType
  valueLabels: ValueLabel[]
  instrument: string
  version: string
  scoringRule: string
  value: (record: ParticipantRecord) => string
  /** Set for the columns analysis.R turns into labelled factors. */
  factor: boolean
}

/** A scale scored at both pre and post: the pair analysis.R tests. */
type PairedScale = { scale: string; label: string; pre: string; post: string }

type ExportContext = {
  cohort: Cohort
  study: Study
  exportedAt: string
  /** Instruments of each slot, in the order they were asked. */
  instrumentOrder: Map<Slot, string[]>
  columns: WideColumn[]
  paired: PairedScale[]
  /** Each wave's dates (ISO instants), by the wave's id: scores_long.csv's in_wave. */
  waveDates: Map<string, { opensAt: string; closesAt: string }>
}

const typeOf = (q: Question): ColumnType => {
  switch (q.kind) {
    case 'choice':
      // Numeric codes with labels (PHQ-9's 0–3) are numbers, as SPSS keeps them; words are categories.
      return q.choices.every((c) => typeof c === 'number') ? 'numeric' : 'categorical'
    case 'choices':
      return 'multiple'
    case 'number':
      return 'numeric'
    case 'boolean':
      return 'logical'
    case 'text':
      return 'text'
  }
}

const listText = (items: string[]) => items.join(', ')

/**
 * A scale's scoring rule in words, from its specification.
 *
 * @example
 * scoringRule(phq9Total) // 'Sum of 9 items (phq9_1, …, phq9_9), each 0–3. Range 0–27. …'
 */
export function scoringRule(spec: ScaleSpec): string {
  const k = spec.items.length
  const parts = [`${spec.method === 'sum' ? 'Sum' : 'Mean'} of ${k} item${k === 1 ? '' : 's'} (${listText(spec.items)}), each ${spec.itemRange.min}–${spec.itemRange.max}.`]
  if (spec.reverse.length > 0) {
    parts.push(`Reversed before scoring: ${listText(spec.reverse)} (value becomes ${spec.itemRange.min + spec.itemRange.max} − value).`)
  }
  if (spec.transform) {
    const add = spec.transform.add === 0 ? '' : ` ${spec.transform.add < 0 ? '−' : '+'} ${Math.abs(spec.transform.add)}`
    parts.push(`Then × ${spec.transform.multiply}${add}.`)
  }
  parts.push(`Range ${spec.range.min}–${spec.range.max}.`)
  if (spec.minAnswered >= k) parts.push('Scored only when every item is answered.')
  else if (spec.method === 'mean') parts.push(`Scored when at least ${spec.minAnswered} of ${k} items are answered, as the mean of those answered.`)
  else if (spec.prorate) parts.push(`Scored when at least ${spec.minAnswered} of ${k} items are answered; with items missing the sum is prorated (sum × ${k} / answered, not rounded).`)
  parts.push(spec.direction === 'higher-is-worse' ? 'Higher is worse.' : 'Higher is better.')
  if (spec.bands.length > 0) parts.push(`Bands (lower bounds): ${spec.bands.map((b) => `${b.min} ${plainText(b.label)}`).join('; ')}.`)
  parts.push(`Missing items: ${spec.missingRule}`)
  return parts.join(' ')
}

const statusLabel =
  "The participant's status when exported. Invited: has not agreed to take part. Consented: has not begun a questionnaire. " +
  'Active: has begun answering, or has answers imported. Withdrawn: answers are here only if the participant chose to keep them.'

const participantStatusLabels: ValueLabel[] = [
  { value: 'invited', label: 'Invited' },
  { value: 'consented', label: 'Consented' },
  { value: 'active', label: 'Active' },
  { value: 'withdrawn', label: 'Withdrawn' },
]

/**
 * Work out the columns of wide.csv: the fixed ones, demographics, then each wave's instruments, each
 * with its items and its scale scores. An instrument's items are those of every version the cohort
 * answered it in (newest first), or of the loaded version when nobody has answered it yet.
 */
async function loadContext(deps: Deps, cohort: Cohort, study: Study, exportedAt: string): Promise<ExportContext> {
  const [waves, versions] = await Promise.all([listWaves(deps.db, cohort.id), listResponseVersions(deps.db, cohort.id)])
  // The study's own versions of its forms (added choices), so their answers get their labels.
  await loadStudyForms(deps, deps.db, study.id)
  const demographics = await studyDemographicsForm(deps, deps.db, study)

  const instrumentOrder = new Map<Slot, string[]>()
  const add = (slot: Slot, id: string) => {
    const list = instrumentOrder.get(slot) ?? []
    if (!list.includes(id)) list.push(id)
    instrumentOrder.set(slot, list)
  }
  add('enrolment', study.demographicsInstrument)
  for (const kind of waveOrder) for (const id of waves.find((w) => w.kind === kind)?.instruments ?? []) add(kind, id)
  // A form answered and later dropped from its wave is still exported.
  for (const v of versions) add(v.waveKind ?? 'enrolment', v.instrumentId)

  /** Columns in order, each with its variable name before collisions are resolved. */
  const bases: (Omit<WideColumn, 'variable'> & { base: string })[] = []
  /** Where each scale score column is, to pair pre with post for the R script. */
  const scaleColumns: { kind: WaveKind; instrumentId: string; scale: string; index: number }[] = []
  const fixed = (base: string, label: string, type: ColumnType, value: WideColumn['value'], valueLabels: ValueLabel[] = []) =>
    bases.push({ base, label, type, valueLabels, instrument: '', version: '', scoringRule: '', value, factor: type === 'categorical' })
  fixed('participant', 'Participant code (pseudonymous: the only identifier exported)', 'string', (r) => r.participant.code)
  fixed('status', statusLabel, 'categorical', (r) => r.participant.status, participantStatusLabels)
  fixed('sessions_attended', 'Group sessions attended', 'integer', (r) => String(r.attended))

  for (const slot of slotOrder) {
    for (const instrumentId of instrumentOrder.get(slot) ?? []) {
      const seen = versions
        .filter((v) => (v.waveKind ?? 'enrolment') === slot && v.instrumentId === instrumentId)
        .map((v) => v.instrumentVersion)
        .sort(compareVersions)
      const asked = slot === 'enrolment' && instrumentId === demographics.id ? demographics : deps.instruments.get(instrumentId)
      const loaded = (seen.length > 0 ? [...seen].reverse().map((v) => deps.instruments.get(instrumentId, v)) : [asked]).filter(
        (i): i is Instrument => i !== undefined,
      )
      // An instrument whose file is no longer loaded has no known items: its answers are still in answers_long.csv.
      if (loaded.length === 0) continue
      const version = seen.length > 0 ? seen.join('; ') : loaded[0]!.version
      const where = slot === 'enrolment' ? '' : `${slot}: `
      const answer = (key: string) => (r: ParticipantRecord) => formatAnswer(r.byForm.get(formKey(slot, instrumentId))?.answers[key]) ?? ''

      const scales: ScaleSpec[] = []
      for (const instrument of loaded) {
        if (instrument.kind !== 'questionnaire') continue
        for (const spec of instrument.scoring.scales) if (!scales.some((s) => s.id === spec.id)) scales.push(spec)
      }
      const scoredIn = (item: string) =>
        scales
          .filter((s) => s.items.includes(item))
          .map((s) => `${s.id}${s.reverse.includes(item) ? ' (reversed)' : ''}`)
          .join(', ')

      const items = new Set<string>()
      for (const instrument of loaded) {
        for (const q of instrument.questions) {
          if (items.has(q.name)) continue
          items.add(q.name)
          const text = questionTexts(instrument).get(q.name) ?? { title: q.name, valueLabels: [] }
          const scored = scoredIn(q.name)
          bases.push({
            base: itemVariable(slot, instrumentId, q.name),
            label: `${where}${text.title}`,
            type: typeOf(q),
            valueLabels: text.valueLabels,
            instrument: instrumentId,
            version,
            scoringRule: scored ? `Item of ${scored}` : '',
            value: answer(q.name),
            factor: slot === 'enrolment' && q.kind === 'choice',
          })
          if ((q.kind === 'choice' || q.kind === 'choices') && q.otherComment) {
            // The free text given with the "other" choice: `sex_other`, beside `sex`.
            items.add(`${q.name}-Comment`)
            bases.push({
              base: itemVariable(slot, instrumentId, `${q.name}_other`),
              label: `${where}${text.title}: ${text.otherText ?? 'Other'} (free text)`,
              type: 'text',
              valueLabels: [],
              instrument: instrumentId,
              version,
              scoringRule: '',
              value: answer(`${q.name}-Comment`),
              factor: false,
            })
          }
        }
      }

      if (slot === 'enrolment') continue
      for (const spec of scales) {
        const rules = [...new Set(loaded.flatMap((i) => (i.kind === 'questionnaire' ? i.scoring.scales.filter((s) => s.id === spec.id).map((s) => `${i.version}: ${scoringRule(s)}`) : [])))]
        scaleColumns.push({ kind: slot, instrumentId, scale: spec.id, index: bases.length })
        bases.push({
          base: scaleVariable(slot, instrumentId, spec.id),
          label: `${where}${plainText(spec.label)} (${instrumentId})`,
          type: 'numeric',
          valueLabels: [],
          instrument: instrumentId,
          version,
          // One version: its rule. Versions that score differently: each rule, with its version.
          scoringRule: rules.length === 1 ? rules[0]!.replace(/^[^:]+: /, '') : rules.join(' | '),
          value: (r) => formatNumber(r.byForm.get(formKey(slot, instrumentId))?.scores.find((s) => s.scale === spec.id)?.score),
          factor: false,
        })
      }
    }
  }

  const names = uniqueVariableNames(bases.map((c) => c.base))
  const columns: WideColumn[] = bases.map(({ base: _base, ...c }, i) => ({ ...c, variable: names[i]! }))

  const paired: PairedScale[] = []
  for (const pre of scaleColumns.filter((s) => s.kind === 'pre')) {
    const post = scaleColumns.find((s) => s.kind === 'post' && s.instrumentId === pre.instrumentId && s.scale === pre.scale)
    if (!post) continue
    paired.push({
      scale: clean(`${compactId(pre.instrumentId)}_${pre.scale}`),
      label: columns[pre.index]!.label.replace(/^pre: /, ''),
      pre: columns[pre.index]!.variable,
      post: columns[post.index]!.variable,
    })
  }
  return { cohort, study, exportedAt, instrumentOrder, columns, paired, waveDates: new Map(waves.map((w) => [w.id, { opensAt: w.opensAt, closesAt: w.closesAt }])) }
}

// ---- Reading participants a page at a time -------------------------------------------------------

/**
 * Every participant of the cohort in code order (P2 before P10), each with their completed responses.
 * The participant list itself (codes and statuses) is read whole; responses a page at a time, without
 * their answers or without their scores where the file needs only the other (`read`).
 */
async function* participantRecords(deps: Deps, context: ExportContext, read: { withoutAnswers?: boolean; withoutScores?: boolean } = {}): AsyncGenerator<ParticipantRecord> {
  const [participants, attendance] = await Promise.all([listParticipants(deps.db, context.cohort.id), countAttendance(deps.db, context.cohort.id)])
  // Enrolment, pre, post, follow-up; within each, the instruments in the order they were asked.
  const slotIndex = (r: ExportResponse) => slotOrder.indexOf(r.waveKind ?? 'enrolment')
  const instrumentIndex = (r: ExportResponse) => {
    const order = context.instrumentOrder.get(r.waveKind ?? 'enrolment') ?? []
    return order.includes(r.instrumentId) ? order.indexOf(r.instrumentId) : order.length
  }
  for (let start = 0; start < participants.length; start += pageSize) {
    const page = participants.slice(start, start + pageSize)
    const byParticipant = new Map<string, ExportResponse[]>()
    const responses = await listCompletedResponses(deps.db, { participantIds: page.map((p) => p.id), ...read })
    for (const r of responses) {
      const list = byParticipant.get(r.participantId)
      if (list) list.push(r)
      else byParticipant.set(r.participantId, [r])
    }
    for (const participant of page) {
      const own = (byParticipant.get(participant.id) ?? []).sort(
        (a, b) => slotIndex(a) - slotIndex(b) || instrumentIndex(a) - instrumentIndex(b) || a.instrumentId.localeCompare(b.instrumentId),
      )
      const byForm = new Map<string, ExportResponse>()
      for (const r of own) {
        const key = formKey(r.waveKind ?? 'enrolment', r.instrumentId)
        if (!byForm.has(key)) byForm.set(key, r)
      }
      yield { participant, attended: attendance.get(participant.id) ?? 0, responses: own, byForm }
    }
  }
}

// ---- The files -----------------------------------------------------------------------------------

/** An instrument's answer keys in the form's order, each "other" text after its question, and as a set. */
type FormKeys = { keys: string[]; known: Set<string> }

/** The keys of an answer set in the form's order, each "other" text after its question, then any others. */
function answerKeys(form: FormKeys, answers: Record<string, unknown>): string[] {
  const present = form.keys.filter((k) => k in answers)
  for (const k of Object.keys(answers)) if (!form.known.has(k)) present.push(k)
  return present
}

function formKeysOf(instrument: Instrument | undefined): FormKeys {
  const keys: string[] = []
  for (const q of instrument?.questions ?? []) keys.push(q.name, `${q.name}-Comment`)
  return { keys, known: new Set(keys) }
}

async function* answersLong(deps: Deps, context: ExportContext): AsyncGenerator<string> {
  yield csvRows([['participant', 'wave', 'instrument', 'item', 'value']])
  // Each instrument version's keys worked out once, not once per response.
  const formKeys = new Map<Instrument | undefined, FormKeys>()
  for await (const record of participantRecords(deps, context, { withoutScores: true })) {
    const rows: string[][] = []
    for (const response of record.responses) {
      const instrument = deps.instruments.get(response.instrumentId, response.instrumentVersion)
      let form = formKeys.get(instrument)
      if (!form) formKeys.set(instrument, (form = formKeysOf(instrument)))
      for (const key of answerKeys(form, response.answers)) {
        const value = formatAnswer(response.answers[key])
        if (value !== undefined) rows.push([record.participant.code, response.waveKind ?? 'enrolment', response.instrumentId, key, value])
      }
    }
    if (rows.length > 0) yield csvRows(rows)
  }
}

async function* scoresLong(deps: Deps, context: ExportContext): AsyncGenerator<string> {
  yield csvRows([['participant', 'wave', 'instrument', 'version', 'scale', 'score', 'band', 'prorated', 'completed_at', 'source', 'in_wave']])
  for await (const record of participantRecords(deps, context, { withoutAnswers: true })) {
    const rows: string[][] = []
    for (const response of record.responses) {
      if (response.waveKind === null) continue
      const specs = deps.instruments.questionnaire(response.instrumentId, response.instrumentVersion)?.scoring.scales ?? []
      const timing = [response.completedAt ?? '', response.source, inWave(response, context.waveDates)]
      const order = (scale: string) => {
        const i = specs.findIndex((s) => s.id === scale)
        return i === -1 ? specs.length : i
      }
      for (const s of [...response.scores].sort((a, b) => order(a.scale) - order(b.scale) || a.scale.localeCompare(b.scale))) {
        const band = s.bandIndex === null ? undefined : specs.find((spec) => spec.id === s.scale)?.bands[s.bandIndex]
        rows.push([
          record.participant.code,
          response.waveKind,
          response.instrumentId,
          response.instrumentVersion,
          s.scale,
          formatNumber(s.score),
          band ? plainText(band.label) : '',
          s.prorated ? '1' : '0',
          ...timing,
        ])
      }
    }
    if (rows.length > 0) yield csvRows(rows)
  }
}

/**
 * scores_long.csv's in_wave: '1' when a questionnaire answered at the link was submitted within its
 * wave's dates ([opensAt, closesAt)); '0' outside them: after the close, every answer given while it
 * was open and arriving within the grace (journey.ts, openSlot), or the dates changed since; '' when it
 * was not answered at the link (imported: its completed_at is when it was imported, not answered).
 */
function inWave(response: Pick<ExportResponse, 'source' | 'completedAt' | 'waveId'>, waveDates: ExportContext['waveDates']): string {
  const dates = response.waveId === null ? undefined : waveDates.get(response.waveId)
  if (response.source !== 'link' || response.completedAt === null || !dates) return ''
  return waveState(dates, new Date(response.completedAt)) === 'open' ? '1' : '0'
}

async function* wide(deps: Deps, context: ExportContext): AsyncGenerator<string> {
  yield csvRows([context.columns.map((c) => c.variable)])
  for await (const record of participantRecords(deps, context)) yield csvRows([context.columns.map((c) => c.value(record))])
}

const waveLabels: ValueLabel[] = [
  { value: 'pre', label: 'Pre' },
  { value: 'post', label: 'Post' },
  { value: 'follow-up', label: 'Follow-up' },
]

/** The columns of the two long files, for the dictionary and value_labels.csv. */
const longColumns: { file: ExportFileName; variable: string; label: string; type: ColumnType; valueLabels?: ValueLabel[] }[] = [
  { file: 'answers_long.csv', variable: 'participant', label: 'Participant code', type: 'string' },
  { file: 'answers_long.csv', variable: 'wave', label: 'Wave the answer was given in; enrolment for forms asked once', type: 'categorical', valueLabels: [{ value: 'enrolment', label: 'Asked once' }, ...waveLabels] },
  { file: 'answers_long.csv', variable: 'instrument', label: 'Instrument id', type: 'string' },
  { file: 'answers_long.csv', variable: 'item', label: "Question name in the instrument file; <name>-Comment is the free text of an 'other' choice", type: 'string' },
  {
    file: 'answers_long.csv',
    variable: 'value',
    label: 'The answer as stored, written as in wide.csv: its values are those of the item\'s variable in value_labels.csv; several choices are separated by ";"; yes/no is TRUE or FALSE',
    type: 'text',
  },
  { file: 'scores_long.csv', variable: 'participant', label: 'Participant code', type: 'string' },
  { file: 'scores_long.csv', variable: 'wave', label: 'Wave', type: 'categorical', valueLabels: waveLabels },
  { file: 'scores_long.csv', variable: 'instrument', label: 'Instrument id', type: 'string' },
  { file: 'scores_long.csv', variable: 'version', label: 'Instrument version the questionnaire was answered and scored in', type: 'string' },
  { file: 'scores_long.csv', variable: 'scale', label: 'Scale id (see the scoring rule of <wave>_<instrument>_<scale> in wide.csv)', type: 'string' },
  { file: 'scores_long.csv', variable: 'score', label: 'Scale score, computed by the server from the stored answers; empty when too few items were answered', type: 'numeric' },
  { file: 'scores_long.csv', variable: 'band', label: "The score's band (severity category) from the instrument file", type: 'categorical' },
  {
    file: 'scores_long.csv',
    variable: 'prorated',
    label: 'Whether the sum was prorated for missing items',
    type: 'integer',
    valueLabels: [
      { value: 0, label: 'No' },
      { value: 1, label: 'Yes' },
    ],
  },
  { file: 'scores_long.csv', variable: 'completed_at', label: 'When the questionnaire was submitted (ISO 8601, UTC); for an imported one, when it was imported', type: 'string' },
  {
    file: 'scores_long.csv',
    variable: 'source',
    label: 'How the answers came in',
    type: 'categorical',
    valueLabels: [
      { value: 'link', label: "Answered at the participant's link" },
      { value: 'import', label: 'Imported by the research team' },
      { value: 'demo', label: 'Demonstration data, not real' },
    ],
  },
  {
    file: 'scores_long.csv',
    variable: 'in_wave',
    label: "Whether a questionnaire answered at the link was submitted within its wave's dates; 0: outside them (sent from the device after the close, every answer given while it was open; or the dates were changed later); empty when not answered at the link (imported or demonstration data)",
    type: 'integer',
    valueLabels: [
      { value: 0, label: "Outside the wave's dates" },
      { value: 1, label: "Within the wave's dates" },
    ],
  },
]

async function* dictionary(context: ExportContext): AsyncGenerator<string> {
  yield csvRows([
    ['variable', 'file', 'label', 'type', 'instrument', 'version', 'scoring_rule'],
    ...context.columns.map((c) => [c.variable, 'wide.csv', c.label, c.type, c.instrument, c.version, c.scoringRule]),
    ...longColumns.map((c) => [c.variable, c.file, c.label, c.type, '', '', '']),
  ])
}

/**
 * value_labels.csv: one line per value of each labelled column, in the order of the dictionary. A value
 * is written as the data file writes it (`formatValue`), through the same spreadsheet guard: a choice
 * "=cmd" is "'=cmd" here as in wide.csv, and -2 is -2 in both (plain numbers are never guarded). So
 * the value in this file equals the cell of a single-choice column byte for byte, as any CSV reader
 * reads both, and nobody has to know the guard to match them. Labels are guarded as every text cell.
 * This replaces dictionary.csv's old "value=label; value=label" column, which could not be parsed
 * when a label held "; " or "=" and was itself guarded when its first value was negative.
 */
async function* valueLabels(context: ExportContext): AsyncGenerator<string> {
  const rows: string[][] = [['variable', 'file', 'value', 'label']]
  for (const c of context.columns) for (const l of c.valueLabels) rows.push([c.variable, 'wide.csv', formatValue(l.value), l.label])
  for (const c of longColumns) for (const l of c.valueLabels ?? []) rows.push([c.variable, c.file, formatValue(l.value), l.label])
  yield csvRows(rows)
}

// ---- analysis.R ------------------------------------------------------------------------------------

/** An R string literal. Non-ASCII characters are escaped, so the script reads the same in any locale. */
export function rString(text: string): string {
  let out = '"'
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    // Other control characters (R refuses NUL) have no place in a label.
    else if (code < 0x20 || code === 0x7f) out += ' '
    else if (code > 0x7e) out += code > 0xffff ? `\\U{${code.toString(16)}}` : `\\u{${code.toString(16)}}`
    else out += ch
  }
  return `${out}"`
}

/**
 * Text safe inside an R comment. Study and cohort names are typed by staff: a line break in one would
 * end the comment and turn the rest of the name into code the researcher runs.
 */
export function rComment(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, ' ')
}

/**
 * A factor level of analysis.R: the value as read.csv reads its cell in wide.csv. A number stays a
 * number; text is the cell as written, spreadsheet guard included ("=cmd" is the cell "'=cmd").
 */
function rLevel(value: ValueLabel['value']): string {
  return typeof value === 'number' ? String(value) : rString(neutraliseCell(formatValue(value)))
}

/** An R character or numeric vector of literals; an empty one is still a character vector. */
const rVector = (values: string[]) => (values.length === 0 ? 'character(0)' : `c(${values.join(', ')})`)

/**
 * The R script: base R only, written for this cohort's variables. It prints, for every scale scored at
 * both pre and post, the paired t-test and Wilcoxon signed-rank test of post − pre on the complete
 * pairs, as the cohort report computes them.
 */
function analysisScript(context: ExportContext): string {
  const { study, cohort } = context
  const slugged = `${exportSlug(cohort)}_wide.csv`
  const factors = context.columns.filter((c) => c.factor && c.valueLabels.length > 0)
  const lines: string[] = [
    '# analysis.R: the pre/post analysis of one Balint group, written by Balint Outcomes for this export.',
    '#',
    `# Study:    ${rComment(study.name)}`,
    `# Cohort:   ${rComment(cohort.name)} (id ${cohort.id})`,
    `# Exported: ${context.exportedAt}`,
    '#',
    "# The script was generated for this cohort's variables when it was exported, and needs base R only.",
    '# Run it in the folder that holds wide.csv:',
    '#',
    '#   Rscript analysis.R',
    '#',
    '# It reproduces the paired tests of the cohort report: for every scale scored at both pre and post, a',
    '# paired t-test and a Wilcoxon signed-rank test of post - pre, on the participants with both scores.',
    '# dictionary.csv says what every variable means and how each score was computed; value_labels.csv',
    '# gives the label of every value of a labelled variable.',
    '',
    '# 1. Read the data: one row per participant, identified by a pseudonymous code only.',
    '#    The command line writes wide.csv; the web app names its download after the cohort.',
    '#    wide.csv is UTF-8, with or without the byte-order mark of the "for Excel" download: it is read as',
    '#    UTF-8 in any locale, Persian text included (fileEncoding = "UTF-8-BOM" would convert it to the',
    '#    locale\'s encoding and lose it under LC_ALL=C), and the mark is taken off its first line.',
    '#    An empty cell is NA in every column; yes/no answers are TRUE/FALSE, read as logical. A text cell',
    '#    a spreadsheet would run as a formula starts with an apostrophe, in every file of the export alike.',
    `wide_file <- if (file.exists("wide.csv")) "wide.csv" else ${rString(slugged)}`,
    'wide_lines <- readLines(wide_file, encoding = "UTF-8", warn = FALSE)',
    'wide_lines[1] <- sub("^\\ufeff", "", wide_lines[1])',
    'wide <- read.csv(text = wide_lines, stringsAsFactors = FALSE, na.strings = c("", "NA"))',
    'rm(wide_lines)',
    'cat("Read", nrow(wide), "participants from", wide_file, "\\n\\n")',
    '',
    '# 2. Label the factors: the participant status and each demographic choice, with the texts the',
    "#    participants saw. A value outside the levels (there should be none) would become NA. A level is",
    "#    the value as wide.csv writes it: a text value a spreadsheet would run keeps its apostrophe.",
  ]
  for (const c of factors) {
    const levels = rVector(c.valueLabels.map((l) => rLevel(l.value)))
    const labels = rVector(c.valueLabels.map((l) => rString(l.label)))
    lines.push(`wide$${c.variable} <- factor(wide$${c.variable}, levels = ${levels}, labels = ${labels})  # ${rComment(c.label)}`)
  }
  lines.push(
    '',
    '# 3. The scales scored at both pre and post, with their variables in wide.csv.',
    'scales <- data.frame(',
    `  scale = ${rVector(context.paired.map((p) => rString(p.scale)))},`,
    `  label = ${rVector(context.paired.map((p) => rString(p.label)))},`,
    `  pre = ${rVector(context.paired.map((p) => rString(p.pre)))},`,
    `  post = ${rVector(context.paired.map((p) => rString(p.post)))},`,
    '  stringsAsFactors = FALSE',
    ')',
    '',
    '# 4. Both tests on the complete pairs. A test that cannot be run (fewer than 2 pairs, differences',
    '#    all equal) gives NA, as the report gives no value. With ties or zero differences the report',
    '#    uses the normal approximation with continuity correction (zeros dropped, tie-corrected variance),',
    '#    and so does wilcox.test here, told so with exact = FALSE: R 4.6 changed its default there, below',
    '#    50 pairs, to an exact conditional test, and R up to 4.5 used the normal approximation. Without',
    '#    ties or zeros exact = NULL leaves R its default, the exact test below 50 pairs, as the report.',
    'paired_tests <- function(pre, post) {',
    '  complete <- !is.na(pre) & !is.na(post)',
    '  pre <- pre[complete]',
    '  post <- post[complete]',
    '  d <- post - pre',
    '  exact <- if (any(d == 0) || anyDuplicated(abs(d[d != 0])) > 0) FALSE else NULL',
    '  row <- data.frame(n = length(pre), mean_change = if (length(pre) > 0) mean(d) else NA_real_,',
    '                    t = NA_real_, df = NA_real_, p = NA_real_, V = NA_real_, p_wilcoxon = NA_real_)',
    '  t_test <- tryCatch(t.test(post, pre, paired = TRUE), error = function(e) NULL)',
    '  if (!is.null(t_test)) {',
    '    row$t <- unname(t_test$statistic)',
    '    row$df <- unname(t_test$parameter)',
    '    row$p <- t_test$p.value',
    '  }',
    '  wilcoxon <- tryCatch(suppressWarnings(wilcox.test(post, pre, paired = TRUE, exact = exact)), error = function(e) NULL)',
    '  if (!is.null(wilcoxon)) {',
    '    row$V <- unname(wilcoxon$statistic)',
    '    row$p_wilcoxon <- wilcoxon$p.value',
    '  }',
    '  row',
    '}',
    '',
    '# 5. One line per scale: n pairs, mean change (post - pre), t, df, p, Wilcoxon V and its p.',
    'if (nrow(scales) == 0) {',
    '  cat("No scale was scored at both pre and post.\\n")',
    '} else {',
    '  results <- do.call(rbind, lapply(seq_len(nrow(scales)), function(i) {',
    '    cbind(data.frame(scale = scales$scale[i], stringsAsFactors = FALSE),',
    '          paired_tests(as.numeric(wide[[scales$pre[i]]]), as.numeric(wide[[scales$post[i]]])))',
    '  }))',
    '  options(width = 200)',
    '  cat("Paired tests, post - pre, complete pairs only\\n")',
    '  print(results, digits = 10, row.names = FALSE)',
    '  cat("\\nScales:\\n")',
    '  cat(paste0("  ", scales$scale, ": ", scales$label, ", from ", scales$pre, " and ", scales$post), sep = "\\n")',
    '}',
    '',
  )
  return lines.join('\n')
}

// ---- Listing the files ---------------------------------------------------------------------------

/**
 * The cohort's name as a file-name prefix: lower-case ASCII letters, digits and dashes. A name with
 * none of those (a name in Persian, say) gives `cohort-<id>`.
 *
 * @example
 * exportSlug({ id: 'abc', name: 'Group A — Tehran 2026' }) // 'group-a-tehran-2026'
 */
export function exportSlug(cohort: Pick<Cohort, 'id' | 'name'>): string {
  const slug = cohort.name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '')
  return slug || `cohort-${cohort.id}`
}

/**
 * The six exports of a cohort. Nothing is read until a file's generator is iterated; the layout of
 * wide.csv is worked out once, for whichever files ask for it first.
 *
 * @example
 * for (const file of await exportFiles(deps, cohortId)) {
 *   for await (const chunk of file.generate()) process.stdout.write(chunk)
 * }
 */
export async function exportFiles(deps: Deps, cohortId: string): Promise<ExportFile[]> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', `There is no cohort "${cohortId}".`)
  const study = (await findStudy(deps.db, cohort.studyId))!
  const exportedAt = deps.now().toISOString()
  let context: Promise<ExportContext> | undefined
  const load = () => (context ??= loadContext(deps, cohort, study, exportedAt))
  const csv = 'text/csv; charset=utf-8'
  return [
    { name: 'answers_long.csv', contentType: csv, generate: async function* () { yield* answersLong(deps, await load()) } },
    { name: 'scores_long.csv', contentType: csv, generate: async function* () { yield* scoresLong(deps, await load()) } },
    { name: 'wide.csv', contentType: csv, generate: async function* () { yield* wide(deps, await load()) } },
    { name: 'dictionary.csv', contentType: csv, generate: async function* () { yield* dictionary(await load()) } },
    { name: 'value_labels.csv', contentType: csv, generate: async function* () { yield* valueLabels(await load()) } },
    { name: 'analysis.R', contentType: 'text/plain; charset=utf-8', generate: async function* () { yield analysisScript(await load()) } },
  ]
}

/** Audit a download from the web app: who, when, which file. Never the data. */
export async function recordExportDownload(deps: Deps, cohortId: string, file: ExportFileName, actor: string): Promise<void> {
  await insertAudit(deps.db, { actor, action: 'export.download', entity: 'cohort', entityId: cohortId, details: { file } }, deps.now())
}

/** Audit an export written to a folder by the command line. */
export async function recordExportWrite(deps: Deps, cohortId: string, files: ExportFileName[], folder: string, actor: string): Promise<void> {
  await insertAudit(deps.db, { actor, action: 'export.write', entity: 'cohort', entityId: cohortId, details: { files, folder } }, deps.now())
}
