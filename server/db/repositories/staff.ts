import type { Kysely } from 'kysely'
import type { Database, StaffRole } from '../schema'
import { newId } from '../ids'

export type StaffUser = { id: string; email: string; name: string; isAdmin: boolean; createdAt: string; disabled: boolean }

function toUser(r: Database['staff_user']): StaffUser {
  return { id: r.id, email: r.email, name: r.name, isAdmin: r.is_admin === 1, createdAt: r.created_at, disabled: r.disabled_at !== null }
}

export async function countStaffUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('staff_user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertStaffUser(
  db: Kysely<Database>,
  user: { email: string; name: string; passwordHash: string; isAdmin: boolean },
  now: Date,
): Promise<StaffUser> {
  const row = { id: newId(), email: user.email, name: user.name, password_hash: user.passwordHash, is_admin: user.isAdmin ? 1 : 0, created_at: now.toISOString(), disabled_at: null }
  await db.insertInto('staff_user').values(row).execute()
  return toUser(row)
}

/** The user and their password hash, for signing in only. */
export async function findStaffCredentials(db: Kysely<Database>, email: string): Promise<(StaffUser & { passwordHash: string }) | undefined> {
  const r = await db.selectFrom('staff_user').selectAll().where('email', '=', email).executeTakeFirst()
  return r && { ...toUser(r), passwordHash: r.password_hash }
}

/** Administrators who can sign in (not disabled): the first-run set-up link exists while there are none. */
export async function countActiveAdmins(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('staff_user')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function updateStaffUser(
  db: Kysely<Database>,
  id: string,
  change: { passwordHash?: string; isAdmin?: boolean; disabledAt?: string | null },
): Promise<void> {
  await db
    .updateTable('staff_user')
    .set({
      ...(change.passwordHash === undefined ? {} : { password_hash: change.passwordHash }),
      ...(change.isAdmin === undefined ? {} : { is_admin: change.isAdmin ? 1 : 0 }),
      ...(change.disabledAt === undefined ? {} : { disabled_at: change.disabledAt }),
    })
    .where('id', '=', id)
    .execute()
}

/** The password hash of a user, for checking the current password before a change. */
export async function findPasswordHash(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const r = await db.selectFrom('staff_user').select('password_hash').where('id', '=', id).executeTakeFirst()
  return r?.password_hash
}

/** End every open session of a user, except `keep` (the session making the change); returns how many. */
export async function endSessionsOfUser(db: Kysely<Database>, userId: string, now: Date, keep?: string): Promise<number> {
  let query = db.updateTable('staff_session').set({ ended_at: now.toISOString() }).where('user_id', '=', userId).where('ended_at', 'is', null)
  if (keep) query = query.where('id', '!=', keep)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Retire every unused password link of a user (they no longer work); returns how many. */
export async function retirePasswordLinks(db: Kysely<Database>, userId: string, now: Date): Promise<number> {
  const result = await db.updateTable('password_link').set({ used_at: now.toISOString() }).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export async function insertPasswordLink(
  db: Kysely<Database>,
  link: { userId: string; tokenHash: string; createdBy: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  // A new link retires the user's earlier unused ones.
  await retirePasswordLinks(db, link.userId, now)
  await db
    .insertInto('password_link')
    .values({ id: newId(), user_id: link.userId, token_hash: link.tokenHash, created_by: link.createdBy, created_at: now.toISOString(), expires_at: link.expiresAt.toISOString(), used_at: null })
    .execute()
}

/** Mark a live password link used; returns its user's id only for the one request that used it. */
export async function usePasswordLink(db: Kysely<Database>, tokenHash: string, now: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom('password_link')
    .select(['id', 'user_id'])
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
  if (!row) return undefined
  const result = await db.updateTable('password_link').set({ used_at: now.toISOString() }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1 ? row.user_id : undefined
}

/** Whether a password link is live (for showing the page before the password is chosen). */
export async function findLivePasswordLink(db: Kysely<Database>, tokenHash: string, now: Date): Promise<{ userId: string; expiresAt: string } | undefined> {
  const row = await db
    .selectFrom('password_link')
    .select(['user_id', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
  return row && { userId: row.user_id, expiresAt: row.expires_at }
}

export async function findStaffUser(db: Kysely<Database>, id: string): Promise<StaffUser | undefined> {
  const r = await db.selectFrom('staff_user').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toUser(r)
}

export async function listStaffUsers(db: Kysely<Database>): Promise<StaffUser[]> {
  const rows = await db.selectFrom('staff_user').selectAll().orderBy('email').execute()
  return rows.map(toUser)
}

export async function insertSession(
  db: Kysely<Database>,
  session: { userId: string; tokenHash: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db
    .insertInto('staff_session')
    .values({ id: newId(), user_id: session.userId, token_hash: session.tokenHash, created_at: now.toISOString(), expires_at: session.expiresAt.toISOString(), ended_at: null })
    .execute()
}

export type LiveSession = { id: string; createdAt: string; expiresAt: string; user: StaffUser }

/**
 * The live session with this token hash: not ended, not idle past `expires_at`, begun after
 * `createdAfter` (its absolute lifetime), its user not disabled.
 */
export async function findLiveSession(db: Kysely<Database>, tokenHash: string, now: Date, createdAfter: Date): Promise<LiveSession | undefined> {
  const r = await db
    .selectFrom('staff_session')
    .innerJoin('staff_user', 'staff_user.id', 'staff_session.user_id')
    .selectAll('staff_user')
    .select(['staff_session.id as session_id', 'staff_session.expires_at', 'staff_session.created_at as session_created_at'])
    .where('staff_session.token_hash', '=', tokenHash)
    .where('staff_session.ended_at', 'is', null)
    .where('staff_session.expires_at', '>', now.toISOString())
    .where('staff_session.created_at', '>', createdAfter.toISOString())
    .where('staff_user.disabled_at', 'is', null)
    .executeTakeFirst()
  return r && { id: r.session_id, createdAt: r.session_created_at, expiresAt: r.expires_at, user: toUser(r) }
}

export async function extendSession(db: Kysely<Database>, id: string, expiresAt: Date): Promise<void> {
  await db.updateTable('staff_session').set({ expires_at: expiresAt.toISOString() }).where('id', '=', id).execute()
}

export async function endSession(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db.updateTable('staff_session').set({ ended_at: now.toISOString() }).where('id', '=', id).execute()
}

export async function insertSetupToken(db: Kysely<Database>, tokenHash: string, now: Date): Promise<void> {
  // Only the newest set-up link works: earlier ones printed by earlier starts are retired.
  await db.updateTable('setup_token').set({ used_at: now.toISOString() }).where('used_at', 'is', null).execute()
  await db.insertInto('setup_token').values({ id: newId(), token_hash: tokenHash, created_at: now.toISOString(), used_at: null }).execute()
}

/**
 * Whether a set-up token is known, not yet used and created at or after `createdSince` (looked at,
 * not used: `useSetupToken` uses it).
 */
export async function setupTokenUsable(db: Kysely<Database>, tokenHash: string, createdSince: Date): Promise<boolean> {
  const row = await db
    .selectFrom('setup_token')
    .select('id')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('created_at', '>=', createdSince.toISOString())
    .executeTakeFirst()
  return row !== undefined
}

/** Mark the set-up token used, if it is usable (see `setupTokenUsable`); true only for the one request that used it. */
export async function useSetupToken(db: Kysely<Database>, tokenHash: string, createdSince: Date, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('setup_token')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('created_at', '>=', createdSince.toISOString())
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Give a role (nothing if held already); returns whether it was new. */
export async function grantRole(db: Kysely<Database>, grant: { studyId: string; userId: string; role: StaffRole }, now: Date): Promise<boolean> {
  const result = await db
    .insertInto('study_role')
    .values({ study_id: grant.studyId, user_id: grant.userId, role: grant.role, granted_at: now.toISOString() })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

/** Remove a role; returns whether the user held it. */
export async function revokeRole(db: Kysely<Database>, grant: { studyId: string; userId: string; role: StaffRole }): Promise<boolean> {
  const result = await db.deleteFrom('study_role').where('study_id', '=', grant.studyId).where('user_id', '=', grant.userId).where('role', '=', grant.role).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export async function listRolesOfUser(db: Kysely<Database>, userId: string): Promise<{ studyId: string; role: StaffRole }[]> {
  const rows = await db.selectFrom('study_role').select(['study_id', 'role']).where('user_id', '=', userId).orderBy('study_id').execute()
  return rows.map((r) => ({ studyId: r.study_id, role: r.role }))
}

export async function listRolesInStudy(db: Kysely<Database>, studyId: string): Promise<{ userId: string; role: StaffRole }[]> {
  const rows = await db.selectFrom('study_role').select(['user_id', 'role']).where('study_id', '=', studyId).execute()
  return rows.map((r) => ({ userId: r.user_id, role: r.role }))
}
