/**
 * A study with interviews ready for coding, built through the domain functions: two researchers who
 * code, an interviewer, and participants whose interviews have transcripts.
 */
import { findParticipant } from '../../server/db/repositories/participants'
import { grantRole } from '../../server/db/repositories/staff'
import type { TranscriptPlace } from '../../server/db/repositories/interviews'
import { findTranscriptPlace } from '../../server/db/repositories/interviews'
import { createStaffUser } from '../../server/domain/staff/auth'
import type { Deps } from '../../server/domain/deps'
import { putTranscript, startInterview } from '../../server/domain/qualitative/interviews'
import { addParticipants, createCohort, createStudy } from '../../server/domain/staff/setup'

let counter = 0

export async function staffMember(deps: Deps, studyId: string, role: 'researcher' | 'interviewer' | 'program_lead' | 'group_leader') {
  const user = await createStaffUser(deps, { email: `coder${++counter}-${Math.random().toString(36).slice(2, 8)}@example.org`, name: `Coder ${counter}`, password: 'a long enough password' }, 'test')
  await grantRole(deps.db, { studyId, userId: user.id, role }, deps.now())
  return user
}

/** A study, one cohort, and one interview with this transcript per text given. */
export async function codingStudy(deps: Deps, texts: string[]) {
  const study = await createStudy(deps, { name: 'Coding study' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group 1' }, 'test')
  const participants = await addParticipants(deps, { cohortId: cohort.id, count: Math.max(1, texts.length) }, 'test')
  const coderA = await staffMember(deps, study.id, 'researcher')
  const coderB = await staffMember(deps, study.id, 'researcher')
  const transcripts: TranscriptPlace[] = []
  for (const [i, text] of texts.entries()) {
    const participant = (await findParticipant(deps.db, participants[i]!.id))!
    const interview = await startInterview(deps, participant, coderA, { consentToRecord: true })
    const transcript = await putTranscript(deps, interview, { format: 'text', content: text }, coderA)
    transcripts.push((await findTranscriptPlace(deps.db, transcript.id))!)
  }
  return { study, cohort, participants, coderA, coderB, transcripts }
}

/** Code-point span of the first occurrence of `phrase` in `text`. */
export function spanOf(text: string, phrase: string): { start: number; end: number } {
  const at = text.indexOf(phrase)
  if (at < 0) throw new Error(`"${phrase}" is not in the text`)
  const start = [...text.slice(0, at)].length
  return { start, end: start + [...phrase].length }
}
