/**
 * Coding transcripts: a coder selects a passage and applies one or more codes. Offsets are Unicode
 * code points of the stored transcript, start inclusive and end exclusive; the coded text is copied
 * from the stored transcript here, on the server, never taken from the browser.
 *
 * Two coders code blind: each sees only their own codings unless a researcher asks for all. The
 * researchers then choose one or more codings per code as its meaning units in Table 2, record how they
 * resolved disagreements, and ask participants to check the quotations attributed to them.
 */
import { ApiError } from '../errors'
import { insertAudit } from '../../db/repositories/audit'
import { findCode, isLive, listCodes, type Code } from '../../db/repositories/codebook'
import {
  deleteQuote,
  findCoding,
  findQuoteOfCoding,
  findSameCoding,
  insertCoding,
  insertMemberCheck,
  insertResolution,
  listCodingIdsCheckedBy,
  listCodingsOfTranscript,
  listCodingDone,
  setCodingDone,
  listConsensusCodings,
  listMemberChecks,
  listMemberChecksOfStudy,
  listQuotesOfStudy,
  listResolutions,
  softDeleteCoding,
  insertQuote,
  listQuotesOfCode,
  updateQuotePosition,
  type AgreementResolution,
  type Coding,
  type MemberCheck,
  type Table2Quote,
} from '../../db/repositories/codings'
import { findTranscript, findTranscriptPlace, type TranscriptPlace } from '../../db/repositories/interviews'
import { findParticipant, type Participant } from '../../db/repositories/participants'
import { findCohort } from '../../db/repositories/studies'
import type { AddCodingsBody, MemberCheckBody, ResolutionBody } from '../../contracts/qualitative'
import type { ParticipantQuote } from '../../contracts/participant'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { Deps } from '../deps'
import { codePointLength, sliceCodePoints } from './units'
import { loadWithdrawnPassages } from './withdrawn'

const problem = (field: string, message: string) => new ApiError('validation_failed', `${field}: ${message}`, [{ field, message }])

/** The stored transcript's text, checked to hold the span. */
async function textWithin(db: Kysely<Database>, transcriptId: string, span: { start: number; end: number }): Promise<string> {
  const transcript = await findTranscript(db, transcriptId)
  if (!transcript) throw new ApiError('not_found', 'No such transcript.')
  const length = codePointLength(transcript.text)
  // The browser counts UTF-16 units; an emoji or a character outside the Basic Multilingual Plane
  // counted twice would push the span past the end, or onto the wrong words. Refuse, never clamp.
  if (span.end > length) throw problem('end', `must be at most ${length}, the transcript's length in code points`)
  if (span.start >= span.end) throw problem('end', 'must be after start')
  return transcript.text
}

/** A live code of the study at the `code` level (themes and categories group codes; they are not applied). */
function checkApplicable(code: Code | undefined, studyId: string, field: string): Code {
  if (!code || code.studyId !== studyId) throw problem(field, 'is not a code of this study')
  if (!isLive(code)) throw problem(field, code.mergedInto ? 'was merged into another code; apply that one' : 'was deleted')
  if (code.level !== 'code') throw problem(field, `is a ${code.level}; apply a code`)
  return code
}

/**
 * A transcript's codings: the coder's own, or every coder's when a researcher asks for all (after
 * both coders have finished, to compare).
 */
export async function transcriptCodings(deps: Deps, transcriptId: string, coderId: string, coders: 'mine' | 'all'): Promise<Coding[]> {
  return listCodingsOfTranscript(deps.db, transcriptId, coders === 'all' ? {} : { coderId })
}

/**
 * Apply codes to a passage: one coding per code, all with the same span and the text copied from
 * the stored transcript. Applying a code the coder already applied to the same span returns that
 * coding again rather than a second one, so a retried request does no harm.
 */
export async function addCodings(deps: Deps, place: TranscriptPlace, coderId: string, body: AddCodingsBody): Promise<{ codings: Coding[]; created: number }> {
  const now = deps.now()
  // Read and write in one transaction: the text cannot be replaced, nor a code merged, in between.
  return deps.db.transaction().execute(async (trx) => {
    const text = await textWithin(trx, place.transcriptId, body)
    const passage = sliceCodePoints(text, body.start, body.end)
    const codes: Code[] = []
    for (const [i, codeId] of body.codeIds.entries()) codes.push(checkApplicable(await findCode(trx, codeId), place.studyId, `codeIds[${i}]`))
    const codings: Coding[] = []
    let created = 0
    for (const code of codes) {
      const key = { transcriptId: place.transcriptId, codeId: code.id, coderId, start: body.start, end: body.end }
      const existing = await findSameCoding(trx, key)
      if (existing) codings.push(existing)
      else {
        codings.push(await insertCoding(trx, { ...key, text: passage }, now))
        created++
      }
    }
    if (created > 0) {
      await insertAudit(
        trx,
        { actor: `staff:${coderId}`, action: 'coding.add', entity: 'transcript', entityId: place.transcriptId, details: { codeIds: codes.map((c) => c.id), start: body.start, end: body.end } },
        now,
      )
    }
    return { codings, created }
  })
}

/** A live coding, with where its transcript belongs. */
export async function requireCoding(deps: Deps, codingId: string): Promise<{ coding: Coding; place: TranscriptPlace }> {
  const coding = await findCoding(deps.db, codingId)
  const place = coding && (await findTranscriptPlace(deps.db, coding.transcriptId))
  if (!coding || !place) throw new ApiError('not_found', 'No such coding.')
  return { coding, place }
}

/** Remove one's own coding (kept, marked deleted). A coding chosen for Table 2 is unchosen first. */
export async function deleteCoding(deps: Deps, coding: Coding, userId: string): Promise<void> {
  if (coding.coderId !== userId) throw new ApiError('forbidden', 'You can delete only your own codings.')
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    if (await findQuoteOfCoding(trx, coding.id)) {
      throw new ApiError('conflict', 'This coding is the Table 2 quotation of its code. Choose another quotation first.')
    }
    await softDeleteCoding(trx, coding.id, now)
    await insertAudit(trx, { actor: `staff:${userId}`, action: 'coding.delete', entity: 'coding', entityId: coding.id, details: { transcriptId: coding.transcriptId, codeId: coding.codeId } }, now)
  })
}

// ---------------------------------------------------------------------------------------------
// Table 2

/** The latest member-check decision on each coding. */
function latestDecisions(checks: MemberCheck[]): Map<string, MemberCheck> {
  const latest = new Map<string, MemberCheck>()
  for (const check of checks) latest.set(check.codingId, check)
  return latest
}

/**
 * A coding that may illustrate `code` in Table 2: a live coding of that very code, not withdrawn by
 * its participant. Codings belong only to live codes at the `code` level (a merge moves them on), so
 * this also refuses themes, categories and merged codes.
 */
async function quotableCoding(trx: Kysely<Database>, code: Code, codingId: string, field: string): Promise<Coding> {
  const coding = await findCoding(trx, codingId)
  if (!coding || coding.codeId !== code.id) throw problem(field, 'is not a coding of this code')
  const decision = latestDecisions(await listMemberChecks(trx, [coding.id])).get(coding.id)
  if (decision?.decision === 'withdraw') throw new ApiError('conflict', 'The participant asked for this quotation to be withdrawn. Choose another.', { codingId: coding.id })
  // Withdrawn words stay withdrawn through any other coding of them (another coder's, or a wider one).
  if ((await loadWithdrawnPassages({ db: trx }, { transcriptId: coding.transcriptId })).overlaps(coding)) {
    throw new ApiError('conflict', 'The participant asked for these words to be withdrawn (through another coding of them). Choose another passage.', { codingId: coding.id })
  }
  return coding
}

const samePassage = (a: Coding, b: Coding) => a.transcriptId === b.transcriptId && a.start === b.start && a.end === b.end

/** Positions 1..n again, in the current order, after a quotation left. */
async function renumberQuotes(trx: Kysely<Database>, codeId: string): Promise<void> {
  for (const [i, quote] of (await listQuotesOfCode(trx, codeId)).entries()) {
    if (quote.position !== i + 1) await updateQuotePosition(trx, codeId, quote.codingId, i + 1)
  }
}

/**
 * Add a quotation to a code's meaning units in Table 2, after those already chosen. Choosing the
 * same coding again returns it unchanged (a retried request does no harm); another coding of a
 * passage already chosen (the second coder's coding of the same span) is refused, 409: the table
 * would show the same words twice.
 *
 * @throws {ApiError} 422 naming `codingId` when it is not a live coding of this code; 409 when its
 *   participant withdrew it or its passage is already a quotation of the code
 */
export async function chooseQuote(deps: Deps, code: Code, codingId: string, actor: string): Promise<Table2Quote> {
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const coding = await quotableCoding(trx, code, codingId, 'codingId')
    const quotes = await listQuotesOfCode(trx, code.id)
    const same = quotes.find((q) => q.codingId === coding.id)
    if (same) return same
    for (const quote of quotes) {
      const chosen = await findCoding(trx, quote.codingId)
      if (chosen && samePassage(chosen, coding)) throw new ApiError('conflict', 'This passage is already a quotation of this code.', { codingId: quote.codingId })
    }
    const quote = await insertQuote(trx, { codeId: code.id, codingId: coding.id, position: quotes.length + 1, chosenBy: actor }, now)
    await insertAudit(trx, { actor, action: 'quote.choose', entity: 'code', entityId: code.id, details: { codingId: coding.id, position: quote.position } }, now)
    return quote
  })
}

/**
 * Set a code's Table 2 quotations, in this order: those listed are kept or added, the others
 * removed. An empty list removes them all.
 *
 * @throws {ApiError} 422 naming `codingIds[i]` for a coding that is not a live coding of this code,
 *   or one whose passage is already listed; 409 for a quotation its participant withdrew
 */
export async function setQuotes(deps: Deps, code: Code, codingIds: string[], actor: string): Promise<Table2Quote[]> {
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const codings: Coding[] = []
    for (const [i, codingId] of codingIds.entries()) {
      const coding = await quotableCoding(trx, code, codingId, `codingIds[${i}]`)
      if (codings.some((c) => samePassage(c, coding))) throw problem(`codingIds[${i}]`, 'is the same passage as one listed before it')
      codings.push(coding)
    }
    const before = await listQuotesOfCode(trx, code.id)
    const chosenBefore = new Map(before.map((q) => [q.codingId, q]))
    await deleteQuote(trx, code.id)
    const quotes: Table2Quote[] = []
    for (const [i, coding] of codings.entries()) {
      const kept = chosenBefore.get(coding.id)
      quotes.push(await insertQuote(trx, { codeId: code.id, codingId: coding.id, position: i + 1, chosenBy: kept?.chosenBy ?? actor }, kept ? new Date(kept.chosenAt) : now))
    }
    await insertAudit(trx, { actor, action: 'quote.set', entity: 'code', entityId: code.id, details: { codingIds, before: before.map((q) => q.codingId) } }, now)
    return quotes
  })
}

/** Remove one of a code's quotations, or all of them when no coding is named. */
export async function unchooseQuote(deps: Deps, code: Code, actor: string, codingId?: string): Promise<void> {
  const quotes = await listQuotesOfCode(deps.db, code.id)
  if (codingId === undefined ? quotes.length === 0 : !quotes.some((q) => q.codingId === codingId)) {
    throw new ApiError('not_found', codingId === undefined ? 'This code has no quotation chosen.' : 'This coding is not a quotation of this code.')
  }
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await deleteQuote(trx, code.id, codingId)
    await renumberQuotes(trx, code.id)
    await insertAudit(trx, { actor, action: 'quote.unchoose', entity: 'code', entityId: code.id, details: codingId === undefined ? {} : { codingId } }, now)
  })
}

/** The study's chosen quotations with their code, participant and member-check state: Table 2's meaning units. */
export async function studyQuotes(deps: Deps, studyId: string) {
  const quotes = await listQuotesOfStudy(deps.db, studyId)
  const codes = new Map((await listCodes(deps.db, studyId)).map((c) => [c.id, c]))
  const decisions = latestDecisions(await listMemberChecks(deps.db, quotes.map((q) => q.codingId)))
  return quotes.map((q) => ({
    codeId: q.codeId,
    codeName: codes.get(q.codeId)?.name ?? null,
    codingId: q.codingId,
    position: q.position,
    transcriptId: q.coding.transcriptId,
    participantCode: q.participantCode,
    start: q.coding.start,
    end: q.coding.end,
    text: q.coding.text,
    chosenBy: q.chosenBy,
    chosenAt: q.chosenAt,
    memberCheck: decisions.get(q.codingId) ?? null,
  }))
}

// ---------------------------------------------------------------------------------------------
// Disagreements

/**
 * Record how the coders resolved a disagreement over one code on one span, and keep the consensus set
 * in step: "applies" adds the agreed coding to it (once), "does not apply" removes the code on that
 * span from it. Each coder's own codings are left as they were.
 *
 * @throws {ApiError} 409 `conflict` (nothing written) for "does not apply" while the agreed coding
 *   is a Table 2 quotation of the code: unchoose it first, as before deleting a coding
 */
export async function recordResolution(deps: Deps, place: TranscriptPlace, userId: string, body: ResolutionBody): Promise<AgreementResolution> {
  const text = await textWithin(deps.db, place.transcriptId, body)
  const code = await findCode(deps.db, body.codeId)
  if (!code || code.studyId !== place.studyId) throw problem('codeId', 'is not a code of this study')
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const resolution = await insertResolution(trx, { transcriptId: place.transcriptId, codeId: code.id, start: body.start, end: body.end, decision: body.decision, note: body.note, decidedBy: userId }, now)
    const span = { transcriptId: place.transcriptId, codeId: code.id, start: body.start, end: body.end }
    const agreed = await listConsensusCodings(trx, span)
    if (body.decision === 'applies' && agreed.length === 0) {
      await insertCoding(trx, { ...span, coderId: userId, text: sliceCodePoints(text, body.start, body.end), consensus: true }, now)
    }
    if (body.decision === 'does_not_apply') {
      for (const coding of agreed) {
        // As deleteCoding: a quotation is unchosen first, so Table 2 never quotes a coding that is gone.
        if (await findQuoteOfCoding(trx, coding.id)) {
          throw new ApiError('conflict', 'The agreed coding of this passage is a Table 2 quotation of the code. Choose another quotation first.', { codingId: coding.id })
        }
        await softDeleteCoding(trx, coding.id, now)
      }
    }
    await insertAudit(trx, { actor: `staff:${userId}`, action: 'agreement.resolve', entity: 'transcript', entityId: place.transcriptId, details: { resolutionId: resolution.id, codeId: code.id, decision: body.decision } }, now)
    return resolution
  })
}

/** Who marked their coding of a transcript done, and when. */
export async function transcriptCodingDone(deps: Deps, transcriptId: string): Promise<{ coderId: string; doneAt: string }[]> {
  return listCodingDone(deps.db, transcriptId)
}

/** A coder marks their coding of a transcript done, or takes the mark back. */
export async function markCodingDone(deps: Deps, place: TranscriptPlace, coderId: string, done: boolean): Promise<{ coderId: string; doneAt: string }[]> {
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await setCodingDone(trx, { transcriptId: place.transcriptId, coderId }, done, now)
    await insertAudit(trx, { actor: `staff:${coderId}`, action: done ? 'coding.done' : 'coding.undone', entity: 'transcript', entityId: place.transcriptId, details: {} }, now)
  })
  return listCodingDone(deps.db, place.transcriptId)
}

export async function transcriptResolutions(deps: Deps, transcriptId: string): Promise<AgreementResolution[]> {
  return listResolutions(deps.db, { transcriptId })
}

// ---------------------------------------------------------------------------------------------
// Member checking

async function studyIdOf(db: Kysely<Database>, participant: Participant): Promise<string> {
  const cohort = await findCohort(db, participant.cohortId)
  if (!cohort) throw new Error(`participant ${participant.id} has no cohort`)
  return cohort.studyId
}

type QuotationOfParticipant = { coding: Coding; chosen: boolean; decision: MemberCheck | null }

/** The participant's quotations with their codings, in the order of listQuotesOfStudy, then the answered ones. */
async function quotationsOf(db: Kysely<Database>, participant: Participant): Promise<QuotationOfParticipant[]> {
  const studyId = await studyIdOf(db, participant)
  const chosen = (await listQuotesOfStudy(db, studyId)).filter((q) => q.participantId === participant.id)
  const answered = await listCodingIdsCheckedBy(db, participant.id)
  const ids = [...new Set([...chosen.map((q) => q.codingId), ...answered])]
  const decisions = latestDecisions(await listMemberChecks(db, ids))
  const quotations: QuotationOfParticipant[] = []
  for (const id of ids) {
    const coding = chosen.find((q) => q.codingId === id)?.coding ?? (await findCoding(db, id))
    if (!coding) continue
    quotations.push({ coding, chosen: chosen.some((q) => q.codingId === id), decision: decisions.get(id) ?? null })
  }
  return quotations
}

/**
 * The quotations attributed to a participant that they are asked to check: every coding of their
 * transcript chosen for Table 2, and any they already answered about (a withdrawn quotation is no
 * longer chosen, but the participant still sees that they withdrew it). Each with their latest answer.
 */
export async function memberCheckQuotes(deps: Deps, participant: Participant) {
  return (await quotationsOf(deps.db, participant)).map((q) => ({ codingId: q.coding.id, text: q.coding.text, chosen: q.chosen, decision: q.decision }))
}

/**
 * The participant's quotations as their own page shows them: in the order they were said, each with
 * the theme, category and code it illustrates (the researchers' names for them) and the latest answer.
 *
 * @example
 * await participantQuotes(deps, participant)
 * // => [{ codingId, text: 'That fear is smaller now.', theme: 'Effects of the Balint group',
 * //       category: 'Relationship with COVID-19 patients', code: 'Fear of patients easing', chosen: true, answer: null }]
 */
export async function participantQuotes(deps: Deps, participant: Participant): Promise<ParticipantQuote[]> {
  const quotations = await quotationsOf(deps.db, participant)
  if (quotations.length === 0) return []
  // Retired codes too: a name is still a name, and a merged code's codings have moved on anyway.
  const codes = new Map((await listCodes(deps.db, await studyIdOf(deps.db, participant), { includeRetired: true })).map((c) => [c.id, c]))
  const parentOf = (code: Code | undefined) => (code?.parentId ? codes.get(code.parentId) : undefined)
  return quotations
    .sort((x, y) => x.coding.transcriptId.localeCompare(y.coding.transcriptId) || x.coding.start - y.coding.start || x.coding.end - y.coding.end)
    .map(({ coding, chosen, decision }) => {
      const code = codes.get(coding.codeId)
      const category = parentOf(code)
      const theme = parentOf(category)
      return {
        codingId: coding.id,
        text: coding.text,
        theme: theme?.name ?? null,
        category: category?.name ?? null,
        code: code?.name ?? '',
        chosen,
        answer: decision && { decision: decision.decision, comment: decision.comment, answeredAt: decision.decidedAt },
      }
    })
}

/**
 * Record a participant's answer about one of their quotations: confirm it, comment on it, or ask for
 * it to be withdrawn. Every answer is kept, with its time; the latest counts. Withdrawing takes the
 * quotation out of Table 2 at once, so it cannot be published by mistake while the researchers
 * choose another.
 *
 * A participant who has withdrawn from the study gives no more answers (409 `withdrawn`); a
 * quotation that is not theirs is "not found". Sending the answer that is already the latest (same
 * decision, same comment: a double tap, a resend after a lost response) records nothing new and
 * returns that answer with `created: false`.
 */
export async function recordMemberCheck(deps: Deps, participant: Participant, body: MemberCheckBody): Promise<{ check: MemberCheck; created: boolean }> {
  // Checks and write in one transaction, on the participant as stored at that moment: a withdrawal
  // arriving at the same time cannot slip between them.
  return deps.db.transaction().execute(async (trx) => {
    const current = await findParticipant(trx, participant.id)
    if (!current) throw new ApiError('not_found', 'No such quotation.')
    if (current.status === 'withdrawn') throw new ApiError('withdrawn', 'You have withdrawn from this study; nothing more is collected.')
    const quotation = (await quotationsOf(trx, current)).find((q) => q.coding.id === body.codingId)
    if (!quotation) throw new ApiError('not_found', 'No such quotation.')
    const comment = body.comment || null
    const latest = quotation.decision
    if (latest && latest.decision === body.decision && latest.comment === comment) return { check: latest, created: false }
    const now = deps.now()
    const check = await insertMemberCheck(trx, { codingId: body.codingId, participantId: participant.id, decision: body.decision, comment }, now)
    if (body.decision === 'withdraw') {
      const quote = await findQuoteOfCoding(trx, body.codingId)
      if (quote) {
        await deleteQuote(trx, quote.codeId, quote.codingId)
        await renumberQuotes(trx, quote.codeId)
      }
    }
    // The comment itself stays out of the append-only audit log: it is the participant's words, and
    // those go if the participant withdraws with deletion.
    await insertAudit(
      trx,
      { actor: `participant:${participant.id}`, action: 'member_check.record', entity: 'coding', entityId: body.codingId, details: { decision: body.decision, commented: comment !== null } },
      now,
    )
    return { check, created: true }
  })
}

/** Every member-check answer in the study, oldest first (the last per quotation counts), for the researchers. */
export async function studyMemberChecks(deps: Deps, studyId: string) {
  return listMemberChecksOfStudy(deps.db, studyId)
}
