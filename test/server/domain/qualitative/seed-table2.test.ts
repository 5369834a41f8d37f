/**
 * The seed study's full Table 2 (Sheikhoonesi et al. 2021, Table 2: 3 themes, 9 categories, 21
 * codes and 23 meaning units, two codes with two each), rebuilt through the platform: each
 * participant's interview made of the quotations the paper attributes to them, coded by two coders
 * who agree, the researchers choosing every meaning unit in the paper's order. Before issue 18 a
 * code held one quotation, so 2 of the 23 meaning units were lost.
 */
import { describe, expect, it } from 'vitest'
import { createCode } from '../../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote } from '../../../../server/domain/qualitative/coding'
import { studyCodeFrequencies, studyTable2, table2Csv, table2Markdown } from '../../../../server/domain/qualitative/table2'
import { parse } from 'csv-parse/sync'
import { testDeps } from '../../../helpers/app'
import { codingStudy, spanOf } from '../../../helpers/qualitative'

type Unit = [participant: string, text: string]
/** Theme → category → code → meaning units, as printed in the paper (its words, its participant codes). */
const PAPER: [string, [string, [string, Unit[]][]][]][] = [
  ['Effects of Balint group', [
    ['Relationship with a patient with COVID-19', [
      ['Decrease of fear from patients', [['P2', 'Before Balint groups, I was fearful of patients with COVID-19. I was considering what happens if I get infected. I grew spunkier later on']]],
      ['Decrease of anger from patients', [['P4', 'I am not angry with patients with COVID-19 any longer']]],
      ['Higher sympathy levels', [['P5', "In these sessions, I managed to see things through patients' eyes. This made it easier for me to accept their behaviors"]]],
      ['Clarity of different aspects of physicians-patients relationship', [['P4', 'In session, patients are observed from different points of view']]],
    ]],
    ['Education', [['Self-awareness', [['P2', 'After participating in Balint sessions, I learned how to talk to my colleagues instead of brawling']]]]],
    ["Therapists' feelings", [
      ['Validation of emotions', [['P5', 'In groups, emotions were validated']]],
      ['Not being alone', [['P3', 'In groups, I found out that different participants are experiencing emotions like those of mine. This was very helpful']]],
      ['Decreased unpleasant feelings (sadness, guilt, and anxiety)', [['P2', 'Hospital was nightmarish in the beginning. It was like we are all supposed to die. Later this feeling was decreased']]],
    ]],
  ]],
  ['Structure of Balint group', [
    ['The first session', [
      ['Being discomfoted', [['P2', "In the first session, I felt that I don't like the group. I was unfamiliar with group's structure"]]],
      ['Insecurity', [['P6', 'I feared that I might be later reproached by hospital officials for discussing hospital problems in a group']]],
    ]],
    ['Leaders', [
      ['Being active', [['P1', 'Leader and co-leader were active in this group']]],
      ['Supporting and not judging', [['P3', 'Leader protected me and did not permit others to judge me']]],
    ]],
    ['Heterogeneous group', [
      ['Good interaction', [['P5', 'I never thought that such a good interaction might be formed in a group composed of participants of different ages and various academic levels']]],
      ['Absence of hierarchy', [['P5', 'I thought that this is a hierarchy-based group where medical students are not permitted to talk. This was not the case, albeit']]],
    ]],
  ]],
  ['Virtuality of Balint group', [
    ['Positive points', [
      ['Sense of traveling beyond borders', [['P1', 'Arrangement of virtual sessions gave me the sense of traveling beyond the borders, the sense that there is no confinement']]],
      ['Absence of the need for traveling', [['P2', 'I was able to take part in the group from my room']]],
      ['Security', [['P1', 'The virtual Balint group was secure for me. There was no difference between a virtual and face-to-face Balint group']]],
    ]],
    ['Obstacles', [
      ['Unskillfulness and weak internet connections', [
        ['P6', "Sometimes, I didn't know how to join the group. Either, it was hard for me to ask a question and say something"],
        ['P8', 'During sessions, my internet kept dropping, and it deranged me'],
      ]],
      ['Hiddenness of emotions', [['P4', "In one of the sessions, I kept quiet until the end of the session, and no one reacted to me! In a face-to-face session, however, other participants will certainly find out one's silence. And, this adds to their mutual sympathy"]]],
    ]],
    ['Faces', [
      ['Seeing', [
        ['P5', 'I preferred that all participants reveal their faces. I was more comfortable this way'],
        ['P8', 'Establishment of eye contact, especially when talking, can improve a relationship'],
      ]],
      ['Being seen', [['P2', 'If I was forced to reveal my face, I was fearful of being judged']]],
    ]],
  ]],
]

const units = PAPER.flatMap(([, categories]) => categories.flatMap(([, codes]) => codes.flatMap(([code, list]) => list.map(([p, text]) => ({ code, p, text })))))
const participants = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8']
/** Each participant's interview: the interviewer's question, then each of their quotations as a turn. */
const transcriptOf = (p: string) => units.filter((u) => u.p === p).map((u) => `Interviewer: Tell me more.\n${p}: ${u.text}.`).join('\n') || `Interviewer: Tell me more.\n${p}: Nothing to add.`

async function seedStudy() {
  const deps = await testDeps()
  const world = await codingStudy(deps, participants.map(transcriptOf))
  const actor = `staff:${world.coderA.id}`
  const codeIds = new Map<string, { id: string } & Parameters<typeof chooseQuote>[1]>()
  for (const [theme, categories] of PAPER) {
    const t = await createCode(deps, world.study.id, { level: 'theme', name: theme }, actor)
    for (const [category, codes] of categories) {
      const c = await createCode(deps, world.study.id, { level: 'category', name: category, parentId: t.id }, actor)
      for (const [code] of codes) codeIds.set(code, await createCode(deps, world.study.id, { level: 'code', name: code, parentId: c.id }, actor))
    }
  }
  for (const unit of units) {
    const i = participants.indexOf(unit.p)
    const text = transcriptOf(unit.p)
    const span = spanOf(text, `${unit.text}.`)
    const code = codeIds.get(unit.code)!
    // Both coders code the passage: it must still appear, and count, once.
    const { codings } = await addCodings(deps, world.transcripts[i]!, world.coderA.id, { codeIds: [code.id], ...span })
    await addCodings(deps, world.transcripts[i]!, world.coderB.id, { codeIds: [code.id], ...span })
    await chooseQuote(deps, code, codings[0]!.id, actor)
  }
  return { deps, ...world }
}

describe("the seed study's Table 2", () => {
  it('holds every meaning unit of the paper, two for the codes that have two, in order, with their participants', async () => {
    const { deps, study } = await seedStudy()
    const table = await studyTable2(deps, study.id)
    expect({ codes: table.codes, withMeaningUnit: table.withMeaningUnit, meaningUnits: table.meaningUnits }).toEqual({ codes: 21, withMeaningUnit: 21, meaningUnits: 23 })
    expect(table.rows.flatMap((r) => r.meaningUnits.map((u) => [r.code!.name, u.participant.label, u.text]))).toEqual(units.map((u) => [u.code, u.p, `${u.text}.`]))

    const markdown = table2Markdown(table)
    expect(markdown).toContain(
      "|  | Obstacles | Unskillfulness and weak internet connections | Sometimes, I didn't know how to join the group. Either, it was hard for me to ask a question and say something. (P6) During sessions, my internet kept dropping, and it deranged me. (P8) |",
    )
    expect(markdown).toContain(
      '|  | Faces | Seeing | I preferred that all participants reveal their faces. I was more comfortable this way. (P5) Establishment of eye contact, especially when talking, can improve a relationship. (P8) |',
    )
    expect(markdown).toContain('21 of 21 codes have a meaning unit (23 meaning units in all)')

    // CSV: one line per meaning unit, the code repeated on each of its lines.
    const rows: string[][] = parse(table2Csv(table))
    expect(rows).toHaveLength(1 + 23)
    expect(rows.filter((r) => r[2] === 'Seeing').map((r) => r[4])).toEqual(['P5', 'P8'])
  })

  it('counts a passage both coders coded once in the code frequencies', async () => {
    const { deps, study } = await seedStudy()
    const frequencies = await studyCodeFrequencies(deps, study.id)
    expect(frequencies.rows.find((r) => r.code.name === 'Seeing')).toMatchObject({ total: 2, participants: 2 })
    expect(frequencies.rows.reduce((sum, r) => sum + r.total, 0)).toBe(23)
  })
})
