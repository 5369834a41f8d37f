/**
 * What else was written about an interview, for the researchers to read beside the transcript: the
 * interviewer's notes, one per guide question, and the participants' member-check answers about
 * the quotations taken from their interview (confirmed, commented, withdrawn, with their comment).
 * On screen per transcript, for the whole study as CSV, and in the `.qdpx` as notes linked to their
 * source and case (interviewer notes) or to the coding (member checks), under names our import
 * recognises, so a round trip keeps them.
 */
import { stringify } from 'csv-stringify/sync'
import { listMemberChecksOfStudy } from '../../db/repositories/codings'
import { findInterview, listNotes } from '../../db/repositories/interviews'
import type { MemberCheckDecision } from '../../db/schema'
import type { Deps } from '../deps'
import { plainText } from '../instruments/text'
import { loadInterviews } from './data'

export type InterviewerNoteView = { questionId: string; question: string; text: string; updatedAt: string }
export type MemberCheckView = { codingId: string; quotation: string; decision: MemberCheckDecision; comment: string | null; decidedAt: string }
export type TranscriptNotes = { transcriptId: string; participant: { id: string; label: string }; interviewerNotes: InterviewerNoteView[]; memberChecks: MemberCheckView[] }

/** The name of an interviewer note in a `.qdpx`: `Interviewer note: <question id>`. */
export const interviewNoteName = (questionId: string): string => `Interviewer note: ${questionId}`

/** The question id of a note named by interviewNoteName, or null. */
export function parseInterviewNoteName(name: string): string | null {
  const match = /^Interviewer note: (\S+)$/.exec(name.trim())
  return match ? match[1]! : null
}

/** The name of a member-check answer in a `.qdpx`: `Member check: confirm|comment|withdraw`. */
export const memberCheckNoteName = (decision: MemberCheckDecision): string => `Member check: ${decision}`

/** The decision of a note named by memberCheckNoteName, or null. */
export function parseMemberCheckNoteName(name: string): MemberCheckDecision | null {
  const match = /^Member check: (confirm|comment|withdraw)$/.exec(name.trim())
  return match ? (match[1] as MemberCheckDecision) : null
}

/**
 * The consensus set in a `.qdpx`. REFI-QDA has no notion of it, and a Coding's creatingUser must be
 * a `<User>`; so the consensus codings are the codings of a user of their own per researcher who
 * recorded them, named `Consensus (agreed by <name>)`. In MAXQDA, NVivo or QualCoder the consensus
 * set is then one more "coder" to filter by; our import reads the name back into consensus codings
 * by that researcher.
 */
export const consensusUserName = (deciderName: string): string => `Consensus (agreed by ${deciderName})`

/** The researcher's name in a user named by consensusUserName, or null for any other user. */
export function parseConsensusUserName(name: string): string | null {
  const match = /^Consensus \(agreed by (.+)\)$/.exec(name.trim())
  return match ? match[1]!.trim() : null
}

/**
 * Every transcript's notes in the study, in interview order: the interviewer's notes in the order
 * of the guide's questions (empty ones left out), and every member-check answer about quotations
 * from that interview, oldest first (the last per quotation counts).
 *
 * @example
 * (await studyNotes(deps, studyId))[0]
 * // => { transcriptId, participant: { label: 'P1' }, interviewerNotes: [{ questionId: 'experience', question: 'How was …', text: 'Spoke of fear first', … }],
 * //      memberChecks: [{ quotation: 'That fear is smaller now.', decision: 'comment', comment: 'More shame than fear', … }] }
 */
export async function studyNotes(deps: Deps, studyId: string, options: { transcriptId?: string } = {}): Promise<TranscriptNotes[]> {
  const interviews = (await loadInterviews(deps, studyId)).filter((i) => options.transcriptId === undefined || i.transcriptId === options.transcriptId)
  const checks = await listMemberChecksOfStudy(deps.db, studyId)
  const result: TranscriptNotes[] = []
  for (const interview of interviews) {
    const stored = (await findInterview(deps.db, interview.interviewId))!
    const guide = deps.instruments.guide(stored.guideId, stored.guideVersion)
    const order = new Map((guide?.questions ?? []).map((q, i) => [q.id, i]))
    const questionText = new Map((guide?.questions ?? []).map((q) => [q.id, plainText(q.text)]))
    const notes = (await listNotes(deps.db, interview.interviewId))
      .filter((n) => n.text.trim() !== '')
      .sort((a, b) => (order.get(a.questionId) ?? Infinity) - (order.get(b.questionId) ?? Infinity) || a.questionId.localeCompare(b.questionId))
    result.push({
      transcriptId: interview.transcriptId,
      participant: { id: interview.participantId, label: interview.label },
      interviewerNotes: notes.map((n) => ({ questionId: n.questionId, question: questionText.get(n.questionId) ?? n.questionId, text: n.text, updatedAt: n.updatedAt })),
      memberChecks: checks
        .filter((c) => c.transcriptId === interview.transcriptId)
        .map((c) => ({ codingId: c.codingId, quotation: c.text, decision: c.decision, comment: c.comment, decidedAt: c.decidedAt })),
    })
  }
  return result
}

/**
 * The study's notes as CSV, one line per note: participant, kind (`interviewer_note` or
 * `member_check`), about (the guide question, or the quotation checked), decision (member checks
 * only), text (the note, or the participant's comment), at (ISO time). Cells that a spreadsheet
 * would read as a formula are neutralised by csv-stringify's `escape_formulas`.
 */
export function notesCsv(notes: TranscriptNotes[]): string {
  const rows: (string | null)[][] = [['participant', 'kind', 'about', 'decision', 'text', 'at']]
  for (const t of notes) {
    for (const n of t.interviewerNotes) rows.push([t.participant.label, 'interviewer_note', n.question, '', n.text, n.updatedAt])
    for (const c of t.memberChecks) rows.push([t.participant.label, 'member_check', c.quotation, c.decision, c.comment ?? '', c.decidedAt])
  }
  return stringify(rows, { escape_formulas: true })
}
