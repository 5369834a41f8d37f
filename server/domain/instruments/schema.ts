/**
 * The instrument file format: one JSON file per questionnaire, holding the SurveyJS form and the
 * scoring specification side by side, so that the form a participant sees and the rule that scores
 * it can never drift apart. Files are validated with this schema when the server starts; see
 * README.md ("Instrument files") for a worked example.
 */
import { z } from 'zod'

/** A SurveyJS localizable string: plain text, or `{ "default": "...", "fa": "..." }`. */
export const localizedText = z.union([
  z.string().min(1),
  z
    .record(z.string().regex(/^(default|[a-z]{2}(-[a-z]{2,4})?)$/, 'a language code such as "en" or "fa", or "default"'), z.string())
    .refine((texts) => Object.keys(texts).length > 0, 'give the text in at least one language'),
])
export type LocalizedText = z.infer<typeof localizedText>

/** Where a number comes from. `unconfirmed` marks values not checked against a primary source. */
const sourced = { source: z.string().min(1), unconfirmed: z.boolean().default(false) }

const population = z.strictObject({ mean: z.number(), sd: z.number().positive(), ...sourced })

export const psychometricsSchema = z.strictObject({
  /** Reliability for the Jacobson–Truax reliable change index (test–retest preferred, α accepted). */
  reliability: z
    .strictObject({ value: z.number().gt(0).lt(1), kind: z.enum(['test-retest', 'alpha', 'icc']), ...sourced })
    .optional(),
  /** The SD used for the standard error of measurement (J&T's s1), usually a clinical or pre-treatment SD. */
  sd: z.strictObject({ value: z.number().positive(), ...sourced }).optional(),
  /** The dysfunctional population (J&T's M1, s1). */
  clinical: population.optional(),
  /** The functional population (J&T's M0, s0). */
  normative: population.optional(),
})

const band = z.strictObject({
  /** Lower bound, inclusive; a band runs up to the next band's `min`. Bands cover prorated (fractional) scores too. */
  min: z.number(),
  label: localizedText,
})

export const scaleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, "-" and "_", starting with a letter'),
    label: localizedText,
    items: z.array(z.string().min(1)).min(1),
    /** Items scored in reverse: value v becomes itemRange.min + itemRange.max − v. */
    reverse: z.array(z.string().min(1)).default([]),
    /** The range of one item's value as stored, before any reversal. */
    itemRange: z.strictObject({ min: z.number(), max: z.number() }),
    method: z.enum(['sum', 'mean']),
    /** Linear transform applied after sum or mean: score × multiply + add (WHO-5 ×4, for example). */
    transform: z.strictObject({ multiply: z.number(), add: z.number().default(0) }).optional(),
    /** The possible range of the final score; checked against items, method and transform. */
    range: z.strictObject({ min: z.number(), max: z.number() }),
    /** Fewest answered items for which a score is computed; below it the score is missing. */
    minAnswered: z.number().int().positive(),
    /**
     * With `sum`, replace missing items by the person's mean of the answered ones
     * (total = sum × k / answered). Prorated totals are not rounded. `mean` needs no prorating.
     */
    prorate: z.boolean(),
    /** Why minAnswered and prorating are what they are. */
    missingRule: z.string().min(1),
    direction: z.enum(['higher-is-worse', 'higher-is-better']),
    bands: z.array(band).default([]),
    bandsSource: z.string().optional(),
    psychometrics: psychometricsSchema.default({}),
    /**
     * The id of another scale of the same instrument of which this one is only another metric (WHO-5
     * percentage = raw × 4): the same test, so the report shows it but does not count it again in the
     * multiplicity family. Checked against the instrument's scales by the questionnaire schema.
     */
    sameScoreAs: z.string().optional(),
  })
  .superRefine((scale, ctx) => {
    if (scale.itemRange.min >= scale.itemRange.max) {
      ctx.addIssue({ code: 'custom', path: ['itemRange'], message: 'min must be below max' })
    }
    if (scale.range.min >= scale.range.max) {
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'min must be below max' })
    }
    if (scale.minAnswered > scale.items.length) {
      ctx.addIssue({ code: 'custom', path: ['minAnswered'], message: `cannot exceed the ${scale.items.length} items of the scale` })
    }
    if (scale.method === 'sum' && !scale.prorate && scale.minAnswered < scale.items.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['prorate'],
        message: 'a sum over fewer items than the scale has is not comparable: set prorate to true or minAnswered to the number of items',
      })
    }
    scale.reverse.forEach((item, i) => {
      if (!scale.items.includes(item)) {
        ctx.addIssue({ code: 'custom', path: ['reverse', i], message: `"${item}" is not one of the scale's items` })
      }
    })
    if (new Set(scale.items).size !== scale.items.length) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'an item is listed twice' })
    }
    scale.bands.forEach((b, i) => {
      if (i === 0 && b.min > scale.range.min) {
        ctx.addIssue({ code: 'custom', path: ['bands', 0, 'min'], message: `the first band must start at or below the scale minimum ${scale.range.min}` })
      }
      if (b.min > scale.range.max) {
        ctx.addIssue({ code: 'custom', path: ['bands', i, 'min'], message: `starts above the scale maximum ${scale.range.max}` })
      }
      if (i > 0 && b.min <= scale.bands[i - 1]!.min) {
        ctx.addIssue({ code: 'custom', path: ['bands', i, 'min'], message: 'bands must be in ascending order of min' })
      }
    })
  })
export type ScaleSpec = z.infer<typeof scaleSchema>

export const flagSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  item: z.string().min(1),
  /** The flag is raised when the item's value is `op` `value`. */
  when: z.strictObject({ op: z.enum(['>', '>=', '<', '<=', '==']), value: z.number() }),
  /** Who must see it: `safety` flags are shown to the research team at once. */
  severity: z.enum(['safety', 'info']),
  label: localizedText,
})
export type FlagSpec = z.infer<typeof flagSchema>

/** SurveyJS form JSON. Checked in detail by `surveyQuestions`, which knows the supported question types. */
export const surveySchema = z.looseObject({
  pages: z.array(z.looseObject({ name: z.string().min(1), elements: z.array(z.looseObject({})).default([]) })).min(1),
})

const licence = z.strictObject({
  /** Short name of the terms, e.g. "Free, no copyright restriction (Pfizer)". */
  name: z.string().min(1),
  /** May the item text be shipped and shown? Instruments that may not are brought by the team itself. */
  itemTextMayBeReproduced: z.boolean(),
  source: z.string().min(1),
  notes: z.string().optional(),
})

const common = {
  /** Stable identifier, used in wave definitions, exports and the database. */
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and "-", starting with a letter'),
  /** Responses are stored against id@version; change the version whenever items or scoring change. */
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'a version such as "1.0.0"'),
  title: localizedText,
  /** Languages the texts are available in; the first is the default. */
  languages: z.array(z.string().regex(/^[a-z]{2}$/)).min(1).default(['en']),
  citation: z.string().min(1),
  licence,
  survey: surveySchema,
}

export const questionnaireSchema = z.strictObject({
  ...common,
  kind: z.literal('questionnaire'),
  /** Recall period shown in reports, e.g. "the last 2 weeks". */
  recall: z.string().optional(),
  scoring: z.strictObject({ scales: z.array(scaleSchema).min(1), flags: z.array(flagSchema).default([]) }).superRefine((scoring, ctx) => {
    scoring.scales.forEach((scale, i) => {
      if (scale.sameScoreAs === undefined) return
      const other = scoring.scales.find((s) => s.id === scale.sameScoreAs)
      const message = !other ? `"${scale.sameScoreAs}" is not a scale of this instrument` : other === scale ? 'a scale cannot be another metric of itself' : other.sameScoreAs ? `"${other.id}" is itself another metric: name the scale it is a metric of` : null
      if (message) ctx.addIssue({ code: 'custom', path: ['scales', i, 'sameScoreAs'], message })
    })
  }),
})

export const demographicsSchema = z.strictObject({ ...common, kind: z.literal('demographics') })

/** A consent form must have a question named `consent` with the values "agree" and "decline". */
export const consentSchema = z.strictObject({ ...common, kind: z.literal('consent') })

export const instrumentFileSchema = z.discriminatedUnion('kind', [questionnaireSchema, demographicsSchema, consentSchema])
export type InstrumentFile = z.infer<typeof instrumentFileSchema>
export type Questionnaire = z.infer<typeof questionnaireSchema>

const guideQuestionId = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, "-" and "_", starting with a letter')

/**
 * One main question of an interview guide, with its deepening probes. The interviewer asks the
 * question as written and reaches for the probes only as the conversation needs them. `id` is the
 * key notes are stored under: never reuse an id for a different question within a guide's versions.
 */
export const guideQuestionSchema = z.strictObject({
  id: guideQuestionId,
  text: localizedText,
  probes: z.array(localizedText).default([]),
})
export type GuideQuestion = z.infer<typeof guideQuestionSchema>

/**
 * The second kind of instrument: a semi-structured interview guide. It is read by an interviewer, not
 * filled in by a participant, so it has no SurveyJS form: the main questions in the order they are
 * asked, each with its probes. Interviews are stored against id@version, like responses.
 */
export const interviewGuideSchema = z
  .strictObject({
    id: common.id,
    version: common.version,
    title: common.title,
    languages: common.languages,
    citation: common.citation,
    licence,
    kind: z.literal('interview-guide'),
    /** Read out before the first question: who the interviewer is, why we ask, and the request to record. */
    introduction: localizedText.optional(),
    questions: z.array(guideQuestionSchema).min(1),
    /** Read out after the last question. */
    closing: localizedText.optional(),
  })
  .superRefine((guide, ctx) => {
    const seen = new Set<string>()
    guide.questions.forEach((q, i) => {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: `question id "${q.id}" is used twice` })
      seen.add(q.id)
    })
  })
export type InterviewGuideFile = z.infer<typeof interviewGuideSchema>

/** Every kind of instrument file, as read from a folder: forms and interview guides. */
export const anyInstrumentFileSchema = z.discriminatedUnion('kind', [questionnaireSchema, demographicsSchema, consentSchema, interviewGuideSchema])
