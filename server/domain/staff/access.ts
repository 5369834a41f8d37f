/**
 * Who may see what. Roles are given per study; every staff route asks here, on the server.
 *
 * - researcher: everything in the study, individual data and exports included
 * - program_lead: released snapshots of cohort reports only (outcomes/release.ts), never a live query
 * - group_leader: group sessions and attendance; no scores
 * - interviewer: interview work for assigned participants
 */
import { ApiError } from '../errors'
import { findStaffCredentials, grantRole, listRolesOfUser, type StaffUser } from '../../db/repositories/staff'
import { insertAudit } from '../../db/repositories/audit'
import { normaliseEmail } from './auth'
import { findCohort, findStudy, type Cohort, type Study } from '../../db/repositories/studies'
import { findParticipant, type Participant } from '../../db/repositories/participants'
import type { StaffRole } from '../../db/schema'
import type { Deps } from '../deps'

export type StudyAccess = { study: Study; roles: StaffRole[] }

/**
 * The user's roles in a study, checked against those allowed. A study the user has no role in is
 * "not found": staff of one study cannot even learn that another study exists.
 */
export async function requireStudyRole(deps: Deps, user: StaffUser, studyId: string, allowed: readonly StaffRole[]): Promise<StudyAccess> {
  const study = await findStudy(deps.db, studyId)
  const roles = (await listRolesOfUser(deps.db, user.id)).filter((r) => r.studyId === studyId).map((r) => r.role)
  if (!study || roles.length === 0) throw new ApiError('not_found', 'No such study.')
  if (!roles.some((r) => allowed.includes(r))) throw new ApiError('forbidden', `This needs one of these roles in the study: ${allowed.join(', ')}.`)
  return { study, roles }
}

/** As requireStudyRole, for a cohort: its study decides. */
export async function requireCohortRole(deps: Deps, user: StaffUser, cohortId: string, allowed: readonly StaffRole[]): Promise<StudyAccess & { cohort: Cohort }> {
  const cohort = await findCohort(deps.db, cohortId)
  if (!cohort) throw new ApiError('not_found', 'No such cohort.')
  try {
    return { ...(await requireStudyRole(deps, user, cohort.studyId, allowed)), cohort }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', 'No such cohort.')
    throw error
  }
}

/**
 * As requireStudyRole, for a participant: their cohort's study decides. Outside the study the
 * participant does not exist (the same 404 as for an unknown id).
 */
export async function requireParticipantRole(deps: Deps, user: StaffUser, participantId: string, allowed: readonly StaffRole[]): Promise<StudyAccess & { cohort: Cohort; participant: Participant }> {
  const participant = await findParticipant(deps.db, participantId)
  if (!participant) throw new ApiError('not_found', 'No such participant.')
  try {
    return { ...(await requireCohortRole(deps, user, participant.cohortId, allowed)), participant }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') throw new ApiError('not_found', 'No such participant.')
    throw error
  }
}

/**
 * Give the staff account with this email a role in a study (the study's Staff tab, and the CLI's
 * `role grant` for studies made from the command line, which no one holds a role in yet). Granting a
 * role held already changes nothing and is not audited again; a new one is audited as `role.grant` by
 * `actor`, with `audit` added to its details (the CLI's operating-system user). Errors: `not_found`
 * for no such study; `validation_failed` (field `email`) for no such account, or a disabled one.
 */
export async function grantStudyRole(
  deps: Deps,
  input: { studyId: string; email: string; role: StaffRole },
  actor: string,
  audit: Record<string, unknown> = {},
): Promise<{ userId: string; email: string; name: string; role: StaffRole; granted: boolean }> {
  if (!(await findStudy(deps.db, input.studyId))) throw new ApiError('not_found', 'No such study.')
  const target = await findStaffCredentials(deps.db, normaliseEmail(input.email))
  if (!target) throw new ApiError('validation_failed', 'email: no staff account has this email', [{ field: 'email', message: 'no staff account has this email' }])
  if (target.disabled) throw new ApiError('validation_failed', 'email: this staff account is disabled', [{ field: 'email', message: 'this staff account is disabled' }])
  const now = deps.now()
  const granted = await deps.db.transaction().execute(async (trx) => {
    const added = await grantRole(trx, { studyId: input.studyId, userId: target.id, role: input.role }, now)
    if (added) await insertAudit(trx, { actor, action: 'role.grant', entity: 'study', entityId: input.studyId, details: { userId: target.id, role: input.role, ...audit } }, now)
    return added
  })
  return { userId: target.id, email: target.email, name: target.name, role: input.role, granted }
}
