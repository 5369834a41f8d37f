/**
 * What the qualitative analyses read, gathered once: the codebook in its order with merges
 * resolved, the study's interviews in the order they were held with a label for each participant,
 * the live codings on live codes, the Table 2 quotations, and participants' member checks.
 * Table 2, code frequencies, saturation, agreement, the joint display and the REFI-QDA exports are
 * all built over these, so they agree with each other on every one of these rules.
 */
import { listCodes, type Code } from '../../db/repositories/codebook'
import { listCodingsOfStudy, listMemberChecksOfStudy, listQuotesOfStudy, type Coding, type MemberCheck } from '../../db/repositories/codings'
import { listTranscriptsOfStudy } from '../../db/repositories/interviews'
import { findStaffUser } from '../../db/repositories/staff'
import { listCohorts } from '../../db/repositories/studies'
import type { MemberCheckDecision } from '../../db/schema'
import { ApiError } from '../errors'
import type { Deps } from '../deps'
import type { CodeLevel, CodeNode } from './types'
import { loadWithdrawnPassages } from './withdrawn'
import { appendTo } from '../collections'

// ---------------------------------------------------------------------------------------------
// The codebook

const levelRank: Record<CodeLevel, number> = { theme: 0, category: 1, code: 2 }

/**
 * Codebook order: each theme followed by its categories, each category by its codes, siblings in
 * the order given (creation order, as listCodes returns them). Categories and codes not yet put
 * under a parent come after the themes: ungrouped categories (with their codes), then ungrouped
 * codes. A node whose parent is not among `codes` counts as ungrouped.
 *
 * @example
 * codebookOrder([
 *   { id: 'c', parentId: 'k', level: 'code', name: 'Seeing', description: null },
 *   { id: 't', parentId: null, level: 'theme', name: 'Virtuality', description: null },
 *   { id: 'k', parentId: 't', level: 'category', name: 'Faces', description: null },
 * ]).map((n) => n.id) // => ['t', 'k', 'c']
 */
export function codebookOrder<T extends CodeNode>(codes: T[]): T[] {
  const ids = new Set(codes.map((c) => c.id))
  const children = new Map<string, T[]>()
  const roots: T[] = []
  for (const code of codes) {
    if (code.parentId === null || !ids.has(code.parentId)) {
      roots.push(code)
      continue
    }
    appendTo(children, code.parentId, code)
  }
  const ordered: T[] = []
  const seen = new Set<string>()
  const visit = (node: T) => {
    // A cycle cannot be stored (a parent must be live and of the level above), but never loop on one.
    if (seen.has(node.id)) return
    seen.add(node.id)
    ordered.push(node)
    for (const child of children.get(node.id) ?? []) visit(child)
  }
  for (const root of [...roots].sort((a, b) => levelRank[a.level] - levelRank[b.level])) visit(root)
  return ordered
}

export type Codebook = {
  /** The live themes, categories and codes, in codebook order. */
  nodes: Code[]
  /** The live node an id stands for now: itself, or the code it was merged into (through every later merge); undefined when deleted or unknown. */
  live: (codeId: string) => Code | undefined
  /** The live theme above a node (the node itself for a theme), or null. */
  theme: (code: Code) => Code | null
  /** The live category above a code (the node itself for a category), or null. */
  category: (code: Code) => Code | null
}

/** Index a study's codes, retired ones included (they are needed to follow merges). */
export function codebookIndex(all: Code[]): Codebook {
  const byId = new Map(all.map((c) => [c.id, c]))
  const live = (codeId: string): Code | undefined => {
    let code = byId.get(codeId)
    for (let hops = 0; code?.mergedInto && hops <= all.length; hops++) code = byId.get(code.mergedInto)
    return code && code.mergedInto === null && code.deletedAt === null ? code : undefined
  }
  const ancestor = (code: Code, level: CodeLevel): Code | null => {
    let node: Code | undefined = code
    for (let hops = 0; node && hops <= 2; hops++) {
      if (node.level === level) return node
      node = node.parentId === null ? undefined : live(node.parentId)
    }
    return null
  }
  return {
    nodes: codebookOrder(all.filter((c) => c.mergedInto === null && c.deletedAt === null)),
    live,
    theme: (code) => ancestor(code, 'theme'),
    category: (code) => ancestor(code, 'category'),
  }
}

export async function loadCodebook(deps: Deps, studyId: string): Promise<Codebook> {
  return codebookIndex(await listCodes(deps.db, studyId, { includeRetired: true }))
}

/** A node as the plain CodeNode the pure analyses take. */
export const codeNode = (code: Code): CodeNode => ({ id: code.id, parentId: code.parentId, level: code.level, name: code.name, description: code.description, color: code.color })

// ---------------------------------------------------------------------------------------------
// Interviews

export type AnalysedInterview = {
  transcriptId: string
  interviewId: string
  participantId: string
  participantCode: string
  /** The participant's code, with the cohort's name added when another cohort of the study has a participant of the same code. */
  label: string
  cohortId: string
  startedAt: string
  /** 1-based position among the study's transcribed interviews in the order they were held. */
  order: number
  text: string
  createdAt: string
}

const byCode = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })

/**
 * The study's transcribed interviews in the order they were held: by the interview's start time,
 * then by participant code (P2 before P10), then by cohort. Saturation is read in this order.
 */
export async function loadInterviews(deps: Deps, studyId: string): Promise<AnalysedInterview[]> {
  const [transcripts, cohorts] = await Promise.all([listTranscriptsOfStudy(deps.db, studyId), listCohorts(deps.db, studyId)])
  const cohortName = new Map(cohorts.map((c) => [c.id, c.name]))
  // Codes restart at P1 in every cohort: where two cohorts share a code, the label names the cohort.
  const cohortsOfCode = new Map<string, Set<string>>()
  for (const t of transcripts) cohortsOfCode.set(t.participantCode, (cohortsOfCode.get(t.participantCode) ?? new Set()).add(t.cohortId))
  const label = (code: string, cohortId: string) => (cohortsOfCode.get(code)!.size > 1 ? `${code} (${cohortName.get(cohortId) ?? cohortId})` : code)
  return [...transcripts]
    .sort(
      (a, b) =>
        a.interviewStartedAt.localeCompare(b.interviewStartedAt) ||
        byCode(a.participantCode, b.participantCode) ||
        byCode(cohortName.get(a.cohortId) ?? '', cohortName.get(b.cohortId) ?? '') ||
        a.id.localeCompare(b.id),
    )
    .map((t, i) => ({
      transcriptId: t.id,
      interviewId: t.interviewId,
      participantId: t.participantId,
      participantCode: t.participantCode,
      label: label(t.participantCode, t.cohortId),
      cohortId: t.cohortId,
      startedAt: t.interviewStartedAt,
      order: i + 1,
      text: t.text,
      createdAt: t.createdAt,
    }))
}

// ---------------------------------------------------------------------------------------------
// Codings, quotations, member checks

/**
 * The study's live codings, each on the live code it counts for now. A merge already moves codings
 * to the target; following `mergedInto` here as well keeps the analyses right for any coding a
 * merge left behind. Codings on anything but a live code of level 'code' are left out.
 * `set`: by default a transcript's consensus set where it has one (preferConsensus); 'coders' the
 * coders' own codings only; 'all' both, consensus codings marked `consensus` (the .qdpx export).
 */
export async function loadCodings(deps: Deps, studyId: string, codebook: Codebook, options: { set?: 'default' | 'coders' | 'all' } = {}): Promise<Coding[]> {
  const codings: Coding[] = []
  for (const coding of await listCodingsOfStudy(deps.db, studyId)) {
    const code = codebook.live(coding.codeId)
    if (code?.level === 'code') codings.push(code.id === coding.codeId ? coding : { ...coding, codeId: code.id })
  }
  if (options.set === 'all') return codings
  return options.set === 'coders' ? codings.filter((c) => !c.consensus) : preferConsensus(codings)
}

/**
 * The codings the analyses use by default: a transcript's consensus set where it has one (disagreements
 * resolved), otherwise every coder's codings of it.
 *
 * @example preferConsensus([{ transcriptId: 't', consensus: true, ... }, { transcriptId: 't', consensus: false, ... }]) // only the first
 */
export function preferConsensus(codings: Coding[]): Coding[] {
  const agreed = new Set(codings.filter((c) => c.consensus).map((c) => c.transcriptId))
  return codings.filter((c) => c.consensus || !agreed.has(c.transcriptId))
}

/** The latest member-check decision per coding (the last answer counts). */
export async function loadMemberChecks(deps: Deps, studyId: string): Promise<Map<string, MemberCheck>> {
  const latest = new Map<string, MemberCheck>()
  for (const check of await listMemberChecksOfStudy(deps.db, studyId)) latest.set(check.codingId, check)
  return latest
}

export type MeaningUnit = {
  codingId: string
  transcriptId: string
  participantId: string
  text: string
  chosenBy: string
  chosenAt: string
  /** The participant's latest answer about the quotation, if any: confirm or comment (a withdrawn one is never here). */
  memberCheck: { decision: Exclude<MemberCheckDecision, 'withdraw'>; comment: string | null; decidedAt: string } | null
}

/**
 * The quotations chosen for each code in Table 2, by the live code they now belong to, in the order
 * the researchers gave them. A quotation whose participant asked for it to be withdrawn is left out:
 * withdrawing removes the choice at once, and this second check keeps it out even if it were chosen
 * again by some other path. A passage already listed for the code (the same span of the same
 * transcript, as after a merge of two codes both coders applied) is listed once.
 */
export async function loadMeaningUnits(deps: Deps, studyId: string, codebook: Codebook, checks: Map<string, MemberCheck>): Promise<Map<string, MeaningUnit[]>> {
  const units = new Map<string, MeaningUnit[]>()
  const passages = new Set<string>()
  const withdrawn = await loadWithdrawnPassages(deps, { studyId })
  for (const quote of await listQuotesOfStudy(deps.db, studyId)) {
    const code = codebook.live(quote.codeId)
    const check = checks.get(quote.codingId)
    const passage = `${code?.id}:${quote.coding.transcriptId}:${quote.coding.start}:${quote.coding.end}`
    // Also any quotation overlapping withdrawn words: another coder's coding of them is the same words.
    if (!code || check?.decision === 'withdraw' || withdrawn.overlaps(quote.coding) || passages.has(passage)) continue
    passages.add(passage)
    const unit: MeaningUnit = {
      codingId: quote.codingId,
      transcriptId: quote.coding.transcriptId,
      participantId: quote.participantId,
      text: quote.coding.text,
      chosenBy: quote.chosenBy,
      chosenAt: quote.chosenAt,
      memberCheck: check ? { decision: check.decision, comment: check.comment, decidedAt: check.decidedAt } : null,
    }
    appendTo(units, code.id, unit)
  }
  return units
}

/**
 * A coder named in a query: someone with codings in this study. Anyone else is a 422 naming the
 * parameter, so a mistyped id is not read as "a coder who coded nothing".
 */
export async function requireCoder(deps: Deps, codings: Coding[], coderId: string, field: string): Promise<{ id: string; name: string }> {
  if (!codings.some((c) => c.coderId === coderId)) {
    throw new ApiError('validation_failed', `${field}: has no codings in this study`, [{ field, message: 'has no codings in this study' }])
  }
  const user = await findStaffUser(deps.db, coderId)
  return { id: coderId, name: user?.name ?? coderId }
}
