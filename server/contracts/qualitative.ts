/**
 * Request bodies of the interview and coding API. Offsets are Unicode code points of the
 * transcript's plain text, start inclusive and end exclusive (see domain/qualitative/types.ts).
 */
import { z } from 'zod'

const id = z.string().min(1).max(64)
const isoTime = z.iso.datetime({ offset: true, message: 'a date and time such as 2026-03-02T09:30:00Z' })
/** A code-point offset; whether it lies within the transcript is checked against the stored text. */
const offset = z.number().int('must be a whole number').min(0).max(10_000_000)

export const assignInterviewerBody = z.strictObject({ interviewerId: id, participantId: id })

export const startInterviewBody = z.strictObject({
  /** The interview guide; the latest version of `balint-interview-guide` when not given. */
  guideId: z.string().min(1).max(100).optional(),
  guideVersion: z.string().regex(/^\d+\.\d+\.\d+$/, 'a version such as "1.0.0"').optional(),
  /** Asked before anything else: a recording (and so a transcript) needs it. */
  consentToRecord: z.boolean(),
  /** When the conversation began; now when not given (an interview may be logged afterwards). */
  startedAt: isoTime.optional(),
})

export const updateInterviewBody = z
  .strictObject({
    startedAt: isoTime.optional(),
    /** Null reopens an interview ended by mistake. */
    endedAt: isoTime.nullable().optional(),
    consentToRecord: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'change at least one of startedAt, endedAt, consentToRecord')

/** A note as typed so far. Saves are idempotent: one whose revision is not newer than the stored one is ignored. */
export const noteBody = z.strictObject({
  text: z.string().max(50_000),
  revision: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
})

export const transcriptBody = z.strictObject({
  format: z.enum(['text', 'vtt']),
  /** Plain text, or a WebVTT file's content. The request body limit bounds its size too. */
  content: z.string().min(1, 'the transcript is empty').max(2_000_000),
})

const codeName = z.string().trim().min(1, 'must not be empty').max(200)
const codeDescription = z.string().trim().max(5000).nullable()
/** A colour as `#rrggbb` (the colour input's value); stored lower case. */
const codeColour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as #e69f00')
  .transform((c) => c.toLowerCase())

export const createCodeBody = z.strictObject({
  level: z.enum(['theme', 'category', 'code']),
  name: codeName,
  description: codeDescription.optional(),
  /** The next colour of the default palette when not given. */
  color: codeColour.optional(),
  /** A category's theme or a code's category; null or absent for a theme (or an ungrouped category or code). */
  parentId: id.nullable().optional(),
})

export const updateCodeBody = z
  .strictObject({ name: codeName.optional(), description: codeDescription.optional(), color: codeColour.optional(), parentId: id.nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'change at least one of name, description, color, parentId')

export const mergeCodeBody = z.strictObject({ into: id })

export const addCodingsBody = z
  .strictObject({
    /** One coding is made per code. */
    codeIds: z.array(id).min(1, 'choose at least one code').max(50),
    start: offset,
    end: offset,
  })
  .refine((b) => b.start < b.end, { path: ['end'], message: 'must be after start' })
  .refine((b) => new Set(b.codeIds).size === b.codeIds.length, { path: ['codeIds'], message: 'a code is listed twice' })

export const codingsQuery = z.object({ coders: z.enum(['mine', 'all']).default('mine') })

export const memoTargetType = z.enum(['code', 'transcript', 'project'])

export const createMemoBody = z
  .strictObject({ targetType: memoTargetType, targetId: id.nullable().optional(), text: z.string().trim().min(1, 'must not be empty').max(50_000) })
  .refine((b) => (b.targetType === 'project') === (b.targetId == null), {
    path: ['targetId'],
    message: 'name the code or transcript; a project memo has none',
  })

export const memosQuery = z.object({ targetType: memoTargetType.optional(), targetId: id.optional() })

export const updateMemoBody = z.strictObject({ text: z.string().trim().min(1, 'must not be empty').max(50_000) })

/** Add one quotation to a code's meaning units in Table 2, after those already chosen. */
export const chooseQuoteBody = z.strictObject({ codingId: id })

/** A code's Table 2 quotations, in order: those listed are kept or added, the others removed. */
export const setQuotesBody = z.strictObject({
  codingIds: z
    .array(id)
    .max(20, 'at most 20 quotations per code')
    .refine((ids) => new Set(ids).size === ids.length, 'a coding is listed twice'),
})

export const resolutionBody = z
  .strictObject({
    codeId: id,
    start: offset,
    end: offset,
    /** Whether the code applies to the span, as the coders agreed after discussing it. */
    decision: z.enum(['applies', 'does_not_apply']),
    note: z.string().trim().max(5000).default(''),
  })
  .refine((b) => b.start < b.end, { path: ['end'], message: 'must be after start' })

/** A participant's answer about one quotation attributed to them. */
export const memberCheckBody = z
  .strictObject({
    codingId: id,
    decision: z.enum(['confirm', 'comment', 'withdraw']),
    comment: z.string().trim().max(5000).optional(),
  })
  .refine((b) => b.decision !== 'comment' || (b.comment ?? '') !== '', { path: ['comment'], message: 'write the comment' })

export type StartInterviewBody = z.infer<typeof startInterviewBody>
export type UpdateInterviewBody = z.infer<typeof updateInterviewBody>
export type NoteBody = z.infer<typeof noteBody>
export type TranscriptBody = z.infer<typeof transcriptBody>
export type CreateCodeBody = z.infer<typeof createCodeBody>
export type UpdateCodeBody = z.infer<typeof updateCodeBody>
export type AddCodingsBody = z.infer<typeof addCodingsBody>
export type CreateMemoBody = z.infer<typeof createMemoBody>
export type ResolutionBody = z.infer<typeof resolutionBody>
export type MemberCheckBody = z.infer<typeof memberCheckBody>

export type NoteSaved = { questionId: string; revision: number; stale: boolean; savedAt: string }
