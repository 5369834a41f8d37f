/**
 * The words of a form, for people reading data rather than answering it: each question's title and
 * the label of every value it can store, taken from the same SurveyJS JSON the participant saw.
 * Values are those of `surveyQuestions` (questions.ts), in the same order, special choices included.
 */
import type { ChoiceValue } from './questions'
import type { InstrumentFile, LocalizedText } from './schema'
import { plainText } from './text'

export type ValueLabel = { value: ChoiceValue | boolean; label: string }

export type QuestionText = {
  title: string
  /** Every value a choice, rating or boolean question can store, with its text; empty for numbers and text. */
  valueLabels: ValueLabel[]
  /** The text of the "other" choice, for a question whose "other" answer has a free-text comment. */
  otherText?: string
}

type Json = Record<string, unknown>

function text(value: unknown, fallback: string): string {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return plainText(value as LocalizedText) || fallback
  return fallback
}

function choiceLabels(choices: unknown[]): ValueLabel[] {
  return choices.flatMap((choice): ValueLabel[] => {
    const value = typeof choice === 'object' && choice !== null ? (choice as Json).value : choice
    if (typeof value !== 'string' && typeof value !== 'number') return []
    return [{ value, label: typeof choice === 'object' && choice !== null ? text((choice as Json).text, String(value)) : String(value) }]
  })
}

/** A rating without rateValues stores rateMin … rateMax; its ends may have descriptions. */
function ratingLabels(element: Json): ValueLabel[] {
  if (Array.isArray(element.rateValues)) return choiceLabels(element.rateValues)
  const min = typeof element.rateMin === 'number' ? element.rateMin : 1
  const max = typeof element.rateMax === 'number' ? element.rateMax : 5
  const step = typeof element.rateStep === 'number' ? element.rateStep : 1
  const labels: ValueLabel[] = []
  for (let v = min; v <= max + 1e-9; v += step) {
    const value = Number(v.toFixed(10))
    const end = value === min ? element.minRateDescription : value === max ? element.maxRateDescription : undefined
    labels.push({ value, label: end === undefined ? String(value) : `${value} (${text(end, String(value))})` })
  }
  return labels
}

/**
 * SurveyJS's own words for its extra choices when the element gives no text of its own, in English
 * and in its Persian strings (survey-core 3.0.0: `noneItemText`, `refuseItemText`, `dontKnowItemText`,
 * `otherItemText` in survey.core.js and i18n/persian.js, the only ones the participant's form loads),
 * so these are the words participants saw. "Other" is `otherItemText` without its prompt "(describe)"
 * / "(توضیح)": it names a level of the answer here, not a request to write one.
 */
export const choiceDefaultTexts = {
  none: { en: 'None', fa: 'هیچ' },
  refused: { en: 'Refuse to answer', fa: 'امتناع از پاسخ دادن' },
  dontknow: { en: "Don't know", fa: 'نمی دانم' },
  other: { en: 'Other', fa: 'دیگر' },
} as const

/**
 * SurveyJS's extra choices: the element's flag that shows each, its stored value and the element's
 * key for its text, in the order questions.ts adds them (Table 1 labels its levels from them too);
 * their default texts are `choiceDefaultTexts[value]`.
 */
export const specialChoices: readonly [flag: string, value: 'none' | 'refused' | 'dontknow', textKey: 'noneText' | 'refuseText' | 'dontKnowText'][] = [
  ['showNoneItem', 'none', 'noneText'],
  ['showRefuseItem', 'refused', 'refuseText'],
  ['showDontKnowItem', 'dontknow', 'dontKnowText'],
]

/**
 * SurveyJS's own words for a yes/no question that gives no `labelTrue` / `labelFalse`: survey-core
 * 3.0.0's `booleanCheckedLabel` / `booleanUncheckedLabel`, in English and in its Persian strings
 * (i18n/persian.js), the only ones the participant's form loads (client/participant/language.ts). So
 * these are the words participants saw; a page in another language shows the English.
 */
const booleanDefaultTexts = { true: { en: 'Yes', fa: 'بله' }, false: { en: 'No', fa: 'خیر' } } as const

/** A text the form gives for an element property: a non-empty string or a localized object, else undefined. */
function givenText(value: unknown): LocalizedText | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const texts = Object.fromEntries(Object.entries(value).filter(([, text]) => typeof text === 'string' && text !== ''))
  return Object.keys(texts).length > 0 ? (texts as LocalizedText) : undefined
}

/**
 * The two answers of a yes/no (SurveyJS `boolean`) question in the order the participant sees them:
 * No then Yes, or Yes then No when the question sets `swapOrder` (survey-core 3.0.0,
 * QuestionBooleanModel's locLabelLeft / locLabelRight). Each with `value`, the answer as the server
 * stores it (true or false: questions.ts refuses a form that sets `valueTrue` / `valueFalse`), and
 * `text`, the question's
 * `labelTrue` / `labelFalse` as the form gives it (plain or localized), else SurveyJS's own "Yes" /
 * "No" in English and Persian (`{ en, fa }`, for textsByLanguage and plainText).
 *
 * @example
 * booleanAnswers({ type: 'boolean', name: 'supervises', labelTrue: { default: 'I do', fa: 'بله، نظارت می‌کنم' } })
 * // [{ value: false, text: { en: 'No', fa: 'خیر' } },
 * //  { value: true, text: { default: 'I do', fa: 'بله، نظارت می‌کنم' } }]
 */
export function booleanAnswers(element: Record<string, unknown>): { value: boolean; text: LocalizedText }[] {
  const answer = (value: boolean) => ({
    value,
    text: givenText(value ? element.labelTrue : element.labelFalse) ?? { ...booleanDefaultTexts[`${value}`] },
  })
  return element.swapOrder === true ? [answer(true), answer(false)] : [answer(false), answer(true)]
}

function questionText(element: Json): QuestionText {
  const name = String(element.name)
  const title = text(element.title, name)
  switch (element.type) {
    case 'radiogroup':
    case 'dropdown':
    case 'rating':
    case 'checkbox':
    case 'tagbox': {
      const valueLabels = element.type === 'rating' ? ratingLabels(element) : choiceLabels(Array.isArray(element.choices) ? element.choices : [])
      for (const [flag, value, textKey] of specialChoices) {
        if (element[flag] === true) valueLabels.push({ value, label: text(element[textKey], choiceDefaultTexts[value].en) })
      }
      if (element.showOtherItem === true || element.hasOther === true) {
        const otherText = text(element.otherText, choiceDefaultTexts.other.en)
        valueLabels.push({ value: 'other', label: otherText })
        return { title, valueLabels, otherText }
      }
      return { title, valueLabels }
    }
    case 'boolean':
      return {
        title,
        valueLabels: [
          { value: true, label: text(element.labelTrue, 'Yes') },
          { value: false, label: text(element.labelFalse, 'No') },
        ],
      }
    default:
      return { title, valueLabels: [] }
  }
}

/**
 * The title and value labels of every question of a form, by question name. Worked out once per form
 * object and then remembered (the Safety page asks for each flag's form: 30 % of its time at 10,000
 * participants went to working them out again), so the map and its texts are shared: read them (the
 * texts are frozen). A form object changed after its first look-up keeps its first texts.
 *
 * @example
 * questionTexts(phq9).get('phq9_1') // { title: 'Little interest or pleasure in doing things', valueLabels: [{ value: 0, label: 'Not at all' }, …] }
 */
export function questionTexts(instrument: Pick<InstrumentFile, 'survey'>): ReadonlyMap<string, QuestionText> {
  let texts = textsOfForm.get(instrument)
  if (!texts) textsOfForm.set(instrument, (texts = formQuestionTexts(instrument)))
  return texts
}
const textsOfForm = new WeakMap<object, ReadonlyMap<string, QuestionText>>()

function formQuestionTexts(instrument: Pick<InstrumentFile, 'survey'>): Map<string, QuestionText> {
  const texts = new Map<string, QuestionText>()
  const walk = (elements: unknown) => {
    if (!Array.isArray(elements)) return
    for (const element of elements as Json[]) {
      if (element.type === 'panel') walk(element.elements)
      else if (typeof element.name === 'string') texts.set(element.name, frozen(questionText(element)))
    }
  }
  for (const page of instrument.survey.pages) walk(page.elements)
  return texts
}

/** A question's texts frozen, with its value labels: they are shared by every caller (a change would reach the next one, in strict mode it throws). */
function frozen(text: QuestionText): QuestionText {
  for (const label of text.valueLabels) Object.freeze(label)
  Object.freeze(text.valueLabels)
  return Object.freeze(text)
}
