/**
 * answers_long.csv at the speed of the database (issue 16): the streamed export equals, byte for
 * byte, what `sqlite3 -csv` writes from the same rows; the export pages use the participant index.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../server/db/connection'
import { migrateToLatest } from '../../../../server/db/migrate'
import { exportFiles } from '../../../../server/domain/outcomes/exports'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { answersLongSql } from '../../../helpers/answers-long-sql'
import { shippedInstruments } from '../../../helpers/app'

const dir = mkdtempSync(join(tmpdir(), 'balint-export-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** 450 participants (more than two export pages of 200), codes P1 … P450, PHQ-9 and WHO-5 pre and post, some items empty. */
function cohortCsv(): string {
  const lines = ['participant,wave,instrument,item,value']
  for (let p = 1; p <= 450; p++) {
    for (const wave of ['pre', 'post']) {
      for (let i = 1; i <= 9; i++) lines.push(`P${p},${wave},phq-9,phq9_${i},${(p + i) % 7 === 0 ? '' : (p * i) % 4}`)
      for (let i = 1; i <= 5; i++) lines.push(`P${p},${wave},who-5,who5_${i},${(p + i) % 6}`)
    }
  }
  return `${lines.join('\n')}\n`
}

describe.skipIf(!existsSync('/usr/bin/sqlite3'))('answers_long.csv', () => {
  it('is byte for byte what sqlite3 -csv writes from the same rows, over several pages', async () => {
    const path = join(dir, 'export.sqlite')
    const db = openDatabase(path)
    await migrateToLatest(db)
    const deps = { db, instruments: shippedInstruments(), now: () => new Date('2026-03-02T09:00:00Z') }
    const study = await createStudy(deps, { name: 'Export' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'A', sessions: 0 }, 'test')
    await importCohortCsv(deps, { cohortId: cohort.id, csv: cohortCsv() }, 'test')
    const file = (await exportFiles(deps, cohort.id)).find((f) => f.name === 'answers_long.csv')!
    let ours = ''
    for await (const chunk of file.generate()) ours += chunk
    // The export pages read a participant's responses through response_participant_idx (migration 0110).
    const plan = execFileSync('sqlite3', [path, `explain query plan select id from response where participant_id in ('a', 'b') and status = 'complete'`], { encoding: 'utf8' })
    await db.destroy()

    const floor = execFileSync('sqlite3', ['-readonly', '-header', '-csv', '-newline', '\n', path, answersLongSql(cohort.id)], { encoding: 'utf8' })
    expect(ours.split('\n').length).toBeGreaterThan(10_000)
    expect(ours).toBe(floor)
    expect(plan).toContain('response_participant_idx')
  })
})
