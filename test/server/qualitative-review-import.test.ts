/**
 * A `.qdpx` written by another tool, or by hand, with odd values (from the qualitative review's
 * attacks on the import): the server answers in the API's error shape or imports what it can, and
 * never fails with a 500.
 */
import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { listMemberChecksOfStudy } from '../../server/db/repositories/codings'
import { listParticipants } from '../../server/db/repositories/participants'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { testApp } from '../helpers/app'
import { signedInStaff } from '../helpers/staff'

const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** A project with one source, one coding of "afraid", and a member-check note dated `noteDate`; the case and source named `name`. */
function project(noteDate: string, name = 'R7'): Uint8Array {
  const text = 'R7: I was afraid of being judged.'
  const start = text.indexOf('afraid')
  const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Odd dates" origin="Hand">
  <Users><User guid="${guid(1)}" name="Coder One"/></Users>
  <CodeBook><Codes><Code guid="${guid(2)}" name="Fear" isCodable="true"/></Codes></CodeBook>
  <Cases><Case guid="${guid(3)}" name="${name}"><SourceRef targetGUID="${guid(4)}"/></Case></Cases>
  <Sources>
    <TextSource guid="${guid(4)}" name="${name}" plainTextPath="internal://${guid(4)}.txt">
      <PlainTextSelection guid="${guid(5)}" startPosition="${start}" endPosition="${start + 6}">
        <Coding guid="${guid(6)}" creatingUser="${guid(1)}"><CodeRef targetGUID="${guid(2)}"/><NoteRef targetGUID="${guid(7)}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes><Note guid="${guid(7)}" name="Member check: comment" creationDateTime="${noteDate}"><PlainTextContent>Not quite.</PlainTextContent></Note></Notes>
</Project>`
  return zipSync({ 'project.qde': strToU8(qde), [`sources/${guid(4)}.txt`]: strToU8(text) })
}

describe('a member-check note whose date is not a date', () => {
  it('is imported with the time of the import, not a 500', async () => {
    const built = await testApp()
    const study = await createStudy(built.deps, { name: 'Import study' }, 'test')
    const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group 1' }, 'test')
    const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
    const res = await built.app.request(`/api/cohorts/${cohort.id}/import.qdpx`, { method: 'POST', headers: { ...researcher.headers, 'content-type': 'application/zip' }, body: project('yesterday') as Uint8Array<ArrayBuffer> })
    const body = (await res.json()) as Record<string, any>
    expect(res.status, JSON.stringify(body)).toBe(200)
    // The schema check names the date; the answer is kept, dated when it was imported.
    expect(body.validation.valid).toBe(false)
    expect(body.memberChecks).toBe(1)
    const [check] = await listMemberChecksOfStudy(built.db, study.id)
    expect(check).toMatchObject({ decision: 'comment', comment: 'Not quite.', decidedAt: built.deps.now().toISOString() })
  })
})

/** Import `project(…, name)` into a fresh cohort as its researcher: the answer's body and the cohort's participants. */
async function importNamed(name: string) {
  const built = await testApp()
  const study = await createStudy(built.deps, { name: 'Import study' }, 'test')
  const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group 1' }, 'test')
  const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
  const res = await built.app.request(`/api/cohorts/${cohort.id}/import.qdpx`, {
    method: 'POST',
    headers: { ...researcher.headers, 'content-type': 'application/zip' },
    body: project('2024-05-01T10:00:00Z', name) as Uint8Array<ArrayBuffer>,
  })
  expect(res.status).toBe(200)
  return { body: (await res.json()) as Record<string, any>, participants: await listParticipants(built.db, cohort.id) }
}

describe('a source whose name cannot be a participant code', () => {
  it.each([
    ['blank: no participant is made with an empty code', '   ', '   ', 'neither it nor its case has a name to take as the participant code'],
    // &#10; keeps the line break in the attribute (a literal one would be read as a space, XML 1.0 § 3.3.3).
    [
      'holding a line break: a code is written into every export and must be one line',
      'R&#10;7',
      'R\n7',
      'the participant code taken from the name of its case (or its own name), "R\\n7", holds a line break, tab or other control character (U+000A): a participant code is letters, digits and punctuation on one line',
    ],
    [
      'holding a character nobody sees: the code would look like R7',
      'R7&#x200B;',
      'R7\u200B',
      'the participant code taken from the name of its case (or its own name), "R7\\u200B", holds U+200B, a character nobody sees (zero-width, formatting or direction): the code would look like another one',
    ],
  ])('is skipped, and why, when %s', async (_, written, name, reason) => {
    const { body, participants } = await importNamed(written)
    expect(body).toMatchObject({ transcripts: 0, codings: 0, participants: { created: 0 } })
    expect(body.skipped).toContainEqual({ what: 'source', name, reason })
    expect(participants).toEqual([])
  })
})
