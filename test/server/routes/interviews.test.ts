/**
 * Interviews and coding over HTTP: the interview guide, who may see which participant's interview,
 * notes saved as typed, transcripts (plain text and WebVTT), codings in code points with blind
 * coders, the codebook's rename/move/merge, memos, Table 2 quotations and resolved disagreements.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listAudit } from '../../../server/db/repositories/audit'
import { checkInterviewGuide, InstrumentFileError, loadInstruments, shippedInstrumentsFolder } from '../../../server/domain/instruments/registry'
import { addParticipants, createCohort, createStudy } from '../../../server/domain/staff/setup'
import { shippedInstruments, testApp } from '../../helpers/app'
import { spanOf } from '../../helpers/qualitative'
import { signedInStaff } from '../../helpers/staff'

type Json = Record<string, any>
type Staff = Awaited<ReturnType<typeof signedInStaff>>

async function world() {
  const built = await testApp()
  const { deps } = built
  const study = await createStudy(deps, { name: 'Interview study' }, 'test')
  const cohort = await createCohort(deps, { studyId: study.id, name: 'Group 1' }, 'test')
  const [p1, p2] = await addParticipants(deps, { cohortId: cohort.id, count: 2 }, 'test')
  const otherStudy = await createStudy(deps, { name: 'Other study' }, 'test')
  const otherCohort = await createCohort(deps, { studyId: otherStudy.id, name: 'Elsewhere' }, 'test')
  const [q1] = await addParticipants(deps, { cohortId: otherCohort.id, count: 1 }, 'test')
  const S = study.id
  const staff = {
    researcher: await signedInStaff(deps, [{ studyId: S, role: 'researcher' }]),
    secondCoder: await signedInStaff(deps, [{ studyId: S, role: 'researcher' }]),
    interviewer: await signedInStaff(deps, [{ studyId: S, role: 'interviewer' }]),
    otherInterviewer: await signedInStaff(deps, [{ studyId: S, role: 'interviewer' }]),
    lead: await signedInStaff(deps, [{ studyId: S, role: 'program_lead' }]),
    leader: await signedInStaff(deps, [{ studyId: S, role: 'group_leader' }]),
    outsider: await signedInStaff(deps, [
      { studyId: otherStudy.id, role: 'researcher' },
      { studyId: otherStudy.id, role: 'interviewer' },
    ]),
  }
  const call = async (who: Staff, method: string, path: string, body?: unknown) => {
    const res = await built.app.request(`/api${path}`, {
      method,
      headers: { ...who.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Json }
  }
  return { ...built, study, cohort, p1: p1!, p2: p2!, otherStudy, q1: q1!, staff, call }
}
type World = Awaited<ReturnType<typeof world>>

/** Assign the interviewer to P1 and start P1's interview with consent to record. */
async function startedInterview(w: World) {
  const assigned = await w.call(w.staff.researcher, 'POST', `/studies/${w.study.id}/interview-assignments`, { interviewerId: w.staff.interviewer.user.id, participantId: w.p1.id })
  expect(assigned.status).toBe(201)
  const started = await w.call(w.staff.interviewer, 'POST', `/participants/${w.p1.id}/interview`, { consentToRecord: true })
  expect(started.status).toBe(201)
  return started.body
}

async function withTranscript(w: World, content: string, format: 'text' | 'vtt' = 'text') {
  const interview = await startedInterview(w)
  const put = await w.call(w.staff.interviewer, 'PUT', `/interviews/${interview.id}/transcript`, { format, content })
  expect(put.status).toBe(200)
  return { interview, transcript: put.body }
}

/** theme → category → code, created by the researcher. */
async function codes(w: World, names: string[] = ['Fear decreased']) {
  const post = async (body: Json) => {
    const res = await w.call(w.staff.researcher, 'POST', `/studies/${w.study.id}/codes`, body)
    expect(res.status).toBe(201)
    return res.body
  }
  const theme = await post({ level: 'theme', name: 'Effects of the group' })
  const category = await post({ level: 'category', name: 'Relationship with patients', parentId: theme.id })
  const leaves: any[] = []
  for (const name of names) leaves.push(await post({ level: 'code', name, parentId: category.id }))
  return { theme, category, leaves }
}

function expectError(res: { status: number; body: Json }, status: number, code: string, field?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code })
  expect(Object.keys(res.body)).toEqual(['error'])
  if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field)
}

describe('the interview guide', () => {
  const shipped = () => JSON.parse(readFileSync(join(shippedInstrumentsFolder, 'balint-interview-guide.json'), 'utf8')) as Json

  it('ships the five main questions with probes, kept apart from the forms', () => {
    const guide = shippedInstruments().guide('balint-interview-guide')!
    expect(guide.kind).toBe('interview-guide')
    expect(guide.questions.map((q) => q.id)).toEqual(['experience', 'interesting', 'safety', 'relationship', 'difficult-feelings'])
    for (const q of guide.questions) expect(q.probes.length).toBeGreaterThan(0)
    // In English and, from balint-interview-guide.fa.json, in Persian.
    expect(guide.introduction).toEqual({ default: expect.stringMatching(/record/), fa: expect.stringContaining('ضبط') })
    // A guide is not a form: it is never offered where a questionnaire is expected.
    expect(shippedInstruments().get('balint-interview-guide')).toBeUndefined()
    expect(shippedInstruments().list().map((i) => i.id)).not.toContain('balint-interview-guide')
  })

  it('names the broken field of a guide', () => {
    const problems = (json: Json) => {
      const result = checkInterviewGuide(json, 'broken-guide.json')
      return result.ok ? [] : result.problems
    }
    expect(problems(shipped())).toEqual([])

    const emptyProbe = shipped()
    emptyProbe.questions[2].probes[1] = ''
    expect(problems(emptyProbe)).toEqual([expect.objectContaining({ file: 'broken-guide.json', field: 'questions[2].probes[1]' })])

    const noText = shipped()
    delete noText.questions[0].text
    expect(problems(noText)).toEqual([expect.objectContaining({ field: 'questions[0].text' })])

    const twice = shipped()
    twice.questions[1].id = 'experience'
    expect(problems(twice)).toEqual([expect.objectContaining({ field: 'questions[1].id', message: expect.stringContaining('used twice') })])

    const noQuestions = shipped()
    noQuestions.questions = []
    expect(problems(noQuestions)).toEqual([expect.objectContaining({ field: 'questions' })])
  })

  it('stops loading with the file and field of a broken guide', () => {
    const folder = mkdtempSync(join(tmpdir(), 'balint-guides-'))
    try {
      const broken = shipped()
      broken.questions[3].probes = 'not a list'
      writeFileSync(join(folder, 'our-guide.json'), JSON.stringify(broken))
      let thrown: unknown
      try {
        loadInstruments([folder])
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InstrumentFileError)
      expect((thrown as Error).message).toContain('our-guide.json: questions[3].probes')
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('is served to researchers and interviewers of the study only', async () => {
    const w = await world()
    const path = `/studies/${w.study.id}/interview-guides`
    const ok = await w.call(w.staff.interviewer, 'GET', path)
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual([expect.objectContaining({ id: 'balint-interview-guide', version: '1.0.0', questions: expect.any(Array) })])
    expect((await w.call(w.staff.researcher, 'GET', path)).status).toBe(200)
    expectError(await w.call(w.staff.lead, 'GET', path), 403, 'forbidden')
    expectError(await w.call(w.staff.outsider, 'GET', path), 404, 'not_found')
  })
})

describe('who sees which interview', () => {
  it('shows an interviewer only the participants assigned to them', async () => {
    const w = await world()
    const interview = await startedInterview(w)
    const mine = await w.call(w.staff.interviewer, 'GET', '/interviewer/participants')
    expect(mine.body).toEqual([
      expect.objectContaining({ participantId: w.p1.id, participantCode: 'P1', interviewStatus: 'in_progress', study: { id: w.study.id, name: 'Interview study', timeZone: w.study.timeZone } }),
    ])
    expect((await w.call(w.staff.otherInterviewer, 'GET', '/interviewer/participants')).body).toEqual([])

    // P2 is not theirs: not found, whether they read or write, exactly as an id that does not exist.
    const unassigned = await w.call(w.staff.interviewer, 'GET', `/participants/${w.p2.id}/interview`)
    expectError(unassigned, 404, 'not_found')
    expect(unassigned.body).toEqual((await w.call(w.staff.interviewer, 'GET', '/participants/no-such-participant/interview')).body)
    expectError(await w.call(w.staff.interviewer, 'POST', `/participants/${w.p2.id}/interview`, { consentToRecord: true }), 404, 'not_found')
    expectError(await w.call(w.staff.otherInterviewer, 'GET', `/interviews/${interview.id}`), 404, 'not_found')

    // Their own: the guide's prompts in order.
    const own = await w.call(w.staff.interviewer, 'GET', `/interviews/${interview.id}`)
    expect(own.status).toBe(200)
    expect(own.body.guide.questions.map((q: Json) => q.id)).toEqual(['experience', 'interesting', 'safety', 'relationship', 'difficult-feelings'])
    expect(own.body).toMatchObject({ participant: { code: 'P1' }, consentToRecord: true, endedAt: null, notes: [], transcript: null })
  })

  it('takes access away with the assignment', async () => {
    const w = await world()
    const interview = await startedInterview(w)
    const [assignment] = (await w.call(w.staff.researcher, 'GET', `/studies/${w.study.id}/interview-assignments`)).body as Json[]
    expect(assignment).toMatchObject({ participantCode: 'P1', interviewerId: w.staff.interviewer.user.id, interviewStatus: 'in_progress' })
    expect((await w.call(w.staff.researcher, 'DELETE', `/studies/${w.study.id}/interview-assignments/${assignment!.id}`)).status).toBe(200)
    expectError(await w.call(w.staff.interviewer, 'GET', `/interviews/${interview.id}`), 404, 'not_found')
    // The researcher still sees it: the interview stays.
    expect((await w.call(w.staff.researcher, 'GET', `/interviews/${interview.id}`)).status).toBe(200)
  })

  it('assigns only interviewers of the study to its participants', async () => {
    const w = await world()
    const path = `/studies/${w.study.id}/interview-assignments`
    expectError(await w.call(w.staff.researcher, 'POST', path, { interviewerId: w.staff.secondCoder.user.id, participantId: w.p1.id }), 422, 'validation_failed', 'interviewerId')
    expectError(await w.call(w.staff.researcher, 'POST', path, { interviewerId: w.staff.interviewer.user.id, participantId: w.q1.id }), 422, 'validation_failed', 'participantId')
    const first = await w.call(w.staff.researcher, 'POST', path, { interviewerId: w.staff.interviewer.user.id, participantId: w.p1.id })
    const again = await w.call(w.staff.researcher, 'POST', path, { interviewerId: w.staff.interviewer.user.id, participantId: w.p1.id })
    expect([first.status, again.status]).toEqual([201, 200])
    expect(again.body.id).toBe(first.body.id)
    expectError(await w.call(w.staff.interviewer, 'POST', path, { interviewerId: w.staff.interviewer.user.id, participantId: w.p2.id }), 403, 'forbidden')
  })

  it('never shows program leads or group leaders transcripts, notes, codings or quotations', async () => {
    const w = await world()
    const { interview, transcript } = await withTranscript(w, 'P1: I was afraid at first.')
    const { leaves } = await codes(w)
    const coded = await w.call(w.staff.researcher, 'POST', `/transcripts/${transcript.id}/codings`, { codeIds: [leaves[0].id], ...spanOf('P1: I was afraid at first.', 'afraid') })
    await w.call(w.staff.researcher, 'PUT', `/codes/${leaves[0].id}/quote`, { codingId: coded.body.codings[0].id })
    const requests: [string, string, unknown?][] = [
      ['GET', `/participants/${w.p1.id}/interview`],
      ['GET', `/interviews/${interview.id}`],
      ['PUT', `/interviews/${interview.id}/notes/experience`, { text: 'x', revision: 1 }],
      ['GET', `/transcripts/${transcript.id}`],
      ['GET', `/transcripts/${transcript.id}/codings?coders=all`],
      ['GET', `/studies/${w.study.id}/quotes`],
      ['GET', `/studies/${w.study.id}/codes`],
      ['GET', `/codes/${leaves[0].id}/history`],
      ['GET', `/studies/${w.study.id}/transcripts`],
      ['GET', `/studies/${w.study.id}/memos`],
    ]
    for (const who of [w.staff.lead, w.staff.leader]) {
      for (const [method, path, body] of requests) {
        const res = await w.call(who, method, path, body)
        expect({ path, status: res.status }).toEqual({ path, status: 403 })
        expect(JSON.stringify(res.body)).not.toContain('afraid')
      }
    }
    // Staff of another study: not found, for every one of them.
    for (const [method, path, body] of requests) expect({ path, status: (await w.call(w.staff.outsider, method, path, body)).status }).toEqual({ path, status: 404 })
    // An interviewer does interviews, not coding.
    expectError(await w.call(w.staff.interviewer, 'GET', `/transcripts/${transcript.id}/codings`), 403, 'forbidden')
  })
})

describe('an interview', () => {
  it('saves notes per prompt idempotently by revision', async () => {
    const w = await world()
    const interview = await startedInterview(w)
    const note = (text: string, revision: number, question = 'safety') => w.call(w.staff.interviewer, 'PUT', `/interviews/${interview.id}/notes/${question}`, { text, revision })

    expect((await note('Felt judged in', 1)).body).toMatchObject({ questionId: 'safety', revision: 1, stale: false })
    // A retry of the same save, and a slow save overtaken by a newer one, change nothing.
    expect((await note('Felt judged in', 1)).body).toMatchObject({ revision: 1, stale: true })
    expect((await note('Felt judged in the first session', 3)).body).toMatchObject({ revision: 3, stale: false })
    expect((await note('Felt judged in the first', 2)).body).toMatchObject({ revision: 3, stale: true })
    await note('Liked the leaders being active', 1, 'interesting')

    const view = (await w.call(w.staff.interviewer, 'GET', `/interviews/${interview.id}`)).body
    // In the guide's order, not the order of saving.
    expect(view.notes.map((n: Json) => [n.questionId, n.text, n.revision])).toEqual([
      ['interesting', 'Liked the leaders being active', 1],
      ['safety', 'Felt judged in the first session', 3],
    ])
    expectError(await note('x', 9, 'no-such-question'), 404, 'not_found')
    expectError(await w.call(w.staff.interviewer, 'PUT', `/interviews/${interview.id}/notes/safety`, { text: 'x', revision: 0 }), 422, 'validation_failed', 'revision')
    // One audit entry per note, not one per keystroke.
    expect((await listAudit(w.db, { entityId: interview.id })).filter((a) => a.action === 'interview.note')).toHaveLength(2)
  })

  it('records start, end and consent to record', async () => {
    const w = await world()
    const interview = await startedInterview(w)
    expect(interview.startedAt).toBe('2026-03-02T09:00:00.000Z')
    const path = `/interviews/${interview.id}`
    expectError(await w.call(w.staff.interviewer, 'PATCH', path, { endedAt: '2026-03-02T08:00:00Z' }), 422, 'validation_failed', 'endedAt')
    const ended = await w.call(w.staff.interviewer, 'PATCH', path, { endedAt: '2026-03-02T09:35:00+00:00' })
    expect(ended.body).toMatchObject({ endedAt: '2026-03-02T09:35:00.000Z', status: 'ended' })
    expectError(await w.call(w.staff.interviewer, 'PATCH', path, {}), 422, 'validation_failed')
    // One interview per participant.
    const second = await w.call(w.staff.interviewer, 'POST', `/participants/${w.p1.id}/interview`, { consentToRecord: true })
    expectError(second, 409, 'conflict')
    expect(second.body.error.details).toEqual({ interviewId: interview.id })
    expectError(await w.call(w.staff.researcher, 'POST', `/participants/${w.p2.id}/interview`, { consentToRecord: true, guideId: 'phq-9' }), 422, 'validation_failed', 'guideId')
  })

  it('takes no transcript without consent to record', async () => {
    const w = await world()
    await w.call(w.staff.researcher, 'POST', `/studies/${w.study.id}/interview-assignments`, { interviewerId: w.staff.interviewer.user.id, participantId: w.p1.id })
    const interview = (await w.call(w.staff.interviewer, 'POST', `/participants/${w.p1.id}/interview`, { consentToRecord: false })).body
    expectError(await w.call(w.staff.interviewer, 'PUT', `/interviews/${interview.id}/transcript`, { format: 'text', content: 'P1: hello' }), 409, 'consent_required')
    await w.call(w.staff.interviewer, 'PATCH', `/interviews/${interview.id}`, { consentToRecord: true })
    expect((await w.call(w.staff.interviewer, 'PUT', `/interviews/${interview.id}/transcript`, { format: 'text', content: 'P1: hello' })).status).toBe(200)
    // With a transcript stored, consent cannot silently be taken back.
    expectError(await w.call(w.staff.interviewer, 'PATCH', `/interviews/${interview.id}`, { consentToRecord: false }), 409, 'conflict')
  })
})

describe('transcripts', () => {
  it('keeps the line and page breaks of a pasted Word document as line breaks', async () => {
    const w = await world()
    // Word's clipboard text: a manual line break is U+000B, a page break U+000C; other editors send U+2028/U+2029.
    const pasted = 'P1: First line\u000bsecond line\u000cNext page\r\nAnd\u2028more\u2029end\u0085last'
    const { transcript } = await withTranscript(w, pasted)
    expect(transcript.text).toBe('P1: First line\nsecond line\nNext page\nAnd\nmore\nend\nlast')
    // One code point for one: the length is the pasted one minus the \r of the \r\n.
    expect(transcript.length).toBe([...pasted].length - 1)
    expect(transcript.text).not.toMatch(/linesecond|lineNext|pageAnd|Andmore|moreend|endlast/)
  })

  const vtt = [
    'WEBVTT',
    '',
    '00:00:01.000 --> 00:00:04.000',
    '<v Interviewer>How was the online group for you?',
    '',
    '00:00:04.500 --> 00:00:09.000',
    '<v P1>At first I was afraid',
    'of being judged.',
    '',
    '00:00:09.000 --> 00:00:12.000',
    '<v P1>Later it felt safe &amp; friendly.',
    '',
  ].join('\n')

  it('turns WebVTT into plain text with one line per speaker turn, and keeps the upload', async () => {
    const w = await world()
    const { transcript, interview } = await withTranscript(w, vtt, 'vtt')
    const expected = 'Interviewer: How was the online group for you?\nP1: At first I was afraid of being judged. Later it felt safe & friendly.'
    expect(transcript).toMatchObject({ format: 'vtt', text: expected, length: [...expected].length, participant: { code: 'P1' } })
    const read = await w.call(w.staff.interviewer, 'GET', `/transcripts/${transcript.id}`)
    expect(read.body.text).toBe(expected)
    expect(read.body.cues.map((c: Json) => [c.start, c.speaker])).toEqual([
      [1000, 'Interviewer'],
      [4500, 'P1'],
      [9000, 'P1'],
    ])
    const stored = await w.db.selectFrom('transcript').select(['original', 'interview_id']).where('id', '=', transcript.id).executeTakeFirstOrThrow()
    expect(stored).toEqual({ original: vtt, interview_id: interview.id })
    expect((await w.call(w.staff.interviewer, 'GET', `/interviews/${interview.id}`)).body.transcript).toMatchObject({ id: transcript.id, format: 'vtt', length: [...expected].length })
  })

  it('says which line of a WebVTT file is wrong', async () => {
    const w = await world()
    const interview = await startedInterview(w)
    const res = await w.call(w.staff.interviewer, 'PUT', `/interviews/${interview.id}/transcript`, { format: 'vtt', content: 'WEBVTT\n\n00:01.000 --> 00:00.500\nBackwards' })
    expectError(res, 422, 'validation_failed', 'content')
    expect(res.body.error.message).toMatch(/Line 3/)
  })

  it('keeps plain text as pasted, with \\n line ends', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, '\uFEFFInterviewer: Hello\r\nP1: سلام\r\n')
    expect(transcript.text).toBe('Interviewer: Hello\nP1: سلام\n')
  })

  it('refuses to replace the text of a coded transcript, and accepts the same text again', async () => {
    const w = await world()
    const text = 'P1: I was afraid at first.'
    const { interview, transcript } = await withTranscript(w, text)
    const { leaves } = await codes(w)
    await w.call(w.staff.researcher, 'POST', `/transcripts/${transcript.id}/codings`, { codeIds: [leaves[0].id], ...spanOf(text, 'afraid') })
    expectError(await w.call(w.staff.interviewer, 'PUT', `/interviews/${interview.id}/transcript`, { format: 'text', content: `Interviewer: Hi\n${text}` }), 409, 'conflict')
    const same = await w.call(w.staff.interviewer, 'PUT', `/interviews/${interview.id}/transcript`, { format: 'text', content: text })
    expect(same.body.id).toBe(transcript.id)
  })
})

describe('coding', () => {
  // An emoji (2 UTF-16 units, 1 code point) before the Persian passage: UTF-16 offsets would land
  // one character early.
  const text = 'Interviewer: گروه آنلاین برای شما چطور بود؟ 🙂\nP1: اول می‌ترسیدم 😟 ولی بعد احساس امنیت کردم.'
  const phrase = 'احساس امنیت کردم'

  it('keeps offsets in code points and copies the passage from the stored transcript', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, text)
    const { leaves } = await codes(w, ['Feeling secure', 'Decrease of fear'])
    const span = spanOf(text, phrase)
    expect(span.start).not.toBe(text.indexOf(phrase))

    const res = await w.call(w.staff.researcher, 'POST', `/transcripts/${transcript.id}/codings`, { codeIds: [leaves[0].id, leaves[1].id], ...span })
    expect(res.status).toBe(201)
    expect(res.body.created).toBe(2)
    for (const coding of res.body.codings) {
      expect(coding).toMatchObject({ start: span.start, end: span.end, text: phrase, coderId: w.staff.researcher.user.id, transcriptId: transcript.id })
      expect(coding.text).toBe([...text].slice(coding.start, coding.end).join(''))
    }
    // The same coding again is the same coding, not a second one.
    const again = await w.call(w.staff.researcher, 'POST', `/transcripts/${transcript.id}/codings`, { codeIds: [leaves[0].id], ...span })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ created: 0, codings: [{ id: res.body.codings[0].id }] })

    // An emoji alone is one code point.
    const emoji = spanOf(text, '😟')
    expect(emoji.end - emoji.start).toBe(1)
    const coded = await w.call(w.staff.researcher, 'POST', `/transcripts/${transcript.id}/codings`, { codeIds: [leaves[1].id], ...emoji })
    expect(coded.body.codings[0].text).toBe('😟')
  })

  it('refuses spans outside the text, and never takes the text from the browser', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, text)
    const { theme, leaves } = await codes(w)
    const path = `/transcripts/${transcript.id}/codings`
    const length = [...text].length
    const tooFar = await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], start: length - 2, end: length + 1 })
    expectError(tooFar, 422, 'validation_failed', 'end')
    expect(tooFar.body.error.message).toContain(String(length))
    // The whole text is fine: the end is exclusive.
    expect((await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], start: 0, end: length })).status).toBe(201)
    expectError(await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], start: 5, end: 5 }), 422, 'validation_failed', 'end')
    expectError(await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], start: 1.5, end: 5 }), 422, 'validation_failed', 'start')
    expectError(await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], start: 0, end: 5, text: 'forged' }), 422, 'validation_failed', 'text')
    // Themes and categories group codes; only codes are applied.
    expectError(await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id, theme.id], start: 0, end: 5 }), 422, 'validation_failed', 'codeIds[1]')
  })

  it('keeps two coders blind to each other unless a researcher asks for all coders', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, text)
    const { leaves } = await codes(w)
    const path = `/transcripts/${transcript.id}/codings`
    await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], ...spanOf(text, phrase) })
    await w.call(w.staff.secondCoder, 'POST', path, { codeIds: [leaves[0].id], ...spanOf(text, 'ولی بعد احساس امنیت') })

    const coderOf = (body: Json) => body.codings.map((c: Json) => c.coderId)
    expect(coderOf((await w.call(w.staff.researcher, 'GET', path)).body)).toEqual([w.staff.researcher.user.id])
    expect(coderOf((await w.call(w.staff.secondCoder, 'GET', path)).body)).toEqual([w.staff.secondCoder.user.id])
    const all = await w.call(w.staff.researcher, 'GET', `${path}?coders=all`)
    expect(all.body.coders).toBe('all')
    expect(coderOf(all.body).sort()).toEqual([w.staff.researcher.user.id, w.staff.secondCoder.user.id].sort())
    expectError(await w.call(w.staff.researcher, 'GET', `${path}?coders=everyone`), 422, 'validation_failed', 'coders')
  })

  it('soft-deletes one’s own codings, which then disappear', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, text)
    const { leaves } = await codes(w)
    const path = `/transcripts/${transcript.id}/codings`
    const coding = (await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], ...spanOf(text, phrase) })).body.codings[0]
    expectError(await w.call(w.staff.secondCoder, 'DELETE', `/codings/${coding.id}`), 403, 'forbidden')
    expect((await w.call(w.staff.researcher, 'DELETE', `/codings/${coding.id}`)).status).toBe(200)
    expect((await w.call(w.staff.researcher, 'GET', `${path}?coders=all`)).body.codings).toEqual([])
    expectError(await w.call(w.staff.researcher, 'DELETE', `/codings/${coding.id}`), 404, 'not_found')
    // Kept in the database, marked deleted; coding the passage again is a new coding.
    const row = await w.db.selectFrom('coding').select(['deleted_at', 'text']).where('id', '=', coding.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ deleted_at: '2026-03-02T09:00:00.000Z', text: phrase })
    expect((await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], ...spanOf(text, phrase) })).status).toBe(201)
  })

  it('chooses as a Table 2 quotation only a coding of that code', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, text)
    const { leaves } = await codes(w, ['Feeling secure', 'Decrease of fear'])
    const path = `/transcripts/${transcript.id}/codings`
    const secure = (await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[0].id], ...spanOf(text, phrase) })).body.codings[0]
    const fear = (await w.call(w.staff.researcher, 'POST', path, { codeIds: [leaves[1].id], ...spanOf(text, 'اول می‌ترسیدم') })).body.codings[0]

    expectError(await w.call(w.staff.researcher, 'PUT', `/codes/${leaves[0].id}/quote`, { codingId: fear.id }), 422, 'validation_failed', 'codingId')
    expectError(await w.call(w.staff.researcher, 'PUT', `/codes/${leaves[0].id}/quote`, { codingId: 'no-such-coding' }), 422, 'validation_failed', 'codingId')
    const chosen = await w.call(w.staff.researcher, 'PUT', `/codes/${leaves[0].id}/quote`, { codingId: secure.id })
    expect(chosen.body).toMatchObject({ codeId: leaves[0].id, codingId: secure.id })
    expect((await w.call(w.staff.researcher, 'GET', `/studies/${w.study.id}/quotes`)).body).toEqual([
      expect.objectContaining({ codeId: leaves[0].id, codeName: 'Feeling secure', participantCode: 'P1', text: phrase, memberCheck: null }),
    ])
    // The quotation's coding cannot be deleted from under Table 2.
    expectError(await w.call(w.staff.researcher, 'DELETE', `/codings/${secure.id}`), 409, 'conflict')
    expect((await w.call(w.staff.researcher, 'DELETE', `/codes/${leaves[0].id}/quote`)).status).toBe(200)
    expect((await w.call(w.staff.researcher, 'DELETE', `/codings/${secure.id}`)).status).toBe(200)
  })

  it('keeps several quotations per code in the order chosen, never the same passage twice', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, text)
    const { leaves } = await codes(w, ['Feeling secure', 'Decrease of fear'])
    const path = `/transcripts/${transcript.id}/codings`
    const code = async (staff: Staff, phraseOf: string) => (await w.call(staff, 'POST', path, { codeIds: [leaves[0].id], ...spanOf(text, phraseOf) })).body.codings[0]
    const secure = await code(w.staff.researcher, phrase)
    const afraid = await code(w.staff.researcher, 'اول می‌ترسیدم')
    // The second coder's coding of the same words is the same passage.
    const secureByB = await code(w.staff.secondCoder, phrase)
    const quotes = `/codes/${leaves[0].id}/quotes`

    expect((await w.call(w.staff.researcher, 'PUT', `/codes/${leaves[0].id}/quote`, { codingId: secure.id })).body).toMatchObject({ codingId: secure.id, position: 1 })
    expect((await w.call(w.staff.researcher, 'PUT', `/codes/${leaves[0].id}/quote`, { codingId: afraid.id })).body).toMatchObject({ codingId: afraid.id, position: 2 })
    // Choosing the same one again changes nothing; the other coder's copy of a chosen passage is refused.
    expect((await w.call(w.staff.researcher, 'PUT', `/codes/${leaves[0].id}/quote`, { codingId: secure.id })).body).toMatchObject({ codingId: secure.id, position: 1 })
    expectError(await w.call(w.staff.researcher, 'PUT', `/codes/${leaves[0].id}/quote`, { codingId: secureByB.id }), 409, 'conflict')
    const order = async () => (await w.call(w.staff.researcher, 'GET', `/studies/${w.study.id}/quotes`)).body.map((q: Json) => [q.codingId, q.position])
    expect(await order()).toEqual([[secure.id, 1], [afraid.id, 2]])

    // Reordered in one request; invalid lists write nothing.
    expectError(await w.call(w.staff.researcher, 'PUT', quotes, { codingIds: [afraid.id, secure.id, secureByB.id] }), 422, 'validation_failed', 'codingIds[2]')
    expectError(await w.call(w.staff.researcher, 'PUT', quotes, { codingIds: [afraid.id, afraid.id] }), 422, 'validation_failed', 'codingIds')
    expect(await order()).toEqual([[secure.id, 1], [afraid.id, 2]])
    expect((await w.call(w.staff.researcher, 'PUT', quotes, { codingIds: [afraid.id, secure.id] })).status).toBe(200)
    expect(await order()).toEqual([[afraid.id, 1], [secure.id, 2]])
    const table = (await w.call(w.staff.researcher, 'GET', `/studies/${w.study.id}/table2`)).body
    expect(table.rows.find((r: Json) => r.code?.id === leaves[0].id).meaningUnits.map((u: Json) => u.codingId)).toEqual([afraid.id, secure.id])

    // One removed: the rest close up.
    expect((await w.call(w.staff.researcher, 'DELETE', `${quotes}/${afraid.id}`)).status).toBe(200)
    expect(await order()).toEqual([[secure.id, 1]])
    expectError(await w.call(w.staff.researcher, 'DELETE', `${quotes}/${afraid.id}`), 404, 'not_found')
    expect((await w.call(w.staff.researcher, 'PUT', quotes, { codingIds: [] })).status).toBe(200)
    expect(await order()).toEqual([])
  })

  it('records resolved disagreements with who and when', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, text)
    const { leaves } = await codes(w)
    const path = `/transcripts/${transcript.id}/resolutions`
    const span = spanOf(text, phrase)
    const res = await w.call(w.staff.researcher, 'POST', path, { codeId: leaves[0].id, ...span, decision: 'applies', note: 'Both agree after discussion.' })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ transcriptId: transcript.id, codeId: leaves[0].id, ...span, decision: 'applies', decidedBy: w.staff.researcher.user.id, decidedAt: '2026-03-02T09:00:00.000Z' })
    expect((await w.call(w.staff.secondCoder, 'GET', path)).body).toEqual([res.body])
    expectError(await w.call(w.staff.researcher, 'POST', path, { codeId: leaves[0].id, start: 0, end: 10_000, decision: 'applies' }), 422, 'validation_failed', 'end')
  })
})

describe('the codebook over HTTP', () => {
  it('gives a new code the palette’s next colour, takes a chosen one, and refuses what is not #rrggbb', async () => {
    const w = await world()
    const call = (method: string, path: string, body?: unknown) => w.call(w.staff.researcher, method, path, body)
    const theme = await call('POST', `/studies/${w.study.id}/codes`, { level: 'theme', name: 'Effects' })
    const chosen = await call('POST', `/studies/${w.study.id}/codes`, { level: 'code', name: 'Loose', color: '#ABCDEF' })
    // Okabe–Ito, in order: the first code orange; a colour chosen by hand stored lower case.
    expect([theme.body.color, chosen.body.color]).toEqual(['#e69f00', '#abcdef'])
    expect((await call('PATCH', `/codes/${theme.body.id}`, { color: '#0072B2' })).body.color).toBe('#0072b2')
    for (const bad of ['red', '#fff', '#12345g', 'rgb(0,0,0)']) {
      expectError(await call('PATCH', `/codes/${theme.body.id}`, { color: bad }), 422, 'validation_failed', 'color')
    }
    expect(((await call('GET', `/studies/${w.study.id}/codes`)).body as Json[]).map((c) => c.color)).toEqual(['#0072b2', '#abcdef'])
    // A colour is drawing, not meaning: no history entry, one audit entry.
    expect(((await call('GET', `/codes/${theme.body.id}/history`)).body as Json[]).map((h) => h.action)).toEqual(['create'])
  })

  it('renames, moves and merges with history, and keeps the levels', async () => {
    const w = await world()
    const { theme, category, leaves } = await codes(w, ['Fear decreased', 'Less fear'])
    const call = (method: string, path: string, body?: unknown) => w.call(w.staff.researcher, method, path, body)

    expectError(await call('POST', `/studies/${w.study.id}/codes`, { level: 'code', name: 'Loose', parentId: theme.id }), 422, 'validation_failed', 'parentId')
    expectError(await call('PATCH', `/codes/${category.id}`, { parentId: category.id }), 422, 'validation_failed', 'parentId')
    expectError(await call('PATCH', `/codes/${theme.id}`, { parentId: category.id }), 422, 'validation_failed', 'parentId')

    const renamed = await call('PATCH', `/codes/${leaves[0].id}`, { name: 'Decrease of fear from patients', description: 'Less afraid of infected patients' })
    expect(renamed.body).toMatchObject({ name: 'Decrease of fear from patients', description: 'Less afraid of infected patients' })
    const other = (await call('POST', `/studies/${w.study.id}/codes`, { level: 'category', name: 'Therapists’ feelings', parentId: theme.id })).body
    expect((await call('PATCH', `/codes/${leaves[1].id}`, { parentId: other.id })).body.parentId).toBe(other.id)

    expectError(await call('POST', `/codes/${leaves[1].id}/merge`, { into: category.id }), 422, 'validation_failed', 'into')
    const merged = await call('POST', `/codes/${leaves[1].id}/merge`, { into: leaves[0].id })
    expect(merged.body).toMatchObject({ code: { id: leaves[1].id, mergedInto: leaves[0].id }, into: { id: leaves[0].id } })

    const live = (await call('GET', `/studies/${w.study.id}/codes`)).body as Json[]
    expect(live.map((c) => c.name).sort()).toEqual(['Decrease of fear from patients', 'Effects of the group', 'Relationship with patients', 'Therapists’ feelings'])
    expect(((await call('GET', `/studies/${w.study.id}/codes?include=retired`)).body as Json[]).map((c) => c.id)).toContain(leaves[1].id)

    const history = (await call('GET', `/codes/${leaves[0].id}/history`)).body as Json[]
    // Each entry names its code as it is called now; the entries themselves tell the old names.
    expect(history.map((h) => [h.codeName, h.action])).toEqual([
      ['Decrease of fear from patients', 'create'],
      ['Less fear', 'create'],
      ['Decrease of fear from patients', 'rename'],
      ['Decrease of fear from patients', 'describe'],
      ['Less fear', 'move'],
      ['Less fear', 'merge'],
      ['Decrease of fear from patients', 'merge'],
    ])
    expect(history[2]!.details).toEqual({ from: 'Fear decreased', to: 'Decrease of fear from patients' })
    expect(history.every((h) => h.actor === `staff:${w.staff.researcher.user.id}`)).toBe(true)
    // Every change is in the audit log too.
    const audit = (await listAudit(w.db)).map((a) => a.action)
    expect(audit.filter((a) => a.startsWith('code.'))).toEqual(['code.create', 'code.create', 'code.create', 'code.create', 'code.edit', 'code.create', 'code.edit', 'code.merge'])
  })

  it('keeps memos on codes, transcripts and the project, each changed only by its author', async () => {
    const w = await world()
    const { transcript } = await withTranscript(w, 'P1: Leaders protected me.')
    const { leaves } = await codes(w)
    const path = `/studies/${w.study.id}/memos`
    const onCode = await w.call(w.staff.researcher, 'POST', path, { targetType: 'code', targetId: leaves[0].id, text: 'Check against P3.' })
    expect(onCode.status).toBe(201)
    await w.call(w.staff.secondCoder, 'POST', path, { targetType: 'transcript', targetId: transcript.id, text: 'Long pauses here.' })
    await w.call(w.staff.researcher, 'POST', path, { targetType: 'project', text: 'Saturation by interview 8?' })
    expectError(await w.call(w.staff.researcher, 'POST', path, { targetType: 'code', text: 'On what?' }), 422, 'validation_failed', 'targetId')
    expectError(await w.call(w.staff.outsider, 'POST', `/studies/${w.otherStudy.id}/memos`, { targetType: 'code', targetId: leaves[0].id, text: 'x' }), 422, 'validation_failed', 'targetId')

    expect(((await w.call(w.staff.researcher, 'GET', `${path}?targetType=code&targetId=${leaves[0].id}`)).body as Json[]).map((m) => m.text)).toEqual(['Check against P3.'])
    expect(((await w.call(w.staff.researcher, 'GET', path)).body as Json[]).length).toBe(3)

    expectError(await w.call(w.staff.secondCoder, 'PATCH', `/memos/${onCode.body.id}`, { text: 'Mine now' }), 403, 'forbidden')
    expect((await w.call(w.staff.researcher, 'PATCH', `/memos/${onCode.body.id}`, { text: 'Check against P3 and P5.' })).body.text).toBe('Check against P3 and P5.')
    expect((await w.call(w.staff.researcher, 'DELETE', `/memos/${onCode.body.id}`)).status).toBe(200)
    expect(((await w.call(w.staff.researcher, 'GET', path)).body as Json[]).length).toBe(2)
    expectError(await w.call(w.staff.researcher, 'PATCH', `/memos/${onCode.body.id}`, { text: 'gone' }), 404, 'not_found')
  })
})
