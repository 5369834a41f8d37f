/**
 * Retrieved segments and transcript search on long transcripts with emoji (two UTF-16 units, one
 * code point) and Persian text, coded many times: every passage's words around it, every hit's
 * offsets, and every participant's role are checked against a plain reference written here with
 * `[...text]`, the definition of a code-point offset (types.ts).
 */
import { describe, expect, it } from 'vitest'
import { insertCoding, type Coding } from '../../../../server/db/repositories/codings'
import { findParticipant, listParticipants } from '../../../../server/db/repositories/participants'
import { findTranscriptPlace } from '../../../../server/db/repositories/interviews'
import type { Deps } from '../../../../server/domain/deps'
import { importCohortCsv } from '../../../../server/domain/outcomes/import'
import { createCode } from '../../../../server/domain/qualitative/codebook'
import { putTranscript, startInterview } from '../../../../server/domain/qualitative/interviews'
import { CONTEXT_POINTS, retrieveSegments, searchStudyTranscripts } from '../../../../server/domain/qualitative/retrieval'
import { createCohort, createStudy } from '../../../../server/domain/staff/setup'
import { testDeps } from '../../../helpers/app'
import { interviewSentences, sequence, staffMember, syntheticTranscript } from '../../../helpers/qualitative'

/** The shared interview sentences, and one in capitals for case-blind search. */
const SENTENCES = [...interviewSentences, 'AFRAID OF nothing now.']

/** A transcript of speaker turns about `length` UTF-16 units long; `plain` leaves out the sentences with emoji. */
const transcriptText = (random: () => number, code: string, length: number, plain = false) => syntheticTranscript(random, code, length, { plain, sentences: SENTENCES, opening: '🙂 ', turnEnd: '\n' })

/** What `retrieveSegments` shows around a passage, by the definition: code points, trimmed at the cut. */
function referenceAround(text: string, start: number, end: number, points: number) {
  const all = [...text]
  return { before: all.slice(Math.max(0, start - points), start).join('').trimStart(), after: all.slice(end, Math.min(all.length, end + points)).join('').trimEnd() }
}

/**
 * Two cohorts. Roles from the demographics form: cohort 1's P1 resident, P2 "other" (nurse
 * anaesthetist), P3 none, P4 psychologist but not interviewed; cohort 2's P1 nurse, P2 physician but
 * not interviewed. Interviews with P1–P3 of cohort 1 and P1 of cohort 2; one transcript has no
 * emoji. About 600 codings by two coders at random spans, from the very start to the very end.
 */
async function world() {
  const deps = await testDeps()
  const study = await createStudy(deps, { name: 'Long transcripts' }, 'test')
  const one = await createCohort(deps, { studyId: study.id, name: 'Group 1' }, 'test')
  const two = await createCohort(deps, { studyId: study.id, name: 'Group 2' }, 'test')
  const header = 'participant,wave,instrument,item,value'
  await importCohortCsv(
    deps,
    {
      cohortId: one.id,
      csv: [header, 'P1,enrolment,demographics,role,resident', 'P2,enrolment,demographics,role,other', 'P2,enrolment,demographics,role-Comment,Nurse anaesthetist', 'P3,enrolment,demographics,age,40', 'P4,enrolment,demographics,role,psychologist'].join('\n'),
    },
    'test',
  )
  await importCohortCsv(deps, { cohortId: two.id, csv: [header, 'P1,enrolment,demographics,role,nurse', 'P2,enrolment,demographics,role,physician'].join('\n') }, 'test')
  const coderA = await staffMember(deps, study.id, 'researcher')
  const coderB = await staffMember(deps, study.id, 'researcher')
  const codes = []
  for (const name of ['Fear', 'Leaders', 'Family', 'Calm']) codes.push(await createCode(deps, study.id, { level: 'code', name }, 'test'))

  const random = sequence(7)
  const interviewed: { cohortId: string; code: string; plain?: boolean }[] = [
    { cohortId: one.id, code: 'P1' },
    { cohortId: one.id, code: 'P2', plain: true },
    { cohortId: one.id, code: 'P3' },
    { cohortId: two.id, code: 'P1' },
  ]
  const texts = new Map<string, string>()
  const codings: Coding[] = []
  for (const [i, who] of interviewed.entries()) {
    const participant = (await listParticipants(deps.db, who.cohortId)).find((p) => p.code === who.code)!
    deps.clock.set(`2026-03-0${i + 3}T09:00:00.000Z`)
    const interview = await startInterview(deps, (await findParticipant(deps.db, participant.id))!, coderA, { consentToRecord: true })
    const transcript = await putTranscript(deps, interview, { format: 'text', content: transcriptText(random, who.code, 3000, who.plain) }, coderA)
    const place = (await findTranscriptPlace(deps.db, transcript.id))!
    texts.set(place.transcriptId, transcript.text)
    codings.push(...await codeAtRandom(deps, random, place.transcriptId, transcript.text, codes.map((c) => c.id), [coderA.id, coderB.id], 150))
  }
  return { deps, study, texts, codings }
}

/** `count` codings per coder at random spans (some at the very start and end), a few shared by both coders. */
async function codeAtRandom(deps: Deps, random: () => number, transcriptId: string, text: string, codeIds: string[], coderIds: string[], count: number): Promise<Coding[]> {
  const points = [...text]
  const seen = new Set<string>()
  const spans: { start: number; end: number; codeId: string }[] = [
    { start: 0, end: 5, codeId: codeIds[0]! },
    { start: points.length - 3, end: points.length, codeId: codeIds[1]! },
    { start: 0, end: points.length, codeId: codeIds[2]! },
  ]
  while (spans.length < count) {
    const start = Math.floor(random() * points.length)
    const end = Math.min(points.length, start + 1 + Math.floor(random() * 300))
    spans.push({ start, end, codeId: codeIds[Math.floor(random() * codeIds.length)]! })
  }
  return deps.db.transaction().execute(async (trx) => {
    const made: Coding[] = []
    for (const [i, span] of spans.entries()) {
      // Every third passage is coded by both coders; the rest by one, in turn.
      const coders = i % 3 === 0 ? coderIds : [coderIds[i % coderIds.length]!]
      for (const coderId of coders) {
        const key = `${span.codeId}:${coderId}:${span.start}:${span.end}`
        if (seen.has(key)) continue
        seen.add(key)
        made.push(await insertCoding(trx, { transcriptId, codeId: span.codeId, coderId, start: span.start, end: span.end, text: points.slice(span.start, span.end).join('') }, deps.now()))
      }
    }
    return made
  })
}

describe('retrieveSegments on long transcripts with emoji and Persian', () => {
  it('gives every passage once, with the code points before and after it as the definition does', async () => {
    const { deps, study, texts, codings } = await world()
    const { segments, roles } = await retrieveSegments(deps, study.id)
    const passages = new Map<string, Set<string>>()
    for (const c of codings) {
      const key = `${c.transcriptId}:${c.codeId}:${c.start}:${c.end}`
      passages.set(key, (passages.get(key) ?? new Set()).add(c.coderId))
    }
    expect(segments.length).toBeGreaterThan(500)
    expect(new Map(segments.map((s) => [`${s.transcriptId}:${s.code.id}:${s.start}:${s.end}`, new Set(s.coders.map((c) => c.id))]))).toEqual(passages)
    for (const segment of segments) {
      const text = texts.get(segment.transcriptId)!
      expect(segment.text).toBe([...text].slice(segment.start, segment.end).join(''))
      expect({ before: segment.before, after: segment.after }).toEqual(referenceAround(text, segment.start, segment.end, CONTEXT_POINTS))
    }
    // The passages at the very start and end of a transcript: nothing before, nothing after.
    expect(segments.filter((s) => s.start === 0).every((s) => s.before === '')).toBe(true)
    expect(segments.some((s) => s.start === 0 && s.end === 5 && s.text === '🙂 Int')).toBe(true)
    expect(segments.some((s) => s.text.endsWith('👋') && s.after === '')).toBe(true)
    // Roles of the interviewed only: not cohort 1's P4 (Psychologist) nor cohort 2's P2 (Physician).
    expect(roles).toEqual(['Nurse', 'Nurse anaesthetist', 'Resident'])
    const roleOf = new Map(segments.map((s) => [s.participant.label, s.role]))
    expect(Object.fromEntries(roleOf)).toEqual({ 'P1 (Group 1)': 'Resident', P2: 'Nurse anaesthetist', P3: null, 'P1 (Group 2)': 'Nurse' })
  })

  it('filters by role as before, the role as the form labels it', async () => {
    const { deps, study } = await world()
    const nurses = await retrieveSegments(deps, study.id, { role: 'nurse' })
    expect(new Set(nurses.segments.map((s) => s.participant.label))).toEqual(new Set(['P1 (Group 2)']))
    expect((await retrieveSegments(deps, study.id, { role: 'Psychologist' })).segments).toEqual([])
  })
})

describe('searchStudyTranscripts on long transcripts with emoji and Persian', () => {
  /** Every place the words occur, by the definition: offsets counted in code points from the start. */
  function referenceHits(texts: Map<string, string>, q: string) {
    const pattern = new RegExp(q.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'), 'giu')
    return [...texts].flatMap(([transcriptId, text]) =>
      [...text.matchAll(pattern)].map((found) => {
        const start = [...text.slice(0, found.index)].length
        const end = start + [...found[0]].length
        return { transcriptId, start, end, match: found[0], ...referenceAround(text, start, end, 60), withdrawn: false }
      }),
    )
  }

  it.each(['afraid of', 'بیماران', 'calmer 🙂 really', 'می‌ترسیدم', 'end'])('finds "%s" at the same code points as the definition', async (q) => {
    const { deps, study, texts } = await world()
    const { hits } = await searchStudyTranscripts(deps, study.id, q)
    const expected = referenceHits(texts, q)
    expect(expected.length).toBeGreaterThan(0)
    expect(hits.map(({ participant: _, ...hit }) => hit)).toEqual(expected)
  })
})
