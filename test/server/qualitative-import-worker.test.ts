/**
 * A large `.qdpx` is read on a reader thread (qdpx-reader.ts): while it is unzipped, parsed and checked
 * against the schema, the event loop goes on answering participants. The file's faults come back as
 * they did when it was read on the main thread; a reader thread that fails, runs out of memory or
 * takes too long is an error of its own, never a request left hanging; and only a few files are read
 * at once.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { maxParallelQdpxReads, qdpxReadsUnderWay, QdpxReaderThreadError, readQdpxOnReaderThread } from '../../server/domain/qualitative/qdpx-reader'
import { readCheckedQdpx, RefiDuplicateGuidError, RefiFormatError, RefiTooLargeError } from '../../server/domain/qualitative/refi-import'
import { buildQdpx, qdaGuid } from '../../server/domain/qualitative/refi-qda'
import type { CodeNode } from '../../server/domain/qualitative/types'
import { createCohort, createStudy } from '../../server/domain/staff/setup'
import { jsonRequest } from '../helpers/app'
import { consentedParticipant } from '../helpers/outbox-app'
import { sequence, syntheticTranscript } from '../helpers/qualitative'
import { signedInStaff } from '../helpers/staff'
import { eventLoopWatch } from '../helpers/event-loop'

const codes: CodeNode[] = [
  { id: 'theme', parentId: null, level: 'theme', name: 'Effects', description: null },
  { id: 'category', parentId: 'theme', level: 'category', name: 'Feelings', description: null },
  { id: 'code-1', parentId: 'category', level: 'code', name: 'Relief', description: 'Feeling lighter after the group.' },
  { id: 'code-2', parentId: 'category', level: 'code', name: 'Fear', description: null },
]

/**
 * A project as NVivo or ATLAS.ti hold a literature review beside the interviews: three interview
 * transcripts with a few codings each (written by our export), and `pdfs` articles with `selectionsPerPdf`
 * coded PDF selections each. The import reads every element of it and writes little: PDFs are left out
 * (README), so the file's size is all reading.
 */
function literatureProject(pdfs: number, selectionsPerPdf: number): Uint8Array {
  const random = sequence(7)
  const transcripts = ['P1', 'P2', 'P3'].map((code, k) => ({ id: `t-${k}`, participantCode: code, interviewOrder: k + 1, text: syntheticTranscript(random, code, 4_000, { plain: true }), createdAt: '2024-05-01T09:00:00.000Z' }))
  const codings = transcripts.flatMap((t, k) =>
    Array.from({ length: 10 }, (_, i) => ({ id: `coding-${k}-${i}`, transcriptId: t.id, codeId: i % 2 ? 'code-1' : 'code-2', coderId: 'coder-a', start: i * 300, end: i * 300 + 120, text: '', createdAt: '2024-05-10T12:00:00.000Z' })),
  )
  const zip = buildQdpx({ name: 'Interviews and literature', origin: 'test', createdAt: '2024-05-01T08:00:00.000Z', users: [{ id: 'coder-a', name: 'Coder A' }], codes, memos: [], cases: [], transcripts, codings })
  const user = qdaGuid('user', 'coder-a')
  const code = qdaGuid('code', 'code-1')
  const at = '2024-05-11T10:00:00.000Z'
  const articles = Array.from({ length: pdfs }, (_, p) => {
    const selections = Array.from({ length: selectionsPerPdf }, (_, s) => {
      const id = `${p}-${s}`
      return (
        `<PDFSelection guid="${qdaGuid('pdf-selection', id)}" page="${1 + (s % 12)}" firstX="72" firstY="${100 + (s % 40) * 15}" secondX="540" secondY="${130 + (s % 40) * 15}" creatingUser="${user}" creationDateTime="${at}">` +
        `<Coding guid="${qdaGuid('pdf-coding', id)}" creatingUser="${user}" creationDateTime="${at}"><CodeRef targetGUID="${code}"/></Coding></PDFSelection>\n`
      )
    })
    return `<PDFSource guid="${qdaGuid('pdf', String(p))}" name="Article ${p + 1}" path="internal://${qdaGuid('pdf', String(p))}.pdf">\n${selections.join('')}</PDFSource>\n`
  })
  const entries = unzipSync(zip)
  entries['project.qde'] = strToU8(strFromU8(entries['project.qde']!).replace('</Sources>', `${articles.join('')}</Sources>`))
  return zipSync(entries, { level: 6 })
}

describe('a participant saving while a large .qdpx is imported', () => {
  it('is answered while the project is still being read, and the event loop never waits long', async () => {
    const f = await consentedParticipant()
    const study = await createStudy(f.deps, { name: 'Literature and interviews' }, 'test')
    const cohort = await createCohort(f.deps, { studyId: study.id, name: 'Group 1' }, 'test')
    const researcher = await signedInStaff(f.deps, [{ studyId: study.id, role: 'researcher' }])
    // 40 articles of 400 coded selections: a project.qde of about 7 MB. Read on the main thread, as
    // before, it held the event loop for 5.6 s on a busy 2-core machine (load 5); on the reader thread
    // the longest wait was 85 ms.
    const zip = literatureProject(40, 400)
    expect(unzipSync(zip)['project.qde']!.length).toBeGreaterThan(6_000_000)

    const watch = eventLoopWatch()
    const importing = (async () => {
      const res = await f.app.request(`/api/cohorts/${cohort.id}/import.qdpx`, { method: 'POST', headers: { ...researcher.headers, 'content-type': 'application/zip' }, body: new Uint8Array(zip) })
      return { res, at: performance.now() }
    })()
    // The participant saves an answer a moment after the import has begun.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const save = await f.app.request(`/api/p/${f.token}/forms/pre/phq-9/answers`, jsonRequest('PUT', { deviceId: 'ward-phone-0001', answers: [{ question: 'phq9_1', value: 2, answeredAt: '2026-03-02T08:59:00.000Z' }] }))
    const savedAt = performance.now()
    const imported = await importing
    const longestWait = watch.stop()

    expect(save.status).toBe(200)
    const report = (await imported.res.json()) as Record<string, any>
    expect(imported.res.status, JSON.stringify(report).slice(0, 300)).toBe(200)
    expect(report).toMatchObject({ validation: { valid: true, errors: [] }, transcripts: 3, codings: 30 })
    expect(report.skipped.filter((s: { what: string }) => s.what === 'pdf')).toHaveLength(40)
    // The save did not wait for the import.
    expect(savedAt).toBeLessThan(imported.at)
    // Generous for a busy machine (the main thread shares its cores with the reader thread); reading on
    // the main thread waited several times this long.
    expect(longestWait).toBeLessThan(1_000)
  }, 120_000)
})

/** The error a read throws or rejects with, as plain data: its class, message and GUID. */
function described(error: unknown) {
  const e = error as Error & { guid?: string }
  return { name: e.name, message: e.message, guid: e.guid, isFormat: e instanceof RefiFormatError, isTooLarge: e instanceof RefiTooLargeError, isDuplicateGuid: e instanceof RefiDuplicateGuidError }
}

/** What a read came to: its value, or its error as plain data. */
async function outcomeOf(promise: Promise<unknown>): Promise<{ value: unknown } | { error: ReturnType<typeof described> }> {
  try {
    return { value: await promise }
  } catch (error) {
    return { error: described(error) }
  }
}

async function rejectionOf(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('the read did not fail')
}

describe('a file with faults, read on the reader thread', () => {
  it('fails as it does on the main thread: the same class, message and GUID', async () => {
    const guid = '11111111-2222-4333-8444-555555555555'
    const qde = (body: string) => zipSync({ 'project.qde': strToU8(`<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="x">${body}</Project>`) })
    const user = '<User guid="00000000-0000-4000-8000-000000000000" name="x"/>\n'
    const files: [string, Uint8Array][] = [
      ['not a ZIP', strToU8('this is not a zip file')],
      ['no project.qde', zipSync({ 'readme.txt': strToU8('hello') })],
      ['not XML', qde('<Users')],
      ['a control character', qde('<Users><User guid="00000000-0000-4000-8000-000000000001" name="a&#1;b"/></Users>')],
      ['a GUID twice', qde(`<Users><User guid="${guid}" name="a"/><User guid="{${guid.toUpperCase()}}" name="b"/></Users>`)],
      ['a project.qde past its cap', zipSync({ 'project.qde': strToU8(`<Project xmlns="urn:QDA-XML:project:1.0"><Users>${user.repeat(Math.ceil((16 * 1024 * 1024 + 1024) / user.length))}</Users></Project>`) }, { level: 9 })],
    ]
    for (const [what, bytes] of files) {
      const onMainThread = await outcomeOf(readCheckedQdpx(bytes))
      expect(onMainThread, what).toHaveProperty('error')
      expect(await outcomeOf(readQdpxOnReaderThread(bytes)), what).toEqual(onMainThread)
    }
    // Tags that do not match passed xmlbuilder2's parser, and the file was read: now refused, with
    // the place (notWellFormed), the same on both threads too.
    const mismatched = qde('<Users><User></Users>')
    const read = await outcomeOf(readQdpxOnReaderThread(mismatched))
    expect(read).toEqual(await outcomeOf(readCheckedQdpx(mismatched)))
    expect(read).toMatchObject({ error: { message: expect.stringMatching(/^The file is not well-formed XML: line 2, column \d+: unexpected close tag/) } })
  }, 120_000)
})

describe('a reader thread that fails', () => {
  it('is an error of its own, whether the thread cannot start, stops, throws, runs out of memory or takes too long; and frees its place', async () => {
    const bytes = literatureProject(4, 50)
    const threadError = async (read: Promise<unknown>) => {
      const error = await rejectionOf(read)
      expect(error).toBeInstanceOf(QdpxReaderThreadError)
      return (error as Error).message
    }
    const elsewhere = new URL('https://example.org/worker.mjs')
    expect(await threadError(readQdpxOnReaderThread(bytes, { worker: elsewhere }))).toMatch(/^The \.qdpx reader thread could not start: /)
    const missing = new URL('./no-such-worker.mjs', import.meta.url)
    expect(await threadError(readQdpxOnReaderThread(bytes, { worker: missing }))).toMatch(/^The \.qdpx reader thread failed: .*no-such-worker\.mjs/)
    const stops = new URL('data:text/javascript,process.exit(3)')
    expect(await threadError(readQdpxOnReaderThread(bytes, { worker: stops }))).toBe('The .qdpx reader thread stopped (exit code 3) before it answered.')
    const throws = new URL(`data:text/javascript,${encodeURIComponent('throw new Error("cannot load the rules")')}`)
    expect(await threadError(readQdpxOnReaderThread(bytes, { worker: throws }))).toBe('The .qdpx reader thread failed: cannot load the rules')
    // Out of memory is the file's size: refused as too large (413), as the schema check refuses it.
    // The small project is read within the same memory: the large one's parse is what ran out.
    const large = literatureProject(40, 400)
    expect((await readQdpxOnReaderThread(bytes, { heapMb: 32 })).project.sources).toHaveLength(3)
    const outOfMemory = await rejectionOf(readQdpxOnReaderThread(large, { heapMb: 32 }))
    expect(described(outOfMemory)).toMatchObject({ isTooLarge: true, message: 'The project is too large to read: reading it took more than 32 MiB of memory.' })
    expect(await threadError(readQdpxOnReaderThread(large, { timeoutMs: 200 }))).toBe('Reading the .qdpx took longer than 0.2 s; its reader thread was stopped.')
    expect(qdpxReadsUnderWay()).toEqual({ reading: 0, waiting: 0 })
    // And the next read goes through; the caller's bytes (a Buffer here) are copied, not taken.
    const buffer = Buffer.from(bytes)
    expect((await readQdpxOnReaderThread(buffer)).project.sources).toHaveLength(3)
    expect(buffer.equals(bytes)).toBe(true)
  }, 120_000)
})

describe('several imports at once', () => {
  it('read at most maxParallelQdpxReads files at a time, the others in turn', async () => {
    const bytes = literatureProject(4, 50)
    const reads = Array.from({ length: maxParallelQdpxReads + 2 }, () => readQdpxOnReaderThread(bytes))
    expect(qdpxReadsUnderWay()).toEqual({ reading: maxParallelQdpxReads, waiting: 2 })
    const seen: number[] = []
    const watching = setInterval(() => seen.push(qdpxReadsUnderWay().reading), 5)
    const results = await Promise.all(reads)
    clearInterval(watching)
    expect(Math.max(...seen)).toBeLessThanOrEqual(maxParallelQdpxReads)
    expect(results.map((r) => r.project.sources.length)).toEqual(reads.map(() => 3))
    expect(qdpxReadsUnderWay()).toEqual({ reading: 0, waiting: 0 })
  }, 120_000)
})
