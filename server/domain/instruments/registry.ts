/**
 * Loads instrument files from the shipped folder and the team's own folder, validates each one
 * completely, and serves them by id and version. An invalid file stops start-up with a message that
 * names the file and the field.
 *
 * Two kinds of instrument live side by side: forms (questionnaires, demographics, consent), which
 * participants fill in through SurveyJS, and interview guides, which interviewers read from. They are
 * kept apart here so that code asking for a form can never be handed a guide: `get` and `list` serve
 * forms, `guide` and `guides` serve guides.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { z } from 'zod'
import { instrumentFileSchema, interviewGuideSchema, type InstrumentFile, type InterviewGuideFile, type Questionnaire } from './schema'
import { answersSchema, FormError, surveyQuestions, type Question } from './questions'
import { applyTranslation, isTranslationFileName, languageProblems, withoutIncompleteLanguages, translationFileSchema, translationProblems, type TranslationFile, type TranslationInfo } from './translations'

export type Instrument = InstrumentFile & {
  /** Where it was loaded from, for messages. */
  file: string
  /** The translations merged into its texts, with their provenance (from `<id>.<language>.json` files). */
  translations?: TranslationInfo[]
  questions: Question[]
  draftSchema: z.ZodType<Record<string, unknown>>
  completeSchema: z.ZodType<Record<string, unknown>>
}

/** A loaded interview guide. */
export type InterviewGuide = InterviewGuideFile & {
  /** Where it was loaded from, for messages. */
  file: string
  translations?: TranslationInfo[]
}

/** One problem with an instrument file: the file, the JSON path of the field, and what is wrong. */
export type InstrumentProblem = { file: string; field: string; message: string }

export class InstrumentFileError extends Error {
  constructor(readonly problems: InstrumentProblem[]) {
    super(problems.map((p) => `${p.file}: ${p.field || '(file)'}: ${p.message}`).join('\n'))
    this.name = 'InstrumentFileError'
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '')
}

/** Checks that need the form and the scoring together: items exist and their values fit the scale. */
function crossCheck(data: InstrumentFile, questions: Question[]): InstrumentProblem[] {
  const problems: Omit<InstrumentProblem, 'file'>[] = []
  const byName = new Map(questions.map((q) => [q.name, q]))
  if (data.kind === 'consent') {
    const consent = byName.get('consent')
    if (!consent || consent.kind !== 'choice' || !consent.choices.includes('agree') || !consent.choices.includes('decline')) {
      problems.push({ field: 'survey', message: 'a consent form needs a question named "consent" with the choices "agree" and "decline"' })
    }
  }
  if (data.kind === 'questionnaire') {
    data.scoring.scales.forEach((scale, s) => {
      scale.items.forEach((item, i) => {
        const q = byName.get(item)
        const field = `scoring.scales[${s}].items[${i}]`
        if (!q) return problems.push({ field, message: `"${item}" is not a question of the survey` })
        const values = q.kind === 'choice' ? q.choices : q.kind === 'number' ? [q.min, q.max] : null
        if (!values) return problems.push({ field, message: `"${item}" must be a single-choice or number question to be scored` })
        for (const v of values) {
          if (typeof v !== 'number' || v < scale.itemRange.min || v > scale.itemRange.max) {
            problems.push({ field, message: `"${item}" allows ${JSON.stringify(v)}, outside itemRange ${scale.itemRange.min}–${scale.itemRange.max}` })
          }
        }
      })
      const k = scale.items.length
      const [lo, hi] = scale.method === 'sum' ? [scale.itemRange.min * k, scale.itemRange.max * k] : [scale.itemRange.min, scale.itemRange.max]
      const t = scale.transform ?? { multiply: 1, add: 0 }
      const expected = [lo * t.multiply + t.add, hi * t.multiply + t.add].sort((a, b) => a - b)
      if (Math.abs(expected[0]! - scale.range.min) > 1e-9 || Math.abs(expected[1]! - scale.range.max) > 1e-9) {
        problems.push({
          field: `scoring.scales[${s}].range`,
          message: `items, method and transform give ${expected[0]}–${expected[1]}, not ${scale.range.min}–${scale.range.max}`,
        })
      }
    })
    const ids = data.scoring.scales.map((s) => s.id)
    if (new Set(ids).size !== ids.length) problems.push({ field: 'scoring.scales', message: 'two scales share an id' })
    data.scoring.flags.forEach((flag, f) => {
      if (!byName.has(flag.item)) problems.push({ field: `scoring.flags[${f}].item`, message: `"${flag.item}" is not a question of the survey` })
    })
  }
  return problems.map((p) => ({ ...p, file: '' }))
}

/**
 * Validate one instrument's JSON. Returns the instrument, or every problem found.
 *
 * @example
 * const result = checkInstrument(JSON.parse(text), 'data/instruments/my-scale.json')
 * if (!result.ok) console.error(result.problems)
 */
export function checkInstrument(json: unknown, file: string): { ok: true; instrument: Instrument } | { ok: false; problems: InstrumentProblem[] } {
  const parsed = instrumentFileSchema.safeParse(json)
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ file, field: fieldPath(issue.path), message: issue.message })) }
  }
  let questions: Question[]
  try {
    questions = surveyQuestions(parsed.data.survey)
  } catch (error) {
    if (error instanceof FormError) return { ok: false, problems: [{ file, field: fieldPath(error.path), message: error.message }] }
    throw error
  }
  const problems = crossCheck(parsed.data, questions).map((p) => ({ ...p, file }))
  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    instrument: {
      ...parsed.data,
      file,
      questions,
      draftSchema: answersSchema(questions, 'draft'),
      completeSchema: answersSchema(questions, 'complete'),
    },
  }
}

/**
 * Validate one interview guide's JSON. Returns the guide, or every problem found.
 *
 * @example
 * const result = checkInterviewGuide(JSON.parse(text), 'data/instruments/my-guide.json')
 * if (!result.ok) console.error(result.problems) // [{ file, field: 'questions[2].probes[0]', message }]
 */
export function checkInterviewGuide(json: unknown, file: string): { ok: true; guide: InterviewGuide } | { ok: false; problems: InstrumentProblem[] } {
  const parsed = interviewGuideSchema.safeParse(json)
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ file, field: fieldPath(issue.path), message: issue.message })) }
  }
  return { ok: true, guide: { ...parsed.data, file } }
}

const isGuideJson = (json: unknown) => typeof json === 'object' && json !== null && (json as Record<string, unknown>).kind === 'interview-guide'

function readJson(path: string, displayPath: string): { ok: true; json: unknown } | { ok: false; problems: InstrumentProblem[] } {
  try {
    return { ok: true, json: JSON.parse(readFileSync(path, 'utf8')) }
  } catch (error) {
    return { ok: false, problems: [{ file: displayPath, field: '', message: `not valid JSON: ${(error as Error).message}` }] }
  }
}

/** Read and check one file: a form or an interview guide, told apart by its `kind`. */
export function checkInstrumentFile(
  path: string,
  displayPath = path,
): { ok: true; instrument: Instrument | InterviewGuide } | { ok: false; problems: InstrumentProblem[] } {
  const read = readJson(path, displayPath)
  if (!read.ok) return read
  return checkInstrumentJson(read.json, displayPath)
}

/** Check an instrument's JSON: a form or an interview guide, told apart by its `kind`. */
export function checkInstrumentJson(json: unknown, displayPath: string): { ok: true; instrument: Instrument | InterviewGuide } | { ok: false; problems: InstrumentProblem[] } {
  if (isGuideJson(json)) {
    const result = checkInterviewGuide(json, displayPath)
    return result.ok ? { ok: true, instrument: result.guide } : result
  }
  return checkInstrument(json, displayPath)
}

type RawFile = { path: string; display: string; json: unknown }

const idOf = (json: unknown) => (typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {})

/**
 * Check translation files against the instruments they translate and merge the good ones in. Returns
 * the instruments' JSON with their translations, the provenance of each, and every problem.
 *
 * @example
 * const { files, problems } = mergeTranslations(instrumentFiles, [{ path, display: 'consent.fa.json', json }])
 */
export function mergeTranslations(instruments: RawFile[], translations: RawFile[]): { files: (RawFile & { translations: TranslationInfo[] })[]; problems: InstrumentProblem[] } {
  const files = instruments.map((f) => ({ ...f, translations: [] as TranslationInfo[] }))
  const problems: InstrumentProblem[] = []
  for (const t of translations) {
    const parsed = translationFileSchema.safeParse(t.json)
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => ({ file: t.display, field: fieldPath(issue.path), message: issue.message })))
      continue
    }
    const translation: TranslationFile = parsed.data
    const target = files.find((f) => idOf(f.json).id === translation.translationOf && idOf(f.json).version === translation.version)
    if (!target) {
      problems.push({ file: t.display, field: 'translationOf', message: `translates ${translation.translationOf}@${translation.version}, which is not among the instrument files` })
      continue
    }
    const found = translationProblems(target.json, translation, String(idOf(target.json).kind))
    if (found.length > 0) {
      problems.push(...found.map((p) => ({ ...p, file: t.display })))
      continue
    }
    target.json = applyTranslation(target.json, translation)
    target.translations.push({ file: t.display, language: translation.language, source: translation.source, validated: translation.validated, licence: translation.licence })
  }
  return { files, problems }
}

/**
 * Order two versions: `1.0.0` < `1.1.0`, and a study's own versions of a form after the file they were
 * made from, in the order they were made (`1.0.0` < `1.0.0+study.<tag>.1` < `1.0.0+study.<tag>.2`).
 *
 * @example
 * ['1.0.0+study.ab12cd34ef56.2', '1.1.0', '1.0.0'].sort(compareVersions) // ['1.0.0', '1.0.0+study.ab12cd34ef56.2', '1.1.0']
 */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', buildA = ''] = a.split('+')
  const [coreB = '', buildB = ''] = b.split('+')
  const pa = coreA.split('.').map(Number)
  const pb = coreB.split('.').map(Number)
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0)
  if (buildA === buildB) return 0
  if (buildA === '') return -1
  if (buildB === '') return 1
  const seqA = Number(buildA.split('.').at(-1))
  const seqB = Number(buildB.split('.').at(-1))
  return seqA !== seqB && Number.isFinite(seqA) && Number.isFinite(seqB) ? seqA - seqB : buildA.localeCompare(buildB)
}

function latestOfEach<T extends { id: string; version: string }>(items: T[]): T[] {
  const latest = new Map<string, T>()
  for (const i of items) {
    const seen = latest.get(i.id)
    if (!seen || compareVersions(i.version, seen.version) > 0) latest.set(i.id, i)
  }
  return [...latest.values()].sort((a, b) => a.id.localeCompare(b.id))
}

/** All loaded instruments, by id and version. */
export class InstrumentRegistry {
  /** Texts a loaded file lacks in a language it lists (languageProblems): that language was left out of the form. */
  languageWarnings: readonly InstrumentProblem[] = []
  readonly #byKey = new Map<string, Instrument>()
  /** Study-specific versions of forms (study-forms.ts), found by their exact version only. */
  readonly #studyForms = new Map<string, Instrument>()
  readonly #guidesByKey = new Map<string, InterviewGuide>()

  constructor(instruments: Instrument[], guides: InterviewGuide[] = []) {
    const problems: InstrumentProblem[] = []
    // One id names one thing: a form and a guide may not share an id@version either.
    const files = new Map<string, string>()
    const claim = (item: { id: string; version: string; file: string }) => {
      const key = `${item.id}@${item.version}`
      const existing = files.get(key)
      if (existing !== undefined) problems.push({ file: item.file, field: 'version', message: `${key} is also defined in ${existing}` })
      else files.set(key, item.file)
      return existing === undefined ? key : undefined
    }
    for (const instrument of instruments) {
      const key = claim(instrument)
      if (key) this.#byKey.set(key, instrument)
    }
    for (const guide of guides) {
      const key = claim(guide)
      if (key) this.#guidesByKey.set(key, guide)
    }
    if (problems.length > 0) throw new InstrumentFileError(problems)
  }

  /** Where the files came from (loadInstruments), for `#lookAgain`. */
  #source: { folders: string[]; cwd: string; files: string } | undefined

  /**
   * Read the folders again when their files changed since they were read, and add every form and guide
   * version not loaded yet (a version once loaded is never replaced: versions do not change). Called
   * when a lookup finds nothing. Found by a newcomer's walk-through: an instrument file added while the
   * server ran, and put in a wave by the command line (which reads the folder), was unknown to the
   * server, and every participant's page of that cohort answered 500. Files with problems leave
   * everything as it was (the command line's `instruments check` names them). Returns whether anything
   * was added.
   */
  #lookAgain(): boolean {
    if (!this.#source) return false
    const files = filesSignature(this.#source.folders)
    if (files === this.#source.files) return false
    this.#source.files = files
    let fresh: InstrumentRegistry
    try {
      fresh = loadInstruments(this.#source.folders, this.#source.cwd)
    } catch {
      return false
    }
    let added = false
    for (const [key, instrument] of fresh.#byKey) if (!this.#byKey.has(key) && !this.#guidesByKey.has(key)) (this.#byKey.set(key, instrument), (added = true))
    for (const [key, guide] of fresh.#guidesByKey) if (!this.#guidesByKey.has(key) && !this.#byKey.has(key)) (this.#guidesByKey.set(key, guide), (added = true))
    return added
  }

  /** Remember the folders this registry was loaded from, so that files added later are found (`#lookAgain`). */
  watchFolders(folders: string[], cwd: string): this {
    this.#source = { folders, cwd, files: filesSignature(folders) }
    return this
  }

  /** A specific version of an interview guide, or the latest when no version is given. */
  guide(id: string, version?: string): InterviewGuide | undefined {
    const found = version ? this.#guidesByKey.get(`${id}@${version}`) : this.guides().find((g) => g.id === id)
    return found ?? (this.#lookAgain() ? this.guide(id, version) : undefined)
  }

  /** The latest version of each interview guide, sorted by id. */
  guides(): InterviewGuide[] {
    return latestOfEach([...this.#guidesByKey.values()])
  }

  /**
   * A specific version, or the latest loaded file when no version is given. A study's own version of a
   * form is found by its exact version once registered (`registerStudyForm`), never as "the latest".
   */
  get(id: string, version?: string): Instrument | undefined {
    const found = version ? (this.#byKey.get(`${id}@${version}`) ?? this.#studyForms.get(`${id}@${version}`)) : this.list().find((i) => i.id === id)
    return found ?? (this.#lookAgain() ? this.get(id, version) : undefined)
  }

  /**
   * Keep a study's own version of a form (built by study-forms.ts from the database) so that `get(id,
   * version)` finds it. Versions are never changed once made, so registering one twice is harmless.
   */
  registerStudyForm(instrument: Instrument): void {
    const key = `${instrument.id}@${instrument.version}`
    if (this.#byKey.has(key)) throw new Error(`${key} is a loaded file, not a study's own version`)
    if (!this.#studyForms.has(key)) this.#studyForms.set(key, instrument)
  }

  /** Every loaded file version of a form, newest first (a study's own versions are not among them); empty for an unknown id. */
  versions(id: string): Instrument[] {
    return [...this.#byKey.values()].filter((i) => i.id === id).sort((a, b) => compareVersions(b.version, a.version))
  }

  /** The latest version of each form (questionnaires, demographics, consent), sorted by id. */
  list(): Instrument[] {
    return latestOfEach([...this.#byKey.values()])
  }

  questionnaire(id: string, version?: string): (Instrument & Questionnaire) | undefined {
    const i = this.get(id, version)
    return i?.kind === 'questionnaire' ? i : undefined
  }
}

/**
 * Load every `*.json` in the given folders (a missing folder is skipped). Throws InstrumentFileError
 * listing every problem in every file, so a team fixes them all in one go.
 */
export function loadInstruments(folders: string[], cwd = process.cwd()): InstrumentRegistry {
  const instruments: Instrument[] = []
  const guides: InterviewGuide[] = []
  const problems: InstrumentProblem[] = []
  const raw: RawFile[] = []
  const translations: RawFile[] = []
  for (const { folder, name } of jsonFilesIn(folders)) {
    const path = join(folder, name)
    const display = relative(cwd, path) || path
    const read = readJson(path, display)
    if (!read.ok) problems.push(...read.problems)
    else (isTranslationFileName(name) ? translations : raw).push({ path, display, json: read.json })
  }
  // A translation file beside its instrument: checked to cover every text, then merged into it.
  const merged = mergeTranslations(raw, translations)
  problems.push(...merged.problems)
  // A language listed without all its texts is left out of the form as loaded, and said
  // (`languageWarnings`): its participants would read the rest in English under a translated title,
  // and the staff app would not say the form is English-only. Left out, not refused: a file that
  // loaded before still does, and nothing answered on it becomes unreadable. `instruments check` refuses it.
  const warnings: InstrumentProblem[] = []
  for (const file of merged.files) {
    const missing = languageProblems(file.json)
    for (const { language: _, ...problem } of missing) warnings.push({ file: file.display, ...problem })
    const result = checkInstrumentJson(missing.length > 0 ? withoutIncompleteLanguages(file.json, missing) : file.json, file.display)
    if (!result.ok) problems.push(...result.problems)
    else {
      const loaded = file.translations.length > 0 ? { ...result.instrument, translations: file.translations } : result.instrument
      if (loaded.kind === 'interview-guide') guides.push(loaded as InterviewGuide)
      else instruments.push(loaded as Instrument)
    }
  }
  if (problems.length > 0) throw new InstrumentFileError(problems)
  const registry = new InstrumentRegistry(instruments, guides).watchFolders(folders, cwd)
  registry.languageWarnings = warnings
  return registry
}

/** The names, sizes and modification times of the `*.json` files in `folders`: changes when a file is added, removed or saved. */
function filesSignature(folders: string[]): string {
  return jsonFilesIn(folders)
    .map(({ folder, name }) => {
      try {
        const stat = statSync(join(folder, name))
        return `${folder}/${name} ${stat.size} ${stat.mtimeMs}`
      } catch {
        return `${folder}/${name} gone`
      }
    })
    .join('\n')
}

/** The `*.json` files of `folders`, each folder's in name order (a missing folder has none). */
function jsonFilesIn(folders: string[]): { folder: string; name: string }[] {
  return folders.filter((folder) => existsSync(folder)).flatMap((folder) => readdirSync(folder).filter((f) => f.endsWith('.json')).sort().map((name) => ({ folder, name })))
}

/** The shipped instruments folder. */
export const shippedInstrumentsFolder = fileURLToPath(new URL('../../../instruments/', import.meta.url))

/**
 * Check a translation file against its instrument: `<translationOf>.json` in the same folder, else the
 * shipped one. Reports every text missing or unknown, and the provenance rules.
 *
 * @example
 * const result = checkTranslationFile('data/instruments/recovery-check.fa.json')
 * if (!result.ok) console.error(result.problems) // [{ field: 'texts["rested.title"]', message: 'missing (English: …)' }]
 */
export function checkTranslationFile(path: string, displayPath = path): { ok: true; translation: TranslationInfo & { translationOf: string; version: string; texts: number } } | { ok: false; problems: InstrumentProblem[] } {
  const read = readJson(path, displayPath)
  if (!read.ok) return read
  const parsed = translationFileSchema.safeParse(read.json)
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => ({ file: displayPath, field: fieldPath(issue.path), message: issue.message })) }
  const beside = join(dirname(path), `${parsed.data.translationOf}.json`)
  const instrumentPath = existsSync(beside) ? beside : join(shippedInstrumentsFolder, `${parsed.data.translationOf}.json`)
  const instrument = existsSync(instrumentPath) ? readJson(instrumentPath, instrumentPath) : { ok: false as const, problems: [] }
  if (!instrument.ok) return { ok: false, problems: [{ file: displayPath, field: 'translationOf', message: `no instrument file ${parsed.data.translationOf}.json beside it or among the shipped ones` }] }
  const merged = mergeTranslations([{ path: instrumentPath, display: instrumentPath, json: instrument.json }], [{ path, display: displayPath, json: read.json }])
  if (merged.problems.length > 0) return { ok: false, problems: merged.problems }
  return { ok: true, translation: { ...merged.files[0]!.translations[0]!, translationOf: parsed.data.translationOf, version: parsed.data.version, texts: Object.keys(parsed.data.texts).length } }
}

/**
 * The texts an instrument file lacks in a language it lists, with the translation files beside it
 * merged in as loading merges them (languageProblems): what loading would leave out. Empty for a file
 * that does not read, or an interview guide or form without such gaps.
 */
export function languageProblemsOfFile(path: string, display = path): InstrumentProblem[] {
  const read = readJson(path, display)
  if (!read.ok) return []
  const translations = translationFilesBeside(path).flatMap((file) => {
    const json = readJson(file, file)
    return json.ok ? [{ path: file, display: file, json: json.json }] : []
  })
  const merged = mergeTranslations([{ path, display, json: read.json }], translations)
  return languageProblems(merged.files[0]!.json).map(({ language: _, ...problem }) => ({ file: display, ...problem }))
}

/** The translation files beside an instrument file: `phq-9.fa.json` beside `phq-9.json`. */
export function translationFilesBeside(path: string): string[] {
  const folder = dirname(path)
  const stem = basename(path, '.json')
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .filter((name) => isTranslationFileName(name) && name.startsWith(`${stem}.`) && name.length === stem.length + '.xx.json'.length)
    .sort()
    .map((name) => join(folder, name))
}
