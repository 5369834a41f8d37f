/**
 * The participant API's requests and responses. The client imports these types; the server validates
 * every request body against these schemas before anything else runs.
 */
import { z } from 'zod'

/** Answers as SurveyJS produces them: an object keyed by question name. Checked per instrument on the server. */
export const answers = z.record(z.string(), z.unknown())

export const waveSlot = z.enum(['enrolment', 'pre', 'post', 'follow-up'])
export type WaveSlot = z.infer<typeof waveSlot>

/** One answer as given on the device. `value` null clears the question (clearing is an answer too). */
export const givenAnswer = z.strictObject({
  question: z.string().min(1).max(200),
  value: z.unknown().transform((v) => (v === undefined ? null : v)),
  /** When the participant gave it, by the device's clock (ISO 8601). The later answer to a question wins. */
  answeredAt: z.iso.datetime({ offset: true }),
})
export type GivenAnswer = z.input<typeof givenAnswer>

/** A device's id: made once per browser, so answers from two phones on the same link merge by question. */
export const deviceId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8 to 64 letters, digits, "-" or "_"')

export const answersBody = z.strictObject({
  deviceId,
  answers: z.array(givenAnswer).min(1).max(500),
})

export const completeBody = z.strictObject({
  /**
   * Answers given with the submit, merged like any other as given now by this submit (the staff
   * import and scripts use it; the participant's page sends its answers first and then only the id).
   */
  answers: answers.optional(),
  /** Generated on the device once per completion; a retried submit with the same id returns the first result. */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8 to 64 letters, digits, "-" or "_"'),
})

export const consentBody = z.strictObject({ version: z.string(), answers })

export const withdrawBody = z.strictObject({ keepData: z.boolean() })

/**
 * A participant's answer about one quotation from their interview (member checking). A comment is
 * optional with every decision and needed when the decision is to comment. Trimmed and bounded here:
 * it is free text from the browser and is stored as it comes.
 */
export const quoteAnswerBody = z
  .strictObject({
    decision: z.enum(['confirm', 'comment', 'withdraw']),
    comment: z.string().trim().max(5000).optional(),
  })
  .refine((b) => b.decision !== 'comment' || (b.comment ?? '') !== '', { path: ['comment'], message: 'write the comment' })
export type QuoteAnswerBody = z.infer<typeof quoteAnswerBody>

export type FormState = {
  /** `languages`: those its texts exist in; an English-only questionnaire is shown in English on a Persian page. */
  instrument: { id: string; version: string; title: unknown; survey: unknown; languages: string[] }
  response: null | { status: 'draft' | 'complete'; answers: Record<string, unknown>; revision: number; updatedAt: string; completedAt: string | null }
}

export type WaveView = {
  kind: 'pre' | 'post' | 'follow-up'
  opensAt: string
  closesAt: string
  state: 'upcoming' | 'open' | 'closed'
  /** Open, and closing within 24 hours: the page says so. */
  closesSoon: boolean
  forms: FormState[]
}

export type ParticipantState = {
  /** The study's default language for this page, and the IANA time zone its wave days follow. */
  study: { name: string; language: string; timeZone: string }
  /**
   * An opaque key of the participant: the same under every link of theirs, where their code (P1, P2 …)
   * is unique only in its cohort. A device that kept answers under a link the team has since replaced
   * knows by it that they are this participant's, and the new link's page takes them over
   * (client/participant/device-store.ts). A hash of their id, not the id, which is time-ordered and
   * would tell when they were enrolled, and their neighbours' ids (found by a review).
   */
  participantKey: string
  participant: { code: string; status: 'invited' | 'consented' | 'active' | 'withdrawn'; withdrawnAt: string | null }
  consent: {
    instrument: { id: string; version: string; survey: unknown }
    decision: 'agree' | 'decline' | null
    decidedAt: string | null
    /** The information sheet as it was when the participant agreed (its version), for them to read again at any time. */
    agreed: { id: string; version: string; survey: unknown } | null
  }
  enrolment: FormState[]
  waves: WaveView[]
  /** The participant's own results, once the post questionnaires are complete and the study shows them. */
  feedback: ParticipantFeedback | null
  /**
   * Set when one of the participant's answers raised a safety flag (still open, or in the last 14
   * days): the study's support text in English and Persian (null: the page's built-in text, which
   * says to contact local emergency services) and its contact.
   */
  safety: null | { text: { en: string | null; fa: string | null }; contact: string | null }
  /** The participant chose, on this page, not to get reminders. */
  reminders: { optedOut: boolean }
}

export type FeedbackScale = {
  instrument: string
  label: string
  direction: 'higher-is-worse' | 'higher-is-better'
  range: { min: number; max: number }
  pre: number
  post: number
  bandPre: string | null
  bandPost: string | null
  /** In plain words: better, worse or about the same, by the reliable change index where it can be computed. */
  change: 'better' | 'worse' | 'about the same'
}

export type ParticipantFeedback = {
  scales: FeedbackScale[]
  /** Shown when a score got worse or an answer raised a safety flag. */
  support: null | { reason: 'worse' | 'flag'; contact: string | null }
}

/** The server's answer to a batch of answers: every one is stored (current or in history). */
export type AnswersSaved = { status: 'draft' | 'complete'; answers: Record<string, unknown>; revision: number; savedAt: string }
export type Completed = { status: 'complete'; completedAt: string; instrument: string; version: string }

/**
 * A quotation from the participant's interview that the researchers chose to illustrate a code in the
 * findings (Table 2), as the participant sees it when asked to check it.
 */
export type ParticipantQuote = {
  codingId: string
  /** The participant's own words, as coded from the transcript. */
  text: string
  /** Where the quotation is used, in the researchers' words: theme, category and code (null when not yet grouped). */
  theme: string | null
  category: string | null
  code: string
  /** Still chosen for the findings; false once the participant asked for it to be withdrawn. */
  chosen: boolean
  /** The participant's latest answer about it, if any. */
  answer: null | { decision: 'confirm' | 'comment' | 'withdraw'; comment: string | null; answeredAt: string }
}
