/**
 * Who may do what: every staff route × every kind of user, checked on the server.
 *
 * The world of each test: study A is the demo study (a completed cohort of 12 participants with pre
 * and post, 8 group sessions with attendance, and a second cohort with links); study B has one cohort
 * with two participants. The users: an administrator with no study role, a researcher, a program
 * lead, a group leader and an interviewer of study A, a researcher of study B, and an anonymous
 * visitor. The routes are aimed at study A's things; a second table aims them at study B's.
 *
 * For the interview and coding routes each study also has an interview with a transcript, coded by
 * its researcher and by a second coder, a small codebook, a Table 2 quotation, a memo and
 * assignments (see `qualitativeTargets`); study A's interviewer is assigned the participants whose
 * interviews they may reach.
 *
 * Expected statuses: 2xx where the role allows it; 401 without a session; 403 for a role of the
 * study that does not allow it; 404 for anything of a study the user has no role in — with the same
 * body as for an id that does not exist, so staff of one study cannot learn that another exists.
 * A refused request writes nothing: the whole database is compared before and after.
 */
import { strToU8, zipSync } from 'fflate'
import { describe, it, expect } from 'vitest'
import { sql } from 'kysely'
import { createApp } from '../../../server/app'
import { listParticipants } from '../../../server/db/repositories/participants'
import { listGroupSessions, listWaves } from '../../../server/db/repositories/studies'
import { insertResponse, listResponsesOfParticipant, replaceScores } from '../../../server/db/repositories/responses'
import { scoreResponse } from '../../../server/domain/instruments/scoring'
import { createStaffUser } from '../../../server/domain/staff/auth'
import { createDemo } from '../../../server/domain/demo/study'
import { releaseCohort } from '../../../server/domain/outcomes/release'
import { createCode, createMemo } from '../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote } from '../../../server/domain/qualitative/coding'
import type { Deps } from '../../../server/domain/deps'
import { assignInterviewer, putTranscript, startInterview } from '../../../server/domain/qualitative/interviews'
import { readQdpxEntries } from '../../../server/domain/qualitative/refi-qda'
import { findTranscriptPlace } from '../../../server/db/repositories/interviews'
import type { Participant } from '../../../server/db/repositories/participants'
import type { StaffUser } from '../../../server/db/repositories/staff'
import { addParticipants, createCohort, createStudy, setWave } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { listSafetyFlagsOfStudy } from '../../../server/db/repositories/safety'
import { signedInStaff } from '../../helpers/staff'
import { listTables } from '../../helpers/test-database'

const users = ['admin', 'researcherA', 'leadA', 'leaderA', 'interviewerA', 'researcherB', 'anonymous'] as const
type User = (typeof users)[number]

/** What a route is aimed at: one study's study, cohort, group session and participant, and its interview work. */
type Target = { studyId: string; cohortId: string; sessionId: string; participantId: string; releaseId: string; responseId: string; correctionValue: number; /** The value the correction corrects (phq9_1 as stored). */ correctionOldValue: number; /** A safety flag: "<response id>/<flag id>". */ flag: string } & QualitativeTarget

/** One study's interview and coding things (see `qualitativeTargets`). */
type QualitativeTarget = {
  /** A participant with an interview and a transcript; study A's interviewer is assigned to them. */
  intervieweeId: string
  interviewId: string
  transcriptId: string
  transcriptText: string
  /** A code with codings and a Table 2 quotation; another code to merge into it; a code nobody used. */
  codeId: string
  otherCodeId: string
  unusedCodeId: string
  /** The researcher's own coding of `codeId`, not the quotation. */
  codingId: string
  /** The coding chosen as `codeId`'s Table 2 quotation. */
  quotedCodingId: string
  /** The researcher's memo on the project. */
  memoId: string
  /** Another of the researcher's codings, or memos, each time it is called: a deleted one is gone for the next user. */
  disposableCodingId: () => string
  disposableMemoId: () => string
  /** An assignment of the second interviewer, to end. */
  assignmentId: string
  /** The interviewer the assignment routes assign: one of the study's interviewers. */
  interviewerId: string
  /** The two coders whose agreement is asked for. */
  coderAId: string
  coderBId: string
  /** A participant without an interview each time it is called (study A's interviewer is assigned to all of them). */
  freshParticipantId: () => string
}

const interviewText = 'P9: I was afraid of the patients. Then I felt calmer.\nInterviewer: And the group?\nP9: The leaders were active.'

/** Code-point span of `phrase` in the interview text. */
function spanIn(phrase: string): { start: number; end: number } {
  const at = interviewText.indexOf(phrase)
  const start = [...interviewText.slice(0, at)].length
  return { start, end: start + [...phrase].length }
}

/**
 * A study's interview work, built through the domain as staff would build it: the interviewee's
 * interview and transcript, a theme → category → three codes, codings by the researcher and by a
 * second coder, a Table 2 quotation, a project memo, an assignment of the second interviewer to
 * another participant, and the participants without interviews that the "start an interview" row
 * uses up, one per request; likewise codings and memos for the rows that delete one.
 */
async function qualitativeTargets(
  deps: Deps,
  study: { id: string; researcher: StaffUser; secondCoder: StaffUser; interviewer: StaffUser | null },
  people: { interviewee: Participant; assigned: Participant; fresh: Participant[] },
): Promise<QualitativeTarget> {
  const actor = `staff:${study.researcher.id}`
  if (study.interviewer) {
    for (const p of [people.interviewee, ...people.fresh]) await assignInterviewer(deps, study.id, { interviewerId: study.interviewer.id, participantId: p.id }, actor)
  }
  const { assignment } = await assignInterviewer(deps, study.id, { interviewerId: study.secondCoder.id, participantId: people.assigned.id }, actor)
  const interview = await startInterview(deps, people.interviewee, study.researcher, { consentToRecord: true })
  const transcript = await putTranscript(deps, interview, { format: 'text', content: interviewText }, study.researcher)
  const place = (await findTranscriptPlace(deps.db, transcript.id))!
  const theme = await createCode(deps, study.id, { level: 'theme', name: 'Matrix theme' }, actor)
  const category = await createCode(deps, study.id, { level: 'category', name: 'Matrix category', parentId: theme.id }, actor)
  const code = await createCode(deps, study.id, { level: 'code', name: 'Matrix fear', parentId: category.id }, actor)
  const other = await createCode(deps, study.id, { level: 'code', name: 'Matrix leaders', parentId: category.id }, actor)
  const unused = await createCode(deps, study.id, { level: 'code', name: 'Matrix unused', parentId: category.id }, actor)
  const quoted = await addCodings(deps, place, study.researcher.id, { codeIds: [code.id], ...spanIn('I was afraid of the patients.') })
  const own = await addCodings(deps, place, study.researcher.id, { codeIds: [code.id], ...spanIn('Then I felt calmer.') })
  await addCodings(deps, place, study.researcher.id, { codeIds: [other.id], ...spanIn('The leaders were active.') })
  await addCodings(deps, place, study.secondCoder.id, { codeIds: [code.id], ...spanIn('I was afraid of the patients.') })
  await chooseQuote(deps, code, quoted.codings[0]!.id, actor)
  const memo = await createMemo(deps, study.id, { targetType: 'project', text: 'Matrix memo' }, study.researcher.id)
  const fresh = people.fresh.map((p) => p.id)
  const disposableCodings: string[] = []
  const disposableMemos: string[] = []
  for (let k = 1; k <= users.length; k++) {
    disposableCodings.push((await addCodings(deps, place, study.researcher.id, { codeIds: [code.id], start: 0, end: k })).codings[0]!.id)
    disposableMemos.push((await createMemo(deps, study.id, { targetType: 'project', text: `Disposable memo ${k}` }, study.researcher.id)).id)
  }
  return {
    intervieweeId: people.interviewee.id,
    interviewId: interview.id,
    transcriptId: transcript.id,
    transcriptText: interviewText,
    codeId: code.id,
    otherCodeId: other.id,
    unusedCodeId: unused.id,
    codingId: own.codings[0]!.id,
    quotedCodingId: quoted.codings[0]!.id,
    memoId: memo.id,
    disposableCodingId: () => disposableCodings.shift() ?? 'no-coding-left',
    disposableMemoId: () => disposableMemos.shift() ?? 'no-memo-left',
    assignmentId: assignment.id,
    interviewerId: study.secondCoder.id,
    coderAId: study.researcher.id,
    coderBId: study.secondCoder.id,
    freshParticipantId: () => fresh.shift() ?? 'no-fresh-participant-left',
  }
}

type World = Awaited<ReturnType<typeof world>>

async function world() {
  const built = await testApp()
  const { deps, db } = built
  const demo = await createDemo(deps, 'test')
  const cohortA = demo.completedCohort
  const pA = (await listParticipants(db, cohortA.id)).find((p) => p.code === 'P1')!
  const sA = (await listGroupSessions(db, cohortA.id))[0]!

  const studyB = await createStudy(deps, { name: 'Study B' }, 'test')
  const cohortB = await createCohort(deps, { studyId: studyB.id, name: 'B group', firstSession: '2026-03-09' }, 'test')
  await setWave(deps, { cohortId: cohortB.id, kind: 'pre', opens: '2026-03-01', closes: '2026-03-14', instruments: ['phq-9'] }, 'test')
  await setWave(deps, { cohortId: cohortB.id, kind: 'post', opens: '2026-04-01', closes: '2026-04-14', instruments: ['phq-9'] }, 'test')
  const [pB, pB2] = await addParticipants(deps, { cohortId: cohortB.id, count: 2 }, 'test')
  // A completed PHQ-9 of each study's first participant, for the correction routes.
  const responseA = (await listResponsesOfParticipant(db, pA.id)).find((r) => r.instrumentId === 'phq-9' && r.status === 'complete')!
  const phq = deps.instruments.questionnaire('phq-9')!
  const answersB = Object.fromEntries(phq.scoring.scales[0]!.items.map((item) => [item, 0]))
  const responseB = await insertResponse(db, { participantId: pB!.id, waveId: (await listWaves(db, cohortB.id))[0]!.id, instrumentId: 'phq-9', instrumentVersion: phq.version, answers: answersB, status: 'complete', revision: 1, clientId: null, source: 'import', completedAt: '2026-03-02T09:00:00.000Z' }, deps.now())
  await replaceScores(db, responseB.id, scoreResponse(phq, answersB), deps.now())
  // A safety flag in each study: a participant with a link answers PHQ-9 item 9 with 1.
  const consentForm = deps.instruments.get('consent')!
  for (const [token, clientId] of [[demo.participants[0]!.token, 'matrix-flag-a'], [pB2!.token, 'matrix-flag-b']] as const) {
    await built.app.request(`/api/p/${token}/consent`, jsonRequest('POST', { version: consentForm.version, answers: { consent: 'agree' } }))
    const flagged = await built.app.request(`/api/p/${token}/forms/pre/phq-9/complete`, jsonRequest('POST', { answers: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9_${i + 1}`, i === 8 ? 1 : 0])), clientId }))
    expect(flagged.status).toBe(200)
  }
  const flagOf = async (studyId: string) => {
    const [first] = await listSafetyFlagsOfStudy(db, studyId)
    return `${first!.responseId}/${first!.flagId}`
  }
  const sB = (await listGroupSessions(db, cohortB.id))[0]!

  const A = demo.study.id
  const staff = {
    admin: await signedInStaff(deps, [], { isAdmin: true }),
    researcherA: await signedInStaff(deps, [{ studyId: A, role: 'researcher' }]),
    leadA: await signedInStaff(deps, [{ studyId: A, role: 'program_lead' }]),
    leaderA: await signedInStaff(deps, [{ studyId: A, role: 'group_leader' }]),
    interviewerA: await signedInStaff(deps, [{ studyId: A, role: 'interviewer' }]),
    researcherB: await signedInStaff(deps, [{ studyId: studyB.id, role: 'researcher' }]),
  }
  const headers: Record<User, Record<string, string>> = { ...mapValues(staff, (s) => s.headers), anonymous: {} }
  // Accounts the role routes act on: one without any role (to be given one), one to lose a role.
  const newcomer = await createStaffUser(deps, { email: 'newcomer@example.org', name: 'Newcomer', password: 'a long enough password' }, 'test')
  const leaving = await createStaffUser(deps, { email: 'leaving@example.org', name: 'Leaving', password: 'a long enough password' }, 'test')
  for (const studyId of [A, studyB.id]) await db.insertInto('study_role').values({ study_id: studyId, user_id: leaving.id, role: 'interviewer', granted_at: '2026-03-01T00:00:00.000Z' }).execute()

  // Interview work in both studies. The second coder is `leaving`, an interviewer of both studies,
  // so that the study's staff list stays as it is. Study A's participants P9 and P10 of the
  // completed cohort, and those of its cohort with links, have no interview of the demo's.
  const completedA = await listParticipants(db, cohortA.id)
  const qualitativeA = await qualitativeTargets(
    deps,
    { id: A, researcher: staff.researcherA.user, secondCoder: leaving, interviewer: staff.interviewerA.user },
    { interviewee: completedA.find((p) => p.code === 'P9')!, assigned: completedA.find((p) => p.code === 'P10')!, fresh: (await listParticipants(db, demo.cohort.id)).slice(0, users.length) },
  )
  const moreB = new Set((await addParticipants(deps, { cohortId: cohortB.id, count: users.length + 1 }, 'test')).map((p) => p.id))
  const allB = await listParticipants(db, cohortB.id)
  const [assignedB, ...freshB] = allB.filter((p) => moreB.has(p.id))
  const qualitativeB = await qualitativeTargets(
    deps,
    { id: studyB.id, researcher: staff.researcherB.user, secondCoder: leaving, interviewer: null },
    { interviewee: allB.find((p) => p.id === pB2!.id)!, assigned: assignedB!, fresh: freshB },
  )
  const ghostQualitative: QualitativeTarget = {
    intervieweeId: 'ghost-participant-id',
    interviewId: 'ghost-interview-id',
    transcriptId: 'ghost-transcript-id',
    transcriptText: interviewText,
    codeId: 'ghost-code-id',
    otherCodeId: 'ghost-other-code-id',
    unusedCodeId: 'ghost-unused-code-id',
    codingId: 'ghost-coding-id',
    quotedCodingId: 'ghost-quoted-coding-id',
    memoId: 'ghost-memo-id',
    disposableCodingId: () => 'ghost-coding-id',
    disposableMemoId: () => 'ghost-memo-id',
    assignmentId: 'ghost-assignment-id',
    interviewerId: 'ghost-interviewer-id',
    coderAId: 'ghost-coder-a-id',
    coderBId: 'ghost-coder-b-id',
    freshParticipantId: () => 'ghost-participant-id',
  }

  // A program-lead release of each study's cohort, made by its researcher.
  const releaseA = await releaseCohort(deps, cohortA.id, staff.researcherA.user)
  const releaseB = await releaseCohort(deps, cohortB.id, staff.researcherB.user)

  const targets: { A: Target; B: Target; ghost: Target } = {
    A: { studyId: A, cohortId: cohortA.id, sessionId: sA.id, participantId: pA.id, releaseId: releaseA.id, responseId: responseA.id, correctionValue: responseA.answers.phq9_1 === 0 ? 1 : 0, correctionOldValue: responseA.answers.phq9_1 as number, flag: await flagOf(A), ...qualitativeA },
    B: { studyId: studyB.id, cohortId: cohortB.id, sessionId: sB.id, participantId: pB!.id, releaseId: releaseB.id, responseId: responseB.id, correctionValue: 1, correctionOldValue: 0, flag: await flagOf(studyB.id), ...qualitativeB },
    // Ids of the same shape that exist nowhere.
    ghost: { studyId: 'ghost-study-id', cohortId: 'ghost-cohort-id', sessionId: 'ghost-session-id', participantId: 'ghost-participant-id', releaseId: 'ghost-release-id', responseId: 'ghost-response-id', correctionValue: 1, correctionOldValue: 0, flag: 'ghost-response-id/phq9-item9', ...ghostQualitative },
  }
  return { ...built, staff, headers, newcomer, leaving, targets }
}

function mapValues<K extends string, V, W>(record: Record<K, V>, f: (v: V) => W): Record<K, W> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v as V)])) as Record<K, W>
}

/** Every row of every table (sessions excepted: using one may extend it), to compare before and after. */
async function snapshot(db: World['db']): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {}
  for (const name of (await listTables(db)).filter((name) => name !== 'staff_session')) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db)
    out[name] = rows.rows.map((r) => JSON.stringify(r)).sort()
  }
  return out
}

type Request = { method: string; path: string; body?: unknown }
type Check = (body: any, context: { user: User; w: World; t: Target }) => void | Promise<void>

type Route = {
  name: string
  request: (t: Target, w: World) => Request
  /** Statuses for: admin, researcherA, leadA, leaderA, interviewerA, researcherB, anonymous. */
  expected: readonly [number, number, number, number, number, number, number]
  /** Aimed at one study's things (so a second table aims it at study B). */
  scoped: boolean
  /** Checks of a successful body (aimed at study A). */
  check?: Check
}

const get = (path: string): Request => ({ method: 'GET', path })
const send = (method: string, path: string, body?: unknown): Request => ({ method, path, body })

/** The JSON of a body, for checking that something is absent from all of it. */
const text = (body: unknown) => JSON.stringify(body)

// prettier-ignore
const routes: Route[] = [
  //                                                                                                     admin rA   plA  glA  intA rB   anon
  { name: 'GET /auth/me', scoped: false, request: () => get('/api/auth/me'),                            expected: [200, 200, 200, 200, 200, 200, 401],
    check: (body, { user, w }) => expect(body.user.id).toBe(w.staff[user as Exclude<User, 'anonymous'>].user.id) },
  { name: 'POST /auth/sign-out', scoped: false, request: () => send('POST', '/api/auth/sign-out'),      expected: [200, 200, 200, 200, 200, 200, 401] },
  { name: 'GET /studies', scoped: false, request: () => get('/api/studies'),                            expected: [200, 200, 200, 200, 200, 200, 401],
    check: (body, { user, w }) => {
      const seen = (body as { id: string; roles: string[] }[]).map((s) => [s.id, s.roles])
      const A = w.targets.A.studyId
      const expected: Record<User, unknown[]> = {
        admin: [], researcherA: [[A, ['researcher']]], leadA: [[A, ['program_lead']]], leaderA: [[A, ['group_leader']]], interviewerA: [[A, ['interviewer']]],
        researcherB: [[w.targets.B.studyId, ['researcher']]], anonymous: [],
      }
      expect(seen).toEqual(expected[user])
    } },
  { name: 'POST /studies', scoped: false, request: () => send('POST', '/api/studies', { name: 'New study' }), expected: [201, 403, 403, 403, 403, 403, 401],
    check: async (body, { w }) => {
      expect(body.name).toBe('New study')
      // Whoever creates a study is its researcher.
      expect(await w.db.selectFrom('study_role').select('role').where('study_id', '=', body.id).where('user_id', '=', w.staff.admin.user.id).execute()).toEqual([{ role: 'researcher' }])
    } },
  { name: 'GET /studies/:id', scoped: true, request: (t) => get(`/api/studies/${t.studyId}`),           expected: [404, 200, 200, 200, 200, 404, 401],
    check: (body, { t, user }) => {
      expect(body.id).toBe(t.studyId)
      expect(body.roles).toEqual([{ researcherA: 'researcher', leadA: 'program_lead', leaderA: 'group_leader', interviewerA: 'interviewer' }[user as string]])
      expect(body.cohorts.map((c: { id: string }) => c.id)).toContain(t.cohortId)
    } },
  { name: 'PATCH /studies/:id', scoped: true, request: (t) => send('PATCH', `/api/studies/${t.studyId}`, { minCellSize: 7 }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.minCellSize).toBe(7) },
  { name: 'POST /studies/:id/cohorts', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/cohorts`, { name: 'Spring group' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body).toMatchObject({ studyId: t.studyId, name: 'Spring group' })
      expect(body.groupSessions).toHaveLength(8)
    } },
  { name: 'GET /studies/:id/staff', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/staff`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { w }) => {
      const emails = (body as { email: string; role: string }[]).map((r) => `${r.email} ${r.role}`).sort()
      expect(emails).toEqual(
        [`${w.staff.researcherA.email} researcher`, `${w.staff.leadA.email} program_lead`, `${w.staff.leaderA.email} group_leader`, `${w.staff.interviewerA.email} interviewer`, 'leaving@example.org interviewer'].sort(),
      )
      expect(text(body)).not.toMatch(/password|argon/i)
    } },
  { name: 'POST /studies/:id/staff', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/staff`, { email: 'newcomer@example.org', role: 'group_leader' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: async (body, { w, t }) => {
      expect(body).toMatchObject({ userId: w.newcomer.id, role: 'group_leader' })
      expect(await w.db.selectFrom('study_role').select('role').where('study_id', '=', t.studyId).where('user_id', '=', w.newcomer.id).execute()).toEqual([{ role: 'group_leader' }])
    } },
  { name: 'DELETE /studies/:id/staff/:userId/:role', scoped: true, request: (t, w) => send('DELETE', `/api/studies/${t.studyId}/staff/${w.leaving.id}/interviewer`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: async (_body, { w, t }) => {
      const left = await w.db.selectFrom('study_role').select('study_id').where('user_id', '=', w.leaving.id).execute()
      // Gone from this study only.
      expect(left.map((r) => r.study_id)).not.toContain(t.studyId)
      expect(left).toHaveLength(1)
    } },
  { name: 'GET /staff-users', scoped: false, request: () => get('/api/staff-users'),                    expected: [200, 403, 403, 403, 403, 403, 401],
    check: (body) => {
      expect((body as { email: string }[]).map((u) => u.email)).toContain('newcomer@example.org')
      expect(text(body)).not.toMatch(/password|argon/i)
    } },
  { name: 'POST /staff-users', scoped: false, request: () => send('POST', '/api/staff-users', { email: 'fresh@example.org', name: 'Fresh', password: 'a long enough password' }), expected: [201, 403, 403, 403, 403, 403, 401],
    check: (body) => {
      expect(body).toMatchObject({ email: 'fresh@example.org', isAdmin: false })
      expect(text(body)).not.toMatch(/password|argon/i)
    } },
  { name: 'POST /auth/password', scoped: false, request: () => send('POST', '/api/auth/password', { currentPassword: 'correct horse battery staple', newPassword: 'quiet lantern over the harbour' }), expected: [200, 200, 200, 200, 200, 200, 401],
    check: (body) => expect(body).toEqual({ endedSessions: 0 }) },
  { name: 'PATCH /staff-users/:id', scoped: false, request: (_t, w) => send('PATCH', `/api/staff-users/${w.newcomer.id}`, { disabled: true }), expected: [200, 403, 403, 403, 403, 403, 401],
    check: (body, { w }) => expect(body).toMatchObject({ id: w.newcomer.id, disabled: true }) },
  { name: 'DELETE /staff-users/:id/sessions', scoped: false, request: (_t, w) => send('DELETE', `/api/staff-users/${w.newcomer.id}/sessions`), expected: [200, 403, 403, 403, 403, 403, 401],
    check: (body) => expect(body).toEqual({ endedSessions: 0 }) },
  { name: 'POST /staff-users/:id/password-link', scoped: false, request: (_t, w) => send('POST', `/api/staff-users/${w.newcomer.id}/password-link`), expected: [201, 403, 403, 403, 403, 403, 401],
    check: (body, { w }) => {
      expect(body).toMatchObject({ userId: w.newcomer.id, email: 'newcomer@example.org', link: expect.stringMatching(/^http:\/\/localhost\/reset\/[A-Za-z0-9_-]{43}$/) })
    } },
  { name: 'POST /demo', scoped: false, request: () => send('POST', '/api/demo'),                         expected: [201, 403, 403, 403, 403, 403, 401],
    check: (body) => expect(Object.keys(body).sort()).toEqual(['cohortId', 'completedCohortId', 'participants', 'studyId']) },
  { name: 'GET /instruments', scoped: false, request: () => get('/api/instruments'),                    expected: [200, 200, 200, 200, 200, 200, 401],
    check: (body) => expect((body as { id: string }[]).map((i) => i.id)).toEqual(expect.arrayContaining(['phq-9', 'gad-7', 'who-5', 'cbi'])) },
  { name: 'GET /cohorts/:id', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}`),          expected: [404, 200, 200, 200, 200, 404, 401],
    check: (body, { t }) => {
      expect(body).toMatchObject({ id: t.cohortId, study: { id: t.studyId, minCellSize: 5 } })
      expect(body.sessions).toHaveLength(8)
      expect(body.waves.map((w: { kind: string }) => w.kind)).toEqual(['pre', 'post'])
    } },
  { name: 'GET /cohorts/:id/tracking', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/tracking`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => {
      expect(body.participants).toHaveLength(12)
      expect(body.funnel).toMatchObject({ enrolled: 12, consented: 12, pre: 12, post: 12 })
    } },
  { name: 'POST /cohorts/:id/participants', scoped: true, request: (t) => send('POST', `/api/cohorts/${t.cohortId}/participants`, { count: 1 }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual([{ id: expect.any(String), code: 'P13', link: expect.stringMatching(/^http:\/\/localhost\/p\/[A-Za-z0-9_-]{43}$/) }]) },
  { name: 'PUT /cohorts/:id/waves/:kind', scoped: true, request: (t) => send('PUT', `/api/cohorts/${t.cohortId}/waves/follow-up`, { opens: '2026-06-01', closes: '2026-06-14', instruments: ['who-5'] }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ kind: 'follow-up', instruments: ['who-5'] }) },
  { name: 'GET /cohorts/:id/sessions', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/sessions`), expected: [404, 200, 403, 200, 403, 404, 401],
    check: (body) => {
      expect(body.sessions).toHaveLength(8)
      expect(body.participants.map((p: { code: string }) => p.code)).toEqual(Array.from({ length: 12 }, (_, i) => `P${i + 1}`))
      expect(body.attendance.length).toBe(8 * 12)
      // Codes and attendance only: nothing of anyone's answers. (The fields, not the text: a random
      // id such as "…nhphq…" matched a pattern of instrument names, one run in a few hundred.)
      const fields = (rows: object[]) => [...new Set(rows.flatMap((r) => Object.keys(r)))].sort()
      expect(Object.keys(body).sort()).toEqual(['attendance', 'participants', 'sessions'])
      expect(fields(body.sessions)).toEqual(['cohortId', 'id', 'seq', 'startsAt'])
      expect(fields(body.participants)).toEqual(['code', 'id'])
      expect(fields(body.attendance)).toEqual(['groupSessionId', 'participantId', 'present'])
    } },
  { name: 'PUT /sessions/:id/attendance', scoped: true, request: (t) => send('PUT', `/api/sessions/${t.sessionId}/attendance`, { attendance: [{ participantId: t.participantId, present: false }] }), expected: [404, 200, 403, 200, 403, 404, 401],
    check: async (body, { w, t }) => {
      expect(body).toEqual({ ok: true })
      const row = await w.db.selectFrom('attendance').select('present').where('group_session_id', '=', t.sessionId).where('participant_id', '=', t.participantId).executeTakeFirstOrThrow()
      expect(row.present).toBe(0)
    } },
  { name: 'POST /participants/:id/link', scoped: true, request: (t) => send('POST', `/api/participants/${t.participantId}/link`), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toEqual({ id: t.participantId, code: 'P1', link: expect.stringMatching(/^http:\/\/localhost\/p\/[A-Za-z0-9_-]{43}$/) }) },
  { name: 'DELETE /participants/:id/link', scoped: true, request: (t) => send('DELETE', `/api/participants/${t.participantId}/link`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ ok: true }) },
  { name: 'GET /cohorts/:id/report', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/report`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => {
      // Only researchers get the live report; program leads read releases (below).
      expect(body.view).toBe('researcher')
      expect(body.participants).toHaveLength(12)
      expect(body.scales.length).toBeGreaterThan(0)
    } },
  { name: 'GET /participants/:id/answers', scoped: true, request: (t) => get(`/api/participants/${t.participantId}/answers`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body.participant).toMatchObject({ id: t.participantId, code: 'P1' })
      expect(body.responses.find((r: { responseId: string }) => r.responseId === t.responseId).answers.length).toBeGreaterThan(8)
    } },
  { name: 'POST /responses/:id/corrections', scoped: true, request: (t) => send('POST', `/api/responses/${t.responseId}/corrections`, { question: 'phq9_1', oldValue: t.correctionOldValue, value: t.correctionValue, reason: 'Paper form says otherwise' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: async (body, { t, w }) => {
      expect(body).toMatchObject({ responseId: t.responseId, question: 'phq9_1', newValue: t.correctionValue, correctedBy: `staff:${w.staff.researcherA.user.id}` })
      expect(await w.db.selectFrom('answer_correction').select('reason').execute()).toEqual([{ reason: 'Paper form says otherwise' }])
    } },
  { name: 'GET /studies/:id/audit', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/audit`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { w }) => {
      expect(body.actions).toContain('study.create')
      // Study B's own entries are not in study A's log.
      expect(text(body)).not.toContain(w.targets.B.cohortId)
    } },
  { name: 'GET /studies/:id/audit.csv', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/audit.csv?action=study.create`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(String(body)).toMatch(new RegExp(`^at,actor,actor_name,action,entity,entity_id,details\n[^\n]*study\.create,study,${t.studyId}`)) },
  { name: 'GET /audit', scoped: false, request: () => get('/api/audit'),                              expected: [200, 403, 403, 403, 403, 403, 401],
    check: (body, { w }) => expect(text(body)).toContain(w.targets.B.cohortId) },
  { name: 'GET /audit.csv', scoped: false, request: () => get('/api/audit.csv?action=study.create'),    expected: [200, 403, 403, 403, 403, 403, 401],
    check: (body) => expect(String(body).trim().split('\n')).toHaveLength(3) },
  { name: 'GET /participants/:id/report', scoped: true, request: (t) => get(`/api/participants/${t.participantId}/report`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body.participant).toMatchObject({ id: t.participantId, code: 'P1' })
      expect(body.waves.map((w: { kind: string; scores: unknown[] }) => [w.kind, w.scores.length > 0])).toEqual([['pre', true], ['post', true]])
    } },
  { name: 'GET /studies/:id/pooled-report', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/pooled-report`), expected: [404, 200, 403, 403, 403, 404, 401] },
  // The whole study at once (issue 17): live for researchers only, as a cohort's.
  { name: 'GET /studies/:id/report', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/report`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body.cohort.id).toBe(t.studyId)
      expect(body.cohorts.map((c: { id: string }) => c.id)).toContain(t.cohortId)
      expect(body.funnel.paired).toBe(12)
    } },
  { name: 'GET /studies/:id/table1', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/table1`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ cohort: { id: t.studyId }, n: 12, suppression: null }) },
  { name: 'GET /cohorts/:id/table1', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/table1`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => {
      expect(body.n).toBe(12)
      expect(body.suppression).toBeNull()
    } },

  // --- The study's own forms: researchers only; program leads never get the "Other" texts ------------
  { name: 'GET /studies/:id/demographics-form', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/demographics-form`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.demographics).toMatchObject({ id: 'demographics', languages: ['en', 'fa'] }) },
  { name: 'PUT /studies/:id/demographics-form', scoped: true, request: (t) => send('PUT', `/api/studies/${t.studyId}/demographics-form`, { instrumentId: 'demographics' }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.demographics.id).toBe('demographics') },
  { name: 'POST /studies/:id/demographics-form/questions/:question/choices', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/demographics-form/questions/role/choices`, { labels: { en: 'Psychiatric resident', fa: 'دستیار روان‌پزشکی' } }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body) => expect(body.added).toEqual({ question: 'role', value: 'psychiatric_resident', text: { en: 'Psychiatric resident', fa: 'دستیار روان‌پزشکی' } }) },
  { name: 'GET /cohorts/:id/table1/other-answers', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/table1/other-answers`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.questions.map((q: { variable: string }) => q.variable)).toEqual(['sex', 'role', 'workplace']) },

  // --- Safety flags: researchers only; no flag ever reaches a program lead -------------------------
  { name: 'GET /studies/:id/safety', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/safety`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => {
      expect(body.open).toEqual([expect.objectContaining({ code: 'P1', instrument: 'phq-9', item: 'phq9_9', value: 1, acknowledgement: null })])
    } },
  { name: 'PUT /studies/:id/safety/settings', scoped: true, request: (t) => send('PUT', `/api/studies/${t.studyId}/safety/settings`, { supportText: { en: 'Call us.', fa: null }, contact: '0123', notifyEmails: ['safety@example.org'], renotifyAfterHours: 12 }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ supportText: { en: 'Call us.', fa: null }, contact: '0123', notifyEmails: ['safety@example.org'], renotifyAfterHours: 12 }) },
  { name: 'POST /studies/:id/safety/flags/:responseId/:flagId/acknowledge', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/safety/flags/${t.flag}/acknowledge`, { action: 'Phoned the participant.' }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.acknowledgement).toMatchObject({ action: 'Phoned the participant.' }) },

  // --- Invitations and reminders: researchers only; contact details never leave them ---------------
  { name: 'GET /cohorts/:id/messages', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/messages`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => {
      expect(body.participants).toHaveLength(12)
      expect(body.email).toBe(false)
    } },
  { name: 'POST /cohorts/:id/messages', scoped: true, request: (t) => send('POST', `/api/cohorts/${t.cohortId}/messages`, { wave: 'pre', kind: 'reminder' }), expected: [404, 201, 403, 403, 403, 404, 401],
    // Every participant of the demo's completed cohort completed the pre wave: nobody to remind.
    check: (body) => expect(body).toEqual([]) },
  { name: 'PUT /studies/:id/messaging', scoped: true, request: (t) => send('PUT', `/api/studies/${t.studyId}/messaging`, { inviteOnOpen: true, reminderDays: [2] }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ inviteOnOpen: true, reminderDays: [2], emailName: null }) },
  { name: 'PUT /participants/:id/contact', scoped: true, request: (t) => send('PUT', `/api/participants/${t.participantId}/contact`, { email: 'p1@example.org', phone: '+98 912 000 0000', language: 'fa' }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ email: 'p1@example.org', phone: '+98 912 000 0000', language: 'fa', remindersOptOut: false }) },
  { name: 'POST /participants/:id/message', scoped: true, request: (t) => send('POST', `/api/participants/${t.participantId}/message`, { wave: 'pre', kind: 'reminder' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ code: 'P1', link: expect.stringMatching(/^http:\/\/localhost\/p\/[A-Za-z0-9_-]{43}$/), text: expect.stringContaining('/p/') }) },

  // --- Program-lead releases: researchers release, program leads read releases only ---------------
  { name: 'GET /studies/:id/disclosure-policy', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/disclosure-policy`), expected: [404, 200, 200, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ policy: { minN: 10, orderMinN: 20, countRedactAtOrBelow: 7, countRounding: 5 }, floor: { minN: 10, orderMinN: 20, countRedactAtOrBelow: 7, countRounding: 5 } }) },
  { name: 'PUT /studies/:id/disclosure-policy', scoped: true, request: (t) => send('PUT', `/api/studies/${t.studyId}/disclosure-policy`, { minN: 11, orderMinN: 25, countRedactAtOrBelow: 9, countRounding: 10 }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.policy).toEqual({ minN: 11, orderMinN: 25, countRedactAtOrBelow: 9, countRounding: 10 }) },
  { name: 'GET /cohorts/:id/releases', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/releases`), expected: [404, 200, 200, 403, 403, 404, 401],
    check: (body, { t, w }) => expect(body).toEqual([{ id: t.releaseId, cohortId: t.cohortId, releasedAt: expect.any(String), releasedBy: { id: w.staff.researcherA.user.id, name: w.staff.researcherA.user.name } }]) },
  { name: 'GET /cohorts/:id/release-preview', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/release-preview`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ allowed: true, refusals: [] }) },
  { name: 'POST /cohorts/:id/releases', scoped: true, request: (t) => send('POST', `/api/cohorts/${t.cohortId}/releases`), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ cohortId: t.cohortId, content: { cohort: { id: t.cohortId } } }) },
  { name: 'GET /studies/:id/releases', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/releases`), expected: [404, 200, 200, 403, 403, 404, 401],
    // No study-wide release yet: the cohort's release is not listed here.
    check: (body) => expect(body).toEqual([]) },
  { name: 'GET /studies/:id/release-preview', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/release-preview`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ allowed: true, refusals: [], content: { cohort: null, study: { id: t.studyId } } }) },
  { name: 'POST /studies/:id/releases', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/releases`), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body).toMatchObject({ cohortId: null, content: { cohort: null, study: { id: t.studyId } } })
      expect(body.content.cohorts.map((c: { id: string }) => c.id)).toContain(t.cohortId)
    } },
  { name: 'GET /releases/:id', scoped: true, request: (t) => get(`/api/releases/${t.releaseId}`), expected: [404, 200, 200, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body.id).toBe(t.releaseId)
      // The demo cohort: 12 pairs, so means and SDs in whole points, no quartiles; counts rounded; no participant.
      const phq = body.content.comparisons[0].scales.find((s: { instrument: string }) => s.instrument === 'phq-9')
      expect(phq.n).toBe(10)
      expect(Number.isInteger(phq.pre.mean)).toBe(true)
      expect([phq.pre.median, phq.wilcoxon, phq.reliableChange]).toEqual([null, null, null])
      expect(body.content.funnel.enrolled).toBe(10)
      expect(text(body)).not.toMatch(/"P\d+"/)
    } },

  // --- Interviews: researchers, and the interviewer assigned to the participant ---------------------
  { name: 'GET /studies/:id/interview-guides', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/interview-guides`), expected: [404, 200, 403, 403, 200, 404, 401],
    check: (body) => expect((body as { id: string }[]).map((g) => g.id)).toContain('balint-interview-guide') },
  { name: 'GET /studies/:id/interview-assignments', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/interview-assignments`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { w, t }) => expect(body).toContainEqual(expect.objectContaining({ participantId: t.intervieweeId, interviewerId: w.staff.interviewerA.user.id })) },
  { name: 'POST /studies/:id/interview-assignments', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/interview-assignments`, { interviewerId: t.interviewerId, participantId: t.participantId }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ studyId: t.studyId, interviewerId: t.interviewerId, participantId: t.participantId }) },
  { name: 'DELETE /studies/:id/interview-assignments/:assignmentId', scoped: true, request: (t) => send('DELETE', `/api/studies/${t.studyId}/interview-assignments/${t.assignmentId}`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: async (body, { w, t }) => {
      expect(body).toEqual({ ok: true })
      expect(await w.db.selectFrom('interview_assignment').select('id').where('id', '=', t.assignmentId).execute()).toEqual([])
    } },
  { name: 'GET /interviewer/participants', scoped: false, request: () => get('/api/interviewer/participants'), expected: [200, 200, 200, 200, 200, 200, 401],
    check: (body, { user, t }) => {
      const ids = (body as { participantId: string }[]).map((p) => p.participantId)
      // Only an interviewer has participants of their own: study A's is assigned the interviewee and the participants without an interview.
      if (user === 'interviewerA') expect(ids).toContain(t.intervieweeId)
      else expect(ids).toEqual([])
    } },
  { name: 'POST /participants/:id/interview', scoped: true, request: (t) => send('POST', `/api/participants/${t.freshParticipantId()}/interview`, { consentToRecord: true }), expected: [404, 201, 403, 403, 201, 404, 401],
    check: (body) => expect(body).toMatchObject({ status: 'in_progress', consentToRecord: true, transcript: null }) },
  { name: 'GET /participants/:id/interview', scoped: true, request: (t) => get(`/api/participants/${t.intervieweeId}/interview`), expected: [404, 200, 403, 403, 200, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ id: t.interviewId, participant: { id: t.intervieweeId }, transcript: { id: t.transcriptId } }) },
  { name: 'GET /interviews/:id', scoped: true, request: (t) => get(`/api/interviews/${t.interviewId}`), expected: [404, 200, 403, 403, 200, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ id: t.interviewId, guide: { id: 'balint-interview-guide' } }) },
  { name: 'PATCH /interviews/:id', scoped: true, request: (t) => send('PATCH', `/api/interviews/${t.interviewId}`, { endedAt: '2026-03-02T10:00:00.000Z' }), expected: [404, 200, 403, 403, 200, 404, 401],
    check: (body) => expect(body).toMatchObject({ status: 'ended', endedAt: '2026-03-02T10:00:00.000Z' }) },
  { name: 'PUT /interviews/:id/notes/:questionId', scoped: true, request: (t) => send('PUT', `/api/interviews/${t.interviewId}/notes/experience`, { text: 'Felt heard', revision: 1 }), expected: [404, 200, 403, 403, 200, 404, 401],
    check: (body) => expect(body).toMatchObject({ questionId: 'experience', revision: 1 }) },
  { name: 'PUT /interviews/:id/transcript', scoped: true, request: (t) => send('PUT', `/api/interviews/${t.interviewId}/transcript`, { format: 'text', content: t.transcriptText }), expected: [404, 200, 403, 403, 200, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ id: t.transcriptId, text: t.transcriptText }) },
  { name: 'GET /transcripts/:id', scoped: true, request: (t) => get(`/api/transcripts/${t.transcriptId}`), expected: [404, 200, 403, 403, 200, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ id: t.transcriptId, text: t.transcriptText }) },

  // --- Coding and analysis: researchers only ---------------------------------------------------------
  { name: 'GET /studies/:id/transcripts', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/transcripts`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect((body as { id: string }[]).map((x) => x.id)).toContain(t.transcriptId) },
  { name: 'GET /studies/:id/codes', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/codes`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect((body as { id: string }[]).map((c) => c.id)).toEqual(expect.arrayContaining([t.codeId, t.otherCodeId, t.unusedCodeId])) },
  { name: 'POST /studies/:id/codes', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/codes`, { level: 'theme', name: 'A new theme' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ studyId: t.studyId, level: 'theme', name: 'A new theme' }) },
  { name: 'PATCH /codes/:id', scoped: true, request: (t) => send('PATCH', `/api/codes/${t.codeId}`, { description: 'Fear of the patients, easing' }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ description: 'Fear of the patients, easing' }) },
  { name: 'POST /codes/:id/merge', scoped: true, request: (t) => send('POST', `/api/codes/${t.otherCodeId}/merge`, { into: t.codeId }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ code: { id: t.otherCodeId, mergedInto: t.codeId }, movedCodings: 1 }) },
  { name: 'DELETE /codes/:id', scoped: true, request: (t) => send('DELETE', `/api/codes/${t.unusedCodeId}`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ ok: true }) },
  { name: 'GET /codes/:id/history', scoped: true, request: (t) => get(`/api/codes/${t.codeId}/history`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect((body as { action: string }[]).map((e) => e.action)).toEqual(['create']) },
  { name: 'GET /transcripts/:id/codings', scoped: true, request: (t) => get(`/api/transcripts/${t.transcriptId}/codings?coders=all`), expected: [404, 200, 403, 403, 403, 404, 401],
    // Four codings of the text, and the researcher's seven disposable ones.
    check: (body) => expect(body.codings).toHaveLength(4 + users.length) },
  { name: 'POST /transcripts/:id/codings', scoped: true, request: (t) => send('POST', `/api/transcripts/${t.transcriptId}/codings`, { codeIds: [t.codeId], start: 1, end: 3 }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ created: 1, codings: [{ start: 1, end: 3, text: '9:' }] }) },
  { name: 'DELETE /codings/:id', scoped: true, request: (t) => send('DELETE', `/api/codings/${t.disposableCodingId()}`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ ok: true }) },
  { name: 'GET /transcripts/:id/done', scoped: true, request: (t) => get(`/api/transcripts/${t.transcriptId}/done`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(Array.isArray(body)).toBe(true) },
  { name: 'PUT /transcripts/:id/done', scoped: true, request: (t) => send('PUT', `/api/transcripts/${t.transcriptId}/done`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toHaveLength(1) },
  { name: 'DELETE /transcripts/:id/done', scoped: true, request: (t) => send('DELETE', `/api/transcripts/${t.transcriptId}/done`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(Array.isArray(body)).toBe(true) },
  { name: 'GET /transcripts/:id/resolutions', scoped: true, request: (t) => get(`/api/transcripts/${t.transcriptId}/resolutions`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual([]) },
  { name: 'POST /transcripts/:id/resolutions', scoped: true, request: (t) => send('POST', `/api/transcripts/${t.transcriptId}/resolutions`, { codeId: t.codeId, start: 0, end: 3, decision: 'does_not_apply' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ transcriptId: t.transcriptId, codeId: t.codeId, decision: 'does_not_apply' }) },
  { name: 'PUT /codes/:id/quote', scoped: true, request: (t) => send('PUT', `/api/codes/${t.codeId}/quote`, { codingId: t.codingId }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject({ codeId: t.codeId, codingId: t.codingId }) },
  { name: 'DELETE /codes/:id/quote', scoped: true, request: (t) => send('DELETE', `/api/codes/${t.codeId}/quote`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ ok: true }) },
  { name: 'PUT /codes/:id/quotes', scoped: true, request: (t) => send('PUT', `/api/codes/${t.codeId}/quotes`, { codingIds: [t.codingId] }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toMatchObject([{ codeId: t.codeId, codingId: t.codingId, position: 1 }]) },
  { name: 'DELETE /codes/:id/quotes/:codingId', scoped: true, request: (t) => send('DELETE', `/api/codes/${t.codeId}/quotes/${t.quotedCodingId}`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ ok: true }) },
  { name: 'GET /studies/:id/quotes', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/quotes`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toContainEqual(expect.objectContaining({ codeId: t.codeId, text: 'I was afraid of the patients.' })) },
  { name: 'GET /studies/:id/member-checks', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/member-checks`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(Array.isArray(body)).toBe(true) },
  { name: 'GET /studies/:id/memos', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/memos`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect((body as { id: string }[]).map((m) => m.id)).toContain(t.memoId) },
  { name: 'POST /studies/:id/memos', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/memos`, { targetType: 'project', text: 'Second round of coding next week' }), expected: [404, 201, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ targetType: 'project', text: 'Second round of coding next week' }) },
  { name: 'PATCH /memos/:id', scoped: true, request: (t) => send('PATCH', `/api/memos/${t.memoId}`, { text: 'Matrix memo, edited' }), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ text: 'Matrix memo, edited' }) },
  { name: 'DELETE /memos/:id', scoped: true, request: (t) => send('DELETE', `/api/memos/${t.disposableMemoId()}`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toEqual({ ok: true }) },
  { name: 'GET /studies/:id/table2', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/table2`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body.rows).toContainEqual(expect.objectContaining({ code: expect.objectContaining({ id: t.codeId }), meaningUnits: [expect.objectContaining({ text: 'I was afraid of the patients.' })] })) },
  { name: 'GET /studies/:id/code-frequencies', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/code-frequencies`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body.rows.find((r: { code: { id: string } }) => r.code.id === t.codeId).total).toBe(2 + users.length) }, // the second coder's coding of the quoted passage counts once
  { name: 'GET /studies/:id/saturation', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/saturation?base=4&run=2&threshold=0.05`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ parameters: { base: 4, run: 2, threshold: 0.05 }, methodsSentence: expect.stringMatching(/^Saturation was assessed/) }) },
  { name: 'GET /studies/:id/agreement', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/agreement?coderA=${t.coderAId}&coderB=${t.coderBId}&unit=sentence`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body.coders).toMatchObject({ A: { id: t.coderAId }, B: { id: t.coderBId } })
      expect(body.disagreements.map((d: { text: string }) => d.text)).toEqual(['Then I felt calmer.', 'P9: The leaders were active.'])
    } },
  { name: 'GET /cohorts/:id/joint-display', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/joint-display`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => {
      expect(body.scale).not.toBeNull()
      expect(body.participants.find((p: { participant: { id: string } }) => p.participant.id === t.intervieweeId)).toMatchObject({ interviewed: true })
    } },
  { name: 'POST /studies/:id/codebook/import', scoped: true, request: (t) => send('POST', `/api/studies/${t.studyId}/codebook/import?format=csv`, 'theme,category,code\nImported theme,Imported category,Imported code\n'), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ codes: { created: 3 } }) },
  { name: 'POST /cohorts/:id/import.qdpx', scoped: true, request: (t) => send('POST', `/api/cohorts/${t.cohortId}/import.qdpx`, zipSync({ 'project.qde': strToU8('<Project xmlns="urn:QDA-XML:project:1.0" name="Empty"/>') })), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toMatchObject({ validation: { valid: true }, transcripts: 0 }) },
  { name: 'GET /studies/:id/notes.csv', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/notes.csv`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(String(body)).toMatch(/^participant,kind,about,decision,text,at/) },
  { name: 'GET /studies/:id/notes', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/notes`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body, { t }) => expect(body).toContainEqual(expect.objectContaining({ transcriptId: t.transcriptId })) },
  { name: 'GET /studies/:id/segments', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/segments?code=${t.codeId}`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.segments).toContainEqual(expect.objectContaining({ text: 'I was afraid of the patients.' })) },
  { name: 'GET /studies/:id/segments.csv', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/segments.csv?code=${t.codeId}`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(String(body)).toContain('I was afraid of the patients.') },
  { name: 'GET /studies/:id/search', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/search?q=afraid`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body.hits).toContainEqual(expect.objectContaining({ match: 'afraid' })) },
  { name: 'GET /cohorts/:id/project.qdpx', scoped: true, request: (t) => get(`/api/cohorts/${t.cohortId}/project.qdpx`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(Object.keys(readQdpxEntries(body))).toContain('project.qde') },
  { name: 'GET /studies/:id/codebook.qdc', scoped: true, request: (t) => get(`/api/studies/${t.studyId}/codebook.qdc`), expected: [404, 200, 403, 403, 403, 404, 401],
    check: (body) => expect(body).toContain('name="Matrix fear"') },
]

const errorCode: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' }

/** A response's body: JSON, the bytes of a ZIP (a .qdpx), or text (CSV, XML). */
async function readBody(res: Response): Promise<any> {
  const type = res.headers.get('content-type') ?? ''
  if (type.includes('json')) return res.json()
  if (type.includes('zip')) return new Uint8Array(await res.arrayBuffer())
  return res.text()
}

/** Make one request as one user. */
async function call(w: World, user: User, request: Request): Promise<Response> {
  const headers: Record<string, string> = { ...w.headers[user] }
  // A string or bytes are a file sent as it is (the imports); anything else is JSON.
  const file = typeof request.body === 'string' || request.body instanceof Uint8Array
  if (file) headers['content-type'] = typeof request.body === 'string' ? 'text/plain; charset=utf-8' : 'application/zip'
  else if (request.body !== undefined) headers['content-type'] = 'application/json'
  return w.app.request(request.path, { method: request.method, headers, body: request.body === undefined ? undefined : file ? (request.body as string | Uint8Array<ArrayBuffer>) : JSON.stringify(request.body) })
}

/**
 * Run one row of the matrix: every user in turn, in the order of `users`. Refused cells must write
 * nothing, and a 404 must say no more than the 404 for an id that exists nowhere.
 */
async function runRow(route: Route, target: 'A' | 'B', expected: Record<User, number>) {
  const w = await world()
  const t = w.targets[target]
  const actual = {} as Record<User, number>
  for (const user of users) {
    const before = await snapshot(w.db)
    const res = await call(w, user, route.request(t, w))
    actual[user] = res.status
    if (res.status !== expected[user]) continue
    const body = await readBody(res)
    if (res.status < 300) {
      if (target === 'A') await route.check?.(body, { user, w, t })
      continue
    }
    expect(body, `${route.name} as ${user}`).toMatchObject({ error: { code: errorCode[res.status] } })
    expect(await snapshot(w.db), `${route.name} as ${user} wrote something`).toEqual(before)
    if (res.status === 404 && route.scoped) {
      const ghost = await call(w, user, route.request(w.targets.ghost, w))
      expect({ status: ghost.status, body: await ghost.json() }, `${route.name} as ${user}: the 404 tells a real id from a made-up one`).toEqual({ status: 404, body })
    }
  }
  expect(actual).toEqual(expected)
}

const asRecord = (statuses: Route['expected']): Record<User, number> => Object.fromEntries(users.map((u, i) => [u, statuses[i]!])) as Record<User, number>

describe('the role × route matrix, aimed at study A', () => {
  it.each(routes.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    await runRow(route, 'A', asRecord(route.expected))
    // Each row builds a whole world (demo study, interviews, two releases): on a busy machine that can take longer than vitest's default 5 s.
  }, 30_000)
})

describe('the same routes aimed at study B: staff of study A reach nothing there', () => {
  const scoped = routes.filter((r) => r.scoped)
  it.each(scoped.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    const [admin, researcherA, , , , , anonymous] = route.expected
    // Study A's staff are strangers in study B; study B's researcher may do what A's researcher may in A.
    await runRow(route, 'B', { admin, researcherA: 404, leadA: 404, leaderA: 404, interviewerA: 404, researcherB: researcherA, anonymous })
  }, 30_000)
})

describe('the matrix is complete', () => {
  it('has a row for every staff route the app mounts', async () => {
    // A new route must get a row above: compare with what the route files mount.
    const { deps } = await testApp()
    const mounted = createApp(deps)
      .routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/') && !r.path.startsWith('/api/p/'))
      .map((r) => `${r.method} ${r.path.replace(/^\/api/, '')}`)
      // The export downloads are another part of the app, with their own tests.
      .filter((r) => !r.includes('/exports'))
    const publicRoutes = ['GET /health', 'POST /auth/setup', 'POST /auth/sign-in', 'GET /auth/password-link/:token', 'POST /auth/password-link']
    expect([...new Set(mounted)].filter((r) => !publicRoutes.includes(r)).sort()).toEqual(routes.map((r) => r.name).sort())
  })
})

describe('program leads see released snapshots only', () => {
  it('never get a safety flag: no route a program lead may read carries one', async () => {
    const w = await world()
    const readable = routes.filter((r) => r.expected[2] === 200 && r.request(w.targets.A, w).method === 'GET')
    expect(readable.length).toBeGreaterThan(3)
    for (const route of readable) {
      const res = await call(w, 'leadA', route.request(w.targets.A, w))
      expect(res.status, route.name).toBe(200)
      expect(await res.text(), route.name).not.toMatch(/phq9_9|phq9-item9|self-harm|better off dead|"flags?"|safety/i)
    }
  }, 30_000)

  it('reads a release as CSV and Markdown without participant codes; the live report and Table 1 are closed to them', async () => {
    const w = await world()
    const path = `/api/releases/${w.targets.A.releaseId}`
    const csv = await call(w, 'leadA', get(`${path}?format=csv`))
    expect(csv.status).toBe(200)
    const md = await call(w, 'leadA', get(`${path}?format=md`))
    expect(md.status).toBe(200)
    for (const body of [await csv.text(), await md.text()]) expect(body).not.toMatch(/\bP\d+\b/)
    for (const live of [`/api/cohorts/${w.targets.A.cohortId}/report?format=md`, `/api/cohorts/${w.targets.A.cohortId}/table1?format=csv`]) {
      const res = await call(w, 'leadA', get(live))
      expect(res.status).toBe(403)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    }
    // The researcher's Markdown has them.
    expect(await (await call(w, 'researcherA', get(`/api/cohorts/${w.targets.A.cohortId}/report?format=md`))).text()).toMatch(/\bP12\b/)
  }, 30_000)

  it("shows Table 1 with no count of 7 or fewer and every other count rounded to 5, where the researcher's has small cells", async () => {
    const w = await world()
    const full = (await (await call(w, 'researcherA', get(`/api/cohorts/${w.targets.A.cohortId}/table1`))).json()) as Table1
    const release = (await (await call(w, 'leadA', get(`/api/releases/${w.targets.A.releaseId}`))).json()) as { content: { table1: Table1 } }
    const lead = release.content.table1
    // The demo data do have small cells, so the rule was exercised.
    expect(levelCounts(full).some((n) => n !== null && n > 0 && n < 8)).toBe(true)
    expect(levelCounts(lead).every((n) => n === null || (n > 7 && n % 5 === 0))).toBe(true)
    expect(lead.categorical.flatMap((c) => c.levels.map((l) => l.percent)).every((p) => p === null || (p > 0 && p < 100))).toBe(true)
    expect(lead.continuous.every((c) => !('min' in c) && !('max' in c))).toBe(true)
  }, 30_000)

  it("follows the study's policy: a researcher may raise a threshold, never lower one below its floor", async () => {
    const w = await world()
    const policy = `/api/studies/${w.targets.A.studyId}/disclosure-policy`
    const before = await snapshot(w.db)
    const lowered = await call(w, 'researcherA', send('PUT', policy, { minN: 5, orderMinN: 20, countRedactAtOrBelow: 7, countRounding: 5 }))
    expect(lowered.status).toBe(422)
    expect(((await lowered.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field)).toEqual(['minN'])
    expect(await snapshot(w.db)).toEqual(before)
    // Raised above the cohort's 12 pairs: a new release shows no statistic, with the reason.
    expect((await call(w, 'researcherA', send('PUT', policy, { minN: 13, orderMinN: 20, countRedactAtOrBelow: 7, countRounding: 5 }))).status).toBe(200)
    const released = await call(w, 'researcherA', send('POST', `/api/cohorts/${w.targets.A.cohortId}/releases`))
    expect(released.status).toBe(201)
    const body = (await released.json()) as { content: { policy: { minN: number }; comparisons: { scales: { pre: { mean: number | null }; withheld: Record<string, string>; why: Record<string, unknown> }[] }[] } }
    expect(body.content.policy.minN).toBe(13)
    expect(body.content.comparisons[0]!.scales.length).toBeGreaterThan(0)
    expect(body.content.comparisons[0]!.scales.every((s) => s.pre.mean === null && s.withheld.all === 'fewer than 13 complete pairs')).toBe(true)
    // The same reason as a code with its number, for the page to say in the reader's language.
    expect(body.content.comparisons[0]!.scales.map((s) => s.why)).toEqual(body.content.comparisons[0]!.scales.map(() => ({ all: { code: 'fewer_pairs', minN: 13 } })))
  }, 30_000)

  it('refuses a program lead who tries to change a threshold or release', async () => {
    const w = await world()
    const before = await snapshot(w.db)
    expect((await call(w, 'leadA', send('PATCH', `/api/studies/${w.targets.A.studyId}`, { minCellSize: 2 }))).status).toBe(403)
    expect((await call(w, 'leadA', send('PUT', `/api/studies/${w.targets.A.studyId}/disclosure-policy`, { minN: 50, orderMinN: 50, countRedactAtOrBelow: 7, countRounding: 5 }))).status).toBe(403)
    expect((await call(w, 'leadA', send('POST', `/api/cohorts/${w.targets.A.cohortId}/releases`))).status).toBe(403)
    expect(await snapshot(w.db)).toEqual(before)
  }, 30_000)
})

describe("managing a study's staff", () => {
  it('refuses to give a role to an email without an account, naming the field', async () => {
    const w = await world()
    const before = await snapshot(w.db)
    const res = await call(w, 'researcherA', send('POST', `/api/studies/${w.targets.A.studyId}/staff`, { email: 'stranger@example.org', role: 'researcher' }))
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field)).toEqual(['email'])
    expect(await snapshot(w.db)).toEqual(before)
  })

  it('does not let a researcher remove their own researcher role', async () => {
    const w = await world()
    const before = await snapshot(w.db)
    const res = await call(w, 'researcherA', send('DELETE', `/api/studies/${w.targets.A.studyId}/staff/${w.staff.researcherA.user.id}/researcher`))
    expect(res.status).toBe(409)
    expect(await snapshot(w.db)).toEqual(before)
  })

  it('takes effect at once: a revoked program lead is a stranger to the study on the next request', async () => {
    const w = await world()
    const report = get(`/api/releases/${w.targets.A.releaseId}`)
    expect((await call(w, 'leadA', report)).status).toBe(200)
    const revoked = await call(w, 'researcherA', send('DELETE', `/api/studies/${w.targets.A.studyId}/staff/${w.staff.leadA.user.id}/program_lead`))
    expect(revoked.status).toBe(200)
    expect((await call(w, 'leadA', report)).status).toBe(404)
    expect((await call(w, 'leadA', get(`/api/studies/${w.targets.A.studyId}`))).status).toBe(404)
  })
})

type Table1 = {
  n: number
  suppression: { minCellSize: number } | null
  continuous: { variable: string; n: number | null; mean: number | null; sd: number | null; min: number | null; max: number | null }[]
  categorical: { variable: string; answered: number | null; levels: { value: string; n: number | null; percent: number | null }[] }[]
}

function levelCounts(table: Table1): (number | null)[] {
  return table.categorical.flatMap((c) => c.levels.map((l) => l.n))
}

