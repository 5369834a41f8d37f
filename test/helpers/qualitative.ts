/**
 * A study with interviews ready for coding, built through the domain functions: two researchers who
 * code, an interviewer, and participants whose interviews have transcripts.
 */
import { findParticipant, listParticipants } from '../../server/db/repositories/participants'
import { grantRole } from '../../server/db/repositories/staff'
import type { TranscriptPlace } from '../../server/db/repositories/interviews'
import { findTranscriptPlace } from '../../server/db/repositories/interviews'
import { createStaffUser } from '../../server/domain/staff/auth'
import type { Deps } from '../../server/domain/deps'
import type { StaffUser } from '../../server/db/repositories/staff'
import { addCodings } from '../../server/domain/qualitative/coding'
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

/** Sentences of a synthetic interview: English and Persian, emoji of one and of several code points (a skin tone, a ZWJ family). */
export const interviewSentences = [
  'I was afraid of patients 😀 at first.',
  'من از بیماران می‌ترسیدم.',
  'The leaders helped 👍🏽 a lot!',
  'Later I grew calmer 🙂 really calmer.',
  'گروه بالینت به من کمک کرد؟',
  '👩‍👩‍👧 My family noticed.',
  'Nobody judged me. Ever.',
]

/** A deterministic pseudo-random sequence in [0, 1) (a linear congruential generator), so a failure can be replayed. */
export function sequence(seed: number): () => number {
  let state = seed
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648
}

/**
 * A synthetic transcript of speaker turns ("Interviewer: …", "<code>: …"), each of 1–4 of `sentences`,
 * about `length` UTF-16 units long, turns ending with `turnEnd`. Unless `plain`, it starts with `opening`
 * and ends with "The end 👋"; `plain` leaves out every sentence with a character of two UTF-16 units.
 */
export function syntheticTranscript(random: () => number, code: string, length: number, options: { plain?: boolean; sentences?: string[]; opening?: string; turnEnd?: string } = {}): string {
  const { plain = false, opening = '😀 ', turnEnd = '\n\n' } = options
  const all = options.sentences ?? interviewSentences
  const sentences = plain ? all.filter((s) => [...s].length === s.length) : all
  let text = plain ? '' : opening
  for (let turn = 0; text.length < length; turn++) {
    text += turn % 2 === 0 ? 'Interviewer: ' : `${code}: `
    text += Array.from({ length: 1 + Math.floor(random() * 4) }, () => sentences[Math.floor(random() * sentences.length)]!).join(' ') + turnEnd
  }
  return plain ? text : `${text}The end 👋`
}

/**
 * For each `[cohortId, text]`: the cohort's first participant interviewed by `researcher`, with `text`
 * as the transcript (a speaker's turn, "P1: …"), everything after its first four characters coded with `codeId`.
 */
export async function interviewFirstOfEachCoded(deps: Deps, researcher: StaffUser, codeId: string, interviews: readonly (readonly [string, string])[]) {
  for (const [cohortId, text] of interviews) {
    const [p] = await listParticipants(deps.db, cohortId)
    const started = await startInterview(deps, (await findParticipant(deps.db, p!.id))!, researcher, { consentToRecord: true })
    const transcript = await putTranscript(deps, started, { format: 'text', content: text }, researcher)
    await addCodings(deps, (await findTranscriptPlace(deps.db, transcript.id))!, researcher.id, { codeIds: [codeId], ...spanOf(text, text.slice(4)) })
  }
}
