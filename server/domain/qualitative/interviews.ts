/**
 * Interviews after the group: who interviews whom, the interview itself (guide, consent to record,
 * start and end), notes per guide question saved as they are typed, and the transcript.
 *
 * Who sees what: researchers see every interview of their study; an interviewer sees only the
 * participants assigned to them, and any other participant is "not found" to them; program leads and
 * group leaders never see interviews, notes or transcripts (forbidden).
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { ApiError } from '../errors'
import { insertAudit } from '../../db/repositories/audit'
import { discardDeletedPages, purgeTranscriptSearchIndex } from '../../db/repositories/erasure'
import {
  deleteAssignment,
  findAssignment,
  findAssignmentOf,
  findInterview,
  findInterviewOfParticipant,
  findNote,
  findTranscriptOfInterview,
  findTranscriptPlace,
  insertAssignment,
  insertInterview,
  listAssignedParticipants,
  listAssignments,
  listInterviewsOfParticipants,
  listNotes,
  updateInterview,
  upsertNote,
  upsertTranscript,
  type Interview,
  type InterviewAssignment,
  type Transcript,
  type TranscriptPlace,
} from '../../db/repositories/interviews'
import { countCodingsOfTranscript } from '../../db/repositories/codings'
import { findParticipant, type Participant } from '../../db/repositories/participants'
import { listRolesInStudy, listRolesOfUser, type StaffUser } from '../../db/repositories/staff'
import { findCohort } from '../../db/repositories/studies'
import type { NoteBody, NoteSaved, StartInterviewBody, TranscriptBody, UpdateInterviewBody } from '../../contracts/qualitative'
import { requireStudyRole } from '../staff/access'
import type { Deps } from '../deps'
import type { InterviewGuide } from '../instruments/registry'
import { codePointLength } from './units'
import { parseWebVtt, type WebVttCue } from './webvtt'

/** The guide an interview follows when none is named. */
export const defaultGuideId = 'balint-interview-guide'

const actorOf = (user: StaffUser) => `staff:${user.id}`
const problem = (field: string, message: string) => new ApiError('validation_failed', `${field}: ${message}`, [{ field, message }])

// ---------------------------------------------------------------------------------------------
// Access

/** Where a participant belongs. */
async function studyOfParticipant(deps: Deps, participant: Participant): Promise<string> {
  const cohort = await findCohort(deps.db, participant.cohortId)
  if (!cohort) throw new Error(`participant ${participant.id} has no cohort`)
  return cohort.studyId
}

/**
 * The participant, if the user may do interview work with them: a researcher of their study, or an
 * interviewer assigned to them. An interviewer asking about anyone else, and a user with no role in
 * the study, get "not found"; program leads and group leaders get "forbidden".
 *
 * @example
 * const { participant, studyId } = await requireInterviewAccess(deps, user, participantId)
 */
export async function requireInterviewAccess(deps: Deps, user: StaffUser, participantId: string): Promise<{ participant: Participant; studyId: string; asResearcher: boolean }> {
  const notFound = new ApiError('not_found', 'No such participant.')
  const participant = await findParticipant(deps.db, participantId)
  if (!participant) throw notFound
  const studyId = await studyOfParticipant(deps, participant)
  const { roles } = await requireStudyRole(deps, user, studyId, ['researcher', 'interviewer']).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === 'not_found') throw notFound
    if (error instanceof ApiError && error.code === 'forbidden') {
      throw new ApiError('forbidden', "Interviews, notes and transcripts are open only to the study's researchers and the participant's interviewer.")
    }
    throw error
  })
  if (roles.includes('researcher')) return { participant, studyId, asResearcher: true }
  if (await findAssignmentOf(deps.db, user.id, participant.id)) return { participant, studyId, asResearcher: false }
  throw notFound
}

/** As requireInterviewAccess, for an interview by id. */
export async function requireInterview(deps: Deps, user: StaffUser, interviewId: string): Promise<{ interview: Interview; participant: Participant; studyId: string; asResearcher: boolean }> {
  const interview = await findInterview(deps.db, interviewId)
  if (!interview) throw new ApiError('not_found', 'No such interview.')
  try {
    return { interview, ...(await requireInterviewAccess(deps, user, interview.participantId)) }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', 'No such interview.')
    throw error
  }
}

/** As requireInterviewAccess, for a transcript by id. */
export async function requireTranscript(deps: Deps, user: StaffUser, transcriptId: string): Promise<{ place: TranscriptPlace; asResearcher: boolean }> {
  const place = await findTranscriptPlace(deps.db, transcriptId)
  if (!place) throw new ApiError('not_found', 'No such transcript.')
  try {
    const { asResearcher } = await requireInterviewAccess(deps, user, place.participantId)
    return { place, asResearcher }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', 'No such transcript.')
    throw error
  }
}

/**
 * Refuse interview work that would record something new about a participant who has withdrawn.
 * Withdrawing ends taking part: their link takes no more answers or consent, and staff can no longer
 * save their contact details. A participant who chose to keep their data kept the interview as it
 * stood that day, so no interview is started and its notes, transcript, times and consent to record
 * are no longer written, not even to correct a typo: a correction is a new statement about them,
 * made after they left, and a changed consent to record would open the way to a new transcript.
 * Reading the kept interview, coding it, and deleting from it stay open.
 *
 * Read inside the write's transaction, so that a withdrawal committed just before is seen.
 *
 * @example
 * await deps.db.transaction().execute(async (trx) => {
 *   await refuseIfWithdrawn(trx, interview.participantId)
 *   // ... the write
 * })
 */
async function refuseIfWithdrawn(db: Kysely<Database>, participantId: string): Promise<void> {
  const participant = await findParticipant(db, participantId)
  if (participant?.status === 'withdrawn') throw new ApiError('withdrawn', 'This participant has withdrawn from the study.')
}

// ---------------------------------------------------------------------------------------------
// Guides

/** What an interviewer's page needs of a guide. */
export function guideView(guide: InterviewGuide) {
  return {
    id: guide.id,
    version: guide.version,
    title: guide.title,
    languages: guide.languages,
    citation: guide.citation,
    introduction: guide.introduction ?? null,
    questions: guide.questions,
    closing: guide.closing ?? null,
  }
}
export type GuideView = ReturnType<typeof guideView>

function guideOf(deps: Deps, interview: Interview): InterviewGuide {
  const guide = deps.instruments.guide(interview.guideId, interview.guideVersion)
  // The guide file was removed after interviews were held with it: a set-up error, not the user's.
  if (!guide) throw new Error(`interview guide ${interview.guideId}@${interview.guideVersion} is not loaded`)
  return guide
}

// ---------------------------------------------------------------------------------------------
// Assignments

/**
 * Assign an interviewer to a participant of the study. The interviewer must hold the interviewer role
 * in the study. Assigning the same pair again changes nothing and returns the existing assignment.
 */
export async function assignInterviewer(
  deps: Deps,
  studyId: string,
  body: { interviewerId: string; participantId: string },
  actor: string,
): Promise<{ assignment: InterviewAssignment; created: boolean }> {
  const roles = await listRolesInStudy(deps.db, studyId)
  if (!roles.some((r) => r.userId === body.interviewerId && r.role === 'interviewer')) {
    throw problem('interviewerId', 'is not an interviewer of this study: give them the interviewer role first')
  }
  const participant = await findParticipant(deps.db, body.participantId)
  if (!participant || (await studyOfParticipant(deps, participant)) !== studyId) throw problem('participantId', 'is not a participant of this study')
  return deps.db.transaction().execute(async (trx) => {
    const existing = await findAssignmentOf(trx, body.interviewerId, body.participantId)
    if (existing) return { assignment: existing, created: false }
    const now = deps.now()
    const assignment = await insertAssignment(trx, { studyId, interviewerId: body.interviewerId, participantId: body.participantId, assignedBy: actor }, now)
    await insertAudit(trx, { actor, action: 'interview.assign', entity: 'participant', entityId: participant.id, details: { interviewerId: body.interviewerId } }, now)
    return { assignment, created: true }
  })
}

/** End an assignment. The interviewer loses access; the interview and its notes stay. */
export async function unassignInterviewer(deps: Deps, studyId: string, assignmentId: string, actor: string): Promise<void> {
  const assignment = await findAssignment(deps.db, assignmentId)
  if (!assignment || assignment.studyId !== studyId) throw new ApiError('not_found', 'No such assignment.')
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await deleteAssignment(trx, assignment.id)
    await insertAudit(trx, { actor, action: 'interview.unassign', entity: 'participant', entityId: assignment.participantId, details: { interviewerId: assignment.interviewerId } }, now)
  })
}

export type InterviewStatus = 'not_started' | 'in_progress' | 'ended'

const statusOf = (interview: { endedAt: string | null } | undefined): InterviewStatus => (!interview ? 'not_started' : interview.endedAt ? 'ended' : 'in_progress')

/** A study's assignments, with each participant's interview status. */
export async function studyAssignments(deps: Deps, studyId: string) {
  const assignments = await listAssignments(deps.db, studyId)
  const interviews = await listInterviewsOfParticipants(deps.db, [...new Set(assignments.map((a) => a.participantId))])
  return assignments.map((a) => {
    const interview = interviews.get(a.participantId)
    return { ...a, interviewId: interview?.id ?? null, interviewStatus: statusOf(interview) }
  })
}

/**
 * The signed-in interviewer's participants, in every study where they still hold the interviewer
 * role, with their interview's status. Codes only: an interviewer needs nothing else to call.
 */
export async function interviewerParticipants(deps: Deps, user: StaffUser) {
  const interviewerIn = new Set((await listRolesOfUser(deps.db, user.id)).filter((r) => r.role === 'interviewer').map((r) => r.studyId))
  const assigned = (await listAssignedParticipants(deps.db, user.id)).filter((a) => interviewerIn.has(a.studyId))
  const interviews = await listInterviewsOfParticipants(deps.db, assigned.map((a) => a.participantId))
  return assigned.map((a) => {
    const interview = interviews.get(a.participantId)
    return {
      participantId: a.participantId,
      participantCode: a.participantCode,
      participantStatus: a.participantStatus,
      // The study's zone: interview times are typed and shown in it, wherever the interviewer is.
      study: { id: a.studyId, name: a.studyName, timeZone: a.studyTimeZone },
      cohort: { id: a.cohortId, name: a.cohortName },
      interview: interview
        ? { id: interview.id, status: statusOf(interview), startedAt: interview.startedAt, endedAt: interview.endedAt, consentToRecord: interview.consentToRecord, hasTranscript: interview.transcriptId !== null }
        : null,
      interviewStatus: statusOf(interview),
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Interviews

/** An interview as its page shows it: the guide, the notes by question, and the transcript's summary. */
export async function interviewView(deps: Deps, interview: Interview, participant: Participant) {
  const [notes, transcript] = await Promise.all([listNotes(deps.db, interview.id), findTranscriptOfInterview(deps.db, interview.id)])
  const guide = guideOf(deps, interview)
  const order = new Map(guide.questions.map((q, i) => [q.id, i]))
  return {
    ...interview,
    status: statusOf(interview),
    participant: { id: participant.id, code: participant.code },
    guide: guideView(guide),
    notes: notes.sort((a, b) => (order.get(a.questionId) ?? Infinity) - (order.get(b.questionId) ?? Infinity)),
    transcript: transcript ? { id: transcript.id, format: transcript.format, length: codePointLength(transcript.text), updatedAt: transcript.updatedAt } : null,
  }
}
export type InterviewView = Awaited<ReturnType<typeof interviewView>>

/**
 * Start the participant's interview, following a loaded guide (the latest `balint-interview-guide`
 * by default). The interviewer asks for consent to record first; it is stored with the interview.
 * A participant has one interview: starting a second is a conflict naming the first.
 */
export async function startInterview(deps: Deps, participant: Participant, user: StaffUser, body: StartInterviewBody): Promise<Interview> {
  const guideId = body.guideId ?? defaultGuideId
  const guide = deps.instruments.guide(guideId, body.guideVersion)
  if (!guide) throw problem(body.guideVersion && deps.instruments.guide(guideId) ? 'guideVersion' : 'guideId', `no interview guide ${guideId}${body.guideVersion ? `@${body.guideVersion}` : ''} is loaded`)
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    await refuseIfWithdrawn(trx, participant.id)
    const existing = await findInterviewOfParticipant(trx, participant.id)
    if (existing) throw new ApiError('conflict', 'This participant already has an interview.', { interviewId: existing.id })
    const interview = await insertInterview(
      trx,
      {
        participantId: participant.id,
        interviewerId: user.id,
        guideId: guide.id,
        guideVersion: guide.version,
        consentToRecord: body.consentToRecord,
        startedAt: body.startedAt ? new Date(body.startedAt).toISOString() : now.toISOString(),
      },
      now,
    )
    await insertAudit(
      trx,
      { actor: actorOf(user), action: 'interview.start', entity: 'interview', entityId: interview.id, details: { participantId: participant.id, guide: `${guide.id}@${guide.version}`, consentToRecord: body.consentToRecord } },
      now,
    )
    return interview
  })
}

/** Set the start or end time (null reopens an ended interview) or the consent to record. */
export async function updateInterviewDetails(deps: Deps, interview: Interview, body: UpdateInterviewBody, user: StaffUser): Promise<Interview> {
  const startedAt = body.startedAt !== undefined ? new Date(body.startedAt).toISOString() : interview.startedAt
  const endedAt = body.endedAt === undefined ? interview.endedAt : body.endedAt === null ? null : new Date(body.endedAt).toISOString()
  if (endedAt !== null && endedAt < startedAt) throw problem(body.endedAt !== undefined ? 'endedAt' : 'startedAt', 'the interview cannot end before it starts')
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    await refuseIfWithdrawn(trx, interview.participantId)
    // A transcript exists only because the participant agreed to be recorded; taking that back
    // while the transcript is stored would leave a recording without consent.
    if (body.consentToRecord === false && (await findTranscriptOfInterview(trx, interview.id))) {
      throw new ApiError('conflict', 'This interview has a transcript, made with consent to record. Ask the researchers to remove the transcript first.')
    }
    const changes = { startedAt: body.startedAt !== undefined ? startedAt : undefined, endedAt: body.endedAt !== undefined ? endedAt : undefined, consentToRecord: body.consentToRecord }
    await updateInterview(trx, interview.id, changes, now)
    await insertAudit(trx, { actor: actorOf(user), action: 'interview.update', entity: 'interview', entityId: interview.id, details: changes }, now)
    return (await findInterview(trx, interview.id))!
  })
}

/**
 * Save the note of one guide question as typed so far. Idempotent, like a participant's draft: a
 * save whose revision is not newer than the stored one (a retry, or a slow request overtaken by a
 * later one) changes nothing and answers `stale: true` with the stored revision.
 *
 * The audit log records the first save of each note, not every keystroke's save.
 */
export async function saveNote(deps: Deps, interview: Interview, questionId: string, body: NoteBody, user: StaffUser): Promise<NoteSaved> {
  if (!guideOf(deps, interview).questions.some((q) => q.id === questionId)) throw new ApiError('not_found', 'No such question in this interview guide.')
  return deps.db.transaction().execute(async (trx) => {
    await refuseIfWithdrawn(trx, interview.participantId)
    const stored = await findNote(trx, interview.id, questionId)
    if (stored && stored.revision >= body.revision) return { questionId, revision: stored.revision, stale: true, savedAt: stored.updatedAt }
    const now = deps.now()
    await upsertNote(trx, interview.id, { questionId, text: body.text, revision: body.revision }, now)
    if (!stored) await insertAudit(trx, { actor: actorOf(user), action: 'interview.note', entity: 'interview', entityId: interview.id, details: { questionId } }, now)
    return { questionId, revision: body.revision, stale: false, savedAt: now.toISOString() }
  })
}

// ---------------------------------------------------------------------------------------------
// Transcripts

/**
 * The plain text codings point into. WebVTT becomes one line per speaker turn, `Speaker: text`
 * (parseWebVtt). Plain text loses only its byte-order mark, and its line ends become `\n`: tools
 * disagree on whether `\r\n` is one character or two (ATLAS.ti counts one), a single `\n` is one
 * code point everywhere. The other breaks a pasted document brings become `\n` too, one for one:
 * Word's manual line break (vertical tab U+000B) and page or section break (form feed U+000C), the
 * Unicode line and paragraph separators (U+2028, U+2029) and NEL (U+0085). XML 1.0 cannot hold the
 * first two, so left in place they were dropped on export and glued the words around them together.
 *
 * @example
 * transcriptText('text', 'first line\u000bsecond\r\nthird') // => 'first line\nsecond\nthird'
 */
export function transcriptText(format: 'text' | 'vtt', content: string): string {
  if (format === 'vtt') return parseWebVtt(content).text
  return normaliseBreaks(content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'))
}

/** Line and page breaks other than `\n` (U+000B, U+000C, U+0085, U+2028, U+2029) as `\n`, one code point for one. */
export function normaliseBreaks(text: string): string {
  return text.replace(/[\u000B\u000C\u0085\u2028\u2029]/g, '\n')
}

/**
 * Store the interview's transcript, pasted or uploaded. It needs the participant's consent to record.
 * Replacing a transcript that has codings is refused unless its text is unchanged: the codings'
 * offsets point into the stored text.
 */
export async function putTranscript(deps: Deps, interview: Interview, body: TranscriptBody, user: StaffUser): Promise<Transcript> {
  if (!interview.consentToRecord) {
    throw new ApiError('consent_required', 'The participant has not agreed to this interview being recorded, so it has no transcript. Record their consent first.')
  }
  let text: string
  try {
    text = transcriptText(body.format, body.content)
  } catch (error) {
    if (error instanceof RangeError) throw problem('content', `not a WebVTT file we can read: ${error.message}`)
    throw error
  }
  if (text.trim() === '') throw problem('content', 'has no text')
  // Whoever calls (the API refuses a NUL in any JSON, the command line does not): PostgreSQL's text cannot hold one.
  if (text.includes('\u0000')) throw problem('content', 'must not contain the NUL character (U+0000)')
  const now = deps.now()
  let replaced = false
  const saved = await deps.db.transaction().execute(async (trx) => {
    await refuseIfWithdrawn(trx, interview.participantId)
    const existing = await findTranscriptOfInterview(trx, interview.id)
    replaced = existing !== undefined && existing.text !== text
    if (existing && existing.text !== text && (await countCodingsOfTranscript(trx, existing.id)) > 0) {
      throw new ApiError('conflict', 'This transcript has been coded; replacing its text would move every coded passage. Delete its codings first, or keep the text as it is.')
    }
    const transcript = await upsertTranscript(trx, { interviewId: interview.id, format: body.format, text, original: body.content, uploadedBy: user.id }, now)
    if (replaced) await purgeTranscriptSearchIndex(trx)
    await insertAudit(
      trx,
      { actor: actorOf(user), action: existing ? 'transcript.replace' : 'transcript.upload', entity: 'transcript', entityId: transcript.id, details: { interviewId: interview.id, format: body.format, length: codePointLength(text) } },
      now,
    )
    return transcript
  })
  // The replaced text (names taken out before coding, say) leaves the WAL too, as a deletion does.
  // Best effort: the text is saved either way, and when another process keeps the WAL from being
  // truncated, the next checkpoint writes it back.
  if (replaced) await discardDeletedPages(deps.db).catch(() => {})
  return saved
}

/** A transcript as the coding page shows it; a WebVTT upload keeps its cues' times, placed in the text. */
export function transcriptView(transcript: Transcript, participant: { id: string; code: string }) {
  let cues: WebVttCue[] = []
  if (transcript.format === 'vtt') {
    try {
      cues = parseWebVtt(transcript.original).cues
    } catch {
      cues = []
    }
  }
  return {
    id: transcript.id,
    interviewId: transcript.interviewId,
    participant: { id: participant.id, code: participant.code },
    format: transcript.format,
    text: transcript.text,
    /** In code points, the unit of every offset. */
    length: codePointLength(transcript.text),
    cues,
    uploadedBy: transcript.uploadedBy,
    createdAt: transcript.createdAt,
    updatedAt: transcript.updatedAt,
  }
}
