/** Staff accounts for HTTP tests: a user with a role in a study, and the headers of a signed-in session. */
import { grantRole } from '../../server/db/repositories/staff'
import type { StaffRole } from '../../server/db/schema'
import { createStaffUser, signIn } from '../../server/domain/staff/auth'
import type { Deps } from '../../server/domain/deps'

let counter = 0

/**
 * A new staff member with these roles, signed in. `headers` carry the session cookie and the CSRF
 * token, as a browser would send them.
 */
export async function signedInStaff(deps: Deps, roles: { studyId: string; role: StaffRole }[] = [], options: { isAdmin?: boolean } = {}) {
  const email = `staff${++counter}-${Math.random().toString(36).slice(2, 8)}@example.org`
  const password = 'correct horse battery staple'
  const user = await createStaffUser(deps, { email, name: `Staff ${counter}`, password, isAdmin: options.isAdmin }, 'test')
  for (const r of roles) await grantRole(deps.db, { ...r, userId: user.id }, deps.now())
  const session = await signIn(deps, { email, password })
  return {
    user,
    email,
    password,
    // Under both of the cookie's names: an app with an https base URL reads only `__Host-balint_session` (sessionCookieName).
    headers: { cookie: `balint_session=${session.sessionToken}; __Host-balint_session=${session.sessionToken}`, 'x-csrf-token': session.csrfToken },
  }
}
