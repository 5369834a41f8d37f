/**
 * The codebook: themes hold categories, categories hold codes (Table 2 of Sheikhoonesi et al. 2021),
 * each with a name and a description. Codes are renamed, described, moved and merged as the analysis
 * goes on; every change is appended to the code's history, so the lineage of a theme can be traced
 * back to the codes it grew from. Memos on codes, transcripts and the project live here too.
 */
import { ApiError } from '../errors'
import { insertAudit } from '../../db/repositories/audit'
import {
  deleteMemo,
  findCode,
  findMemo,
  insertCode,
  insertCodeHistory,
  insertMemo,
  isLive,
  listChildren,
  listCodeHistory,
  listCodes,
  listMemos,
  listMergedInto,
  moveMemos,
  updateCode,
  updateMemo,
  type Code,
  type CodeHistoryEntry,
  type Memo,
} from '../../db/repositories/codebook'
import {
  deleteQuote,
  findCoding,
  findSameCoding,
  insertQuote,
  listCodingsOfCode,
  listConsensusCodings,
  listQuotesOfCode,
  moveCoding,
  moveMemberChecks,
  moveResolutions,
  softDeleteCoding,
} from '../../db/repositories/codings'
import { findTranscriptPlace } from '../../db/repositories/interviews'
import type { Database, MemoTargetType } from '../../db/schema'
import type { Kysely } from 'kysely'
import type { CreateCodeBody, CreateMemoBody, UpdateCodeBody } from '../../contracts/qualitative'
import type { Deps } from '../deps'
import type { CodeLevel } from './types'
import { defaultCodeColour } from './code-colours'

const problem = (field: string, message: string) => new ApiError('validation_failed', `${field}: ${message}`, [{ field, message }])

/** The level a code's parent must have: a category sits in a theme, a code in a category; a theme is the top. */
export const parentLevel: Record<CodeLevel, CodeLevel | null> = { theme: null, category: 'theme', code: 'category' }

/**
 * Why a node of `level` cannot sit under `parent`, or null when it can. A theme has no parent; a
 * category's parent is a theme and a code's a category. A category or code may also have no parent
 * yet: open coding names codes before it groups them.
 *
 * @example
 * parentProblem('code', { level: 'theme' }) // => 'a code belongs in a category, not in a theme'
 * parentProblem('code', null)               // => null (not grouped yet)
 */
export function parentProblem(level: CodeLevel, parent: { level: CodeLevel } | null): string | null {
  if (level === 'theme') return parent ? 'a theme is the top of the codebook and has no parent' : null
  if (parent === null) return null
  const wanted = parentLevel[level]!
  return parent.level === wanted ? null : `a ${level} belongs in a ${wanted}, not in a ${parent.level}`
}

/** The live parent named by `parentId`, checked against the study and the level rules; 422 otherwise. */
async function checkedParent(db: Kysely<Database>, studyId: string, level: CodeLevel, parentId: string | null): Promise<Code | null> {
  const parent = parentId === null ? null : ((await findCode(db, parentId)) ?? null)
  if (parentId !== null && (!parent || parent.studyId !== studyId)) throw problem('parentId', 'is not a code of this study')
  if (parent && !isLive(parent)) throw problem('parentId', parent.mergedInto ? 'was merged into another code; choose that one' : 'was deleted')
  const levelProblem = parentProblem(level, parent)
  if (levelProblem) throw problem('parentId', levelProblem)
  return parent
}

/**
 * The sibling-name rule, one for create, rename, move, merge and import: sibling names are unique,
 * ignoring case and Unicode normalisation (a name typed with a combining accent is the same name as
 * one typed precomposed). Two "Leaders" categories in one theme would confuse Table 2.
 *
 * @example
 * sameCodeName('Café', 'CAFE\u0301') // => true
 */
export function sameCodeName(a: string, b: string): boolean {
  return a.normalize('NFC').toLocaleLowerCase() === b.normalize('NFC').toLocaleLowerCase()
}

async function checkNameFree(db: Kysely<Database>, studyId: string, parentId: string | null, name: string, except?: string): Promise<void> {
  const siblings = parentId === null ? (await listCodes(db, studyId)).filter((c) => c.parentId === null) : await listChildren(db, parentId)
  const clash = siblings.find((c) => c.id !== except && sameCodeName(c.name, name))
  if (clash) throw new ApiError('conflict', `There is already a ${clash.level} named "${clash.name}" here.`, { codeId: clash.id })
}

function requireLive(code: Code): void {
  if (code.mergedInto) throw new ApiError('conflict', 'This code was merged into another; change that one instead.', { mergedInto: code.mergedInto })
  if (code.deletedAt) throw new ApiError('conflict', 'This code was deleted.')
}

/** The study's live codebook, themes first, in the order codes were created. */
export async function codebook(deps: Deps, studyId: string, options: { includeRetired?: boolean } = {}): Promise<Code[]> {
  return listCodes(deps.db, studyId, options)
}

/** Add a theme, category or code. */
export async function createCode(deps: Deps, studyId: string, body: CreateCodeBody, actor: string): Promise<Code> {
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const parent = await checkedParent(trx, studyId, body.level, body.parentId ?? null)
    await checkNameFree(trx, studyId, parent?.id ?? null, body.name)
    // Without a colour of its own, the next of the palette after the study's live codes.
    const color = body.color ?? defaultCodeColour((await listCodes(trx, studyId)).length)
    const code = await insertCode(trx, { studyId, parentId: parent?.id ?? null, level: body.level, name: body.name, description: body.description || null, color }, now)
    const details = { level: code.level, name: code.name, parentId: code.parentId, description: code.description }
    await insertCodeHistory(trx, { codeId: code.id, action: 'create', details, actor }, now)
    await insertAudit(trx, { actor, action: 'code.create', entity: 'code', entityId: code.id, details: { studyId, level: code.level, parentId: code.parentId } }, now)
    return code
  })
}

/**
 * Rename, describe, recolour or move a code; each change but the colour is a separate history entry
 * (a colour is how the code is drawn, not what it means: it goes to the audit log only). Levels
 * never change.
 */
export async function editCode(deps: Deps, code: Code, body: UpdateCodeBody, actor: string): Promise<Code> {
  requireLive(code)
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const parentId = body.parentId !== undefined ? body.parentId : code.parentId
    const moved = parentId !== code.parentId
    if (moved) await checkedParent(trx, code.studyId, code.level, parentId)
    const name = body.name ?? code.name
    const renamed = name !== code.name
    if (renamed || moved) await checkNameFree(trx, code.studyId, parentId, name, code.id)
    const description = body.description !== undefined ? body.description || null : code.description
    const described = description !== code.description

    const entries: { action: 'rename' | 'describe' | 'move'; details: Record<string, unknown> }[] = []
    if (renamed) entries.push({ action: 'rename', details: { from: code.name, to: name } })
    if (described) entries.push({ action: 'describe', details: { from: code.description, to: description } })
    if (moved) entries.push({ action: 'move', details: { from: code.parentId, to: parentId } })
    const recoloured = body.color !== undefined && body.color !== code.color
    if (entries.length === 0 && !recoloured) return code

    await updateCode(trx, code.id, { name, description, parentId, ...(recoloured ? { color: body.color } : {}) })
    for (const entry of entries) await insertCodeHistory(trx, { codeId: code.id, ...entry, actor }, now)
    const changes = [...entries.map((e) => e.action), ...(recoloured ? ['color'] : [])]
    await insertAudit(trx, { actor, action: 'code.edit', entity: 'code', entityId: code.id, details: { changes } }, now)
    return (await findCode(trx, code.id))!
  })
}

export type MergeResult = { code: Code; into: Code; movedCodings: number; droppedDuplicates: number; movedChildren: number }

/**
 * Merge a code into another of the same level in the same study. The merged code's codings move to
 * the target (a coding the same coder already made there, on the same span, is dropped as a
 * duplicate; a consensus coding, when the target's consensus set already holds the span), its children move under the target, its memos and resolved disagreements follow, and
 * its Table 2 quotations follow, after the target's own (a passage the target already quotes is
 * not added twice); participants' member-check answers on a dropped duplicate move to its twin. The merged code stays, marked
 * `mergedInto`, so its history can still be read.
 *
 * @throws {ApiError} 409 `conflict` when a child of the merged code has the name of a child of the
 *   target (the sibling-name rule), with `details.clashes`; nothing is changed then
 */
export async function mergeCode(deps: Deps, code: Code, intoId: string, actor: string): Promise<MergeResult> {
  requireLive(code)
  if (intoId === code.id) throw problem('into', 'a code cannot be merged into itself')
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const into = await findCode(trx, intoId)
    if (!into || into.studyId !== code.studyId) throw problem('into', 'is not a code of this study')
    if (!isLive(into)) throw problem('into', into.mergedInto ? 'was itself merged into another code; merge into that one' : 'was deleted')
    if (into.level !== code.level) throw problem('into', `a ${code.level} can be merged only into another ${code.level}, not into a ${into.level}`)

    // The merged code's children move under the target, so they meet its children: the same
    // sibling-name rule as for a move. Merge or rename the namesakes first.
    const children = await listChildren(trx, code.id)
    const targetChildren = await listChildren(trx, into.id)
    const clashes = children.flatMap((child) => {
      const twin = targetChildren.find((t) => sameCodeName(t.name, child.name))
      return twin ? [{ codeId: child.id, name: child.name, clashesWith: twin.id }] : []
    })
    if (clashes.length > 0) {
      const names = clashes.map((c) => `"${c.name}"`).join(', ')
      throw new ApiError('conflict', `"${into.name}" already holds ${names}; merge or rename ${clashes.length === 1 ? 'it' : 'them'} first.`, { clashes })
    }
    for (const child of children) {
      await updateCode(trx, child.id, { parentId: into.id })
      await insertCodeHistory(trx, { codeId: child.id, action: 'move', details: { from: code.id, to: into.id, because: 'merge' }, actor }, now)
    }

    // Codings: move each; a duplicate of one already on the target is soft-deleted instead.
    const quotes = await listQuotesOfCode(trx, code.id)
    const quoteCodingIds = new Map(quotes.map((q) => [q.codingId, q.codingId]))
    let moved = 0
    let dropped = 0
    for (const coding of await listCodingsOfCode(trx, code.id)) {
      // A duplicate within the coding's own set: the consensus set holds a code on a span once,
      // whoever recorded it; a coder's own set once per coder (as the unique index of live codings).
      const span = { transcriptId: coding.transcriptId, codeId: into.id, start: coding.start, end: coding.end }
      const twin = coding.consensus ? (await listConsensusCodings(trx, span))[0] : await findSameCoding(trx, { ...span, coderId: coding.coderId })
      if (twin) {
        if (quoteCodingIds.has(coding.id)) quoteCodingIds.set(coding.id, twin.id)
        // The participant's answers about these words stay with them, on the coding that holds them now.
        await moveMemberChecks(trx, coding.id, twin.id)
        await softDeleteCoding(trx, coding.id, now)
        dropped++
      } else {
        await moveCoding(trx, coding.id, into.id)
        moved++
      }
    }
    // Quotations follow, after the target's own; a passage the target already quotes is not added twice.
    let quotesMoved = 0
    let quotesDropped = 0
    if (quotes.length > 0) {
      await deleteQuote(trx, code.id)
      const targetQuotes = await listQuotesOfCode(trx, into.id)
      const passages = new Set<string>()
      for (const quote of targetQuotes) {
        const coding = await findCoding(trx, quote.codingId)
        if (coding) passages.add(`${coding.transcriptId}:${coding.start}:${coding.end}`)
      }
      let position = targetQuotes.length
      for (const quote of quotes) {
        const coding = await findCoding(trx, quoteCodingIds.get(quote.codingId)!)
        const passage = coding && `${coding.transcriptId}:${coding.start}:${coding.end}`
        if (!coding || passages.has(passage!)) {
          quotesDropped++
          continue
        }
        passages.add(passage!)
        await insertQuote(trx, { codeId: into.id, codingId: coding.id, position: ++position, chosenBy: quote.chosenBy }, new Date(quote.chosenAt))
        quotesMoved++
      }
    }
    const quoteOutcome = { moved: quotesMoved, dropped: quotesDropped }
    const memos = await moveMemos(trx, code.id, into.id, now)
    const resolutions = await moveResolutions(trx, code.id, into.id)
    await updateCode(trx, code.id, { mergedInto: into.id })

    const summary = { codings: moved, duplicatesDropped: dropped, children: children.map((c) => c.id), memos, resolutions, quote: quoteOutcome }
    await insertCodeHistory(trx, { codeId: code.id, action: 'merge', details: { into: into.id, intoName: into.name, ...summary }, actor }, now)
    await insertCodeHistory(trx, { codeId: into.id, action: 'merge', details: { from: code.id, fromName: code.name, ...summary }, actor }, now)
    await insertAudit(trx, { actor, action: 'code.merge', entity: 'code', entityId: code.id, details: { into: into.id, ...summary } }, now)
    return { code: (await findCode(trx, code.id))!, into, movedCodings: moved, droppedDuplicates: dropped, movedChildren: children.length }
  })
}

/** Delete a code nobody has used: no codings and no children. Anything else is merged, not deleted. */
export async function deleteCode(deps: Deps, code: Code, actor: string): Promise<void> {
  requireLive(code)
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    if ((await listChildren(trx, code.id)).length > 0) throw new ApiError('conflict', `This ${code.level} still holds others; move or merge them first.`)
    if ((await listCodingsOfCode(trx, code.id)).length > 0) throw new ApiError('conflict', 'This code has codings; merge it into another code instead of deleting it.')
    await updateCode(trx, code.id, { deletedAt: now.toISOString() })
    await insertCodeHistory(trx, { codeId: code.id, action: 'delete', details: { name: code.name }, actor }, now)
    await insertAudit(trx, { actor, action: 'code.delete', entity: 'code', entityId: code.id }, now)
  })
}

/** A code's history with that of every code merged into it, oldest first. */
export async function codeHistory(deps: Deps, code: Code): Promise<(CodeHistoryEntry & { codeName: string })[]> {
  const lineage = [code, ...(await listMergedInto(deps.db, code.id))]
  const names = new Map(lineage.map((c) => [c.id, c.name]))
  const entries = await listCodeHistory(deps.db, [...names.keys()])
  return entries.map((e) => ({ ...e, codeName: names.get(e.codeId)! }))
}

// ---------------------------------------------------------------------------------------------
// Memos

async function checkMemoTarget(deps: Deps, studyId: string, targetType: MemoTargetType, targetId: string | null): Promise<void> {
  if (targetType === 'code') {
    const code = targetId ? await findCode(deps.db, targetId) : undefined
    if (!code || code.studyId !== studyId) throw problem('targetId', 'is not a code of this study')
  }
  if (targetType === 'transcript') {
    const place = targetId ? await findTranscriptPlace(deps.db, targetId) : undefined
    if (!place || place.studyId !== studyId) throw problem('targetId', 'is not a transcript of this study')
  }
}

export async function createMemo(deps: Deps, studyId: string, body: CreateMemoBody, authorId: string): Promise<Memo> {
  const targetId = body.targetType === 'project' ? null : body.targetId!
  await checkMemoTarget(deps, studyId, body.targetType, targetId)
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const memo = await insertMemo(trx, { studyId, targetType: body.targetType, targetId, authorId, text: body.text }, now)
    await insertAudit(trx, { actor: `staff:${authorId}`, action: 'memo.create', entity: 'memo', entityId: memo.id, details: { targetType: body.targetType, targetId } }, now)
    return memo
  })
}

export async function studyMemos(deps: Deps, studyId: string, filter: { targetType?: MemoTargetType; targetId?: string }): Promise<Memo[]> {
  return listMemos(deps.db, studyId, filter)
}

/** A live memo of the study, or 404. */
export async function requireMemo(deps: Deps, memoId: string): Promise<Memo> {
  const memo = await findMemo(deps.db, memoId)
  if (!memo) throw new ApiError('not_found', 'No such memo.')
  return memo
}

function requireAuthor(memo: Memo, userId: string): void {
  // A memo is its author's thinking: others comment in memos of their own.
  if (memo.authorId !== userId) throw new ApiError('forbidden', 'Only the author of a memo can change or delete it.')
}

export async function editMemo(deps: Deps, memo: Memo, text: string, userId: string): Promise<Memo> {
  requireAuthor(memo, userId)
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    await updateMemo(trx, memo.id, text, now)
    await insertAudit(trx, { actor: `staff:${userId}`, action: 'memo.edit', entity: 'memo', entityId: memo.id }, now)
    return (await findMemo(trx, memo.id))!
  })
}

export async function removeMemo(deps: Deps, memo: Memo, userId: string): Promise<void> {
  requireAuthor(memo, userId)
  const now = deps.now()
  await deps.db.transaction().execute(async (trx) => {
    await deleteMemo(trx, memo.id, now)
    await insertAudit(trx, { actor: `staff:${userId}`, action: 'memo.delete', entity: 'memo', entityId: memo.id }, now)
  })
}
