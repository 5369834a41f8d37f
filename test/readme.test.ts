/** The README's worked example must stay a valid instrument file: newcomers copy it. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { checkInstrument } from '../server/domain/instruments/registry'
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

  it('states the defaults the server uses', () => {
    const config = loadConfig({})
    expect(readme).toContain(`http://${config.host}:${config.port}`)
    expect(readme).toContain(`\`${config.dbPath}\``)
  })
})
