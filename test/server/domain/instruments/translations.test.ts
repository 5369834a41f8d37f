/**
 * Translation files beside instruments: merged into the texts with their provenance, refused when they
 * miss a text or name one the instrument lacks, and never accepted for a questionnaire unless validated.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkTranslationFile, InstrumentFileError, loadInstruments, shippedInstrumentsFolder } from '../../../../server/domain/instruments/registry'
import { localizableTexts } from '../../../../server/domain/instruments/translations'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { releaseCohort } from '../../../../server/domain/outcomes/release'
import { cohortReport } from '../../../../server/domain/outcomes/report'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testDeps } from '../../../helpers/app'
import { signedInStaff } from '../../../helpers/staff'

const shipped = (name: string) => JSON.parse(readFileSync(join(shippedInstrumentsFolder, name), 'utf8'))

/** A folder holding the given files. */
function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'balint-translations-'))
  for (const [name, json] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(json))
  return dir
}

const ours = { source: 'Written by the study team', validated: false, licence: { name: 'Study team', itemTextMayBeReproduced: true, source: 'Protocol' } }

describe('translation files', () => {
  it('gives the shipped consent, demographics and interview guide their Persian, with provenance', () => {
    const registry = loadInstruments([shippedInstrumentsFolder])
    const consent = registry.get('consent')!
    expect(consent.languages).toEqual(['en', 'fa'])
    expect(consent.translations).toEqual([expect.objectContaining({ language: 'fa', validated: false, file: expect.stringMatching(/consent\.fa\.json$/) })])
    const question = consent.survey.pages[0]!.elements[1] as { title: unknown; choices: { value: string; text: unknown }[] }
    expect(question.title).toEqual({ default: 'Do you agree to take part in this study?', fa: 'آیا موافقید در این پژوهش شرکت کنید؟' })
    expect(question.choices[0]).toEqual({ value: 'agree', text: { default: 'I agree to take part', fa: 'بله، موافقم در این پژوهش شرکت کنم' } })
    expect(registry.get('demographics')!.languages).toContain('fa')
    expect(registry.guide('balint-interview-guide')!.questions[0]!.text).toMatchObject({ fa: expect.stringContaining('گروه آنلاین') })
  })

  it('ships no Persian for a questionnaire: no validated Persian item text that may be reproduced is available to us', () => {
    const registry = loadInstruments([shippedInstrumentsFolder])
    for (const id of ['phq-9', 'gad-7', 'who-5', 'cbi']) expect(registry.get(id)!.languages).toEqual(['en'])
  })

  it('refuses a translation that misses a text or names one the instrument lacks, naming the file and the key', () => {
    const demographics = shipped('demographics.json')
    const translation = shipped('demographics.fa.json')
    delete translation.texts['sleep_hours.title']
    translation.texts['pets.title'] = 'حیوان خانگی'
    const dir = folder({ 'demographics.json': demographics, 'demographics.fa.json': translation })
    expect(() => loadInstruments([dir], dir)).toThrow(InstrumentFileError)
    try {
      loadInstruments([dir], dir)
    } catch (error) {
      expect((error as InstrumentFileError).problems).toEqual([
        { file: 'demographics.fa.json', field: 'texts["sleep_hours.title"]', message: 'missing (English: "In the last 2 weeks, how many hours did you sleep on a typical night?")' },
        { file: 'demographics.fa.json', field: 'texts["pets.title"]', message: 'the instrument has no such text' },
      ])
    }
    const checked = checkTranslationFile(join(dir, 'demographics.fa.json'), 'demographics.fa.json')
    expect(checked.ok).toBe(false)
  })

  // Found by a review: elements without a name are keyed by their place, so the first element of two
  // pages shared "0.html", and one text translated both: page 2 showed page 1's text.
  it('refuses a translation of a form in which two texts share a key, naming it', () => {
    const form = {
      id: 'two-pages',
      version: '1.0.0',
      kind: 'demographics',
      title: 'Two pages',
      citation: 'Written by the study team.',
      licence: { name: 'Study team', itemTextMayBeReproduced: true, source: 'Protocol' },
      survey: {
        pages: [
          { name: 'one', elements: [{ type: 'html', html: 'About your work' }, { type: 'text', name: 'hours', title: 'Hours?' }] },
          { name: 'two', elements: [{ type: 'html', html: 'About your sleep' }, { type: 'text', name: 'sleep', title: 'Sleep?' }] },
        ],
      },
    }
    const translation = { translationOf: 'two-pages', version: '1.0.0', language: 'fa', ...ours, texts: { title: 'دو صفحه', '0.html': 'دربارهٔ کار شما', 'hours.title': 'ساعت؟', 'sleep.title': 'خواب؟' } }
    const dir = folder({ 'two-pages.json': form, 'two-pages.fa.json': translation })
    const checked = checkTranslationFile(join(dir, 'two-pages.fa.json'), 'two-pages.fa.json')
    expect(checked.ok).toBe(false)
    if (checked.ok) return
    expect(checked.problems).toEqual([{ file: 'two-pages.fa.json', field: 'texts["0.html"]', message: 'the instrument has two texts under this key (elements without a name, at the same place on two pages): give those elements a name' }])
    expect(() => loadInstruments([dir], dir)).toThrow(InstrumentFileError)
  })

  it('never takes a translation of our own for a questionnaire', () => {
    const phq9 = shipped('phq-9.json')
    const texts = Object.fromEntries(localizableTexts(phq9).map((t) => [t.key, `[fa] ${t.english}`]))
    const dir = folder({ 'phq-9.json': phq9, 'phq-9.fa.json': { translationOf: 'phq-9', version: phq9.version, language: 'fa', ...ours, texts } })
    expect(() => loadInstruments([dir], dir)).toThrow(/validated: a questionnaire may only be translated by a published validated translation/)
  })

  it('takes a validated translation whose licence allows it, for every text including scale and band labels', () => {
    const phq9 = shipped('phq-9.json')
    const keys = localizableTexts(phq9).map((t) => t.key)
    expect(keys).toEqual(expect.arrayContaining(['title', 'phq9_1.title', 'phq9_1.choices.0', 'scale:total.label']))
    const texts = Object.fromEntries(keys.map((key) => [key, `ترجمه ${key}`]))
    const validated = { source: 'A published validation (citation)', validated: true, licence: { name: 'Reproduction allowed with citation', itemTextMayBeReproduced: true, source: 'the paper' } }
    const dir = folder({ 'phq-9.json': phq9, 'phq-9.fa.json': { translationOf: 'phq-9', version: phq9.version, language: 'fa', ...validated, texts } })
    const loaded = loadInstruments([dir], dir).get('phq-9')!
    expect(loaded.languages).toEqual(['en', 'fa'])
    expect(loaded.translations![0]).toMatchObject({ validated: true, source: 'A published validation (citation)' })
  })

  it('names a translation of an instrument or version that is not there', () => {
    const dir = folder({ 'consent.json': shipped('consent.json'), 'consent.fa.json': { ...shipped('consent.fa.json'), version: '9.0.0' } })
    expect(() => loadInstruments([dir], dir)).toThrow(/consent\.fa\.json: translationOf: translates consent@9\.0\.0, which is not among the instrument files/)
  })
})

describe("a translation's scale labels in reports and releases", () => {
  it("gives each scale's label and the instrument's title in every language the form has, to the report and to what program leads read", async () => {
    // A team's validated Persian PHQ-9 (test texts standing in for the licensed ones: never shipped).
    const phq9 = shipped('phq-9.json')
    const texts = Object.fromEntries(localizableTexts(phq9).map((t) => [t.key, `ترجمه ${t.key}`]))
    const validated = { source: 'A published validation (citation)', validated: true, licence: { name: 'Reproduction allowed with citation', itemTextMayBeReproduced: true, source: 'the paper' } }
    const others = Object.fromEntries(readdirSync(shippedInstrumentsFolder).filter((f) => f.endsWith('.json') && !f.startsWith('phq-9')).map((f) => [f, shipped(f)]))
    const dir = folder({ ...others, 'phq-9.json': phq9, 'phq-9.fa.json': { translationOf: 'phq-9', version: phq9.version, language: 'fa', ...validated, texts } })
    const instruments = loadInstruments([dir], dir)
    const deps = { ...(await testDeps()), instruments }
    const study = await createStudy(deps, { name: 'Persian study', language: 'fa', timeZone: 'Asia/Tehran' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group' }, 'test')
    const rows = ['participant,wave,instrument,item,value']
    for (let p = 1; p <= 12; p++) for (const wave of ['pre', 'post']) for (let i = 1; i <= 9; i++) rows.push(`P${p},${wave},phq-9,phq9_${i},${(p + i + (wave === 'pre' ? 1 : 0)) % 4}`)
    await importCohortCsv(deps, { cohortId: cohort.id, csv: `${rows.join('\n')}\n` }, 'test')

    const report = await cohortReport(deps, cohort.id, { from: 'pre', to: 'post' })
    const scale = report.scales.find((s) => s.instrument === 'phq-9')!
    expect(scale.label).toBe('PHQ-9 total')
    expect(scale.labels).toEqual({ en: 'PHQ-9 total', fa: 'ترجمه scale:total.label' })
    expect(scale.instrumentTitles.fa).toBe('ترجمه title')

    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const release = await releaseCohort(deps, cohort.id, { id: researcher.user.id, name: researcher.user.name })
    const released = release.content.comparisons[0]!.scales.find((s) => s.instrument === 'phq-9')!
    expect(released).toMatchObject({ label: 'PHQ-9 total', labels: { en: 'PHQ-9 total', fa: 'ترجمه scale:total.label' }, instrumentTitles: { fa: 'ترجمه title' } })
  })
})
