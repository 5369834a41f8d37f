/**
 * Table 2 of a qualitative report (Sheikhoonesi et al. 2021, "Themes, categories, and codes related
 * to participants' experience"): theme, category and code with its illustrative meaning units (one
 * or more, as the paper gives two for some codes), each with the code of the participant who said
 * it, the researchers choosing which quotations and in what order. On screen
 * (JSON), as CSV and as Markdown. Beside it, how often each code was applied in each participant's
 * interview.
 */
import { stringifyCsv as stringify } from '../formats/csv'
import type { Coding } from '../../db/repositories/codings'
import { findStudy } from '../../db/repositories/studies'
import { ApiError } from '../errors'
import { markdownCell } from '../formats/markdown'
import type { Deps } from '../deps'
import {
  loadCodebook,
  loadCodings,
  loadInterviews,
  loadMeaningUnits,
  loadMemberChecks,
  requireCoder,
  type AnalysedInterview,
  type Codebook,
  type MeaningUnit,
} from './data'

type Named = { id: string; name: string }

export type Table2MeaningUnit = Omit<MeaningUnit, 'participantId'> & { participant: { id: string; label: string } }

export type Table2Row = {
  theme: Named | null
  category: Named | null
  /** Null on the row of a theme or category that holds no code yet. */
  code: (Named & { description: string | null }) | null
  /** The chosen quotations in the researchers' order; empty while none is chosen (a withdrawn one is never here). */
  meaningUnits: Table2MeaningUnit[]
}

export type Table2 = {
  study: Named
  rows: Table2Row[]
  /** Codes in the table, how many of them have at least one meaning unit, and the meaning units in all. */
  codes: number
  withMeaningUnit: number
  meaningUnits: number
}

/**
 * Table 2's rows, in codebook order: one per code, with its category and theme, and its chosen
 * meaning units in order. A theme or category with no code under it gets a row of its own, so that
 * nothing in the codebook is missing from the table.
 *
 * @example
 * table2Rows(codebook, meaningUnits, interviews)[0]
 * // => { theme: { id, name: 'Effects of Balint group' }, category: { …, name: 'Education' },
 * //      code: { …, name: 'Self-awareness' }, meaningUnits: [{ text: 'I learned how to talk…', participant: { label: 'P2' }, … }] }
 */
export function table2Rows(codebook: Codebook, meaningUnits: Map<string, MeaningUnit[]>, interviews: AnalysedInterview[]): Table2Row[] {
  const labels = new Map(interviews.map((i) => [i.participantId, i.label]))
  const named = (code: { id: string; name: string } | null): Named | null => (code ? { id: code.id, name: code.name } : null)
  const holdsCode = new Set<string>()
  for (const node of codebook.nodes) {
    if (node.level !== 'code') continue
    for (const above of [codebook.category(node), codebook.theme(node)]) if (above) holdsCode.add(above.id)
  }
  const rows: Table2Row[] = []
  for (const node of codebook.nodes) {
    if (node.level !== 'code') {
      // A category under a theme: the theme has a code through it only if the category has one.
      const hasCodes = holdsCode.has(node.id) || (node.level === 'theme' && codebook.nodes.some((n) => n.level === 'category' && n.parentId === node.id))
      if (!hasCodes) rows.push({ theme: named(codebook.theme(node)), category: named(codebook.category(node)), code: null, meaningUnits: [] })
      continue
    }
    rows.push({
      theme: named(codebook.theme(node)),
      category: named(codebook.category(node)),
      code: { id: node.id, name: node.name, description: node.description },
      meaningUnits: (meaningUnits.get(node.id) ?? []).map((unit) => ({
        codingId: unit.codingId,
        transcriptId: unit.transcriptId,
        text: unit.text,
        chosenBy: unit.chosenBy,
        chosenAt: unit.chosenAt,
        memberCheck: unit.memberCheck,
        participant: { id: unit.participantId, label: labels.get(unit.participantId) ?? '?' },
      })),
    })
  }
  return rows
}

/** The study's Table 2. */
export async function studyTable2(deps: Deps, studyId: string): Promise<Table2> {
  const study = await findStudy(deps.db, studyId)
  if (!study) throw new ApiError('not_found', 'No such study.')
  const [codebook, interviews, checks] = await Promise.all([loadCodebook(deps, studyId), loadInterviews(deps, studyId), loadMemberChecks(deps, studyId)])
  const rows = table2Rows(codebook, await loadMeaningUnits(deps, studyId, codebook, checks), interviews)
  const codeRows = rows.filter((r) => r.code !== null)
  return {
    study: { id: study.id, name: study.name },
    rows,
    codes: codeRows.length,
    withMeaningUnit: codeRows.filter((r) => r.meaningUnits.length > 0).length,
    meaningUnits: codeRows.reduce((sum, r) => sum + r.meaningUnits.length, 0),
  }
}

/**
 * Table 2 as CSV, one line per meaning unit (a code with none, or a theme or category with no code,
 * gets one line with the last two columns empty), theme, category and code repeated on every line
 * (for a spreadsheet or R): theme, category, code, meaning_unit, participant. A code's meaning units
 * follow each other in the researchers' order.
 */
export function table2Csv(table: Table2): string {
  return stringify([
    ['theme', 'category', 'code', 'meaning_unit', 'participant'],
    ...table.rows.flatMap((r) => {
      const head = [r.theme?.name ?? '', r.category?.name ?? '', r.code?.name ?? '']
      if (r.meaningUnits.length === 0) return [[...head, '', '']]
      return r.meaningUnits.map((unit) => [...head, unit.text, unit.participant.label])
    }),
  ])
}

/**
 * Table 2 as Markdown, laid out as in the paper: a theme or category is written on the first row
 * it heads and left blank below, and each meaning unit ends with its participant's code, "… (P2)";
 * a code's several meaning units share its cell, one after the other, as in the paper.
 */
export function table2Markdown(table: Table2): string {
  const dash = '–'
  const lines = [
    `# Table 2. Themes, categories and codes: ${markdownCell(table.study.name)}`,
    '',
    '| Theme | Category | Code | Meaning unit |',
    '| --- | --- | --- | --- |',
  ]
  let theme: string | null | undefined
  let category: string | null | undefined
  for (const row of table.rows) {
    const themeId = row.theme?.id ?? null
    const categoryId = row.category?.id ?? null
    const newTheme = themeId !== theme
    const newCategory = newTheme || categoryId !== category
    theme = themeId
    category = categoryId
    const units = row.meaningUnits.map((unit) => `${markdownCell(unit.text)} (${markdownCell(unit.participant.label)})`).join(' ')
    const unit = units !== '' ? units : row.code ? dash : ''
    lines.push(`| ${newTheme ? markdownCell(row.theme?.name ?? '') : ''} | ${newCategory ? markdownCell(row.category?.name ?? '') : ''} | ${markdownCell(row.code?.name ?? '')} | ${unit} |`)
  }
  lines.push('', `${table.withMeaningUnit} of ${table.codes} codes have a meaning unit (${table.meaningUnits} meaning units in all); the participant who said each is given in brackets.`)
  return `${lines.join('\n')}\n`
}

// ---------------------------------------------------------------------------------------------
// Code frequencies

export type CodeFrequencies = {
  /** Whose codings were counted: one coder, or null for every coder's. */
  coder: Named | null
  /** The columns: participants with a transcript, in interview order. */
  participants: { id: string; label: string }[]
  /** One row per code in codebook order; `counts[i]` belongs to `participants[i]`. */
  rows: { code: Named; category: Named | null; theme: Named | null; counts: number[]; total: number; participants: number }[]
}

/**
 * Codes × participants: how many passages of each participant's transcript are coded with each
 * code. A passage is a span (start, end) of a transcript: when both coders coded the same span
 * with the same code it counts once here (inter-coder agreement counts it per coder instead).
 *
 * @example
 * codeFrequencyTable(codebook, interviews, codings).rows[0]
 * // => { code: { name: 'Decrease of fear from patients' }, counts: [2, 0, 1], total: 3, participants: 2, … }
 */
export function codeFrequencyTable(codebook: Codebook, interviews: AnalysedInterview[], codings: Coding[]): Omit<CodeFrequencies, 'coder'> {
  const column = new Map(interviews.map((i, index) => [i.transcriptId, index]))
  const counts = new Map<string, number[]>()
  const seen = new Set<string>()
  for (const coding of codings) {
    const index = column.get(coding.transcriptId)
    if (index === undefined) continue
    const passage = `${coding.codeId}:${coding.transcriptId}:${coding.start}:${coding.end}`
    if (seen.has(passage)) continue
    seen.add(passage)
    const row = counts.get(coding.codeId) ?? new Array<number>(interviews.length).fill(0)
    row[index]!++
    counts.set(coding.codeId, row)
  }
  const named = (code: { id: string; name: string } | null): Named | null => (code ? { id: code.id, name: code.name } : null)
  return {
    participants: interviews.map((i) => ({ id: i.participantId, label: i.label })),
    rows: codebook.nodes
      .filter((node) => node.level === 'code')
      .map((node) => {
        const row = counts.get(node.id) ?? new Array<number>(interviews.length).fill(0)
        return {
          code: { id: node.id, name: node.name },
          category: named(codebook.category(node)),
          theme: named(codebook.theme(node)),
          counts: row,
          total: row.reduce((sum, n) => sum + n, 0),
          participants: row.filter((n) => n > 0).length,
        }
      }),
  }
}

/** The study's code frequencies by participant, of one coder or of all. */
export async function studyCodeFrequencies(deps: Deps, studyId: string, options: { coder?: string } = {}): Promise<CodeFrequencies> {
  const codebook = await loadCodebook(deps, studyId)
  // One coder's own set, or by default the consensus set where a transcript has one (loadCodings).
  const [interviews, all] = await Promise.all([loadInterviews(deps, studyId), loadCodings(deps, studyId, codebook, { set: options.coder === undefined ? 'default' : 'coders' })])
  const coder = options.coder === undefined ? null : await requireCoder(deps, all, options.coder, 'coder')
  const codings = coder ? all.filter((c) => c.coderId === coder.id) : all
  return { coder, ...codeFrequencyTable(codebook, interviews, codings) }
}

/** Code frequencies as CSV: theme, category, code, one column per participant, total, participants. */
export function codeFrequenciesCsv(table: CodeFrequencies): string {
  return stringify([
    ['theme', 'category', 'code', ...table.participants.map((p) => p.label), 'total', 'participants'],
    ...table.rows.map((r) => [r.theme?.name ?? '', r.category?.name ?? '', r.code.name, ...r.counts, r.total, r.participants]),
  ])
}
