/**
 * Interviews and their coding, over HTTP: interview guides, interviewer assignments, interviews with
 * notes and transcripts, the codebook, codings, memos, Table 2 quotations, resolved disagreements and
 * member checks. The rules are in domain/qualitative/ (interviews.ts, codebook.ts and coding.ts).
 *
 * Roles: researchers do everything in their study; an interviewer reaches only the participants
 * assigned to them (others are 404) and their interviews, notes and transcripts; program leads and
 * group leaders reach none of it (403). Anything of a study the user has no role in is 404.
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import {
  addCodingsBody,
  assignInterviewerBody,
  chooseQuoteBody,
  codingsQuery,
  createCodeBody,
  createMemoBody,
  mergeCodeBody,
  memosQuery,
  noteBody,
  resolutionBody,
  setQuotesBody,
  startInterviewBody,
  transcriptBody,
  updateCodeBody,
  updateInterviewBody,
  updateMemoBody,
} from '../contracts/qualitative'
import { findCode, type Code } from '../db/repositories/codebook'
import { listCodingDoneOf } from '../db/repositories/codings'
import { findInterviewOfParticipant, findTranscript, findTranscriptPlace, listTranscriptsOfStudy, type TranscriptPlace } from '../db/repositories/interviews'
import { requireStudyRole, type StudyAccess } from '../domain/staff/access'
import { codebook, codeHistory, createCode, createMemo, deleteCode, editCode, editMemo, mergeCode, removeMemo, requireMemo, studyMemos } from '../domain/qualitative/codebook'
import {
  addCodings,
  chooseQuote,
  deleteCoding,
  markCodingDone,
  recordResolution,
  requireCoding,
  setQuotes,
  studyMemberChecks,
  studyQuotes,
  transcriptCodingDone,
  transcriptCodings,
  transcriptResolutions,
  unchooseQuote,
} from '../domain/qualitative/coding'
import type { Deps } from '../domain/deps'
import {
  assignInterviewer,
  guideView,
  interviewerParticipants,
  interviewView,
  putTranscript,
  requireInterview,
  requireInterviewAccess,
  requireTranscript,
  saveNote,
  startInterview,
  studyAssignments,
  transcriptView,
  unassignInterviewer,
  updateInterviewDetails,
} from '../domain/qualitative/interviews'
import { codePointLength } from '../domain/qualitative/units'
import { staffOf, type StaffEnv } from '../http/auth'
import { ApiError, parseOr422 } from '../domain/errors'
import { jsonBody, pathParams } from '../http/validate'

const id = z.string().min(1).max(64)
const idParam = z.object({ id })

/**
 * Researcher-only work in a study. A thing of a study the user has no role in is "not found" under
 * its own name, so staff of one study cannot learn what exists in another.
 */
async function asResearcher(deps: Deps, c: Context<StaffEnv>, studyId: string, thing: string): Promise<StudyAccess> {
  try {
    return await requireStudyRole(deps, staffOf(c).user, studyId, ['researcher'])
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', `No such ${thing}.`)
    throw error
  }
}

async function researcherCode(deps: Deps, c: Context<StaffEnv>, codeId: string): Promise<Code> {
  const code = await findCode(deps.db, codeId)
  if (!code) throw new ApiError('not_found', 'No such code.')
  await asResearcher(deps, c, code.studyId, 'code')
  return code
}

async function researcherTranscript(deps: Deps, c: Context<StaffEnv>, transcriptId: string): Promise<TranscriptPlace> {
  const place = await findTranscriptPlace(deps.db, transcriptId)
  if (!place) throw new ApiError('not_found', 'No such transcript.')
  await asResearcher(deps, c, place.studyId, 'transcript')
  return place
}

export function interviewRoutes(deps: Deps) {
  return (
    new Hono<StaffEnv>()
      // --- Guides and assignments ---------------------------------------------------------------
      .get('/studies/:id/interview-guides', pathParams(idParam), async (c) => {
        await requireStudyRole(deps, staffOf(c).user, c.req.valid('param').id, ['researcher', 'interviewer'])
        return c.json(deps.instruments.guides().map(guideView), 200)
      })
      .get('/studies/:id/interview-assignments', pathParams(idParam), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        return c.json(await studyAssignments(deps, study.id), 200)
      })
      .post('/studies/:id/interview-assignments', pathParams(idParam), jsonBody(assignInterviewerBody), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        const { assignment, created } = await assignInterviewer(deps, study.id, c.req.valid('json'), `staff:${staffOf(c).user.id}`)
        // Assigning the same pair again is not an error: it answers with the assignment that exists.
        if (created) return c.json(assignment, 201)
        return c.json(assignment, 200)
      })
      .delete('/studies/:id/interview-assignments/:assignmentId', pathParams(z.object({ id, assignmentId: id })), async (c) => {
        const params = c.req.valid('param')
        const { study } = await asResearcher(deps, c, params.id, 'study')
        await unassignInterviewer(deps, study.id, params.assignmentId, `staff:${staffOf(c).user.id}`)
        return c.json({ ok: true }, 200)
      })
      .get('/interviewer/participants', async (c) => {
        return c.json(await interviewerParticipants(deps, staffOf(c).user), 200)
      })

      // --- Interviews ---------------------------------------------------------------------------
      .post('/participants/:id/interview', pathParams(idParam), jsonBody(startInterviewBody), async (c) => {
        const { user } = staffOf(c)
        const { participant } = await requireInterviewAccess(deps, user, c.req.valid('param').id)
        const interview = await startInterview(deps, participant, user, c.req.valid('json'))
        return c.json(await interviewView(deps, interview, participant), 201)
      })
      .get('/participants/:id/interview', pathParams(idParam), async (c) => {
        const { participant } = await requireInterviewAccess(deps, staffOf(c).user, c.req.valid('param').id)
        const interview = await findInterviewOfParticipant(deps.db, participant.id)
        if (!interview) throw new ApiError('not_found', 'This participant has no interview yet.')
        return c.json(await interviewView(deps, interview, participant), 200)
      })
      .get('/interviews/:id', pathParams(idParam), async (c) => {
        const { interview, participant } = await requireInterview(deps, staffOf(c).user, c.req.valid('param').id)
        return c.json(await interviewView(deps, interview, participant), 200)
      })
      .patch('/interviews/:id', pathParams(idParam), jsonBody(updateInterviewBody), async (c) => {
        const { user } = staffOf(c)
        const { interview, participant } = await requireInterview(deps, user, c.req.valid('param').id)
        const updated = await updateInterviewDetails(deps, interview, c.req.valid('json'), user)
        return c.json(await interviewView(deps, updated, participant), 200)
      })
      .put('/interviews/:id/notes/:questionId', pathParams(z.object({ id, questionId: z.string().min(1).max(100) })), jsonBody(noteBody), async (c) => {
        const { user } = staffOf(c)
        const params = c.req.valid('param')
        const { interview } = await requireInterview(deps, user, params.id)
        return c.json(await saveNote(deps, interview, params.questionId, c.req.valid('json'), user), 200)
      })
      .put('/interviews/:id/transcript', pathParams(idParam), jsonBody(transcriptBody), async (c) => {
        const { user } = staffOf(c)
        const { interview, participant } = await requireInterview(deps, user, c.req.valid('param').id)
        const transcript = await putTranscript(deps, interview, c.req.valid('json'), user)
        return c.json(transcriptView(transcript, participant), 200)
      })
      .get('/transcripts/:id', pathParams(idParam), async (c) => {
        const { place } = await requireTranscript(deps, staffOf(c).user, c.req.valid('param').id)
        const transcript = (await findTranscript(deps.db, place.transcriptId))!
        return c.json(transcriptView(transcript, { id: place.participantId, code: place.participantCode }), 200)
      })
      .get('/studies/:id/transcripts', pathParams(idParam), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        const transcripts = await listTranscriptsOfStudy(deps.db, study.id)
        const done = await listCodingDoneOf(deps.db, transcripts.map((t) => t.id))
        // A list for choosing: the texts are fetched one at a time.
        return c.json(
          transcripts.map((t) => ({
            id: t.id,
            interviewId: t.interviewId,
            participant: { id: t.participantId, code: t.participantCode },
            interviewOrder: t.interviewOrder,
            interviewStartedAt: t.interviewStartedAt,
            format: t.format,
            length: codePointLength(t.text),
            updatedAt: t.updatedAt,
            /** Each coder who marked their coding of it done, first done first. */
            done: done.filter((d) => d.transcriptId === t.id).map((d) => ({ coderId: d.coderId, name: d.coderName, doneAt: d.doneAt })),
          })),
          200,
        )
      })

      // --- Codebook -----------------------------------------------------------------------------
      .get('/studies/:id/codes', pathParams(idParam), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        const { include } = parseOr422(z.object({ include: z.enum(['live', 'retired']).default('live') }), c.req.query())
        return c.json(await codebook(deps, study.id, { includeRetired: include === 'retired' }), 200)
      })
      .post('/studies/:id/codes', pathParams(idParam), jsonBody(createCodeBody), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        return c.json(await createCode(deps, study.id, c.req.valid('json'), `staff:${staffOf(c).user.id}`), 201)
      })
      .patch('/codes/:id', pathParams(idParam), jsonBody(updateCodeBody), async (c) => {
        const code = await researcherCode(deps, c, c.req.valid('param').id)
        return c.json(await editCode(deps, code, c.req.valid('json'), `staff:${staffOf(c).user.id}`), 200)
      })
      .post('/codes/:id/merge', pathParams(idParam), jsonBody(mergeCodeBody), async (c) => {
        const code = await researcherCode(deps, c, c.req.valid('param').id)
        return c.json(await mergeCode(deps, code, c.req.valid('json').into, `staff:${staffOf(c).user.id}`), 200)
      })
      .delete('/codes/:id', pathParams(idParam), async (c) => {
        const code = await researcherCode(deps, c, c.req.valid('param').id)
        await deleteCode(deps, code, `staff:${staffOf(c).user.id}`)
        return c.json({ ok: true }, 200)
      })
      .get('/codes/:id/history', pathParams(idParam), async (c) => {
        const code = await researcherCode(deps, c, c.req.valid('param').id)
        return c.json(await codeHistory(deps, code), 200)
      })

      // --- Codings ------------------------------------------------------------------------------
      .get('/transcripts/:id/codings', pathParams(idParam), async (c) => {
        const place = await researcherTranscript(deps, c, c.req.valid('param').id)
        // Blind by default: a coder sees only their own codings until the researchers compare.
        const { coders } = parseOr422(codingsQuery, c.req.query())
        return c.json({ coders, codings: await transcriptCodings(deps, place.transcriptId, staffOf(c).user.id, coders) }, 200)
      })
      .post('/transcripts/:id/codings', pathParams(idParam), jsonBody(addCodingsBody), async (c) => {
        const place = await researcherTranscript(deps, c, c.req.valid('param').id)
        const result = await addCodings(deps, place, staffOf(c).user.id, c.req.valid('json'))
        if (result.created > 0) return c.json(result, 201)
        return c.json(result, 200)
      })
      .delete('/codings/:id', pathParams(idParam), async (c) => {
        const { coding, place } = await requireCoding(deps, c.req.valid('param').id)
        await asResearcher(deps, c, place.studyId, 'coding')
        await deleteCoding(deps, coding, staffOf(c).user.id)
        return c.json({ ok: true }, 200)
      })
      .get('/transcripts/:id/done', pathParams(idParam), async (c) => {
        const place = await researcherTranscript(deps, c, c.req.valid('param').id)
        return c.json(await transcriptCodingDone(deps, place.transcriptId), 200)
      })
      .put('/transcripts/:id/done', pathParams(idParam), async (c) => {
        const place = await researcherTranscript(deps, c, c.req.valid('param').id)
        return c.json(await markCodingDone(deps, place, staffOf(c).user.id, true), 200)
      })
      .delete('/transcripts/:id/done', pathParams(idParam), async (c) => {
        const place = await researcherTranscript(deps, c, c.req.valid('param').id)
        return c.json(await markCodingDone(deps, place, staffOf(c).user.id, false), 200)
      })
      .get('/transcripts/:id/resolutions', pathParams(idParam), async (c) => {
        const place = await researcherTranscript(deps, c, c.req.valid('param').id)
        return c.json(await transcriptResolutions(deps, place.transcriptId), 200)
      })
      .post('/transcripts/:id/resolutions', pathParams(idParam), jsonBody(resolutionBody), async (c) => {
        const place = await researcherTranscript(deps, c, c.req.valid('param').id)
        return c.json(await recordResolution(deps, place, staffOf(c).user.id, c.req.valid('json')), 201)
      })

      // --- Table 2 and member checking ----------------------------------------------------------
      .put('/codes/:id/quote', pathParams(idParam), jsonBody(chooseQuoteBody), async (c) => {
        const code = await researcherCode(deps, c, c.req.valid('param').id)
        return c.json(await chooseQuote(deps, code, c.req.valid('json').codingId, `staff:${staffOf(c).user.id}`), 200)
      })
      .delete('/codes/:id/quote', pathParams(idParam), async (c) => {
        const code = await researcherCode(deps, c, c.req.valid('param').id)
        await unchooseQuote(deps, code, `staff:${staffOf(c).user.id}`)
        return c.json({ ok: true }, 200)
      })
      // Several quotations per code: set them in order, or remove one.
      .put('/codes/:id/quotes', pathParams(idParam), jsonBody(setQuotesBody), async (c) => {
        const code = await researcherCode(deps, c, c.req.valid('param').id)
        return c.json(await setQuotes(deps, code, c.req.valid('json').codingIds, `staff:${staffOf(c).user.id}`), 200)
      })
      .delete('/codes/:id/quotes/:codingId', pathParams(z.object({ id, codingId: id })), async (c) => {
        const params = c.req.valid('param')
        const code = await researcherCode(deps, c, params.id)
        await unchooseQuote(deps, code, `staff:${staffOf(c).user.id}`, params.codingId)
        return c.json({ ok: true }, 200)
      })
      .get('/studies/:id/quotes', pathParams(idParam), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        return c.json(await studyQuotes(deps, study.id), 200)
      })
      .get('/studies/:id/member-checks', pathParams(idParam), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        return c.json(await studyMemberChecks(deps, study.id), 200)
      })

      // --- Memos --------------------------------------------------------------------------------
      .get('/studies/:id/memos', pathParams(idParam), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        return c.json(await studyMemos(deps, study.id, parseOr422(memosQuery, c.req.query())), 200)
      })
      .post('/studies/:id/memos', pathParams(idParam), jsonBody(createMemoBody), async (c) => {
        const { study } = await asResearcher(deps, c, c.req.valid('param').id, 'study')
        return c.json(await createMemo(deps, study.id, c.req.valid('json'), staffOf(c).user.id), 201)
      })
      .patch('/memos/:id', pathParams(idParam), jsonBody(updateMemoBody), async (c) => {
        const memo = await requireMemo(deps, c.req.valid('param').id)
        await asResearcher(deps, c, memo.studyId, 'memo')
        return c.json(await editMemo(deps, memo, c.req.valid('json').text, staffOf(c).user.id), 200)
      })
      .delete('/memos/:id', pathParams(idParam), async (c) => {
        const memo = await requireMemo(deps, c.req.valid('param').id)
        await asResearcher(deps, c, memo.studyId, 'memo')
        await removeMemo(deps, memo, staffOf(c).user.id)
        return c.json({ ok: true }, 200)
      })
  )
}
