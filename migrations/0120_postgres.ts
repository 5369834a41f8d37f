import { PostgresAdapter, sql, type Kysely } from 'kysely'

/**
 * PostgreSQL's equivalents of the SQLite-only parts of earlier migrations (issue 15). On SQLite this
 * migration does nothing: those parts are already there.
 *
 * - Append-only tables (0001 `audit_log`, 0003 `code_history`, with 0021's one exception: an audit
 *   entry named in `audit_erasure` may be deleted). SQLite does it with `raise(abort)` triggers;
 *   PostgreSQL with a trigger function that raises.
 * - `real` is an 8-byte float in SQLite but a 4-byte one in PostgreSQL: `scale_score.score` and
 *   `response_flag.value` become `double precision`, so a score reads back to the last digit on both.
 * - Full-text search in transcripts (0052 is FTS5, SQLite only): a GIN index on
 *   `to_tsvector('simple', text)`. The search itself keeps the scan that checks every word in the
 *   text (repositories/interviews.ts), so both engines find exactly the same transcripts.
 *
 * Frozen: never edit a migration that has shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return
  await sql`create function balint_append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only', tg_table_name using errcode = 'restrict_violation';
    end $$`.execute(db)
  await sql`create function balint_audit_log_no_delete() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from audit_erasure where audit_id = old.id) then return old; end if;
      raise exception 'audit_log is append-only' using errcode = 'restrict_violation';
    end $$`.execute(db)
  await sql`create trigger audit_log_no_update before update on audit_log for each row execute function balint_append_only()`.execute(db)
  await sql`create trigger audit_log_no_delete before delete on audit_log for each row execute function balint_audit_log_no_delete()`.execute(db)
  await sql`create trigger code_history_no_update before update on code_history for each row execute function balint_append_only()`.execute(db)
  await sql`create trigger code_history_no_delete before delete on code_history for each row execute function balint_append_only()`.execute(db)

  await sql`alter table scale_score alter column score type double precision`.execute(db)
  await sql`alter table response_flag alter column value type double precision`.execute(db)

  await sql`create index transcript_text_fts_idx on transcript using gin (to_tsvector('simple', text))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return
  await sql`drop index transcript_text_fts_idx`.execute(db)
  await sql`alter table response_flag alter column value type real`.execute(db)
  await sql`alter table scale_score alter column score type real`.execute(db)
  for (const [table, trigger] of [
    ['code_history', 'code_history_no_delete'],
    ['code_history', 'code_history_no_update'],
    ['audit_log', 'audit_log_no_delete'],
    ['audit_log', 'audit_log_no_update'],
  ] as const) {
    await sql`drop trigger ${sql.id(trigger)} on ${sql.id(table)}`.execute(db)
  }
  await sql`drop function balint_audit_log_no_delete()`.execute(db)
  await sql`drop function balint_append_only()`.execute(db)
}
