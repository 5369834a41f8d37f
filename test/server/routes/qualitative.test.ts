/**
 * The qualitative analyses over HTTP: Table 2 as JSON, CSV and Markdown; saturation, checked by hand
 * and against the pure functions on the same code lists; inter-coder agreement with a hand-worked κ
 * and a recorded resolution; the joint display's matrix, checked by hand; the REFI-QDA project and
 * codebook from the API and from the command line, validated against the REFI-QDA schemas; and who
 * may call each route.
 */
import { parse as parseCsv } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateXML } from 'xmllint-wasm'
import { listAudit } from '../../../server/db/repositories/audit'
import { findTranscriptPlace, type TranscriptPlace } from '../../../server/db/repositories/interviews'
import { findParticipant, listParticipants } from '../../../server/db/repositories/participants'
import type { StaffUser } from '../../../server/db/repositories/staff'
import { createCode, createMemo, mergeCode } from '../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, recordMemberCheck } from '../../../server/domain/qualitative/coding'
import type { Deps } from '../../../server/domain/deps'
import { importCohortCsv } from '../../../server/domain/outcomes/import'
import { putTranscript, startInterview } from '../../../server/domain/qualitative/interviews'
import { cohortReport } from '../../../server/domain/outcomes/report'
import { guestSaturation, methodsSentence, saturationCurve } from '../../../server/domain/qualitative/saturation'
import { qdaGuid, readQdpxEntries } from '../../../server/domain/qualitative/refi-qda'
import { addParticipants, createCohort, createStudy } from '../../../server/domain/staff/setup'
import { testApp } from '../../helpers/app'
import { cliRunner } from '../../helpers/cli'
import { itemLines } from '../../helpers/export-cohort'
import { codingStudy, spanOf, staffMember } from '../../helpers/qualitative'
import { signedInStaff } from '../../helpers/staff'
import { testEngine } from '../../helpers/test-database'

type Json = Record<string, any>
type Staff = Awaited<ReturnType<typeof signedInStaff>>

const schemaFolder = new URL('../../../server/domain/qualitative/refi-schema/', import.meta.url)
const projectXsd = readFileSync(fileURLToPath(new URL('Project.xsd', schemaFolder)), 'utf8')
const codebookXsd = readFileSync(fileURLToPath(new URL('Codebook.xsd', schemaFolder)), 'utf8')

async function schemaErrors(xml: string, xsd: string, fileName: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName, contents: xml }], schema: [xsd] })
  return result.errors.map((error) => error.rawMessage)
}

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

/** GET requests to the API as one staff member; the body parsed by its type (JSON, ZIP bytes, text). */
async function caller(built: Awaited<ReturnType<typeof testApp>>, staff: Staff) {
  return async (path: string) => {
    const res = await built.app.request(`/api${path}`, { headers: staff.headers })
    const type = res.headers.get('content-type') ?? ''
    const body = type.includes('json') ? ((await res.json()) as Json) : type.includes('zip') ? new Uint8Array(await res.arrayBuffer()) : await res.text()
    return { status: res.status, type, disposition: res.headers.get('content-disposition'), body: body as any }
  }
}

/** Lines of answers to the nine PHQ-9 items summing to `total` (as many 3s as fit, then the rest). */
function phq9(code: string, wave: 'pre' | 'post', total: number): string[] {
  return itemLines(code, wave, 'phq-9', 'phq9_', Array.from({ length: 9 }, (_, i) => Math.max(0, Math.min(3, total - i * 3))))
}

/** Start the participant's interview (at `startedAt`, or now) and store its transcript; returns where the transcript belongs. */
async function interview(deps: Deps, participantId: string, by: StaffUser, text: string, startedAt?: string): Promise<TranscriptPlace> {
  const participant = (await findParticipant(deps.db, participantId))!
  const started = await startInterview(deps, participant, by, { consentToRecord: true, startedAt })
  const transcript = await putTranscript(deps, started, { format: 'text', content: text }, by)
  return (await findTranscriptPlace(deps.db, transcript.id))!
}

// ---------------------------------------------------------------------------------------------
// Table 2

describe('GET /studies/:id/table2', () => {
  const P1 = 'P1: Before the groups I was fearful of patients. Later I grew calmer.'
  const P2 = 'P2: I learned how to talk to my colleagues instead of brawling.'

  async function table2World() {
    const built = await testApp()
    const { deps } = built
    const world = await codingStudy(deps, [P1, P2])
    const researcher = await signedInStaff(deps, [{ studyId: world.study.id, role: 'researcher' }])
    const actor = `staff:${world.coderA.id}`
    const add = (level: 'theme' | 'category' | 'code', name: string, parentId?: string) => createCode(deps, world.study.id, { level, name, parentId }, actor)
    const effects = await add('theme', 'Effects of Balint group')
    const relationship = await add('category', 'Relationship with a patient with COVID-19', effects.id)
    const education = await add('category', 'Education', effects.id)
    const fear = await add('code', 'Decrease of fear from patients', relationship.id)
    await add('code', 'Higher sympathy levels', relationship.id)
    const selfAwareness = await add('code', 'Self-awareness', education.id)
    const fearCoding = await addCodings(deps, world.transcripts[0]!, world.coderA.id, { codeIds: [fear.id], ...spanOf(P1, 'Before the groups I was fearful of patients.') })
    const selfCoding = await addCodings(deps, world.transcripts[1]!, world.coderB.id, { codeIds: [selfAwareness.id], ...spanOf(P2, 'I learned how to talk to my colleagues instead of brawling.') })
    await chooseQuote(deps, fear, fearCoding.codings[0]!.id, actor)
    await chooseQuote(deps, selfAwareness, selfCoding.codings[0]!.id, actor)
    return { ...built, world, call: await caller(built, researcher) }
  }

  it('gives the table on screen, as CSV and as Markdown', async () => {
    const w = await table2World()
    const json = await w.call(`/studies/${w.world.study.id}/table2`)
    expect(json.status).toBe(200)
    expect(json.body.rows.map((r: Json) => [r.theme.name, r.category.name, r.code.name, r.meaningUnits[0]?.text ?? null, r.meaningUnits[0]?.participant.label ?? null])).toEqual([
      ['Effects of Balint group', 'Relationship with a patient with COVID-19', 'Decrease of fear from patients', 'Before the groups I was fearful of patients.', 'P1'],
      ['Effects of Balint group', 'Relationship with a patient with COVID-19', 'Higher sympathy levels', null, null],
      ['Effects of Balint group', 'Education', 'Self-awareness', 'I learned how to talk to my colleagues instead of brawling.', 'P2'],
    ])

    const csv = await w.call(`/studies/${w.world.study.id}/table2?format=csv`)
    expect(csv.type).toBe('text/csv; charset=utf-8')
    expect(csv.body).toBe(
      [
        'theme,category,code,meaning_unit,participant',
        'Effects of Balint group,Relationship with a patient with COVID-19,Decrease of fear from patients,Before the groups I was fearful of patients.,P1',
        'Effects of Balint group,Relationship with a patient with COVID-19,Higher sympathy levels,,',
        'Effects of Balint group,Education,Self-awareness,I learned how to talk to my colleagues instead of brawling.,P2',
        '',
      ].join('\n'),
    )

    const md = await w.call(`/studies/${w.world.study.id}/table2?format=md`)
    expect(md.type).toBe('text/markdown; charset=utf-8')
    expect(md.body).toContain('| Effects of Balint group | Relationship with a patient with COVID-19 | Decrease of fear from patients | Before the groups I was fearful of patients. (P1) |\n|  |  | Higher sympathy levels | – |\n|  | Education | Self-awareness | I learned how to talk to my colleagues instead of brawling. (P2) |')

    const bad = await w.call(`/studies/${w.world.study.id}/table2?format=docx`)
    expect({ status: bad.status, field: bad.body.error.details[0].field }).toEqual({ status: 422, field: 'format' })
  })

  it('gives code frequencies by participant, of all coders or one', async () => {
    const w = await table2World()
    const all = await w.call(`/studies/${w.world.study.id}/code-frequencies`)
    expect(all.status).toBe(200)
    expect(all.body.participants.map((p: Json) => p.label)).toEqual(['P1', 'P2'])
    expect(all.body.rows.map((r: Json) => [r.code.name, r.counts])).toEqual([
      ['Decrease of fear from patients', [1, 0]],
      ['Higher sympathy levels', [0, 0]],
      ['Self-awareness', [0, 1]],
    ])
    const coderA = await w.call(`/studies/${w.world.study.id}/code-frequencies?coder=${w.world.coderA.id}`)
    expect(coderA.body.rows.map((r: Json) => r.counts)).toEqual([[1, 0], [0, 0], [0, 0]])
    const csv = await w.call(`/studies/${w.world.study.id}/code-frequencies?format=csv`)
    expect(csv.body.split('\n')[0]).toBe('theme,category,code,P1,P2,total,participants')
    const unknown = await w.call(`/studies/${w.world.study.id}/code-frequencies?coder=nobody`)
    expect({ status: unknown.status, field: unknown.body.error.details[0].field }).toEqual({ status: 422, field: 'coder' })
  })
})

// ---------------------------------------------------------------------------------------------
// Saturation

describe('GET /studies/:id/saturation', () => {
  /**
   * Seven coded interviews held in this order (the participant codes are not the order; P1 and P2
   * started at the same minute, so P1 comes first by code), and P8 transcribed but not coded:
   *
   *   held  participant  codes          new         cumulative
   *   1     P3           a b c          a b c       3
   *   2     P1           b d            d           4
   *   3     P2           a e f          e f         6
   *   4     P5           c g            g           7   ← base of 4: 7 codes
   *   5     P4           a h            h           8
   *   6     P7           b x (x → d)    –           8
   *   7     P6           c, and a (B)   –           8
   *
   * x was merged into d, so interview 6 adds nothing. Base 4, run 2, threshold 5%: the run 5–6 adds 1
   * of 7 (14.3%) > 5%; the run 6–7 adds 0 (0%), so saturation after 7 interviews. With a threshold of
   * 15% the first run already meets it: saturation after 6.
   */
  const held: [participant: string, startedAt: string, codes: string][] = [
    ['P3', '2026-04-01T09:00:00.000Z', 'abc'],
    ['P1', '2026-04-02T09:00:00.000Z', 'bd'],
    ['P2', '2026-04-02T09:00:00.000Z', 'aef'],
    ['P5', '2026-04-03T09:00:00.000Z', 'cg'],
    ['P4', '2026-04-04T09:00:00.000Z', 'ah'],
    ['P7', '2026-04-05T09:00:00.000Z', 'bx'],
    ['P6', '2026-04-06T09:00:00.000Z', 'c'],
  ]

  async function saturationWorld() {
    const built = await testApp()
    const { deps } = built
    const study = await createStudy(deps, { name: 'Saturation study' }, 'test')
    const cohort = await createCohort(deps, { studyId: study.id, name: 'Group 1' }, 'test')
    const participants = await addParticipants(deps, { cohortId: cohort.id, count: 8 }, 'test')
    const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
    const coderB = await staffMember(deps, study.id, 'researcher')
    const actor = `staff:${researcher.user.id}`
    const theme = await createCode(deps, study.id, { level: 'theme', name: 'Theme' }, actor)
    const category = await createCode(deps, study.id, { level: 'category', name: 'Category', parentId: theme.id }, actor)
    const codes: Record<string, Awaited<ReturnType<typeof createCode>>> = {}
    for (const letter of 'abcdefghx') codes[letter] = await createCode(deps, study.id, { level: 'code', name: `Code ${letter}`, parentId: category.id }, actor)
    const codeOf = (code: string) => participants.find((p) => p.code === code)!
    for (const [participant, startedAt, letters] of held) {
      // One sentence per code: "Sentence a. Sentence b."
      const text = [...letters].map((l) => `Sentence ${l}.`).join(' ')
      const place = await interview(deps, codeOf(participant).id, researcher.user, text, startedAt)
      for (const l of letters) await addCodings(deps, place, researcher.user.id, { codeIds: [codes[l]!.id], ...spanOf(text, `Sentence ${l}.`) })
      if (participant === 'P6') await addCodings(deps, place, coderB.id, { codeIds: [codes.a!.id], ...spanOf(text, 'Sentence c.') })
    }
    await interview(deps, codeOf('P8').id, researcher.user, 'Not coded yet.', '2026-04-07T09:00:00.000Z')
    await mergeCode(deps, codes.x!, codes.d!.id, actor)
    return { ...built, study, codes, call: await caller(built, researcher) }
  }

  it('gives new and cumulative codes in interview order, the saturation ratio and the Methods sentence', async () => {
    const w = await saturationWorld()
    const res = await w.call(`/studies/${w.study.id}/saturation?base=4&run=2&threshold=0.05`)
    expect(res.status).toBe(200)
    const body = res.body
    expect(body.parameters).toEqual({ base: 4, run: 2, threshold: 0.05 })
    expect(body.interviews.map((i: Json) => [i.interview, i.participant.label, i.newCount, i.cumulativeUnique])).toEqual([
      [1, 'P3', 3, 3],
      [2, 'P1', 1, 4],
      [3, 'P2', 2, 6],
      [4, 'P5', 1, 7],
      [5, 'P4', 1, 8],
      [6, 'P7', 0, 8],
      [7, 'P6', 0, 8],
    ])
    expect(body.interviews[2].newCodes.map((c: Json) => c.name)).toEqual(['Code e', 'Code f'])
    expect(body.interviews[5].codes).toBe(2)
    expect(body.notCoded.map((p: Json) => p.label)).toEqual(['P8'])
    expect(body.guest).toEqual({
      interviews: 7,
      baseCodes: 7,
      steps: [
        { runStart: 5, runEnd: 6, newCodes: 1, ratio: 1 / 7 },
        { runStart: 6, runEnd: 7, newCodes: 0, ratio: 0 },
      ],
      saturatedAt: 7,
    })
    expect(body.methodsSentence).toBe(
      'Saturation was assessed following Guest, Namey and Chen (2020) with a base size of 4 interviews, a run length of 2 and a new-information threshold of 5%: ' +
        'the run of interviews 6–7 added 0 new codes to the 7 identified in the base (0%), so saturation was reached after 7 interviews.',
    )

    // The same numbers from the pure functions, on the code lists written out by hand (x counted as d).
    const lists = [['a', 'b', 'c'], ['b', 'd'], ['a', 'e', 'f'], ['c', 'g'], ['a', 'h'], ['b', 'd'], ['c', 'a']]
    const curve = saturationCurve(lists.map((codeIds, i) => ({ order: i + 1, participantCode: held[i]![0], codeIds: codeIds.map((l) => w.codes[l]!.id) })))
    expect(body.interviews.map((i: Json) => [i.participant.label, i.newCodes.map((c: Json) => c.id), i.newCount, i.cumulativeUnique])).toEqual(
      curve.map((p) => [p.participantCode, p.newCodeIds, p.newCount, p.cumulativeUnique]),
    )
    const parameters = { base: 4, run: 2, threshold: 0.05 }
    expect(body.guest).toEqual(guestSaturation(curve, parameters))
    expect(body.methodsSentence).toBe(methodsSentence(guestSaturation(curve, parameters), parameters))
  })

  it('takes base, run and threshold as parameters, with defaults 4, 2 and 5%', async () => {
    const w = await saturationWorld()
    const defaults = await w.call(`/studies/${w.study.id}/saturation`)
    expect(defaults.body.parameters).toEqual({ base: 4, run: 2, threshold: 0.05 })
    const lenient = await w.call(`/studies/${w.study.id}/saturation?threshold=0.15`)
    expect(lenient.body.guest).toMatchObject({ saturatedAt: 6, steps: [{ runStart: 5, runEnd: 6, newCodes: 1 }] })
    const longRun = await w.call(`/studies/${w.study.id}/saturation?base=4&run=3&threshold=0`)
    // Runs 5–7 add 1: not within 0%; no further run of 3 fits in 7 interviews.
    expect(longRun.body.guest).toMatchObject({ saturatedAt: null, steps: [{ runStart: 5, runEnd: 7, newCodes: 1 }] })
    expect(longRun.body.methodsSentence).toMatch(/saturation was not reached within 7 interviews\.$/)
    const tooFew = await w.call(`/studies/${w.study.id}/saturation?base=8`)
    expect(tooFew.body.methodsSentence).toMatch(/could not be assessed\.$/)
  })

  it('refuses parameters that are not whole numbers ≥ 1 or a proportion, naming them', async () => {
    const w = await saturationWorld()
    for (const [query, field] of [
      ['base=0', 'base'],
      ['base=four', 'base'],
      ['run=1.5', 'run'],
      ['run=-2', 'run'],
      ['threshold=5', 'threshold'],
      ['threshold=-0.1', 'threshold'],
      ['threshold=half', 'threshold'],
    ] as const) {
      const res = await w.call(`/studies/${w.study.id}/saturation?${query}`)
      expect({ query, status: res.status, code: res.body.error.code, field: res.body.error.details[0].field }).toEqual({ query, status: 422, code: 'validation_failed', field })
      expect(res.body.error.message).toMatch(new RegExp(`^${field}: `))
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Agreement

describe('GET /studies/:id/agreement', () => {
  const T1 = 'I was afraid. Then I was calm. It was fine.'
  const T2 = 'We were alone. Nobody saw us. The leaders helped.'

  /**
   * Six sentences, two codes. Fear: A codes T1 s1 and s2, B codes T1 s1 → a = 1, b = 1, c = 0, d = 4.
   * Alone: A codes T2 s1, B codes T2 s1, s2 and s3 → a = 1, b = 0, c = 2, d = 3.
   */
  const T3 = 'I was afraid again. I slept.'

  async function agreementWorld(withTranscriptOnlyACoded = false) {
    const built = await testApp()
    const { deps } = built
    const world = await codingStudy(deps, withTranscriptOnlyACoded ? [T1, T2, T3] : [T1, T2])
    const researcher = await signedInStaff(deps, [{ studyId: world.study.id, role: 'researcher' }])
    const actor = `staff:${researcher.user.id}`
    const theme = await createCode(deps, world.study.id, { level: 'theme', name: 'Effects' }, actor)
    const category = await createCode(deps, world.study.id, { level: 'category', name: 'Feelings', parentId: theme.id }, actor)
    const fear = await createCode(deps, world.study.id, { level: 'code', name: 'Fear', parentId: category.id }, actor)
    const alone = await createCode(deps, world.study.id, { level: 'code', name: 'Not alone', parentId: category.id }, actor)
    const [t1, t2] = [world.transcripts[0]!, world.transcripts[1]!]
    const code = (coder: string, place: typeof t1, text: string, sentence: string, codeId: string) => addCodings(deps, place, coder, { codeIds: [codeId], ...spanOf(text, sentence) })
    const A = world.coderA.id
    const B = world.coderB.id
    await code(A, t1, T1, 'I was afraid.', fear.id)
    await code(A, t1, T1, 'Then I was calm.', fear.id)
    await code(B, t1, T1, 'I was afraid.', fear.id)
    await code(A, t2, T2, 'We were alone.', alone.id)
    await code(B, t2, T2, 'We were alone.', alone.id)
    await code(B, t2, T2, 'Nobody saw us.', alone.id)
    await code(B, t2, T2, 'The leaders helped.', alone.id)
    if (withTranscriptOnlyACoded) await code(A, world.transcripts[2]!, T3, 'I was afraid again.', fear.id)
    return { ...built, world, researcher, fear, alone, t1, call: await caller(built, researcher) }
  }

  it('gives percent agreement, Cohen’s κ and Brennan–Prediger κ per code and overall, as worked by hand', async () => {
    const w = await agreementWorld()
    const res = await w.call(`/studies/${w.world.study.id}/agreement?coderA=${w.world.coderA.id}&coderB=${w.world.coderB.id}&unit=sentence`)
    expect(res.status).toBe(200)
    const body = res.body
    expect(body.unit).toBe('sentence')
    expect(body.coders).toEqual({ A: { id: w.world.coderA.id, name: w.world.coderA.name }, B: { id: w.world.coderB.id, name: w.world.coderB.name } })
    const [fear, alone] = body.perCode as Json[]
    // Fear: N = 6, Po = 5/6, Pe = [(1+1)(1+0) + (0+4)(1+4)] / 36 = 22/36, κ = (30 − 22)/(36 − 22) = 4/7.
    expect(fear).toMatchObject({ code: { name: 'Fear' }, category: { name: 'Feelings' }, theme: { name: 'Effects' }, a: 1, b: 1, c: 0, d: 4, units: 6 })
    expect(fear!.percentAgreement).toBeCloseTo(5 / 6, 12)
    expect(fear!.cohensKappa).toBeCloseTo(4 / 7, 12)
    expect(fear!.brennanPrediger).toBeCloseTo(2 / 3, 12)
    expect(fear!.codedOnlyAgreement).toBeCloseTo(1 / 2, 12)
    // Not alone: Po = 4/6, Pe = [(1)(3) + (5)(3)] / 36 = 1/2, κ = (2/3 − 1/2)/(1/2) = 1/3; κn = 2·(2/3) − 1 = 1/3.
    expect(alone).toMatchObject({ a: 1, b: 0, c: 2, d: 3 })
    expect(alone!.percentAgreement).toBeCloseTo(2 / 3, 12)
    expect(alone!.cohensKappa).toBeCloseTo(1 / 3, 12)
    expect(alone!.brennanPrediger).toBeCloseTo(1 / 3, 12)
    // Overall, unit × category: A fear fear – alone – –, B fear – – alone alone alone; 3 of 6 agree, q = 3.
    // R: agree(c("fear","fear","none","alone","none","none"), c("fear","none","none","alone","alone","alone"), 3)
    //    # po 0.5, kappa 0.27999999999999997, bp 0.25   (agree() as in test/server/domain/qualitative/agreement.test.ts)
    expect(body.overall).toMatchObject({ a: 2, b: 1, c: 2, d: 7, units: 6, codes: 2, decisions: 12, agreedUnits: 3, categories: 3 })
    expect(body.overall.percentAgreement).toBeCloseTo(0.5, 12)
    expect(body.overall.cohensKappa).toBeCloseTo(0.27999999999999997, 12)
    expect(body.overall.brennanPrediger).toBeCloseTo(0.25, 12)
    // The per-code κ pooled (De Vries et al. 2008): P̄o = 3/4, P̄e = 5/9, κ = 7/16.
    expect(body.overall.pooledCodeKappa).toBeCloseTo(7 / 16, 12)
  })

  it('lists the disagreements with the resolution recorded for each', async () => {
    const w = await agreementWorld()
    const query = `/studies/${w.world.study.id}/agreement?coderA=${w.world.coderA.id}&coderB=${w.world.coderB.id}`
    const before = await w.call(query)
    expect(before.body.disagreements.map((d: Json) => [d.participant.label, d.code.name, d.text, d.codedBy, d.resolution])).toEqual([
      ['P1', 'Fear', 'Then I was calm.', 'A', null],
      ['P2', 'Not alone', 'Nobody saw us.', 'B', null],
      ['P2', 'Not alone', 'The leaders helped.', 'B', null],
    ])
    expect({ resolved: before.body.resolved, unresolved: before.body.unresolved }).toEqual({ resolved: 0, unresolved: 3 })

    // The coders discuss "Then I was calm." and agree that fear does apply (its easing).
    const span = before.body.disagreements[0].span
    const recorded = await w.app.request(`/api/transcripts/${w.t1.transcriptId}/resolutions`, {
      method: 'POST',
      headers: { ...w.researcher.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ codeId: w.fear.id, ...span, decision: 'applies', note: 'Fear easing is still about fear.' }),
    })
    expect(recorded.status).toBe(201)
    const after = await w.call(query)
    expect(after.body.disagreements[0].resolution).toMatchObject({ decision: 'applies', note: 'Fear easing is still about fear.', decidedBy: w.researcher.user.id, span })
    expect(after.body.disagreements.slice(1).map((d: Json) => d.resolution)).toEqual([null, null])
    expect({ resolved: after.body.resolved, unresolved: after.body.unresolved }).toEqual({ resolved: 1, unresolved: 2 })
    // The statistics are of the blind coding: a resolution does not change them.
    expect(after.body.overall).toEqual(before.body.overall)
  })

  it('records a resolution in the consensus set, which frequencies count; "does not apply" takes it out again', async () => {
    const w = await agreementWorld()
    const resolve = (decision: 'applies' | 'does_not_apply', sentence: string) =>
      w.app.request(`/api/transcripts/${w.t1.transcriptId}/resolutions`, {
        method: 'POST',
        headers: { ...w.researcher.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ codeId: w.fear.id, ...spanOf(T1, sentence), decision, note: '' }),
      })
    const fearCounts = async (query = '') => (await w.call(`/studies/${w.world.study.id}/code-frequencies${query}`)).body.rows.find((r: Json) => r.code.name === 'Fear').counts
    // Before: every coder's codings of T1, the shared passage counted once: "I was afraid." and "Then I was calm.".
    expect(await fearCounts()).toEqual([2, 0])

    expect((await resolve('applies', 'Then I was calm.')).status).toBe(201)
    const consensus = await w.deps.db.selectFrom('coding').selectAll().where('transcript_id', '=', w.t1.transcriptId).where('consensus', '=', 1).where('deleted_at', 'is', null).execute()
    expect(consensus.map((c) => [c.code_id, c.text, c.coder_id])).toEqual([[w.fear.id, 'Then I was calm.', w.researcher.user.id]])
    // T1 now has a consensus set: the frequencies count it alone, each coder's own set is unchanged.
    expect(await fearCounts()).toEqual([1, 0])
    expect(await fearCounts(`?coder=${w.world.coderA.id}`)).toEqual([2, 0])
    // Resolving the same span twice does not add a second consensus coding.
    expect((await resolve('applies', 'Then I was calm.')).status).toBe(201)
    expect(await fearCounts()).toEqual([1, 0])

    expect((await resolve('does_not_apply', 'Then I was calm.')).status).toBe(201)
    const left = await w.deps.db.selectFrom('coding').select('id').where('transcript_id', '=', w.t1.transcriptId).where('consensus', '=', 1).where('deleted_at', 'is', null).execute()
    expect(left).toEqual([])
    expect(await fearCounts()).toEqual([2, 0])
    // The agreement statistics stay those of the blind coding.
    const agreement = await w.call(`/studies/${w.world.study.id}/agreement?coderA=${w.world.coderA.id}&coderB=${w.world.coderB.id}&unit=sentence`)
    expect(agreement.body.overall).toMatchObject({ a: 2, b: 1, c: 2, d: 7 })
  })

  it('lets a coder mark their coding of a transcript done, and take the mark back', async () => {
    const w = await agreementWorld()
    const done = (method: 'GET' | 'PUT' | 'DELETE') => w.app.request(`/api/transcripts/${w.t1.transcriptId}/done`, { method, headers: w.researcher.headers })
    expect(await (await done('GET')).json()).toEqual([])
    const marked = await done('PUT')
    expect(marked.status).toBe(200)
    expect(await marked.json()).toEqual([{ coderId: w.researcher.user.id, doneAt: expect.any(String) }])
    // Marking twice keeps one mark.
    expect((await (await done('PUT')).json()).length).toBe(1)
    expect(await (await done('GET')).json()).toEqual([{ coderId: w.researcher.user.id, doneAt: expect.any(String) }])
    // The study's list of transcripts shows each coder's mark, with their name.
    const listed = async () => ((await w.call(`/studies/${w.world.study.id}/transcripts`)).body as Json[]).map((t) => [t.id, t.done.map((d: Json) => d.name)])
    expect(await listed()).toEqual([
      [w.t1.transcriptId, [w.researcher.user.name]],
      [w.world.transcripts[1]!.transcriptId, []],
    ])
    expect(await (await done('DELETE')).json()).toEqual([])
    expect((await listed())[0]).toEqual([w.t1.transcriptId, []])
    const audit = await w.deps.db.selectFrom('audit_log').select('action').where('action', 'in', ['coding.done', 'coding.undone']).execute()
    expect(audit.map((a) => a.action).sort()).toEqual(['coding.done', 'coding.done', 'coding.undone'])
  })

  it('compares on speaker turns when asked, and only transcripts both coders coded', async () => {
    const w = await agreementWorld()
    const turns = await w.call(`/studies/${w.world.study.id}/agreement?coderA=${w.world.coderA.id}&coderB=${w.world.coderB.id}&unit=turn`)
    // Without speaker labels each transcript is one turn: both coded both codes somewhere in each → full agreement.
    expect(turns.body.unit).toBe('turn')
    expect(turns.body.perCode.map((c: Json) => [c.a, c.b, c.c, c.d])).toEqual([[1, 0, 0, 1], [1, 0, 0, 1]])
    expect(turns.body.transcripts.map((t: Json) => t.compared)).toEqual([true, true])
  })

  it('counts a transcript one coder left uncoded as disagreement, not as missing', async () => {
    const w = await agreementWorld(true)
    const res = await w.call(`/studies/${w.world.study.id}/agreement?coderA=${w.world.coderA.id}&coderB=${w.world.coderB.id}&unit=sentence`)
    expect(res.status).toBe(200)
    expect(res.body.transcripts.map((t: Json) => [t.compared, t.codedByA, t.codedByB])).toEqual([[true, true, true], [true, true, true], [true, true, false]])
    // T3 adds 2 sentences: A coded the first with Fear, B nothing there → Fear a = 1, b = 2, c = 0, d = 5, N = 8.
    expect(res.body.perCode[0]).toMatchObject({ a: 1, b: 2, c: 0, d: 5, units: 8 })
    expect(res.body.overall).toMatchObject({ units: 8, agreedUnits: 4 })
    expect(res.body.disagreements.some((d: Json) => d.text === 'I was afraid again.' && d.codedBy === 'A')).toBe(true)
  })

  it('refuses a missing, unknown or repeated coder, naming the parameter', async () => {
    const w = await agreementWorld()
    const S = w.world.study.id
    for (const [query, field] of [
      [`coderB=${w.world.coderB.id}`, 'coderA'],
      [`coderA=nobody&coderB=${w.world.coderB.id}`, 'coderA'],
      [`coderA=${w.world.coderA.id}&coderB=${w.world.coderA.id}`, 'coderB'],
      [`coderA=${w.world.coderA.id}&coderB=${w.world.coderB.id}&unit=paragraph`, 'unit'],
    ] as const) {
      const res = await w.call(`/studies/${S}/agreement?${query}`)
      expect({ query, status: res.status, field: res.body.error?.details?.[0]?.field }).toEqual({ query, status: 422, field })
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Joint display and REFI-QDA

/**
 * Six participants imported with PHQ-9 at pre and post (instrument SD 6.25, test–retest r 0.79: a
 * reliable change is 1.96 × √2 × 6.25 × √0.21 ≈ 7.94 points; cut-off c ≈ 6.48):
 *
 *   P1 20 → 4   recovered      interviewed: fear (Effects), seeing (Virtuality)
 *   P2 18 → 9   improved       interviewed: fear (Effects)
 *   P3 10 → 10  unchanged      interviewed: seeing (Virtuality)
 *   P4  5 → 19  deteriorated   interviewed: self-awareness (Effects), seeing (Virtuality)
 *   P5 12 → –   no pair        interviewed: fear (Effects)
 *   P6 27 → 9   improved       not interviewed
 */
async function mixedWorld() {
  const built = await testApp()
  const { deps } = built
  const study = await createStudy(deps, { name: 'Virtual Balint' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Skype group' }, 'test')
  const csv = [
    'participant,wave,instrument,item,value',
    'P1,enrolment,demographics,age,31',
    'P1,enrolment,demographics,sex,female',
    'P1,enrolment,demographics,marital_status,married',
    'P1,enrolment,demographics,role,resident',
    'P2,enrolment,demographics,age,30',
    'P2,enrolment,demographics,role,other',
    'P2,enrolment,demographics,role-Comment,Nurse anaesthetist',
    ...phq9('P1', 'pre', 20),
    ...phq9('P1', 'post', 4),
    ...phq9('P2', 'pre', 18),
    ...phq9('P2', 'post', 9),
    ...phq9('P3', 'pre', 10),
    ...phq9('P3', 'post', 10),
    ...phq9('P4', 'pre', 5),
    ...phq9('P4', 'post', 19),
    ...phq9('P5', 'pre', 12),
    ...phq9('P6', 'pre', 27),
    ...phq9('P6', 'post', 9),
  ].join('\n')
  await importCohortCsv(deps, { cohortId: cohort.id, csv }, 'test')
  const researcher = await signedInStaff(deps, [{ studyId: study.id, role: 'researcher' }])
  const coderB = await staffMember(deps, study.id, 'researcher')
  const actor = `staff:${researcher.user.id}`
  const add = (level: 'theme' | 'category' | 'code', name: string, parentId?: string) => createCode(deps, study.id, { level, name, parentId }, actor)
  const effects = await add('theme', 'Effects of Balint group')
  const virtuality = await add('theme', 'Virtuality of Balint group')
  const relationship = await add('category', 'Relationship with a patient', effects.id)
  const education = await add('category', 'Education', effects.id)
  const faces = await add('category', 'Faces', virtuality.id)
  const fear = await add('code', 'Decrease of fear from patients', relationship.id)
  const selfAwareness = await add('code', 'Self-awareness', education.id)
  const seeing = await add('code', 'Seeing', faces.id)

  const participants = await listParticipants(deps.db, cohort.id)
  const idOf = (code: string) => participants.find((p) => p.code === code)!.id
  const said: Record<string, [string, string][]> = {
    P1: [['I was fearful of patients; now I am not.', fear.id], ['I preferred to see all the faces.', seeing.id]],
    P2: [['The fear went away.', fear.id]],
    P3: [['Seeing the others helped me.', seeing.id]],
    P4: [['I learned to talk to colleagues.', selfAwareness.id], ['I wanted to see their faces.', seeing.id]],
    P5: [['I am less afraid of infected patients.', fear.id]],
  }
  const transcripts: Record<string, string> = {}
  const places: Record<string, TranscriptPlace> = {}
  const codings: Record<string, string> = {}
  for (const [code, lines] of Object.entries(said)) {
    const text = lines.map(([line]) => `${code}: ${line}`).join('\n')
    const place = await interview(deps, idOf(code), researcher.user, text)
    transcripts[code] = place.transcriptId
    places[code] = place
    for (const [line, codeId] of lines) {
      const made = await addCodings(deps, place, researcher.user.id, { codeIds: [codeId], ...spanOf(text, line) })
      codings[`${code} ${line}`] = made.codings[0]!.id
    }
  }
  // A second coder agrees on P1's fear: the joint display shows that passage once.
  await addCodings(deps, places.P1!, coderB.id, { codeIds: [fear.id], ...spanOf('P1: I was fearful of patients; now I am not.', 'I was fearful of patients; now I am not.') })
  await chooseQuote(deps, fear, codings['P2 The fear went away.']!, actor)
  await createMemo(deps, study.id, { targetType: 'project', text: 'Coded in two rounds.' }, researcher.user.id)
  await createMemo(deps, study.id, { targetType: 'code', targetId: seeing.id, text: 'Seeing and being seen: Steiner.' }, coderB.id)
  await createMemo(deps, study.id, { targetType: 'transcript', targetId: transcripts.P3!, text: 'Short interview.' }, researcher.user.id)
  return { ...built, study, cohort, researcher, coderB, idOf, transcripts, codings, codes: { effects, virtuality, fear, selfAwareness, seeing }, call: await caller(built, researcher) }
}

describe('GET /studies/:id/segments (retrieval) and /search', () => {
  it('retrieves every passage under a theme across transcripts, once per passage, with its participant and context', async () => {
    const w = await mixedWorld()
    const res = await w.call(`/studies/${w.study.id}/segments?code=${w.codes.effects.id}`)
    expect(res.status).toBe(200)
    expect(res.body.segments.map((s: Json) => [s.participant.label, s.role, s.code.name, s.text, s.coders.length, s.before])).toEqual([
      // Both coders coded P1's passage: one segment, two coders.
      ['P1', 'Resident', 'Decrease of fear from patients', 'I was fearful of patients; now I am not.', 2, 'P1: '],
      ['P2', 'Nurse anaesthetist', 'Decrease of fear from patients', 'The fear went away.', 1, 'P2: '],
      ['P4', null, 'Self-awareness', 'I learned to talk to colleagues.', 1, 'P4: '],
      ['P5', null, 'Decrease of fear from patients', 'I am less afraid of infected patients.', 1, 'P5: '],
    ])
    expect(res.body.segments[2].after).toBe('\nP4: I wanted to see their faces.')

    // Case variables: the role as given; the change group on PHQ-9 (P1, P2 improved; P4 not).
    // The theme's own segments only: none, all are coded with codes below it.
    expect((await w.call(`/studies/${w.study.id}/segments?code=${w.codes.effects.id}&children=false`)).body.segments).toEqual([])
    expect((await w.call(`/studies/${w.study.id}/segments?code=${w.codes.fear.id}&children=false`)).body.segments).toHaveLength(3)
    const resident = await w.call(`/studies/${w.study.id}/segments?code=${w.codes.effects.id}&role=resident`)
    expect(resident.body.segments.map((s: Json) => s.participant.label)).toEqual(['P1'])
    // The role filter's choices come with every answer, whatever it filters: every role with a coded
    // passage (the page asks once, not a second time unfiltered).
    const everything = await w.call(`/studies/${w.study.id}/segments`)
    const allRoles = [...new Set(everything.body.segments.flatMap((s: Json) => (s.role === null ? [] : [s.role as string])))].sort()
    expect(allRoles).toContain('Nurse anaesthetist')
    expect(everything.body.roles).toEqual(allRoles)
    expect(resident.body.roles).toEqual(allRoles)
    expect((await w.call(`/studies/${w.study.id}/segments?change=not_improved`)).body.roles).toEqual(allRoles)
    const notImproved = await w.call(`/studies/${w.study.id}/segments?change=not_improved`)
    expect(notImproved.body.segments.map((s: Json) => [s.participant.label, s.code.name])).toEqual([
      ['P3', 'Seeing'],
      ['P4', 'Self-awareness'],
      ['P4', 'Seeing'],
    ])
    const csv = await w.app.request(`/api/studies/${w.study.id}/segments.csv?code=${w.codes.seeing.id}`, { headers: w.researcher.headers })
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const rows: string[][] = parseCsv(await csv.text())
    expect(rows[0]).toEqual(['participant', 'role', 'code', 'start', 'end', 'text', 'before', 'after', 'coders', 'withdrawn'])
    expect(rows.slice(1).map((r) => [r[0], r[5]])).toEqual([
      ['P1', 'I preferred to see all the faces.'],
      ['P3', 'Seeing the others helped me.'],
      ['P4', 'I wanted to see their faces.'],
    ])
    const unknown = await w.call(`/studies/${w.study.id}/segments?code=no-such-code`)
    expect(unknown.status).toBe(422)
    expect(unknown.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'code' }] })
  })

  it('finds words in the transcripts with their place in code points', async () => {
    const w = await mixedWorld()
    const res = await w.call(`/studies/${w.study.id}/search?q=${encodeURIComponent('SEE  all')}`)
    expect(res.status).toBe(200)
    // SQLite's FTS5 index; PostgreSQL scans the study's transcripts (migration 0052, repositories/interviews.ts).
    expect(res.body.engine).toBe(testEngine === 'sqlite' ? 'fts5' : 'scan')
    expect(res.body.hits.map((h: Json) => [h.participant.label, h.match, h.start, h.end, h.before])).toEqual([['P1', 'see all', 64, 71, 'I was fearful of patients; now I am not.\nP1: I preferred to ']])
    expect((await w.call(`/studies/${w.study.id}/search?q=faces`)).body.hits.map((h: Json) => h.participant.label)).toEqual(['P1', 'P4'])
    expect((await w.call(`/studies/${w.study.id}/search?q=${encodeURIComponent('"')}`)).status).toBe(422)
    expect((await w.call(`/studies/${w.study.id}/search?q=elephant`)).body.hits).toEqual([])
  })
})

describe('GET /cohorts/:id/joint-display', () => {
  it('puts each participant’s change beside their codes and quotes, and counts themes by change group', async () => {
    const w = await mixedWorld()
    const res = await w.call(`/cohorts/${w.cohort.id}/joint-display`)
    expect(res.status).toBe(200)
    const body = res.body
    expect(body.scale).toMatchObject({ instrument: 'phq-9', scale: 'total', direction: 'higher-is-worse' })
    expect(body.participants.map((p: Json) => [p.participant.code, p.pre, p.post, p.change, p.classification, p.group, p.interviewed])).toEqual([
      ['P1', 20, 4, -16, 'recovered', 'improved', true],
      ['P2', 18, 9, -9, 'improved', 'improved', true],
      ['P3', 10, 10, 0, 'unchanged', 'not_improved', true],
      ['P4', 5, 19, 14, 'deteriorated', 'not_improved', true],
      ['P5', 12, null, null, null, 'no_pair', true],
      ['P6', 27, 9, -18, 'improved', 'improved', false],
    ])
    // The classifications are the cohort report's.
    const report = await cohortReport(w.deps, w.cohort.id, { from: 'pre', to: 'post' })
    for (const p of body.participants as Json[]) {
      expect(p.classification).toBe(report.participants.find((r) => r.code === p.participant.code)?.scales[0]?.classification ?? null)
    }

    const p1 = body.participants[0]
    expect(p1.themes.map((t: Json) => [t.theme.name, t.codes.map((c: Json) => [c.code.name, c.codings, c.passages.map((x: Json) => x.text)])])).toEqual([
      // Both coders coded this one passage: it counts once (issue 18; main counted 2).
      ['Effects of Balint group', [['Decrease of fear from patients', 1, ['I was fearful of patients; now I am not.']]]],
      ['Virtuality of Balint group', [['Seeing', 1, ['I preferred to see all the faces.']]]],
    ])
    expect(body.participants[1].quotes).toEqual([{ code: { id: w.codes.fear.id, name: 'Decrease of fear from patients' }, codingId: expect.any(String), text: 'The fear went away.' }])
    expect(body.participants[5].themes).toEqual([])

    // By hand: improved = P1, P2 (P6 not interviewed); not improved = P3, P4; no pair = P5.
    expect(body.matrix.groups.map((g: Json) => [g.group, g.interviewed, g.all])).toEqual([
      ['improved', 2, 3],
      ['not_improved', 2, 2],
      ['no_pair', 1, 1],
    ])
    expect(body.matrix.rows.map((r: Json) => [r.theme.name, r.counts])).toEqual([
      ['Effects of Balint group', { improved: 2, not_improved: 1, no_pair: 1 }],
      ['Virtuality of Balint group', { improved: 1, not_improved: 2, no_pair: 0 }],
    ])
  })

  it('never shows a passage its participant withdrew, whoever coded it, but still counts the code', async () => {
    const w = await mixedWorld()
    const p1Fear = w.codings['P1 I was fearful of patients; now I am not.']!
    await chooseQuote(w.deps, w.codes.fear, p1Fear, `staff:${w.researcher.user.id}`)
    await recordMemberCheck(w.deps, (await findParticipant(w.deps.db, w.idOf('P1')))!, { codingId: p1Fear, decision: 'withdraw' })
    const body = (await w.call(`/cohorts/${w.cohort.id}/joint-display`)).body
    const p1 = body.participants[0]
    expect(p1.themes[0].codes[0]).toMatchObject({ code: { name: 'Decrease of fear from patients' }, codings: 1, passages: [] })
    expect(p1.quotes).toEqual([])
    expect(JSON.stringify(body)).not.toContain('I was fearful of patients')
    expect(body.matrix.rows[0].counts).toEqual({ improved: 2, not_improved: 1, no_pair: 1 })
  })

  it('takes the instrument and scale as parameters and names a wrong one', async () => {
    const w = await mixedWorld()
    const chosen = await w.call(`/cohorts/${w.cohort.id}/joint-display?instrument=phq-9&scale=total`)
    expect(chosen.body.scale.label).toBe('PHQ-9 total')
    expect(chosen.body.scales).toEqual([{ instrument: 'phq-9', scale: 'total', label: 'PHQ-9 total' }])
    const wrongScale = await w.call(`/cohorts/${w.cohort.id}/joint-display?instrument=phq-9&scale=anxiety`)
    expect({ status: wrongScale.status, field: wrongScale.body.error.details[0].field }).toEqual({ status: 422, field: 'scale' })
    const wrongInstrument = await w.call(`/cohorts/${w.cohort.id}/joint-display?instrument=gad-7`)
    expect({ status: wrongInstrument.status, field: wrongInstrument.body.error.details[0].field }).toEqual({ status: 422, field: 'instrument' })
  })
})

describe('REFI-QDA exports', () => {
  async function checkProject(bytes: Uint8Array, w: Awaited<ReturnType<typeof mixedWorld>>) {
    const entries = readQdpxEntries(bytes)
    const qde = new TextDecoder().decode(entries['project.qde'])
    expect(await schemaErrors(qde, projectXsd, 'project.qde')).toEqual([])
    // Five transcripts, in sources/.
    expect(Object.keys(entries).filter((k) => k.startsWith('sources/')).sort()).toEqual(
      ['P1', 'P2', 'P3', 'P4', 'P5'].map((code) => `sources/${qdaGuid('transcript', w.transcripts[code]!)}.txt`).sort(),
    )
    expect(new TextDecoder().decode(entries[`sources/${qdaGuid('transcript', w.transcripts.P2!)}.txt`])).toBe('P2: The fear went away.')
    // The codebook hierarchy, the coders, the codings with their coder, the cases with demographics, the memos.
    expect(qde).toMatch(new RegExp(`<Code guid="${qdaGuid('code', w.codes.effects.id)}" name="Effects of Balint group" isCodable="false" color="#[0-9a-f]{6}">`))
    expect(qde).toContain(`<User guid="${qdaGuid('user', w.researcher.user.id)}" name="${w.researcher.user.name}"/>`)
    expect(qde).toContain(`<User guid="${qdaGuid('user', w.coderB.id)}" name="${w.coderB.name}"/>`)
    expect(qde.match(/<Coding /g)).toHaveLength(8)
    expect(qde.match(new RegExp(`<Coding [^>]*creatingUser="${qdaGuid('user', w.coderB.id)}"`, 'g'))).toHaveLength(1)
    expect(qde.match(/<Case /g)).toHaveLength(5)
    // The case's GUID is the cohort's and the code's: P1 of another cohort is another person.
    expect(qde).toContain('<Case guid="' + qdaGuid('case', `${w.cohort.id}:P1`) + '" name="P1">')
    expect(qde).toMatch(/<Variable guid="[^"]+" name="age" typeOfVariable="Integer"\/>/)
    expect(qde).toContain('<IntegerValue>31</IntegerValue>')
    expect(qde).toContain('<TextValue>Female</TextValue>')
    expect(qde).toContain('<TextValue>Nurse anaesthetist</TextValue>')
    expect(qde).toContain('Seeing and being seen: Steiner.')
    expect(qde).toContain('Short interview.')
    expect(qde).toContain('Coded in two rounds.')
    // Participants not interviewed are not cases; nothing of the questionnaires' scores is in the project.
    expect(qde).not.toContain('name="P6"')
    expect(qde).not.toMatch(/phq/i)
  }

  it('gives the cohort as a .qdpx valid against Project.xsd, and audits the download', async () => {
    const w = await mixedWorld()
    const res = await w.call(`/cohorts/${w.cohort.id}/project.qdpx`)
    expect(res.status).toBe(200)
    expect(res.type).toBe('application/zip')
    expect(res.disposition).toBe('attachment; filename="skype-group.qdpx"')
    await checkProject(res.body, w)
    const audit = (await listAudit(w.db, { entityId: w.cohort.id })).filter((a) => a.action === 'export.qdpx')
    expect(audit).toEqual([expect.objectContaining({ actor: `staff:${w.researcher.user.id}`, details: { destination: 'download', transcripts: 5, codings: 8, codes: 8, memos: 3 } })])
  })

  it('gives the codebook alone as a .qdc valid against Codebook.xsd', async () => {
    const w = await mixedWorld()
    const res = await w.call(`/studies/${w.study.id}/codebook.qdc`)
    expect(res.status).toBe(200)
    expect(res.type).toBe('application/xml; charset=utf-8')
    expect(res.disposition).toBe('attachment; filename="virtual-balint-codebook.qdc"')
    expect(await schemaErrors(res.body, codebookXsd, 'codebook.qdc')).toEqual([])
    expect(res.body.match(/<Code /g)).toHaveLength(8)
    expect((await listAudit(w.db, { entityId: w.study.id })).filter((a) => a.action === 'export.qdc')).toHaveLength(1)
  })

  it('refuses an empty codebook with a 409', async () => {
    const built = await testApp()
    const study = await createStudy(built.deps, { name: 'Empty' }, 'test')
    const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
    const res = await (await caller(built, researcher))(`/studies/${study.id}/codebook.qdc`)
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 409, code: 'conflict' })
  })

  it('writes the same files from the command line, and audits them', async () => {
    const w = await mixedWorld()
    const folder = mkdtempSync(join(tmpdir(), 'balint-qda-'))
    folders.push(folder)
    const run = cliRunner(w.deps)
    const qdpx = join(folder, 'skype.qdpx')
    expect(await run('export-qdpx', '--cohort', w.cohort.id, '--out', qdpx)).toMatchObject({ code: 0, stdout: qdpx, stderr: '' })
    await checkProject(new Uint8Array(readFileSync(qdpx)), w)
    // The same clock gives the same file as the download.
    const downloaded = await w.call(`/cohorts/${w.cohort.id}/project.qdpx`)
    expect(new Uint8Array(readFileSync(qdpx))).toEqual(downloaded.body)

    const qdc = join(folder, 'codebook.qdc')
    const json = await run('--json', 'export-qdc', '--study', w.study.id, '--out', qdc)
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({ studyId: w.study.id, file: qdc })
    expect(await schemaErrors(readFileSync(qdc, 'utf8'), codebookXsd, 'codebook.qdc')).toEqual([])

    const audit = await listAudit(w.db)
    expect(audit.filter((a) => a.action === 'export.qdpx').map((a) => [a.actor, a.details.destination])).toEqual([
      ['cli', { file: qdpx }],
      [`staff:${w.researcher.user.id}`, 'download'],
    ])
    expect(audit.filter((a) => a.action === 'export.qdc').map((a) => [a.actor, a.details.destination])).toEqual([['cli', { file: qdc }]])

    const missing = await run('export-qdpx', '--cohort', 'no-such-cohort', '--out', join(folder, 'x.qdpx'))
    expect(missing).toMatchObject({ code: 1, stderr: 'error: No such cohort.' })
    const unwritable = await run('export-qdc', '--study', w.study.id, '--out', join(folder, 'no-such-folder', 'x.qdc'))
    expect(unwritable.code).toBe(1)
    expect(unwritable.stderr).toMatch(/^error: cannot write .*x\.qdc/)
  })
})

// ---------------------------------------------------------------------------------------------
// Who may call what

describe('roles', () => {
  it('opens every analysis to researchers only: 403 for other roles of the study, 404 outside it, 401 signed out', async () => {
    const w = await mixedWorld()
    const S = w.study.id
    const C = w.cohort.id
    const other = await createStudy(w.deps, { name: 'Other study' }, 'test')
    const staff = {
      researcher: w.researcher,
      lead: await signedInStaff(w.deps, [{ studyId: S, role: 'program_lead' }]),
      leader: await signedInStaff(w.deps, [{ studyId: S, role: 'group_leader' }]),
      interviewer: await signedInStaff(w.deps, [{ studyId: S, role: 'interviewer' }]),
      outsider: await signedInStaff(w.deps, [{ studyId: other.id, role: 'researcher' }]),
    }
    const paths = [
      `/studies/${S}/table2`,
      `/studies/${S}/table2?format=csv`,
      `/studies/${S}/code-frequencies`,
      `/studies/${S}/saturation?base=2&run=1&threshold=0`,
      `/studies/${S}/agreement?coderA=${w.researcher.user.id}&coderB=${w.coderB.id}&unit=sentence`,
      `/cohorts/${C}/joint-display`,
      `/cohorts/${C}/project.qdpx`,
      `/studies/${S}/codebook.qdc`,
    ]
    for (const path of paths) {
      const statuses: Record<string, number> = {}
      for (const [who, member] of Object.entries(staff)) statuses[who] = (await w.app.request(`/api${path}`, { headers: member.headers })).status
      const anonymous = await w.app.request(`/api${path}`)
      statuses.anonymous = anonymous.status
      expect({ path, statuses }).toEqual({ path, statuses: { researcher: 200, lead: 403, leader: 403, interviewer: 403, outsider: 404, anonymous: 401 } })
    }
    // Outside the study, a real id answers as a made-up one.
    const real = await w.app.request(`/api/cohorts/${C}/joint-display`, { headers: staff.outsider.headers })
    const madeUp = await w.app.request('/api/cohorts/no-such-cohort/joint-display', { headers: staff.outsider.headers })
    expect(await real.json()).toEqual(await madeUp.json())
  })
})
