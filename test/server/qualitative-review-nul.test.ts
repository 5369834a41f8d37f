/**
 * A NUL character (U+0000) in a transcript (from the qualitative review): PostgreSQL's text type
 * cannot hold it, so an upload or a .qdpx source with one failed there with a 500 (SQLite stored it).
 * A NUL is never part of what was said: a pasted or uploaded transcript with one is refused, 422 on
 * `content`, on both engines; an imported source is skipped with the reason.
 */
import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { findParticipant } from '../../server/db/repositories/participants'
import { putTranscript, startInterview } from '../../server/domain/qualitative/interviews'
import { addParticipants, createCohort, createStudy } from '../../server/domain/staff/setup'
import { jsonRequest, testApp } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

async function world() {
  const built = await testApp()
  const study = await createStudy(built.deps, { name: 'NUL study' }, 'test')
  const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group 1' }, 'test')
  const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
  return { built, study, cohort, researcher }
}

describe('a transcript holding a NUL character', () => {
  it('is refused, 422 naming content, and nothing is stored', async () => {
    const { built, cohort, researcher } = await world()
    const [p] = await addParticipants(built.deps, { cohortId: cohort.id, count: 1 }, 'test')
    const interview = await startInterview(built.deps, (await findParticipant(built.db, p!.id))!, researcher.user, { consentToRecord: true })
    const req = jsonRequest('PUT', { format: 'text', content: 'P1: I was\u0000 afraid.' })
    const res = await built.app.request(`/api/interviews/${interview.id}/transcript`, { ...req, headers: { ...(req.headers as Record<string, string>), ...researcher.headers } })
    const body = (await res.json()) as Record<string, any>
    expect(res.status, JSON.stringify(body)).toBe(422)
    expect(body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'content' }] })
    expect(await built.db.selectFrom('transcript').selectAll().execute()).toEqual([])
  })

  it('is refused by putTranscript itself, for callers other than the API (the command line)', async () => {
    const { built, cohort, researcher } = await world()
    const [p] = await addParticipants(built.deps, { cohortId: cohort.id, count: 1 }, 'test')
    const interview = await startInterview(built.deps, (await findParticipant(built.db, p!.id))!, researcher.user, { consentToRecord: true })
    await expect(putTranscript(built.deps, interview, { format: 'text', content: 'P1: I was\u0000 afraid.' }, researcher.user)).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'content' }],
    })
    expect(await built.db.selectFrom('transcript').selectAll().execute()).toEqual([])
  })

  it('in a .qdpx source is skipped with the reason, the rest imported', async () => {
    const { built, cohort, researcher } = await world()
    const g = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
    const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="NUL" origin="Hand">
  <Sources>
    <TextSource guid="${g(1)}" name="R1" plainTextPath="internal://${g(1)}.txt"/>
    <TextSource guid="${g(2)}" name="R2" plainTextPath="internal://${g(2)}.txt"/>
  </Sources>
</Project>`
    const bytes = zipSync({ 'project.qde': strToU8(qde), [`sources/${g(1)}.txt`]: strToU8('R1: I was\u0000 afraid.'), [`sources/${g(2)}.txt`]: strToU8('R2: Fine.') })
    const res = await built.app.request(`/api/cohorts/${cohort.id}/import.qdpx`, { method: 'POST', headers: { ...researcher.headers, 'content-type': 'application/zip' }, body: bytes as Uint8Array<ArrayBuffer> })
    const body = (await res.json()) as Record<string, any>
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.transcripts).toBe(1)
    expect(body.skipped).toContainEqual({ what: 'source', name: 'R1', reason: 'its text holds a NUL character (U+0000), which is no part of a transcript' })
    expect((await built.db.selectFrom('transcript').select('text').execute()).map((t) => t.text)).toEqual(['R2: Fine.'])
  })
})

describe('a codebook file holding a NUL character', () => {
  it('is refused, 422 naming file, as CSV and as .qdc (also as the reference &#0;), and nothing is stored', async () => {
    const { built, study, researcher } = await world()
    const qdc = (name: string) => `<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="${name}" isCodable="true"/></Codes></CodeBook>`
    const uploads: [string, string][] = [
      ['csv', 'theme,category,code\nWork,Hierarchy,Sha\u0000med\n'],
      ['qdc', qdc('Sha\u0000med')],
      ['qdc', qdc('Sha&#0;med')],
      ['qdc', qdc('Sha&#x00;med')],
    ]
    for (const [format, text] of uploads) {
      const res = await built.app.request(`/api/studies/${study.id}/codebook/import?format=${format}`, { method: 'POST', headers: { ...researcher.headers, 'content-type': 'text/plain' }, body: text })
      const body = (await res.json()) as Record<string, any>
      expect(res.status, `${format} ${text}: ${JSON.stringify(body)}`).toBe(422)
      expect(body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'file' }] })
    }
    expect(await built.db.selectFrom('code').selectAll().execute()).toEqual([])
  })
})
