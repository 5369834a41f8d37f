/**
 * The export downloads over HTTP: `GET /api/cohorts/:id/exports/:file`. Every test builds the small
 * cohort of test/helpers/export-cohort.ts on a fresh in-memory database and talks to the app through
 * `app.request()`; the content of each file is tested in test/server/domain/outcomes/exports.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { listAudit } from '../../../server/db/repositories/audit'
import type { StaffRole } from '../../../server/db/schema'
import { exportFileNames, exportFiles } from '../../../server/domain/outcomes/exports'
import { createStudy } from '../../../server/domain/staff/setup'
import { updateContact } from '../../../server/domain/messaging/invitations'
import { testApp, testClock } from '../../helpers/app'
import { readExports, smallCohort } from '../../helpers/export-cohort'
import { signedInStaff } from '../../helpers/staff'

async function fixture() {
  const clock = testClock('2026-03-02T09:00:00.000Z')
  const built = await testApp({ clock })
  const cohort = await smallCohort(built.deps)
  const as = (role: StaffRole) => signedInStaff(built.deps, [{ studyId: cohort.study.id, role }])
  return { ...built, ...cohort, as }
}

const url = (cohortId: string, file: string) => `/api/cohorts/${cohortId}/exports/${file}`

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  const body = (await res.json()) as { error: { code: string } }
  expect(body.error.code).toBe(code)
}

/** Export entries of the audit log, without their ids. */
async function exportAudit(f: Awaited<ReturnType<typeof fixture>>) {
  return (await listAudit(f.db, { entityId: f.cohort.id })).filter((a) => a.action.startsWith('export.'))
}

describe('GET /api/cohorts/:id/exports/:file', () => {
  it('serves each file to a researcher as an attachment named after the cohort', async () => {
    const f = await fixture()
    const researcher = await f.as('researcher')
    const expected = await readExports(await exportFiles(f.deps, f.cohort.id))
    for (const file of exportFileNames) {
      const res = await f.app.request(url(f.cohort.id, file), { headers: researcher.headers })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(file.endsWith('.R') ? 'text/plain; charset=utf-8' : 'text/csv; charset=utf-8')
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="group-a-tehran-2026_${file}"`)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(await res.text()).toBe(expected[file])
    }
  })

  it('streams the body: a ReadableStream whose first chunk is the header line, with no Content-Length', async () => {
    const f = await fixture()
    const researcher = await f.as('researcher')
    const res = await f.app.request(url(f.cohort.id, 'wide.csv'), { headers: researcher.headers })
    expect(res.status).toBe(200)
    expect(res.body).toBeInstanceOf(ReadableStream)
    expect(res.headers.get('content-length')).toBeNull()
    const reader = res.body!.getReader()
    const first = await reader.read()
    const text = new TextDecoder().decode(first.value)
    expect(text).toMatch(/^participant,status,sessions_attended,age,/)
    expect(text.endsWith('\n')).toBe(true)
    expect(text.split('\n')).toHaveLength(2)
    const second = new TextDecoder().decode((await reader.read()).value)
    expect(second).toMatch(/^P1,active,2,34,female,/)
    await reader.cancel()
  })

  it('writes who downloaded which file, and when, to the audit log: never the data', async () => {
    const f = await fixture()
    const researcher = await f.as('researcher')
    f.clock.set('2026-03-02T10:15:00.000Z')
    const wide = await f.app.request(url(f.cohort.id, 'wide.csv'), { headers: researcher.headers })
    expect(wide.status).toBe(200)
    expect(await wide.text()).toContain('P1,active,2,')
    f.clock.set('2026-03-02T10:16:00.000Z')
    const script = await f.app.request(url(f.cohort.id, 'analysis.R'), { headers: researcher.headers })
    expect(script.status).toBe(200)
    expect(await script.text()).toContain('t.test(post, pre, paired = TRUE)')
    expect(await exportAudit(f)).toEqual([
      { at: '2026-03-02T10:15:00.000Z', actor: `staff:${researcher.user.id}`, action: 'export.download', entity: 'cohort', entityId: f.cohort.id, details: { file: 'wide.csv' } },
      { at: '2026-03-02T10:16:00.000Z', actor: `staff:${researcher.user.id}`, action: 'export.download', entity: 'cohort', entityId: f.cohort.id, details: { file: 'analysis.R' } },
    ])
    // The entries name the file, never a participant.
    const all = await f.db.selectFrom('audit_log').select('details').where('action', 'like', 'export.%').execute()
    expect(JSON.stringify(all)).not.toMatch(/P\d/)
  })

  it('is for researchers only: other roles get 403, and nothing is written to the audit log', async () => {
    const f = await fixture()
    for (const role of ['program_lead', 'group_leader', 'interviewer'] as const) {
      const staff = await f.as(role)
      await expectError(await f.app.request(url(f.cohort.id, 'wide.csv'), { headers: staff.headers }), 403, 'forbidden')
    }
    expect(await exportAudit(f)).toEqual([])
  })

  it('is 404 for a researcher of another study, 401 without a session, 404 for an unknown file or cohort', async () => {
    const f = await fixture()
    const other = await createStudy(f.deps, { name: 'Another study' }, 'test')
    const outsider = await signedInStaff(f.deps, [{ studyId: other.id, role: 'researcher' }])
    await expectError(await f.app.request(url(f.cohort.id, 'wide.csv'), { headers: outsider.headers }), 404, 'not_found')
    await expectError(await f.app.request(url(f.cohort.id, 'wide.csv')), 401, 'unauthorized')

    const researcher = await f.as('researcher')
    await expectError(await f.app.request(url(f.cohort.id, 'secrets.csv'), { headers: researcher.headers }), 404, 'not_found')
    await expectError(await f.app.request(url('nope', 'wide.csv'), { headers: researcher.headers }), 404, 'not_found')
    expect(await exportAudit(f)).toEqual([])
  })
})

describe('a CSV for Excel', () => {
  it('?bom=1 starts a CSV with the UTF-8 byte-order mark, and only a CSV; other values are a 422', async () => {
    const f = await fixture()
    const researcher = await f.as('researcher')
    const plain = new Uint8Array(await (await f.app.request(url(f.cohort.id, 'wide.csv'), { headers: researcher.headers })).arrayBuffer())
    const excel = new Uint8Array(await (await f.app.request(`${url(f.cohort.id, 'wide.csv')}?bom=1`, { headers: researcher.headers })).arrayBuffer())
    expect(Array.from(excel.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf])
    expect(Array.from(excel.slice(3))).toEqual(Array.from(plain))
    const script = new Uint8Array(await (await f.app.request(`${url(f.cohort.id, 'analysis.R')}?bom=1`, { headers: researcher.headers })).arrayBuffer())
    expect(Array.from(script.slice(0, 3))).not.toEqual([0xef, 0xbb, 0xbf])
    await expectError(await f.app.request(`${url(f.cohort.id, 'wide.csv')}?bom=yes`, { headers: researcher.headers }), 422, 'validation_failed')
  })
})

describe('contact details (issue 17)', () => {
  it('are never exported with the answers', async () => {
    const f = await fixture()
    for (const code of ['P1', 'P2']) await updateContact(f.deps, f.byCode(code).id, { email: `${code.toLowerCase()}.contact@example.org`, phone: '+98 912 555 0101', language: 'fa' }, 'test')
    const files = await readExports(await exportFiles(f.deps, f.cohort.id))
    // The export has the answers (so the check below is not of an empty file) but no contact detail.
    expect(Object.values(files).join('\n')).toContain('P1')
    for (const [name, text] of Object.entries(files)) expect(text, name).not.toMatch(/contact@example\.org|912 555 0101/)
  })
})
