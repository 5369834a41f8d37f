/** The staff API's request bodies. */
import { z } from 'zod'

import { passwordRule } from './password'

export { passwordRule }

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

/** A calendar day as YYYY-MM-DD that exists (zod's ISO date: no 2026-02-30, no month 13). */
const day = z.iso.date({ error: 'a date as YYYY-MM-DD that exists in the calendar' })

/** Checked against the runtime's time-zone database in the domain; here only its shape. */
const timeZone = z.string().min(1).max(64)
const studyLanguage = z.enum(['en', 'fa'])

export const createStudyBody = z.strictObject({ name: z.string().trim().min(1).max(200), language: studyLanguage.optional(), timeZone: timeZone.optional() })
export const studySettingsBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  minCellSize: z.number().int().min(2).max(100).optional(),
  participantFeedback: z.boolean().optional(),
  supportContact: z.string().trim().max(2000).nullable().optional(),
  /** The consent form (an instrument file of kind "consent") the study's participants see. */
  consentInstrument: z.string().min(1).max(100).optional(),
  /** The language participants' pages open in. */
  language: studyLanguage.optional(),
  /** IANA time zone in which waves open and close; existing waves keep their days. */
  timeZone: timeZone.optional(),
  /** The study's primary outcome(s) as "instrument/scale" (e.g. "phq-9/total"): reported unadjusted; the other scales form the adjusted secondary family. */
  primaryOutcomes: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]*\/[a-z][a-z0-9_-]*$/, 'instrument/scale, e.g. phq-9/total')).max(20).optional(),
})
export const grantRoleBody = z.strictObject({ email: z.string().trim().max(254), role: staffRole })
export const createStaffUserBody = z.strictObject({
  email,
  name: z.string().trim().min(1).max(200),
  password,
  isAdmin: z.boolean().default(false),
})
export const createCohortBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  leader: z.string().trim().max(200).optional(),
  coLeaders: z.array(z.string().trim().min(1).max(200)).max(10).default([]),
  firstSession: day.optional(),
  sessions: z.number().int().min(0).max(100).default(8),
})
export const addParticipantsBody = z.strictObject({ count: z.number().int().min(1).max(1000) })
export const waveBody = z.strictObject({
  opens: day,
  closes: day,
  instruments: z.array(z.string().min(1)).min(1).max(50),
  /** The researcher confirms that this wave may overlap another of the cohort's waves (else 409 waves_overlap). */
  confirmOverlap: z.boolean().optional(),
  /** The researcher confirms changing the dates of a wave that already has answers (else 409 wave_has_answers). */
  confirmDateChange: z.boolean().optional(),
  /** The researcher confirms taking out of the wave questionnaires that already have answers in it (else 409 instruments_have_answers). */
  confirmRemoval: z.boolean().optional(),
})
export const attendanceBody = z.strictObject({
  attendance: z.array(z.strictObject({ participantId: z.string().min(1), present: z.boolean() })).min(1).max(1000),
})

/** Changing one's own password. */
export const changePasswordBody = z.strictObject({ currentPassword: z.string().max(passwordRule.maxLength), newPassword: password })
/** Choosing a password with a one-time link. */
export const passwordLinkBody = z.strictObject({ token: z.string().min(1).max(100), password })
/** An administrator's change to an account: disable or enable it, grant or remove administrator rights. */
export const updateStaffUserBody = z
  .strictObject({ disabled: z.boolean().optional(), isAdmin: z.boolean().optional() })
  .refine((b) => b.disabled !== undefined || b.isAdmin !== undefined, { message: 'give disabled or isAdmin' })

/** A stored answer's value as a correction names it: null is "not answered". `missing` is the message when the field is left out. */
const answerValue = (missing?: string) =>
  z.union([z.string().max(5000), z.number(), z.boolean(), z.array(z.union([z.string().max(200), z.number()])).max(100), z.null()], missing ? { error: (issue) => (issue.input === undefined ? missing : undefined) } : undefined)

/**
 * A researcher's correction of one stored answer (issue 17). `value` null takes the answer away.
 * `oldValue` is the value the researcher saw and is correcting (null when it was not answered): the
 * server refuses with 409 `conflict` when the stored value is no longer that one, so a correction made
 * meanwhile by someone else is never overwritten unseen (a lost update). It is required: a client too
 * old to send it gets a 422 naming `oldValue` rather than a silent overwrite.
 */
export const correctionBody = z.strictObject({
  question: z.string().min(1).max(200),
  oldValue: answerValue('is required: the value you are correcting, as you saw it (null if it was not answered)'),
  value: answerValue(),
  reason: z.string().trim().min(3).max(1000),
})

/** Filters of the audit-log viewer. */
export const auditQuery = z.strictObject({
  participant: z.string().min(1).max(64).optional(),
  user: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(100).optional(),
  from: day.optional(),
  to: day.optional(),
})
