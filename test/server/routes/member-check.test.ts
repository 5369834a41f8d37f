/**
 * Member checking over HTTP: at their own link a participant sees the quotations from their interview
 * chosen for Table 2, with the theme, category and code each illustrates, and confirms, comments on or
 * withdraws each one; the researchers read every answer with its time. Withdrawing from the study
 * with deletion takes the interview, its notes, transcript, codings and quotations with it.
 *
 * Each test builds a study with two interviewed participants on a fresh in-memory database and talks
 * to the participant API only through `app.request()`.
 */
import { describe, expect, it } from 'vitest'
import { findInterviewOfParticipant } from '../../../server/db/repositories/interviews'
import { createCode, createMemo } from '../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote, deleteCoding, recordResolution } from '../../../server/domain/qualitative/coding'
import { saveNote } from '../../../server/domain/qualitative/interviews'
import { addParticipants } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { codingStudy, spanOf } from '../../helpers/qualitative'
import { signedInStaff } from '../../helpers/staff'

type Json = Record<string, any>

const textP1 =
  'Interviewer: How was the group for you?\n' +
  'P1: At first I was scared of every new admission. That fear is smaller now — it doesn’t decide things for me.\n' +
  'Interviewer: And the leaders?\n' +
  'P1: They stepped in when someone judged me. I also liked joining from home.'
const textP2 = 'Interviewer: How was the group for you?\nP2: I felt listened to for the first time in months.'

async function world() {
  const built = await testApp()
  const { deps, clock } = built
  const study = await codingStudy(deps, [textP1, textP2])
  const [p1, p2] = study.participants as [(typeof study.participants)[0], (typeof study.participants)[0]]
  const [t1, t2] = study.transcripts as [(typeof study.transcripts)[0], (typeof study.transcripts)[0]]
  const actor = `staff:${study.coderA.id}`
  const S = study.study.id
  const theme = await createCode(deps, S, { level: 'theme', name: 'Effects of the group' }, actor)
  const patients = await createCode(deps, S, { level: 'category', name: 'Relationship with patients', parentId: theme.id }, actor)
  const feelings = await createCode(deps, S, { level: 'category', name: 'Own feelings', parentId: theme.id }, actor)
  const structure = await createCode(deps, S, { level: 'theme', name: 'Structure of the group' }, actor)
  const leadersCategory = await createCode(deps, S, { level: 'category', name: 'Leaders', parentId: structure.id }, actor)
  const fear = await createCode(deps, S, { level: 'code', name: 'Fear of patients easing', parentId: patients.id }, actor)
  const leaders = await createCode(deps, S, { level: 'code', name: 'Leaders who step in', parentId: leadersCategory.id }, actor)
  const heard = await createCode(deps, S, { level: 'code', name: 'Feeling heard', parentId: feelings.id }, actor)
  // Not yet grouped under a category: the participant still sees the code's name.
  const home = await createCode(deps, S, { level: 'code', name: 'Joining from home' }, actor)

  const code = async (place: typeof t1, codeId: string, text: string, phrase: string, coderId = study.coderA.id) =>
    (await addCodings(deps, place, coderId, { codeIds: [codeId], ...spanOf(text, phrase) })).codings[0]!
  const codings = {
    fear: await code(t1, fear.id, textP1, 'That fear is smaller now — it doesn’t decide things for me.'),
    leaders: await code(t1, leaders.id, textP1, 'They stepped in when someone judged me.'),
    home: await code(t1, home.id, textP1, 'I also liked joining from home.'),
    heard: await code(t2, heard.id, textP2, 'I felt listened to for the first time in months.'),
    // Coded by the second coder, never chosen: not a quotation to check.
    fearB: await code(t1, fear.id, textP1, 'At first I was scared of every new admission.', study.coderB.id),
  }
  // Chosen in the codebook's order of creation: leaders, then fear; the participant sees them in the order said.
  await chooseQuote(deps, leaders, codings.leaders.id, actor)
  await chooseQuote(deps, fear, codings.fear.id, actor)
  await chooseQuote(deps, heard, codings.heard.id, actor)
  const researcher = await signedInStaff(deps, [{ studyId: S, role: 'researcher' }])

  const get = async (token: string) => {
    const res = await built.app.request(`/api/p/${token}/quotes`)
    return { status: res.status, body: (await res.json()) as Json }
  }
  const answer = async (token: string, codingId: string, body: unknown) => {
    const res = await built.app.request(`/api/p/${token}/quotes/${codingId}`, jsonRequest('POST', body))
    return { status: res.status, body: (await res.json()) as Json }
  }
  const asResearcher = async (path: string) => {
    const res = await built.app.request(`/api/studies/${S}${path}`, { headers: researcher.headers })
    expect(res.status).toBe(200)
    return (await res.json()) as Json[]
  }
  return { ...built, clock, study: study.study, cohort: study.cohort, p1, p2, t1, t2, codes: { theme, patients, fear, leaders, heard, home }, codings, coderA: study.coderA, get, answer, asResearcher }
}
type World = Awaited<ReturnType<typeof world>>

/** Everything a member-check request could write. */
async function snapshot(db: World['db']) {
  return {
    member_check: await db.selectFrom('member_check').selectAll().orderBy('id').execute(),
    table2_quote: await db.selectFrom('table2_quote').selectAll().orderBy('code_id').execute(),
    audit_log: await db.selectFrom('audit_log').selectAll().orderBy('id').execute(),
  }
}

function expectError(res: { status: number; body: Json }, status: number, code: string, field?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code })
  expect(Object.keys(res.body)).toEqual(['error'])
  if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field)
}

describe('GET /api/p/:token/quotes', () => {
  it('lists the quotations chosen from this participant’s interview, in the order said, with their theme, category and code', async () => {
    const w = await world()
    const res = await w.get(w.p1.token)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      quotes: [
        {
          codingId: w.codings.fear.id,
          text: 'That fear is smaller now — it doesn’t decide things for me.',
          theme: 'Effects of the group',
          category: 'Relationship with patients',
          code: 'Fear of patients easing',
          chosen: true,
          answer: null,
        },
        {
          codingId: w.codings.leaders.id,
          text: 'They stepped in when someone judged me.',
          theme: 'Structure of the group',
          category: 'Leaders',
          code: 'Leaders who step in',
          chosen: true,
          answer: null,
        },
      ],
    })
    // The other participant sees only their own.
    expect((await w.get(w.p2.token)).body.quotes.map((q: Json) => q.codingId)).toEqual([w.codings.heard.id])
  })

  it('names a code that is not yet grouped without a theme or category', async () => {
    const w = await world()
    await chooseQuote(w.deps, w.codes.home, w.codings.home.id, 'test')
    const home = (await w.get(w.p1.token)).body.quotes.find((q: Json) => q.codingId === w.codings.home.id)
    expect(home).toMatchObject({ theme: null, category: null, code: 'Joining from home', chosen: true })
  })

  it('answers an empty list to a participant with no interview, and 404 to an unknown link', async () => {
    const w = await world()
    const [p3] = await addParticipants(w.deps, { cohortId: w.cohort.id, count: 1 }, 'test')
    expect(await w.get(p3!.token)).toEqual({ status: 200, body: { quotes: [] } })
    expectError(await w.get('not-a-real-token-at-all-0000000000000'), 404, 'link_not_found')
  })
})

describe('POST /api/p/:token/quotes/:codingId', () => {
  it('records a confirmation with its time, audited, and shows it back', async () => {
    const w = await world()
    w.clock.set('2026-03-05T14:30:00.000Z')
    const res = await w.answer(w.p1.token, w.codings.fear.id, { decision: 'confirm' })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ codingId: w.codings.fear.id, chosen: true, answer: { decision: 'confirm', comment: null, answeredAt: '2026-03-05T14:30:00.000Z' } })
    const rows = await w.db.selectFrom('member_check').selectAll().execute()
    expect(rows).toEqual([expect.objectContaining({ coding_id: w.codings.fear.id, participant_id: w.p1.id, decision: 'confirm', comment: null, decided_at: '2026-03-05T14:30:00.000Z' })])
    const audit = await w.db.selectFrom('audit_log').selectAll().where('action', '=', 'member_check.record').execute()
    expect(audit).toEqual([
      expect.objectContaining({ actor: `participant:${w.p1.id}`, entity: 'coding', entity_id: w.codings.fear.id, at: '2026-03-05T14:30:00.000Z', details: JSON.stringify({ decision: 'confirm', commented: false }) }),
    ])
    expect((await w.get(w.p1.token)).body.quotes[0].answer).toEqual({ decision: 'confirm', comment: null, answeredAt: '2026-03-05T14:30:00.000Z' })
  })

  it('treats the same answer sent again as a retry: 200, the first answer, nothing written', async () => {
    const w = await world()
    const first = await w.answer(w.p1.token, w.codings.fear.id, { decision: 'comment', comment: '  It was more shame than fear.  ' })
    expect(first.status).toBe(201)
    expect(first.body.answer).toEqual({ decision: 'comment', comment: 'It was more shame than fear.', answeredAt: '2026-03-02T09:00:00.000Z' })
    w.clock.advance(5_000)
    const before = await snapshot(w.db)
    const again = await w.answer(w.p1.token, w.codings.fear.id, { decision: 'comment', comment: 'It was more shame than fear.' })
    expect(again).toEqual({ status: 200, body: first.body })
    expect(await snapshot(w.db)).toEqual(before)
  })

  it('keeps every answer with its time; the latest counts, and the researchers read them all', async () => {
    const w = await world()
    expect((await w.answer(w.p1.token, w.codings.fear.id, { decision: 'confirm' })).status).toBe(201)
    w.clock.advance(3_600_000)
    const changed = await w.answer(w.p1.token, w.codings.fear.id, { decision: 'comment', comment: 'I would say anxious rather than scared.' })
    expect(changed.status).toBe(201)
    expect(changed.body.answer).toEqual({ decision: 'comment', comment: 'I would say anxious rather than scared.', answeredAt: '2026-03-02T10:00:00.000Z' })
    // A comment may come with a confirmation too.
    expect((await w.answer(w.p2.token, w.codings.heard.id, { decision: 'confirm', comment: 'Yes, that is right.' })).status).toBe(201)

    const checks = await w.asResearcher('/member-checks')
    expect(checks.map((c) => [c.participantCode, c.codeId, c.decision, c.comment, c.decidedAt])).toEqual([
      ['P1', w.codes.fear.id, 'confirm', null, '2026-03-02T09:00:00.000Z'],
      ['P1', w.codes.fear.id, 'comment', 'I would say anxious rather than scared.', '2026-03-02T10:00:00.000Z'],
      ['P2', w.codes.heard.id, 'confirm', 'Yes, that is right.', '2026-03-02T10:00:00.000Z'],
    ])
    const quotes = await w.asResearcher('/quotes')
    expect(quotes.find((q) => q.codingId === w.codings.fear.id)?.memberCheck).toMatchObject({ decision: 'comment', decidedAt: '2026-03-02T10:00:00.000Z' })
  })

  it('takes a withdrawn quotation out of Table 2 at once; the participant still sees what they answered', async () => {
    const w = await world()
    const res = await w.answer(w.p1.token, w.codings.leaders.id, { decision: 'withdraw', comment: 'Someone could recognise me from this.' })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ codingId: w.codings.leaders.id, chosen: false, answer: { decision: 'withdraw', comment: 'Someone could recognise me from this.' } })
    expect((await w.asResearcher('/quotes')).map((q) => q.codingId).sort()).toEqual([w.codings.fear.id, w.codings.heard.id].sort())
    expect((await w.get(w.p1.token)).body.quotes.map((q: Json) => [q.codingId, q.chosen])).toEqual([
      [w.codings.fear.id, true],
      [w.codings.leaders.id, false],
    ])
    // Withdrawing again is a retry; confirming afterwards is a new answer (the researchers may choose it again).
    expect((await w.answer(w.p1.token, w.codings.leaders.id, { decision: 'withdraw', comment: 'Someone could recognise me from this.' })).status).toBe(200)
    expect((await w.answer(w.p1.token, w.codings.leaders.id, { decision: 'confirm' })).status).toBe(201)
  })

  const invalid: { name: string; body: unknown; field?: string; status?: number; code?: string }[] = [
    { name: 'no decision', body: {}, field: 'decision' },
    { name: 'an unknown decision', body: { decision: 'maybe' }, field: 'decision' },
    { name: 'a comment decision without a comment', body: { decision: 'comment' }, field: 'comment' },
    { name: 'a comment decision with only spaces', body: { decision: 'comment', comment: '   ' }, field: 'comment' },
    { name: 'a comment that is not text', body: { decision: 'confirm', comment: 42 }, field: 'comment' },
    { name: 'a comment longer than 5000 characters', body: { decision: 'comment', comment: 'x'.repeat(5001) }, field: 'comment' },
    { name: 'a field that is not ours', body: { decision: 'confirm', codingId: 'someone-else' } },
    { name: 'an array', body: ['confirm'] },
  ]
  for (const c of invalid) {
    it(`refuses ${c.name} with 422 and writes nothing`, async () => {
      const w = await world()
      const before = await snapshot(w.db)
      expectError(await w.answer(w.p1.token, w.codings.fear.id, c.body), 422, 'validation_failed', c.field)
      expect(await snapshot(w.db)).toEqual(before)
    })
  }

  it('refuses a body that is not JSON with 400', async () => {
    const w = await world()
    const res = await w.app.request(`/api/p/${w.p1.token}/quotes/${w.codings.fear.id}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'confirm' })
    expect(res.status).toBe(400)
  })

  it('answers 404 for a quotation that is not theirs, and writes nothing', async () => {
    const w = await world()
    const before = await snapshot(w.db)
    // Another participant's quotation, a coding of theirs never chosen, a coding that does not exist, an id too long to be one.
    for (const codingId of [w.codings.heard.id, w.codings.fearB.id, w.codings.home.id, 'no-such-coding', 'x'.repeat(65)]) {
      expectError(await w.answer(w.p1.token, codingId, { decision: 'confirm' }), 404, 'not_found')
    }
    expectError(await w.answer('not-a-real-token-at-all-0000000000000', w.codings.fear.id, { decision: 'confirm' }), 404, 'link_not_found')
    expect(await snapshot(w.db)).toEqual(before)
  })

  it('refuses answers from a participant who has withdrawn (keeping their data) with 409, while still showing the quotations', async () => {
    const w = await world()
    await w.app.request(`/api/p/${w.p1.token}/withdraw`, jsonRequest('POST', { keepData: true }))
    const before = await snapshot(w.db)
    expectError(await w.answer(w.p1.token, w.codings.fear.id, { decision: 'withdraw' }), 409, 'withdrawn')
    expect(await snapshot(w.db)).toEqual(before)
    expect((await w.get(w.p1.token)).body.quotes).toHaveLength(2)
  })
})

describe('withdrawal and the interview', () => {
  /** P1's interview with a note, a soft-deleted coding, a resolved disagreement, a transcript memo and a member check. */
  async function interviewWithEverything(w: World) {
    const interview = (await findInterviewOfParticipant(w.db, w.p1.id))!
    await saveNote(w.deps, interview, 'experience', { text: 'Talked about fear of admissions.', revision: 1 }, w.coderA)
    const extra = (await addCodings(w.deps, w.t1, w.coderA.id, { codeIds: [w.codes.heard.id], ...spanOf(textP1, 'Interviewer: And the leaders?') })).codings[0]!
    await deleteCoding(w.deps, extra, w.coderA.id)
    await recordResolution(w.deps, w.t1, w.coderA.id, { codeId: w.codes.fear.id, ...spanOf(textP1, 'At first I was scared of every new admission.'), decision: 'applies', note: 'Both agree.' })
    await createMemo(w.deps, w.study.id, { targetType: 'transcript', targetId: w.t1.transcriptId, text: 'P1 said: fear is smaller now.' }, w.coderA.id)
    await createMemo(w.deps, w.study.id, { targetType: 'project', text: 'A project memo stays.' }, w.coderA.id)
    expect((await w.answer(w.p1.token, w.codings.fear.id, { decision: 'confirm' })).status).toBe(201)
    return interview
  }

  const countOf = async (w: World, table: 'interview' | 'interview_note' | 'transcript' | 'coding' | 'table2_quote' | 'member_check' | 'agreement_resolution' | 'memo') =>
    Number((await w.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

  it('deletes the interview, notes, transcript, codings and quotations when the participant withdraws with deletion', async () => {
    const w = await world()
    const interview = await interviewWithEverything(w)
    const res = await w.app.request(`/api/p/${w.p1.token}/withdraw`, jsonRequest('POST', { keepData: false }))
    expect(res.status).toBe(200)

    expect(await findInterviewOfParticipant(w.db, w.p1.id)).toBeUndefined()
    expect(await w.db.selectFrom('interview_note').selectAll().where('interview_id', '=', interview.id).execute()).toEqual([])
    expect(await w.db.selectFrom('transcript').select('id').where('id', '=', w.t1.transcriptId).execute()).toEqual([])
    // Every coding of the transcript, the soft-deleted one too (it keeps a copy of the words).
    expect(await w.db.selectFrom('coding').select('text').where('transcript_id', '=', w.t1.transcriptId).execute()).toEqual([])
    expect(await w.db.selectFrom('agreement_resolution').selectAll().where('transcript_id', '=', w.t1.transcriptId).execute()).toEqual([])
    expect(await w.db.selectFrom('memo').select('text').where('deleted_at', 'is', null).execute()).toEqual([{ text: 'A project memo stays.' }])
    // Table 2 keeps only P2's quotation; P1's member check went with its coding.
    expect((await w.asResearcher('/quotes')).map((q) => q.participantCode)).toEqual(['P2'])
    expect(await countOf(w, 'member_check')).toBe(0)
    // P2's interview is untouched.
    expect(await countOf(w, 'interview')).toBe(1)
    expect(await w.db.selectFrom('coding').select('text').execute()).toEqual([{ text: 'I felt listened to for the first time in months.' }])

    const audit = await w.db.selectFrom('audit_log').selectAll().where('action', '=', 'interview.delete').execute()
    expect(audit).toEqual([expect.objectContaining({ actor: `participant:${w.p1.id}`, entity: 'interview', entity_id: interview.id })])
    // Six codings: the five of the coders and the consensus coding its "applies" resolution recorded.
    expect(JSON.parse(audit[0]!.details)).toEqual({ because: 'participant.withdraw', notes: 1, transcripts: 1, codings: 6, quotes: 2, memberChecks: 1, resolutions: 1, memos: 1 })
    expect(await w.get(w.p1.token)).toEqual({ status: 200, body: { quotes: [] } })
  })

  it('keeps the interview and everything on it when the participant withdraws keeping their data', async () => {
    const w = await world()
    await interviewWithEverything(w)
    const counts = async () => Object.fromEntries(await Promise.all((['interview', 'interview_note', 'transcript', 'coding', 'table2_quote', 'member_check', 'agreement_resolution', 'memo'] as const).map(async (t) => [t, await countOf(w, t)])))
    const before = await counts()
    expect((await w.app.request(`/api/p/${w.p1.token}/withdraw`, jsonRequest('POST', { keepData: true }))).status).toBe(200)
    expect(await counts()).toEqual(before)
    expect(await w.db.selectFrom('audit_log').selectAll().where('action', '=', 'interview.delete').execute()).toEqual([])
  })
})
