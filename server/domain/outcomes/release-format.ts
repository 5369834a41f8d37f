/**
 * A release as CSV and Markdown, for program leads to download: the same released figures as the
 * JSON, nothing more.
 */
import { stringify } from 'csv-stringify/sync'
import type { ReleasedP } from './disclosure'
import type { Release } from './release'
import { markdownCell, markdownInline } from '../formats/markdown'
import { severalNote } from './table1'

const p = (x: ReleasedP | null) => (x === null ? '' : `${x.comparator === '<' ? '<' : ''}${x.value}`)
const v = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x))

/** One row per figure: section, comparison, instrument, scale, figure, value. */
export function releaseCsv(release: Release): string {
  const c = release.content
  const rows: string[][] = [['section', 'comparison', 'instrument', 'scale', 'figure', 'value']]
  rows.push(['funnel', '', '', '', 'enrolled', v(c.funnel.enrolled)], ['funnel', '', '', '', 'consented', v(c.funnel.consented)])
  for (const [wave, n] of Object.entries(c.funnel.completed)) rows.push(['funnel', '', '', '', `completed ${wave}`, v(n)])
  rows.push(['funnel', '', '', '', 'withdrawn', v(c.funnel.withdrawn)])
  for (const comparison of c.comparisons) {
    const cmp = `${comparison.from}-${comparison.to}`
    for (const s of comparison.scales) {
      const figures: [string, string][] = [
        ['n', v(s.n)],
        ['pre mean', v(s.pre.mean)],
        ['pre sd', v(s.pre.sd)],
        ['post mean', v(s.post.mean)],
        ['post sd', v(s.post.sd)],
        ['change mean', v(s.change.mean)],
        ['change ci95', s.change.ci95 ? `${s.change.ci95[0]} to ${s.change.ci95[1]}` : ''],
        ['t', v(s.pairedT?.t)],
        ['p', p(s.pairedT?.p ?? null)],
        ['p holm', p(s.pHolm)],
        ['d_z', v(s.effectSize?.dz)],
        ['g_av', v(s.effectSize?.gav)],
      ]
      for (const [figure, value] of figures) rows.push(['report', cmp, s.instrument, s.scale, figure, value])
    }
  }
  for (const row of c.table1.continuous) rows.push(['table1', '', '', row.variable, 'n', v(row.n)], ['table1', '', '', row.variable, 'mean', v(row.mean)], ['table1', '', '', row.variable, 'sd', v(row.sd)])
  for (const row of c.table1.categorical) {
    // A question that takes several choices: each option's percent is of those answering, and they may sum past 100.
    const percent = row.multiple ? 'percent of those answering (several could be chosen)' : 'percent'
    for (const l of row.levels) rows.push(['table1', '', '', row.variable, `${l.value} n`, v(l.n)], ['table1', '', '', row.variable, `${l.value} ${percent}`, v(l.percent)])
  }
  return stringify(rows)
}

/**
 * A release as Markdown: who released it and its disclosure rules, then the participants (the funnel),
 * each comparison's table and Table 1, with the same released figures as the CSV. A figure not shown
 * is a dash (–); as in the CSV, the reasons are the JSON's.
 */
export function releaseMarkdown(release: Release): string {
  const c = release.content
  const dash = '–'
  const count = (n: number | null | undefined) => v(n) || dash
  const lines = [
    // A study-wide release is over every cohort of the study together.
    `# ${markdownInline(c.cohort ? c.cohort.name : `${c.study.name}, all cohorts together (${(c.cohorts ?? []).map((x) => x.name).join(', ')})`)}: released report`,
    '',
    `Released ${release.releasedAt.slice(0, 10)} by ${markdownInline(release.releasedBy.name)}. Counts are rounded to the nearest ${c.policy.countRounding}; counts of ${c.policy.countRedactAtOrBelow} or fewer are not shown (${dash}); no statistic rests on fewer than ${c.policy.minN} participants.`,
    '',
    '## Participants',
    '',
    '| | n |',
    '| --- | --- |',
    `| enrolled | ${count(c.funnel.enrolled)} |`,
    `| consented | ${count(c.funnel.consented)} |`,
    ...Object.entries(c.funnel.completed).map(([wave, n]) => `| completed ${markdownCell(wave)} | ${count(n)} |`),
    `| withdrawn | ${count(c.funnel.withdrawn)} |`,
    '',
  ]
  for (const comparison of c.comparisons) {
    lines.push(`## ${comparison.from} → ${comparison.to}`, '', '| scale | n | pre mean (SD) | post mean (SD) | change (95% CI) | p | d_z |', '| --- | --- | --- | --- | --- | --- | --- |')
    for (const s of comparison.scales) {
      const ms = (x: { mean: number | null; sd: number | null }) => (x.mean === null ? dash : `${x.mean} (${x.sd})`)
      const change = s.change.mean === null ? dash : `${s.change.mean}${s.change.ci95 ? ` (${s.change.ci95[0]} to ${s.change.ci95[1]})` : ''}`
      lines.push(`| ${markdownCell(`${s.instrumentTitle} ${s.label}`)} | ${count(s.n)} | ${ms(s.pre)} | ${ms(s.post)} | ${change} | ${p(s.pairedT?.p ?? null) || dash} | ${v(s.effectSize?.dz) || dash} |`)
    }
    lines.push('')
  }
  const t = c.table1
  if (t.continuous.length > 0 || t.categorical.length > 0) {
    lines.push(`## Table 1 (n = ${count(t.n)})`, '', '| characteristic | value |', '| --- | --- |')
    for (const row of t.continuous) {
      const value = row.mean === null ? dash : `${row.mean} (${row.sd})`
      lines.push(`| ${markdownCell(row.label)}, mean (SD) | ${value}${row.n === null ? '' : `, n = ${row.n}`} |`)
    }
    for (const row of t.categorical) {
      lines.push(`| **${markdownCell(row.label)}**, n (%) of ${count(row.answered)} answering${row.multiple ? ` (${severalNote})` : ''} | |`)
      for (const l of row.levels) {
        lines.push(`| ${markdownCell(l.label)} | ${l.n === null ? dash : `${l.n}${l.percent === null ? '' : ` (${l.percent}%)`}`} |`)
      }
    }
    lines.push('')
  }
  return `${lines.join('\n')}\n`
}
