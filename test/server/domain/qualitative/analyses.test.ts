/**
 * The study's inter-coder agreement report on long transcripts with emoji and Persian text, coded
 * many times by two coders and with many recorded resolutions: every 2×2 table, every disagreement,
 * its words and its resolution are checked against a plain reference written here (every coding
 * against every unit, `[...text]` for the words, the last overlapping resolution). And the code
 * lists saturation is counted on.
 */
import { describe, expect, it } from 'vitest'
import { insertCoding, insertResolution, listResolutions, type Coding } from '../../../../server/db/repositories/codings'
import { interviewCodeLists, studyAgreement } from '../../../../server/domain/qualitative/analyses'
import { createCode } from '../../../../server/domain/qualitative/codebook'
import type { AnalysedInterview } from '../../../../server/domain/qualitative/data'
import type { Span } from '../../../../server/domain/qualitative/types'
import { splitUnits, type UnitKind } from '../../../../server/domain/qualitative/units'
import { testDeps } from '../../../helpers/app'
import { codingStudy, sequence, syntheticTranscript } from '../../../helpers/qualitative'

/** Speaker turns of a few sentences each, about `length` UTF-16 units; `plain` leaves out the sentences with emoji. */
const transcriptText = (random: () => number, code: string, length: number, plain = false) => syntheticTranscript(random, code, length, { plain })

/**
 * Five transcripts (the second without emoji): the first three coded by both coders, the fourth by
 * coder A only, the fifth by nobody. Random spans of up to 200 code points, some at the very start and
 * end, one the whole text; four codes; and 120 resolutions, some on the same span and code one after
 * another (the last counts).
 */
async function world() {
  const deps = await testDeps()
  const random = sequence(11)
  const texts = ['P1', 'P2', 'P3', 'P4', 'P5'].map((code, i) => transcriptText(random, code, 2500, i === 1))
  const built = await codingStudy(deps, texts)
  const codes = []
  for (const name of ['Fear', 'Leaders', 'Family', 'Calm']) codes.push(await createCode(deps, built.study.id, { level: 'code', name }, 'test'))
  const codeIds = codes.map((c) => c.id)
  const pick = <T,>(list: T[]) => list[Math.floor(random() * list.length)]!
  const codings: Coding[] = []
  for (const [i, place] of built.transcripts.slice(0, 4).entries()) {
    const points = [...texts[i]!]
    const coders = i < 3 ? [built.coderA.id, built.coderB.id] : [built.coderA.id]
    const spans: Span[] = [{ start: 0, end: 4 }, { start: points.length - 2, end: points.length }, { start: 0, end: points.length }]
    while (spans.length < 200) {
      const start = Math.floor(random() * points.length)
      spans.push({ start, end: Math.min(points.length, start + 1 + Math.floor(random() * 200)) })
    }
    // The database takes a passage once per coder and code.
    const seen = new Set<string>()
    for (const [k, span] of spans.entries()) {
      const codeId = pick(codeIds)
      const coderId = coders[k % coders.length]!
      if (seen.has(`${codeId}:${coderId}:${span.start}:${span.end}`)) continue
      seen.add(`${codeId}:${coderId}:${span.start}:${span.end}`)
      deps.clock.advance(1_000)
      codings.push(await insertCoding(deps.db, { transcriptId: place.transcriptId, codeId, coderId, ...span, text: points.slice(span.start, span.end).join('') }, deps.now()))
    }
  }
  for (let k = 0; k < 120; k++) {
    const i = Math.floor(random() * 4)
    const length = [...texts[i]!].length
    const start = k % 3 === 2 ? codings[k]!.start : Math.floor(random() * length)
    const end = k % 3 === 2 ? codings[k]!.end : Math.min(length, start + 1 + Math.floor(random() * 150))
    const transcriptId = k % 3 === 2 ? codings[k]!.transcriptId : built.transcripts[i]!.transcriptId
    deps.clock.advance(60_000)
    await insertResolution(deps.db, { transcriptId, codeId: pick(codeIds), start, end, decision: k % 2 === 0 ? 'applies' : 'does_not_apply', note: `note ${k}`, decidedBy: built.coderA.id }, deps.now())
  }
  return { deps, ...built, texts, codeIds, codings }
}

type World = Awaited<ReturnType<typeof world>>

/** The definition, plainly: a unit is coded by a coder when any of their codings of the code shares a code point with it. */
function referenceAgreement(w: World, resolutions: Awaited<ReturnType<typeof listResolutions>>, unit: UnitKind) {
  const compared = w.transcripts.slice(0, 4).map((place, i) => ({ id: place.transcriptId, text: w.texts[i]! }))
  const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end
  const codedBy = (coderId: string, transcriptId: string, codeId: string, span: Span) =>
    w.codings.some((c) => c.coderId === coderId && c.transcriptId === transcriptId && c.codeId === codeId && overlaps(c, span))
  const perCode = w.codeIds.map((codeId) => ({ codeId, a: 0, b: 0, c: 0, d: 0 }))
  const disagreements = []
  // The overall table: a unit's category is the set of codes a coder applied to it.
  let agreedUnits = 0
  for (const transcript of compared) {
    for (const span of splitUnits(transcript.text, unit)) {
      const category = (coderId: string) => w.codeIds.filter((codeId) => codedBy(coderId, transcript.id, codeId, span)).join()
      if (category(w.coderA.id) === category(w.coderB.id)) agreedUnits++
      for (const counts of perCode) {
        const byA = codedBy(w.coderA.id, transcript.id, counts.codeId, span)
        const byB = codedBy(w.coderB.id, transcript.id, counts.codeId, span)
        if (byA && byB) counts.a++
        else if (byA) counts.b++
        else if (byB) counts.c++
        else counts.d++
        if (byA === byB) continue
        const resolution = resolutions.filter((r) => r.transcriptId === transcript.id && r.codeId === counts.codeId && overlaps(r, span)).at(-1)
        disagreements.push({ transcriptId: transcript.id, codeId: counts.codeId, span, text: [...transcript.text].slice(span.start, span.end).join(''), codedBy: byA ? 'A' : 'B', resolutionId: resolution?.id ?? null })
      }
    }
  }
  return { perCode, disagreements, agreedUnits }
}

describe('studyAgreement on long transcripts with emoji and Persian', () => {
  it.each(['sentence', 'turn'] as const)('counts every %s, words and resolution of each disagreement as the definition does', async (unit) => {
    const w = await world()
    const report = await studyAgreement(w.deps, w.study.id, { coderA: w.coderA.id, coderB: w.coderB.id, unit })
    const expected = referenceAgreement(w, await listResolutions(w.deps.db, { studyId: w.study.id }), unit)
    expect(report.perCode.map((p) => ({ codeId: p.code.id, a: p.a, b: p.b, c: p.c, d: p.d }))).toEqual(expected.perCode)
    expect(report.disagreements.map((d) => ({ transcriptId: d.transcriptId, codeId: d.code.id, span: d.span, text: d.text, codedBy: d.codedBy, resolutionId: d.resolution?.id ?? null }))).toEqual(expected.disagreements)
    expect(report.disagreements.length).toBeGreaterThan(100)
    expect(report.overall.agreedUnits).toBe(expected.agreedUnits)
    expect(report.resolved).toBe(expected.disagreements.filter((d) => d.resolutionId !== null).length)
    expect(report.resolved).toBeGreaterThan(20)
    expect(report.transcripts.map((t) => [t.compared, t.codedByA, t.codedByB])).toEqual([[true, true, true], [true, true, true], [true, true, true], [true, true, false], [false, false, false]])
  })
})

describe('interviewCodeLists', () => {
  it('lists each coded interview’s codes in the order they first occur in the text, in interview order', () => {
    const interview = (transcriptId: string, order: number) => ({ transcriptId, order }) as AnalysedInterview
    const coding = (id: string, transcriptId: string, codeId: string, start: number, createdAt = '2026-03-02T09:00:00.000Z') =>
      ({ id, transcriptId, codeId, coderId: 'a', start, end: start + 5, text: '', createdAt })
    const lists = interviewCodeLists(
      [interview('t1', 1), interview('t2', 2), interview('t3', 3)],
      [coding('k1', 't2', 'fear', 30), coding('k2', 't1', 'calm', 10), coding('k3', 't2', 'calm', 5), coding('k4', 't1', 'fear', 10, '2026-03-01T09:00:00.000Z'), coding('k5', 't2', 'fear', 1)],
    )
    expect(lists.map((l) => [l.interview.transcriptId, l.codeIds])).toEqual([
      ['t1', ['fear', 'calm']],
      ['t2', ['fear', 'calm']],
    ])
  })
})
