/**
 * `balint import`, run in-process with `runCli(argv, io)` over a freshly migrated in-memory database,
 * with the CSV written to a temporary folder. The import's own rules are tested in
 * test/server/domain/outcomes/import.test.ts; here, what the command reads, prints and returns.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCohort, createStudy } from '../../../server/domain/staff/setup'
import { testClock, testDeps } from '../../helpers/app'
import { runCliCaptured, cliRunner, testBaseUrl } from '../../helpers/cli'

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

/** A CLI over one fresh database with one cohort; `run` returns the exit code and what that run printed. */
async function cli() {
  const deps = await testDeps(testClock('2026-03-02T09:00:00.000Z'))
  const study = await createStudy(deps, { name: 'Balint pilot on paper' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A', sessions: 0 }, 'test')
  const folder = mkdtempSync(join(tmpdir(), 'balint-import-'))
  folders.push(folder)
  const run = cliRunner(deps)
  /** Write a CSV file and return its path. */
  const file = (name: string, lines: string[]) => {
    const path = join(folder, name)
    writeFileSync(path, ['participant,wave,instrument,item,value', ...lines].join('\n') + '\n')
    return path
  }
  return { deps, db: deps.db, cohortId: cohort.id, run, file }
}

/** GAD-7 lines for one participant and wave, items 1–7. */
function gad7(code: string, wave: string, values: number[]): string[] {
  return values.map((v, i) => `${code},${wave},gad-7,gad7_${i + 1},${v}`)
}

describe('import', () => {
  it('imports a valid file, exits 0 and prints a summary', async () => {
    const c = await cli()
    const path = c.file('pilot.csv', [...gad7('P1', 'pre', [1, 1, 1, 1, 1, 1, 1]), ...gad7('P1', 'post', [0, 0, 0, 0, 0, 0, 0]), ...gad7('P2', 'pre', [2, 2, 2, 2, 2, 2, 2])])
    const result = await c.run('import', '--cohort', c.cohortId, '--file', path)
    expect(result).toMatchObject({ code: 0, err: [] })
    expect(result.stdout).toContain(`Imported ${path}`)
    expect(result.stdout).toContain('21 lines read')
    expect(result.stdout).toContain('2 participants: 2 new, 0 already in the cohort')
    expect(result.stdout).toContain('2 waves: 2 new, 0 already in the cohort')
    expect(result.stdout).toContain('3 completed responses with 21 answers, questionnaires scored')
    expect(await c.db.selectFrom('response').select('id').execute()).toHaveLength(3)
    const audit = await c.db.selectFrom('audit_log').select(['actor', 'action']).where('action', '=', 'import.csv').execute()
    expect(audit).toEqual([{ actor: 'cli', action: 'import.csv' }])
  })

  it('prints the summary as JSON with --json, and writes nothing with --dry-run', async () => {
    const c = await cli()
    const path = c.file('pilot.csv', gad7('P1', 'pre', [1, 1, 1, 1, 1, 1, 1]))

    const dry = await c.run('import', '--cohort', c.cohortId, '--file', path, '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/^Dry run: .* is valid\. Nothing was written/)
    expect(await c.db.selectFrom('response').select('id').execute()).toEqual([])
    expect(await c.db.selectFrom('participant').select('id').execute()).toEqual([])

    const json = await c.run('import', '--cohort', c.cohortId, '--file', path, '--json')
    expect(json).toMatchObject({ code: 0, err: [] })
    expect(JSON.parse(json.stdout)).toEqual({
      cohortId: c.cohortId,
      rows: 7,
      participants: { existing: 0, created: 1 },
      waves: { existing: 0, created: 1 },
      responses: 1,
      answers: 7,
      emptyForms: 0,
      safetyFlags: 0,
      dryRun: false,
    })
  })

  it('exits 1 and prints every problem as "line N, column C: message", writing nothing', async () => {
    const c = await cli()
    const path = c.file('broken.csv', [
      /* 2 */ 'P1,pre,gad-7,gad7_1,1',
      /* 3 */ 'P1,pre,gad-7,gad7_2,4',
      /* 4 */ 'P1,pre,gad-7,gad7_30,1',
      /* 5 */ 'P1,enrolment,demographics,age,17',
    ])
    const result = await c.run('import', '--cohort', c.cohortId, '--file', path)
    expect(result.code).toBe(1)
    expect(result.out).toEqual([])
    expect(result.err).toEqual([
      'error: 3 problems found; nothing was written',
      'line 3, column value: must be one of 0, 1, 2, 3 (the file has "4")',
      'line 4, column item: "gad7_30" is not a question of gad-7',
      expect.stringMatching(/^line 5, column value: .*18.*\(the file has "17"\)$/),
    ])
    expect(await c.db.selectFrom('participant').select('id').execute()).toEqual([])
    expect(await c.db.selectFrom('response').select('id').execute()).toEqual([])

    const json = await c.run('import', '--cohort', c.cohortId, '--file', path, '--json')
    expect(json.code).toBe(1)
    expect(json.err).toHaveLength(1)
    const body = JSON.parse(json.err[0]!) as { error: { code: string; message: string; details: unknown } }
    expect(body.error.code).toBe('validation_failed')
    expect(body.error.message).toBe('line 3, column value: must be one of 0, 1, 2, 3 (the file has "4")')
    expect(body.error.details).toEqual([
      { line: 3, column: 'value', message: 'must be one of 0, 1, 2, 3 (the file has "4")' },
      { line: 4, column: 'item', message: '"gad7_30" is not a question of gad-7' },
      { line: 5, column: 'value', message: expect.stringContaining('17') },
    ])
  })

  it('exits 1 on a second import of the same file: the answers are already completed', async () => {
    const c = await cli()
    const path = c.file('pilot.csv', gad7('P1', 'pre', [1, 1, 1, 1, 1, 1, 1]))
    expect((await c.run('import', '--cohort', c.cohortId, '--file', path)).code).toBe(0)
    const again = await c.run('import', '--cohort', c.cohortId, '--file', path)
    expect(again.code).toBe(1)
    expect(again.err).toEqual(['error: a problem found; nothing was written', expect.stringMatching(/^line 2, column participant: P1 already completed gad-7 in the pre wave/)])
    expect(await c.db.selectFrom('response').select('id').execute()).toHaveLength(1)
  })

  it('exits 1 for a file that cannot be read, an unknown cohort, or missing options', async () => {
    const c = await cli()
    const missing = await c.run('import', '--cohort', c.cohortId, '--file', join(tmpdir(), 'no-such-dir-balint', 'data.csv'))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^error: cannot read .*data\.csv/)

    const path = c.file('pilot.csv', gad7('P1', 'pre', [1, 1, 1, 1, 1, 1, 1]))
    const unknown = await c.run('import', '--cohort', 'no-such-cohort', '--file', path)
    expect(unknown).toMatchObject({ code: 1, err: ['error: There is no cohort "no-such-cohort".'] })

    const noFile = await c.run('import', '--cohort', c.cohortId)
    expect(noFile.code).not.toBe(0)
    expect(noFile.stderr).toContain('--file')
    expect(await c.db.selectFrom('participant').select('id').execute()).toEqual([])
  })

  it('ends the CSV parser thread it started ahead when the database cannot be opened (a thread left running keeps the process from exiting)', async () => {
    const c = await cli()
    const path = c.file('pilot.csv', gad7('P1', 'pre', [1, 1, 1, 1, 1, 1, 1]))
    // One import first, so that whatever Node.js starts once (libuv's thread pool) is running.
    expect((await c.run('import', '--cohort', c.cohortId, '--file', path)).code).toBe(0)
    const threads = () => readdirSync('/proc/self/task').length
    const before = threads()
    const { code, stderr } = await runCliCaptured(['import', '--cohort', c.cohortId, '--file', path], {
      baseUrl: testBaseUrl,
      migrate: async () => [],
      deps: async () => {
        // The parser's thread has started by now: the database fails to open after it.
        await new Promise((resolve) => setTimeout(resolve, 100))
        throw new Error('SQLITE_CANTOPEN: unable to open database file')
      },
    })
    expect(code).toBe(1)
    expect(stderr).toContain('unable to open database file')
    expect(threads()).toBe(before)
  })
})
