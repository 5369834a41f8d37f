import { describe, it, expect } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  checkInstrument,
  InstrumentFileError,
  loadInstruments,
  shippedInstrumentsFolder,
  type InstrumentProblem,
} from '../../../../server/domain/instruments/registry'

type Json = Record<string, any>

/** A fresh deep copy of a shipped file, to break in one place. */
function shipped(id: string): Json {
  return structuredClone(JSON.parse(readFileSync(join(shippedInstrumentsFolder, `${id}.json`), 'utf8')) as Json)
}

function problemsOf(json: unknown): InstrumentProblem[] {
  const result = checkInstrument(json, 'broken.json')
  return result.ok ? [] : result.problems
}

describe('checkInstrument', () => {
  it('accepts an unchanged copy of a shipped file', () => {
    expect(problemsOf(shipped('phq-9'))).toEqual([])
  })

  it('names the scale item that is not a question of the survey', () => {
    const json = shipped('phq-9')
    json.scoring.scales[0].items[2] = 'phq9_99'
    expect(problemsOf(json)).toEqual([
      { file: 'broken.json', field: 'scoring.scales[0].items[2]', message: expect.stringContaining('"phq9_99" is not a question') },
    ])
  })

  it('names a scored item whose choices fall outside itemRange', () => {
    const json = shipped('phq-9')
    json.survey.pages[0].elements[0].choices.push({ value: 4, text: 'Always' })
    expect(problemsOf(json)).toEqual([expect.objectContaining({ field: 'scoring.scales[0].items[0]', message: expect.stringContaining('outside itemRange') })])
  })

  it('names a range that items, method and transform do not give', () => {
    const json = shipped('phq-9')
    json.scoring.scales[0].range.max = 30
    expect(problemsOf(json)).toEqual([expect.objectContaining({ field: 'scoring.scales[0].range', message: expect.stringContaining('0–27') })])
  })

  it('checks a transformed range too (WHO-5 percentage)', () => {
    const json = shipped('who-5')
    json.scoring.scales[1].transform.multiply = 5
    expect(problemsOf(json)).toEqual([expect.objectContaining({ field: 'scoring.scales[1].range', message: expect.stringContaining('0–125') })])
  })

  it('rejects an unsupported question type', () => {
    const json = shipped('phq-9')
    json.survey.pages[0].elements[0].type = 'matrix'
    expect(problemsOf(json)).toEqual([
      expect.objectContaining({ field: 'survey.pages[0].elements[0].type', message: expect.stringContaining('"matrix" is not supported') }),
    ])
  })

  it('requires a licence', () => {
    const json = shipped('gad-7')
    delete json.licence
    expect(problemsOf(json)).toEqual([expect.objectContaining({ field: 'licence' })])
  })

  it('requires a consent form to have a "consent" question', () => {
    const json = shipped('consent')
    const question = (json.survey.pages[0].elements as Json[]).find((e) => e.name === 'consent')!
    question.name = 'agreement'
    expect(problemsOf(json)).toEqual([expect.objectContaining({ field: 'survey', message: expect.stringContaining('"consent"') })])
  })

  it('requires the consent question to offer "decline"', () => {
    const json = shipped('consent')
    const question = (json.survey.pages[0].elements as Json[]).find((e) => e.name === 'consent')!
    question.choices = [{ value: 'agree', text: 'I agree to take part' }]
    expect(problemsOf(json)).toEqual([expect.objectContaining({ field: 'survey' })])
  })

  it('refuses a ";" in a choice value of a question that takes several choices, naming the question and the value', () => {
    // Workplace as a checkbox: the exports join its values with ";" and the import splits on it.
    const json = shipped('demographics')
    const elements = json.survey.pages[0].elements as Json[]
    const at = elements.findIndex((e) => e.name === 'workplace')
    elements[at]!.type = 'checkbox'
    expect(problemsOf(json)).toEqual([])
    elements[at]!.choices.push({ value: 'work; hospital', text: 'Work and hospital' })
    expect(problemsOf(json)).toEqual([
      {
        file: 'broken.json',
        field: `survey.pages[0].elements[${at}].choices[${elements[at]!.choices.length - 1}]`,
        message: expect.stringContaining('choice value "work; hospital" of "workplace" contains ";"'),
      },
    ])
    elements[at]!.type = 'tagbox'
    expect(problemsOf(json)).toEqual([expect.objectContaining({ message: expect.stringContaining('"work; hospital" of "workplace"') })])
    // A single choice is stored whole and never split: there a ";" is harmless.
    elements[at]!.type = 'dropdown'
    expect(problemsOf(json)).toEqual([])
  })

  it('rejects a flag on an item that does not exist', () => {
    const json = shipped('phq-9')
    json.scoring.flags[0].item = 'phq9_09'
    expect(problemsOf(json)).toEqual([expect.objectContaining({ field: 'scoring.flags[0].item' })])
  })
})

describe('loadInstruments', () => {
  it('throws an InstrumentFileError naming the file and the field', () => {
    const folder = mkdtempSync(join(tmpdir(), 'balint-instruments-'))
    try {
      const broken = shipped('phq-9')
      broken.scoring.scales[0].range.max = 30
      writeFileSync(join(folder, 'gad-7.json'), JSON.stringify(shipped('gad-7')))
      writeFileSync(join(folder, 'my-broken-scale.json'), JSON.stringify(broken))
      let thrown: unknown
      try {
        loadInstruments([folder])
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InstrumentFileError)
      const message = (thrown as InstrumentFileError).message
      expect(message).toContain('my-broken-scale.json')
      expect(message).toContain('scoring.scales[0].range')
      expect(message).not.toContain('gad-7.json')
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('reports a file that is not JSON', () => {
    const folder = mkdtempSync(join(tmpdir(), 'balint-instruments-'))
    try {
      writeFileSync(join(folder, 'half-written.json'), '{ "id": "phq-9", ')
      expect(() => loadInstruments([folder])).toThrow(/half-written\.json.*not valid JSON/)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('loads every shipped instrument', () => {
    const registry = loadInstruments([shippedInstrumentsFolder])
    expect(registry.list().map((i) => i.id)).toEqual(['cbi', 'consent', 'demographics', 'gad-7', 'phq-9', 'who-5'])
    expect(registry.list().map((i) => i.kind)).toEqual(['questionnaire', 'consent', 'demographics', 'questionnaire', 'questionnaire', 'questionnaire'])
  })
})
