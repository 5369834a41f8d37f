/**
 * Staff sign-in: the first administrator through a one-time set-up link, then email and password
 * (argon2id), sessions held in an HttpOnly cookie whose token is stored only as a hash.
 */
import { hash, verify } from '@node-rs/argon2'
import { createHash, randomBytes } from 'node:crypto'
import { ApiError } from '../errors'
import { insertAudit } from '../../db/repositories/audit'
import {
  countActiveAdmins,
  endSession,
  extendSession,
  findLiveSession,
  findStaffCredentials,
  insertSession,
  insertSetupToken,
  insertStaffUser,
  setupTokenUsable,
  useSetupToken,
  type LiveSession,
  type StaffUser,
} from '../../db/repositories/staff'
import type { Deps } from '../deps'
import { checkPasswordStrength } from './password-policy'
import { claimSignInAttempt, forgiveSignIn, throttleKeys } from './throttle'

/** A session lasts this long after the last request. */
export const sessionIdleMs = 12 * 3600 * 1000
/**
 * And never longer than this after sign-in, however busy (OWASP Session Management Cheat Sheet,
 * "Absolute Timeout"): a stolen cookie stops working within a day.
 */
export const sessionAbsoluteMs = 24 * 3600 * 1000

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')
export const newToken = () => randomBytes(32).toString('base64url')

/**
 * The token a signed-in client sends in `X-CSRF-Token` with every state-changing request. It is
 * derived from the session token, which scripts on other sites cannot read (HttpOnly cookie), so it
 * needs no storage and changes with every session.
 */
export function csrfTokenFor(sessionToken: string): string {
  return sha256(`csrf:${sessionToken}`)
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase()
}

/**
 * While no administrator can sign in: a one-time link for creating the first one. Other accounts do
 * not count (the demo's invented coders exist before anyone has set up), so running the demo first
 * never takes the set-up link away.
 */
export async function createSetupToken(deps: Deps): Promise<string | null> {
  if ((await countActiveAdmins(deps.db)) > 0) return null
  const token = newToken()
  await insertSetupToken(deps.db, sha256(token), deps.now())
  return token
}

export type SignedIn = { user: StaffUser; sessionToken: string; csrfToken: string; expiresAt: Date; createdAt: string }

export async function startSession(deps: Deps, user: StaffUser, db = deps.db): Promise<SignedIn> {
  const sessionToken = newToken()
  const now = deps.now()
  const expiresAt = new Date(now.getTime() + sessionIdleMs)
  await insertSession(db, { userId: user.id, tokenHash: sha256(sessionToken), expiresAt }, now)
  return { user, sessionToken, csrfToken: csrfTokenFor(sessionToken), expiresAt, createdAt: now.toISOString() }
}

export async function setUpFirstAdmin(deps: Deps, input: { token: string; name: string; email: string; password: string }): Promise<SignedIn> {
  // Refuse before hashing: once set up, this unauthenticated route must not cost an argon2 hash a call.
  if ((await countActiveAdmins(deps.db)) > 0) throw new ApiError('conflict', 'The first administrator has already been created. Please sign in.')
  // And before hashing, the token: until set-up, anyone may call this route (found by a review: a
  // wrong token cost an argon2id hash a call, with no limit). Used, in the transaction, below.
  if (!(await setupTokenUsable(deps.db, sha256(input.token), setupLinkOldest(deps.now())))) throw setupLinkGone()
  checkPasswordStrength(input.password, input)
  const passwordHash = await hash(input.password)
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.now()
    if ((await countActiveAdmins(trx)) > 0) throw new ApiError('conflict', 'The first administrator has already been created. Please sign in.')
    if (!(await useSetupToken(trx, sha256(input.token), setupLinkOldest(now), now))) throw setupLinkGone()
    if (await findStaffCredentials(trx, normaliseEmail(input.email))) {
      const message = 'already belongs to an account; choose another email'
      throw new ApiError('validation_failed', `email: ${message}`, [{ field: 'email', message }])
    }
    const user = await insertStaffUser(trx, { email: normaliseEmail(input.email), name: input.name.trim(), passwordHash, isAdmin: true }, now)
    await insertAudit(trx, { actor: `staff:${user.id}`, action: 'staff.setup_admin', entity: 'staff_user', entityId: user.id }, now)
    return startSession(deps, user, trx)
  })
}

/**
 * How long a first-run set-up link works, in milliseconds: 24 hours. It is printed to the console,
 * where logs keep it; a new one is printed by every start and by `balint admin setup-link` while no
 * administrator can sign in (found by a security review: set-up links never expired).
 */
export const setupLinkLifetimeMs = 24 * 60 * 60 * 1000

/** The earliest creation time of a set-up link that still works at `now`. */
const setupLinkOldest = (now: Date) => new Date(now.getTime() - setupLinkLifetimeMs)

const setupLinkGone = () => new ApiError('link_not_found', 'This set-up link is not valid any more. Restart the server, or run "npm run balint -- admin setup-link", to get a new one.')

// A real argon2id hash of a random password, verified against when the email is unknown, so an
// unknown email takes as long as a wrong password and cannot be told apart by timing.
let decoyHash: Promise<string> | undefined

/**
 * Sign in with email and password. The attempt is throttled (see `throttle.ts`) per email and
 * `address` (the client's, when known) before the password is checked.
 *
 * @throws ApiError `rate_limited` while a back-off runs, `unauthorized` for a wrong email or password
 *         or a disabled account (one message for all three)
 */
export async function signIn(deps: Deps, input: { email: string; password: string }, address?: string): Promise<SignedIn> {
  const email = normaliseEmail(input.email)
  const keys = throttleKeys(email, address)
  await claimSignInAttempt(deps, keys)
  const found = await findStaffCredentials(deps.db, email)
  decoyHash ??= hash(newToken())
  const ok = await verify(found?.passwordHash ?? (await decoyHash), input.password)
  if (!found || !ok || found.disabled) throw new ApiError('unauthorized', 'The email or password is not right.')
  await forgiveSignIn(deps, keys)
  const signedIn = await startSession(deps, found)
  await insertAudit(deps.db, { actor: `staff:${found.id}`, action: 'staff.sign_in', entity: 'staff_user', entityId: found.id }, deps.now())
  return signedIn
}

/**
 * The live session for a cookie's token, extended on use; undefined when there is none. `extended`
 * says whether this request moved the expiry, so the cookie can be renewed with it.
 */
export async function resolveSession(deps: Deps, sessionToken: string): Promise<(LiveSession & { extended: boolean }) | undefined> {
  const now = deps.now()
  const session = await findLiveSession(deps.db, sha256(sessionToken), now, new Date(now.getTime() - sessionAbsoluteMs))
  if (!session) return undefined
  // Extend at most once a minute, not on every request.
  const expiresAt = new Date(now.getTime() + sessionIdleMs)
  const extended = expiresAt.getTime() - new Date(session.expiresAt).getTime() > 60_000
  if (extended) await extendSession(deps.db, session.id, expiresAt)
  return { ...session, extended }
}

export async function signOut(deps: Deps, session: LiveSession): Promise<void> {
  await endSession(deps.db, session.id, deps.now())
  await insertAudit(deps.db, { actor: `staff:${session.user.id}`, action: 'staff.sign_out', entity: 'staff_user', entityId: session.user.id }, deps.now())
}

/**
 * A password hash nobody can sign in with: the argon2id hash of 32 random bytes that are thrown away
 * at once, never printed or stored. For accounts that must exist (the demo study's invented coders
 * and interviewer) but that no one should use.
 */
export async function unusablePasswordHash(): Promise<string> {
  return hash(randomBytes(32))
}

/** Create a staff account (administrators do this; the CLI too, for scripted set-ups). */
export async function createStaffUser(deps: Deps, input: { email: string; name: string; password: string; isAdmin?: boolean }, actor: string): Promise<StaffUser> {
  checkPasswordStrength(input.password, input)
  const passwordHash = await hash(input.password)
  return deps.db.transaction().execute(async (trx) => {
    const email = normaliseEmail(input.email)
    if (await findStaffCredentials(trx, email)) throw new ApiError('conflict', `There is already an account for ${email}.`)
    const now = deps.now()
    const user = await insertStaffUser(trx, { email, name: input.name.trim(), passwordHash, isAdmin: input.isAdmin ?? false }, now)
    await insertAudit(trx, { actor, action: 'staff.create', entity: 'staff_user', entityId: user.id, details: { email, isAdmin: user.isAdmin } }, now)
    return user
  })
}
