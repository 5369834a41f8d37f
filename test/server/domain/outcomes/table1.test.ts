import { describe, expect, it } from 'vitest'
import { cohortTable1, table1Markdown } from '../../../../server/domain/outcomes/table1'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testApp } from '../../../helpers/app'

describe('Table 1', () => {
  it('prints "0 (–)", never "0 (%)", for a choice nobody answered', async () => {
    const { deps } = await testApp()
    const study = await createStudy(deps, { name: 'No demographics' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Imported' }, 'test')
    const rows = ['participant,wave,instrument,item,value', ...Array.from({ length: 9 }, (_, i) => `P1,pre,phq-9,phq9_${i + 1},1`)]
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const table = await cohortTable1(deps, cohort.id)
    expect(table.categorical.length).toBeGreaterThan(0)
    expect(table.categorical[0]!.levels[0]).toMatchObject({ n: 0, percent: null })
    const md = table1Markdown(table)
    expect(md).toContain('| 0 (–) |')
    expect(md).toContain('n (%) of 0 answering')
    expect(md).not.toContain('(%)|')
    expect(md).not.toMatch(/\| 0 \(%\) \|/)
  })
})
