/** Interviewer assignments, interviews, their notes per guide question, and transcripts. */
import { sql, SqliteAdapter, type Insertable, type Kysely, type Selectable } from 'kysely'
import type { Database, TranscriptFormat } from '../schema'
import { newId } from '../ids'
import { batches } from '../batch'
import { purgeTranscriptSearchIndex } from './erasure'
import { insertRows } from './responses'

export type InterviewAssignment = {
  id: string
  studyId: string
  interviewerId: string
  participantId: string
  assignedBy: string
  assignedAt: string
}

function toAssignment(r: Selectable<Database['interview_assignment']>): InterviewAssignment {
  return { id: r.id, studyId: r.study_id, interviewerId: r.interviewer_id, participantId: r.participant_id, assignedBy: r.assigned_by, assignedAt: r.assigned_at }
}

export async function insertAssignment(
  db: Kysely<Database>,
  assignment: { studyId: string; interviewerId: string; participantId: string; assignedBy: string },
  now: Date,
): Promise<InterviewAssignment> {
  const row = {
    id: newId(),
    study_id: assignment.studyId,
    interviewer_id: assignment.interviewerId,
    participant_id: assignment.participantId,
    assigned_by: assignment.assignedBy,
    assigned_at: now.toISOString(),
  }
  await db.insertInto('interview_assignment').values(row).execute()
  return toAssignment(row)
}

export async function findAssignment(db: Kysely<Database>, id: string): Promise<InterviewAssignment | undefined> {
  const r = await db.selectFrom('interview_assignment').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toAssignment(r)
}

export async function findAssignmentOf(db: Kysely<Database>, interviewerId: string, participantId: string): Promise<InterviewAssignment | undefined> {
  const r = await db
    .selectFrom('interview_assignment')
    .selectAll()
    .where('interviewer_id', '=', interviewerId)
    .where('participant_id', '=', participantId)
    .executeTakeFirst()
  return r && toAssignment(r)
}

export async function deleteAssignment(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('interview_assignment').where('id', '=', id).execute()
}

/** A study's assignments, with the participant's code and the interviewer's name. */
export async function listAssignments(
  db: Kysely<Database>,
  studyId: string,
): Promise<(InterviewAssignment & { participantCode: string; cohortId: string; interviewerName: string; interviewerEmail: string })[]> {
  const rows = await db
    .selectFrom('interview_assignment')
    .innerJoin('participant', 'participant.id', 'interview_assignment.participant_id')
    .innerJoin('staff_user', 'staff_user.id', 'interview_assignment.interviewer_id')
    .selectAll('interview_assignment')
    .select(['participant.code', 'participant.cohort_id', 'staff_user.name', 'staff_user.email'])
    .where('interview_assignment.study_id', '=', studyId)
    .execute()
  return rows
    .map((r) => ({ ...toAssignment(r), participantCode: r.code, cohortId: r.cohort_id, interviewerName: r.name, interviewerEmail: r.email }))
    .sort((a, b) => a.participantCode.localeCompare(b.participantCode, 'en', { numeric: true }) || a.assignedAt.localeCompare(b.assignedAt))
}

/** The participants assigned to an interviewer, across studies, with where they belong. */
export async function listAssignedParticipants(
  db: Kysely<Database>,
  interviewerId: string,
): Promise<{ assignmentId: string; studyId: string; studyName: string; studyTimeZone: string; cohortId: string; cohortName: string; participantId: string; participantCode: string; participantStatus: string }[]> {
  const rows = await db
    .selectFrom('interview_assignment')
    .innerJoin('participant', 'participant.id', 'interview_assignment.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .innerJoin('study', 'study.id', 'cohort.study_id')
    .select([
      'interview_assignment.id as assignment_id',
      'study.id as study_id',
      'study.name as study_name',
      'study.time_zone as study_time_zone',
      'cohort.id as cohort_id',
      'cohort.name as cohort_name',
      'participant.id as participant_id',
      'participant.code',
      'participant.status',
    ])
    .where('interview_assignment.interviewer_id', '=', interviewerId)
    .execute()
  return rows
    .map((r) => ({
      assignmentId: r.assignment_id,
      studyId: r.study_id,
      studyName: r.study_name,
      studyTimeZone: r.study_time_zone,
      cohortId: r.cohort_id,
      cohortName: r.cohort_name,
      participantId: r.participant_id,
      participantCode: r.code,
      participantStatus: r.status,
    }))
    .sort((a, b) => a.studyName.localeCompare(b.studyName) || a.cohortName.localeCompare(b.cohortName) || a.participantCode.localeCompare(b.participantCode, 'en', { numeric: true }))
}

export type Interview = {
  id: string
  participantId: string
  interviewerId: string
  guideId: string
  guideVersion: string
  consentToRecord: boolean
  startedAt: string
  endedAt: string | null
  updatedAt: string
}

function toInterview(r: Selectable<Database['interview']>): Interview {
  return {
    id: r.id,
    participantId: r.participant_id,
    interviewerId: r.interviewer_id,
    guideId: r.guide_id,
    guideVersion: r.guide_version,
    consentToRecord: r.consent_to_record === 1,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    updatedAt: r.updated_at,
  }
}

export async function insertInterview(
  db: Kysely<Database>,
  interview: { participantId: string; interviewerId: string; guideId: string; guideVersion: string; consentToRecord: boolean; startedAt: string },
  now: Date,
): Promise<Interview> {
  const made = newInterview(interview, now)
  await db.insertInto('interview').values(interviewRow(made)).execute()
  return made
}

/**
 * A new interview, with its id (time-ordered), to store with insertInterviews. Nothing is written;
 * a transcript can name it meanwhile (newTranscript).
 */
export function newInterview(
  interview: { participantId: string; interviewerId: string; guideId: string; guideVersion: string; consentToRecord: boolean; startedAt: string },
  now: Date,
): Interview {
  return {
    id: newId(),
    participantId: interview.participantId,
    interviewerId: interview.interviewerId,
    guideId: interview.guideId,
    guideVersion: interview.guideVersion,
    consentToRecord: interview.consentToRecord,
    startedAt: interview.startedAt,
    endedAt: null,
    updatedAt: now.toISOString(),
  }
}

function interviewRow(i: Interview): Insertable<Database['interview']> {
  return {
    id: i.id,
    participant_id: i.participantId,
    interviewer_id: i.interviewerId,
    guide_id: i.guideId,
    guide_version: i.guideVersion,
    consent_to_record: i.consentToRecord ? 1 : 0,
    started_at: i.startedAt,
    ended_at: i.endedAt,
    updated_at: i.updatedAt,
  }
}

/** Store interviews made by newInterview, in their order, up to 512 a statement. Their participants must be stored first. */
export async function insertInterviews(db: Kysely<Database>, interviews: readonly Interview[]): Promise<void> {
  await insertRows(db, 'interview', interviews.map(interviewRow), 512)
}

export async function findInterview(db: Kysely<Database>, id: string): Promise<Interview | undefined> {
  const r = await db.selectFrom('interview').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toInterview(r)
}

export async function findInterviewOfParticipant(db: Kysely<Database>, participantId: string): Promise<Interview | undefined> {
  const r = await db.selectFrom('interview').selectAll().where('participant_id', '=', participantId).executeTakeFirst()
  return r && toInterview(r)
}

/** Interviews of these participants, keyed by participant. */
export async function listInterviewsOfParticipants(db: Kysely<Database>, participantIds: string[]): Promise<Map<string, Interview & { transcriptId: string | null }>> {
  const found = new Map<string, Interview & { transcriptId: string | null }>()
  for (const batch of batches(participantIds)) {
    const rows = await db
      .selectFrom('interview')
      .leftJoin('transcript', 'transcript.interview_id', 'interview.id')
      .selectAll('interview')
      .select('transcript.id as transcript_id')
      .where('interview.participant_id', 'in', batch)
      .execute()
    for (const r of rows) found.set(r.participant_id, { ...toInterview(r), transcriptId: r.transcript_id })
  }
  return found
}

export async function updateInterview(
  db: Kysely<Database>,
  id: string,
  changes: { startedAt?: string; endedAt?: string | null; consentToRecord?: boolean },
  now: Date,
): Promise<void> {
  await db
    .updateTable('interview')
    .set({
      ...(changes.startedAt !== undefined ? { started_at: changes.startedAt } : {}),
      ...(changes.endedAt !== undefined ? { ended_at: changes.endedAt } : {}),
      ...(changes.consentToRecord !== undefined ? { consent_to_record: changes.consentToRecord ? 1 : 0 } : {}),
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute()
}

export type InterviewNote = { questionId: string; text: string; revision: number; updatedAt: string }

export async function listNotes(db: Kysely<Database>, interviewId: string): Promise<InterviewNote[]> {
  const rows = await db.selectFrom('interview_note').selectAll().where('interview_id', '=', interviewId).execute()
  return rows.map((r) => ({ questionId: r.question_id, text: r.text, revision: r.revision, updatedAt: r.updated_at }))
}

export async function findNote(db: Kysely<Database>, interviewId: string, questionId: string): Promise<InterviewNote | undefined> {
  const r = await db.selectFrom('interview_note').selectAll().where('interview_id', '=', interviewId).where('question_id', '=', questionId).executeTakeFirst()
  return r && { questionId: r.question_id, text: r.text, revision: r.revision, updatedAt: r.updated_at }
}

export async function upsertNote(db: Kysely<Database>, interviewId: string, note: { questionId: string; text: string; revision: number }, now: Date): Promise<void> {
  const values = { text: note.text, revision: note.revision, updated_at: now.toISOString() }
  await db
    .insertInto('interview_note')
    .values({ interview_id: interviewId, question_id: note.questionId, ...values })
    .onConflict((oc) => oc.columns(['interview_id', 'question_id']).doUpdateSet(values))
    .execute()
}

/**
 * upsertNote for many notes, all at `now`, as if written one after the other: of notes on the same
 * interview and question the last one is stored (a multi-row upsert may not touch a row twice on
 * PostgreSQL, so they are collapsed here first). Up to 1,000 a statement.
 */
export async function upsertNotes(db: Kysely<Database>, notes: readonly { interviewId: string; questionId: string; text: string; revision: number }[], now: Date): Promise<void> {
  const updatedAt = now.toISOString()
  const last = new Map<string, Insertable<Database['interview_note']>>()
  for (const note of notes) {
    last.set(JSON.stringify([note.interviewId, note.questionId]), { interview_id: note.interviewId, question_id: note.questionId, text: note.text, revision: note.revision, updated_at: updatedAt })
  }
  for (const batch of batches([...last.values()], 1000)) {
    await db
      .insertInto('interview_note')
      .values(batch)
      .onConflict((oc) =>
        oc.columns(['interview_id', 'question_id']).doUpdateSet((eb) => ({ text: eb.ref('excluded.text'), revision: eb.ref('excluded.revision'), updated_at: eb.ref('excluded.updated_at') })),
      )
      .execute()
  }
}

export type Transcript = {
  id: string
  interviewId: string
  format: TranscriptFormat
  /** Plain text; codings' offsets are code points into it. */
  text: string
  /** The upload as it came. */
  original: string
  uploadedBy: string
  createdAt: string
  updatedAt: string
}

function toTranscript(r: Selectable<Database['transcript']>): Transcript {
  return { id: r.id, interviewId: r.interview_id, format: r.format, text: r.text, original: r.original, uploadedBy: r.uploaded_by, createdAt: r.created_at, updatedAt: r.updated_at }
}

export async function findTranscript(db: Kysely<Database>, id: string): Promise<Transcript | undefined> {
  const r = await db.selectFrom('transcript').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toTranscript(r)
}

export async function findTranscriptOfInterview(db: Kysely<Database>, interviewId: string): Promise<Transcript | undefined> {
  const r = await db.selectFrom('transcript').selectAll().where('interview_id', '=', interviewId).executeTakeFirst()
  return r && toTranscript(r)
}

/**
 * Store the interview's transcript, replacing the one before. A replaced text's words stay in the
 * search index's pages until the caller purges them (erasure's purgeTranscriptSearchIndex), in the
 * same transaction: the caller knows whether the text changed, and only then is a purge worth its cost.
 */
export async function upsertTranscript(
  db: Kysely<Database>,
  transcript: { interviewId: string; format: TranscriptFormat; text: string; original: string; uploadedBy: string },
  now: Date,
): Promise<Transcript> {
  const at = now.toISOString()
  const values = { format: transcript.format, text: transcript.text, original: transcript.original, uploaded_by: transcript.uploadedBy, updated_at: at }
  await db
    .insertInto('transcript')
    .values({ id: newId(), interview_id: transcript.interviewId, created_at: at, ...values })
    .onConflict((oc) => oc.column('interview_id').doUpdateSet(values))
    .execute()
  return (await findTranscriptOfInterview(db, transcript.interviewId))!
}

/**
 * A new transcript of an interview, with its id (time-ordered), created and updated at `now`, to
 * store with insertTranscripts. Nothing is written; codings can name it meanwhile (newCoding).
 */
export function newTranscript(transcript: { interviewId: string; format: TranscriptFormat; text: string; original: string; uploadedBy: string }, now: Date): Transcript {
  const at = now.toISOString()
  return { id: newId(), interviewId: transcript.interviewId, format: transcript.format, text: transcript.text, original: transcript.original, uploadedBy: transcript.uploadedBy, createdAt: at, updatedAt: at }
}

/**
 * Store transcripts made by newTranscript, in their order, a few to a statement (a transcript's text
 * may be megabytes long). Unlike upsertTranscript, an interview that has a transcript already is
 * refused (transcript.interview_id is unique): the caller has checked that it has none.
 */
export async function insertTranscripts(db: Kysely<Database>, transcripts: readonly Transcript[]): Promise<void> {
  const rows = transcripts.map((t) => ({ id: t.id, interview_id: t.interviewId, format: t.format, text: t.text, original: t.original, uploaded_by: t.uploadedBy, created_at: t.createdAt, updated_at: t.updatedAt }))
  await insertRows(db, 'transcript', rows, 16)
}

/**
 * Transcripts joined to their interview, participant and cohort: the one way from a transcript to
 * whose words it holds and which study it belongs to. Other repositories join further from here.
 */
export function selectTranscriptsWithParticipants(db: Kysely<Database>) {
  return db
    .selectFrom('transcript')
    .innerJoin('interview', 'interview.id', 'transcript.interview_id')
    .innerJoin('participant', 'participant.id', 'interview.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
}

/** Where a transcript belongs: its interview, participant, cohort and study. */
export type TranscriptPlace = { transcriptId: string; interviewId: string; participantId: string; participantCode: string; studyId: string }

export async function findTranscriptPlace(db: Kysely<Database>, transcriptId: string): Promise<TranscriptPlace | undefined> {
  const r = await selectTranscriptsWithParticipants(db)
    .select(['transcript.id as transcript_id', 'interview.id as interview_id', 'participant.id as participant_id', 'participant.code', 'cohort.study_id'])
    .where('transcript.id', '=', transcriptId)
    .executeTakeFirst()
  return r && { transcriptId: r.transcript_id, interviewId: r.interview_id, participantId: r.participant_id, participantCode: r.code, studyId: r.study_id }
}

/**
 * A study's transcripts in the order their interviews were held (1-based `interviewOrder`, ties by
 * id): the order saturation is judged in.
 */
export async function listTranscriptsOfStudy(
  db: Kysely<Database>,
  studyId: string,
): Promise<(Transcript & { participantId: string; participantCode: string; cohortId: string; interviewStartedAt: string; interviewOrder: number })[]> {
  const rows = await selectTranscriptsWithParticipants(db)
    .selectAll('transcript')
    .select(['participant.id as participant_id', 'participant.code', 'participant.cohort_id', 'interview.started_at'])
    .where('cohort.study_id', '=', studyId)
    .orderBy('interview.started_at')
    .orderBy('interview.id')
    .execute()
  return rows.map((r, i) => ({
    ...toTranscript(r),
    participantId: r.participant_id,
    participantCode: r.code,
    cohortId: r.cohort_id,
    interviewStartedAt: r.started_at,
    interviewOrder: i + 1,
  }))
}

/** What deleting a participant's interview removed, row counts by table. */
export type DeletedInterview = {
  interviewId: string | null
  notes: number
  transcripts: number
  codings: number
  quotes: number
  memberChecks: number
  resolutions: number
  memos: number
}

/**
 * Delete a participant's interview and everything that holds their words: the notes, the transcript,
 * every coding of it (deleted ones too, which keep a copy of the text), the Table 2 quotations and
 * member checks of those codings, resolved disagreements on it, memos written on the transcript, and
 * its words in the search index (purgeTranscriptSearchIndex).
 * Deleted explicitly, table by table, rather than left to the foreign keys' cascades, so that what
 * goes is written here and counted.
 */
export async function deleteInterviewOfParticipant(db: Kysely<Database>, participantId: string): Promise<DeletedInterview> {
  const counted = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows)
  const deleted: DeletedInterview = { interviewId: null, notes: 0, transcripts: 0, codings: 0, quotes: 0, memberChecks: 0, resolutions: 0, memos: 0 }
  const interview = await findInterviewOfParticipant(db, participantId)
  if (!interview) return deleted
  deleted.interviewId = interview.id
  const transcript = await findTranscriptOfInterview(db, interview.id)
  if (transcript) {
    const codingIds = db.selectFrom('coding').select('id').where('transcript_id', '=', transcript.id)
    deleted.quotes = counted(await db.deleteFrom('table2_quote').where('coding_id', 'in', codingIds).executeTakeFirst())
    deleted.memberChecks = counted(await db.deleteFrom('member_check').where('coding_id', 'in', codingIds).executeTakeFirst())
    deleted.resolutions = counted(await db.deleteFrom('agreement_resolution').where('transcript_id', '=', transcript.id).executeTakeFirst())
    deleted.codings = counted(await db.deleteFrom('coding').where('transcript_id', '=', transcript.id).executeTakeFirst())
    await db.deleteFrom('coding_done').where('transcript_id', '=', transcript.id).execute()
    deleted.memos = counted(await db.deleteFrom('memo').where('target_type', '=', 'transcript').where('target_id', '=', transcript.id).executeTakeFirst())
    deleted.transcripts = counted(await db.deleteFrom('transcript').where('id', '=', transcript.id).executeTakeFirst())
    await purgeTranscriptSearchIndex(db)
  }
  deleted.notes = counted(await db.deleteFrom('interview_note').where('interview_id', '=', interview.id).executeTakeFirst())
  await db.deleteFrom('interview').where('id', '=', interview.id).execute()
  return deleted
}

/**
 * The ids of a study's transcripts that hold every word of `words` (each a token of letters or
 * digits), and which engine found them. With SQLite, the FTS5 index of migration 0052, diacritics
 * folded; elsewhere (or without the index) every transcript of the study, for the caller to scan.
 */
export async function searchTranscripts(db: Kysely<Database>, studyId: string, words: string[]): Promise<{ engine: 'fts5' | 'scan'; transcriptIds: string[] }> {
  const ofStudy = db
    .selectFrom('transcript')
    .innerJoin('interview', 'interview.id', 'transcript.interview_id')
    .innerJoin('participant', 'participant.id', 'interview.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .where('cohort.study_id', '=', studyId)
  if (db.getExecutor().adapter instanceof SqliteAdapter && words.length > 0) {
    const hasIndex = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'transcript_fts'`.execute(db)
    if (Number(hasIndex.rows[0]?.n) > 0) {
      // Each word quoted as an FTS5 string: the user's text is data, never query syntax.
      const match = words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' ')
      const rows = await ofStudy
        .select('transcript.id')
        .where(sql<boolean>`transcript.rowid in (select rowid from transcript_fts where transcript_fts match ${match})`)
        .execute()
      return { engine: 'fts5', transcriptIds: rows.map((r) => r.id) }
    }
  }
  return { engine: 'scan', transcriptIds: (await ofStudy.select('transcript.id').execute()).map((r) => r.id) }
}
