/**
 * Found in an adversary review of bbc6897. builtAndChecked withholds each figure in
 * `changesOnly` and checks again, "each round takes a figure out". The combination check adds a
 * base to `changesOnly` whenever adding and subtracting gives one change (`<id>@k`), also when this
 * release's own group of that base is a guarded one (a figure withheld as too alike: everyone the
 * same age), which the difference check excludes (`!isGuarded(key)`) but the combination check does
 * not. withoutFigures then deletes `table1:age` — not there — and leaves `guarded:table1:age` in the
 * basis, so the next round finds the same change, and the loop never ends (the `.find(...)!` there
 * returns undefined each time, pushed into withheldAfterChanges without bound). It is synchronous:
 * the server's event loop stops, inside the release's database transaction, for every user.
 *
 * Steps: cohort A (12, ages 40 but one typed 50) released, age shown; cohort B (12, all 40) released,
 * age withheld as too alike; A's 50 corrected to 40; a study-wide preview or release never returns.
 * (Before bbc6897: refused with a 'combination' refusal.)
 *
 * The scenario runs in a child vitest (RELEASE_GUARDED_LOOP_INNER=1) that is killed after a time
 * limit, so that this file fails instead of hanging.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { listParticipants } from '../../server/db/repositories/participants'
import { findResponse } from '../../server/db/repositories/responses'
import { previewStudyRelease, releaseCohort, releaseStudy } from '../../server/domain/outcomes/release'
import { correctAnswer } from '../../server/domain/participation/corrections'
import { studyForReleases } from '../helpers/release-world'

const inner = process.env.RELEASE_GUARDED_LOOP_INNER === '1'
const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
const thisFile = fileURLToPath(import.meta.url)

describe.runIf(inner)('(inner) a correction that makes the study-wide age too alike', () => {
  it('previews and releases the study (withheld or refused), and returns', async () => {
    const { deps, study, researcher, by, cohortOf } = await studyForReleases('Guarded loop')
    const a = await cohortOf('A', [...Array.from({ length: 11 }, () => 40), 50])
    const b = await cohortOf('B', Array.from({ length: 12 }, () => 40))
    const releasedA = await releaseCohort(deps, a.id, by)
    expect(releasedA.content.table1.continuous.find((c) => c.variable === 'age')!.mean).not.toBeNull()
    const releasedB = await releaseCohort(deps, b.id, by)
    expect(releasedB.content.table1.continuous.find((c) => c.variable === 'age')).toMatchObject({ mean: null, why: { code: 'protect_individuals' } })

    const p12 = (await listParticipants(deps.db, a.id)).find((p) => p.code === 'P12')!
    const response = (await findResponse(deps.db, p12.id, null, 'demographics'))!
    await correctAnswer(deps, { responseId: response.id, question: 'age', oldValue: 50, value: 40, reason: 'Paper form says 40' }, `staff:${researcher.user.id}`)

    process.stdout.write('SCENARIO: previewing\n')
    const preview = await previewStudyRelease(deps, study.id)
    process.stdout.write('SCENARIO: previewed\n')
    expect(preview.withheldAfterChanges.every((f) => f !== undefined)).toBe(true)
    const whole = await releaseStudy(deps, study.id, by).catch((error: unknown) => ({ error }))
    expect('error' in whole ? (whole.error as { code?: string }).code : 'made').toMatch(/^(made|disclosure_risk)$/)
  })
})

describe.skipIf(inner)('a correction that makes the study-wide age too alike, after A (varied) and B (too alike) were released', () => {
  it('is withheld or refused in finite time, not an endless loop', { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', thisFile], {
      cwd: projectRoot,
      env: { ...process.env, RELEASE_GUARDED_LOOP_INNER: '1', NODE_OPTIONS: '--max-old-space-size=512' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const limit = 60_000
    const result = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
      const timer = setTimeout(() => {
        // The child's own process group (it was started detached), by its id.
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          child.kill('SIGKILL')
        }
        resolve({ code: null, timedOut: true })
      }, limit)
      child.on('exit', (code) => {
        clearTimeout(timer)
        resolve({ code, timedOut: false })
      })
    })
    expect({ timedOut: result.timedOut, reachedPreview: out.includes('SCENARIO: previewing'), passed: result.code === 0 }, out.slice(-3000)).toEqual({ timedOut: false, reachedPreview: true, passed: true })
  })
})
