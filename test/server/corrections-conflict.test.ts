/**
 * Two researchers correct the same answer (a lost update): each correction names the value it
 * corrects (`oldValue`), and the second one, made against a value that has changed since it was
 * loaded, is refused with 409 `conflict` showing the value stored now, and writes nothing. A body
 * without `oldValue` (an older client) is refused with 422 rather than overwriting silently.
 */
import type { KyselyPlugin } from 'kysely'
import { describe, expect, it } from 'vitest'
import { listParticipants } from '../../server/db/repositories/participants'
import { listResponsesOfParticipant } from '../../server/db/repositories/responses'
import { createDemo } from '../../server/domain/demo/study'
import { ApiError } from '../../server/domain/errors'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { jsonRequest, testApp } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'
import { testEngine } from '../helpers/test-database'

async function twoResearchers() {
  const { app, deps, db } = await testApp()
  const demo = await createDemo(deps, 'test')
  const first = await signedInStaff(deps, [{ studyId: demo.study.id, role: 'researcher' }])
  const second = await signedInStaff(deps, [{ studyId: demo.study.id, role: 'researcher' }])
  const p1 = (await listParticipants(db, demo.completedCohort.id)).find((p) => p.code === 'P1')!
  const phq = (await listResponsesOfParticipant(db, p1.id)).find((r) => r.instrumentId === 'phq-9' && r.status === 'complete')!
  const as = (who: typeof first) => (body: unknown) => app.request(`/api/responses/${phq.id}/corrections`, { ...jsonRequest('POST', body), headers: { ...who.headers, 'content-type': 'application/json' } })
  const stored = async () => (await db.selectFrom('response').select(['answers', 'revision']).where('id', '=', phq.id).executeTakeFirstOrThrow())
  const written = async () => ({
    corrections: (await db.selectFrom('answer_correction').select('id').execute()).length,
    audit: (await db.selectFrom('audit_log').select('id').where('action', '=', 'answer.correct').execute()).length,
    response: await stored(),
  })
  return { deps, db, first, second, p1, phq, byFirst: as(first), bySecond: as(second), written }
}

describe('a correction names the value it corrects', () => {
  it('refuses the second of two corrections made from the same value with 409, showing the current value, and writes nothing', async () => {
    const { first, second, phq, byFirst, bySecond, written } = await twoResearchers()
    const seen = phq.answers.phq9_1 as number
    const firstValue = seen === 3 ? 0 : seen + 1
    const secondValue = firstValue === 0 ? 1 : 0

    expect((await byFirst({ question: 'phq9_1', oldValue: seen, value: firstValue, reason: 'Paper form says otherwise' })).status).toBe(201)
    const before = await written()

    // The second researcher loaded the page before the first correction: they still see `seen`.
    const refused = await bySecond({ question: 'phq9_1', oldValue: seen, value: secondValue, reason: 'The scan says otherwise' })
    expect(refused.status).toBe(409)
    const body = await refused.json()
    expect(body).toEqual({
      error: {
        code: 'conflict',
        message: expect.stringContaining('phq9_1'),
        details: { question: 'phq9_1', oldValue: seen, currentValue: firstValue, changedAt: expect.any(String), correctedBy: first.user.name },
      },
    })
    // The message may be logged: it names no value.
    expect(body.error.message.replace('phq9_1', '').replace(first.user.name, '')).not.toMatch(/\d/)
    expect(await written()).toEqual(before)

    // Having seen the current value, they correct again from it: accepted.
    const again = await bySecond({ question: 'phq9_1', oldValue: body.error.details.currentValue, value: secondValue, reason: 'The scan says otherwise' })
    expect(again.status).toBe(201)
    expect(await again.json()).toMatchObject({ oldValue: firstValue, newValue: secondValue, correctedBy: `staff:${second.user.id}` })
  })

  it('is no conflict when another question of the same form was corrected meanwhile', async () => {
    const { phq, byFirst, bySecond } = await twoResearchers()
    const item1 = phq.answers.phq9_1 as number
    const item2 = phq.answers.phq9_2 as number
    expect((await byFirst({ question: 'phq9_1', oldValue: item1, value: item1 === 0 ? 1 : 0, reason: 'Paper form says otherwise' })).status).toBe(201)
    expect((await bySecond({ question: 'phq9_2', oldValue: item2, value: item2 === 0 ? 1 : 0, reason: 'Paper form says otherwise' })).status).toBe(201)
  })

  // An older staff page sends no `oldValue`: refused, since accepting it is exactly the silent overwrite.
  it('refuses a correction without oldValue with 422 naming the field, and writes nothing', async () => {
    const { phq, byFirst, written } = await twoResearchers()
    const before = await written()
    const res = await byFirst({ question: 'phq9_1', value: phq.answers.phq9_1 === 0 ? 1 : 0, reason: 'Paper form says otherwise' })
    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.error.code).toBe('validation_failed')
    expect(body.error.details).toEqual([{ field: 'oldValue', message: expect.stringContaining('required') }])
    expect(await written()).toEqual(before)
  })

  it('takes null as "not answered": a correction from null of an answered question is a conflict', async () => {
    const { phq, byFirst, written } = await twoResearchers()
    const before = await written()
    const res = await byFirst({ question: 'phq9_1', oldValue: null, value: phq.answers.phq9_1 === 0 ? 1 : 0, reason: 'Paper form says otherwise' })
    expect(res.status).toBe(409)
    expect((await res.json()).error.details).toMatchObject({ oldValue: null, currentValue: phq.answers.phq9_1, correctedBy: null })
    expect(await written()).toEqual(before)
  })
})

/**
 * Another researcher's correction committing between this correction's read and its write (only on
 * PostgreSQL, where transactions run side by side; SQLite runs one at a time). A Kysely plugin on the
 * first researcher's `db` commits the other correction, through the plain `db`, right after the first
 * one has read the response.
 */
describe.skipIf(testEngine !== 'postgres')('a correction racing another (PostgreSQL)', () => {
  async function racing(other: { question: string; value: (seen: number) => number }) {
    const { deps, db, phq, first, second } = await twoResearchers()
    let raced = false
    const race: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        const row = args.result.rows[0] as Record<string, unknown> | undefined
        if (!raced && row && 'revision' in row && 'answers' in row) {
          raced = true
          const seen = phq.answers[other.question] as number
          await correctAnswer(deps, { responseId: phq.id, question: other.question, oldValue: seen, value: other.value(seen), reason: 'The scan says otherwise' }, `staff:${second.user.id}`)
        }
        return args.result
      },
    }
    const seen = phq.answers.phq9_1 as number
    const attempt = correctAnswer({ ...deps, db: db.withPlugin(race) }, { responseId: phq.id, question: 'phq9_1', oldValue: seen, value: seen === 0 ? 1 : 0, reason: 'Paper form says otherwise' }, `staff:${first.user.id}`)
    return { attempt, raced: () => raced, db, phq, seen }
  }

  it('is made again from the response as it is now when the other changed another question, and both stand', async () => {
    const { attempt, raced, db, phq, seen } = await racing({ question: 'phq9_2', value: (v) => (v === 0 ? 1 : 0) })
    const saved = await attempt
    expect(raced()).toBe(true)
    expect(saved).toMatchObject({ question: 'phq9_1', oldValue: seen, newValue: seen === 0 ? 1 : 0 })
    const stored = await db.selectFrom('response').select('answers').where('id', '=', phq.id).executeTakeFirstOrThrow()
    expect(JSON.parse(stored.answers)).toMatchObject({ phq9_1: seen === 0 ? 1 : 0, phq9_2: (phq.answers.phq9_2 as number) === 0 ? 1 : 0 })
    expect((await db.selectFrom('answer_correction').select('question').execute()).map((c) => c.question).sort()).toEqual(['phq9_1', 'phq9_2'])
  })

  it('is refused with 409 showing the other value when the other changed the same question', async () => {
    const { attempt, raced, db } = await racing({ question: 'phq9_1', value: (v) => (v === 3 ? 2 : 3) })
    const refused = await attempt.then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(raced()).toBe(true)
    expect(refused).toBeInstanceOf(ApiError)
    expect(refused).toMatchObject({ code: 'conflict', details: { question: 'phq9_1', currentValue: expect.any(Number) } })
    expect((await db.selectFrom('answer_correction').select('question').execute()).map((c) => c.question)).toEqual(['phq9_1'])
  })
})
