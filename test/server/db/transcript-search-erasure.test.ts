/**
 * Deleting is deleting, in the transcript search index too (migration 0190, purgeTranscriptSearchIndex):
 * a deleted or replaced transcript's words are left neither in the SQLite file nor in the FTS5
 * shadow tables. FTS5 stores its terms lowercased and prefix-compressed (a term after one sharing
 * its beginning keeps only its ending), so the file is searched for the lowercased word and for its
 * ending. Skipped in the PostgreSQL run: SQLite's file and its FTS5 index.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../server/app'
import { openDatabase } from '../../../server/db/connection'
import { migrateToLatest } from '../../../server/db/migrate'
import { findInterviewOfParticipant, searchTranscripts } from '../../../server/db/repositories/interviews'
import type { Deps } from '../../../server/domain/deps'
import { putTranscript } from '../../../server/domain/qualitative/interviews'
import { jsonRequest, shippedInstruments, testClock } from '../../helpers/app'
import { codingStudy } from '../../helpers/qualitative'
import { leftovers, traces, transcriptWith } from '../../helpers/search-index'
import { testEngine } from '../../helpers/test-database'

describe.skipIf(testEngine === 'postgres')('the transcript search index after deleting', () => {
  let folder: string | undefined
  afterEach(() => {
    if (folder) rmSync(folder, { recursive: true, force: true })
    folder = undefined
  })

  async function fileDeps(): Promise<{ deps: Deps; path: string }> {
    folder = mkdtempSync(join(tmpdir(), 'balint-fts-'))
    const path = join(folder, 'balint.sqlite')
    const db = openDatabase(path)
    await migrateToLatest(db)
    return { deps: { db, instruments: shippedInstruments(), now: testClock().now }, path }
  }

  it('keeps no word of a withdrawn participant\'s deleted transcript, in the file or the index, and still finds the others\' words', async () => {
    const { deps, path } = await fileDeps()
    const app = createApp(deps)
    const study = await codingStudy(deps, [transcriptWith('Zorblaxquint', 1), transcriptWith('Mirvendoplex', 2)])
    const p1 = study.participants[0]!
    expect((await app.request(`/api/p/${p1.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
    expect(await leftovers(deps.db, path, traces('Zorblaxquint'))).not.toEqual([])

    expect((await app.request(`/api/p/${p1.token}/withdraw`, jsonRequest('POST', { keepData: false }))).status).toBe(200)

    expect(await leftovers(deps.db, path, traces('Zorblaxquint'))).toEqual([])
    expect((await searchTranscripts(deps.db, study.study.id, ['zorblaxquint'])).transcriptIds).toEqual([])
    expect(await searchTranscripts(deps.db, study.study.id, ['mirvendoplex'])).toEqual({ engine: 'fts5', transcriptIds: [study.transcripts[1]!.transcriptId] })
    await deps.db.destroy()
  })

  it('keeps no beginning of a deleted word as a page separator in transcript_fts_idx, after the index merged its segments', async () => {
    const { deps, path } = await fileDeps()
    const app = createApp(deps)
    // Words of the two transcripts alternate in the index's order (qaaaakept, qaaabgone, qaaackept …),
    // so leaf pages begin with words of either.
    const codes = Array.from({ length: 6000 }, (_, i) => [3, 2, 1, 0].map((k) => String.fromCharCode(97 + (Math.floor(i / 26 ** k) % 26))).join(''))
    const kept = codes.filter((_, i) => i % 2 === 0).map((c) => `q${c}kept`)
    const gone = codes.filter((_, i) => i % 2 === 1).map((c) => `q${c}gone`)
    const study = await codingStudy(deps, [kept.join(' '), gone.join(' ')])
    // FTS5 merges segments by itself as transcripts accumulate; forced here, so both share the pages.
    await sql`insert into transcript_fts(transcript_fts) values ('optimize')`.execute(deps.db)
    // A separator is the shortest beginning of a page's first word (after a byte FTS5 adds): one that
    // begins a deleted word and no kept one is a piece of the deleted text.
    const separatorsOfGone = async () =>
      (await sql<{ term: Uint8Array | null }>`select term from transcript_fts_idx`.execute(deps.db)).rows
        .map((r) => Buffer.from(r.term ?? []).toString('latin1').slice(1))
        .filter((t) => t !== '' && gone.some((w) => w.startsWith(t)) && !kept.some((w) => w.startsWith(t)))
    expect((await separatorsOfGone()).length).toBeGreaterThan(0)

    const p2 = study.participants[1]!
    expect((await app.request(`/api/p/${p2.token}/consent`, jsonRequest('POST', { version: '1.1.0', answers: { consent: 'agree' } }))).status).toBe(200)
    expect((await app.request(`/api/p/${p2.token}/withdraw`, jsonRequest('POST', { keepData: false }))).status).toBe(200)

    expect(await separatorsOfGone()).toEqual([])
    // The common ending alone, too: each deleted word is stored as what follows the beginning it shares with the word before.
    expect(await leftovers(deps.db, path, [gone[1000]!, 'gone'])).toEqual([])
    expect((await searchTranscripts(deps.db, study.study.id, [kept[1000]!])).transcriptIds).toEqual([study.transcripts[0]!.transcriptId])
    await deps.db.destroy()
  })

  it('keeps no word of a transcript\'s replaced text, in the file or its WAL, and finds the new text', async () => {
    const { deps, path } = await fileDeps()
    const study = await codingStudy(deps, [transcriptWith('Quabbelstrunk', 1), transcriptWith('Mirvendoplex', 2)])
    const interview = (await findInterviewOfParticipant(deps.db, study.participants[0]!.id))!

    // Found by the session's review: the old text's pages stayed in the WAL until the next checkpoint
    // (names taken out of a transcript before coding must not stay readable there either).
    await putTranscript(deps, interview, { format: 'text', content: transcriptWith('Feltrannoway', 1) }, study.coderA)

    expect(await leftovers(deps.db, path, traces('Quabbelstrunk'))).toEqual([])
    expect((await searchTranscripts(deps.db, study.study.id, ['quabbelstrunk'])).transcriptIds).toEqual([])
    expect((await searchTranscripts(deps.db, study.study.id, ['feltrannoway'])).transcriptIds).toEqual([study.transcripts[0]!.transcriptId])
    expect((await searchTranscripts(deps.db, study.study.id, ['mirvendoplex'])).transcriptIds).toEqual([study.transcripts[1]!.transcriptId])
    await deps.db.destroy()
  })
})
