/**
 * Withdrawn stays withdrawn: once a participant asks in member checking for a quotation to be
 * withdrawn, its words come back by no route — not through another coder's coding of the same
 * words, nor a coding that takes them in, nor a quotation chosen before the rule existed — in
 * Table 2 (JSON, CSV, Markdown), the joint display, or the choice of a quotation.
 */
import { describe, expect, it } from 'vitest'
import { createCode } from '../../../server/domain/qualitative/codebook'
import { addCodings, chooseQuote } from '../../../server/domain/qualitative/coding'
import { setWave } from '../../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../../helpers/app'
import { codingStudy, spanOf } from '../../helpers/qualitative'
import { signedInStaff } from '../../helpers/staff'

const text = 'Interviewer: And the leaders?\nP1: They stepped in when someone judged me. I also liked joining from home.'
const words = 'They stepped in when someone judged me.'

async function world() {
  const built = await testApp()
  const { deps } = built
  const study = await codingStudy(deps, [text])
  for (const kind of ['pre', 'post'] as const) await setWave(deps, { cohortId: study.cohort.id, kind, opens: '2026-03-01', closes: '2026-03-10', instruments: ['phq-9'], confirmOverlap: true }, 'test')
  const actor = `staff:${study.coderA.id}`
  const leaders = await createCode(deps, study.study.id, { level: 'code', name: 'Leaders who step in' }, actor)
  const place = study.transcripts[0]!
  const byA = (await addCodings(deps, place, study.coderA.id, { codeIds: [leaders.id], ...spanOf(text, words) })).codings[0]!
  const byB = (await addCodings(deps, place, study.coderB.id, { codeIds: [leaders.id], ...spanOf(text, words) })).codings[0]!
  // A coding by the second coder that takes the same words in with more around them.
  const wider = (await addCodings(deps, place, study.coderB.id, { codeIds: [leaders.id], ...spanOf(text, `P1: ${words}`) })).codings[0]!
  await chooseQuote(deps, leaders, byA.id, actor)
  const researcher = await signedInStaff(deps, [{ studyId: study.study.id, role: 'researcher' }])
  const participant = study.participants[0]!
  const withdrawn = await built.app.request(`/api/p/${participant.token}/quotes/${byA.id}`, jsonRequest('POST', { decision: 'withdraw' }))
  expect(withdrawn.status).toBe(201)
  const get = (path: string) => built.app.request(path, { headers: researcher.headers })
  const choose = (codingId: string) => built.app.request(`/api/codes/${leaders.id}/quote`, { ...jsonRequest('PUT', { codingId }), headers: { ...researcher.headers, 'content-type': 'application/json' } })
  return { ...built, study, leaders, byA, byB, wider, get, choose }
}

describe('a withdrawn quotation', () => {
  it("cannot be chosen again through another coder's coding of the same words, or a wider one (409, nothing written)", async () => {
    const w = await world()
    for (const coding of [w.byB, w.wider]) {
      const before = await w.db.selectFrom('table2_quote').selectAll().execute()
      const res = await w.choose(coding.id)
      expect(res.status).toBe(409)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('conflict')
      expect(await w.db.selectFrom('table2_quote').selectAll().execute()).toEqual(before)
    }
  })

  it('stays out of Table 2, its CSV and Markdown, and the joint display, even when a quotation of the same words is already stored', async () => {
    const w = await world()
    // A choice made by another path (stored before the check existed): the words must not come back.
    await w.db.insertInto('table2_quote').values({ code_id: w.leaders.id, coding_id: w.byB.id, position: 2, chosen_by: 'test', chosen_at: '2026-03-02T09:00:00.000Z' }).execute()
    for (const path of [`/api/studies/${w.study.study.id}/table2`, `/api/studies/${w.study.study.id}/table2?format=csv`, `/api/studies/${w.study.study.id}/table2?format=md`, `/api/cohorts/${w.study.cohort.id}/joint-display`]) {
      const res = await w.get(path)
      expect(res.status, path).toBe(200)
      expect(await res.text(), path).not.toContain('someone judged me')
    }
  })
})
