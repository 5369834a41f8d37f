/**
 * Codings of transcript passages, the quotation chosen for each code in Table 2, resolved
 * disagreements between coders, and participants' member checks of their quotations.
 * Offsets are Unicode code points, start inclusive and end exclusive.
 */
import type { Insertable, Kysely, Selectable } from 'kysely'
import type { CodedSegment, Span } from '../../domain/qualitative/types'
import type { Database, MemberCheckDecision, ResolutionDecision } from '../schema'
import { newId } from '../ids'
import { selectTranscriptsWithParticipants } from './interviews'
import { insertRows } from './responses'

export type Coding = CodedSegment

function toCoding(r: Selectable<Database['coding']>): Coding {
  return { id: r.id, transcriptId: r.transcript_id, codeId: r.code_id, coderId: r.coder_id, start: r.start_offset, end: r.end_offset, text: r.text, createdAt: r.created_at, consensus: r.consensus === 1 }
}

/**
 * A coding made in memory (newCoding) and not yet stored: its id is taken when it is made, so that
 * member checks can point at it before anything is written; `deletedAt` is the time it is stored
 * deleted at, or null for a live one.
 */
export type UnsavedCoding = Coding & { deletedAt: string | null }

/**
 * A new coding, with its id (time-ordered: codings made one after the other sort in that order),
 * to store with insertCodings. Nothing is written.
 *
 * @example
 * const made = newCoding({ transcriptId, codeId, coderId, start: 3, end: 40, text: 'afraid of being judged' }, now)
 * await insertCodings(trx, [made])
 */
export function newCoding(
  coding: { transcriptId: string; codeId: string; coderId: string; start: number; end: number; text: string; consensus?: boolean; /** Stored deleted at this time (an imported withdrawal's holder, qda-import.ts). */ deletedAt?: Date },
  createdAt: Date,
): UnsavedCoding {
  return {
    id: newId(),
    transcriptId: coding.transcriptId,
    codeId: coding.codeId,
    coderId: coding.coderId,
    start: coding.start,
    end: coding.end,
    text: coding.text,
    createdAt: createdAt.toISOString(),
    consensus: coding.consensus ?? false,
    deletedAt: coding.deletedAt ? coding.deletedAt.toISOString() : null,
  }
}

function codingRow(c: UnsavedCoding): Insertable<Database['coding']> {
  return {
    id: c.id,
    transcript_id: c.transcriptId,
    code_id: c.codeId,
    coder_id: c.coderId,
    start_offset: c.start,
    end_offset: c.end,
    text: c.text,
    created_at: c.createdAt,
    deleted_at: c.deletedAt,
    consensus: c.consensus ? 1 : 0,
  }
}

export async function insertCoding(
  db: Kysely<Database>,
  coding: { transcriptId: string; codeId: string; coderId: string; start: number; end: number; text: string; consensus?: boolean; /** Stored deleted at this time (an imported withdrawal's holder, qda-import.ts). */ deletedAt?: Date },
  now: Date,
): Promise<Coding> {
  const { deletedAt, ...made } = newCoding(coding, now)
  await db.insertInto('coding').values(codingRow({ ...made, deletedAt })).execute()
  return made
}

/**
 * Store codings made by newCoding, in their order, in multi-row statements of up to 1,024 rows (an
 * import of 33,600 codings is 33 statements, not 33,600): in a transaction, all or none.
 *
 * @throws the database's error for a row it refuses (a live twin of a stored coding: coding_live_uq)
 */
export async function insertCodings(db: Kysely<Database>, codings: readonly UnsavedCoding[]): Promise<void> {
  await insertRows(db, 'coding', codings.map(codingRow), 1024)
}

/** A live (not deleted) coding. */
export async function findCoding(db: Kysely<Database>, id: string): Promise<Coding | undefined> {
  const r = await db.selectFrom('coding').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  return r && toCoding(r)
}

/**
 * Codings by id, deleted ones included, each with when it was deleted (null while live): a
 * member check outlives its coding's deletion, and the words and place it withdrew are the coding's.
 */
export async function listCodingsWithDeleted(db: Kysely<Database>, ids: string[]): Promise<(Coding & { deletedAt: string | null })[]> {
  if (ids.length === 0) return []
  const rows = await db.selectFrom('coding').selectAll().where('id', 'in', ids).orderBy('id').execute()
  return rows.map((r) => ({ ...toCoding(r), deletedAt: r.deleted_at }))
}

/** The live codings of a code on one span of a transcript, of the consensus set (1) or the coders' own (0). */
function selectCodingsOnSpan(db: Kysely<Database>, key: { transcriptId: string; codeId: string } & Span, consensus: 0 | 1) {
  return db
    .selectFrom('coding')
    .selectAll()
    .where('transcript_id', '=', key.transcriptId)
    .where('code_id', '=', key.codeId)
    .where('start_offset', '=', key.start)
    .where('end_offset', '=', key.end)
    .where('consensus', '=', consensus)
    .where('deleted_at', 'is', null)
}

/** The live coding of this coder, code and span, if there is one (not of the consensus set). */
export async function findSameCoding(db: Kysely<Database>, key: { transcriptId: string; codeId: string; coderId: string } & Span): Promise<Coding | undefined> {
  const r = await selectCodingsOnSpan(db, key, 0).where('coder_id', '=', key.coderId).executeTakeFirst()
  return r && toCoding(r)
}

/** The live consensus codings of a code on one span of a transcript. */
export async function listConsensusCodings(db: Kysely<Database>, key: { transcriptId: string; codeId: string } & Span): Promise<Coding[]> {
  return (await selectCodingsOnSpan(db, key, 1).execute()).map(toCoding)
}

/** A transcript's live codings in text order, of one coder or of all. */
export async function listCodingsOfTranscript(db: Kysely<Database>, transcriptId: string, filter: { coderId?: string } = {}): Promise<Coding[]> {
  let q = db.selectFrom('coding').selectAll().where('transcript_id', '=', transcriptId).where('deleted_at', 'is', null)
  if (filter.coderId) q = q.where('coder_id', '=', filter.coderId)
  const rows = await q.orderBy('start_offset').orderBy('end_offset').orderBy('created_at').orderBy('id').execute()
  return rows.map(toCoding)
}

export async function listCodingsOfCode(db: Kysely<Database>, codeId: string): Promise<Coding[]> {
  const rows = await db.selectFrom('coding').selectAll().where('code_id', '=', codeId).where('deleted_at', 'is', null).orderBy('created_at').orderBy('id').execute()
  return rows.map(toCoding)
}

/** How many live codings a transcript has. */
export async function countCodingsOfTranscript(db: Kysely<Database>, transcriptId: string): Promise<number> {
  const row = await db
    .selectFrom('coding')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('transcript_id', '=', transcriptId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Every live coding of a study's transcripts, for the analyses (agreement, saturation, Table 2). */
export async function listCodingsOfStudy(db: Kysely<Database>, studyId: string): Promise<Coding[]> {
  const rows = await db
    .selectFrom('coding')
    .innerJoin('code', 'code.id', 'coding.code_id')
    .selectAll('coding')
    .where('code.study_id', '=', studyId)
    .where('coding.deleted_at', 'is', null)
    .orderBy('coding.transcript_id')
    .orderBy('coding.start_offset')
    .orderBy('coding.id')
    .execute()
  return rows.map(toCoding)
}

export async function softDeleteCoding(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db.updateTable('coding').set({ deleted_at: now.toISOString() }).where('id', '=', id).execute()
}

export async function moveCoding(db: Kysely<Database>, id: string, codeId: string): Promise<void> {
  await db.updateTable('coding').set({ code_id: codeId }).where('id', '=', id).execute()
}

/**
 * A participant's member-check answers about one coding, moved to another coding of the same words
 * (a merge dropping a duplicate): the answers are about the words, and follow the quotation.
 */
export async function moveMemberChecks(db: Kysely<Database>, fromCodingId: string, toCodingId: string): Promise<void> {
  await db.updateTable('member_check').set({ coding_id: toCodingId }).where('coding_id', '=', fromCodingId).execute()
}

/** One of a code's Table 2 quotations; `position` is its 1-based place among the code's quotations. */
export type Table2Quote = { codeId: string; codingId: string; position: number; chosenBy: string; chosenAt: string }

function toQuote(r: Selectable<Database['table2_quote']>): Table2Quote {
  return { codeId: r.code_id, codingId: r.coding_id, position: r.position, chosenBy: r.chosen_by, chosenAt: r.chosen_at }
}

/** A code's quotations in their Table 2 order. */
export async function listQuotesOfCode(db: Kysely<Database>, codeId: string): Promise<Table2Quote[]> {
  const rows = await db.selectFrom('table2_quote').selectAll().where('code_id', '=', codeId).orderBy('position').orderBy('chosen_at').execute()
  return rows.map(toQuote)
}

/** The quotation a coding is, if it is one (a coding is a quotation of its own code only). */
export async function findQuoteOfCoding(db: Kysely<Database>, codingId: string): Promise<Table2Quote | undefined> {
  const r = await db.selectFrom('table2_quote').selectAll().where('coding_id', '=', codingId).executeTakeFirst()
  return r && toQuote(r)
}

/** Add a quotation at `position` (the caller keeps positions 1..n without gaps). */
export async function insertQuote(db: Kysely<Database>, quote: { codeId: string; codingId: string; position: number; chosenBy: string }, now: Date): Promise<Table2Quote> {
  const row = { code_id: quote.codeId, coding_id: quote.codingId, position: quote.position, chosen_by: quote.chosenBy, chosen_at: now.toISOString() }
  await db.insertInto('table2_quote').values(row).execute()
  return toQuote(row)
}

/** Move a quotation to another place among its code's. */
export async function updateQuotePosition(db: Kysely<Database>, codeId: string, codingId: string, position: number): Promise<void> {
  await db.updateTable('table2_quote').set({ position }).where('code_id', '=', codeId).where('coding_id', '=', codingId).execute()
}

/** Remove one quotation of a code, or all of them when no coding is named. */
export async function deleteQuote(db: Kysely<Database>, codeId: string, codingId?: string): Promise<void> {
  let q = db.deleteFrom('table2_quote').where('code_id', '=', codeId)
  if (codingId !== undefined) q = q.where('coding_id', '=', codingId)
  await q.execute()
}

/** A study's chosen quotations, each code's in their order, each with its coding and the participant it is attributed to. */
export async function listQuotesOfStudy(
  db: Kysely<Database>,
  studyId: string,
): Promise<(Table2Quote & { coding: Coding; participantId: string; participantCode: string })[]> {
  const rows = await selectTranscriptsWithParticipants(db)
    .innerJoin('coding', 'coding.transcript_id', 'transcript.id')
    .innerJoin('table2_quote', 'table2_quote.coding_id', 'coding.id')
    .innerJoin('code', 'code.id', 'table2_quote.code_id')
    .selectAll('coding')
    .select(['table2_quote.position', 'table2_quote.chosen_by', 'table2_quote.chosen_at', 'participant.id as participant_id', 'participant.code as participant_code'])
    .where('code.study_id', '=', studyId)
    // A quotation of a coding deleted since (stored before recordResolution refused to) is no meaning unit.
    .where('coding.deleted_at', 'is', null)
    .orderBy('code.created_at')
    .orderBy('code.id')
    .orderBy('table2_quote.position')
    .execute()
  return rows.map((r) => ({
    codeId: r.code_id,
    codingId: r.id,
    position: r.position,
    chosenBy: r.chosen_by,
    chosenAt: r.chosen_at,
    coding: toCoding(r),
    participantId: r.participant_id,
    participantCode: r.participant_code,
  }))
}

export type AgreementResolution = {
  id: string
  transcriptId: string
  codeId: string
  start: number
  end: number
  decision: ResolutionDecision
  note: string
  decidedBy: string
  decidedAt: string
}

function toResolution(r: Selectable<Database['agreement_resolution']>): AgreementResolution {
  return {
    id: r.id,
    transcriptId: r.transcript_id,
    codeId: r.code_id,
    start: r.start_offset,
    end: r.end_offset,
    decision: r.decision,
    note: r.note,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
  }
}

export async function insertResolution(
  db: Kysely<Database>,
  resolution: { transcriptId: string; codeId: string; start: number; end: number; decision: ResolutionDecision; note: string; decidedBy: string },
  now: Date,
): Promise<AgreementResolution> {
  const row = {
    id: newId(),
    transcript_id: resolution.transcriptId,
    code_id: resolution.codeId,
    start_offset: resolution.start,
    end_offset: resolution.end,
    decision: resolution.decision,
    note: resolution.note,
    decided_by: resolution.decidedBy,
    decided_at: now.toISOString(),
  }
  await db.insertInto('agreement_resolution').values(row).execute()
  return toResolution(row)
}

export async function listResolutions(db: Kysely<Database>, filter: { transcriptId?: string; studyId?: string }): Promise<AgreementResolution[]> {
  let q = db.selectFrom('agreement_resolution').innerJoin('code', 'code.id', 'agreement_resolution.code_id').selectAll('agreement_resolution')
  if (filter.transcriptId) q = q.where('agreement_resolution.transcript_id', '=', filter.transcriptId)
  if (filter.studyId) q = q.where('code.study_id', '=', filter.studyId)
  const rows = await q.orderBy('agreement_resolution.decided_at').orderBy('agreement_resolution.id').execute()
  return rows.map(toResolution)
}

/** Point a code's resolutions at another code (after a merge). */
export async function moveResolutions(db: Kysely<Database>, fromCodeId: string, toCodeId: string): Promise<number> {
  const result = await db.updateTable('agreement_resolution').set({ code_id: toCodeId }).where('code_id', '=', fromCodeId).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export type MemberCheck = { id: string; codingId: string; participantId: string; decision: MemberCheckDecision; comment: string | null; decidedAt: string }

function toMemberCheck(r: Selectable<Database['member_check']>): MemberCheck {
  return { id: r.id, codingId: r.coding_id, participantId: r.participant_id, decision: r.decision, comment: r.comment, decidedAt: r.decided_at }
}

export async function insertMemberCheck(
  db: Kysely<Database>,
  check: { codingId: string; participantId: string; decision: MemberCheckDecision; comment: string | null },
  now: Date,
): Promise<MemberCheck> {
  const made = newMemberCheck(check, now)
  await db.insertInto('member_check').values(memberCheckRow(made)).execute()
  return made
}

/**
 * A new member-check answer, with its id (time-ordered), to store with insertMemberChecks. Nothing
 * is written.
 */
export function newMemberCheck(check: { codingId: string; participantId: string; decision: MemberCheckDecision; comment: string | null }, decidedAt: Date): MemberCheck {
  return { id: newId(), codingId: check.codingId, participantId: check.participantId, decision: check.decision, comment: check.comment, decidedAt: decidedAt.toISOString() }
}

function memberCheckRow(m: MemberCheck): Insertable<Database['member_check']> {
  return { id: m.id, coding_id: m.codingId, participant_id: m.participantId, decision: m.decision, comment: m.comment, decided_at: m.decidedAt }
}

/** Store member-check answers made by newMemberCheck, in their order, up to 1,024 a statement. Their codings must be stored first. */
export async function insertMemberChecks(db: Kysely<Database>, checks: readonly MemberCheck[]): Promise<void> {
  await insertRows(db, 'member_check', checks.map(memberCheckRow), 1024)
}

/** Every member-check decision on these codings, oldest first (the last one per coding counts). */
export async function listMemberChecks(db: Kysely<Database>, codingIds: string[]): Promise<MemberCheck[]> {
  if (codingIds.length === 0) return []
  const rows = await db.selectFrom('member_check').selectAll().where('coding_id', 'in', codingIds).orderBy('decided_at').orderBy('id').execute()
  return rows.map(toMemberCheck)
}

/** The codings a participant has answered about. */
export async function listCodingIdsCheckedBy(db: Kysely<Database>, participantId: string): Promise<string[]> {
  const rows = await db.selectFrom('member_check').select('coding_id').distinct().where('participant_id', '=', participantId).execute()
  return rows.map((r) => r.coding_id)
}

/** Every member-check answer in a study, oldest first, with the quotation and who answered. */
export async function listMemberChecksOfStudy(
  db: Kysely<Database>,
  studyId: string,
): Promise<(MemberCheck & { participantCode: string; codeId: string; transcriptId: string; text: string })[]> {
  const rows = await db
    .selectFrom('member_check')
    .innerJoin('participant', 'participant.id', 'member_check.participant_id')
    .innerJoin('cohort', 'cohort.id', 'participant.cohort_id')
    .innerJoin('coding', 'coding.id', 'member_check.coding_id')
    .selectAll('member_check')
    .select(['participant.code as participant_code', 'coding.code_id', 'coding.transcript_id', 'coding.text'])
    .where('cohort.study_id', '=', studyId)
    .orderBy('member_check.decided_at')
    .orderBy('member_check.id')
    .execute()
  return rows.map((r) => ({ ...toMemberCheck(r), participantCode: r.participant_code, codeId: r.code_id, transcriptId: r.transcript_id, text: r.text }))
}

/** The coders who marked a transcript's coding done, first done first. */
export async function listCodingDone(db: Kysely<Database>, transcriptId: string): Promise<{ coderId: string; doneAt: string }[]> {
  const rows = await db.selectFrom('coding_done').selectAll().where('transcript_id', '=', transcriptId).orderBy('done_at').orderBy('coder_id').execute()
  return rows.map((r) => ({ coderId: r.coder_id, doneAt: r.done_at }))
}

/** The done marks of several transcripts at once (a study's list), each with the coder's name. */
export async function listCodingDoneOf(db: Kysely<Database>, transcriptIds: string[]): Promise<{ transcriptId: string; coderId: string; coderName: string; doneAt: string }[]> {
  if (transcriptIds.length === 0) return []
  const rows = await db
    .selectFrom('coding_done')
    .innerJoin('staff_user', 'staff_user.id', 'coding_done.coder_id')
    .select(['coding_done.transcript_id', 'coding_done.coder_id', 'coding_done.done_at', 'staff_user.name'])
    .where('coding_done.transcript_id', 'in', transcriptIds)
    .orderBy('coding_done.done_at')
    .orderBy('coding_done.coder_id')
    .execute()
  return rows.map((r) => ({ transcriptId: r.transcript_id, coderId: r.coder_id, coderName: r.name, doneAt: r.done_at }))
}

/** Mark (done) or unmark a coder's coding of a transcript; marking twice keeps the first time. */
export async function setCodingDone(db: Kysely<Database>, key: { transcriptId: string; coderId: string }, done: boolean, now: Date): Promise<void> {
  if (!done) await db.deleteFrom('coding_done').where('transcript_id', '=', key.transcriptId).where('coder_id', '=', key.coderId).execute()
  else await db.insertInto('coding_done').values({ transcript_id: key.transcriptId, coder_id: key.coderId, done_at: now.toISOString() }).onConflict((oc) => oc.columns(['transcript_id', 'coder_id']).doNothing()).execute()
}
