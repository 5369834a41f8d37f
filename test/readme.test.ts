/** The README's worked example must stay a valid instrument file: newcomers copy it. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../server/app'
import { openDatabase } from '../server/db/connection'
import { migrateToLatest } from '../server/db/migrate'
import type { Deps } from '../server/domain/deps'
import { checkInstrument, languageProblemsOfFile, loadInstruments, shippedInstrumentsFolder } from '../server/domain/instruments/registry'
import { addParticipants, createCohort, createStudy, setWave } from '../server/domain/staff/setup'
import { scoreResponse } from '../server/domain/instruments/scoring'
import { loadConfig } from '../server/config'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

function workedExample(): unknown {
  const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('"recovery-check"'))
  if (!block) throw new Error('the worked example is missing from README.md')
  return JSON.parse(block)
}

describe('README', () => {
  it('has a worked instrument example that validates and scores', () => {
    const result = checkInstrument(workedExample(), 'README.md')
    if (!result.ok) throw new Error(JSON.stringify(result.problems))
    const instrument = result.instrument
    expect(instrument.kind).toBe('questionnaire')
    expect(instrument.completeSchema.safeParse({ sleep_hours: 7.5, sick_days: 2, rested: 2 }).success).toBe(true)
    expect(instrument.completeSchema.safeParse({ sleep_hours: 7.25 }).success).toBe(false)
    expect(instrument.completeSchema.safeParse({ sick_days: 1.5 }).success).toBe(false)
    if (instrument.kind !== 'questionnaire') return
    const scored = scoreResponse(instrument, { sleep_hours: 6, sick_days: 3, rested: 2 })
    expect(scored.scales.map((s) => [s.scale, s.score, s.band?.index ?? null])).toEqual([
      ['rested', 2, 1],
      ['sick_days', 3, null],
    ])
  })

  // The example used to list "fa" with only its title in Persian, and `instruments check` took it: a
  // Persian study would have shown its participants the rest in English, as a translated form.
  it('is refused by instruments check when listed as Persian with only its title in Persian, and loads without the Persian', () => {
    const claimed: Record<string, any> = { ...(workedExample() as Record<string, any>), title: { default: 'Recovery check', fa: 'بررسی بازیابی' }, languages: ['en', 'fa'] }
    const folder = mkdtempSync(join(tmpdir(), 'balint-readme-languages-'))
    const file = join(folder, 'recovery-check.json')
    writeFileSync(file, JSON.stringify(claimed))
    const gaps = languageProblemsOfFile(file, 'recovery-check.json')
    expect(gaps.map((p) => p.field)).toEqual([
      'sleep_hours.title',
      'sick_days.title',
      'rested.title',
      'rested.choices.0',
      'rested.choices.1',
      'rested.choices.2',
      'rested.choices.3',
      'scale:rested.label',
      'scale:rested.band:0',
      'scale:rested.band:2',
      'scale:sick_days.label',
    ])
    expect(gaps[0]).toMatchObject({ file: 'recovery-check.json', message: 'has no "fa" text, though "languages" lists "fa" (English: "On a typical night in the last 4 weeks, how many hours did you sleep?")' })
    // The server loads it as the English form it is, and says what it left out.
    const registry = loadInstruments([folder], folder)
    expect(registry.get('recovery-check')!.languages).toEqual(['en'])
    expect(registry.languageWarnings.map((w) => w.field)).toEqual(gaps.map((p) => p.field))
    // Every text given in Persian too: nothing to say, and loaded in both.
    const persian = (text: string) => ({ default: text, fa: `${text} (fa)` })
    for (const element of claimed.survey.pages[0].elements) {
      element.title = persian(element.title)
      for (const choice of element.choices ?? []) choice.text = persian(choice.text)
    }
    for (const scale of claimed.scoring.scales) {
      scale.label = persian(scale.label)
      for (const band of scale.bands ?? []) band.label = persian(band.label)
    }
    writeFileSync(file, JSON.stringify({ ...claimed, version: '1.0.1' }))
    expect(languageProblemsOfFile(file)).toEqual([])
    expect(loadInstruments([folder], folder).get('recovery-check')!.languages).toEqual(['en', 'fa'])
  })

  it('lists every section in its contents, and every link inside it leads to a heading', () => {
    // GitHub's anchors: lower case, punctuation dropped, spaces as hyphens.
    const anchor = (heading: string) => heading.toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-')
    const headings = [...readme.matchAll(/^(##|###) (.+)$/gm)].map((m) => m[2]!).filter((h) => h !== 'Contents')
    const contents = readme.slice(readme.indexOf('## Contents'), readme.indexOf('## Quick start'))
    expect([...contents.matchAll(/\[(.+?)\]\(#(.+?)\)/g)].map((m) => [m[1], m[2]])).toEqual(headings.map((h) => [h, anchor(h)]))
    const anchors = new Set(headings.map(anchor))
    for (const [, target] of readme.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors.has(target!), target).toBe(true)
  })

  it('states the defaults the server uses', () => {
    const config = loadConfig({})
    expect(readme).toContain(`http://${config.host}:${config.port}`)
    expect(readme).toContain(`\`${config.dbPath}\``)
  })
})

// Found by a newcomer's walk-through of the README: the worked example saved while the server ran,
// checked and put in a wave with the command line (which reads the folder), was unknown to the
// running server, and every participant's page of that cohort answered 500 until it was restarted.
describe('the worked example, added while the server runs', () => {
  it('is found by the running server when the command line has put it in a wave', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'balint-instruments-'))
    try {
      const db = openDatabase(':memory:')
      await migrateToLatest(db)
      const server: Deps = { db, instruments: loadInstruments([shippedInstrumentsFolder, folder]), now: () => new Date('2026-03-02T09:00:00.000Z') }
      const app = createApp(server, { baseUrl: 'https://balint.example' })
      const study = await createStudy(server, { name: 'Worked example', timeZone: 'UTC' }, 'test')
      const cohort = await createCohort(server, { studyId: study.id, name: 'A' }, 'test')
      const [participant] = await addParticipants(server, { cohortId: cohort.id, count: 1 }, 'test')
      expect((await app.request(`/api/p/${participant!.token}`)).status).toBe(200)
      expect(server.instruments.get('recovery-check')).toBeUndefined()

      // Saved, then put in a wave by the command line: a process of its own, reading the folder.
      writeFileSync(join(folder, 'recovery-check.json'), JSON.stringify(workedExample()))
      const cli: Deps = { ...server, instruments: loadInstruments([shippedInstrumentsFolder, folder]) }
      await setWave(cli, { cohortId: cohort.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9', 'recovery-check'] }, 'test')

      const page = await app.request(`/api/p/${participant!.token}`)
      expect(page.status).toBe(200)
      const state = (await page.json()) as { waves: { forms: { instrument: { id: string } }[] }[] }
      expect(state.waves[0]!.forms.map((f) => f.instrument.id)).toEqual(['phq-9', 'recovery-check'])
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
