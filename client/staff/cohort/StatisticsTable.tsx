/**
 * The statistics of every scale in one table, one column per scale and one row per statistic:
 * with up to seven scales and twenty statistics this reads better than the transpose.
 */
import { inLanguage, t } from '../../lib/i18n'
import { fixed, pValue, score, signedFixed } from '../format'
import { changeClasses, type CohortReportView, type ScaleReport, type WaveKind } from '../types'
import { FootnoteList, Footnotes } from './notes'

type Row = { id: string; label: string; cell: (scale: ScaleReport) => React.ReactNode; title?: string }

/** "d_z" as d with a subscript z: statistics are named as they are printed in papers. */
function withSubscripts(label: string): React.ReactNode {
  const parts = label.split(/_(\w+)/)
  return parts.map((part, i) => (i % 2 === 1 ? <sub key={i}>{part}</sub> : part))
}
type Group = { label: string; rows: Row[] }

/** A scale by its own label ("PHQ-9 total", "Personal burnout"), in the reader's language when the form has it; the instrument's full title goes beside it. */
export function scaleTitle(scale: ScaleReport): string {
  return inLanguage(scale)
}

export function StatisticsTable({ report }: { report: CohortReportView }) {
  const notes = new Footnotes('stats')
  const waveLabel = (kind: WaveKind) => t(`staff.wave.${kind}`)

  /** Why a value is missing: the first reason the server gave among `keys`, else a plain one. */
  const missing = (s: ScaleReport, keys: string[]) => {
    const reason = ['all', ...keys].map((k) => s.unavailable[k]).find(Boolean) ?? (s.n !== null && s.n < 2 ? t('staff.report.tooFewPairs', { n: s.n }) : t('staff.report.notComputed'))
    return notes.missing(reason)
  }
  const meanSd = (s: ScaleReport, side: 'pre' | 'post') => {
    const summary = s[side]
    if (summary.mean === null) return missing(s, ['change'])
    return (
      <>
        {fixed(summary.mean)} ({summary.sd === null ? missing(s, ['change']) : fixed(summary.sd)})
      </>
    )
  }
  const median = (s: ScaleReport, side: 'pre' | 'post') => {
    const summary = s[side]
    if (summary.median === null) return missing(s, ['change'])
    return `${score(summary.median)} [${summary.q1 === null ? '–' : score(summary.q1)}, ${summary.q3 === null ? '–' : score(summary.q3)}]`
  }
  const alpha = (s: ScaleReport, side: 'from' | 'to') => {
    const a = s.reliability[side]
    if (!a) return missing(s, [`reliability.${side}`])
    return `${fixed(a.alpha)} [${fixed(a.ci95[0])}, ${fixed(a.ci95[1])}]`
  }

  const groups: Group[] = [
    {
      label: t('staff.stats.sample'),
      rows: [
        { id: 'n', label: t('staff.stats.n'), cell: (s) => (s.n === null ? missing(s, ['n']) : <>{String(s.n)}{s.warnings?.n && notes.ref(s.warnings.n)}</>) },
        { id: 'prorated', label: t('staff.stats.prorated'), cell: (s) => (s.prorated ? `${s.prorated.pre} / ${s.prorated.post}` : '–') },
      ],
    },
    {
      label: waveLabel(report.from),
      rows: [
        { id: 'pre-mean', label: t('staff.stats.meanSd'), cell: (s) => meanSd(s, 'pre') },
        { id: 'pre-median', label: t('staff.stats.medianIqr'), cell: (s) => median(s, 'pre') },
      ],
    },
    {
      label: waveLabel(report.to),
      rows: [
        { id: 'post-mean', label: t('staff.stats.meanSd'), cell: (s) => meanSd(s, 'post') },
        { id: 'post-median', label: t('staff.stats.medianIqr'), cell: (s) => median(s, 'post') },
      ],
    },
    {
      label: t('staff.stats.change', { to: waveLabel(report.to), from: waveLabel(report.from) }),
      rows: [
        {
          id: 'change',
          label: t('staff.stats.meanChange'),
          cell: (s) =>
            s.change.mean === null ? (
              missing(s, ['change'])
            ) : (
              <>
                {signedFixed(s.change.mean)} {s.change.ci95 ? `[${fixed(s.change.ci95[0])}, ${fixed(s.change.ci95[1])}]` : <>[{missing(s, ['pairedT', 'change'])}]</>}
              </>
            ),
        },
        { id: 't', label: t('staff.stats.t'), cell: (s) => (s.pairedT ? `${fixed(s.pairedT.t)} (${score(s.pairedT.df)})` : missing(s, ['pairedT'])) },
        { id: 'p', label: t('staff.stats.p'), cell: (s) => (s.pairedT ? pValue(s.pairedT.p) : missing(s, ['pairedT'])) },
        { id: 'p-holm', label: t('staff.stats.pHolm'), title: t('staff.stats.pHolmTitle'), cell: (s) => (s.pHolm === null ? missing(s, ['pHolm', 'pairedT']) : pValue(s.pHolm)) },
        { id: 'family', label: t('staff.stats.family'), cell: (s) => <span title={s.multiplicity.description}>{t(`staff.stats.family.${s.multiplicity.family}`, { m: s.multiplicity.m ?? '–' })}</span> },
        { id: 'wilcoxon-v', label: t('staff.stats.wilcoxonV'), cell: (s) => (s.wilcoxon ? score(s.wilcoxon.V) : missing(s, ['wilcoxon'])) },
        {
          id: 'wilcoxon-p',
          label: t('staff.stats.wilcoxonP'),
          cell: (s) =>
            s.wilcoxon ? (
              <>
                {pValue(s.wilcoxon.p)} ({t(`staff.stats.method.${s.wilcoxon.method}`)})
                {s.wilcoxon.zeros ? <span className="th-note">{t('staff.stats.zerosDropped', { count: s.wilcoxon.zeros })}</span> : null}
              </>
            ) : (
              missing(s, ['wilcoxon'])
            ),
        },
        { id: 'wilcoxon-p-holm', label: t('staff.stats.wilcoxonPHolm'), cell: (s) => (s.wilcoxonHolm === null ? missing(s, ['wilcoxonHolm', 'pHolm', 'wilcoxon']) : pValue(s.wilcoxonHolm)) },
        {
          id: 'dz',
          label: t('staff.stats.dz'),
          title: t('staff.stats.dzTitle'),
          cell: (s) =>
            s.effectSize?.dz != null ? (
              <>
                {fixed(s.effectSize.dz)} {s.effectSize.dzCi95 ? `[${fixed(s.effectSize.dzCi95[0])}, ${fixed(s.effectSize.dzCi95[1])}]` : ''}
                {s.warnings?.['effectSize.dz'] && notes.ref(s.warnings['effectSize.dz'])}
              </>
            ) : (
              missing(s, ['effectSize.dz', 'effectSize'])
            ),
        },
        { id: 'gav', label: t('staff.stats.gav'), title: t('staff.stats.gavTitle'), cell: (s) => (s.effectSize?.gav != null ? fixed(s.effectSize.gav) : missing(s, ['effectSize.gav', 'effectSize'])) },
      ],
    },
    {
      label: t('staff.stats.reliableChange'),
      rows: [
        ...changeClasses.map((c) => ({
          id: c,
          label: t(`staff.class.${c}`),
          cell: (s: ScaleReport) => {
            const count = s.reliableChange[c]
            if (count !== null) return String(count)
            // Not assessable (no reliability, no cut-off) is said in words, never shown as 0.
            const reason = s.unavailable[`reliableChange.${c}`] ?? s.unavailable.reliableChange
            if (reason?.startsWith('not assessable')) return <>{t('staff.stats.notAssessable')}{notes.ref(reason)}</>
            return missing(s, ['reliableChange', 'rci'])
          },
        })),
        {
          id: 'rcp',
          label: t('staff.stats.rcp'),
          cell: (s) =>
            s.rci ? (
              <>
                <span title={t('staff.stats.rciBasis', { sd: fixed(s.rci.sd), sdSource: s.rci.sdSource, r: fixed(s.rci.reliability), rSource: s.rci.reliabilitySource })}>{fixed(s.rci.reliableChangePoints)}</span>
                {notes.ref(s.warnings?.rci, s.warnings?.norms)}
              </>
            ) : (
              missing(s, ['rci'])
            ),
        },
        { id: 'cutoff', label: t('staff.stats.cutoff'), cell: (s) => (s.cutoff ? t('staff.stats.cutoffValue', { value: fixed(s.cutoff.value), criterion: s.cutoff.criterion }) : missing(s, ['cutoff'])) },
      ],
    },
    {
      label: t('staff.stats.reliability'),
      rows: [
        { id: 'alpha-pre', label: t('staff.stats.alpha', { wave: waveLabel(report.from) }), cell: (s) => alpha(s, 'from') },
        { id: 'alpha-post', label: t('staff.stats.alpha', { wave: waveLabel(report.to) }), cell: (s) => alpha(s, 'to') },
      ],
    },
  ]

  // Build every cell first, so the footnotes are numbered before they are listed.
  const body = groups.map((group) => ({ ...group, rows: group.rows.map((row) => ({ ...row, cells: report.scales.map((s) => row.cell(s)) })) }))
  const bases = report.scales.filter((s) => s.rci)

  return (
    <>
      <div className="table-scroll">
        <table className="data stats" data-testid="stats-table">
          <caption>{t('staff.stats.caption', { from: waveLabel(report.from), to: waveLabel(report.to) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('staff.stats.statistic')}</th>
              {report.scales.map((s) => (
                <th scope="col" key={`${s.instrument}/${s.scale}`} className="num">
                  {scaleTitle(s)}
                  <span className="th-note">{inLanguage({ label: s.instrumentTitle, labels: s.instrumentTitles })}</span>
                  <span className="th-note">{t(`staff.direction.${s.direction}`)}</span>
                </th>
              ))}
            </tr>
          </thead>
          {body.map((group) => (
            <tbody key={group.label}>
              <tr className="group">
                <th scope="rowgroup" colSpan={report.scales.length + 1}>
                  {group.label}
                </th>
              </tr>
              {group.rows.map((row) => (
                <tr key={row.id} data-stat={row.id}>
                  <th scope="row" title={row.title}>
                    {withSubscripts(row.label)}
                  </th>
                  {row.cells.map((cell, i) => (
                    <td key={i} className="num">
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
      <FootnoteList notes={notes} title={t('staff.stats.notesTitle')} />
      {bases.length > 0 && (
        <details className="method-notes">
          <summary>{t('staff.stats.basisTitle')}</summary>
          <ul>
            {bases.map((s) => (
              <li key={`${s.instrument}/${s.scale}`}>
                <strong>{scaleTitle(s)}:</strong>{' '}
                {t('staff.stats.basis', {
                  points: fixed(s.rci!.reliableChangePoints),
                  sd: fixed(s.rci!.sd),
                  sdSource: s.rci!.sdSource,
                  r: fixed(s.rci!.reliability),
                  rSource: s.rci!.reliabilitySource,
                })}
                {s.cutoff && ` ${t('staff.stats.basisCutoff', { value: fixed(s.cutoff.value), criterion: s.cutoff.criterion })}`}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  )
}
