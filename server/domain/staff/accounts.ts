/**
 * Account administration: staff change their own password; administrators disable and re-enable
 * accounts, grant and remove administrator rights, end someone's sessions and give them a one-time
 * link to choose a new password. Every change is audited; the last administrator who can sign in
 * can never be disabled or demoted, so the platform always has someone who can administer it.
 */
import { hash, verify } from '@node-rs/argon2'
import { insertAudit } from '../../db/repositories/audit'
import {
  countActiveAdmins,
  endSessionsOfUser,
  findLivePasswordLink,
  findPasswordHash,
  findStaffCredentials,
  findStaffUser,
  insertPasswordLink,
  insertStaffUser,
  retirePasswordLinks,
  updateStaffUser,
  usePasswordLink,
  type LiveSession,
  type StaffUser,
} from '../../db/repositories/staff'
import type { Deps } from '../deps'
import { ApiError } from '../errors'
import { newToken, normaliseEmail, sha256, startSession, unusablePasswordHash, type SignedIn } from './auth'
import { checkPasswordStrength } from './password-policy'
import { claimSignInAttempt, forgiveSignIn, throttleKeys } from './throttle'

/** How long a password link made by an administrator works. */
export const passwordLinkMs = 24 * 3600_000
/** How long the link of an account created from the command line works (it may go by post or a colleague). */
export const newAccountLinkMs = 7 * 24 * 3600_000

/** The page a password link opens. */
export function passwordLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/reset/${token}`
}

function requireAdmin(actor: StaffUser): void {
  if (!actor.isAdmin) throw new ApiError('forbidden', 'Only an administrator can do this.')
}

/**
 * Change one's own password: the current one must be right, the new one must pass the policy. Every
 * other session of the account ends (someone who knew the old password is signed out); this one stays;
 * its unused password links stop working (OWASP Forgot Password Cheat Sheet).
 *
 * The current password is checked under the sign-in throttle (`throttle.ts`, the same keys as signing
 * in to this account from `address`): whoever holds a session left open on a ward computer must not
 * get unlimited guesses at the password, which would outlive the session.
 *
 * @throws ApiError `rate_limited` (with `details.retryAfterSeconds`) while a back-off runs,
 *         `validation_failed` naming `currentPassword` or `newPassword`
 */
export async function changeOwnPassword(
  deps: Deps,
  session: LiveSession,
  input: { currentPassword: string; newPassword: string },
  address?: string,
): Promise<{ endedSessions: number }> {
  const keys = throttleKeys(normaliseEmail(session.user.email), address)
  await claimSignInAttempt(deps, keys)
  const stored = await findPasswordHash(deps.db, session.user.id)
  if (!stored || !(await verify(stored, input.currentPassword))) {
    throw new ApiError('validation_failed', 'currentPassword: is not your current password', [{ field: 'currentPassword', message: 'is not your current password' }])
  }
  await forgiveSignIn(deps, keys)
  if (input.newPassword === input.currentPassword) {
    throw new ApiError('validation_failed', 'newPassword: must differ from the current password', [{ field: 'newPassword', message: 'must differ from the current password' }])
  }
  checkPasswordStrength(input.newPassword, session.user, 'newPassword')
  const passwordHash = await hash(input.newPassword)
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    await updateStaffUser(trx, session.user.id, { passwordHash })
    // A password link made before (for a forgotten password) would otherwise still set another one.
    await retirePasswordLinks(trx, session.user.id, now)
    const endedSessions = await endSessionsOfUser(trx, session.user.id, now, session.id)
    await insertAudit(trx, { actor: `staff:${session.user.id}`, action: 'staff.password_change', entity: 'staff_user', entityId: session.user.id, details: { endedSessions } }, now)
    return { endedSessions }
  })
}

/**
 * Disable or re-enable an account, grant or remove administrator rights. Disabling ends the
 * account's sessions and its unused password links at once. A change to what already holds records nothing.
 *
 * @throws ApiError `forbidden` (not an administrator), `not_found`, `conflict` (the last administrator)
 */
export async function updateAccount(deps: Deps, actor: StaffUser, userId: string, change: { disabled?: boolean; isAdmin?: boolean }): Promise<StaffUser> {
  requireAdmin(actor)
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const target = await findStaffUser(trx, userId)
    if (!target) throw new ApiError('not_found', 'There is no such staff account.')
    const disable = change.disabled !== undefined && change.disabled !== target.disabled ? change.disabled : undefined
    const admin = change.isAdmin !== undefined && change.isAdmin !== target.isAdmin ? change.isAdmin : undefined
    const losesAdmin = target.isAdmin && !target.disabled && (disable === true || admin === false)
    if (losesAdmin && (await countActiveAdmins(trx)) <= 1) {
      throw new ApiError('conflict', 'This is the last administrator who can sign in. Make someone else an administrator first.')
    }
    const audit = (action: string, details?: Record<string, unknown>) => insertAudit(trx, { actor: `staff:${actor.id}`, action, entity: 'staff_user', entityId: target.id, details }, now)
    if (disable !== undefined) {
      await updateStaffUser(trx, target.id, { disabledAt: disable ? now.toISOString() : null })
      // Disabling ends everything the account could be reached by: re-enabling it must not bring a
      // password link made before back to life.
      if (disable) await retirePasswordLinks(trx, target.id, now)
      const endedSessions = disable ? await endSessionsOfUser(trx, target.id, now) : 0
      await audit(disable ? 'staff.disable' : 'staff.enable', disable ? { endedSessions } : undefined)
    }
    if (admin !== undefined) {
      await updateStaffUser(trx, target.id, { isAdmin: admin })
      await audit(admin ? 'staff.admin_grant' : 'staff.admin_revoke')
    }
    return (await findStaffUser(trx, target.id))!
  })
}

/** End every session of an account (a lost laptop, a shared computer). Returns how many ended. */
export async function endSessionsOf(deps: Deps, actor: StaffUser, userId: string): Promise<{ endedSessions: number }> {
  requireAdmin(actor)
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    if (!(await findStaffUser(trx, userId))) throw new ApiError('not_found', 'There is no such staff account.')
    const endedSessions = await endSessionsOfUser(trx, userId, now)
    await insertAudit(trx, { actor: `staff:${actor.id}`, action: 'staff.sessions_end', entity: 'staff_user', entityId: userId, details: { endedSessions } }, now)
    return { endedSessions }
  })
}

/**
 * A one-time link for choosing a new password, for the administrator to pass on. Only its hash is
 * stored; an earlier unused link of the same account stops working.
 *
 * @returns the token (shown once) and when the link expires
 */
export async function createPasswordLink(deps: Deps, actor: string, userId: string, validForMs = passwordLinkMs): Promise<{ token: string; expiresAt: string; user: StaffUser }> {
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const user = await findStaffUser(trx, userId)
    if (!user) throw new ApiError('not_found', 'There is no such staff account.')
    if (user.disabled) throw new ApiError('conflict', 'This account is disabled. Enable it first.')
    const token = newToken()
    const expiresAt = new Date(now.getTime() + validForMs)
    await insertPasswordLink(trx, { userId, tokenHash: sha256(token), createdBy: actor, expiresAt }, now)
    await insertAudit(trx, { actor, action: 'staff.password_link', entity: 'staff_user', entityId: userId, details: { expiresAt: expiresAt.toISOString() } }, now)
    return { token, expiresAt: expiresAt.toISOString(), user }
  })
}

/** An administrator's `createPasswordLink`. */
export async function resetPassword(deps: Deps, actor: StaffUser, userId: string) {
  requireAdmin(actor)
  return createPasswordLink(deps, `staff:${actor.id}`, userId)
}

const linkGone = () => new ApiError('link_not_found', 'This link is not valid any more. Ask an administrator for a new one.')

/** Whose password a live link sets (for the page that asks for it). */
export async function passwordLinkOwner(deps: Deps, token: string): Promise<{ email: string; name: string; expiresAt: string }> {
  const link = await findLivePasswordLink(deps.db, sha256(token), deps.now())
  const user = link && (await findStaffUser(deps.db, link.userId))
  if (!link || !user || user.disabled) throw linkGone()
  return { email: user.email, name: user.name, expiresAt: link.expiresAt }
}

/**
 * Choose a password with a one-time link: the link is used up, every session of the account ends,
 * and the person is signed in with a new one.
 *
 * @throws ApiError `link_not_found` (unknown, used, expired or disabled), `validation_failed` (policy)
 */
export async function setPasswordWithLink(deps: Deps, input: { token: string; password: string }): Promise<SignedIn> {
  const owner = await passwordLinkOwner(deps, input.token)
  checkPasswordStrength(input.password, owner)
  const passwordHash = await hash(input.password)
  const now = deps.now()
  return deps.db.transaction().execute(async (trx) => {
    const userId = await usePasswordLink(trx, sha256(input.token), now)
    if (!userId) throw linkGone()
    await updateStaffUser(trx, userId, { passwordHash })
    const endedSessions = await endSessionsOfUser(trx, userId, now)
    await insertAudit(trx, { actor: `staff:${userId}`, action: 'staff.password_set', entity: 'staff_user', entityId: userId, details: { endedSessions } }, now)
    return startSession(deps, (await findStaffUser(trx, userId))!, trx)
  })
}

/**
 * An account made by an operator on the command line (the first administrator, or anyone when the web
 * app cannot be reached): it has no usable password until its owner opens the one-time link.
 *
 * @throws ApiError `conflict` when the email has an account already
 */
export async function createAccountWithLink(deps: Deps, input: { email: string; name: string; isAdmin: boolean }, actor: string) {
  const email = normaliseEmail(input.email)
  const passwordHash = await unusablePasswordHash()
  const now = deps.now()
  const user = await deps.db.transaction().execute(async (trx) => {
    if (await findStaffCredentials(trx, email)) throw new ApiError('conflict', `There is already an account for ${email}.`)
    const created = await insertStaffUser(trx, { email, name: input.name.trim(), passwordHash, isAdmin: input.isAdmin }, now)
    await insertAudit(trx, { actor, action: 'staff.create', entity: 'staff_user', entityId: created.id, details: { email, isAdmin: created.isAdmin } }, now)
    return created
  })
  return createPasswordLink(deps, actor, user.id, newAccountLinkMs)
}
