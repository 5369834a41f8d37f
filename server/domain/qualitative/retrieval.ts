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
import { changeGroupOf, type ChangeGroup } from './joint-display'
import { cohortReport, type CohortReport } from '../outcomes/report'
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
  /** Only participants of this change group on one scale for the whole study (as the joint display classifies them; which scale: changeGroups). */
  change?: ChangeGroup
  /** The instrument of the change group's scale, e.g. 'phq-9'. */
  instrument?: string
  /** The scale of the change group, e.g. 'total'. */
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
 * @throws {ApiError} 422 naming `code` for a code not in this study's live codebook; with `change`,
 *   422 naming `instrument` or `scale` when they are not given at both waves in any cohort with an
 *   interview, or when neither names one scale and the study has no single primary outcome among
 *   its scales (see changeGroups)
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
 * `query` filters, sorted. One request gives the page both. With `change`, `changeScale` names the
 * scale the change groups are of (chosen by the rule of changeGroups); null without `change`, or
 * when no cohort has a scale at both waves (everyone is then 'no_pair'); and `changeScales` the
 * scales the page's scale filter offers (every scale given at both waves; empty without `change`).
 */
export async function retrieveSegments(deps: Deps, studyId: string, query: SegmentQuery = {}): Promise<{ segments: Segment[]; roles: string[]; changeScale: ChangeScale | null; changeScales: ChangeScale[] }> {
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
  const change = query.change === undefined ? null : await changeGroups(deps, studyId, interviews, query)
  const groups = change?.groups ?? null
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
  return { segments: sorted, roles: [...rolesCoded].sort((a, b) => a.localeCompare(b)), changeScale: change?.scale ?? null, changeScales: change?.choices ?? [] }
}

/** The scale a change filter classified participants on: instrument, scale and its label. */
export type ChangeScale = { instrument: string; scale: string; label: string }

/**
 * The change group of each interviewed participant on one scale, the same for the whole study, as
 * the joint display classifies them (reliable change from pre to post, changeGroupOf), and that
 * scale. Participants of a cohort without the waves yet, or where that scale was not given at both
 * waves, get no group (they count as 'no_pair', no pair of scores) rather than failing the study's
 * retrieval.
 *
 * Which scale, when the query does not name both `instrument` and `scale` (the rule):
 * 1. the scales given at both waves in any interviewed cohort, narrowed to `instrument` or `scale`
 *    where one is named, a scale that is the same score in another metric (`sameScoreAs`: WHO-5's
 *    percentage) left out beside its own: when that leaves one, it;
 * 2. otherwise the study's primary outcome (study settings, `primaryOutcomes`), when exactly one of
 *    those scales is named one: "improved" in an outcome study means improved on its primary
 *    outcome (CONSORT 2010 item 6a), and it is the scale the researchers fixed beforehand;
 * 3. otherwise the choice is the researcher's: refused (422), listing the scales to choose from.
 * It used to be each cohort's first scale, so that with cohorts asked different questionnaires (or
 * one without post scores on the first) "improved" meant one scale for some participants and another
 * for others, without a word; and even in one cohort the first scale (the order of the first wave's
 * questionnaires) is nothing a researcher chose.
 *
 * @throws {ApiError} 422 naming `instrument` or `scale` when no interviewed cohort has it at both
 *   waves, or when several scales remain and the study names no single primary outcome among them
 *   (details: `{ field, message, choices: ['instrument/scale', …], scales: [{ instrument, scale, label }, …] }`:
 *   `choices` those left to choose among, `scales` every scale given at both waves, for a picker)
 * @example
 * await changeGroups(deps, studyId, interviews, { change: 'improved' }) // a study whose only scale at both waves is phq-9/total
 * // => { scale: { instrument: 'phq-9', scale: 'total', label: 'PHQ-9 total' }, groups: Map { 'p1' => 'improved', 'p2' => 'not_improved' } }
 */
async function changeGroups(deps: Deps, studyId: string, interviews: AnalysedInterview[], query: SegmentQuery): Promise<{ scale: ChangeScale | null; choices: ChangeScale[]; groups: Map<string, ChangeGroup> }> {
  const groups = new Map<string, ChangeGroup>()
  const interviewedCohorts = new Set(interviews.map((i) => i.cohortId))
  const reports: CohortReport[] = []
  for (const cohort of await listCohorts(deps.db, studyId)) {
    if (!interviewedCohorts.has(cohort.id)) continue
    try {
      reports.push(await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' }))
    } catch (error) {
      // 404: the cohort has no such wave yet; its participants have no pair of scores.
      if (!(error instanceof ApiError) || error.code !== 'not_found') throw error
    }
  }
  const key = (s: { instrument: string; scale: string }) => `${s.instrument}/${s.scale}`
  const offered = new Map<string, ChangeScale & { sameScoreAs: string | null }>()
  for (const report of reports) {
    for (const s of report.scales) if (!offered.has(key(s))) offered.set(key(s), { instrument: s.instrument, scale: s.scale, label: s.label, sameScoreAs: s.multiplicity.sameScoreAs ?? null })
  }
  let candidates = [...offered.values()]
  // What a researcher can choose from: every scale given at both waves, the same score in another metric left out.
  const everyKey = new Set(candidates.map(key))
  const choices = candidates.filter((s) => s.sameScoreAs === null || !everyKey.has(s.sameScoreAs)).map(({ instrument, scale, label }) => ({ instrument, scale, label }))
  if (query.instrument !== undefined) {
    candidates = candidates.filter((s) => s.instrument === query.instrument)
    if (candidates.length === 0) throw problem('instrument', 'was not given at both waves in any cohort with an interview')
  }
  if (query.scale !== undefined) {
    candidates = candidates.filter((s) => s.scale === query.scale)
    if (candidates.length === 0) throw problem('scale', `is not a scale${query.instrument ? ` of ${query.instrument}` : ''} given at both waves in any cohort with an interview`)
  }
  // The same score in another metric (WHO-5's percentage of its raw score) is no choice of its own.
  const keys = new Set(candidates.map(key))
  if (query.scale === undefined) candidates = candidates.filter((s) => s.sameScoreAs === null || !keys.has(s.sameScoreAs))
  let scale: ChangeScale | null = candidates.length === 1 ? candidates[0]! : null
  if (candidates.length > 1) {
    const study = await findStudy(deps.db, studyId)
    const primary = candidates.filter((s) => study?.primaryOutcomes.includes(key(s)))
    if (primary.length !== 1) {
      const field = query.instrument === undefined ? 'instrument' : 'scale'
      const remaining = candidates.map(key)
      const message = `name the ${query.instrument === undefined ? 'instrument and scale' : 'scale'} whose change groups to use, or name one primary outcome in the study's settings: ${remaining.length} scales were given at both waves (${remaining.join(', ')}) and the study names ${primary.length === 0 ? 'none of them' : 'several of them'} as its primary outcome`
      throw new ApiError('validation_failed', `${field}: ${message}`, [{ field, message, choices: remaining, scales: choices }])
    }
    scale = primary[0]!
  }
  if (!scale) return { scale: null, choices, groups }
  scale = { instrument: scale.instrument, scale: scale.scale, label: scale.label }
  for (const report of reports) {
    for (const p of report.participants) {
      const s = p.scales.find((x) => x.instrument === scale.instrument && x.scale === scale.scale)
      if (s) groups.set(p.id, changeGroupOf(s.classification))
    }
  }
  return { scale, choices, groups }
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
