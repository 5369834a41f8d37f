import { sql, SqliteAdapter, type Kysely } from 'kysely'

/**
 * Deleting is deleting, in the transcript search index too (migration 0052). Until now a deleted or
 * replaced transcript's words stayed in the FTS5 shadow tables (`transcript_fts_data`, `_idx`): the
 * delete trigger only adds a 'delete' marker, which itself repeats the words, and the old entries
 * go only when segments happen to be merged. SQLite only, as 0052; on any other engine nothing.
 *
 * - `secure-delete` (FTS5, SQLite 3.42 and later; kept in the table's `_config`): from now on a
 *   deletion removes the entries from the index's pages themselves, marker and all
 *   (https://sqlite.org/fts5.html#the_secure_delete_configuration_option). It still leaves the
 *   first term of a leaf page as a separator prefix in `transcript_fts_idx`, which is why the
 *   deleting code also rebuilds the index (repositories/erasure.ts, purgeTranscriptSearchIndex).
 * - 'rebuild' empties the index and builds it again from the transcripts that remain, so nothing
 *   that earlier deletions left behind survives; 'optimize' then merges it into one segment.
 * - With `secure_delete` on (as connection.ts sets it for every connection; said again here so the
 *   migration does not depend on who opened the file) the pages freed by the rebuild are
 *   overwritten with zeros, and the checkpoint writes them into the file and empties the WAL.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return
  await sql`pragma secure_delete = ON`.execute(db)
  await sql`insert into transcript_fts(transcript_fts, rank) values ('secure-delete', 1)`.execute(db)
  await sql`insert into transcript_fts(transcript_fts) values ('rebuild')`.execute(db)
  await sql`insert into transcript_fts(transcript_fts) values ('optimize')`.execute(db)
  // Not in a transaction: Kysely's migrator runs SQLite migrations without one (no transactional DDL).
  // Busy (another process reading) is not an error: the next checkpoint writes the pages.
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
}

/** The option off again; what the rebuild purged stays purged. */
export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return
  await sql`insert into transcript_fts(transcript_fts, rank) values ('secure-delete', 0)`.execute(db)
}
