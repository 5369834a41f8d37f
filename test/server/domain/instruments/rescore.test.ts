/**
 * Re-scoring stored responses after a scoring rule was mended: the CBI's work-related scale needs 4
 * of its 7 items (Kristensen et al., the PUMA scoring text); scores stored under the old rule (3
 * items) are found, shown, and replaced only with --apply, audited, and a second run finds nothing.
 */
import { describe, expect, it } from 'vitest'
import { listParticipants } from '../../../../server/db/repositories/participants'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { rescoreResponses } from '../../../../server/domain/instruments/rescore'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testDeps } from '../../../helpers/app'
import { cliRunner } from '../../../helpers/cli'
import { itemLines } from '../../../helpers/export-cohort'

async function cohortWithCbi() {
  const deps = await testDeps()
  const study = await createStudy(deps, { name: 'Rescore study' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group A' }, 'test')
  const csv = [
    'participant,wave,instrument,item,value',
    // P1: personal and patient scales whole; work scale with 3 of 7 items (w1 = 100, w2 = 100, w7 = 0).
    ...itemLines('P1', 'pre', 'cbi', 'cbi_p', [50, 50, 50, 50, 50, 50]),
    ...itemLines('P1', 'pre', 'cbi', 'cbi_w', [100, 100, null, null, null, null, 0]),
    ...itemLines('P1', 'pre', 'cbi', 'cbi_c', [25, 25, 25, 25, 25, 25]),
    // P2: every item, nothing to change.
    ...itemLines('P2', 'pre', 'cbi', 'cbi_p', [25, 25, 25, 25, 25, 25]),
    ...itemLines('P2', 'pre', 'cbi', 'cbi_w', [25, 25, 25, 25, 25, 25, 75]),
    ...itemLines('P2', 'pre', 'cbi', 'cbi_c', [0, 0, 0, 0, 0, 0]),
  ].join('\n')
  await importCohortCsv(deps, { cohortId: cohort.id, csv }, 'test')
  const p1 = (await listParticipants(deps.db, cohort.id)).find((p) => p.code === 'P1')!
  const response = await deps.db.selectFrom('response').select('id').where('participant_id', '=', p1.id).where('instrument_id', '=', 'cbi').executeTakeFirstOrThrow()
  // What the old rule (3 items) stored: the mean of w1, w2 and reversed w7 = (100 + 100 + 100) / 3 = 100.
  await deps.db.updateTable('scale_score').set({ score: 100 }).where('response_id', '=', response.id).where('scale_id', '=', 'work').execute()
  return { deps, responseId: response.id, participantId: p1.id }
}

const workScore = (deps: Awaited<ReturnType<typeof testDeps>>, responseId: string) =>
  deps.db.selectFrom('scale_score').select(['score', 'answered']).where('response_id', '=', responseId).where('scale_id', '=', 'work').executeTakeFirst()

describe('rescoreResponses', () => {
  it('finds a score stored under the old rule, writes nothing without apply, and mends it with apply', async () => {
    const { deps, responseId, participantId } = await cohortWithCbi()
    expect(await workScore(deps, responseId)).toEqual({ score: 100, answered: 3 })

    const dry = await rescoreResponses(deps, { apply: false }, 'test')
    expect(dry.applied).toBe(false)
    const cbi = dry.instruments.find((i) => i.instrument === 'cbi')!
    expect(cbi).toMatchObject({ version: '1.0.0', responses: 2, changedResponses: 1 })
    expect(cbi.changes).toEqual([{ responseId, participantId, scale: 'work', before: { score: 100, bandIndex: null, answered: 3 }, after: { score: null, bandIndex: null, answered: 3 } }])
    // Nothing written.
    expect(await workScore(deps, responseId)).toEqual({ score: 100, answered: 3 })

    const applied = await rescoreResponses(deps, { apply: true }, 'staff:u1')
    expect(applied.instruments.find((i) => i.instrument === 'cbi')!.changedResponses).toBe(1)
    const after = await deps.db.selectFrom('scale_score').select(['scale_id', 'score', 'answered']).where('response_id', '=', responseId).orderBy('scale_id').execute()
    expect(after.find((s) => s.scale_id === 'work')).toEqual({ scale_id: 'work', score: null, answered: 3 })
    expect(after.find((s) => s.scale_id === 'personal')).toEqual({ scale_id: 'personal', score: 50, answered: 6 })
    const audit = await deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'response.rescore').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor: 'staff:u1', entity: 'response', entity_id: responseId })
    // The audit log names the scales, never the scores.
    expect(JSON.parse(audit[0]!.details)).toEqual({ participantId, instrument: 'cbi@1.0.0', scales: ['work'] })

    // Once mended, nothing is left to change.
    const again = await rescoreResponses(deps, { apply: false }, 'test')
    expect(again.instruments.every((i) => i.changedResponses === 0)).toBe(true)
  })

  it('balint instruments rescore shows the change, and stores it only with --apply', async () => {
    const { deps, responseId } = await cohortWithCbi()
    const run = cliRunner(deps)
    const shown = await run('instruments', 'rescore', '--instrument', 'cbi')
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('cbi@1.0.0: 2 complete responses, 1 with scores that would be changed')
    expect(shown.stdout).toContain(`response ${responseId} work: 100 → –`)
    expect(shown.stdout).toContain('Nothing was written. Run again with --apply')
    expect((await workScore(deps, responseId))?.score).toBe(100)
    const applied = await run('--json', 'instruments', 'rescore', '--apply')
    expect(applied.code).toBe(0)
    expect(JSON.parse(applied.stdout)).toMatchObject({ applied: true })
    expect(await workScore(deps, responseId)).toEqual({ score: null, answered: 3 })
  })
})
