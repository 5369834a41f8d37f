/**
 * Retrieval across transcripts, as CAQDAS calls it ("coded segments", MAXQDA's Retrieved Segments,
 * NVivo's code reference report): every passage coded with a code and its children, with its
 * participant, the words around it and who coded it, filtered by case variables (the participant's
 * role from the demographics form; their change group on a scale) and exportable as CSV. And
 * full-text search in the study's transcripts.
 *
 * Both mark what overlaps a passage its participant withdrew in member checking (`withdrawn`, by
 * Table 2's rule in withdrawn.ts) and still list it: a withdrawal is about quoting the words, not
 * about analysing them, and a researcher taking quotes from here must see it.
 */
import { stringify } from 'csv-stringify/sync'
import { listEnrolmentAnswers } from '../../db/repositories/responses'
import { findStaffUser } from '../../db/repositories/staff'
import { listCohorts } from '../../db/repositories/studies'
import { searchTranscripts } from '../../db/repositories/interviews'
import { ApiError } from '../errors'
import type { Deps } from '../deps'
import { studyDemographicsForm } from '../instruments/study-forms'
import { findStudy } from '../../db/repositories/studies'
import { loadCodebook, loadCodings, loadInterviews, type AnalysedInterview } from './data'
import { changeGroupOf, cohortJointDisplay, type ChangeGroup } from './joint-display'
import { demographicVariables } from './qda-export'
import { codePointLength, codePointSlicer, type CodePointSlicer } from './units'
import { loadWithdrawnPassages } from './withdrawn'

/** Code points of context shown on each side of a passage or a search hit. */
export const CONTEXT_POINTS = 120

type Named = { id: string; name: string }

export type Segment = {
  transcriptId: string
  participant: { id: string; label: string }
  /** The participant's role as they gave it in the demographics form, or null. */
  role: string | null
  code: Named
  start: number
  end: number
  text: string
  /** Up to CONTEXT_POINTS code points before and after the passage. */
  before: string
  after: string
  /** Everyone who coded this very passage with this code: a passage both coders coded is one segment. */
  coders: Named[]
  codingIds: string[]
  /** It overlaps a passage its participant withdrew in member checking: not to be quoted. */
  withdrawn: boolean
}

export type SegmentQuery = {
  /** A theme, category or code: the segments of it and every code below it. All codes when absent. */
  code?: string
  /** False: the segments of `code` itself only, not of the codes below it. True when absent. */
  children?: boolean
  /** Only participants who gave this role (the demographics form's label, case-insensitive). */
  role?: string
  /** Only participants of this change group on the scale (as in the joint display). */
  change?: ChangeGroup
  instrument?: string
  scale?: string
  /** Only passages containing these words (case-insensitive). */
  q?: string
}

const problem = (field: string, message: string) => new ApiError('validation_failed', `${field}: ${message}`, [{ field, message }])

/** `text` around [start, end): up to `points` code points each side, whitespace at the cut trimmed. */
function around(text: CodePointSlicer, start: number, end: number, points = CONTEXT_POINTS): { before: string; after: string } {
  return {
    before: text.slice(Math.max(0, start - points), start).trimStart(),
    after: text.slice(end, Math.min(text.length, end + points)).trimEnd(),
  }
}

/**
 * The study's coded segments, in interview order, then text order, then codebook order.
 *
 * @throws {ApiError} 422 naming `code` for a code not in this study's live codebook, and as the
 *   joint display does for `instrument` and `scale`
 * @example
 * (await codedSegments(deps, studyId, { code: feelingsCategoryId, role: 'Nurse' }))[0]
 * // => { participant: { label: 'P3' }, role: 'Nurse', code: { name: 'Fear' }, text: 'I was afraid…', before: 'P3: ', after: ' Later…', coders: [A, B], … }
 */
export async function codedSegments(deps: Deps, studyId: string, query: SegmentQuery = {}): Promise<Segment[]> {
  return (await retrieveSegments(deps, studyId, query)).segments
}

/**
 * As `codedSegments`, with the choices of the retrieval page's role filter: the roles (as the
 * demographics form labels them) of every participant with a coded passage in the study, whatever
 * `query` filters, sorted. One request gives the page both.
 */
export async function retrieveSegments(deps: Deps, studyId: string, query: SegmentQuery = {}): Promise<{ segments: Segment[]; roles: string[] }> {
  const codebook = await loadCodebook(deps, studyId)
  let codeIds: Set<string> | null = null
  if (query.code !== undefined) {
    const root = codebook.nodes.find((n) => n.id === query.code)
    if (!root) throw problem('code', 'is not a live theme, category or code of this study')
    codeIds = new Set([root.id])
    // Children follow their parents in codebook order, so one pass collects the subtree.
    if (query.children !== false) for (const node of codebook.nodes) if (node.parentId !== null && codeIds.has(node.parentId)) codeIds.add(node.id)
  }
  const [interviews, codings, withdrawn] = await Promise.all([loadInterviews(deps, studyId), loadCodings(deps, studyId, codebook), loadWithdrawnPassages(deps, { studyId })])
  const roles = await participantRoles(deps, studyId, interviews)
  const groups = query.change === undefined ? null : await changeGroups(deps, studyId, interviews, query)
  const words = (query.q ?? '').toLocaleLowerCase().split(/\s+/).filter((w) => w !== '')
  const order = new Map(codebook.nodes.map((n, i) => [n.id, i]))
  const byInterview = new Map(interviews.map((i) => [i.transcriptId, i]))
  // One slicer per transcript, made when it first has a segment: the context of each is then a lookup.
  const slicers = new Map<string, CodePointSlicer>()
  const slicerOf = (interview: AnalysedInterview): CodePointSlicer => {
    let slicer = slicers.get(interview.transcriptId)
    if (!slicer) slicers.set(interview.transcriptId, (slicer = codePointSlicer(interview.text)))
    return slicer
  }
  const names = new Map<string, string>()
  const segments = new Map<string, Segment>()
  const rolesCoded = new Set<string>()
  for (const coding of codings) {
    const interview = byInterview.get(coding.transcriptId)
    if (!interview) continue
    const role = roles.get(interview.participantId) ?? null
    if (role !== null) rolesCoded.add(role)
    if (codeIds && !codeIds.has(coding.codeId)) continue
    if (query.role !== undefined && role?.toLocaleLowerCase() !== query.role.toLocaleLowerCase()) continue
    if (groups && (groups.get(interview.participantId) ?? 'no_pair') !== query.change) continue
    if (words.length > 0 && !words.every((w) => coding.text.toLocaleLowerCase().includes(w))) continue
    if (!names.has(coding.coderId)) names.set(coding.coderId, (await findStaffUser(deps.db, coding.coderId))?.name ?? coding.coderId)
    const key = `${coding.transcriptId}:${coding.codeId}:${coding.start}:${coding.end}`
    const existing = segments.get(key)
    if (existing) {
      if (!existing.coders.some((c) => c.id === coding.coderId)) existing.coders.push({ id: coding.coderId, name: names.get(coding.coderId)! })
      existing.codingIds.push(coding.id)
      continue
    }
    const code = codebook.live(coding.codeId)!
    segments.set(key, {
      transcriptId: coding.transcriptId,
      participant: { id: interview.participantId, label: interview.label },
      role,
      code: { id: code.id, name: code.name },
      start: coding.start,
      end: coding.end,
      text: coding.text,
      ...around(slicerOf(interview), coding.start, coding.end),
      coders: [{ id: coding.coderId, name: names.get(coding.coderId)! }],
      codingIds: [coding.id],
      withdrawn: withdrawn.overlaps(coding),
    })
  }
  const sorted = [...segments.values()].sort(
    (a, b) =>
      byInterview.get(a.transcriptId)!.order - byInterview.get(b.transcriptId)!.order || a.start - b.start || a.end - b.end || order.get(a.code.id)! - order.get(b.code.id)!,
  )
  return { segments: sorted, roles: [...rolesCoded].sort((a, b) => a.localeCompare(b)) }
}

/**
 * The change group of each interviewed participant, from their cohort's joint display. A cohort
 * without the waves yet, or where the instrument or scale asked for was not given at both waves,
 * gives its participants no group (they count as 'no_pair', no pair of scores) rather than failing
 * the study's retrieval; only when no cohort has that instrument or scale is it refused.
 *
 * @throws {ApiError} 422 naming `instrument` or `scale` when no interviewed participant's cohort has it at both waves
 */
async function changeGroups(deps: Deps, studyId: string, interviews: AnalysedInterview[], query: SegmentQuery): Promise<Map<string, ChangeGroup>> {
  const groups = new Map<string, ChangeGroup>()
  const interviewedCohorts = new Set(interviews.map((i) => i.cohortId))
  let refusal: ApiError | null = null
  let shown = false
  for (const cohort of await listCohorts(deps.db, studyId)) {
    if (!interviewedCohorts.has(cohort.id)) continue
    try {
      const display = await cohortJointDisplay(deps, cohort.id, { instrument: query.instrument, scale: query.scale })
      shown = true
      for (const p of display.participants) groups.set(p.participant.id, changeGroupOf(p.classification))
    } catch (error) {
      // 404: the cohort has no such wave yet; 422: not this instrument or scale at both waves.
      if (!(error instanceof ApiError) || (error.code !== 'not_found' && error.code !== 'validation_failed')) throw error
      if (error.code === 'validation_failed') refusal = error
    }
  }
  if (!shown && refusal) throw refusal
  return groups
}

/**
 * The role of each interviewed participant (the demographics form's `role` question, as its label),
 * where given. Only participants with a transcript can have a segment, so only their answers are
 * read: a cohort of hundreds with a dozen interviews needs a dozen roles.
 */
async function participantRoles(deps: Deps, studyId: string, interviews: AnalysedInterview[]): Promise<Map<string, string>> {
  const roles = new Map<string, string>()
  const study = await findStudy(deps.db, studyId)
  if (!study) return roles
  const demographics = await studyDemographicsForm(deps, deps.db, study)
  const interviewedByCohort = new Map<string, Set<string>>()
  for (const i of interviews) interviewedByCohort.set(i.cohortId, (interviewedByCohort.get(i.cohortId) ?? new Set()).add(i.participantId))
  for (const [cohortId, participantIds] of interviewedByCohort) {
    const answers = new Map((await listEnrolmentAnswers(deps.db, cohortId, demographics.id)).map((a) => [a.participantId, a.answers]))
    for (const participantId of participantIds) {
      const role = demographicVariables(demographics, answers.get(participantId)).role
      if (role !== null && role !== undefined) roles.set(participantId, String(role))
    }
  }
  return roles
}

/**
 * Coded segments as CSV: participant, role, code, start, end (code points), text, before, after,
 * coders (joined with "; "), withdrawn (TRUE or FALSE, as the cohort exports write yes/no: R's
 * read.csv reads them as logical). Formulas are neutralised (csv-stringify's escape_formulas).
 */
export function segmentsCsv(segments: Segment[]): string {
  return stringify(
    [
      ['participant', 'role', 'code', 'start', 'end', 'text', 'before', 'after', 'coders', 'withdrawn'],
      ...segments.map((s) => [
        s.participant.label,
        s.role ?? '',
        s.code.name,
        s.start,
        s.end,
        s.text,
        s.before,
        s.after,
        s.coders.map((c) => c.name).join('; '),
        s.withdrawn ? 'TRUE' : 'FALSE',
      ]),
    ],
    { escape_formulas: true },
  )
}

export type SearchHit = {
  transcriptId: string
  participant: { id: string; label: string }
  start: number
  end: number
  match: string
  before: string
  after: string
  /** The hit overlaps a passage its participant withdrew in member checking: not to be quoted. */
  withdrawn: boolean
}

/**
 * Full-text search in the study's transcripts: every place where the words of `q` occur in this
 * order, separated only by whitespace, ignoring case (offsets in code points, as codings). The
 * FTS5 index narrows the transcripts first where there is one (SQLite); the places are then found
 * in the text, so both engines give the same hits for words without diacritics.
 *
 * @throws {ApiError} 422 naming `q` when it holds no word
 * @example
 * await searchStudyTranscripts(deps, studyId, 'afraid of')
 * // => { engine: 'fts5', hits: [{ participant: { label: 'P1' }, start: 9, end: 18, match: 'afraid of', before: 'P1: I was ', after: ' being judged.', withdrawn: false }] }
 */
export async function searchStudyTranscripts(deps: Deps, studyId: string, q: string): Promise<{ engine: 'fts5' | 'scan'; hits: SearchHit[] }> {
  const words = q.split(/\s+/).filter((w) => w !== '')
  const tokens = words.flatMap((w) => w.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [])
  if (tokens.length === 0) throw problem('q', 'give at least one word to search for')
  const { engine, transcriptIds } = await searchTranscripts(deps.db, studyId, tokens)
  const wanted = new Set(transcriptIds)
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'), 'giu')
  const hits: SearchHit[] = []
  const [interviews, withdrawn] = await Promise.all([loadInterviews(deps, studyId), loadWithdrawnPassages(deps, { studyId })])
  for (const interview of interviews) {
    if (!wanted.has(interview.transcriptId)) continue
    let slicer: CodePointSlicer | undefined
    // The code points before the previous hit and where it starts in UTF-16 units: each hit's offset
    // counts on from the last one rather than from the start of the text. A `u` pattern never
    // starts a match inside a surrogate pair, so every count is of whole code points.
    let points = 0
    let index = 0
    for (const found of interview.text.matchAll(pattern)) {
      points += codePointLength(interview.text.slice(index, found.index))
      index = found.index
      const start = points
      const end = start + codePointLength(found[0])
      slicer ??= codePointSlicer(interview.text)
      const { transcriptId } = interview
      hits.push({
        transcriptId,
        participant: { id: interview.participantId, label: interview.label },
        start,
        end,
        match: found[0],
        ...around(slicer, start, end, 60),
        withdrawn: withdrawn.overlaps({ transcriptId, start, end }),
      })
    }
  }
  return { engine, hits }
}
