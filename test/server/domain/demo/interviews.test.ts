/**
 * The demo study's interviews: eight invented transcripts of P1–P8 of the completed cohort, a
 * three-level codebook, codings by two coders who mostly agree, a Table 2 quotation per code, and
 * an interview order in which the last interviews add no new code (saturation).
 */
import { describe, expect, it } from 'vitest'
import { listCodes } from '../../../../server/db/repositories/codebook'
import { listCodingsOfStudy, listMemberChecksOfStudy } from '../../../../server/db/repositories/codings'
import { listTranscriptsOfStudy } from '../../../../server/db/repositories/interviews'
import { findParticipant } from '../../../../server/db/repositories/participants'
import { listRolesInStudy } from '../../../../server/db/repositories/staff'
import { signIn } from '../../../../server/domain/staff/auth'
import { participantQuotes, studyQuotes } from '../../../../server/domain/qualitative/coding'
import { createDemo } from '../../../../server/domain/demo/study'
import { demoInterviews } from '../../../../server/domain/demo/interviews'
import { codingAgreement } from '../../../../server/domain/qualitative/agreement'
import { saturationCurve } from '../../../../server/domain/qualitative/saturation'
import { testDeps } from '../../../helpers/app'

async function demo() {
  const deps = await testDeps()
  const created = await createDemo(deps, 'test')
  const studyId = created.study.id
  const transcripts = await listTranscriptsOfStudy(deps.db, studyId)
  const codes = await listCodes(deps.db, studyId)
  const codings = await listCodingsOfStudy(deps.db, studyId)
  return { deps, created, studyId, transcripts, codes, codings }
}

describe('the demo study’s interviews', () => {
  it('has eight transcripts of P1–P8 of the completed cohort, with Interviewer and participant turns of 25 to 40 lines', async () => {
    const { transcripts, created } = await demo()
    expect(transcripts.map((t) => t.participantCode)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'])
    expect(new Set(transcripts.map((t) => t.cohortId))).toEqual(new Set([created.completedCohort.id]))
    for (const t of transcripts) {
      const lines = t.text.split('\n')
      expect(lines.length, t.participantCode).toBeGreaterThanOrEqual(25)
      expect(lines.length, t.participantCode).toBeLessThanOrEqual(40)
      expect(lines[0]).toMatch(/^Interviewer: /)
      for (const line of lines) expect(line, `${t.participantCode}: ${line}`).toMatch(new RegExp(`^(Interviewer|${t.participantCode}): \\S`))
      expect(t.format).toBe('text')
    }
  })

  it('holds the interviews after the last group session, one after another, before now, each ended and with consent to record', async () => {
    const { created, deps } = await demo()
    const interviews = created.qualitative.interviews
    const lastSession = (await deps.db.selectFrom('group_session').select('starts_at').where('cohort_id', '=', created.completedCohort.id).orderBy('starts_at', 'desc').executeTakeFirstOrThrow()).starts_at
    expect(interviews[0]!.startedAt > lastSession).toBe(true)
    for (const [i, interview] of interviews.entries()) {
      if (i > 0) expect(interview.startedAt > interviews[i - 1]!.endedAt!).toBe(true)
      expect(interview.endedAt! > interview.startedAt).toBe(true)
      expect(interview.endedAt! <= deps.now().toISOString()).toBe(true)
      expect(interview.consentToRecord).toBe(true)
      expect(interview.interviewerId).toBe(created.qualitative.staff.interviewer.id)
    }
  })

  it('has a three-level codebook: 3 themes, their categories, and codes in categories', async () => {
    const { codes } = await demo()
    const byId = new Map(codes.map((c) => [c.id, c]))
    const themes = codes.filter((c) => c.level === 'theme')
    const categories = codes.filter((c) => c.level === 'category')
    const leaves = codes.filter((c) => c.level === 'code')
    expect(themes.map((t) => t.name)).toEqual(['Effects of the Balint group', 'Structure of the group', 'Virtuality of the group'])
    expect(themes.every((t) => t.parentId === null)).toBe(true)
    expect(categories.every((c) => byId.get(c.parentId!)?.level === 'theme')).toBe(true)
    expect(leaves.every((c) => byId.get(c.parentId!)?.level === 'category')).toBe(true)
    expect(leaves.length).toBeGreaterThanOrEqual(12)
    expect(leaves.length).toBeLessThanOrEqual(14)
    // Every category holds a code and every theme a category; every node is described.
    for (const category of categories) expect(leaves.some((c) => c.parentId === category.id), category.name).toBe(true)
    for (const theme of themes) expect(categories.some((c) => c.parentId === theme.id), theme.name).toBe(true)
    expect(codes.every((c) => (c.description ?? '').length > 10)).toBe(true)
  })

  it('is coded by two coders, "Demo coder A" and "Demo coder B", in every transcript', async () => {
    const { codings, created, transcripts, studyId, deps } = await demo()
    const { coderA, coderB, interviewer } = created.qualitative.staff
    expect([coderA.name, coderB.name, interviewer.name]).toEqual(['Demo coder A', 'Demo coder B', 'Demo interviewer'])
    expect(new Set(codings.map((c) => c.coderId))).toEqual(new Set([coderA.id, coderB.id]))
    for (const t of transcripts) {
      for (const coder of [coderA, coderB]) expect(codings.some((c) => c.transcriptId === t.id && c.coderId === coder.id), `${coder.name} in ${t.participantCode}`).toBe(true)
    }
    // They are authors of the invented work only: no role in the study.
    const roles = await listRolesInStudy(deps.db, studyId)
    expect(roles.filter((r) => [coderA.id, coderB.id, interviewer.id].includes(r.userId))).toEqual([])
  })

  it('copies each coding’s text from its transcript by code points', async () => {
    const { codings, transcripts } = await demo()
    const textOf = new Map(transcripts.map((t) => [t.id, t.text]))
    expect(codings.length).toBeGreaterThan(100)
    for (const coding of codings) {
      const text = textOf.get(coding.transcriptId)!
      expect(coding.text).toBe([...text].slice(coding.start, coding.end).join(''))
      expect(coding.text.trim()).toBe(coding.text)
    }
  })

  it('has coders who mostly agree and sometimes disagree', async () => {
    const { codings, created, transcripts, codes } = await demo()
    const { coderA, coderB } = created.qualitative.staff
    const agreement = codingAgreement({
      transcripts: transcripts.map((t) => ({ id: t.id, participantCode: t.participantCode, interviewOrder: t.interviewOrder, text: t.text, createdAt: t.createdAt })),
      codes,
      codingsA: codings.filter((c) => c.coderId === coderA.id),
      codingsB: codings.filter((c) => c.coderId === coderB.id),
      unit: 'sentence',
    })
    expect(agreement.overall.cohensKappa).toBeGreaterThan(0.6)
    expect(agreement.overall.cohensKappa).toBeLessThan(0.95)
    expect(agreement.disagreements.length).toBeGreaterThanOrEqual(10)
    // Both kinds: units only A coded and units only B coded.
    expect(new Set(agreement.disagreements.map((d) => d.codedBy))).toEqual(new Set(['A', 'B']))
  })

  it('has a Table 2 quotation for every code, from coder A, of that code, spread over the participants', async () => {
    const { deps, studyId, codes, codings, created } = await demo()
    const quotes = await studyQuotes(deps, studyId)
    const leaves = codes.filter((c) => c.level === 'code')
    expect(quotes.map((q) => q.codeId).sort()).toEqual(leaves.map((c) => c.id).sort())
    const byId = new Map(codings.map((c) => [c.id, c]))
    for (const quote of quotes) {
      expect(byId.get(quote.codingId)).toMatchObject({ codeId: quote.codeId, coderId: created.qualitative.staff.coderA.id, text: quote.text })
    }
    expect(new Set(quotes.map((q) => q.participantCode)).size).toBeGreaterThanOrEqual(7)
    // Two participants have answered about theirs: one confirmed, one commented.
    const checks = await listMemberChecksOfStudy(deps.db, studyId)
    expect(checks.map((c) => [c.participantCode, c.decision])).toEqual([
      ['P1', 'confirm'],
      ['P5', 'comment'],
    ])
  })

  it('shows a participant the quotations from their interview with the theme, category and code', async () => {
    const { deps, transcripts } = await demo()
    const p1 = (await findParticipant(deps.db, transcripts[0]!.participantId))!
    const quotes = await participantQuotes(deps, p1)
    expect(quotes.map((q) => [q.theme, q.category, q.code, q.answer?.decision ?? null])).toEqual([
      ['Structure of the group', 'Safety in the group', 'Safe enough to share', 'confirm'],
      ['Virtuality of the group', 'Gains of meeting online', 'Taking part from anywhere', null],
    ])
  })

  it('reaches saturation: every code appears in the first six interviews, and the last interviews add none', async () => {
    const { transcripts, codings, codes, created } = await demo()
    const curveOf = (coderIds: string[]) =>
      saturationCurve(
        transcripts.map((t) => ({
          order: t.interviewOrder,
          participantCode: t.participantCode,
          codeIds: codings.filter((c) => c.transcriptId === t.id && coderIds.includes(c.coderId)).map((c) => c.codeId),
        })),
      )
    const { coderA, coderB } = created.qualitative.staff
    const leaves = codes.filter((c) => c.level === 'code').length
    for (const coders of [[coderA.id, coderB.id], [coderA.id], [coderB.id]]) {
      const curve = curveOf(coders)
      expect(curve.map((p) => p.participantCode)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'])
      expect(curve.at(-1)!.newCount).toBe(0)
      expect(curve.at(-2)!.newCount).toBe(0)
      expect(curve.at(-1)!.cumulativeUnique).toBe(curve.at(-3)!.cumulativeUnique)
    }
    const both = curveOf([coderA.id, coderB.id])
    expect(both.map((p) => p.newCount)).toEqual([6, 3, 1, 1, 1, 1, 0, 0])
    expect(both[5]!.cumulativeUnique).toBe(leaves)
  })

  it('makes staff accounts nobody can sign in to, new ones for each demo, and the same codings each time', async () => {
    const first = await demo()
    const { staff } = first.created.qualitative
    const rows = await first.deps.db.selectFrom('staff_user').select(['email', 'password_hash', 'is_admin']).where('id', 'in', [staff.interviewer.id, staff.coderA.id, staff.coderB.id]).execute()
    for (const row of rows) {
      expect(row.email).toMatch(new RegExp(`^demo-[a-z-]+\\.${first.studyId}@demo\\.invalid$`))
      expect(row.password_hash).toMatch(/^\$argon2id\$/)
      expect(row.is_admin).toBe(0)
      for (const guess of ['', 'demo', 'password', row.email]) await expect(signIn(first.deps, { email: row.email, password: guess })).rejects.toMatchObject({ code: 'unauthorized' })
    }
    expect(new Set(rows.map((r) => r.password_hash)).size).toBe(3)

    // A second demo in the same database: new accounts, the same data.
    const second = await createDemo(first.deps, 'test')
    expect(second.qualitative.staff.coderA.id).not.toBe(staff.coderA.id)
    const spans = (codings: typeof first.codings, transcripts: typeof first.transcripts) =>
      codings.map((c) => [transcripts.find((t) => t.id === c.transcriptId)!.participantCode, c.start, c.end, c.coderId === codings[0]!.coderId]).sort()
    const again = await listCodingsOfStudy(first.deps.db, second.study.id)
    expect(spans(again, await listTranscriptsOfStudy(first.deps.db, second.study.id))).toEqual(spans(first.codings, first.transcripts))
  })

  it('audits the demo’s interviews and accounts as the work of whoever created the demo', async () => {
    const { deps, studyId, created } = await demo()
    const audit = await deps.db.selectFrom('audit_log').select(['actor', 'action', 'entity_id', 'details']).where('action', 'in', ['demo.interviews', 'staff.create']).execute()
    expect(audit.map((a) => [a.actor, a.action]).sort()).toEqual([
      ['test', 'demo.interviews'],
      ['test', 'staff.create'],
      ['test', 'staff.create'],
      ['test', 'staff.create'],
    ])
    const summary = JSON.parse(audit.find((a) => a.action === 'demo.interviews')!.details)
    expect(summary).toEqual({ interviews: 8, codes: created.qualitative.codes.length, codings: created.qualitative.codings.length, quotes: 13, invented: true })
    expect(audit.find((a) => a.action === 'demo.interviews')!.entity_id).toBe(studyId)
  })

  it('keeps its data file consistent: every coded passage occurs exactly once in its transcript', () => {
    for (const interview of demoInterviews) {
      for (const coding of interview.codings) {
        const first = interview.text.indexOf(coding.text)
        expect(first, `${interview.participant}: ${coding.text}`).toBeGreaterThanOrEqual(0)
        expect(interview.text.indexOf(coding.text, first + 1), `${interview.participant}: ${coding.text}`).toBe(-1)
      }
    }
  })
})
