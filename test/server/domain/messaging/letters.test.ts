/**
 * A wave's letters, prepared by hand for a whole cohort (issue 17), written in a few statements
 * however many participants (issue 16: four statements per participant held SQLite's write lock for
 * 2.6 s at 10,000), with each participant's message links rotated as one participant's are: at most
 * three working, the links a researcher handed out untouched.
 */
import { describe, expect, it } from 'vitest'
import { listAudit } from '../../../../server/db/repositories/audit'
import { prepareMessages } from '../../../../server/domain/messaging/invitations'
import { addParticipants, createCohort, createStudy, setWave } from '../../../../server/domain/staff/setup'
import { countingStatements, testApp } from '../../../helpers/app'

const baseUrl = 'https://balint.example'
const tokenOf = (link: string) => new URL(link).pathname.replace('/p/', '')

async function studyOf(sizes: number[]) {
  const world = await testApp()
  const counted = countingStatements(world.deps)
  const study = await createStudy(world.deps, { name: 'Letters study', timeZone: 'UTC' }, 'test')
  const cohorts = []
  for (const [k, count] of sizes.entries()) {
    const cohort = await createCohort(world.deps, { studyId: study.id, name: `Group ${k + 1}` }, 'test')
    const participants = await addParticipants(world.deps, { cohortId: cohort.id, count }, 'test')
    await setWave(world.deps, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-02', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
    cohorts.push({ cohort, participants })
  }
  /** The cohort's letters for the pre wave, and how many statements preparing them ran. */
  const letters = async (cohortId: string) => {
    counted.reset()
    const prepared = await prepareMessages(counted.deps, { cohortId, wave: 'pre', kind: 'reminder' }, 'staff-1', baseUrl)
    world.clock.advance(60_000)
    return { prepared, statements: counted.count() }
  }
  const status = async (token: string) => (await world.app.request(`/api/p/${token}`)).status
  return { ...world, cohorts, letters, status }
}

describe("a wave's letters", () => {
  it('rotate every participant’s message links as one participant’s are, and leave the links staff handed out working', async () => {
    const w = await studyOf([12])
    const { cohort, participants } = w.cohorts[0]!
    const rounds = []
    for (let r = 0; r < 4; r++) rounds.push((await w.letters(cohort.id)).prepared)
    expect(rounds.every((round) => round.length === 12)).toBe(true)
    for (const [i, p] of participants.entries()) {
      const links = rounds.map((round) => round[i]!)
      expect(links.every((l) => l.participantId === p.id)).toBe(true)
      // Four letters: the oldest link ended when the fourth was made; the newest three work.
      expect(await Promise.all(links.map((l) => w.status(tokenOf(l.link))))).toEqual([410, 200, 200, 200])
      expect(await w.status(p.token)).toBe(200)
    }
    // A link issued and a letter prepared, audited for each participant each time.
    const audit = await listAudit(w.db)
    for (const action of ['participant.link_issue', 'message.prepare']) {
      const entries = audit.filter((e) => e.action === action)
      expect(entries).toHaveLength(48)
      expect(new Set(entries.map((e) => e.entityId))).toEqual(new Set(participants.map((p) => p.id)))
    }
  })

  it('run as many statements for 300 participants as for 3', async () => {
    const w = await studyOf([3, 300])
    const [few, many] = w.cohorts
    // The second time round, each participant has a message link to rotate.
    await w.letters(few!.cohort.id)
    await w.letters(many!.cohort.id)
    const small = await w.letters(few!.cohort.id)
    const large = await w.letters(many!.cohort.id)
    expect(small.prepared).toHaveLength(3)
    expect(large.prepared).toHaveLength(300)
    expect(large.statements).toBe(small.statements)
  })
})
