/**
 * Table 2 of a qualitative report (Sheikhoonesi et al. 2021, "Themes, categories, and codes related
 * to participants' experience"): theme, category and code with one illustrative meaning unit and
 * the code of the participant who said it, the researchers choosing which quotation. On screen
 * (JSON), as CSV and as Markdown. Beside it, how often each code was applied in each participant's
 * interview.
 */
import { stringifyCsv as stringify } from '../csv'
import type { Coding } from '../../db/repositories/codings'
import { findStudy } from '../../db/repositories/studies'
import { ApiError } from '../errors'
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

export type Table2Row = {
  theme: Named | null
  category: Named | null
  /** Null on the row of a theme or category that holds no code yet. */
  code: (Named & { description: string | null }) | null
  /** The chosen quotation; null while none is chosen (or after its participant withdrew it). */
  meaningUnit: (Omit<MeaningUnit, 'participantId'> & { participant: { id: string; label: string } }) | null
}

export type Table2 = {
  study: Named
  rows: Table2Row[]
  /** Codes in the table, and how many of them have a meaning unit. */
  codes: number
  withMeaningUnit: number
}

/**
 * Table 2's rows, in codebook order: one per code, with its category and theme, and its chosen
 * meaning unit if any. A theme or category with no code under it gets a row of its own, so that
 * nothing in the codebook is missing from the table.
 *
 * @example
 * table2Rows(codebook, meaningUnits, interviews)[0]
 * // => { theme: { id, name: 'Effects of Balint group' }, category: { …, name: 'Education' },
 * //      code: { …, name: 'Self-awareness' }, meaningUnit: { text: 'I learned how to talk…', participant: { label: 'P2' }, … } }
 */
export function table2Rows(codebook: Codebook, meaningUnits: Map<string, MeaningUnit>, interviews: AnalysedInterview[]): Table2Row[] {
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
      if (!hasCodes) rows.push({ theme: named(codebook.theme(node)), category: named(codebook.category(node)), code: null, meaningUnit: null })
      continue
    }
    const unit = meaningUnits.get(node.id)
    rows.push({
      theme: named(codebook.theme(node)),
      category: named(codebook.category(node)),
      code: { id: node.id, name: node.name, description: node.description },
      meaningUnit: unit
        ? {
            codingId: unit.codingId,
            transcriptId: unit.transcriptId,
            text: unit.text,
            chosenBy: unit.chosenBy,
            chosenAt: unit.chosenAt,
            memberCheck: unit.memberCheck,
            participant: { id: unit.participantId, label: labels.get(unit.participantId) ?? '?' },
          }
        : null,
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
  return { study: { id: study.id, name: study.name }, rows, codes: codeRows.length, withMeaningUnit: codeRows.filter((r) => r.meaningUnit).length }
}

/**
 * Table 2 as CSV, one line per row with theme and category repeated on every line (for a
 * spreadsheet or R): theme, category, code, meaning_unit, participant.
 */
export function table2Csv(table: Table2): string {
  return stringify([
    ['theme', 'category', 'code', 'meaning_unit', 'participant'],
    ...table.rows.map((r) => [r.theme?.name ?? '', r.category?.name ?? '', r.code?.name ?? '', r.meaningUnit?.text ?? '', r.meaningUnit?.participant.label ?? '']),
  ])
}

/** A table cell: pipes escaped, line breaks as spaces (a line break would end the Markdown row). */
function cell(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\|/g, '\\|').trim()
}

/**
 * Table 2 as Markdown, laid out as in the paper: a theme or category is written on the first row
 * it heads and left blank below, and each meaning unit ends with its participant's code, "… (P2)".
 */
export function table2Markdown(table: Table2): string {
  const dash = '–'
  const lines = [
    `# Table 2. Themes, categories and codes: ${cell(table.study.name)}`,
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
    const unit = row.meaningUnit ? `${cell(row.meaningUnit.text)} (${cell(row.meaningUnit.participant.label)})` : row.code ? dash : ''
    lines.push(`| ${newTheme ? cell(row.theme?.name ?? '') : ''} | ${newCategory ? cell(row.category?.name ?? '') : ''} | ${cell(row.code?.name ?? '')} | ${unit} |`)
  }
  lines.push('', `${table.withMeaningUnit} of ${table.codes} codes have a meaning unit; the participant who said it is given in brackets.`)
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
 * Codes × participants: how many codings of each code each participant's transcript has.
 *
 * @example
 * codeFrequencyTable(codebook, interviews, codings).rows[0]
 * // => { code: { name: 'Decrease of fear from patients' }, counts: [2, 0, 1], total: 3, participants: 2, … }
 */
export function codeFrequencyTable(codebook: Codebook, interviews: AnalysedInterview[], codings: Coding[]): Omit<CodeFrequencies, 'coder'> {
  const column = new Map(interviews.map((i, index) => [i.transcriptId, index]))
  const counts = new Map<string, number[]>()
  for (const coding of codings) {
    const index = column.get(coding.transcriptId)
    if (index === undefined) continue
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
  const [interviews, all] = await Promise.all([loadInterviews(deps, studyId), loadCodings(deps, studyId, codebook)])
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
