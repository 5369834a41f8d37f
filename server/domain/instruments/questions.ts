/**
 * What the server knows of a SurveyJS form: its questions, and what value each may hold.
 * The browser renders the form; the server decides what an acceptable answer is, from the same JSON.
 */
import { z } from 'zod'

export type ChoiceValue = string | number

/** One question of a form, reduced to what validation and scoring need. */
export type Question =
  | { name: string; required: boolean; conditional: boolean; kind: 'choice'; choices: ChoiceValue[]; otherComment: boolean }
  | { name: string; required: boolean; conditional: boolean; kind: 'choices'; choices: ChoiceValue[]; otherComment: boolean }
  | { name: string; required: boolean; conditional: boolean; kind: 'number'; min: number; max: number; step: number }
  | { name: string; required: boolean; conditional: boolean; kind: 'text'; maxLength: number }
  | { name: string; required: boolean; conditional: boolean; kind: 'boolean' }

/** Element types that show something but hold no value. */
const displayOnly = new Set(['html', 'image', 'expression'])
/** The longest text answer (and "Other" comment) a form takes unless the question sets `maxLength`. */
export const defaultMaxLength = 5000

type Json = Record<string, unknown>

/** A problem found in a form, with the JSON path where it was found. */
export class FormError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message)
  }
}

function choiceValues(element: Json, path: (string | number)[]): ChoiceValue[] {
  if (element.type === 'rating' && !Array.isArray(element.rateValues)) {
    const min = typeof element.rateMin === 'number' ? element.rateMin : 1
    const max = typeof element.rateMax === 'number' ? element.rateMax : 5
    const step = typeof element.rateStep === 'number' ? element.rateStep : 1
    const values: number[] = []
    for (let v = min; v <= max + 1e-9; v += step) values.push(Number(v.toFixed(10)))
    return values
  }
  const raw = element.type === 'rating' ? element.rateValues : element.choices
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new FormError([...path, 'choices'], 'a choice question needs a non-empty list of choices')
  }
  return raw.map((choice, i) => {
    const value = typeof choice === 'object' && choice !== null ? (choice as Json).value : choice
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new FormError([...path, 'choices', i], 'each choice needs a string or number value')
    }
    return value
  })
}

/**
 * The choice values of a question that takes several choices (checkbox, tagbox). The exports write
 * such an answer as its values joined by ";" (answers_long.csv, wide.csv) and the import splits a cell
 * on ";", so a value holding a ";" ("work; hospital") would come back as two values, or as a value
 * that is not a choice, and its wide.csv cell could not be read back. Such a value is refused here,
 * where the form is loaded and checked, rather than mangled in every export.
 */
function severalChoiceValues(element: Json, name: string, path: (string | number)[]): ChoiceValue[] {
  const values = choiceValues(element, path)
  const index = values.findIndex((v) => typeof v === 'string' && v.includes(';'))
  if (index !== -1) {
    throw new FormError(
      [...path, 'choices', index],
      `choice value ${JSON.stringify(values[index])} of "${name}" contains ";", which separates the choices of a question that takes several (exports and the import): use another value, such as "_" in its place`,
    )
  }
  return values
}

/** SurveyJS's built-in extra choices and the values they store. */
const specialChoices: [flag: string, value: string][] = [
  ['showNoneItem', 'none'],
  ['showRefuseItem', 'refused'],
  ['showDontKnowItem', 'dontknow'],
]

function withSpecialChoices(element: Json, values: ChoiceValue[], otherComment: boolean): ChoiceValue[] {
  const extra = specialChoices.filter(([flag]) => element[flag] === true).map(([, value]) => value)
  return [...values, ...extra, ...(otherComment ? ['other'] : [])]
}

function toQuestion(element: Json, path: (string | number)[], insideCondition: boolean): Question {
  const name = element.name
  if (typeof name !== 'string' || name.length === 0) throw new FormError([...path, 'name'], 'every question needs a name')
  const base = {
    name,
    required: element.isRequired === true,
    // A required question hidden by its own condition, or by its panel's or page's, is not required;
    // the server does not evaluate SurveyJS expressions, so such questions are checked for type only.
    conditional: insideCondition || hasCondition(element),
  }
  const otherComment = element.showOtherItem === true || element.hasOther === true
  switch (element.type) {
    case 'radiogroup':
    case 'dropdown':
    case 'rating':
      return { ...base, kind: 'choice', choices: withSpecialChoices(element, choiceValues(element, path), otherComment), otherComment }
    case 'checkbox':
    case 'tagbox':
      return { ...base, kind: 'choices', choices: withSpecialChoices(element, severalChoiceValues(element, name, path), otherComment), otherComment }
    case 'boolean':
      // SurveyJS would record these values instead of true / false, which every check of a yes/no
      // answer (this file's, the participant's form's) refuses: nobody could answer the form.
      for (const key of ['valueTrue', 'valueFalse']) {
        if (element[key] !== undefined) throw new FormError([...path, key], `a yes/no answer is stored as true or false: remove "${key}" ("labelTrue" and "labelFalse" change the words shown)`)
      }
      return { ...base, kind: 'boolean' }
    case 'comment':
      return { ...base, kind: 'text', maxLength: typeof element.maxLength === 'number' ? element.maxLength : defaultMaxLength }
    case 'text': {
      if (element.inputType === 'number') {
        if (typeof element.min !== 'number' || typeof element.max !== 'number') {
          throw new FormError([...path, 'min'], 'a number question needs numeric "min" and "max"')
        }
        const step = typeof element.step === 'number' && element.step > 0 ? element.step : 1
        return { ...base, kind: 'number', min: element.min, max: element.max, step }
      }
      return { ...base, kind: 'text', maxLength: typeof element.maxLength === 'number' ? element.maxLength : defaultMaxLength }
    }
    default:
      throw new FormError([...path, 'type'], `question type "${String(element.type)}" is not supported`)
  }
}

function hasCondition(element: Json): boolean {
  return ['visibleIf', 'enableIf', 'requiredIf'].some((key) => typeof element[key] === 'string')
}

/** Every question of a form, in order, including those inside panels. Throws FormError on an unsupported form. */
export function surveyQuestions(survey: { pages: Json[] }): Question[] {
  const questions: Question[] = []
  const walk = (elements: Json[], path: (string | number)[], insideCondition: boolean) => {
    elements.forEach((element, i) => {
      const here = [...path, i]
      if (element.type === 'panel') {
        walk(Array.isArray(element.elements) ? (element.elements as Json[]) : [], [...here, 'elements'], insideCondition || hasCondition(element))
      } else if (!displayOnly.has(String(element.type))) questions.push(toQuestion(element, here, insideCondition))
    })
  }
  survey.pages.forEach((page, p) => walk(Array.isArray(page.elements) ? (page.elements as Json[]) : [], ['survey', 'pages', p, 'elements'], hasCondition(page)))
  const seen = new Set<string>()
  for (const q of questions) {
    if (seen.has(q.name)) throw new FormError(['survey'], `question name "${q.name}" is used twice`)
    seen.add(q.name)
  }
  return questions
}

function valueSchema(q: Question): z.ZodType {
  switch (q.kind) {
    case 'choice':
      return z.union([z.string(), z.number()]).refine((v) => q.choices.includes(v), {
        message: `must be one of ${q.choices.map((c) => JSON.stringify(c)).join(', ')}`,
      })
    case 'choices':
      return z
        .array(z.union([z.string(), z.number()]))
        .refine((vs) => vs.every((v) => q.choices.includes(v)), {
          message: `each value must be one of ${q.choices.map((c) => JSON.stringify(c)).join(', ')}`,
        })
        .refine((vs) => new Set(vs).size === vs.length, { message: 'a value is given twice' })
    case 'number':
      return z
        .number()
        .min(q.min)
        .max(q.max)
        // On the grid min + k·step; the tolerance allows for binary floating point (0.1 + 0.2).
        .refine((v) => Math.abs((v - q.min) / q.step - Math.round((v - q.min) / q.step)) < 1e-9, {
          message: q.step === 1 ? 'must be a whole number' : `must be in steps of ${q.step}`,
        })
    case 'text':
      return z.string().max(q.maxLength)
    case 'boolean':
      return z.boolean()
  }
}

/**
 * What is wrong with `value` as an answer to `q`, in the words the server uses in its 422, or null
 * when it fits. The participant's form calls this too (through contracts/answer-rules.ts), so the
 * form refuses exactly what the server refuses.
 *
 * @example
 * answerProblem({ name: 'age', required: false, conditional: false, kind: 'number', min: 18, max: 80, step: 1 }, 17)
 * // "Too small: expected number to be >=18" (zod's message)
 */
export function answerProblem(q: Question, value: unknown): string | null {
  const result = valueSchema(q).safeParse(value)
  return result.success ? null : (result.error.issues[0]?.message ?? 'is not a valid answer')
}

/**
 * The schema of a stored answer set: an object keyed by question name. Unknown names are rejected,
 * so a typo in a client or an import never silently drops data. `complete` also requires the
 * unconditional required questions.
 */
export function answersSchema(questions: Question[], mode: 'draft' | 'complete'): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {}
  for (const q of questions) {
    const value = valueSchema(q)
    shape[q.name] = mode === 'complete' && q.required && !q.conditional ? value : value.optional()
    if ((q.kind === 'choice' || q.kind === 'choices') && q.otherComment) shape[`${q.name}-Comment`] = z.string().max(defaultMaxLength).optional()
  }
  return z.strictObject(shape) as z.ZodType<Record<string, unknown>>
}
