/**
 * REFI-QDA exports for MAXQDA, NVivo, ATLAS.ti, QualCoder and Taguette: a cohort's project as
 * `.qdpx` (the transcripts, the codebook hierarchy, every coder's codings, the memos, and the
 * participants as cases with their demographics) and a study's codebook alone as `.qdc`. The files
 * are built by the pure functions of qualitative/refi-qda.ts from what is read here. Every export is
 * written to the audit log: who, when, what, and where it went. Never the data.
 */
import { insertAudit } from '../../db/repositories/audit'
import { listMemos } from '../../db/repositories/codebook'
import { listParticipants } from '../../db/repositories/participants'
import { listEnrolmentAnswers } from '../../db/repositories/responses'
import { findStaffUser } from '../../db/repositories/staff'
import { findCohort, findStudy } from '../../db/repositories/studies'
import { ApiError } from '../errors'
import type { Deps } from '../deps'
import { exportSlug } from '../outcomes/exports'
import { questionTexts } from '../instruments/labels'
import type { Instrument } from '../instruments/registry'
import { studyDemographicsForm } from '../instruments/study-forms'
import { codeNode, loadCodebook, loadCodings, loadInterviews, type AnalysedInterview } from './data'
import { listCodingsWithDeleted } from '../../db/repositories/codings'
import { codePointSlicer } from './units'
import { placesOfWords } from './withdrawn'
import { findInterview } from '../../db/repositories/interviews'
import { consensusUserName, interviewNoteName, memberCheckNoteName, studyNotes, type MemberCheckView } from './notes'
import { buildQdc, buildQdpx, type QdpxCase, type QdpxMemo, type QdpxPassage } from './refi-qda'

/** Written to the files' `origin`, so an importing tool can tell where they came from. */
export const qdaOrigin = 'Balint Outcomes'

/** Where an export went: a download from the web app, or a file written by the command line. */
export type QdaDestination = { actor: string; destination: 'download' | { file: string } }

export type QdaFile = { fileName: string; contentType: string; bytes: Uint8Array }

/**
 * A participant's demographics as case variables: every question of the demographics form, by
 * name, as the participant answered it. Choices are written as their labels ("Female", not
 * "female"), since that is what a reader of the QDA project needs; an "other" choice as the text
 * the participant typed; several choices joined with "; "; an unanswered question as null (no value).
 *
 * @example
 * demographicVariables(demographics, { age: 31, sex: 'female', role: 'other', 'role-Comment': 'Midwife' })
 * // => { age: 31, sex: 'Female', marital_status: null, role: 'Midwife', years_in_practice: null, … }
 */
export function demographicVariables(instrument: Instrument, answers: Record<string, unknown> | undefined): QdpxCase['variables'] {
  const texts = questionTexts(instrument)
  const variables: QdpxCase['variables'] = {}
  for (const question of instrument.questions) {
    const value = answers?.[question.name]
    const labels = texts.get(question.name)?.valueLabels ?? []
    const label = (v: unknown) => {
      if (v === 'other' && typeof answers?.[`${question.name}-Comment`] === 'string' && answers[`${question.name}-Comment`] !== '') return String(answers[`${question.name}-Comment`])
      return labels.find((l) => l.value === v)?.label ?? String(v)
    }
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) variables[question.name] = null
    else if (Array.isArray(value)) variables[question.name] = value.map(label).join('; ')
    else if (question.kind === 'choice') variables[question.name] = label(value)
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') variables[question.name] = value
    else variables[question.name] = JSON.stringify(value)
  }
  return variables
}

async function userNames(deps: Deps, ids: Iterable<string>): Promise<{ id: string; name: string }[]> {
  const users: { id: string; name: string }[] = []
  for (const id of new Set(ids)) {
    const user = await findStaffUser(deps.db, id)
    users.push({ id, name: user?.name ?? id })
  }
  return users
}

/**
 * The cohort's project as a `.qdpx`: the transcripts of its participants, the study's live codebook
 * (theme → category → code), the codings of every coder (each Coding's creatingUser is its coder)
 * and the consensus set (as a user "Consensus (agreed by <researcher>)", see consensusUserName),
 * the study's memos on those codes and transcripts and on the project, and each interviewed
 * participant as a case with their demographics. The latest member-check answer on each exported
 * coding is a note on it; a member-check answer whose coding was deleted since is a note on a passage
 * without a code at its words (passagesOfDeletedCodings). The export is audited
 * before it is returned.
 *
 * @example
 * const file = await exportCohortQdpx(deps, cohortId, { actor: 'cli', destination: { file: '/tmp/group-a.qdpx' } })
 * writeFileSync('/tmp/group-a.qdpx', file.bytes)
 */
export async function exportCohortQdpx(deps: Deps, cohortId: string, audit: QdaDestination): Promise<QdaFile> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  const study = (await findStudy(deps.db, cohort.studyId))!
  const codebook = await loadCodebook(deps, study.id)
  const [interviews, allCodings, memos, participants] = await Promise.all([
    loadInterviews(deps, study.id),
    // Every coder's own codings and the consensus set, which the project keeps apart by its user.
    loadCodings(deps, study.id, codebook, { set: 'all' }),
    listMemos(deps.db, study.id),
    listParticipants(deps.db, cohort.id),
  ])
  const transcripts = interviews.filter((i) => i.cohortId === cohort.id)
  const transcriptIds = new Set(transcripts.map((t) => t.transcriptId))
  const codings = allCodings.filter((c) => transcriptIds.has(c.transcriptId))
  const codeIds = new Set(codebook.nodes.map((n) => n.id))
  // Memos of this cohort's transcripts, of live codes, and of the project; another cohort's transcripts stay out.
  const exported: QdpxMemo[] = memos.flatMap((m): QdpxMemo[] => {
    const keep = m.targetType === 'project' || (m.targetType === 'code' ? codeIds.has(m.targetId ?? '') : transcriptIds.has(m.targetId ?? ''))
    return keep ? [{ id: m.id, targetKind: m.targetType, targetId: m.targetId, text: m.text, authorId: m.authorId, createdAt: m.createdAt }] : []
  })

  // Interviewer notes (linked to the transcript and the participant's case) and the latest
  // member-check answer on each exported coding (linked to the coding), named so our import knows them.
  const exportedCodingIds = new Set(codings.map((c) => c.id))
  const checksOfDeleted: { check: MemberCheckView; transcript: AnalysedInterview }[] = []
  for (const t of await studyNotes(deps, study.id)) {
    if (!transcriptIds.has(t.transcriptId)) continue
    const interview = transcripts.find((i) => i.transcriptId === t.transcriptId)!
    const stored = await findInterview(deps.db, interview.interviewId)
    for (const note of t.interviewerNotes) {
      exported.push({
        id: `interview-note:${interview.interviewId}:${note.questionId}`,
        targetKind: 'transcript',
        targetId: t.transcriptId,
        text: note.text,
        authorId: stored?.interviewerId ?? null,
        createdAt: note.updatedAt,
        name: interviewNoteName(note.questionId),
        linkCase: true,
      })
    }
    const latest = new Map(t.memberChecks.map((c) => [c.codingId, c]))
    for (const check of latest.values()) {
      if (!exportedCodingIds.has(check.codingId)) {
        checksOfDeleted.push({ check, transcript: interview })
        continue
      }
      exported.push({ id: `member-check:${check.codingId}`, targetKind: 'coding', targetId: check.codingId, text: check.comment ?? '', authorId: null, createdAt: check.decidedAt, name: memberCheckNoteName(check.decision) })
    }
  }
  const passages = await passagesOfDeletedCodings(deps, checksOfDeleted, exported)

  const demographics = await studyDemographicsForm(deps, deps.db, study)
  const answers = demographics ? new Map((await listEnrolmentAnswers(deps.db, cohort.id, demographics.id)).map((a) => [a.participantId, a.answers])) : new Map()
  const interviewed = new Set(transcripts.map((t) => t.participantId))
  const cases: QdpxCase[] = participants
    .filter((p) => interviewed.has(p.id))
    .sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }))
    .map((p) => ({ participantCode: p.code, variables: demographics ? demographicVariables(demographics, answers.get(p.id)) : {} }))

  // Consensus codings: as codings of a user "Consensus (agreed by <researcher>)" (consensusUserName).
  const consensusId = (deciderId: string) => `consensus:${deciderId}`
  const projectCodings = codings.map((c) => (c.consensus ? { ...c, coderId: consensusId(c.coderId) } : c))
  const people = await userNames(deps, [...codings.filter((c) => !c.consensus).map((c) => c.coderId), ...exported.flatMap((m) => (m.authorId === null ? [] : [m.authorId]))])
  const deciders = await userNames(deps, codings.filter((c) => c.consensus).map((c) => c.coderId))
  const users = [...people, ...deciders.map((d) => ({ id: consensusId(d.id), name: consensusUserName(d.name) }))]

  const createdAt = deps.now().toISOString()
  const bytes = buildQdpx({
    name: `${study.name}: ${cohort.name}`,
    origin: qdaOrigin,
    createdAt,
    users,
    codes: codebook.nodes.map(codeNode),
    memos: exported,
    cases,
    // Within one cohort the participant code is unique: the case and source names need no cohort.
    transcripts: transcripts.map((t) => ({ id: t.transcriptId, participantCode: t.participantCode, interviewOrder: t.order, text: t.text, createdAt: t.createdAt })),
    codings: projectCodings,
    passages,
    // P1 of another cohort is another person: their cases must not share a GUID.
    caseScope: cohort.id,
  })
  await insertAudit(
    deps.db,
    {
      actor: audit.actor,
      action: 'export.qdpx',
      entity: 'cohort',
      entityId: cohort.id,
      details: { destination: audit.destination, transcripts: transcripts.length, codings: codings.length, codes: codebook.nodes.length, memos: exported.length },
    },
    deps.now(),
  )
  return { fileName: `${exportSlug(cohort)}.qdpx`, contentType: 'application/zip', bytes }
}

/** The name of the selection that carries a withdrawal whose coding was deleted, as another tool shows it. */
export const withdrawnPassageName = 'Withdrawn by the participant: do not quote'
/** The name of the selection that carries another member-check answer (a confirmation, a comment) whose coding was deleted. */
export const checkedPassageName = 'Checked by the participant'

/**
 * The member-check answers ("Member check: withdraw", "… confirm", "… comment") whose coding was
 * deleted since, as passages without a code: each a PlainTextSelection named withdrawnPassageName
 * (a withdrawal) or checkedPassageName, where the words are in the transcript now (withdrawn.ts:
 * at the coding's offsets while they hold the words, else wherever the words occur as whole
 * words), with the member-check note linked to it. A withdrawal is on every place of the words,
 * and on none once the text no longer holds them; any other answer is on the first place, or,
 * when the words are gone, a note on the transcript that names them. Pushes the notes onto
 * `memos` and returns the passages.
 *
 * Why: the participant withdrew the words, not the coding. A coding deleted after the member check
 * took its note out of the export, so in MAXQDA, NVivo or a study the project was imported into the
 * words could be quoted again; our own withdrawal rule still holds them withdrawn here. A comment is
 * the participant's own words about the passage, shown here in the study's notes whether or not the
 * coding stays: an export leaves none of them out.
 */
async function passagesOfDeletedCodings(deps: Deps, checks: { check: MemberCheckView; transcript: AnalysedInterview }[], memos: QdpxMemo[]): Promise<QdpxPassage[]> {
  const codings = new Map((await listCodingsWithDeleted(deps.db, checks.map((w) => w.check.codingId))).map((c) => [c.id, c]))
  const passages: QdpxPassage[] = []
  for (const { check, transcript } of checks) {
    const coding = codings.get(check.codingId)
    if (!coding) continue
    const found = placesOfWords({ transcriptId: transcript.transcriptId, start: coding.start, end: coding.end, words: coding.text, transcriptText: transcript.text }, codePointSlicer(transcript.text))
    const withdrawal = check.decision === 'withdraw'
    // A withdrawal holds the words wherever they are; any other answer was about one place of them.
    const places = withdrawal ? found : found.slice(0, 1)
    if (places.length === 0 && !withdrawal) {
      // The words are no longer in the transcript: the answer stays, as a note on the transcript saying what it was about.
      const about = `About the words "${coding.text}", no longer in the transcript.`
      memos.push({ id: `member-check:transcript:${check.codingId}`, targetKind: 'transcript', targetId: transcript.transcriptId, text: check.comment ? `${check.comment}\n\n${about}` : about, authorId: null, createdAt: check.decidedAt, name: memberCheckNoteName(check.decision) })
      continue
    }
    const name = withdrawal ? withdrawnPassageName : checkedPassageName
    for (const [i, place] of places.entries()) {
      const id = places.length === 1 ? check.codingId : `${check.codingId}:${i + 1}`
      passages.push({ id, transcriptId: transcript.transcriptId, start: place.start, end: place.end, name, createdAt: check.decidedAt })
      memos.push({ id: `member-check:passage:${id}`, targetKind: 'passage', targetId: id, text: check.comment ?? '', authorId: null, createdAt: check.decidedAt, name: memberCheckNoteName(check.decision) })
    }
  }
  return passages
}

/**
 * The study's live codebook alone as a `.qdc` (themes and categories not codable, codes codable),
 * audited before it is returned.
 *
 * @throws {ApiError} 409 when the codebook is empty: a codebook file needs at least one code
 */
export async function exportStudyQdc(deps: Deps, studyId: string, audit: QdaDestination): Promise<QdaFile> {
  const study = await findStudy(deps.db, studyId)
  if (!study) throw new ApiError('not_found', 'No such study.')
  const codebook = await loadCodebook(deps, study.id)
  if (codebook.nodes.length === 0) throw new ApiError('conflict', 'This study has no codebook yet: add a theme, category or code first.')
  const xml = buildQdc(codebook.nodes.map(codeNode), { origin: qdaOrigin })
  await insertAudit(deps.db, { actor: audit.actor, action: 'export.qdc', entity: 'study', entityId: study.id, details: { destination: audit.destination, codes: codebook.nodes.length } }, deps.now())
  // exportSlug falls back on "cohort-<id>" for a name without Latin letters or digits.
  const slug = exportSlug(study) === `cohort-${study.id}` ? `study-${study.id}` : exportSlug(study)
  return { fileName: `${slug}-codebook.qdc`, contentType: 'application/xml; charset=utf-8', bytes: new TextEncoder().encode(xml) }
}
