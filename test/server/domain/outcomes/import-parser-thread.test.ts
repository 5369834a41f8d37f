/**
 * The import's CSV parser runs on a thread of its own (import-csv-worker.mjs, issue 16). What that
 * must not change: a problem csv-parse cannot read past is still one problem with its line, every
 * import ends its thread however it ends (a thread left running keeps the `balint` CLI from exiting),
 * and lines are numbered as before across chunks and quoted line breaks.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../../server/domain/errors'
import { importCohortCsv, startImportParser, type ImportProblem, type ImportSource } from '../../../../server/domain/outcomes/import'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testDeps } from '../../../helpers/app'
import { allowInsert, refuseInsert } from '../../../helpers/test-database'

type Deps = Awaited<ReturnType<typeof testDeps>>

const header = 'participant,wave,instrument,item,value'

async function fixture() {
  const deps = await testDeps()
  const study = await createStudy(deps, { name: 'Balint pilot on paper' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A', sessions: 0 }, 'test')
  return { deps, db: deps.db, cohortId: cohort.id }
}

const phq9 = (code: string, values: number[]) => values.map((v, i) => `${code},pre,phq-9,phq9_${i + 1},${v}`)

async function outcome(deps: Deps, cohortId: string, csv: ImportSource): Promise<unknown> {
  return importCohortCsv(deps, { cohortId, csv }, 'test').then(
    (summary) => summary,
    (error: unknown) => error,
  )
}

/** The threads of this process (Linux): a worker thread left running is one more. */
const threads = () => readdirSync('/proc/self/task').length

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8')
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

describe("the import's CSV parser thread", () => {
  it('reports a quote never closed as one problem, at a line of the file, and writes nothing', async () => {
    const { deps, db, cohortId } = await fixture()
    const csv = [header, ...phq9('P1', [1, 1, 1]), 'P1,pre,phq-9,phq9_4,"1', ...phq9('P2', [0, 0])].join('\n') + '\n'
    const error = (await outcome(deps, cohortId, csv)) as ApiError & { details: ImportProblem[] }
    expect(error).toBeInstanceOf(ApiError)
    expect(error.code).toBe('validation_failed')
    // csv-parse finds out at the end of the file, and says so.
    expect(error.details).toEqual([{ line: 7, column: 'value', message: expect.stringMatching(/^Quote Not Closed/) }])
    expect(await db.selectFrom('response').select('id').execute()).toEqual([])
  })

  it('numbers lines after a quoted value with line breaks, read in chunks that split it', async () => {
    const { deps, cohortId } = await fixture()
    // Lines 2 to 4 are one record, whose quoted participant code holds two line breaks (refused, at
    // the line the record starts on); the wrong value after it is on line 7.
    const csv = [header, '"P1\nsecond\nthird",pre,phq-9,phq9_1,1', ...phq9('P2', [1, 1]), 'P2,pre,phq-9,phq9_3,7'].join('\n') + '\n'
    const error = (await outcome(deps, cohortId, chunked(csv, 5))) as ApiError & { details: ImportProblem[] }
    expect(error.details).toEqual([
      { line: 2, column: 'participant', message: expect.stringMatching(/^"P1\\nsecond\\nthird" holds a line break/) },
      { line: 7, column: 'value', message: 'must be one of 0, 1, 2, 3 (the file has "7")' },
    ])
  })

  it('ends its thread however the import ends: imported, refused for its header or its lines, or failing to write', async () => {
    const { deps, db, cohortId } = await fixture()
    // One import first, so that whatever Node.js starts once (libuv's thread pool) is running.
    await importCohortCsv(deps, { cohortId, csv: [header, ...phq9('P0', [0, 0, 0])].join('\n') }, 'test')
    const before = threads()

    expect(await outcome(deps, cohortId, [header, ...phq9('P1', [1, 2, 3])].join('\n'))).toMatchObject({ responses: 1 })
    expect(await outcome(deps, cohortId, 'participant,wave,scale,item,value\nP2,pre,phq-9,phq9_1,1\n')).toMatchObject({ code: 'validation_failed' })
    expect(await outcome(deps, cohortId, [header, ...phq9('P3', [1, 9, 1])].join('\n'))).toMatchObject({ code: 'validation_failed' })
    await refuseInsert(db, 'response', '1', 'the disk is full')
    expect(String(await outcome(deps, cohortId, chunked([header, ...phq9('P4', [1, 1, 1])].join('\n'), 16)))).toContain('the disk is full')
    await allowInsert(db, 'response')

    expect(threads()).toBe(before)
  })

  it('started ahead of its import (as `balint import` starts it), parses for it and is ended by it, also when the cohort is unknown', async () => {
    const { deps, cohortId } = await fixture()
    await importCohortCsv(deps, { cohortId, csv: [header, ...phq9('P0', [0, 0, 0])].join('\n') }, 'test')
    const before = threads()

    const parser = startImportParser()
    // Started a while before the import, as the CLI's is while the database opens.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(threads()).toBeGreaterThan(before)
    expect(await importCohortCsv(deps, { cohortId, csv: chunked([header, ...phq9('P1', [1, 2, 3])].join('\n'), 7), parser }, 'test')).toMatchObject({ rows: 3, responses: 1 })
    expect(threads()).toBe(before)

    const unused = startImportParser()
    const refused = await importCohortCsv(deps, { cohortId: 'no-such-cohort', csv: `${header}\n`, parser: unused }, 'test').then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refused).toMatchObject({ code: 'not_found' })
    expect(threads()).toBe(before)
  })

  it('serves one import: a second import given it is refused, and the first goes on to the end', async () => {
    const { deps, cohortId } = await fixture()
    const parser = startImportParser()
    const first = importCohortCsv(deps, { cohortId, csv: chunked([header, ...phq9('P1', [1, 2, 3])].join('\n'), 7), parser }, 'test')
    await expect(importCohortCsv(deps, { cohortId, csv: [header, ...phq9('P2', [0])].join('\n'), parser }, 'test')).rejects.toThrow(
      'This CSV parser was given to an import already: start one parser (startImportParser) for each import.',
    )
    expect(await first).toMatchObject({ rows: 3, responses: 1 })
  })

  it('started and never used, does not keep the process from exiting', () => {
    // A caller that starts a parser and then never imports (nor closes it) must not hang: the
    // thread holds the process only while an import has it.
    const script = `import(${JSON.stringify(new URL('../../../../server/domain/outcomes/import.ts', import.meta.url).href)}).then((m) => { m.startImportParser(); console.log('started') })`
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 })
    expect(child.stdout.trim()).toBe('started')
    expect({ status: child.status, signal: child.signal }).toEqual({ status: 0, signal: null })
  }, 30_000)
})
