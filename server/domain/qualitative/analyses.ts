/**
 * The study-level qualitative analyses over the stored codings: code saturation in interview order
 * (Guest, Namey & Chen 2020) and inter-coder agreement of two coders with the disagreements to
 * resolve. The statistics are the pure functions of qualitative/; this module gathers their input
 * from the database and names what they return.
 */
import { listResolutions, type AgreementResolution } from '../../db/repositories/codings'
import type { ResolutionDecision } from '../../db/schema'
import { ApiError } from '../errors'
import type { Deps } from '../deps'
import { codingAgreement, type AgreementCounts, type OverallAgreement } from './agreement'
import { guestSaturation, methodsSentence, saturationCurve, type GuestParameters, type GuestSaturation } from './saturation'
import type { CodedSegment, Span } from './types'
import { codePointSlicer, type CodePointSlicer, type UnitKind } from './units'
import { codeNode, loadCodebook, loadCodings, loadInterviews, requireCoder, type AnalysedInterview } from './data'
import { groupBy } from '../collections'

type Named = { id: string; name: string }
type ParticipantRef = { id: string; label: string }

// ---------------------------------------------------------------------------------------------
// Saturation

export type SaturationReport = {
  parameters: GuestParameters
  /** The coded interviews in the order held, each with the codes first seen in it: the curve to plot. */
  interviews: {
    interview: number
    participant: ParticipantRef
    startedAt: string
    /** Distinct codes applied in this interview. */
    codes: number
    newCodes: Named[]
    newCount: number
    cumulativeUnique: number
  }[]
  /** Guest, Namey & Chen's assessment; null when it cannot be computed (see `unavailable`). */
  guest: GuestSaturation | null
  methodsSentence: string | null
  unavailable: string | null
  /** Transcribed interviews with no coding yet: left out, since an uncoded interview would count as one adding nothing new. */
  notCoded: ParticipantRef[]
}

/**
 * The code lists of the interviews, in interview order: for each transcript with codings, its codes
 * in the order they first occur in the text (any coder's codings, each on the live code it counts
 * for now, so a merged code counts as its target).
 */
export function interviewCodeLists(interviews: AnalysedInterview[], codings: CodedSegment[]): { interview: AnalysedInterview; codeIds: string[] }[] {
  const byTranscript = groupBy(codings, (coding) => coding.transcriptId)
  return interviews.flatMap((interview) => {
    const own = byTranscript.get(interview.transcriptId)
    if (!own) return []
    const ordered = [...own].sort((x, y) => x.start - y.start || x.end - y.end || x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id))
    return [{ interview, codeIds: [...new Set(ordered.map((c) => c.codeId))] }]
  })
}

/**
 * Code saturation of the study: new codes per interview and the cumulative curve, in the order the
 * interviews were held (start time, then participant code), with Guest, Namey & Chen's (2020)
 * saturation ratio for the given base size, run length and threshold, and the sentence for the
 * Methods section.
 *
 * @example
 * await studySaturation(deps, studyId, { base: 4, run: 2, threshold: 0.05 })
 * // => { interviews: [{ interview: 1, participant: { label: 'P1' }, newCount: 5, cumulativeUnique: 5, … }, …],
 * //      guest: { baseCodes: 12, saturatedAt: 6, … }, methodsSentence: 'Saturation was assessed following …' }
 */
export async function studySaturation(deps: Deps, studyId: string, parameters: GuestParameters): Promise<SaturationReport> {
  const codebook = await loadCodebook(deps, studyId)
  const [interviews, codings] = await Promise.all([loadInterviews(deps, studyId), loadCodings(deps, studyId, codebook)])
  const lists = interviewCodeLists(interviews, codings)
  const coded = new Set(lists.map((l) => l.interview.transcriptId))
  const curve = saturationCurve(lists.map((l) => ({ order: l.interview.order, participantCode: l.interview.label, codeIds: l.codeIds })))
  let guest: GuestSaturation | null = null
  let unavailable: string | null = null
  try {
    guest = guestSaturation(curve, parameters)
  } catch (error) {
    // Only the data can be wrong here (the route checked the parameters): a base without codes.
    if (!(error instanceof RangeError)) throw error
    unavailable = error.message
  }
  const nameOf = (id: string): Named => ({ id, name: codebook.live(id)?.name ?? id })
  return {
    parameters,
    interviews: curve.map((point, i) => {
      const { interview, codeIds } = lists[i]!
      return {
        interview: point.interview,
        participant: { id: interview.participantId, label: interview.label },
        startedAt: interview.startedAt,
        codes: codeIds.length,
        newCodes: point.newCodeIds.map(nameOf),
        newCount: point.newCount,
        cumulativeUnique: point.cumulativeUnique,
      }
    }),
    guest,
    methodsSentence: guest ? methodsSentence(guest, parameters) : null,
    unavailable,
    notCoded: interviews.filter((i) => !coded.has(i.transcriptId)).map((i) => ({ id: i.participantId, label: i.label })),
  }
}

// ---------------------------------------------------------------------------------------------
// Inter-coder agreement

export type AgreementDisagreement = {
  transcriptId: string
  participant: ParticipantRef
  code: Named
  /** The unit (sentence or speaker turn) the coders disagree on, in code points, and its text. */
  span: Span
  text: string
  /** Which coder applied the code to the unit; the other did not. */
  codedBy: 'A' | 'B'
  /** How the coders resolved it, when recorded: the latest resolution of this code on a span overlapping the unit. */
  resolution: { id: string; decision: ResolutionDecision; note: string; decidedBy: string; decidedAt: string; span: Span } | null
}

export type AgreementReport = {
  unit: UnitKind
  coders: { A: Named; B: Named }
  /** Every transcribed interview; those either coder coded are compared, and who coded each is said. */
  transcripts: { id: string; participant: ParticipantRef; compared: boolean; codedByA?: boolean; codedByB?: boolean }[]
  perCode: (AgreementCounts & { code: Named; category: Named | null; theme: Named | null; units: number })[]
  overall: OverallAgreement
  disagreements: AgreementDisagreement[]
  resolved: number
  unresolved: number
}

/**
 * The resolutions by transcript and code, each list oldest first as given, so that `resolutionOf`
 * looks only at those of one transcript and code.
 */
function resolutionsByTranscriptAndCode(resolutions: AgreementResolution[]): Map<string, AgreementResolution[]> {
  return groupBy(resolutions, (r) => JSON.stringify([r.transcriptId, r.codeId]))
}

/** The latest resolution of a code on a span overlapping the unit, if any (resolutions come oldest first). */
function resolutionOf(resolutions: Map<string, AgreementResolution[]>, transcriptId: string, codeId: string, span: Span): AgreementResolution | undefined {
  return resolutions.get(JSON.stringify([transcriptId, codeId]))?.findLast((r) => r.start < span.end && span.start < r.end)
}

/**
 * Agreement of two coders who coded the same transcripts blind: per code and pooled, percent
 * agreement, Cohen's κ and Brennan–Prediger κ on the stated unit (`codingAgreement`), over the
 * transcripts either of them coded; and the units they disagree on, each with the resolution the
 * coders recorded for it, if any.
 *
 * A transcript one coder left uncoded counts: every unit the other coded there is a disagreement
 * (leaving it out hid exactly the disagreement an audit of the coding should see). Only a transcript
 * neither coded is left out, and listed as not compared.
 *
 * @throws {ApiError} 422 when a coder has no codings in the study, the two are the same person, or
 *   they have no transcript in common
 */
export async function studyAgreement(deps: Deps, studyId: string, query: { coderA: string; coderB: string; unit: UnitKind }): Promise<AgreementReport> {
  const problem = (field: string, message: string) => new ApiError('validation_failed', `${field}: ${message}`, [{ field, message }])
  if (query.coderA === query.coderB) throw problem('coderB', 'must be a different coder from coderA')
  const codebook = await loadCodebook(deps, studyId)
  const [interviews, codings, resolutions] = await Promise.all([loadInterviews(deps, studyId), loadCodings(deps, studyId, codebook, { set: 'coders' }), listResolutions(deps.db, { studyId })])
  const coderA = await requireCoder(deps, codings, query.coderA, 'coderA')
  const coderB = await requireCoder(deps, codings, query.coderB, 'coderB')
  const codingsA = codings.filter((c) => c.coderId === coderA.id)
  const codingsB = codings.filter((c) => c.coderId === coderB.id)
  const codedBy = (list: CodedSegment[]) => new Set(list.map((c) => c.transcriptId))
  const byA = codedBy(codingsA)
  const byB = codedBy(codingsB)
  const compared = interviews.filter((i) => byA.has(i.transcriptId) || byB.has(i.transcriptId))
  if (compared.length === 0) throw problem('coderB', 'neither coder has coded a transcript')
  const comparedIds = new Set(compared.map((i) => i.transcriptId))

  const result = codingAgreement({
    transcripts: compared.map((i) => ({ id: i.transcriptId, participantCode: i.label, interviewOrder: i.order, text: i.text, createdAt: i.createdAt })),
    codes: codebook.nodes.map(codeNode),
    codingsA: codingsA.filter((c) => comparedIds.has(c.transcriptId)),
    codingsB: codingsB.filter((c) => comparedIds.has(c.transcriptId)),
    unit: query.unit,
  })

  const interviewOf = new Map(compared.map((i) => [i.transcriptId, i]))
  const named = (code: { id: string; name: string } | null): Named | null => (code ? { id: code.id, name: code.name } : null)
  const codeOf = (id: string) => codebook.live(id)!
  const liveResolutions = resolutionsByTranscriptAndCode(
    resolutions.flatMap((r) => {
      const code = codebook.live(r.codeId)
      return code ? [{ ...r, codeId: code.id }] : []
    }),
  )
  // One slicer per transcript: each disagreement's words are then a lookup, not a count from the start.
  const slicers = new Map<string, CodePointSlicer>()
  const slicerOf = (transcriptId: string, text: string): CodePointSlicer => {
    let slicer = slicers.get(transcriptId)
    if (!slicer) slicers.set(transcriptId, (slicer = codePointSlicer(text)))
    return slicer
  }
  const disagreements = result.disagreements.map((d): AgreementDisagreement => {
    const interview = interviewOf.get(d.transcriptId)!
    const resolution = resolutionOf(liveResolutions, d.transcriptId, d.codeId, d.span)
    return {
      transcriptId: d.transcriptId,
      participant: { id: interview.participantId, label: interview.label },
      code: { id: d.codeId, name: codeOf(d.codeId).name },
      span: d.span,
      text: slicerOf(d.transcriptId, interview.text).slice(d.span.start, d.span.end),
      codedBy: d.codedBy,
      resolution: resolution
        ? { id: resolution.id, decision: resolution.decision, note: resolution.note, decidedBy: resolution.decidedBy, decidedAt: resolution.decidedAt, span: { start: resolution.start, end: resolution.end } }
        : null,
    }
  })
  const resolved = disagreements.filter((d) => d.resolution).length
  return {
    unit: result.unit,
    coders: { A: coderA, B: coderB },
    transcripts: interviews.map((i) => ({ id: i.transcriptId, participant: { id: i.participantId, label: i.label }, compared: comparedIds.has(i.transcriptId), codedByA: byA.has(i.transcriptId), codedByB: byB.has(i.transcriptId) })),
    perCode: result.perCode.map(({ codeId, ...counts }) => {
      const code = codeOf(codeId)
      return { code: { id: code.id, name: code.name }, category: named(codebook.category(code)), theme: named(codebook.theme(code)), ...counts }
    }),
    overall: result.overall,
    disagreements,
    resolved,
    unresolved: disagreements.length - resolved,
  }
}

