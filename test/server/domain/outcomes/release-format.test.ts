/**
 * The release's Markdown, read by program leads: Table 1 as the CSV has it, and labels written by a
 * study team that cannot break its tables.
 */
import { describe, expect, it } from 'vitest'
import { releaseMarkdown } from '../../../../server/domain/outcomes/release-format'
import type { Release } from '../../../../server/domain/outcomes/release'

const release: Release = {
  id: 'r1',
  cohortId: 'c1',
  releasedAt: '2026-11-30T10:00:00.000Z',
  releasedBy: { id: 's1', name: 'Dr Lead' },
  content: {
    cohort: { id: 'c1', name: 'Tehran nurses' },
    study: { id: 'st1', name: 'Balint online' },
    policy: { minN: 10, orderMinN: 20, countRedactAtOrBelow: 7, countRounding: 5 },
    funnel: { enrolled: 40, consented: 35, completed: { pre: 30, post: null }, withdrawn: null },
    comparisons: [],
    table1: {
      n: 35,
      continuous: [
        { variable: 'age', label: 'Age (years)', n: 35, mean: 34.2, sd: 6.1, withheld: null },
        { variable: 'shifts', label: 'Night shifts | month', n: 5, mean: null, sd: null, withheld: 'fewer than 10 answers', why: { code: 'fewer_answers', minN: 10 } },
      ],
      categorical: [
        {
          variable: 'support',
          label: 'Support\noutside the group',
          multiple: true,
          answered: 30,
          levels: [
            { value: 'peer', label: 'Peer | colleague', n: 20, percent: 66.7 },
            { value: 'none', label: 'None', n: null, percent: null },
            { value: 'therapy', label: 'therapy (no longer offered)', offered: false, n: 10, percent: 33.3 },
          ],
        },
      ],
    },
  },
}

describe('releaseMarkdown', () => {
  const md = releaseMarkdown(release)

  it('gives the funnel and Table 1 with the released figures, a dash where one is not shown', () => {
    expect(md).toContain('| enrolled | 40 |\n| consented | 35 |\n| completed pre | 30 |\n| completed post | – |\n| withdrawn | – |\n')
    expect(md).toContain('## Table 1 (n = 35)\n')
    expect(md).toContain('| Age (years), mean (SD) | 34.2 (6.1), n = 35 |\n')
    expect(md).toContain('| **Support outside the group**, n (%) of 30 answering (several could be chosen; % of those answering who chose each; may sum past 100 %) | |\n')
    expect(md).toContain('| None | – |\n| therapy (no longer offered) | 10 (33.3%) |\n')
    // As the CSV, no reason: the JSON has them.
    expect(md).not.toContain('fewer than 10 answers')
  })

  it("escapes a label's | and line breaks, so that each table row keeps its two cells", () => {
    expect(md).toContain('| Night shifts \\| month, mean (SD) | –, n = 5 |\n')
    expect(md).toContain('| Peer \\| colleague | 20 (66.7%) |\n')
    for (const line of md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| scale'))) {
      expect(line.replace(/\\\|/g, '').split('|').length - 2).toBe(2)
    }
  })
})
