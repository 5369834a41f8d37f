/** Safety flags, invitations and reminders (issue 17): the staff API's request bodies. */
import { z } from 'zod'

const email = z.string().trim().email('must be an email address').max(254)
/** Free text shown to participants: trimmed, bounded, empty meaning "the built-in text". */
const supportText = z
  .string()
  .trim()
  .max(4000)
  .nullable()
  .transform((v) => (v === '' ? null : v))

export const safetySettingsBody = z.strictObject({
  supportText: z.strictObject({ en: supportText, fa: supportText }),
  contact: z
    .string()
    .trim()
    .max(500)
    .nullable()
    .transform((v) => (v === '' ? null : v)),
  /** Who is emailed when a flag is raised. */
  notifyEmails: z.array(email).max(20),
  /** An open flag older than this is highlighted and notified again: 1 hour to 14 days. */
  renotifyAfterHours: z.number().int().min(1).max(14 * 24),
})

export const acknowledgeBody = z.strictObject({
  /** What was done: who contacted the participant, how, what was agreed. */
  action: z.string().trim().min(1, 'say what was done').max(4000),
})

export const messagingSettingsBody = z.strictObject({
  /** Send an invitation when a wave opens. */
  inviteOnOpen: z.boolean(),
  /** Send reminders this many whole days before a wave closes (to those who have not completed). */
  reminderDays: z.array(z.number().int().min(1).max(60)).max(5),
  /**
   * The name the study goes by in participants' emails (subject and text), for a team that would
   * rather not name the study to hospital mail servers; null or empty: the study's own name. Absent:
   * left as it is (a client that does not know the setting keeps it).
   */
  emailName: z
    .string()
    .trim()
    .max(80)
    .nullable()
    .optional()
    .transform((name) => (name === '' ? null : name)),
})

export const contactBody = z.strictObject({
  email: email.nullable(),
  /** As the team writes it; digits, spaces, "+", "-" and brackets. */
  phone: z
    .string()
    .trim()
    .max(40)
    .regex(/^[+0-9 ()-]*$/, 'digits, spaces, "+", "-" and brackets only')
    .nullable()
    .transform((v) => (v === '' ? null : v)),
  language: z.enum(['en', 'fa']).nullable(),
})

export const waveMessageBody = z.strictObject({
  wave: z.enum(['pre', 'post', 'follow-up']),
  kind: z.enum(['invitation', 'reminder']),
})

export const reminderPreferenceBody = z.strictObject({ optOut: z.boolean() })
