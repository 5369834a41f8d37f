/**
 * The mixed-methods joint display of a cohort: each participant's pre/post change and reliable-change
 * classification on one scale beside the codes of their interview and their quotations, and a matrix
 * of themes by change group — how many reliably improved participants speak of a theme, against how
 * many of those who did not improve.
 */
import { listParticipants } from '../../db/repositories/participants'
import { findCohort } from '../../db/repositories/studies'
import type { WaveKind } from '../../db/schema'
import { ApiError } from '../errors'
import type { ChangeClass } from '../../stats'
import type { Deps } from '../deps'
import { cohortReport, type ScaleReport } from '../outcomes/report'
import { loadCodebook, loadCodings, loadInterviews, loadMeaningUnits, loadMemberChecks, type Codebook } from './data'
import type { CodedSegment } from './types'
import { loadWithdrawnPassages, type WithdrawnPassages } from './withdrawn'
import { appendTo, groupBy } from '../collections'

type Named = { id: string; name: string }

/**
 * Change groups of the matrix: reliably improved (Jacobson & Truax's "recovered" or "improved")
 * against not (unchanged or deteriorated), and the participants without a classification (no
 * pre/post pair, or no reliable change index for the scale).
 */
export type ChangeGroup = 'improved' | 'not_improved' | 'no_pair'
export const changeGroups: readonly ChangeGroup[] = ['improved', 'not_improved', 'no_pair']
const groupLabels: Record<ChangeGroup, string> = {
  improved: 'Reliably improved (recovered or improved)',
  not_improved: 'Not improved (unchanged or deteriorated)',
  no_pair: 'No pre/post pair or no classification',
}

/**
 * @example
 * changeGroupOf('recovered') // => 'improved'
 * changeGroupOf('deteriorated') // => 'not_improved'
 * changeGroupOf(null) // => 'no_pair'
 */
export function changeGroupOf(classification: ChangeClass | null): ChangeGroup {
  if (classification === 'recovered' || classification === 'improved') return 'improved'
  if (classification === 'unchanged' || classification === 'deteriorated') return 'not_improved'
  return 'no_pair'
}

export type JointDisplayParticipant = {
  participant: { id: string; code: string }
  interviewed: boolean
  pre: number | null
  post: number | null
  change: number | null
  rci: number | null
  classification: ChangeClass | null
  group: ChangeGroup
  /** The codes of their interview grouped by theme (codebook order; codes without a theme last). */
  themes: { theme: Named | null; codes: { code: Named; category: Named | null; /** Passages coded (a span coded by both coders counts once), withdrawn ones included. */ codings: number; passages: { codingId: string; text: string }[] }[] }[]
  /** Their quotations chosen as meaning units of Table 2. */
  quotes: { code: Named; codingId: string; text: string }[]
}

export type JointDisplay = {
  cohort: { id: string; name: string }
  from: WaveKind
  to: WaveKind
  /** The scale shown; null when no scale was given at both waves. */
  scale: Pick<ScaleReport, 'instrument' | 'instrumentTitle' | 'scale' | 'label' | 'direction' | 'rci' | 'cutoff'> | null
  /** Every scale of the cohort that can be chosen instead. */
  scales: { instrument: string; scale: string; label: string }[]
  participants: JointDisplayParticipant[]
  matrix: {
    /** Group sizes: the interviewed participants in each group (the cells' denominators), and all participants. */
    groups: { group: ChangeGroup; label: string; interviewed: number; all: number }[]
    /** Per theme: how many interviewed participants of each group have at least one coding under it. */
    rows: { theme: Named | null; counts: Record<ChangeGroup, number> }[]
  }
}

const problem = (field: string, message: string) => new ApiError('validation_failed', `${field}: ${message}`, [{ field, message }])

/** The scale asked for, or the report's first; a name that is not among the report's scales is a 422 naming it. */
function chooseScale(scales: ScaleReport[], query: { instrument?: string; scale?: string }): ScaleReport | null {
  let candidates = scales
  if (query.instrument !== undefined) {
    candidates = scales.filter((s) => s.instrument === query.instrument)
    if (candidates.length === 0) throw problem('instrument', 'was not given at both waves in this cohort')
  }
  if (query.scale !== undefined) {
    const found = candidates.find((s) => s.scale === query.scale)
    if (!found) throw problem('scale', `is not a scale${query.instrument ? ` of ${query.instrument}` : ''} given at both waves in this cohort`)
    return found
  }
  return candidates[0] ?? null
}

const spanKey = (c: CodedSegment) => `${c.transcriptId}:${c.start}:${c.end}`

/**
 * One participant's codes by theme, with the passages coded. A passage its participant asked to be
 * withdrawn is counted, never shown: any coding overlapping its words (another coder's coding of the
 * same words, or a wider one) stays hidden too.
 */
function themesOf(codebook: Codebook, codings: CodedSegment[], withdrawn: WithdrawnPassages): JointDisplayParticipant['themes'] {
  const named = (code: { id: string; name: string } | null): Named | null => (code ? { id: code.id, name: code.name } : null)
  const order = new Map(codebook.nodes.map((n, i) => [n.id, i]))
  const byCode = groupBy(codings, (coding) => coding.codeId)
  const themes = new Map<string | null, JointDisplayParticipant['themes'][number]>()
  for (const codeId of [...byCode.keys()].sort((a, b) => order.get(a)! - order.get(b)!)) {
    const code = codebook.live(codeId)!
    const theme = codebook.theme(code)
    const key = theme?.id ?? null
    if (!themes.has(key)) themes.set(key, { theme: named(theme), codes: [] })
    const own = [...byCode.get(codeId)!].sort((x, y) => x.start - y.start || x.end - y.end)
    // Two coders coding the same passage show it once.
    const passages = new Map<string, { codingId: string; text: string }>()
    for (const c of own) if (!withdrawn.overlaps(c) && !passages.has(spanKey(c))) passages.set(spanKey(c), { codingId: c.id, text: c.text })
    // A passage coded by both coders is one passage: `codings` counts spans, not codings.
    themes.get(key)!.codes.push({ code: named(code)!, category: named(codebook.category(code)), codings: new Set(own.map(spanKey)).size, passages: [...passages.values()] })
  }
  return [...themes.values()].sort((a, b) => (a.theme ? order.get(a.theme.id)! : Infinity) - (b.theme ? order.get(b.theme.id)! : Infinity))
}

/**
 * The joint display of a cohort for one scale (by default the first scale given at both waves),
 * change from `from` to `to` as in the cohort report. Participants appear by code; those with
 * neither scores nor an interview are left out. The matrix counts interviewed participants only:
 * one not interviewed could not have spoken of any theme.
 *
 * @throws {ApiError} 422 naming `instrument` or `scale` when they are not among the cohort's scales
 */
export async function cohortJointDisplay(
  deps: Deps,
  cohortId: string,
  query: { instrument?: string; scale?: string; from?: WaveKind; to?: WaveKind } = {},
): Promise<JointDisplay> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  const report = await cohortReport(deps, cohort.id, { from: query.from ?? 'pre', to: query.to ?? 'post' })
  const scale = chooseScale(report.scales, query)

  const codebook = await loadCodebook(deps, cohort.studyId)
  const [participants, interviews, codings, checks] = await Promise.all([
    listParticipants(deps.db, cohort.id),
    loadInterviews(deps, cohort.studyId),
    loadCodings(deps, cohort.studyId, codebook),
    loadMemberChecks(deps, cohort.studyId),
  ])
  const units = await loadMeaningUnits(deps, cohort.studyId, codebook, checks)
  const withdrawn = await loadWithdrawnPassages(deps, { studyId: cohort.studyId })
  const transcriptOf = new Map(interviews.filter((i) => i.cohortId === cohort.id).map((i) => [i.participantId, i.transcriptId]))
  const codingsOf = groupBy(codings, (coding) => coding.transcriptId)
  // Each participant's Table 2 quotations, in the codes' order, grouped once (not every quotation scanned per participant).
  const quotesOf = new Map<string, JointDisplayParticipant['quotes']>()
  for (const [codeId, list] of units) {
    for (const unit of list) {
      const quote = { code: { id: codeId, name: codebook.live(codeId)!.name }, codingId: unit.codingId, text: unit.text }
      appendTo(quotesOf, unit.participantId, quote)
    }
  }
  const scoresOf = new Map(
    report.participants.flatMap((p) => {
      const s = scale && p.scales.find((x) => x.instrument === scale.instrument && x.scale === scale.scale)
      return s ? [[p.id, s] as const] : []
    }),
  )

  const rows: JointDisplayParticipant[] = []
  for (const p of [...participants].sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }))) {
    const transcriptId = transcriptOf.get(p.id)
    const s = scoresOf.get(p.id)
    if (!transcriptId && !s) continue
    const own = transcriptId ? (codingsOf.get(transcriptId) ?? []) : []
    rows.push({
      participant: { id: p.id, code: p.code },
      interviewed: transcriptId !== undefined,
      pre: s?.pre ?? null,
      post: s?.post ?? null,
      change: s?.change ?? null,
      rci: s?.rci ?? null,
      classification: s?.classification ?? null,
      group: changeGroupOf(s?.classification ?? null),
      themes: themesOf(codebook, own, withdrawn),
      quotes: quotesOf.get(p.id) ?? [],
    })
  }

  // The matrix: themes in codebook order, and a row for codes not yet under a theme when any were used.
  const themeIds: (string | null)[] = codebook.nodes.filter((n) => n.level === 'theme').map((n) => n.id)
  if (rows.some((r) => r.themes.some((t) => t.theme === null))) themeIds.push(null)
  const interviewed = rows.filter((r) => r.interviewed)
  const count = (themeId: string | null, group: ChangeGroup) =>
    interviewed.filter((r) => r.group === group && r.themes.some((t) => (t.theme?.id ?? null) === themeId)).length
  return {
    cohort: { id: cohort.id, name: cohort.name },
    from: report.from,
    to: report.to,
    scale: scale && { instrument: scale.instrument, instrumentTitle: scale.instrumentTitle, scale: scale.scale, label: scale.label, direction: scale.direction, rci: scale.rci, cutoff: scale.cutoff },
    scales: report.scales.map((s) => ({ instrument: s.instrument, scale: s.scale, label: s.label })),
    participants: rows,
    matrix: {
      groups: changeGroups.map((group) => ({ group, label: groupLabels[group], interviewed: interviewed.filter((r) => r.group === group).length, all: rows.filter((r) => r.group === group).length })),
      rows: themeIds.map((themeId) => {
        const theme = themeId === null ? null : codebook.live(themeId)!
        return { theme: theme && { id: theme.id, name: theme.name }, counts: Object.fromEntries(changeGroups.map((g) => [g, count(themeId, g)])) as Record<ChangeGroup, number> }
      }),
    },
  }
}
