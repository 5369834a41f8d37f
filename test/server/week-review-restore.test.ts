/**
 * Week review: restoring a backup taken before a participant withdrew must not bring them back.
 * `balint restore` makes the withdrawals recorded in the database it replaces again in the restored
 * one: the participant stays withdrawn, and the data of one who asked for deletion are deleted again.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../server/app'
import { backupDatabase } from '../../server/db/backup'
import { closeDatabase, openDatabase } from '../../server/db/connection'
import { migrateToLatest } from '../../server/db/migrate'
import { findParticipant } from '../../server/db/repositories/participants'
import { listResponsesOfParticipant } from '../../server/db/repositories/responses'
import type { Deps } from '../../server/domain/deps'
import { addParticipants, createCohort, createStudy, setWave } from '../../server/domain/staff/setup'
import { jsonRequest, shippedInstruments, testClock } from '../helpers/app'
import { restoreWithCli } from '../helpers/cli'
import { testEngine } from '../helpers/test-database'

let folder: string | undefined
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true })
})

describe.skipIf(testEngine === 'postgres')('balint restore of a backup taken before a withdrawal', () => {
  it('keeps the participant withdrawn, and deletes again the data of one who asked for deletion', async () => {
    folder = mkdtempSync(join(tmpdir(), 'balint-restore-withdrawal-'))
    const dbPath = join(folder, 'balint.sqlite')
    const clock = testClock()
    const db = openDatabase(dbPath)
    await migrateToLatest(db)
    const deps: Deps = { db, instruments: shippedInstruments(), now: clock.now }
    const app = createApp(deps)
    const study = await createStudy(deps, { name: 'S' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'G' }, 'test')
    await setWave(deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
    const [keeps, deletes] = await addParticipants(deps, { cohortId: cohort.id, count: 2 }, 'test')
    for (const p of [keeps!, deletes!]) {
      expect((await app.request(`/api/p/${p.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
      const phq = Object.fromEntries([2, 2, 2, 2, 2, 1, 1, 1, 1].map((v, i) => [`phq9_${i + 1}`, v]))
      expect((await app.request(`/api/p/${p.token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: phq, clientId: `submit-${p.id}` }))).status).toBe(200)
    }
    const backupFile = join(folder, 'backup.sqlite')
    await backupDatabase(dbPath, backupFile)
    clock.advance(3600_000)
    expect((await app.request(`/api/p/${keeps!.token}/withdraw`, jsonRequest('POST', { keepData: true }))).status).toBe(200)
    expect((await app.request(`/api/p/${deletes!.token}/withdraw`, jsonRequest('POST', { keepData: false }))).status).toBe(200)
    await closeDatabase(db)

    const { code, err, stdout } = await restoreWithCli(dbPath, backupFile, clock.now)
    expect(err).toEqual([])
    expect(code).toBe(0)

    const restored = openDatabase(dbPath)
    try {
      expect((await findParticipant(restored, keeps!.id))!.status).toBe('withdrawn')
      expect(await listResponsesOfParticipant(restored, keeps!.id)).toHaveLength(1)
      expect((await findParticipant(restored, deletes!.id))!.status).toBe('withdrawn')
      expect(await listResponsesOfParticipant(restored, deletes!.id)).toEqual([])
      expect(await restored.selectFrom('response_flag').selectAll().innerJoin('response', 'response.id', 'response_flag.response_id').where('response.participant_id', '=', deletes!.id).execute()).toEqual([])
      // Their link takes nothing more.
      const restoredApp = createApp({ db: restored, instruments: shippedInstruments(), now: clock.now })
      const again = await restoredApp.request(`/api/p/${keeps!.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))
      expect(again.status).toBe(409)
    } finally {
      await closeDatabase(restored)
    }
    expect(stdout).toMatch(/made again: 2 participants withdrawn, the data of 1 deleted/)
  })
})
