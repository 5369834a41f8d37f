/**
 * The CLI, run in-process with `runCli(argv, io)` over a freshly migrated in-memory database. Each
 * test builds its own database; output lines are collected per command run.
 */
import { describe, it, expect } from 'vitest'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { createApp } from '../../../server/app'
import { shippedInstrumentsFolder } from '../../../server/domain/instruments/registry'
import { testClock, testDeps } from '../../helpers/app'
import { cliRunner } from '../../helpers/cli'
import { listTables } from '../../helpers/test-database'

const linkPattern = /^http:\/\/localhost:3000\/p\/[A-Za-z0-9_-]{43}$/

/** A CLI over one fresh database; `run` returns the exit code and what that run printed. */
async function cli() {
  const deps = await testDeps(testClock('2026-03-02T09:00:00.000Z'))
  const run = cliRunner(deps)
  return { deps, db: deps.db, run }
}

type Cli = Awaited<ReturnType<typeof cli>>

/** Run a command that must succeed with --json, and parse what it printed. */
async function runJson<T = any>(c: Cli, ...argv: string[]): Promise<T> {
  const result = await c.run(...argv, '--json')
  expect({ code: result.code, err: result.err }).toEqual({ code: 0, err: [] })
  return JSON.parse(result.stdout) as T
}

/** Run a command that must fail with --json; checks the error shape on stderr and returns it. */
async function runJsonError(c: Cli, ...argv: string[]) {
  const result = await c.run(...argv, '--json')
  expect(result.code).toBe(1)
  expect(result.out).toEqual([])
  expect(result.err).toHaveLength(1)
  const body = JSON.parse(result.err[0]!) as { error: { code: string; message: string; details?: unknown } }
  expect(Object.keys(body)).toEqual(['error'])
  expect(Object.keys(body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true)
  expect(body.error.code).toMatch(/^[a-z]+(_[a-z]+)*$/)
  expect(body.error.message.length).toBeGreaterThan(0)
  return body
}

async function rowCount(c: Cli, table: 'study' | 'cohort' | 'group_session' | 'participant' | 'participant_link' | 'wave' | 'wave_instrument'): Promise<number> {
  return (await c.db.selectFrom(table).select('id' as never).execute()).length
}

async function studyAndCohort(c: Cli) {
  const study = await runJson<{ id: string }>(c, 'study', 'create', '--name', 'Balint pilot')
  const cohort = await runJson<{ id: string }>(c, 'cohort', 'create', '--study', study.id, '--name', 'Group A', '--first-session', '2026-03-02')
  return { studyId: study.id, cohortId: cohort.id }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const tokenOf = (link: string) => link.slice(link.lastIndexOf('/') + 1)

describe('migrate', () => {
  it('reports an up-to-date database', async () => {
    const c = await cli()
    expect(await runJson(c, 'migrate')).toEqual({ applied: [] })
    const plain = await c.run('migrate')
    expect(plain).toMatchObject({ code: 0, out: ['The database is up to date.'] })
  })
})

describe('study create', () => {
  it('takes the language and the time zone whose days the waves follow', async () => {
    const c = await cli()
    const study = await runJson<{ language: string; timeZone: string }>(c, 'study', 'create', '--name', 'Tehran', '--language', 'fa', '--time-zone', 'Asia/Tehran')
    expect(study).toMatchObject({ language: 'fa', timeZone: 'Asia/Tehran' })
  })

  it('creates a study and prints it as JSON', async () => {
    const c = await cli()
    const study = await runJson<{ id: string; name: string }>(c, 'study', 'create', '--name', 'Balint pilot')
    expect(study).toEqual({
      id: expect.any(String),
      name: 'Balint pilot',
      consentInstrument: 'consent',
      createdAt: '2026-03-02T09:00:00.000Z',
      minCellSize: 5,
      participantFeedback: false,
      supportContact: null,
      language: 'en',
      timeZone: 'UTC',
      primaryOutcomes: [],
      demographicsInstrument: 'demographics',
    })
    expect(await c.db.selectFrom('study').selectAll().execute()).toEqual([
      { id: study.id, name: 'Balint pilot', consent_instrument: 'consent', created_at: '2026-03-02T09:00:00.000Z', min_cell_size: 5, participant_feedback: 0, support_contact: null, primary_outcomes: '[]', language: 'en', time_zone: 'UTC', demographics_instrument: null },
    ])
    const audit = await c.db.selectFrom('audit_log').selectAll().where('action', '=', 'study.create').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor: 'cli', entity: 'study', entity_id: study.id })
  })

  it('prints only the id without --json, and accepts --json before the command', async () => {
    const c = await cli()
    const plain = await c.run('study', 'create', '--name', 'First')
    expect(plain.code).toBe(0)
    expect(plain.out).toHaveLength(1)
    const ids = (await c.db.selectFrom('study').select('id').execute()).map((r) => r.id)
    expect(plain.out).toEqual(ids)

    const before = await c.run('--json', 'study', 'create', '--name', 'Second')
    expect(before.code).toBe(0)
    expect(JSON.parse(before.stdout)).toMatchObject({ name: 'Second' })
  })

  it('exits non-zero and creates nothing when --name is missing', async () => {
    const c = await cli()
    const result = await c.run('study', 'create')
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('--name')
    expect(await rowCount(c, 'study')).toBe(0)
  })

  it('refuses a blank name with a JSON error on stderr', async () => {
    const c = await cli()
    const body = await runJsonError(c, 'study', 'create', '--name', '   ')
    expect(body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'name', message: 'must not be empty' }] })
    expect(await rowCount(c, 'study')).toBe(0)
  })
})

describe('cohort create', () => {
  it('schedules 8 group sessions twice a week, 3 and 4 days apart', async () => {
    const c = await cli()
    const study = await runJson<{ id: string }>(c, 'study', 'create', '--name', 'Balint pilot')
    const cohort = await runJson<{ id: string; studyId: string; name: string; leader: string; coLeaders: string[]; groupSessions: { seq: number; startsAt: string }[] }>(
      c,
      'cohort',
      'create',
      '--study',
      study.id,
      '--name',
      'Group A',
      '--leader',
      'Dr Leader',
      '--co-leaders',
      'Dr One, Dr Two',
      '--first-session',
      '2026-03-02',
    )
    expect(cohort).toMatchObject({ studyId: study.id, name: 'Group A', leader: 'Dr Leader', coLeaders: ['Dr One', 'Dr Two'] })
    // Monday 2 March 2026, then +3, +4, +3, … days: Mondays and Thursdays for four weeks.
    const expected = ['2026-03-02', '2026-03-05', '2026-03-09', '2026-03-12', '2026-03-16', '2026-03-19', '2026-03-23', '2026-03-26'].map((d) => `${d}T00:00:00.000Z`)
    expect(cohort.groupSessions.map((s) => [s.seq, s.startsAt])).toEqual(expected.map((d, i) => [i + 1, d]))

    const stored = await c.db.selectFrom('group_session').select(['seq', 'starts_at']).where('cohort_id', '=', cohort.id).orderBy('seq').execute()
    expect(stored.map((s) => s.starts_at)).toEqual(expected)
    const gaps = stored.slice(1).map((s, i) => (Date.parse(s.starts_at) - Date.parse(stored[i]!.starts_at)) / (24 * 3600 * 1000))
    expect(gaps).toEqual([3, 4, 3, 4, 3, 4, 3])
    const row = await c.db.selectFrom('cohort').selectAll().where('id', '=', cohort.id).executeTakeFirstOrThrow()
    expect(JSON.parse(row.co_leaders)).toEqual(['Dr One', 'Dr Two'])
  })

  it('starts the schedule today (from midnight where the study is) when no first session is given, and honours --sessions', async () => {
    const c = await cli()
    const study = await runJson<{ id: string }>(c, 'study', 'create', '--name', 'Balint pilot')
    const cohort = await runJson<{ groupSessions: { startsAt: string }[] }>(c, 'cohort', 'create', '--study', study.id, '--name', 'Group B', '--sessions', '3')
    expect(cohort.groupSessions.map((s) => s.startsAt)).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-05T00:00:00.000Z', '2026-03-09T00:00:00.000Z'])
  })

  it('refuses an unknown study', async () => {
    const c = await cli()
    const body = await runJsonError(c, 'cohort', 'create', '--study', 'no-such-study', '--name', 'Group A')
    expect(body.error.code).toBe('not_found')
    expect(body.error.message).toContain('no-such-study')
    expect(await rowCount(c, 'cohort')).toBe(0)
    expect(await rowCount(c, 'group_session')).toBe(0)
  })

  it('refuses a first session that is not a date and a session count that is not a number', async () => {
    const c = await cli()
    const study = await runJson<{ id: string }>(c, 'study', 'create', '--name', 'Balint pilot')
    const badDate = await runJsonError(c, 'cohort', 'create', '--study', study.id, '--name', 'A', '--first-session', 'next tuesday')
    expect(badDate.error).toMatchObject({ code: 'invalid_arguments', message: expect.stringContaining('--first-session') })
    const badCount = await runJsonError(c, 'cohort', 'create', '--study', study.id, '--name', 'A', '--sessions', 'eight')
    expect(badCount.error).toMatchObject({ code: 'invalid_arguments', message: expect.stringContaining('--sessions') })
    expect(await rowCount(c, 'cohort')).toBe(0)
  })
})

describe('participants add', () => {
  it('adds participants with codes P1… and prints a personal link for each', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const added = await runJson<{ id: string; code: string; link: string }[]>(c, 'participants', 'add', '--cohort', cohortId, '--count', '3')
    expect(added.map((p) => p.code)).toEqual(['P1', 'P2', 'P3'])
    for (const p of added) expect(p.link).toMatch(linkPattern)
    expect(new Set(added.map((p) => p.link)).size).toBe(3)

    const rows = await c.db.selectFrom('participant').select(['id', 'code', 'status', 'cohort_id']).orderBy('code').execute()
    expect(rows).toEqual(added.map((p) => ({ id: p.id, code: p.code, status: 'invited', cohort_id: cohortId })))
  })

  it('stores only the SHA-256 of each token, never the token itself', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const added = await runJson<{ id: string; link: string }[]>(c, 'participants', 'add', '--cohort', cohortId, '--count', '3')
    const tokens = added.map((p) => tokenOf(p.link))

    const links = await c.db.selectFrom('participant_link').selectAll().execute()
    expect(links.map((l) => ({ participant: l.participant_id, hash: l.token_hash })).sort((a, b) => a.participant.localeCompare(b.participant))).toEqual(
      added.map((p, i) => ({ participant: p.id, hash: sha256(tokens[i]!) })).sort((a, b) => a.participant.localeCompare(b.participant)),
    )
    for (const l of links) expect(l.token_hash).toMatch(/^[0-9a-f]{64}$/)

    // Not in participant_link, and not anywhere else either (the audit log included).
    for (const name of await listTables(c.db, { withMigrations: true })) {
      const dump = JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(c.db)).rows)
      for (const token of tokens) expect(dump, `table ${name}`).not.toContain(token)
    }
  })

  it('continues the codes when more participants are added', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    await runJson(c, 'participants', 'add', '--cohort', cohortId, '--count', '3')
    const more = await runJson<{ code: string; link: string }[]>(c, 'participants', 'add', '--cohort', cohortId, '--count', '2')
    expect(more.map((p) => p.code)).toEqual(['P4', 'P5'])
    expect(await rowCount(c, 'participant')).toBe(5)
    expect(await rowCount(c, 'participant_link')).toBe(5)
  })

  it('prints a tab-separated code and link per line without --json', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const result = await c.run('participants', 'add', '--cohort', cohortId, '--count', '2')
    expect(result.code).toBe(0)
    expect(result.out).toHaveLength(1)
    const lines = result.stdout.split('\n').map((l) => l.split('\t'))
    expect(lines.map((l) => l[0])).toEqual(['P1', 'P2'])
    for (const l of lines) expect(l[1]).toMatch(linkPattern)
  })

  it('refuses a count of 0, a count that is not a number and an unknown cohort', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    expect((await runJsonError(c, 'participants', 'add', '--cohort', cohortId, '--count', '0')).error).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'count', message: expect.any(String) }],
    })
    expect((await runJsonError(c, 'participants', 'add', '--cohort', cohortId, '--count', '-2')).error.code).toBe('invalid_arguments')
    expect((await runJsonError(c, 'participants', 'add', '--cohort', 'no-such-cohort', '--count', '2')).error.code).toBe('not_found')
    expect(await rowCount(c, 'participant')).toBe(0)
  })

  it('exits non-zero when --count is missing', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const result = await c.run('participants', 'add', '--cohort', cohortId)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('--count')
    expect(await rowCount(c, 'participant')).toBe(0)
  })
})

describe('wave set', () => {
  it('sets a wave open from the start of its first day to the end of its last, with its questionnaires in order', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const wave = await runJson(c, 'wave', 'set', '--cohort', cohortId, '--wave', 'pre', '--opens', '2026-03-01', '--closes', '2026-03-14', '--instruments', 'gad-7, phq-9,who-5')
    expect(wave).toMatchObject({ kind: 'pre', opensAt: '2026-03-01T00:00:00.000Z', closesAt: '2026-03-15T00:00:00.000Z', instruments: ['gad-7', 'phq-9', 'who-5'] })
    expect(await c.db.selectFrom('wave').select(['kind', 'opens_at', 'closes_at']).execute()).toEqual([
      { kind: 'pre', opens_at: '2026-03-01T00:00:00.000Z', closes_at: '2026-03-15T00:00:00.000Z' },
    ])
    expect(await c.db.selectFrom('wave_instrument').select(['position', 'instrument_id']).orderBy('position').execute()).toEqual([
      { position: 0, instrument_id: 'gad-7' },
      { position: 1, instrument_id: 'phq-9' },
      { position: 2, instrument_id: 'who-5' },
    ])
  })

  // Found by a newcomer's walk-through: the README's dates, copied months later, set a wave that had
  // closed, and nothing said so.
  it('says so when the wave has already closed, and not when it is open or to come', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const past = await c.run('wave', 'set', '--cohort', cohortId, '--wave', 'pre', '--opens', '2026-02-01', '--closes', '2026-02-14', '--instruments', 'phq-9')
    expect(past.code).toBe(0)
    expect(past.stdout).toContain('note: this wave has already closed (its last day is past): no participant can answer it.')
    const open = await c.run('wave', 'set', '--cohort', cohortId, '--wave', 'post', '--opens', '2026-03-01', '--closes', '2026-03-14', '--instruments', 'phq-9')
    expect(open.code).toBe(0)
    expect(open.stdout).not.toContain('already closed')
  })

  it('redefines an existing wave instead of adding a second one', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    await runJson(c, 'wave', 'set', '--cohort', cohortId, '--wave', 'post', '--opens', '2026-04-01', '--closes', '2026-04-14', '--instruments', 'phq-9,gad-7')
    await runJson(c, 'wave', 'set', '--cohort', cohortId, '--wave', 'post', '--opens', '2026-04-02', '--closes', '2026-04-20', '--instruments', 'cbi')
    expect(await c.db.selectFrom('wave').select(['kind', 'opens_at', 'closes_at']).execute()).toEqual([
      { kind: 'post', opens_at: '2026-04-02T00:00:00.000Z', closes_at: '2026-04-21T00:00:00.000Z' },
    ])
    expect(await c.db.selectFrom('wave_instrument').select('instrument_id').execute()).toEqual([{ instrument_id: 'cbi' }])
  })

  it('refuses an unknown instrument, naming it, and writes no wave', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const result = await c.run('wave', 'set', '--cohort', cohortId, '--wave', 'pre', '--opens', '2026-03-01', '--closes', '2026-03-14', '--instruments', 'phq-9,phq-99')
    expect(result.code).toBe(1)
    expect(result.out).toEqual([])
    expect(result.stderr).toContain('"phq-99"')
    expect(await rowCount(c, 'wave')).toBe(0)
    expect(await c.db.selectFrom('wave_instrument').selectAll().execute()).toEqual([])
    expect(await c.db.selectFrom('audit_log').select('id').where('action', '=', 'wave.set').execute()).toEqual([])

    const body = await runJsonError(c, 'wave', 'set', '--cohort', cohortId, '--wave', 'pre', '--opens', '2026-03-01', '--closes', '2026-03-14', '--instruments', 'phq-9,phq-99')
    expect(body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'instruments[1]', message: expect.stringContaining('"phq-99"') }] })
  })

  it('refuses a form that is not a questionnaire', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const body = await runJsonError(c, 'wave', 'set', '--cohort', cohortId, '--wave', 'pre', '--opens', '2026-03-01', '--closes', '2026-03-14', '--instruments', 'consent')
    expect(body.error.details).toEqual([{ field: 'instruments[0]', message: expect.stringContaining('not a questionnaire') }])
    expect(await rowCount(c, 'wave')).toBe(0)
  })

  it('refuses a wave that closes before it opens', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const result = await c.run('wave', 'set', '--cohort', cohortId, '--wave', 'pre', '--opens', '2026-03-14', '--closes', '2026-03-01', '--instruments', 'phq-9')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/closes.*after the opening date/)
    expect(await rowCount(c, 'wave')).toBe(0)
  })

  it('refuses a date that does not exist', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const body = await runJsonError(c, 'wave', 'set', '--cohort', cohortId, '--wave', 'pre', '--opens', '2026-02-30', '--closes', '2026-03-14', '--instruments', 'phq-9')
    expect(body.error.details).toEqual([{ field: 'opens', message: expect.stringContaining('"2026-02-30" is not a date') }])
    expect(await rowCount(c, 'wave')).toBe(0)
  })

  it('exits non-zero for a wave kind that does not exist', async () => {
    const c = await cli()
    const { cohortId } = await studyAndCohort(c)
    const result = await c.run('wave', 'set', '--cohort', cohortId, '--wave', 'during', '--opens', '2026-03-01', '--closes', '2026-03-14', '--instruments', 'phq-9')
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('during')
    expect(await rowCount(c, 'wave')).toBe(0)
  })
})

describe('instruments', () => {
  it('lists the shipped questionnaires and forms', async () => {
    const c = await cli()
    const list = await runJson<{ id: string; version: string; kind: string; scales: string[] }[]>(c, 'instruments', 'list')
    const ids = list.map((i) => i.id)
    for (const id of ['phq-9', 'gad-7', 'who-5', 'cbi']) expect(ids).toContain(id)
    expect(list.find((i) => i.id === 'phq-9')).toMatchObject({ version: '1.0.0', kind: 'questionnaire', scales: ['total'] })
    expect(list.find((i) => i.id === 'consent')).toMatchObject({ kind: 'consent', scales: [] })
  })

  it('checks a translation file against its instrument and names each text it misses', async () => {
    const c = await cli()
    const dir = mkdtempSync(join(tmpdir(), 'balint-cli-translation-'))
    const translation = JSON.parse(readFileSync(join(shippedInstrumentsFolder, 'consent.fa.json'), 'utf8'))
    delete translation.texts['consent.choices.decline']
    writeFileSync(join(dir, 'consent.json'), readFileSync(join(shippedInstrumentsFolder, 'consent.json')))
    writeFileSync(join(dir, 'consent.fa.json'), JSON.stringify(translation))
    const bad = await c.run('instruments', 'check', join(dir, 'consent.fa.json'))
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('texts["consent.choices.decline"]: missing (English: "I do not want to take part")')
    // Checking the instrument reports its broken translation too.
    const instrument = await c.run('instruments', 'check', join(dir, 'consent.json'))
    expect(instrument.code).not.toBe(0)
    expect(instrument.stderr).toContain('consent.fa.json: texts["consent.choices.decline"]: missing')

    const good = await runJson(c, 'instruments', 'check', join(shippedInstrumentsFolder, 'consent.json'))
    expect(good).toMatchObject({ ok: true, id: 'consent', languages: ['en', 'fa'] })
  })

  it('accepts a valid shipped file', async () => {
    const c = await cli()
    const file = join(shippedInstrumentsFolder, 'phq-9.json')
    const result = await runJson(c, 'instruments', 'check', file)
    // PHQ-9: nine items and the difficulty question.
    // No validated Persian translation of it is shipped, so it stays English-only.
    expect(result).toEqual({ ok: true, id: 'phq-9', version: '1.0.0', kind: 'questionnaire', questions: 10, languages: ['en'] })
    const plain = await c.run('instruments', 'check', file)
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain('phq-9@1.0.0 is valid')
  })

  it('rejects a broken file, naming the field', async () => {
    const c = await cli()
    const dir = mkdtempSync(join(tmpdir(), 'balint-cli-'))
    try {
      const json = JSON.parse(readFileSync(join(shippedInstrumentsFolder, 'phq-9.json'), 'utf8'))
      json.scoring.scales[0].items[2] = 'phq9_99'
      const file = join(dir, 'broken.json')
      writeFileSync(file, JSON.stringify(json))

      const result = await c.run('instruments', 'check', file)
      expect(result.code).toBe(1)
      expect(result.out).toEqual([])
      expect(result.stderr).toContain('scoring.scales[0].items[2]')
      expect(result.stderr).toContain('"phq9_99" is not a question')

      const body = await runJsonError(c, 'instruments', 'check', file)
      expect(body.error.code).toBe('invalid_arguments')
      expect(body.error.details).toEqual([{ file, field: 'scoring.scales[0].items[2]', message: expect.stringContaining('phq9_99') }])

      const notJson = join(dir, 'not-json.json')
      writeFileSync(notJson, '{ "id": ')
      const bad = await c.run('instruments', 'check', notJson)
      expect(bad.code).toBe(1)
      expect(bad.stderr).toContain('not valid JSON')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('demo', () => {
  it('creates 8 participants whose links open their page, with the pre wave open and the post wave to come', async () => {
    const c = await cli()
    const demo = await runJson<{ studyId: string; cohortId: string; completedCohortId: string; participants: { code: string; link: string }[] }>(c, 'demo')
    expect(demo.participants.map((p) => p.code)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'])
    for (const p of demo.participants) expect(p.link).toMatch(linkPattern)
    const byCohort = await c.db.selectFrom('participant').select(['cohort_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('cohort_id').execute()
    expect(Object.fromEntries(byCohort.map((r) => [r.cohort_id, Number(r.n)]))).toEqual({ [demo.cohortId]: 8, [demo.completedCohortId]: 12 })
    expect(await rowCount(c, 'group_session')).toBe(16)

    const app = createApp(c.deps)
    for (const p of demo.participants) {
      const res = await app.request(`/api/p/${tokenOf(p.link)}`)
      expect(res.status).toBe(200)
      const state = (await res.json()) as { study: { name: string }; participant: { code: string; status: string }; waves: { kind: string; state: string; forms: { instrument: { id: string } }[] }[] }
      expect(state.participant).toMatchObject({ code: p.code, status: 'invited' })
      expect(state.study.name).toMatch(/^Demo/)
      expect(state.waves.map((w) => [w.kind, w.state])).toEqual([
        ['pre', 'open'],
        ['post', 'upcoming'],
      ])
      expect(state.waves[0]!.forms.map((f) => f.instrument.id)).toEqual(['phq-9', 'gad-7', 'who-5', 'cbi'])
    }
  })
})

describe('demo, completed cohort', () => {
  it('holds invented pre and post data that the report can analyse', async () => {
    const c = await cli()
    const demo = await runJson<{ completedCohortId: string }>(c, 'demo')
    const { cohortReport } = await import('../../../server/domain/outcomes/report')
    const report = await cohortReport(c.deps, demo.completedCohortId, { from: 'pre', to: 'post' })
    expect(report.funnel).toMatchObject({ enrolled: 12, consented: 12, completed: { pre: 12, post: 12 }, paired: 12 })
    expect(report.scales.map((s) => s.scale)).toEqual(['total', 'total', 'raw', 'percentage', 'personal', 'work', 'patient'])
    for (const s of report.scales) {
      expect(s.n).toBe(12)
      expect(s.pairedT).not.toBeNull()
    }
    // The invented burden falls after the group: PHQ-9 goes down on average.
    expect(report.scales[0]!.change.mean).toBeLessThan(0)
    expect(report.participants.every((p) => p.attended >= 4 && p.attended <= 8)).toBe(true)
    // The same seed gives the same data: a second demo has the same PHQ-9 statistics.
    const again = await runJson<{ completedCohortId: string }>(c, 'demo')
    const second = await cohortReport(c.deps, again.completedCohortId, { from: 'pre', to: 'post' })
    expect(second.scales[0]!.pairedT).toEqual(report.scales[0]!.pairedT)
  })
})

describe('errors', () => {
  it('exits non-zero for an unknown command', async () => {
    const c = await cli()
    const result = await c.run('studies', 'make')
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/unknown command/i)
  })

  it('prints a one-line message without a stack, and the error shape with --json', async () => {
    const c = await cli()
    const plain = await c.run('participants', 'add', '--cohort', 'missing', '--count', '1')
    expect(plain).toMatchObject({ code: 1, out: [], err: ['error: There is no cohort "missing".'] })
    const body = await runJsonError(c, 'participants', 'add', '--cohort', 'missing', '--count', '1')
    expect(body).toEqual({ error: { code: 'not_found', message: 'There is no cohort "missing".' } })
  })
})
