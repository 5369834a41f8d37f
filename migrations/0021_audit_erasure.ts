import { sql, SqliteAdapter, type Kysely } from 'kysely'

/**
 * Delete means deleted, in the audit log too. The log stays append-only, with one exception: when a
 * participant withdraws and asks for their answers to be deleted, the entries about them (a safety
 * flag, which forms they completed, codings of their words) are erased in the same transaction,
 * leaving the entry that records the withdrawal. The domain names each entry it erases in
 * `audit_erasure` first; the database refuses to delete any other.
 *
 * The table is portable; the trigger is SQLite-only (as in 0001): the PostgreSQL migration will add
 * the equivalent rule. Frozen: never edit once shipped; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_erasure')
    .addColumn('audit_id', 'text', (c) => c.primaryKey())
    .execute()
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`drop trigger audit_log_no_delete`.execute(db)
    await sql`create trigger audit_log_no_delete before delete on audit_log when not exists (select 1 from audit_erasure where audit_id = old.id) begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`drop trigger audit_log_no_delete`.execute(db)
    await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
  }
  await db.schema.dropTable('audit_erasure').execute()
}
