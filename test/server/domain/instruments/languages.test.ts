/**
 * A form's languages (languageProblems): each language it lists must give every text. Found by a review
 * of the first rule, which refused such a form in checkInstrument itself:
 * 1. a form whose Persian is in its translation file loaded, but `instruments check` refused it (it
 *    checked the file alone);
 * 2. a study that had added a choice to an English-only demographics form lost its form (and its
 *    exports) once a Persian translation file was added: an added choice cannot be relabelled;
 * 3. choices written as plain strings passed, and were shown in English.
 * `instruments check` now merges the translations beside the file; loading leaves an incomplete
 * language out of the form and says so; a study's own form is built as before.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { languageProblemsOfFile, loadInstruments, shippedInstrumentsFolder } from '../../../../server/domain/instruments/registry'
import { addChoice, studyFormsView } from '../../../../server/domain/instruments/study-forms'
import { exportFiles } from '../../../../server/domain/outcomes/exports'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testDeps } from '../../../helpers/app'
import { cliRunner } from '../../../helpers/cli'

const form = {
  id: 'team-form',
  version: '1.0.0',
  kind: 'demographics',
  title: 'Team form',
  languages: ['en', 'fa'],
  citation: 'Written by the study team.',
  licence: { name: 'Study team', itemTextMayBeReproduced: true, source: 'Protocol' },
  survey: { pages: [{ name: 'p1', elements: [{ type: 'text', name: 'hours', title: 'Hours?', inputType: 'number', min: 0, max: 100 }] }] },
}
const translation = {
  translationOf: 'team-form',
  version: '1.0.0',
  language: 'fa',
  source: 'Study team',
  validated: false,
  licence: { name: 'Study team', itemTextMayBeReproduced: true, source: 'Protocol' },
  texts: { title: 'فرم', 'hours.title': 'ساعت؟' },
}

describe("a form's languages", () => {
  it('takes in instruments check, as loading does, a form whose Persian is in its translation file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'balint-languages-'))
    try {
      writeFileSync(join(dir, 'team-form.json'), JSON.stringify(form))
      writeFileSync(join(dir, 'team-form.fa.json'), JSON.stringify(translation))
      const registry = loadInstruments([dir])
      expect(registry.get('team-form')?.languages).toEqual(['en', 'fa'])
      const run = cliRunner(await testDeps())
      const checked = await run('instruments', 'check', join(dir, 'team-form.json'))
      // The server takes it; the check the README points teams to should too.
      expect({ code: checked.code, err: checked.stderr }).toEqual({ code: 0, err: '' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps the form of a study that added a choice to an English-only demographics form once a Persian translation file is added', async () => {
    const englishOnly = mkdtempSync(join(tmpdir(), 'balint-languages-'))
    try {
      cpSync(shippedInstrumentsFolder, englishOnly, { recursive: true })
      rmSync(join(englishOnly, 'demographics.fa.json'))
      const deps = await testDeps()
      const before = { ...deps, instruments: loadInstruments([englishOnly]) }
      const study = await createStudy(before, { name: 'S' }, 'test')
      const added = await addChoice(before, study.id, 'role', { labels: { en: 'Psychiatric resident' } }, 'test')
      expect(added.demographics.languages).toEqual(['en'])

      // The team adds the Persian translation file (the shipped one) and restarts.
      const after = { ...deps, instruments: loadInstruments([shippedInstrumentsFolder]) }
      await expect(studyFormsView(after, study.id)).resolves.toBeDefined()
      const cohort = await createCohort(before, { studyId: study.id, name: 'A' }, 'test')
      await expect(exportFiles(after, cohort.id)).resolves.toBeDefined()
    } finally {
      rmSync(englishOnly, { recursive: true, force: true })
    }
  })

  it('refuses in instruments check, and leaves out at loading, a language whose choices are plain strings', async () => {
    const json = {
      ...form,
      title: { default: 'Team form', fa: 'فرم' },
      survey: { pages: [{ name: 'p1', elements: [{ type: 'radiogroup', name: 'shift', title: { default: 'Shift?', fa: 'نوبت؟' }, choices: ['Day', 'Night', 'Rotating'] }] }] },
    }
    const dir = mkdtempSync(join(tmpdir(), 'balint-languages-'))
    try {
      writeFileSync(join(dir, 'team-form.json'), JSON.stringify(json))
      expect(languageProblemsOfFile(join(dir, 'team-form.json')).map((p) => p.field)).toEqual(['shift.choices.Day', 'shift.choices.Night', 'shift.choices.Rotating'])
      const run = cliRunner(await testDeps())
      const checked = await run('instruments', 'check', join(dir, 'team-form.json'))
      expect(checked.code).toBe(1)
      expect(checked.stderr).toContain('shift.choices.Day: is a plain string, with no "fa" text')
      expect(loadInstruments([dir]).get('team-form')!.languages).toEqual(['en'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
