import { sql, SqliteAdapter, type Kysely } from 'kysely'
import { sqliteHandle } from '../connection'
import type { Database } from '../schema'
import { withReaderThreadPaused } from '../sqlite-reader'

/**
 * Erase a participant's entries from the audit log, before their data are deleted (withdrawal with
 * deletion): entries they made (consent, completed forms, member checks), and entries about their
 * responses (safety flags), their interview, its transcript and its codings, or naming any of these
 * in their details. Each entry is first named in `audit_erasure`, the only way past the log's
 * append-only trigger (migration 0021). The withdrawal itself is never erased: a participant who
 * withdrew keeping their answers and asks later for their deletion keeps it. Returns how many entries
 * were erased.
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
      // An earlier withdrawal (with the answers kept, deleted later on request) stays: it holds counts only.
      .where('action', '!=', 'participant.withdraw')
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
 * After a transcript was deleted or its text replaced, in the same transaction: build the search
 * index (migration 0052) again from the transcripts that remain, so none of the old words stay in its
 * shadow tables. FTS5's `secure-delete` (migration 0190) already takes a deleted transcript's entries
 * out of the index pages, but a word that began a leaf page stays, as a prefix, in
 * `transcript_fts_idx`, and 'optimize' leaves an index of one segment as it is: only 'rebuild'
 * rewrites it. Its cost grows with all transcripts' words: about 2 s for 200 transcripts of 8,000
 * words each, during which the server answers nothing else (better-sqlite3 is synchronous); a study
 * of 30 interviews takes about 0.3 s. It runs on a participant's deletion and on every replacement of
 * an uncoded transcript's text (a correction, or names taken out before coding, which must not stay
 * searchable either); an upload of the same text again costs nothing. The freed pages are zeroed by `secure_delete`
 * (connection.ts). SQLite-only; on other engines, or before migration 0052, a no-op.
 */
export async function purgeTranscriptSearchIndex(db: Kysely<Database>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return
  const hasIndex = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'transcript_fts'`.execute(db)
  if (Number(hasIndex.rows[0]?.n) === 0) return
  await sql`insert into transcript_fts(transcript_fts) values ('rebuild')`.execute(db)
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
