import { sql, SqliteAdapter, type Kysely } from 'kysely'

/**
 * Full-text search in transcripts (issue 18). SQLite only: an FTS5 index over `transcript.text`
 * (an external-content table, kept in step by triggers), tokenised by `unicode61` with diacritics
 * folded, so Persian, accented and combining-character text is found.
 *
 * Portable fallback: on any other engine nothing is created here, and the search repository scans
 * the study's transcripts instead (repositories/interviews.ts, searchTranscripts). The PostgreSQL
 * equivalent, a GIN index on to_tsvector('simple', text), comes with PostgreSQL support.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return
  await sql`create virtual table transcript_fts using fts5(text, content='transcript', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`.execute(db)
  await sql`create trigger transcript_fts_insert after insert on transcript begin insert into transcript_fts(rowid, text) values (new.rowid, new.text); end`.execute(db)
  await sql`create trigger transcript_fts_delete after delete on transcript begin insert into transcript_fts(transcript_fts, rowid, text) values ('delete', old.rowid, old.text); end`.execute(db)
  await sql`create trigger transcript_fts_update after update of text on transcript begin insert into transcript_fts(transcript_fts, rowid, text) values ('delete', old.rowid, old.text); insert into transcript_fts(rowid, text) values (new.rowid, new.text); end`.execute(db)
  await sql`insert into transcript_fts(transcript_fts) values ('rebuild')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return
  for (const trigger of ['transcript_fts_insert', 'transcript_fts_delete', 'transcript_fts_update']) await sql`drop trigger if exists ${sql.id(trigger)}`.execute(db)
  await sql`drop table if exists transcript_fts`.execute(db)
}
