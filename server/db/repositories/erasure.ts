import { sql, SqliteAdapter, type Kysely } from 'kysely'
import { sqliteHandle } from '../connection'
import type { Database } from '../schema'
import { withReaderThreadPaused } from '../sqlite-reader'

/**
 * Erase a participant's entries from the audit log, before their data are deleted (withdrawal with
 * deletion): entries they made (consent, completed forms, member checks), and entries about their
 * responses (safety flags), their interview, its transcript and its codings, or naming any of these
 * in their details. Each entry is first named in `audit_erasure`, the only way past the log's
 * append-only trigger (migration 0021). Returns how many entries were erased.
 */
export async function eraseAuditOfParticipant(db: Kysely<Database>, participantId: string): Promise<number> {
  const responses = await db.selectFrom('response').select('id').where('participant_id', '=', participantId).execute()
  const interviews = await db.selectFrom('interview').select('id').where('participant_id', '=', participantId).execute()
  const transcripts = interviews.length ? await db.selectFrom('transcript').select('id').where('interview_id', 'in', interviews.map((i) => i.id)).execute() : []
  const codings = transcripts.length ? await db.selectFrom('coding').select('id').where('transcript_id', 'in', transcripts.map((t) => t.id)).execute() : []
  const ids = [participantId, ...[...responses, ...interviews, ...transcripts, ...codings].map((r) => r.id)]

  const found = new Set<string>()
  // In slices, to stay well within the number of bound parameters a statement may have.
  for (let i = 0; i < ids.length; i += 200) {
    const slice = ids.slice(i, i + 200)
    const rows = await db
      .selectFrom('audit_log')
      .select('id')
      .where((eb) => eb.or([eb('actor', '=', `participant:${participantId}`), eb('entity_id', 'in', slice), ...slice.map((id) => eb('details', 'like', `%"${id}"%`))]))
      .execute()
    for (const r of rows) found.add(r.id)
  }
  const entries = [...found]
  for (let i = 0; i < entries.length; i += 200) {
    const slice = entries.slice(i, i + 200)
    await db.insertInto('audit_erasure').values(slice.map((audit_id) => ({ audit_id }))).execute()
    await db.deleteFrom('audit_log').where('id', 'in', slice).execute()
    await db.deleteFrom('audit_erasure').where('audit_id', 'in', slice).execute()
  }
  return entries.length
}

/**
 * After a transcript was deleted or its text replaced, in the same transaction: leave none of the old
 * words in the search index's shadow tables (migration 0052). FTS5's `secure-delete` (migration 0190)
 * takes a deleted transcript's entries out of the index pages, but a word that began a leaf page
 * stays, as a prefix (its separator), in `transcript_fts_idx`. A separator that begins some word still
 * indexed tells nothing of the deleted text; one that begins none is a piece of a deleted word, and
 * then the index is built again from the transcripts that remain ('rebuild': 'optimize' leaves an
 * index of one segment as it is).
 *
 * Costs, measured at 200 transcripts of 8,000 words each (1,500 leaf pages): the check about 0.13 s
 * (a lookup in the index's vocabulary per leaf page); a rebuild 1–2 s, during which the server
 * answers nothing else (better-sqlite3 is synchronous), needed only when a deleted word began a page.
 * It runs on a participant's deletion and on every replacement of an uncoded transcript's text (a
 * correction, or names taken out before coding, which must not stay searchable either). The freed
 * pages are zeroed by `secure_delete` (connection.ts). SQLite-only; on other engines, or before
 * migration 0052, a no-op.
 */
export async function purgeTranscriptSearchIndex(db: Kysely<Database>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return
  const hasIndex = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'transcript_fts'`.execute(db)
  if (Number(hasIndex.rows[0]?.n) === 0) return
  if ((await separatorsOfDeletedWords(db)) > 0) await sql`insert into transcript_fts(transcript_fts) values ('rebuild')`.execute(db)
}

/**
 * How many separators in `transcript_fts_idx` begin no word the index still holds: each a piece of
 * a deleted word. A separator is FTS5's byte for the main index ('0') and then the shortest
 * beginning, in bytes, of the first word of a leaf page; the index's words are read through an
 * fts5vocab table of this connection (temp: nothing is added to the file), a range of them per
 * separator.
 */
export async function separatorsOfDeletedWords(db: Kysely<Database>): Promise<number> {
  await sql`create virtual table if not exists temp.transcript_fts_words using fts5vocab(main, transcript_fts, row)`.execute(db)
  const result = await sql<{ n: number }>`
    select count(*) as n from transcript_fts_idx i
    where length(i.term) > 1 and not exists (
      select 1 from temp.transcript_fts_words w
      where w.term >= cast(substr(i.term, 2) as text) and w.term < cast(substr(i.term, 2) as text) || char(1114111)
        and substr(cast(w.term as blob), 1, length(i.term) - 1) = substr(i.term, 2)
    )`.execute(db)
  return Number(result.rows[0]?.n ?? 0)
}

/**
 * After deleting a participant's content: write the write-ahead log back into the database file and
 * truncate it, so no copy of a deleted page stays in the log. With `secure_delete` on (see
 * connection.ts) the freed pages in the file itself are already overwritten with zeros.
 * SQLite-only; on other engines a no-op (PostgreSQL's VACUUM is the operator's, see README).
 */
export async function discardDeletedPages(db: Kysely<Database>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return
  const sqlite = sqliteHandle(db)
  const checkpoint = async () => (await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db)).rows[0]
  // The reader thread (a cohort report) is held out of the file meanwhile: its read transaction would
  // keep the WAL from being truncated, and make the event loop wait (sqlite-reader.ts).
  const result = sqlite ? await withReaderThreadPaused(sqlite, checkpoint) : await checkpoint()
  // Busy: another process (a sqlite3 shell, a backup) was reading for longer than the busy timeout.
  if (result && result.busy !== 0) throw new Error('The write-ahead log could not be truncated after deleting (another process is reading the database): copies of the deleted pages may remain in it until the next checkpoint. Withdrawing again retries.')
}
