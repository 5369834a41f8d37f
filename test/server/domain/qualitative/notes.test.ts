/**
 * Researchers read the interviewer's notes and the participants' member-check answers beside each
 * transcript, and get them as CSV.
 */
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { findInterviewOfParticipant } from '../../../../server/db/repositories/interviews'
import { findParticipant } from '../../../../server/db/repositories/participants'
import { createCode } from '../../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, recordMemberCheck } from '../../../../server/domain/qualitative/coding'
import { saveNote } from '../../../../server/domain/qualitative/interviews'
import { notesCsv, parseInterviewNoteName, parseMemberCheckNoteName, studyNotes } from '../../../../server/domain/qualitative/notes'
import { testDeps } from '../../../helpers/app'
import { codingStudy, spanOf } from '../../../helpers/qualitative'

const P1 = 'Interviewer: How was it?\nP1: I was afraid at first. Later I felt safe.'
const P2 = 'Interviewer: How was it?\nP2: Good.'

describe('notes beside the transcript', () => {
  it('gives each transcript its interviewer notes in guide order and every member-check answer, as JSON and CSV', async () => {
    const deps = await testDeps()
    const w = await codingStudy(deps, [P1, P2])
    const actor = `staff:${w.coderA.id}`
    const theme = await createCode(deps, w.study.id, { level: 'theme', name: 'Effects' }, actor)
    const category = await createCode(deps, w.study.id, { level: 'category', name: 'Feelings', parentId: theme.id }, actor)
    const code = await createCode(deps, w.study.id, { level: 'code', name: 'Fear', parentId: category.id }, actor)
    const { codings } = await addCodings(deps, w.transcripts[0]!, w.coderA.id, { codeIds: [code.id], ...spanOf(P1, 'I was afraid at first.') })
    await chooseQuote(deps, code, codings[0]!.id, actor)
    const interview = (await findInterviewOfParticipant(deps.db, w.participants[0]!.id))!
    const guide = deps.instruments.guide(interview.guideId, interview.guideVersion)!
    const [q1, q2] = guide.questions
    // Saved in the reverse of the guide's order; read in the guide's.
    await saveNote(deps, interview, q2!.id, { text: '=HYPERLINK("http://x")', revision: 1 }, w.coderA)
    await saveNote(deps, interview, q1!.id, { text: 'Spoke of fear first.', revision: 1 }, w.coderA)
    await saveNote(deps, interview, guide.questions[2]!.id, { text: '   ', revision: 1 }, w.coderA)
    const participant = (await findParticipant(deps.db, w.participants[0]!.id))!
    await recordMemberCheck(deps, participant, { codingId: codings[0]!.id, decision: 'comment', comment: 'More shame than fear.' })
    deps.clock.advance(60_000)
    await recordMemberCheck(deps, participant, { codingId: codings[0]!.id, decision: 'confirm' })

    const notes = await studyNotes(deps, w.study.id)
    expect(notes.map((n) => n.participant.label)).toEqual(['P1', 'P2'])
    expect(notes[0]!.interviewerNotes.map((n) => [n.questionId, n.text])).toEqual([
      [q1!.id, 'Spoke of fear first.'],
      [q2!.id, '=HYPERLINK("http://x")'],
    ])
    expect(notes[0]!.memberChecks.map((c) => [c.quotation, c.decision, c.comment])).toEqual([
      ['I was afraid at first.', 'comment', 'More shame than fear.'],
      ['I was afraid at first.', 'confirm', null],
    ])
    expect(notes[1]).toMatchObject({ interviewerNotes: [], memberChecks: [] })
    expect(await studyNotes(deps, w.study.id, { transcriptId: w.transcripts[1]!.transcriptId })).toHaveLength(1)

    const rows: string[][] = parse(notesCsv(notes))
    expect(rows[0]).toEqual(['participant', 'kind', 'about', 'decision', 'text', 'at'])
    expect(rows.slice(1).map((r) => [r[0], r[1], r[3], r[4]])).toEqual([
      ['P1', 'interviewer_note', '', 'Spoke of fear first.'],
      // A formula typed into a note stays text in a spreadsheet.
      ['P1', 'interviewer_note', '', '\'=HYPERLINK("http://x")'],
      ['P1', 'member_check', 'comment', 'More shame than fear.'],
      ['P1', 'member_check', 'confirm', ''],
    ])
  })

  it('names notes in a .qdpx so that an import knows them again', () => {
    expect(parseInterviewNoteName('Interviewer note: experience')).toBe('experience')
    expect(parseInterviewNoteName('Memo: P1')).toBeNull()
    expect(parseMemberCheckNoteName('Member check: withdraw')).toBe('withdraw')
    expect(parseMemberCheckNoteName('Member check: maybe')).toBeNull()
  })
})
