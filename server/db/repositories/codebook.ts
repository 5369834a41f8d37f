/** The codebook (theme → category → code), its append-only history, and memos. */
import type { Insertable, Kysely, Selectable } from 'kysely'
import type { CodeNode } from '../../domain/qualitative/types'
import type { CodeHistoryAction, CodeLevelColumn, Database, MemoTargetType } from '../schema'
import { newId } from '../ids'
import { insertRows } from './responses'

export type Code = CodeNode & {
  color: string | null
  studyId: string
  /** The code this one was merged into; a merged code is no longer part of the codebook. */
  mergedInto: string | null
  createdAt: string
  deletedAt: string | null
}

function toCode(r: Selectable<Database['code']>): Code {
  return {
    id: r.id,
    studyId: r.study_id,
    parentId: r.parent_id,
    level: r.level,
    name: r.name,
    description: r.description,
    color: r.color,
    mergedInto: r.merged_into,
    createdAt: r.created_at,
    deletedAt: r.deleted_at,
  }
}

/** Live: neither merged into another code nor deleted. */
export const isLive = (code: Code) => code.mergedInto === null && code.deletedAt === null

export async function insertCode(
  db: Kysely<Database>,
  code: { studyId: string; parentId: string | null; level: CodeLevelColumn; name: string; description: string | null; color: string | null },
  now: Date,
): Promise<Code> {
  const made = newCode(code, now)
  await db.insertInto('code').values(codeRow(made)).execute()
  return made
}

/**
 * A new live code, with its id (time-ordered: codes made one after the other sort in that order, as
 * the codebook lists them), to store with insertCodes. Nothing is written; its children can name it
 * as their parent meanwhile.
 */
export function newCode(code: { studyId: string; parentId: string | null; level: CodeLevelColumn; name: string; description: string | null; color: string | null }, now: Date): Code {
  return toCode({
    id: newId(),
    study_id: code.studyId,
    parent_id: code.parentId,
    level: code.level,
    name: code.name,
    description: code.description,
    color: code.color,
    merged_into: null,
    created_at: now.toISOString(),
    deleted_at: null,
  })
}

function codeRow(c: Code): Insertable<Database['code']> {
  return {
    id: c.id,
    study_id: c.studyId,
    parent_id: c.parentId,
    level: c.level,
    name: c.name,
    description: c.description,
    color: c.color,
    merged_into: c.mergedInto,
    created_at: c.createdAt,
    deleted_at: c.deletedAt,
  }
}

/**
 * Store codes made by newCode, in their order (a parent before its children, as the foreign key
 * wants), up to 1,024 a statement.
 */
export async function insertCodes(db: Kysely<Database>, codes: readonly Code[]): Promise<void> {
  await insertRows(db, 'code', codes.map(codeRow), 1024)
}

export async function findCode(db: Kysely<Database>, id: string): Promise<Code | undefined> {
  const r = await db.selectFrom('code').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toCode(r)
}

/** A study's codes in creation order; merged and deleted ones only when asked for. */
export async function listCodes(db: Kysely<Database>, studyId: string, options: { includeRetired?: boolean } = {}): Promise<Code[]> {
  let q = db.selectFrom('code').selectAll().where('study_id', '=', studyId)
  if (!options.includeRetired) q = q.where('merged_into', 'is', null).where('deleted_at', 'is', null)
  const rows = await q.orderBy('created_at').orderBy('id').execute()
  return rows.map(toCode)
}

/** The live children of a code. */
export async function listChildren(db: Kysely<Database>, parentId: string): Promise<Code[]> {
  const rows = await db
    .selectFrom('code')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('merged_into', 'is', null)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return rows.map(toCode)
}

export async function updateCode(
  db: Kysely<Database>,
  id: string,
  changes: { name?: string; description?: string | null; color?: string; parentId?: string | null; mergedInto?: string; deletedAt?: string },
): Promise<void> {
  const set = {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
    ...(changes.color !== undefined ? { color: changes.color } : {}),
    ...(changes.parentId !== undefined ? { parent_id: changes.parentId } : {}),
    ...(changes.mergedInto !== undefined ? { merged_into: changes.mergedInto } : {}),
    ...(changes.deletedAt !== undefined ? { deleted_at: changes.deletedAt } : {}),
  }
  if (Object.keys(set).length > 0) await db.updateTable('code').set(set).where('id', '=', id).execute()
}

export type CodeHistoryEntry = { id: string; codeId: string; action: CodeHistoryAction; details: Record<string, unknown>; actor: string; at: string }

/** Append to a code's history. There is no update or delete: the table refuses both. */
export async function insertCodeHistory(
  db: Kysely<Database>,
  entry: { codeId: string; action: CodeHistoryAction; details: Record<string, unknown>; actor: string },
  now: Date,
): Promise<void> {
  await db.insertInto('code_history').values(codeHistoryRow(entry, now)).execute()
}

function codeHistoryRow(entry: { codeId: string; action: CodeHistoryAction; details: Record<string, unknown>; actor: string }, now: Date): Insertable<Database['code_history']> {
  return { id: newId(), code_id: entry.codeId, action: entry.action, details: JSON.stringify(entry.details), actor: entry.actor, at: now.toISOString() }
}

/** insertCodeHistory for many entries, all at `now`, in their order (ids follow it), up to 1,024 a statement. */
export async function insertCodeHistories(db: Kysely<Database>, entries: readonly { codeId: string; action: CodeHistoryAction; details: Record<string, unknown>; actor: string }[], now: Date): Promise<void> {
  await insertRows(
    db,
    'code_history',
    entries.map((entry) => codeHistoryRow(entry, now)),
    1024,
  )
}

export async function listCodeHistory(db: Kysely<Database>, codeIds: string[]): Promise<CodeHistoryEntry[]> {
  if (codeIds.length === 0) return []
  const rows = await db.selectFrom('code_history').selectAll().where('code_id', 'in', codeIds).orderBy('at').orderBy('id').execute()
  return rows.map((r) => ({ id: r.id, codeId: r.code_id, action: r.action, details: JSON.parse(r.details) as Record<string, unknown>, actor: r.actor, at: r.at }))
}

/** Codes merged into this one, directly or through earlier merges: whose history is part of its own. */
export async function listMergedInto(db: Kysely<Database>, codeId: string): Promise<Code[]> {
  const found: Code[] = []
  let frontier = [codeId]
  while (frontier.length > 0) {
    const rows = await db.selectFrom('code').selectAll().where('merged_into', 'in', frontier).execute()
    const codes = rows.map(toCode)
    found.push(...codes)
    frontier = codes.map((c) => c.id)
  }
  return found
}

export type Memo = {
  id: string
  studyId: string
  targetType: MemoTargetType
  targetId: string | null
  authorId: string
  text: string
  createdAt: string
  updatedAt: string
}

function toMemo(r: Selectable<Database['memo']>): Memo {
  return { id: r.id, studyId: r.study_id, targetType: r.target_type, targetId: r.target_id, authorId: r.author_id, text: r.text, createdAt: r.created_at, updatedAt: r.updated_at }
}

export async function insertMemo(
  db: Kysely<Database>,
  memo: { studyId: string; targetType: MemoTargetType; targetId: string | null; authorId: string; text: string },
  now: Date,
): Promise<Memo> {
  const row = memoRow(memo, now)
  await db.insertInto('memo').values(row).execute()
  return toMemo(row)
}

function memoRow(memo: { studyId: string; targetType: MemoTargetType; targetId: string | null; authorId: string; text: string }, now: Date) {
  const at = now.toISOString()
  return { id: newId(), study_id: memo.studyId, target_type: memo.targetType, target_id: memo.targetId, author_id: memo.authorId, text: memo.text, created_at: at, updated_at: at, deleted_at: null }
}

/** insertMemo for many memos, all written at `now`, in their order (ids follow it), up to 1,024 a statement. */
export async function insertMemos(db: Kysely<Database>, memos: readonly { studyId: string; targetType: MemoTargetType; targetId: string | null; authorId: string; text: string }[], now: Date): Promise<void> {
  await insertRows(
    db,
    'memo',
    memos.map((memo) => memoRow(memo, now)),
    1024,
  )
}

/** A live (not deleted) memo. */
export async function findMemo(db: Kysely<Database>, id: string): Promise<Memo | undefined> {
  const r = await db.selectFrom('memo').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  return r && toMemo(r)
}

export async function listMemos(db: Kysely<Database>, studyId: string, filter: { targetType?: MemoTargetType; targetId?: string } = {}): Promise<Memo[]> {
  let q = db.selectFrom('memo').selectAll().where('study_id', '=', studyId).where('deleted_at', 'is', null)
  if (filter.targetType) q = q.where('target_type', '=', filter.targetType)
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId)
  const rows = await q.orderBy('created_at').orderBy('id').execute()
  return rows.map(toMemo)
}

export async function updateMemo(db: Kysely<Database>, id: string, text: string, now: Date): Promise<void> {
  await db.updateTable('memo').set({ text, updated_at: now.toISOString() }).where('id', '=', id).execute()
}

export async function deleteMemo(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db.updateTable('memo').set({ deleted_at: now.toISOString() }).where('id', '=', id).execute()
}

/** Re-attach a code's memos to another code (after a merge). Returns how many moved. */
export async function moveMemos(db: Kysely<Database>, fromCodeId: string, toCodeId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('memo')
    .set({ target_id: toCodeId, updated_at: now.toISOString() })
    .where('target_type', '=', 'code')
    .where('target_id', '=', fromCodeId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
