/**
 * Case GUIDs of a .qdpx (from the qualitative review). Participant codes restart at P1 in every
 * cohort, and the Case GUID was made from the code alone: P1 of Group A and P1 of Group B, two
 * people, had the same GUID in their cohorts' exports, so a tool merging the two projects by GUID
 * (REFI-QDA identifies every object by its GUID) made them one case with both interviews. A Case
 * GUID is now the cohort's and the code's, and stays the same from one export to the next.
 */
import { describe, expect, it } from 'vitest'
import { exportCohortQdpx } from '../../server/domain/qualitative/qda-export'
import { putTranscript, startInterview } from '../../server/domain/qualitative/interviews'
import { readQdpx } from '../../server/domain/qualitative/refi-import'
import { findParticipant } from '../../server/db/repositories/participants'
import { addParticipants, createCohort } from '../../server/domain/staff/setup'
import { testDeps } from '../helpers/app'
import { codingStudy } from '../helpers/qualitative'

describe('the Case GUIDs of two cohorts’ exports', () => {
  it('differ for two participants of the same code, and stay the same across exports of one cohort', async () => {
    const deps = await testDeps()
    const w = await codingStudy(deps, ['P1: Group A, first participant.'])
    const groupB = await createCohort(deps, { studyId: w.study.id, name: 'Group 2' }, 'test')
    const [p] = await addParticipants(deps, { cohortId: groupB.id, count: 1 }, 'test')
    const participantB = (await findParticipant(deps.db, p!.id))!
    expect(participantB.code).toBe('P1')
    const interview = await startInterview(deps, participantB, w.coderA, { consentToRecord: true })
    await putTranscript(deps, interview, { format: 'text', content: 'P1: Group B, another person.' }, w.coderA)

    const caseOf = async (cohortId: string) => {
      const project = readQdpx((await exportCohortQdpx(deps, cohortId, { actor: 'test', destination: 'download' })).bytes)
      expect(project.cases.map((c) => c.name)).toEqual(['P1'])
      return project.cases[0]!.guid
    }
    const a = await caseOf(w.cohort.id)
    const b = await caseOf(groupB.id)
    expect(a).not.toBe(b)
    expect(await caseOf(w.cohort.id)).toBe(a)
  })
})
