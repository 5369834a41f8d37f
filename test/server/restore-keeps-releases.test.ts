/**
 * Found in an adversary review of 99aa95e (a corrected answer makes its participant another person to the
 * release check) and 2b677f3 (a restore keeps the withdrawal day). `balint restore` puts a backup back
 * and makes again the withdrawals recorded in the database it replaces (reapplyWithdrawals), but not
 * the releases: a release made after the backup was taken is gone from the restored database, though
 * the program lead has read and downloaded it. The differencing check compares a new release only
 * with the releases the database still holds, so the next release is checked against nothing.
 *
 * Here the backup is taken before a researcher corrects one participant's answer (typed as male, the
 * paper says female) and releases the cohort; the program lead reads that release. After the restore
 * the correction is gone with it, and the next release, over the same 30 people, gives the answer as
 * it was typed: the two releases the program lead holds differ by that one person's answer. The same
 * happens with anyone who completed a form after the backup (a release over 31, then one over 30).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { backupDatabase } from '../../server/db/backup'
import { closeDatabase, openDatabase } from '../../server/db/connection'
import { migrateToLatest } from '../../server/db/migrate'
import { listParticipants } from '../../server/db/repositories/participants'
import { findResponse } from '../../server/db/repositories/responses'
import type { Deps } from '../../server/domain/deps'
import { ApiError } from '../../server/domain/errors'
import { importCohortCsv } from '../../server/domain/outcomes/import'
import { listReleases, releaseCohort, type Release } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { shippedInstruments, testClock } from '../helpers/app'
import { restoreWithCli } from '../helpers/cli'
import { signedInStaff } from '../helpers/staff'
import { testEngine } from '../helpers/test-database'

let folder: string | undefined
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true })
})

const sexOf = (release: Release) => release.content.table1.categorical.find((c) => c.variable === 'sex')!

describe.skipIf(testEngine === 'postgres')('balint restore of a backup taken before a release', () => {
  it('still keeps a program lead from reading one corrected answer as the difference from the release read before the restore', async () => {
    folder = mkdtempSync(join(tmpdir(), 'balint-restore-release-'))
    const dbPath = join(folder, 'balint.sqlite')
    const clock = testClock()
    const db = openDatabase(dbPath)
    await migrateToLatest(db)
    const deps: Deps = { db, instruments: shippedInstruments(), now: clock.now }
    const study = await createStudy(deps, { name: 'Restored', timeZone: 'UTC' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    // 30 answered: 12 female, 18 male (released 10 and 20).
    const rows = ['participant,wave,instrument,item,value']
    for (let i = 1; i <= 30; i++) rows.push(`P${i},enrolment,demographics,sex,${i <= 12 ? 'female' : 'male'}`)
    await importCohortCsv(deps, { cohortId: cohort.id, csv: rows.join('\n') }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const by = { id: researcher.user.id, name: researcher.user.name }

    const backupFile = join(folder, 'backup.sqlite')
    await backupDatabase(dbPath, backupFile)

    // After the backup: P30's paper form says female; it was typed as male. Corrected, then released.
    clock.advance(3600_000)
    const p30 = (await listParticipants(db, cohort.id)).find((p) => p.code === 'P30')!
    const response = (await findResponse(db, p30.id, null, 'demographics'))!
    await correctAnswer(deps, { responseId: response.id, question: 'sex', oldValue: 'male', value: 'female', reason: 'Paper form says female' }, `staff:${researcher.user.id}`)
    const readByLead = await releaseCohort(deps, cohort.id, by)
    expect(sexOf(readByLead).levels.slice(0, 2).map((l) => [l.value, l.n])).toEqual([
      ['female', 15],
      ['male', 15],
    ])
    await closeDatabase(db)

    // The database is put back from the backup.
    clock.advance(3600_000)
    const { code, err } = await restoreWithCli(dbPath, backupFile, clock.now)
    expect(err).toEqual([])
    expect(code).toBe(0)

    const restored = openDatabase(dbPath)
    try {
      const restoredDeps: Deps = { db: restored, instruments: shippedInstruments(), now: clock.now }
      // The release the program lead read is kept: listed for them again, and checked against.
      expect((await listReleases(restoredDeps, cohort.id)).map((r) => r.id)).toEqual([readByLead.id])
      clock.advance(3600_000)
      const next = await releaseCohort(restoredDeps, cohort.id, by).then(
        (release) => release,
        (error: unknown) => {
          expect(error).toBeInstanceOf(ApiError)
          expect((error as ApiError).code).toBe('disclosure_risk')
          return null
        },
      )
      // What the program lead now holds: the release read before the restore, and any made after it.
      const held = [readByLead, ...(next ? [next] : [])].map(sexOf)
      // Each is over the same 30 people...
      expect(new Set(held.map((b) => b.answered))).toEqual(new Set([30]))
      // ...so they may not show two different breakdowns: the difference would be P30's answer. (A
      // release made after the correction withholds the breakdown: every count null.)
      const shown = held.filter((b) => b.levels.some((l) => l.n !== null))
      expect(shown.length).toBeGreaterThan(0)
      expect(new Set(shown.map((b) => JSON.stringify(b.levels.map((l) => l.n)))).size).toBe(1)
    } finally {
      await closeDatabase(restored)
    }
  })
})
