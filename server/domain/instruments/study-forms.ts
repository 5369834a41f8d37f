/**
 * The study's own forms (issue 17, part 4). A study asks the demographics form it chose among the
 * loaded forms of kind "demographics", and a researcher may add choices to its choice lists (the seed
 * study's occupations — psychiatric resident, nurse anaesthetist, general physician — which could only
 * go in as "Other", so Table 1 showed "Other 3").
 *
 * Added choices make a **study-specific version** of the form, `<file version>+study.<study tag>.<n>`
 * (`1.0.0+study.3f9a0c2b71de.1`), stored in `study_form` (migration 0135) with every choice added so
 * far. A response keeps pointing at the version it was answered on, so stored answers are always read,
 * validated, exported and labelled by their own form. Choices are only ever added: an existing choice
 * (shipped or added) cannot be removed or relabelled through here, because stored answers carry its
 * value and mean its label; a new choice whose value or label repeats one is refused.
 *
 * Only forms we wrote may be extended (kind "demographics"): a validated questionnaire's wording and
 * choices are never changed, and nothing is machine-translated — the researcher types the label in every
 * language the form is shown in (shared/reference/instruments.md).
 */
import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { AddChoiceBody } from '../../contracts/study-forms'
import type { Database } from '../../db/schema'
import { insertAudit } from '../../db/repositories/audit'
import { findStudy, type Study } from '../../db/repositories/studies'
import {
  countEnrolmentResponses,
  findLatestStudyFormVersion,
  findStudyFormVersion,
  listStudyFormVersions,
  setDemographicsInstrument,
  insertStudyFormVersion,
  type AddedChoice,
  type StudyFormVersion,
} from '../../db/repositories/study-forms'
import { ApiError } from '../errors'
import type { Deps } from '../deps'
import { checkInstrument, type Instrument } from './registry'
import type { LocalizedText } from './schema'
import { plainText, textsByLanguage } from './text'

type Json = Record<string, unknown>

/** The version a study's n-th change to a form gets: unique across studies (a tag of the study's id). */
export function studyFormVersion(baseVersion: string, studyId: string, seq: number): string {
  const tag = createHash('sha256').update(studyId).digest('hex').slice(0, 12)
  return `${baseVersion}+study.${tag}.${seq}`
}

/** Every language a form is shown in: its own, then those of its translation files (`["en", "fa"]`). */
export function formLanguages(form: Instrument): string[] {
  return [...new Set([...form.languages, ...(form.translations ?? []).map((t) => t.language)])]
}

function walkElements(elements: unknown): Json[] {
  if (!Array.isArray(elements)) return []
  return (elements as Json[]).flatMap((e) => [e, ...walkElements(e.elements)])
}

function surveyElements(survey: unknown): Json[] {
  const pages = ((survey as Json).pages ?? []) as Json[]
  return pages.flatMap((p) => walkElements(p.elements))
}

/** The instrument file's own fields of a loaded form, without what the loader derived from them. */
function fileJson(form: Instrument): Json {
  const { file: _file, translations: _translations, questions: _questions, draftSchema: _draft, completeSchema: _complete, ...json } = form
  return structuredClone(json) as Json
}

/**
 * Build a study's version of a form: the form file it was made from, with the added choices appended
 * to their questions' lists (SurveyJS keeps "Other" last). Each label goes in as a SurveyJS localizable
 * string: the form's first language is the default text, the others under their codes.
 */
export function buildStudyForm(base: Instrument, version: StudyFormVersion): Instrument {
  const json = fileJson(base)
  const elements = surveyElements(json.survey)
  const [defaultLanguage] = base.languages
  for (const added of version.additions) {
    const element = elements.find((e) => e.name === added.question)
    if (!element || !Array.isArray(element.choices)) throw new Error(`${base.id}@${version.version}: "${added.question}" is not a choice question of ${base.id}@${base.version}`)
    const text: Record<string, string> = {}
    for (const [language, label] of Object.entries(added.text)) text[language === defaultLanguage ? 'default' : language] = label
    element.choices.push({ value: added.value, text })
  }
  const checked = checkInstrument(json, `${base.file} (${version.additions.length} choice(s) added by the study)`)
  if (!checked.ok) throw new Error(`${base.id}@${version.version} does not build: ${checked.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  return { ...checked.instrument, version: version.version, ...(base.translations ? { translations: base.translations } : {}) }
}

async function register(deps: Deps, version: StudyFormVersion): Promise<Instrument> {
  const known = deps.instruments.get(version.instrumentId, version.version)
  if (known) return known
  const base = deps.instruments.get(version.instrumentId, version.baseVersion)
  if (!base) throw new Error(`${version.instrumentId}@${version.baseVersion}, which the study's version ${version.version} was made from, is not loaded`)
  const built = buildStudyForm(base, version)
  deps.instruments.registerStudyForm(built)
  return built
}

/**
 * The form `id@version`: a loaded file, or a study's own version read from the database (and kept in
 * the registry from then on: versions never change). Undefined when neither exists.
 */
export async function resolveForm(deps: Deps, db: Kysely<Database>, id: string, version: string): Promise<Instrument | undefined> {
  const loaded = deps.instruments.get(id, version)
  if (loaded) return loaded
  const stored = await findStudyFormVersion(db, id, version)
  return stored && register(deps, stored)
}

/** Make every study-specific version a study has known to the registry, so synchronous look-ups find them. */
export async function loadStudyForms(deps: Deps, db: Kysely<Database>, studyId: string): Promise<void> {
  for (const version of await listStudyFormVersions(db, studyId)) await register(deps, version)
}

/**
 * The version of a form a study asks now: its newest own version, else the latest loaded file.
 * Throws when the form is not loaded (a deployment error, not a user's).
 */
export async function currentStudyForm(deps: Deps, db: Kysely<Database>, studyId: string, instrumentId: string): Promise<Instrument> {
  const own = await findLatestStudyFormVersion(db, studyId, instrumentId)
  const form = own ? await register(deps, own) : deps.instruments.get(instrumentId)
  if (!form) throw new Error(`form "${instrumentId}" is not loaded`)
  return form
}

/** The demographics form a study asks now (its own version, with the choices it added). */
export async function studyDemographicsForm(deps: Deps, db: Kysely<Database>, study: Pick<Study, 'id' | 'demographicsInstrument'>): Promise<Instrument> {
  return currentStudyForm(deps, db, study.id, study.demographicsInstrument)
}

// ---- What the staff app shows and changes -------------------------------------------------------

export type ChoiceView = { value: string; labels: Record<string, string>; added: boolean }
export type StudyFormsView = {
  /** The form the study asks now: id, version and title. */
  demographics: { id: string; version: string; title: string; languages: string[] }
  /** The loaded demographics forms a researcher may choose among, and whether it can still be changed. */
  available: { id: string; version: string; title: string }[]
  /** Null when the form may still be changed; else why not (answers already given). */
  locked: { responses: number } | null
  /** The form's choice questions, each with its choices and labels in each language. */
  questions: { name: string; title: string; other: boolean; choices: ChoiceView[] }[]
}

function choiceQuestions(form: Instrument, addedValues: Set<string>): StudyFormsView['questions'] {
  const languages = formLanguages(form)
  return surveyElements(form.survey)
    .filter((e) => typeof e.name === 'string' && Array.isArray(e.choices) && form.questions.some((q) => q.name === e.name && (q.kind === 'choice' || q.kind === 'choices')))
    .map((e) => ({
      name: e.name as string,
      title: e.title ? plainText(e.title as LocalizedText) : (e.name as string),
      other: e.showOtherItem === true || e.hasOther === true,
      choices: (e.choices as unknown[]).map((c) => {
        const value = String(typeof c === 'object' && c !== null ? (c as Json).value : c)
        const text = typeof c === 'object' && c !== null ? ((c as Json).text ?? value) : value
        return { value, labels: textsByLanguage(text, languages), added: addedValues.has(`${e.name as string}/${value}`) }
      }),
    }))
}

/** The study's demographics form as the staff app shows it: which one, which could be chosen, its choices. */
export async function studyFormsView(deps: Deps, studyId: string): Promise<StudyFormsView> {
  const study = await findStudy(deps.db, studyId)
  if (!study) throw new ApiError('not_found', 'No such study.')
  const form = await studyDemographicsForm(deps, deps.db, study)
  const own = await findLatestStudyFormVersion(deps.db, study.id, form.id)
  const added = new Set((own?.additions ?? []).map((a) => `${a.question}/${a.value}`))
  const responses = await countEnrolmentResponses(deps.db, study.id, form.id)
  return {
    demographics: { id: form.id, version: form.version, title: plainText(form.title), languages: formLanguages(form) },
    available: deps.instruments
      .list()
      .filter((i) => i.kind === 'demographics')
      .map((i) => ({ id: i.id, version: i.version, title: plainText(i.title) })),
    locked: responses > 0 ? { responses } : null,
    questions: choiceQuestions(form, added),
  }
}

/**
 * Choose the demographics form the study asks at enrolment, among the loaded forms of kind
 * "demographics". Refused (409) once anyone in the study has begun the current one: their answers,
 * Table 1 and the exports would otherwise be split over two forms.
 */
export async function chooseDemographicsForm(deps: Deps, studyId: string, instrumentId: string, actor: string): Promise<StudyFormsView> {
  const form = deps.instruments.get(instrumentId)
  if (!form || form.kind !== 'demographics') {
    const message = `"${instrumentId}" is not a loaded demographics form`
    throw new ApiError('validation_failed', `instrumentId: ${message}`, [{ field: 'instrumentId', message }])
  }
  await deps.db.transaction().execute(async (trx) => {
    const study = await findStudy(trx, studyId)
    if (!study) throw new ApiError('not_found', 'No such study.')
    if (study.demographicsInstrument === instrumentId) return
    const responses = await countEnrolmentResponses(trx, studyId, study.demographicsInstrument)
    if (responses > 0) {
      throw new ApiError('conflict', `${responses} participant(s) have already answered "${study.demographicsInstrument}"; the study's demographics form can no longer be changed.`, {
        reason: 'demographics_answered',
        responses,
      })
    }
    const now = deps.now()
    await setDemographicsInstrument(trx, studyId, instrumentId)
    await insertAudit(trx, { actor, action: 'study.demographics_form', entity: 'study', entityId: studyId, details: { from: study.demographicsInstrument, to: instrumentId } }, now)
  })
  return studyFormsView(deps, studyId)
}

/** "Psychiatric resident" → "psychiatric_resident": the value a label is stored under when none is given. */
export function choiceValueFromLabel(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 63)
}

const sameLabel = (a: string, b: string) => a.trim().normalize('NFC').toLocaleLowerCase() === b.trim().normalize('NFC').toLocaleLowerCase()

/**
 * Add a choice to a choice question of the study's demographics form: a new study-specific version of
 * the form, which participants are asked from now on. Returns the view of the form as it now is.
 *
 * Errors: 404 when the question is not a choice question of the form; 422 when a label is missing for
 * a language of the form, given for one it is not shown in, or no value can be made; 409 `conflict`
 * (`details.reason` "choice_exists") when the value or a label repeats a choice the question already has,
 * "Other" included — existing choices are never changed, so stored answers keep their meaning.
 *
 * @example
 * await addChoice(deps, study.id, 'role', { labels: { en: 'Psychiatric resident', fa: 'دستیار روان‌پزشکی' } }, 'staff:u1')
 * // participants now see "Psychiatric resident" (or its Persian label); answers store "psychiatric_resident"
 */
export async function addChoice(deps: Deps, studyId: string, question: string, body: AddChoiceBody, actor: string): Promise<StudyFormsView & { added: AddedChoice; version: string }> {
  const result = await deps.db.transaction().execute(async (trx) => {
    const study = await findStudy(trx, studyId)
    if (!study) throw new ApiError('not_found', 'No such study.')
    const current = await studyDemographicsForm(deps, trx, study)
    const element = surveyElements(current.survey).find((e) => e.name === question)
    const q = current.questions.find((x) => x.name === question)
    if (!element || !Array.isArray(element.choices) || !q || (q.kind !== 'choice' && q.kind !== 'choices')) {
      throw new ApiError('not_found', `"${question}" is not a choice question of the study's demographics form (${current.id}).`)
    }
    const languages = formLanguages(current)
    const problems = [
      ...languages.filter((l) => !body.labels[l]).map((l) => ({ field: `labels.${l}`, message: `a label in this language is needed: the form is shown in ${languages.join(' and ')}` })),
      ...Object.keys(body.labels)
        .filter((l) => !languages.includes(l))
        .map((l) => ({ field: `labels.${l}`, message: `the form is not shown in this language (only ${languages.join(', ')})` })),
    ]
    const value = body.value ?? choiceValueFromLabel(body.labels[languages[0]!] ?? '')
    if (problems.length === 0 && !/^[a-z][a-z0-9_]{0,62}$/.test(value)) problems.push({ field: 'value', message: 'no value can be made from the label: give one (lower-case letters, digits and "_")' })
    if (problems.length > 0) throw new ApiError('validation_failed', `${problems[0]!.field}: ${problems[0]!.message}`, problems)

    // Existing choices, SurveyJS's own ("other", "none" …) included, keep their value and their label.
    const existing = choiceQuestions(current, new Set()).find((x) => x.name === question)!
    const otherLabels = element.showOtherItem === true && element.otherText ? textsByLanguage(element.otherText, languages) : {}
    const byValue = q.choices.map(String).includes(value) ? value : undefined
    if (byValue) {
      throw new ApiError('conflict', `"${question}" already has a choice stored as "${value}". Existing choices cannot be changed or removed, because answers already given mean them; give the new choice another value.`, {
        reason: 'choice_exists',
        field: 'value',
        value,
      })
    }
    for (const choice of [...existing.choices, { value: 'other', labels: otherLabels, added: false }]) {
      for (const [language, label] of Object.entries(body.labels)) {
        if (choice.labels[language] && sameLabel(choice.labels[language], label)) {
          throw new ApiError('conflict', `"${question}" already has a choice labelled "${label}" (stored as "${choice.value}"); two choices with one label could not be told apart in Table 1.`, {
            reason: 'choice_exists',
            field: `labels.${language}`,
            value: choice.value,
          })
        }
      }
    }

    const own = await findLatestStudyFormVersion(trx, study.id, current.id)
    const seq = (own?.seq ?? 0) + 1
    // A new version is always made from the newest loaded file, with every choice added so far.
    const base = deps.instruments.get(current.id)!
    const added: AddedChoice = { question, value, text: Object.fromEntries(languages.map((l) => [l, body.labels[l]!])) }
    const next = { instrumentId: current.id, version: studyFormVersion(base.version, study.id, seq), studyId: study.id, seq, baseVersion: base.version, additions: [...(own?.additions ?? []), added], createdBy: actor }
    buildStudyForm(base, { ...next, createdAt: '' }) // refuses to store a version that would not load
    const now = deps.now()
    await insertStudyFormVersion(trx, next, now)
    await insertAudit(trx, { actor, action: 'study.form_choice_add', entity: 'study', entityId: study.id, details: { instrument: current.id, version: next.version, question, value } }, now)
    return { added, version: next.version }
  })
  return { ...(await studyFormsView(deps, studyId)), ...result }
}

