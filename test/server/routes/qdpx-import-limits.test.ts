/**
 * A `.qdpx` upload cannot stall the server: a project.qde that unpacks past its cap is refused
 * while it is being unzipped, whatever sizes the ZIP declares, with 413 and nothing written; a
 * file the schema check cannot hold is the file's fault (413), never a 500.
 */
import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { refiSchemaErrors, RefiTooLargeError } from '../../../server/domain/qualitative/refi-import'
import { buildQdpx, readQdpxEntries } from '../../../server/domain/qualitative/refi-qda'
import type { CodeNode } from '../../../server/domain/qualitative/types'
import { createCohort, createStudy } from '../../../server/domain/staff/setup'
import { routePathPattern } from '../../../server/http/body-limit'
import { projectImportPath } from '../../../server/routes/qualitative'
import { testApp } from '../../helpers/app'
import { signedInStaff } from '../../helpers/staff'

/** The cap on project.qde unpacked, in refi-import.ts. */
const QDE_CAP = 16 * 1024 * 1024

async function world() {
  const built = await testApp()
  const study = await createStudy(built.deps, { name: 'Import study' }, 'test')
  const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group 1' }, 'test')
  const researcher = await signedInStaff(built.deps, [{ studyId: study.id, role: 'researcher' }])
  const upload = async (bytes: Uint8Array) => {
    const started = performance.now()
    // A copy backed by a plain ArrayBuffer, the kind of bytes a request body takes.
    const res = await built.app.request(`/api/cohorts/${cohort.id}/import.qdpx`, { method: 'POST', headers: { ...researcher.headers, 'content-type': 'application/zip' }, body: new Uint8Array(bytes) })
    return { status: res.status, body: (await res.json()) as Record<string, any>, ms: performance.now() - started }
  }
  /** How many rows an import could add to, table by table. */
  const counts = async () => {
    const tables = ['code', 'participant', 'interview', 'transcript', 'coding', 'memo', 'staff_user', 'audit_log'] as const
    const counted: Record<string, number> = {}
    for (const table of tables) counted[table] = (await built.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
    return counted
  }
  return { upload, counts }
}

/**
 * A project.qde of `bytes` bytes made of one user repeated: well-formed QDA-XML that compresses
 * about a thousandfold, as a ZIP bomb does.
 */
function bombQde(bytes: number): string {
  const user = '<User guid="00000000-0000-4000-8000-000000000000" name="x"/>\n'
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="Bomb"><Users>\n${user.repeat(Math.ceil(bytes / user.length))}</Users></Project>\n`
}

/** The ZIP with every entry's uncompressed size rewritten to `size`, as a hostile sender may write it. */
function declaringSize(zip: Uint8Array, size: number): Uint8Array {
  const bytes = zip.slice()
  const view = new DataView(bytes.buffer)
  for (let at = 0; at + 4 <= bytes.length; at++) {
    const signature = view.getUint32(at, true)
    if (signature === 0x04034b50) view.setUint32(at + 22, size, true) // local file header
    if (signature === 0x02014b50) view.setUint32(at + 24, size, true) // central directory entry
  }
  return bytes
}

function expectTooLarge(res: { status: number; body: Record<string, any> }) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 413, code: 'payload_too_large' })
  expect(Object.keys(res.body)).toEqual(['error'])
  expect(res.body.error.message).toMatch(/project\.qde unpacks to more than 16 MiB/)
  expect(res.body.error.details).toEqual([{ field: 'file', message: expect.stringMatching(/16 MiB/) }])
}

describe('importing a .qdpx too large to read', () => {
  it('refuses a project.qde that unpacks past the cap with 413, quickly, and writes nothing', async () => {
    const w = await world()
    const zip = zipSync({ 'project.qde': strToU8(bombQde(QDE_CAP + 1024)) }, { level: 9 })
    // Small enough to pass the 256 KiB body limit: the cap, not the body limit, refuses it.
    expect(zip.length).toBeLessThan(256 * 1024)
    const before = await w.counts()
    const res = await w.upload(zip)
    expectTooLarge(res)
    expect(res.ms).toBeLessThan(2_000)
    expect(await w.counts()).toEqual(before)
  })

  it('counts what the ZIP inflates to, not the size it declares', async () => {
    const w = await world()
    const zip = declaringSize(zipSync({ 'project.qde': strToU8(bombQde(QDE_CAP + 1024)) }, { level: 9 }), 1024)
    const before = await w.counts()
    const res = await w.upload(zip)
    expectTooLarge(res)
    expect(res.ms).toBeLessThan(2_000)
    expect(await w.counts()).toEqual(before)
  })
})

describe('importing a real project', () => {
  it('takes a .qdpx larger than the 256 KiB of every other request', async () => {
    // Found by a review: every request body was capped at 256 KiB, so the project of a real study
    // (200 interviews and 20,000 codings zip to over a megabyte) could not be imported at all.
    const w = await world()
    // Text that does not compress away: letters from a xorshift generator.
    let seed = 2463534242
    const next = () => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), seed >>> 0)
    const word = () => Array.from({ length: 3 + (next() % 6) }, () => String.fromCharCode(97 + (next() % 26))).join('')
    const transcripts = Array.from({ length: 12 }, (_, k) => ({
      id: `t-${k}`,
      participantCode: `P${k + 1}`,
      interviewOrder: k + 1,
      text: `P: ${Array.from({ length: 8_000 }, word).join(' ')}`,
      createdAt: '2024-05-01T09:00:00.000Z',
    }))
    const codes: CodeNode[] = [{ id: 'code-1', parentId: null, level: 'code', name: 'Tiredness', description: null }]
    const codings = transcripts.map((t, k) => ({ id: `coding-${k}`, transcriptId: t.id, codeId: 'code-1', coderId: 'coder-a', start: 3, end: 40, text: '', createdAt: '2024-05-10T12:00:00.000Z' }))
    const zip = buildQdpx({ name: 'Real', origin: 'test', createdAt: '2024-05-01T08:00:00.000Z', users: [{ id: 'coder-a', name: 'A' }], codes, memos: [], cases: [], transcripts, codings })
    expect(zip.length).toBeGreaterThan(256 * 1024)
    const res = await w.upload(zip)
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200)
    expect((await w.counts()).transcript).toBe(12)
    expect((await w.counts()).coding).toBe(12)
  }, 60_000)
})

describe('who may send a large project', () => {
  it('reads no body of an anonymous caller or of staff without the researcher role, sent without a Content-Length', async () => {
    // Found by a review: the 50 MiB limit was set before the sign-in check, and a body without a
    // Content-Length is read whole to be measured: anyone could make the server hold 50 MiB a request.
    const built = await testApp()
    const study = await createStudy(built.deps, { name: 'Import study' }, 'test')
    const cohort = await createCohort(built.deps, { studyId: study.id, name: 'Group 1' }, 'test')
    const interviewer = await signedInStaff(built.deps, [{ studyId: study.id, role: 'interviewer' }])
    for (const [who, headers, status] of [
      ['anonymous', {}, 401],
      ['interviewer', interviewer.headers, 403],
    ] as const) {
      let pulled = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= 45 * 1024 * 1024) return controller.close()
          pulled += 1024 * 1024
          controller.enqueue(new Uint8Array(1024 * 1024))
        },
      })
      const res = await built.app.request(`/api/cohorts/${cohort.id}/import.qdpx`, { method: 'POST', headers: { ...headers, 'content-type': 'application/zip' }, body, duplex: 'half' } as RequestInit)
      expect(res.status, who).toBe(status)
      // A stream pulls a chunk or two ahead of its reader; 45 were on offer.
      expect(pulled, who).toBeLessThanOrEqual(2 * 1024 * 1024)
    }
  })
})

describe('the schema check', () => {
  it('holds the project.qde of a generous real project: 200 interviews, 20,000 codings', async () => {
    const codes: CodeNode[] = [
      { id: 'theme', parentId: null, level: 'theme', name: 'Effects', description: null },
      { id: 'category', parentId: 'theme', level: 'category', name: 'Feelings', description: null },
      ...Array.from({ length: 300 }, (_, k): CodeNode => ({ id: `code-${k}`, parentId: 'category', level: 'code', name: `Code ${k}`, description: 'What the code means, in a sentence.' })),
    ]
    const text = 'P: '.concat('word '.repeat(400))
    const transcripts = Array.from({ length: 200 }, (_, k) => ({ id: `t-${k}`, participantCode: `P${k + 1}`, interviewOrder: k + 1, text, createdAt: '2024-05-01T09:00:00.000Z' }))
    const codings = Array.from({ length: 20_000 }, (_, k) => ({
      id: `coding-${k}`,
      transcriptId: `t-${k % 200}`,
      codeId: `code-${k % 300}`,
      coderId: k % 2 ? 'coder-a' : 'coder-b',
      start: k % 1000,
      end: (k % 1000) + 500,
      text: '',
      createdAt: '2024-05-10T12:00:00.000Z',
    }))
    const users = [
      { id: 'coder-a', name: 'A' },
      { id: 'coder-b', name: 'B' },
    ]
    const zip = buildQdpx({ name: 'Generous', origin: 'test', createdAt: '2024-05-01T08:00:00.000Z', users, codes, memos: [], cases: [], transcripts, codings })
    const qde = readQdpxEntries(zip)['project.qde']!
    // About 10 MB: more than xmllint-wasm's default 32 MiB of memory holds.
    expect(qde.length).toBeGreaterThan(9_000_000)
    expect(await refiSchemaErrors(new TextDecoder().decode(qde), 'project')).toEqual([])
  }, 60_000)

  it('says the file is too large, rather than failing as the server', async () => {
    // 12 MB of empty elements, under the cap: libxml2 needs more than ten bytes of memory per byte of them.
    const xml = `<Project xmlns="urn:QDA-XML:project:1.0" name="x">${'<a/>'.repeat(3_000_000)}</Project>`
    const checked = refiSchemaErrors(xml, 'project')
    await expect(checked).rejects.toBeInstanceOf(RefiTooLargeError)
    await expect(checked).rejects.toThrow('The project.qde is too large or too deeply nested for the REFI-QDA schema check.')
  })
})

describe('the path app.ts keeps out of the global body limit', () => {
  it('is the import route itself: one segment per parameter, everything else literal', () => {
    const pattern = routePathPattern(`/api${projectImportPath}`)
    expect(pattern.test('/api/cohorts/c1/import.qdpx')).toBe(true)
    // The '.' is literal, a parameter is one segment, and nothing else rides along.
    expect(pattern.test('/api/cohorts/c1/importxqdpx')).toBe(false)
    expect(pattern.test('/api/cohorts/c1/x/import.qdpx')).toBe(false)
    expect(pattern.test('/api/cohorts//import.qdpx')).toBe(false)
    expect(pattern.test('/api/cohorts/c1/import.qdpx/more')).toBe(false)
  })
})
