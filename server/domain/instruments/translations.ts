/**
 * Instruments in other languages, with provenance. A translation lives in a file beside its instrument,
 * named `<id>.<language>.json` (for example `consent.fa.json`): which instrument and version it
 * translates, where the translation comes from, whether it is a published validated translation, who may
 * reproduce it, and its texts, each under a stable key (`phq9_1.title`, `phq9_1.choices.2`, `title`).
 *
 * The loader merges the texts into the instrument's SurveyJS localizable strings (`{ "default": …,
 * "fa": … }`) and refuses a translation that does not cover every text of its instrument, or that names
 * a text the instrument does not have. A questionnaire's items are measured with their exact wording:
 * only a validated translation whose licence allows reproducing it may be loaded for one, never a
 * translation of our own.
 */
import { z } from 'zod'

export const translationFileSchema = z.strictObject({
  /** The instrument translated, and the version whose texts these are. */
  translationOf: z.string().regex(/^[a-z][a-z0-9-]*$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  language: z.string().regex(/^[a-z]{2}$/, 'a two-letter language code such as "fa"'),
  /** Where the translation comes from: the citation of the published translation, or who wrote it. */
  source: z.string().min(1),
  /** A published translation validated for this population (required for questionnaires). */
  validated: z.boolean(),
  licence: z.strictObject({ name: z.string().min(1), itemTextMayBeReproduced: z.boolean(), source: z.string().min(1), notes: z.string().optional() }),
  texts: z.record(z.string(), z.string().min(1)),
})
export type TranslationFile = z.infer<typeof translationFileSchema>

/** What a loaded instrument says about each of its translations. */
export type TranslationInfo = Pick<TranslationFile, 'language' | 'source' | 'validated' | 'licence'> & { file: string }

/** `phq-9.fa.json` is a translation file; `phq-9.json` is not. */
export function isTranslationFileName(name: string): boolean {
  return /\.[a-z]{2}\.json$/.test(name)
}

type Path = (string | number)[]
type Text = { key: string; path: Path; english: string }

/** Element properties SurveyJS localizes, in the order they are listed. */
const elementTexts = ['title', 'description', 'html', 'placeholder', 'labelTrue', 'labelFalse', 'otherText', 'noneText', 'commentText', 'otherPlaceholder', 'minRateDescription', 'maxRateDescription', 'requiredErrorText']
const itemLists = ['choices', 'rateValues', 'rows', 'columns']

function englishOf(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value
  if (value && typeof value === 'object') {
    const texts = value as Record<string, unknown>
    const text = texts.default ?? texts.en
    return typeof text === 'string' && text.trim() !== '' ? text : null
  }
  return null
}

function visitElements(elements: unknown, path: Path, out: Text[]): void {
  if (!Array.isArray(elements)) return
  elements.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object') return
    const element = raw as Record<string, unknown>
    const here = [...path, i]
    const name = String(element.name ?? i)
    for (const prop of elementTexts) {
      const english = englishOf(element[prop])
      if (english !== null) out.push({ key: `${name}.${prop}`, path: [...here, prop], english })
    }
    for (const list of itemLists) {
      const items = element[list]
      if (!Array.isArray(items)) continue
      items.forEach((item, j) => {
        if (!item || typeof item !== 'object') return
        const english = englishOf((item as Record<string, unknown>).text)
        if (english !== null) out.push({ key: `${name}.${list}.${String((item as Record<string, unknown>).value)}`, path: [...here, list, j, 'text'], english })
      })
    }
    visitElements(element.elements, [...here, 'elements'], out)
  })
}

/**
 * Every text of an instrument file that a translation must give, under its stable key.
 *
 * @example
 * localizableTexts(consentJson).map((t) => t.key) // ['title', 'consent.title', 'consent.choices.agree', …]
 */
export function localizableTexts(json: unknown): Text[] {
  const out: Text[] = []
  if (!json || typeof json !== 'object') return out
  const file = json as Record<string, unknown>
  const add = (key: string, path: Path, value: unknown) => {
    const english = englishOf(value)
    if (english !== null) out.push({ key, path, english })
  }
  add('title', ['title'], file.title)
  const survey = file.survey as Record<string, unknown> | undefined
  if (survey && typeof survey === 'object') {
    for (const prop of ['title', 'description', 'completedHtml']) add(`survey.${prop}`, ['survey', prop], survey[prop])
    const pages = Array.isArray(survey.pages) ? survey.pages : []
    pages.forEach((raw, p) => {
      const page = (raw ?? {}) as Record<string, unknown>
      for (const prop of ['title', 'description']) add(`page:${String(page.name ?? p)}.${prop}`, ['survey', 'pages', p, prop], page[prop])
      visitElements(page.elements, ['survey', 'pages', p, 'elements'], out)
    })
  }
  const scoring = file.scoring as { scales?: unknown } | undefined
  if (scoring && Array.isArray(scoring.scales)) {
    scoring.scales.forEach((raw, s) => {
      const scale = (raw ?? {}) as Record<string, unknown>
      add(`scale:${String(scale.id)}.label`, ['scoring', 'scales', s, 'label'], scale.label)
      if (Array.isArray(scale.bands)) scale.bands.forEach((band, b) => add(`scale:${String(scale.id)}.band:${String((band as Record<string, unknown>)?.min)}`, ['scoring', 'scales', s, 'bands', b, 'label'], (band as Record<string, unknown>)?.label))
    })
  }
  add('introduction', ['introduction'], file.introduction)
  add('closing', ['closing'], file.closing)
  if (Array.isArray(file.questions)) {
    file.questions.forEach((raw, q) => {
      const question = (raw ?? {}) as Record<string, unknown>
      add(`question:${String(question.id)}.text`, ['questions', q, 'text'], question.text)
      if (Array.isArray(question.probes)) question.probes.forEach((probe, i) => add(`question:${String(question.id)}.probe:${i + 1}`, ['questions', q, 'probes', i], probe))
    })
  }
  return out
}

export type TranslationProblem = { field: string; message: string }

/**
 * What a translation lacks or has too much of, against its instrument's JSON; empty when it covers
 * every text exactly.
 */
export function translationProblems(instrument: unknown, translation: TranslationFile, kind: string): TranslationProblem[] {
  const problems: TranslationProblem[] = []
  if (kind === 'questionnaire' && !translation.validated) {
    problems.push({ field: 'validated', message: 'a questionnaire may only be translated by a published validated translation; never translate or paraphrase one yourself' })
  }
  if (!translation.licence.itemTextMayBeReproduced) problems.push({ field: 'licence.itemTextMayBeReproduced', message: 'this translation may not be reproduced, so it cannot be shipped' })
  const texts = localizableTexts(instrument)
  const keys = new Set<string>()
  // Elements without a name are keyed by their place in their list, so two of them at the same place
  // on two pages share a key, and one text would translate both (found by a review).
  for (const { key } of texts) {
    if (keys.has(key)) problems.push({ field: `texts["${key}"]`, message: 'the instrument has two texts under this key (elements without a name, at the same place on two pages): give those elements a name' })
    keys.add(key)
  }
  for (const text of texts) {
    if (!(text.key in translation.texts)) problems.push({ field: `texts["${text.key}"]`, message: `missing (English: ${quoted(text.english)})` })
  }
  for (const key of Object.keys(translation.texts)) if (!keys.has(key)) problems.push({ field: `texts["${key}"]`, message: 'the instrument has no such text' })
  return problems
}

/**
 * The texts of an instrument's JSON (its translations merged in) that lack one of the languages its
 * `languages` lists after the first (the first is SurveyJS's `default`), one problem per text and
 * language, naming the language; empty when every listed language has every text. A choice written as
 * a plain string (`"choices": ["Day", "Night"]`) has no text in any other language. A language listed
 * for a title alone would have the staff app take the form as translated, and show its participants
 * the rest in English (found by a newcomer's walk-through of the README's worked example).
 * `instruments check` refuses such a file; loading keeps the form without those languages
 * (`loadInstruments`), so a file that loaded before still does.
 *
 * @example
 * languageProblems({ title: { default: 'Check', fa: 'بررسی' }, languages: ['en', 'fa'], survey: { pages: [{ elements: [{ type: 'text', name: 'q1', title: 'Hours?' }] }] } })
 * // [{ field: 'q1.title', language: 'fa', message: 'has no "fa" text, though "languages" lists "fa" (English: "Hours?")' }]
 */
export function languageProblems(json: unknown): (TranslationProblem & { language: string })[] {
  const languages = (json as { languages?: unknown } | null)?.languages
  if (!Array.isArray(languages) || languages.length < 2) return []
  const problems: (TranslationProblem & { language: string })[] = []
  const texts = localizableTexts(json)
  const plain = plainStringItems(json)
  for (const language of languages.slice(1) as string[]) {
    for (const text of texts) {
      const value = text.path.reduce<any>((node, step) => node?.[step], json)
      const given = value && typeof value === 'object' ? (value as Record<string, unknown>)[language] : undefined
      if (typeof given === 'string' && given.trim() !== '') continue
      problems.push({ field: text.key, language, message: `has no "${language}" text, though "languages" lists "${language}" (English: ${quoted(text.english)})` })
    }
    for (const item of plain) {
      problems.push({ field: item.key, language, message: `is a plain string, with no "${language}" text: write it as { "value": ${JSON.stringify(item.english)}, "text": { "default": ${JSON.stringify(item.english)}, "${language}": "…" } }` })
    }
  }
  return problems
}

/** The choices (and rows, columns, rate values) of a form's elements written as plain strings, keyed as translations key items. */
function plainStringItems(json: unknown): { key: string; english: string }[] {
  const out: { key: string; english: string }[] = []
  const visit = (elements: unknown) => {
    if (!Array.isArray(elements)) return
    elements.forEach((raw, i) => {
      if (!raw || typeof raw !== 'object') return
      const element = raw as Record<string, unknown>
      for (const list of itemLists) {
        const items = element[list]
        if (!Array.isArray(items)) continue
        for (const item of items) if (typeof item === 'string' && item.trim() !== '') out.push({ key: `${String(element.name ?? i)}.${list}.${item}`, english: item })
      }
      visit(element.elements)
    })
  }
  const pages = (json as { survey?: { pages?: unknown } } | null)?.survey?.pages
  if (Array.isArray(pages)) for (const page of pages) visit((page as Record<string, unknown> | null)?.elements)
  return out
}

/** `json` listing only the `languages` that `problems` (languageProblems) name none of: the first always stays. */
export function withoutIncompleteLanguages(json: unknown, problems: readonly { language: string }[]): unknown {
  const incomplete = new Set(problems.map((p) => p.language))
  const file = json as { languages: string[] }
  return { ...file, languages: file.languages.filter((language, i) => i === 0 || !incomplete.has(language)) }
}

const quoted = (english: string) => JSON.stringify(english.length > 80 ? `${english.slice(0, 77)}…` : english)

/** The instrument's JSON with the translation's texts merged into its localizable strings. */
export function applyTranslation(instrument: unknown, translation: TranslationFile): unknown {
  const copy = structuredClone(instrument) as Record<string, unknown>
  for (const text of localizableTexts(copy)) {
    const translated = translation.texts[text.key]
    if (translated === undefined) continue
    const parent = text.path.slice(0, -1).reduce<any>((node, step) => node[step], copy)
    const last = text.path[text.path.length - 1]!
    const current = parent[last]
    parent[last] = { ...(typeof current === 'object' && current !== null ? current : { default: current }), [translation.language]: translated }
  }
  const languages = Array.isArray(copy.languages) ? (copy.languages as string[]) : ['en']
  if (!languages.includes(translation.language)) copy.languages = [...languages, translation.language]
  return copy
}
