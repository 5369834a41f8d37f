/**
 * The cohort report as text: CSV (one row per scale, for spreadsheets and R) and Markdown (for a
 * methods appendix or an e-mail). JSON is the report object itself.
 */
import { stringifyCsv as stringify } from '../formats/csv'
import { markdownInline } from '../formats/markdown'
import { formatPValue } from '../../contracts/p-value'
import type { CohortReport, ScaleReport } from './report'

/** Numbers as R prints them to 7 significant digits by default; missing as empty (CSV) or "–" (Markdown). */
function num(value: number | null | undefined, missing = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return missing
  return Number(value.toPrecision(7)).toString()
}

function pValue(p: number | null | undefined, missing = ''): string {
  if (p === null || p === undefined) return missing
  return formatPValue(p)
}

/** Why a reliable-change count is missing, if it cannot be assessed (rather than suppressed). */
export function notAssessable(s: ScaleReport, changeClass: keyof ScaleReport['reliableChange']): string | null {
  if (s.reliableChange[changeClass] !== null) return null
  const reason = s.unavailable[`reliableChange.${changeClass}`] ?? s.unavailable.reliableChange
  return reason?.startsWith('not assessable') ? reason : null
}

/**
 * A reliable-change count for the CSV: the number, "NA" (R's missing value, so read.csv still reads
 * a numeric column) where it cannot be assessed, with the reason in `notes`, empty where suppressed.
 */
function changeCount(s: ScaleReport, changeClass: keyof ScaleReport['reliableChange']): string | number {
  const count = s.reliableChange[changeClass]
  if (count !== null) return count
  return notAssessable(s, changeClass) ? 'NA' : ''
}

const csvColumns: [string, (s: ScaleReport) => unknown][] = [
  ['instrument', (s) => s.instrument],
  ['scale', (s) => s.scale],
  ['direction', (s) => s.direction],
  ['n', (s) => s.n],
  ['pre_mean', (s) => num(s.pre.mean)],
  ['pre_sd', (s) => num(s.pre.sd)],
  ['pre_median', (s) => num(s.pre.median)],
  ['pre_q1', (s) => num(s.pre.q1)],
  ['pre_q3', (s) => num(s.pre.q3)],
  ['post_mean', (s) => num(s.post.mean)],
  ['post_sd', (s) => num(s.post.sd)],
  ['post_median', (s) => num(s.post.median)],
  ['post_q1', (s) => num(s.post.q1)],
  ['post_q3', (s) => num(s.post.q3)],
  ['change_mean', (s) => num(s.change.mean)],
  ['change_sd', (s) => num(s.change.sd)],
  ['change_ci_lower', (s) => num(s.change.ci95?.[0])],
  ['change_ci_upper', (s) => num(s.change.ci95?.[1])],
  ['t', (s) => num(s.pairedT?.t)],
  ['df', (s) => num(s.pairedT?.df)],
  ['p_t', (s) => num(s.pairedT?.p)],
  ['p_holm', (s) => num(s.pHolm)],
  ['p_bh', (s) => num(s.pBH)],
  ['wilcoxon_V', (s) => num(s.wilcoxon?.V)],
  ['p_wilcoxon', (s) => num(s.wilcoxon?.p)],
  ['wilcoxon_method', (s) => s.wilcoxon?.method ?? ''],
  ['wilcoxon_zeros_dropped', (s) => s.wilcoxon?.zeros ?? ''],
  ['p_wilcoxon_holm', (s) => num(s.wilcoxonHolm)],
  ['p_wilcoxon_bh', (s) => num(s.wilcoxonBH)],
  ['family', (s) => s.multiplicity?.family ?? ''],
  ['family_m', (s) => s.multiplicity?.m ?? ''],
  ['dz', (s) => num(s.effectSize?.dz)],
  ['dz_ci_lower', (s) => num(s.effectSize?.dzCi95?.[0])],
  ['dz_ci_upper', (s) => num(s.effectSize?.dzCi95?.[1])],
  ['dav', (s) => num(s.effectSize?.dav)],
  ['gav', (s) => num(s.effectSize?.gav)],
  ['recovered', (s) => changeCount(s, 'recovered')],
  ['improved', (s) => changeCount(s, 'improved')],
  ['unchanged', (s) => changeCount(s, 'unchanged')],
  ['deteriorated', (s) => changeCount(s, 'deteriorated')],
  ['cutoff', (s) => num(s.cutoff?.value)],
  ['cutoff_criterion', (s) => s.cutoff?.criterion ?? ''],
  ['rci_sd', (s) => num(s.rci?.sd)],
  ['rci_reliability', (s) => num(s.rci?.reliability)],
  ['rci_basis', (s) => (s.rci ? `${s.rci.sdSource}; ${s.rci.reliabilitySource}` : '')],
  ['alpha_from', (s) => num(s.reliability.from?.alpha)],
  ['alpha_from_ci_lower', (s) => num(s.reliability.from?.ci95[0])],
  ['alpha_from_ci_upper', (s) => num(s.reliability.from?.ci95[1])],
  ['alpha_to', (s) => num(s.reliability.to?.alpha)],
  ['alpha_to_ci_lower', (s) => num(s.reliability.to?.ci95[0])],
  ['alpha_to_ci_upper', (s) => num(s.reliability.to?.ci95[1])],
  ['prorated_pre', (s) => s.prorated?.pre ?? ''],
  ['prorated_post', (s) => s.prorated?.post ?? ''],
  ['notes', (s) => Object.entries(s.unavailable).map(([k, v]) => `${k}: ${v}`).join('; ')],
  ['warnings', (s) => Object.entries(s.warnings ?? {}).map(([k, v]) => `${k}: ${v}`).join('; ')],
]

/** One row per scale. */
export function reportCsv(report: Pick<CohortReport, 'scales'>): string {
  return stringify([csvColumns.map(([name]) => name), ...report.scales.map((s) => csvColumns.map(([, get]) => get(s)))])
}

function table(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|')
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`)].join('\n')
}

/** A readable report: funnel, scale table, notes, and (when present) one row per participant. */
export function reportMarkdown(report: Omit<CohortReport, 'participants'> & { participants?: CohortReport['participants'] }): string {
  const dash = '–'
  const f = report.funnel
  const lines = [
    `# ${markdownInline(`${report.cohort.studyName}: ${report.cohort.name}`)}, ${report.from} → ${report.to}`,
    '',
    `Generated ${report.generatedAt}. Change is ${report.to} − ${report.from}.`,
    '',
    '## Participants',
    '',
    table(
      ['enrolled', 'consented', ...Object.keys(f.completed).map((k) => `completed ${k}`), 'paired', 'withdrawn'],
      [[String(f.enrolled), String(f.consented ?? dash), ...Object.values(f.completed).map((v) => String(v ?? dash)), String(f.paired ?? dash), String(f.withdrawn ?? dash)]],
    ),
    '',
    '## Scales',
    '',
    table(
      ['scale', 'n', 'pre M (SD)', 'post M (SD)', 'change [95% CI]', 't (df)', 'p', 'p Holm', 'Wilcoxon V, p', 'Wilcoxon p Holm', 'family', 'd_z [95% CI]', 'g_av', 'recovered / improved / unchanged / deteriorated'],
      report.scales.map((s) => [
        `${s.instrumentTitle}: ${s.label}`,
        String(s.n),
        s.pre.mean === null ? dash : `${num(s.pre.mean)} (${num(s.pre.sd, dash)})`,
        s.post.mean === null ? dash : `${num(s.post.mean)} (${num(s.post.sd, dash)})`,
        s.change.mean === null ? dash : `${num(s.change.mean)}${s.change.ci95 ? ` [${num(s.change.ci95[0])}, ${num(s.change.ci95[1])}]` : ''}`,
        s.pairedT ? `${num(s.pairedT.t)} (${s.pairedT.df})` : dash,
        pValue(s.pairedT?.p, dash),
        pValue(s.pHolm, dash),
        s.wilcoxon ? `${s.wilcoxon.V}, ${pValue(s.wilcoxon.p)} (${s.wilcoxon.method}${s.wilcoxon.zeros ? `; ${s.wilcoxon.zeros} zero difference${s.wilcoxon.zeros === 1 ? '' : 's'} dropped` : ''})` : dash,
        pValue(s.wilcoxonHolm, dash),
        s.multiplicity ? `${s.multiplicity.family}${s.multiplicity.m !== null ? ` (m = ${s.multiplicity.m})` : ''}` : dash,
        s.effectSize?.dz != null ? `${num(s.effectSize.dz)}${s.effectSize.dzCi95 ? ` [${num(s.effectSize.dzCi95[0])}, ${num(s.effectSize.dzCi95[1])}]` : ''}` : dash,
        num(s.effectSize?.gav, dash),
        (['recovered', 'improved', 'unchanged', 'deteriorated'] as const).map((k) => String(s.reliableChange[k] ?? (notAssessable(s, k) ? 'not assessable' : dash))).join(' / '),
      ]),
    ),
  ]
  const notes = report.scales.flatMap((s) => Object.entries(s.unavailable).map(([k, v]) => `- ${s.instrumentTitle}: ${s.label}, ${k}: ${v}`))
  const bases = report.scales.filter((s) => s.rci).map((s) => `- ${s.instrumentTitle}: ${s.label}: reliable change needs ${num(s.rci!.reliableChangePoints)} points (SD ${num(s.rci!.sd)}, ${s.rci!.sdSource}; r ${num(s.rci!.reliability)}, ${s.rci!.reliabilitySource})${s.cutoff ? `; cut-off ${s.cutoff.criterion} = ${num(s.cutoff.value)}` : ''}`)
  if (bases.length) lines.push('', '## Reliable change', '', ...bases)
  const alpha = (a: ScaleReport['reliability']['from']) => (a ? `${num(a.alpha)} [${num(a.ci95[0])}, ${num(a.ci95[1])}] (n = ${a.n}, k = ${a.k})` : dash)
  const reliabilityLines = [
    ...report.scales.map((s) => `- ${s.instrumentTitle}: ${s.label}: ${report.from} ${alpha(s.reliability.from)}; ${report.to} ${alpha(s.reliability.to)}`),
    ...(report.singleWaveReliability ?? []).map((r) => `- ${r.instrumentTitle}: ${r.label}: ${r.wave} ${alpha(r.alpha)}${r.alpha ? '' : ` (${r.reason ?? 'not computed'})`}`),
  ]
  if (reliabilityLines.length) lines.push('', "## Cronbach's α [95% CI, Feldt]", '', ...reliabilityLines)
  const prorated = report.scales.filter((s) => s.prorated && s.prorated.pre + s.prorated.post > 0).map((s) => `- ${s.instrumentTitle}: ${s.label}: ${s.prorated!.pre} ${report.from} and ${s.prorated!.post} ${report.to} scores prorated from fewer items (the instrument's missing-item rule)`)
  if (prorated.length) lines.push('', '## Prorated scores', '', ...prorated)
  const families = report.scales.filter((s) => s.multiplicity?.description).map((s) => `- ${s.instrumentTitle}: ${s.label}: ${s.multiplicity.description}`)
  if (families.length) lines.push('', '## Multiplicity', '', ...families)
  if (notes.length) lines.push('', '## Not computed', '', ...notes)
  const warnings = report.scales.flatMap((s) => Object.entries(s.warnings ?? {}).map(([k, v]) => `- ${s.instrumentTitle}: ${s.label}, ${k}: ${v}`))
  if (warnings.length) lines.push('', '## Read with care', '', ...warnings)
  if (report.participants?.length) {
    lines.push(
      '',
      '## Participants',
      '',
      table(
        ['code', 'sessions', 'scale', report.from, report.to, 'change', 'RCI', 'classification'],
        report.participants.flatMap((p) =>
          p.scales.map((s) => [p.code, String(p.attended), `${s.instrument} ${s.scale}`, `${num(s.pre, dash)}${s.proratedPre ? ' (prorated)' : ''}`, `${num(s.post, dash)}${s.proratedPost ? ' (prorated)' : ''}`, num(s.change, dash), num(s.rci, dash), s.classification ?? dash]),
        ),
      ),
    )
  }
  return `${lines.join('\n')}\n`
}
