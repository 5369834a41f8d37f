/**
 * Imports from CAQDAS: a REFI-QDA codebook (`.qdc`), a CSV codebook, and a REFI-QDA project
 * (`.qdpx`: codebook, text sources, codings, cases, notes) from MAXQDA, NVivo, ATLAS.ti, QualCoder,
 * Taguette or our own export. Each file is checked against the REFI-QDA schema first, written in
 * one transaction (all or nothing), audited, and answered with a report of what was taken and what
 * was not (pictures, audio, sets …). A `.qdpx` we exported comes back with the same codebook, texts,
 * codings (offsets exact) and notes, so exporting it again gives the same project.
 */
import { randomBytes } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import type { Kysely } from 'kysely'
import { insertAudit } from '../../db/repositories/audit'
import { defaultCodeColour, normaliseCodeColour } from './code-colours'
import { insertCodeHistories, insertCodes, insertMemos, listCodes, listMemos, newCode, type Code } from '../../db/repositories/codebook'
import { insertCodings, insertMemberChecks, listCodingsOfStudy, newCoding, newMemberCheck, type MemberCheck, type UnsavedCoding } from '../../db/repositories/codings'
import { insertInterviews, insertTranscripts, listInterviewsOfParticipants, newInterview, newTranscript, upsertNotes, type Interview, type Transcript } from '../../db/repositories/interviews'
import { insertParticipants, listDecliningParticipantIds, listParticipants, nothingStoredFor, type Participant } from '../../db/repositories/participants'
import { findStaffUser, insertStaffUser, listRolesInStudy, type StaffUser } from '../../db/repositories/staff'
import { findCohort, findStudy } from '../../db/repositories/studies'
import type { Database } from '../../db/schema'
import { ApiError, rateLimited } from '../errors'
import type { Deps } from '../deps'
import { unusablePasswordHash } from '../staff/auth'
import { defaultGuideId } from './interviews'
import { interviewNoteName, memberCheckNoteName, parseConsensusUserName, parseInterviewNoteName, parseMemberCheckNoteName } from './notes'
import { QdpxReadersBusyError, readQdpxOnReaderThread } from './qdpx-reader'
import { readQdc, refiSchemaErrors, RefiDuplicateGuidError, RefiFormatError, RefiTooLargeError, type ImportedCode, type Skipped } from './refi-import'
import type { CodeLevel } from './types'
import { codePointLength, codePointSlicer, sliceCodePoints } from './units'
import { appendTo } from '../collections'
import { codeProblem, lookAlikeMessage, LookAlikeCodes, maxCodeLength, normalCode, shownCode } from '../participation/codes'

export type ImportReport = {
  /** The schema check: a file another tool wrote may deviate from the schema and still be read; its messages are listed. */
  validation: { valid: boolean; errors: string[] }
  codes: { created: number; matched: number }
  participants: { created: number; matched: number }
  transcripts: number
  codings: number
  /** Of `codings`, those of the consensus set (a user named "Consensus (agreed by …)"). */
  consensusCodings: number
  memos: number
  interviewNotes: number
  memberChecks: number
  /** Accounts made for the file's coders and note authors (nobody can sign in to them), and those found by name. */
  users: { created: number; matched: number }
  skipped: Skipped[]
}

/**
 * The participant a REFI-QDA case or source stands for, by name: the name normalised as codes are
 * (normalCode) and cut to maxCodeLength characters (code points: an emoji is never split), the
 * length a CSV import allows. Sources and case notes look participants up alike.
 */
function participantCodeOf(name: string): string {
  const code = normalCode(name)
  return codePointLength(code) > maxCodeLength ? sliceCodePoints(code, 0, maxCodeLength).trimEnd() : code
}

/**
 * A creationDateTime from the file as a date, or `fallback` (the import's time) when the file gives
 * none or one that is not a date: the schema check reports it, and the import goes on.
 */
const dateOr = (value: string | null, fallback: Date): Date => {
  const date = value ? new Date(value) : fallback
  return Number.isNaN(date.getTime()) ? fallback : date
}

const emptyReport = (errors: string[]): ImportReport => ({
  validation: { valid: errors.length === 0, errors: errors.slice(0, 50) },
  codes: { created: 0, matched: 0 },
  participants: { created: 0, matched: 0 },
  transcripts: 0,
  codings: 0,
  consensusCodings: 0,
  memos: 0,
  interviewNotes: 0,
  memberChecks: 0,
  users: { created: 0, matched: 0 },
  skipped: [],
})

/**
 * A file we cannot read is the sender's problem, named on `file`: too large (413) or unreadable
 * (422); a GUID given to two elements is named in the details too (`guid`), for a client to show.
 * A file that cannot be read yet, because too many wait for the reader threads, is refused as
 * `rate_limited` (429) with `details.retryAfterSeconds`, as the sign-in throttle refuses.
 */
const unreadable = (error: unknown): never => {
  if (error instanceof QdpxReadersBusyError) {
    throw rateLimited('Too many projects are being imported at once.', error.retryAfterSeconds)
  }
  if (error instanceof RefiTooLargeError) throw new ApiError('payload_too_large', `file: ${error.message}`, [{ field: 'file', message: error.message }])
  if (error instanceof RefiDuplicateGuidError) throw new ApiError('validation_failed', `file: ${error.message}`, [{ field: 'file', message: error.message, guid: error.guid }])
  if (error instanceof RefiFormatError) throw new ApiError('validation_failed', `file: ${error.message}`, [{ field: 'file', message: error.message }])
  throw error
}

/**
 * A code's name as the sibling-name rule compares it (sameCodeName: NFC, lower case), with its
 * parent: a key for a Map, so that finding a namesake is one lookup rather than a scan of the
 * codebook (20,000 imported codes took 29 s of comparisons on the event loop).
 */
const siblingNameKey = (parentId: string | null, name: string): string => JSON.stringify([parentId, name.normalize('NFC').toLocaleLowerCase()])

/**
 * Write imported codes into the study's codebook, parents first. A code whose name (sibling-name
 * rule) and level match a live code under the same parent is that code (`matched`), so importing
 * the same codebook twice adds nothing; a namesake of another level is skipped with its subtree.
 * Decided in memory, then written in a few multi-row statements (codes, then their history).
 */
async function writeCodes(trx: Kysely<Database>, studyId: string, codes: ImportedCode[], actor: string, origin: string | null, now: Date, report: ImportReport): Promise<Map<string, Code>> {
  const existing = await listCodes(trx, studyId)
  // The first live code of each name under each parent, as a scan of `existing` in its order finds it.
  const namesakes = new Map<string, Code>()
  for (const code of existing) {
    const key = siblingNameKey(code.parentId, code.name)
    if (!namesakes.has(key)) namesakes.set(key, code)
  }
  let codebookSize = existing.length
  const made: Code[] = []
  const byGuid = new Map<string, Code>()
  const refused = new Set<string>()
  for (const imported of codes) {
    const parent = imported.parentGuid === null ? null : byGuid.get(imported.parentGuid)
    if (imported.parentGuid !== null && (!parent || refused.has(imported.parentGuid))) {
      refused.add(imported.guid)
      continue
    }
    const name = imported.name.replace(/\s+/g, ' ').trim().slice(0, 200)
    if (name === '') {
      report.skipped.push({ what: 'code', name: imported.guid, reason: 'it has no name' })
      refused.add(imported.guid)
      continue
    }
    const key = siblingNameKey(parent?.id ?? null, name)
    const namesake = namesakes.get(key)
    if (namesake && namesake.level === imported.level) {
      byGuid.set(imported.guid, namesake)
      report.codes.matched++
      continue
    }
    if (namesake) {
      report.skipped.push({ what: 'code', name, reason: `there is already a ${namesake.level} of that name here; the imported ${imported.level} and what it holds were left out` })
      refused.add(imported.guid)
      continue
    }
    // The file's colour where it gives a valid one; otherwise the palette's next, as for a code made here.
    const color = normaliseCodeColour(imported.color) ?? defaultCodeColour(codebookSize)
    const code = newCode({ studyId, parentId: parent?.id ?? null, level: imported.level, name, description: imported.description?.trim().slice(0, 5000) || null, color }, now)
    made.push(code)
    codebookSize++
    namesakes.set(key, code)
    byGuid.set(imported.guid, code)
    report.codes.created++
  }
  await insertCodes(trx, made)
  await insertCodeHistories(
    trx,
    made.map((code) => ({ codeId: code.id, action: 'create' as const, details: { level: code.level, name: code.name, parentId: code.parentId, description: code.description, importedFrom: origin ?? 'a REFI-QDA file' }, actor })),
    now,
  )
  return byGuid
}

/**
 * Import a `.qdc` codebook into a study (themes, categories and codes by the rule of codeLevels).
 *
 * @throws {ApiError} 422 naming `file` when it is not a QDA-XML codebook we can read
 */
export async function importQdc(deps: Deps, studyId: string, xml: string, actor: string): Promise<ImportReport> {
  if (!(await findStudy(deps.db, studyId))) throw new ApiError('not_found', 'No such study.')
  let parsed: ReturnType<typeof readQdc>
  try {
    parsed = readQdc(xml)
  } catch (error) {
    return unreadable(error)
  }
  const report = emptyReport(await refiSchemaErrors(xml, 'codebook').catch(unreadable))
  report.skipped.push(...parsed.skipped, ...parsed.changes.map((reason) => ({ what: 'code', name: '', reason })))
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await writeCodes(trx, studyId, parsed.codes, actor, parsed.origin, now, report)
    await insertAudit(trx, { actor, action: 'import.qdc', entity: 'study', entityId: studyId, details: { origin: parsed.origin, codes: report.codes, valid: report.validation.valid } }, now)
  })
  return report
}

/**
 * Import a CSV codebook: a header row naming the columns `theme`, `category`, `code` and optionally
 * `description` (in any order; other columns are ignored), one line per node. A line with only a
 * theme adds a theme; theme and category, a category; all three, a code. The description belongs
 * to the deepest node of its line. Missing themes and categories are made on the way.
 *
 * @throws {ApiError} 422 naming `file` for text that is not CSV or lacks the three columns
 * @example
 * await importCodebookCsv(deps, studyId, 'theme,category,code,description\nEffects,Education,Self-awareness,Learning about oneself\n', actor)
 * // => { codes: { created: 3, matched: 0 }, … }
 */
export async function importCodebookCsv(deps: Deps, studyId: string, csv: string, actor: string): Promise<ImportReport> {
  if (!(await findStudy(deps.db, studyId))) throw new ApiError('not_found', 'No such study.')
  let rows: Record<string, string>[]
  try {
    rows = parse(csv.replace(/^\uFEFF/, ''), { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, trim: true })
  } catch (error) {
    throw new ApiError('validation_failed', `file: not CSV we can read: ${(error as Error).message}`, [{ field: 'file', message: (error as Error).message }])
  }
  const first = rows[0]
  if (!first || !['theme', 'category', 'code'].every((column) => column in first)) {
    throw new ApiError('validation_failed', 'file: the header must name the columns theme, category and code', [{ field: 'file', message: 'the header must name the columns theme, category and code' }])
  }
  const codes: ImportedCode[] = []
  const guidOf = new Map<string, string>()
  const node = (level: CodeLevel, path: string[], description: string | null) => {
    const key = JSON.stringify(path.map((p) => p.normalize('NFC').toLocaleLowerCase()))
    const parentKey = path.length > 1 ? JSON.stringify(path.slice(0, -1).map((p) => p.normalize('NFC').toLocaleLowerCase())) : null
    const existing = codes.find((c) => c.guid === guidOf.get(key))
    if (existing) {
      if (description && !existing.description) existing.description = description
      return
    }
    const guid = `csv-${codes.length}`
    guidOf.set(key, guid)
    codes.push({ guid, name: path.at(-1)!, description, level, parentGuid: parentKey ? guidOf.get(parentKey)! : null, color: null, noteGuids: [] })
  }
  const report = emptyReport([])
  for (const [i, row] of rows.entries()) {
    const theme = row.theme ?? ''
    const category = row.category ?? ''
    const code = row.code ?? ''
    const description = row.description?.trim() || null
    if (theme === '' && category === '' && code === '') continue
    if (theme !== '') node('theme', [theme], category === '' && code === '' ? description : null)
    const categoryPath = theme !== '' ? [theme, category] : [category]
    // Without a theme, the category's key has one part: an ungrouped category.
    if (category !== '') node('category', categoryPath, code === '' ? description : null)
    if (code !== '') {
      if (category === '' && theme !== '') {
        report.skipped.push({ what: 'code', name: code, reason: `line ${i + 2}: a code belongs in a category; it is an ungrouped code` })
        node('code', [code], description)
      } else node('code', category === '' ? [code] : [...categoryPath, code], description)
    }
  }
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await writeCodes(trx, studyId, codes, actor, 'CSV', now, report)
    await insertAudit(trx, { actor, action: 'import.codebook_csv', entity: 'study', entityId: studyId, details: { codes: report.codes, lines: rows.length } }, now)
  })
  return report
}

/**
 * Why a source cannot be imported at all, or null: its text is empty or holds a NUL, or neither it
 * nor its case names a participant (`code`, participantCodeOf), or that name cannot be a participant
 * code (codeProblem).
 */
function unimportableSource(source: { text: string }, code: string): string | null {
  if (source.text.trim() === '') return 'its text is empty'
  // As an uploaded transcript (putTranscript): PostgreSQL's text cannot hold a NUL, nor was one said.
  if (source.text.includes('\u0000')) return 'its text holds a NUL character (U+0000), which is no part of a transcript'
  // A participant code is never blank: Table 2, the case and the source would all be nameless.
  if (code === '') return 'neither it nor its case has a name to take as the participant code'
  const problem = codeProblem(code)
  if (problem) return `the participant code taken from the name of its case (or its own name), ${shownCode(code)}, ${problem}`
  return null
}

/**
 * Import a `.qdpx` project into a cohort: the codebook into the study's; each case as the
 * participant of that code (made when the cohort has none; one with a transcript already is left
 * alone and their source skipped); each text source as that participant's interview (held by the
 * importing researcher, following the default guide, consent to record taken as given since the
 * recording exists, starting at the source's creation time) and its transcript; each coding by
 * its coder (an account of that name among the study's staff and coders, or a new one nobody can
 * sign in to); notes as memos on their code, transcript or the project, as interviewer notes when
 * named so by our export, and as member-check comments on a coding. A member check on a passage
 * without a code (our export's for a coding deleted since) is stored on a deleted coding of that
 * passage, so that withdrawn words stay withdrawn here too, and a comment stays among the notes.
 *
 * A source without a case is the participant named like the source; one whose case and name are
 * both blank, whose participant code could not be one (codeProblem: a line break, a character
 * nobody sees …) or would look like another participant's (LookAlikeCodes), or whose text holds a
 * NUL, is skipped, and so are the notes on its case. Offsets are mapped onto the stored text (see
 * importableText). A member-check note without a comment is still the answer its name gives; a note
 * linked only to a source or coding that was not imported is skipped, never kept as a project memo.
 * A date that is not a date is taken as the import's time.
 *
 * Importing the same project again adds nothing twice: codes and participants are matched by name,
 * a participant's second source is skipped (with the notes linked to it, even when they are linked
 * to the case too), and a note is not written as a memo where a memo with the same target and text
 * is already stored. A GUID given to two elements, or a character XML 1.0 cannot hold (`&#1;`),
 * refuses the whole file (see readQdpx).
 *
 * The file is read and checked on a reader thread (qdpx-reader.ts), a few at a time, so that the
 * event loop is free meanwhile; only the writes, in one transaction, are on the main thread. They
 * are decided in memory first and then written in a few multi-row statements per table (about 0.5 s
 * in all for a project.qde near its 16 MiB cap, 33,600 codings, where a statement per row took
 * 2.4–2.7 s), since on SQLite the transaction holds the event loop, and every participant's save,
 * until it commits.
 *
 * @throws {ApiError} 422 naming `file` when the bytes are not a REFI-QDA project we can read, 413
 *   (`payload_too_large`) when they unpack past the caps of readQdpx or are too large to check or
 *   to hold in the reader thread's memory; 429 (`rate_limited`, `details.retryAfterSeconds`) when
 *   the reader threads are taken and `maxWaitingQdpxReads` imports wait already: nothing is written
 * @throws {QdpxReaderThreadError} the reader thread stopped before it answered (a 500, logged)
 */
export async function importQdpx(deps: Deps, cohortId: string, bytes: Uint8Array, user: StaffUser): Promise<ImportReport> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  // Unzipped, parsed and schema-checked on a reader thread: seconds of CPU for a large project,
  // during which the event loop goes on answering participants' saves.
  const { project, schemaErrors } = await readQdpxOnReaderThread(bytes).catch(unreadable)
  const report = emptyReport(schemaErrors)
  report.skipped.push(...project.skipped)
  const guide = deps.instruments.guide(defaultGuideId)
  if (!guide) throw new ApiError('conflict', `No interview guide ${defaultGuideId} is loaded.`)
  const actor = `staff:${user.id}`
  const now = deps.now()
  const passwordHashes = await Promise.all(project.users.map(() => unusablePasswordHash()))

  await deps.db.transaction().execute(async (trx) => {
    const codes = await writeCodes(trx, cohort.studyId, project.codes, actor, project.origin, now, report)

    // Users: the study's staff and coders by name, else a new account nobody can sign in to.
    const known: StaffUser[] = []
    const ids = new Set([...(await listRolesInStudy(trx, cohort.studyId)).map((r) => r.userId), ...(await listCodingsOfStudy(trx, cohort.studyId)).map((c) => c.coderId)])
    for (const id of ids) {
      const found = await findStaffUser(trx, id)
      if (found) known.push(found)
    }
    const users = new Map<string, StaffUser>()
    // Users named "Consensus (agreed by <name>)" hold the consensus set: their codings are consensus
    // codings recorded by <name>, found or made as any other user.
    const consensusUsers = new Set<string>()
    for (const [i, u] of project.users.entries()) {
      const decider = parseConsensusUserName(u.name)
      if (decider !== null) consensusUsers.add(u.guid)
      const name = (decider ?? u.name).trim().slice(0, 200) || 'Imported coder'
      const match = known.find((k) => k.name === name)
      if (match) {
        users.set(u.guid, match)
        report.users.matched++
        continue
      }
      const created = await insertStaffUser(trx, { email: `import-${randomBytes(6).toString('hex')}@import.invalid`, name, passwordHash: passwordHashes[i]!, isAdmin: false }, now)
      await insertAudit(trx, { actor, action: 'staff.create', entity: 'staff_user', entityId: created.id, details: { imported: true, canSignIn: false } }, now)
      known.push(created)
      users.set(u.guid, created)
      report.users.created++
    }
    const userOf = (guid: string | null) => (guid && users.get(guid)) || user

    // Participants by case (or source) name.
    const participants = new Map((await listParticipants(trx, cohort.id)).map((p) => [p.code, p]))
    const declining = await listDecliningParticipantIds(trx, cohort.id)
    const caseOfSource = new Map<string, (typeof project.cases)[number]>()
    for (const c of project.cases) for (const guid of c.sourceGuids) if (!caseOfSource.has(guid)) caseOfSource.set(guid, c)
    const codeOfSource = (source: (typeof project.sources)[number]) => participantCodeOf(caseOfSource.get(source.guid)?.name || source.name)

    // From here on, what the loops read is read first, in a few statements, and what they write is
    // written after them, in a few multi-row statements: one statement or more per coding held the
    // event loop (better-sqlite3 is synchronous) for 2.4–2.7 s on a project near the cap. They decide
    // in the file's order, as when each row was written in turn, and a row takes its id when it is
    // decided (newCoding …), so ids keep that order and notes can point at codings not yet written.
    //
    // The participants the importable sources name and the cohort lacks are made first, in one
    // statement; the loop counts each as created the first time a source reaches it.
    const sourceCodes = project.sources.map(codeOfSource)
    const unimportable = project.sources.map((source, i) => unimportableSource(source, sourceCodes[i]!))
    /** Codes refused as codes (codeProblem, or looking like another): their cases' notes are skipped too. */
    const codeRefused = new Set(sourceCodes.filter((code) => code !== '' && codeProblem(code) !== null))
    // A new code that looks like one of the cohort's, or of an earlier source, is taken for a typo (or
    // a withdrawn participant's code in disguise, P2 and p2): its source is skipped, as the CSV import refuses it.
    const looks = new LookAlikeCodes(participants.keys())
    for (const [i, code] of sourceCodes.entries()) {
      if (unimportable[i] !== null || participants.has(code)) continue
      const other = looks.claim(code)
      if (other !== undefined) {
        const where = participants.has(other) ? 'the cohort' : 'another source of this file'
        unimportable[i] = `${lookAlikeMessage(code, other, where)}: name the case as the participant is named`
        codeRefused.add(code)
      }
    }
    const toMake = new Set<string>()
    for (const [i, code] of sourceCodes.entries()) if (unimportable[i] === null && !participants.has(code)) toMake.add(code)
    const madeNow = new Set<string>()
    if (toMake.size > 0) {
      for (const made of await insertParticipants(trx, cohort.id, { codes: [...toMake], source: 'import' }, now)) {
        participants.set(made.code, made)
        madeNow.add(made.code)
      }
    }
    // The interview of each participant a source names, with its transcript's id (null while it has none).
    const named = new Set(sourceCodes.flatMap((code) => participants.get(code)?.id ?? []))
    const interviewOf = await listInterviewsOfParticipants(trx, [...named])
    /** The participant of a source; null for one nothing may be stored for (`nothingStoredFor`), with the source skipped and why. */
    const participantFor = (code: string, sourceName: string): Participant | null => {
      const found = participants.get(code)!
      if (madeNow.delete(code)) {
        report.participants.created++
        return found
      }
      const refused = nothingStoredFor(found, declining)
      if (refused) {
        report.skipped.push({ what: 'source', name: sourceName, reason: `${code} ${refused}` })
        return null
      }
      report.participants.matched++
      return found
    }

    const newInterviews: Interview[] = []
    const newTranscripts: Transcript[] = []
    const newCodings: UnsavedCoding[] = []
    const transcriptOfSource = new Map<string, { transcriptId: string; interviewId: string; participantId: string; text: string }>()
    const codingIds = new Map<string, { id: string; participantId: string }>()
    /** Passages without a code (withdrawals whose coding was deleted, qda-export.ts), with the code a stored coding of them takes. */
    const passageOf = new Map<string, { transcriptId: string; participantId: string; start: number; end: number; text: string; codeId: string | null }>()
    const anyCode = project.codes.map((c) => codes.get(c.guid)).find((c) => c?.level === 'code') ?? null
    for (const [i, source] of project.sources.entries()) {
      const code = sourceCodes[i]!
      const problem = unimportable[i]
      if (problem) {
        report.skipped.push({ what: 'source', name: source.name, reason: problem })
        continue
      }
      const participant = participantFor(code, source.name)
      if (!participant) continue
      const existing = interviewOf.get(participant.id)
      if (existing && existing.transcriptId !== null) {
        report.skipped.push({ what: 'source', name: source.name, reason: `${code} already has a transcript; a participant has one interview` })
        continue
      }
      const startedAt = dateOr(source.createdAt, now).toISOString()
      let interview: Interview | undefined = existing
      if (!interview) {
        interview = newInterview({ participantId: participant.id, interviewerId: user.id, guideId: guide.id, guideVersion: guide.version, consentToRecord: true, startedAt }, now)
        newInterviews.push(interview)
      }
      const transcript = newTranscript({ interviewId: interview.id, format: 'text', text: source.text, original: source.text, uploadedBy: user.id }, startedAt === now.toISOString() ? now : new Date(startedAt))
      newTranscripts.push(transcript)
      interviewOf.set(participant.id, { ...interview, transcriptId: transcript.id })
      transcriptOfSource.set(source.guid, { transcriptId: transcript.id, interviewId: interview.id, participantId: participant.id, text: source.text })
      report.transcripts++

      // A coding the same as one already on the transcript is that one (findSameCoding and
      // listConsensusCodings found it when each coding was written in turn). The transcript is new,
      // so those are this loop's own, kept here. The consensus set holds a code on a span once,
      // whoever recorded it; a coder's own set once per coder.
      const ownTwins = new Map<string, string>()
      const consensusTwins = new Map<string, string>()
      // One slicer per source: each coding's passage is then a lookup, not a count from the text's start.
      const passage = codePointSlicer(source.text)
      for (const coding of source.codings) {
        const code = codes.get(coding.codeGuid)
        const where = `${source.name} ${coding.start}–${coding.end}`
        if (!code) {
          report.skipped.push({ what: 'coding', name: where, reason: 'its code is not in the imported codebook' })
          continue
        }
        if (code.level !== 'code') {
          report.skipped.push({ what: 'coding', name: where, reason: `"${code.name}" is a ${code.level} here; only codes are applied to passages` })
          continue
        }
        const coder = userOf(coding.userGuid)
        const consensus = coding.userGuid !== null && consensusUsers.has(coding.userGuid)
        const twins = consensus ? consensusTwins : ownTwins
        const twinKey = consensus ? `${code.id} ${coding.start} ${coding.end}` : `${code.id} ${coder.id} ${coding.start} ${coding.end}`
        const twin = twins.get(twinKey)
        if (twin !== undefined) {
          codingIds.set(coding.guid, { id: twin, participantId: participant.id })
          continue
        }
        const made = newCoding({ transcriptId: transcript.id, codeId: code.id, coderId: coder.id, start: coding.start, end: coding.end, text: passage.slice(coding.start, coding.end), consensus }, dateOr(coding.createdAt, now))
        newCodings.push(made)
        twins.set(twinKey, made.id)
        codingIds.set(coding.guid, { id: made.id, participantId: participant.id })
        report.codings++
        if (consensus) report.consensusCodings++
      }
      // A member check (a withdrawal, a confirmation, a comment) is stored on a coding
      // (member_check.coding_id), so one of a passage without a code is stored on a deleted coding
      // of the passage, as it was where it came from, and shown among the study's notes. Its code
      // is that of a coding of this source over the same words, else the file's first code: a
      // deleted coding is in no analysis, and only its words and place are read (withdrawn.ts).
      for (const p of source.passages) {
        if (p.start < 0 || p.end <= p.start) continue
        const over = source.codings.find((c) => c.start < p.end && p.start < c.end && codes.get(c.codeGuid)?.level === 'code')
        const codeId = over ? codes.get(over.codeGuid)!.id : (anyCode?.id ?? null)
        passageOf.set(p.guid, { transcriptId: transcript.id, participantId: participant.id, start: p.start, end: p.end, text: passage.slice(p.start, p.end), codeId })
      }
    }

    // Notes, by what links to them.
    type NoteTarget = { kind: 'code' | 'transcript' | 'coding' | 'passage' | 'case' | 'project'; id: string }
    const linked = new Map<string, NoteTarget[]>()
    const link = (guid: string, target: NoteTarget) => appendTo(linked, guid, target)
    for (const imported of project.codes) for (const guid of imported.noteGuids) if (codes.get(imported.guid)) link(guid, { kind: 'code', id: codes.get(imported.guid)!.id })
    // Notes linked from a source or coding that was not imported (skipped: its participant withdrew,
    // already has a transcript …): about something not stored here, so never a memo on the project.
    const unplaced = new Set<string>()
    for (const source of project.sources) {
      const placed = transcriptOfSource.get(source.guid)
      for (const guid of source.noteGuids) {
        if (placed) link(guid, { kind: 'transcript', id: source.guid })
        else unplaced.add(guid)
      }
      for (const coding of source.codings) {
        for (const guid of coding.noteGuids) {
          if (codingIds.get(coding.guid)) link(guid, { kind: 'coding', id: coding.guid })
          else unplaced.add(guid)
        }
      }
      // A passage's note is about the transcript too: any note but a member check is a memo on it.
      for (const p of source.passages) {
        for (const guid of p.noteGuids) {
          if (passageOf.has(p.guid)) {
            link(guid, { kind: 'passage', id: p.guid })
            link(guid, { kind: 'transcript', id: source.guid })
          } else unplaced.add(guid)
        }
      }
    }
    // A case's notes are about its participant: none is kept for one nothing may be stored for, nor
    // for a code that was refused. A case without a name is its sources' participants, as above.
    const refusedNotes = new Map<string, string>()
    const sourceOf = new Map(project.sources.map((source) => [source.guid, source]))
    const nothingStored = (code: string) => {
      const found = participants.get(code)
      return found !== undefined && nothingStoredFor(found, declining) !== null
    }
    // A case without sources was checked by no loop above: its own code is checked here alike.
    const refusedAsCode = (code: string) => codeRefused.has(code) || (!participants.has(code) && code !== '' && (codeProblem(code) !== null || looks.find(code) !== undefined))
    for (const c of project.cases) {
      const named = c.sourceGuids.flatMap((guid) => sourceOf.get(guid) ?? [])
      const caseCodes = named.length === 0 ? [participantCodeOf(c.name)] : named.map((source) => participantCodeOf(c.name || source.name))
      let refused: string | null = null
      if (caseCodes.some(nothingStored)) refused = 'it is about a participant nothing more is stored for (withdrawn, or declined at their link)'
      else if (caseCodes.some(refusedAsCode)) refused = 'it is about a participant whose code was refused (see the source skipped)'
      for (const guid of c.noteGuids) {
        if (refused) refusedNotes.set(guid, refused)
        else link(guid, { kind: 'case', id: c.guid })
      }
    }
    for (const guid of project.projectNoteGuids) link(guid, { kind: 'project', id: '' })

    // The memos already here, so that importing the same project again does not write its notes
    // twice: a note on the same target with the same text is that memo (a case's note, a project's
    // or a code's note would otherwise be added once more at every import).
    const memoKey = (target: { targetType: string; targetId: string | null }, text: string) => JSON.stringify([target.targetType, target.targetId, text])
    const memosHere = new Set((await listMemos(trx, cohort.studyId)).map((m) => memoKey(m, m.text)))

    const memberChecks: MemberCheck[] = []
    const interviewNotes: { interviewId: string; questionId: string; text: string; revision: number }[] = []
    const memos: { studyId: string; targetType: 'code' | 'transcript' | 'project'; targetId: string | null; authorId: string; text: string }[] = []
    for (const note of project.notes) {
      const targets = linked.get(note.guid) ?? []
      const text = note.text.trim()
      // A member-check answer is its name (the decision) on a coding; the comment is optional. An
      // answer without one ("withdraw", "confirm") is written as an empty note and is still the answer.
      const codingTarget = targets.find((t) => t.kind === 'coding')
      const decision = parseMemberCheckNoteName(note.name)
      if (decision && codingTarget) {
        const coding = codingIds.get(codingTarget.id)!
        memberChecks.push(newMemberCheck({ codingId: coding.id, participantId: coding.participantId, decision, comment: text === '' ? null : note.text }, dateOr(note.createdAt, now)))
        report.memberChecks++
        continue
      }
      const passageTarget = targets.find((t) => t.kind === 'passage')
      const p = passageTarget && passageOf.get(passageTarget.id)
      if (decision === 'withdraw' && p && p.codeId === null) {
        report.skipped.push({ what: 'note', name: note.name, reason: 'a withdrawal is kept on a coding, and the file has no code to hold one' })
        continue
      }
      // Without a code to hold it, a comment or confirmation on a passage is a note on the transcript, as below.
      if (decision && p && p.codeId !== null) {
        const decidedAt = dateOr(note.createdAt, now)
        // Stored deleted at once: a live twin of the researcher's own would break the live-coding key.
        const holder = newCoding({ transcriptId: p.transcriptId, codeId: p.codeId, coderId: user.id, start: p.start, end: p.end, text: p.text, deletedAt: now }, decidedAt)
        newCodings.push(holder)
        memberChecks.push(newMemberCheck({ codingId: holder.id, participantId: p.participantId, decision, comment: text === '' ? null : note.text }, decidedAt))
        report.memberChecks++
        continue
      }
      if (text === '') continue
      const refused = targets.length === 0 ? refusedNotes.get(note.guid) : undefined
      if (refused) {
        report.skipped.push({ what: 'note', name: note.name, reason: refused })
        continue
      }
      // Linked from a source or coding that was not imported, and otherwise to the case at most: the
      // note is about that source (our interviewer notes are linked to the source and the case). On a
      // second import of the same project the source is skipped (its participant has the transcript
      // from the first) and such a note became a project memo each time.
      if (unplaced.has(note.guid) && targets.every((t) => t.kind === 'case')) {
        report.skipped.push({ what: 'note', name: note.name, reason: 'what it is about was not imported' })
        continue
      }
      const author = userOf(note.userGuid)
      const transcriptTarget = targets.find((t) => t.kind === 'transcript')
      const interviewQuestion = parseInterviewNoteName(note.name)
      if (interviewQuestion && transcriptTarget) {
        const placed = transcriptOfSource.get(transcriptTarget.id)!
        if (guide.questions.some((q) => q.id === interviewQuestion)) {
          // Of two notes on one question, the later one stands (upsertNotes), as when each was written in turn.
          interviewNotes.push({ interviewId: placed.interviewId, questionId: interviewQuestion, text: note.text, revision: 1 })
          report.interviewNotes++
          continue
        }
      }
      const codeTarget = targets.find((t) => t.kind === 'code')
      const target = codeTarget
        ? { targetType: 'code' as const, targetId: codeTarget.id }
        : transcriptTarget
          ? { targetType: 'transcript' as const, targetId: transcriptOfSource.get(transcriptTarget.id)!.transcriptId }
          : { targetType: 'project' as const, targetId: null }
      const memoText = note.text.slice(0, 50_000)
      if (memosHere.has(memoKey(target, memoText))) {
        report.skipped.push({ what: 'note', name: note.name, reason: 'the same note is already here (imported before)' })
        continue
      }
      memos.push({ studyId: cohort.studyId, ...target, authorId: author.id, text: memoText })
      report.memos++
    }

    // Everything decided: written in a few multi-row statements, each table after those it refers to.
    await insertInterviews(trx, newInterviews)
    await insertTranscripts(trx, newTranscripts)
    await insertCodings(trx, newCodings)
    await insertMemberChecks(trx, memberChecks)
    await upsertNotes(trx, interviewNotes, now)
    await insertMemos(trx, memos, now)
    await insertAudit(
      trx,
      {
        actor,
        action: 'import.qdpx',
        entity: 'cohort',
        entityId: cohort.id,
        details: { origin: project.origin, valid: report.validation.valid, codes: report.codes, transcripts: report.transcripts, codings: report.codings, memos: report.memos, skipped: report.skipped.length },
      },
      now,
    )
  })
  return report
}

// Re-exported for the export side, which writes the names these parse.
export { interviewNoteName, memberCheckNoteName }
