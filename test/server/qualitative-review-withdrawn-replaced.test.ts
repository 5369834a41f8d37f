/**
 * Withdrawn words after the transcript's text is replaced (from the qualitative review). A
 * participant withdraws a quotation in member checking; the researchers delete the transcript's
 * codings and replace its text (names taken out, say), which moves every passage. The withdrawal
 * was kept as the offsets of the withdrawn coding, so after the replacement it covered other words,
 * and a new coding of the very words the participant withdrew could be chosen for Table 2 again.
 * Withdrawn means the words themselves (README, "Checking quotes"): they are found again in the new text.
 */
import { describe, expect, it } from 'vitest'
import { findInterviewOfParticipant } from '../../server/db/repositories/interviews'
import { findParticipant } from '../../server/db/repositories/participants'
import { createCode } from '../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, deleteCoding, recordMemberCheck } from '../../server/domain/qualitative/coding'
import { putTranscript } from '../../server/domain/qualitative/interviews'
import { codePointSlicer } from '../../server/domain/qualitative/units'
import { loadWithdrawnPassages, placesOfWords } from '../../server/domain/qualitative/withdrawn'
import { testDeps } from '../helpers/app'
import { codingStudy, spanOf } from '../helpers/qualitative'

const BEFORE = 'Interviewer: Dr Ahmadi, how was it?\nP1: My chief shouted at me 😠 in front of the patient. Later the group helped.'
// The name out and a note in: the withdrawn words move by more than their own length.
const AFTER = 'Interviewer: [name], how was it? [The interviewer took out the name of the hospital and of the ward here.]\nP1: My chief shouted at me 😠 in front of the patient. Later the group helped.'
const WITHDRAWN = 'My chief shouted at me 😠 in front of the patient.'

async function withdrawnThenReplaced(after: string) {
  const deps = await testDeps()
  const w = await codingStudy(deps, [BEFORE])
  const actor = `staff:${w.coderA.id}`
  const category = await createCode(deps, w.study.id, { level: 'category', name: 'Work' }, actor)
  const code = await createCode(deps, w.study.id, { level: 'code', name: 'Shamed by a senior', parentId: category.id }, actor)
  const place = w.transcripts[0]!
  const first = await addCodings(deps, place, w.coderA.id, { codeIds: [code.id], ...spanOf(BEFORE, WITHDRAWN) })
  await chooseQuote(deps, code, first.codings[0]!.id, actor)
  const participant = (await findParticipant(deps.db, w.participants[0]!.id))!
  await recordMemberCheck(deps, participant, { codingId: first.codings[0]!.id, decision: 'withdraw' })
  // The researchers take the name out: the codings go first, then the text is replaced.
  await deleteCoding(deps, first.codings[0]!, w.coderA.id)
  const interview = (await findInterviewOfParticipant(deps.db, participant.id))!
  await putTranscript(deps, interview, { format: 'text', content: after }, w.coderA)
  return { deps, w, code, place, actor }
}

describe('words a participant withdrew, after the transcript text is replaced', () => {
  it('stay withdrawn where they now are, and other words are not', async () => {
    const { deps, w, code, place, actor } = await withdrawnThenReplaced(AFTER)
    const again = await addCodings(deps, place, w.coderB.id, { codeIds: [code.id], ...spanOf(AFTER, WITHDRAWN) })
    await expect(chooseQuote(deps, code, again.codings[0]!.id, actor)).rejects.toMatchObject({ code: 'conflict' })

    const withdrawn = await loadWithdrawnPassages(deps, { transcriptId: place.transcriptId })
    // The words before them, where the withdrawn span used to start, are not withdrawn.
    expect(withdrawn.overlaps({ transcriptId: place.transcriptId, ...spanOf(AFTER, '[name], how') })).toBe(false)
    const later = await addCodings(deps, place, w.coderB.id, { codeIds: [code.id], ...spanOf(AFTER, 'Later the group helped.') })
    await expect(chooseQuote(deps, code, later.codings[0]!.id, actor)).resolves.toMatchObject({ codingId: later.codings[0]!.id })
  })

  it('leave nothing withdrawn when the new text no longer holds them', async () => {
    const redacted = 'Interviewer: [name], how was it?\nP1: [withdrawn] Later the group helped.'
    const { deps, w, code, place, actor } = await withdrawnThenReplaced(redacted)
    const later = await addCodings(deps, place, w.coderB.id, { codeIds: [code.id], ...spanOf(redacted, 'Later the group helped.') })
    await expect(chooseQuote(deps, code, later.codings[0]!.id, actor)).resolves.toMatchObject({ codingId: later.codings[0]!.id })
  })
})

describe('placesOfWords', () => {
  it('counts code points: an emoji or a ZWNJ before the words moves them by one each', () => {
    const text = '😀 می‌ترسیدم. Then 👩‍👩‍👧 I was afraid. I was afraid.'
    const span = { transcriptId: 't', start: 0, end: 3, words: 'I was afraid.', transcriptText: text }
    const places = placesOfWords(span, codePointSlicer(text))
    expect(places.map((p) => [...text].slice(p.start, p.end).join(''))).toEqual(['I was afraid.', 'I was afraid.'])
    expect(places[0]!.start).toBe([...text.slice(0, text.indexOf('I was'))].length)
    // Still at its offsets: that place only.
    const at = places[1]!
    expect(placesOfWords({ ...span, ...at }, codePointSlicer(text))).toEqual([at])
  })

  // Found by the review of the day's commits: a withdrawn "no" also withdrew "know", "nothing" and "now".
  it('finds whole words only, in English and in Persian', () => {
    const text = 'I know nothing now. No, no.'
    const places = placesOfWords({ transcriptId: 't', start: 100, end: 102, words: 'no', transcriptText: text }, codePointSlicer(text))
    expect(places.map((p) => p.start)).toEqual([[...text].length - 3])
    const persian = 'نمی‌دانم. دانم را می‌دانستم. دانم'
    const found = placesOfWords({ transcriptId: 't', start: 500, end: 504, words: 'دانم', transcriptText: persian }, codePointSlicer(persian))
    // Not the دانم inside نمی‌دانم (after a ZWNJ, a part of the same word) nor inside می‌دانستم.
    expect(found.map((p) => [...persian].slice(p.start, p.end).join(''))).toEqual(['دانم', 'دانم'])
  })
})
