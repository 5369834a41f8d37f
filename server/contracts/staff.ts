/** The staff API's request bodies. */
import { z } from 'zod'

/** Passwords: long enough to resist guessing; argon2id does the rest. */
export const passwordRule = { minLength: 10, maxLength: 200 }

const email = z.string().trim().email('must be an email address').max(254)
const password = z.string().min(passwordRule.minLength, `must have at least ${passwordRule.minLength} characters`).max(passwordRule.maxLength)

export const setupBody = z.strictObject({ token: z.string().min(1).max(100), name: z.string().trim().min(1).max(200), email, password })
export const signInBody = z.strictObject({ email: z.string().max(254), password: z.string().max(passwordRule.maxLength) })

export const staffRole = z.enum(['researcher', 'program_lead', 'group_leader', 'interviewer'])

export type Me = {
  user: { id: string; email: string; name: string; isAdmin: boolean }
  roles: { studyId: string; role: z.infer<typeof staffRole> }[]
  csrfToken: string
}
